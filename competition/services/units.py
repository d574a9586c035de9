"""The organisation tree: importing units from a file, marking a unit dissolved, the downloadable template.

An import is all-or-nothing: every row is read and checked first, outside any write transaction; when any row is
wrong, nothing is written and every problem is reported with its row (as the spreadsheet numbers it: the header is
row 1), column, value and reason. Otherwise the new and changed rows are written through django-import-export in
bulk, then the tree (parent, successor, materialised path) and cluster membership are linked, in one short
transaction with one audit event. A re-import of the same file finds nothing to change: it writes nothing, not
even an audit event.

The columns are documented in ``docs/import-units.md``; :func:`units_template_xlsx` builds the template.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows import audit
from workflows.exceptions import TransitionRefused

from ..enums import UnitKind
from ..models import Cluster, Unit
from ..resources import KindWidget, UnitResource, VietnameseDateWidget
from .tables import (
    Column,
    ImportCounts,
    Layout,
    RowError,
    Source,
    SourceRow,
    cell_text,
    column_letter,
    file_digest,
    iter_rows,
    map_headers,
    open_table,
    require_actor_perm,
)

CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
CODE_MAX = 32


# --- Units ------------------------------------------------------------------------------------------------

UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        gettext_lazy("Mã đơn vị"),
        ("ma", "ma dv"),
        required=True,
        help=gettext_lazy("Mã chính thức, duy nhất (ví dụ mã xã, phường theo danh mục hành chính)."),
    ),
    Column("name", gettext_lazy("Tên đơn vị"), ("ten",), required=True),
    Column(
        "kind",
        gettext_lazy("Loại đơn vị"),
        ("loai",),
        required=True,
        help=gettext_lazy("Tỉnh; Sở, ban, ngành; Xã; Phường; Cơ quan, đoàn thể; Doanh nghiệp; Bộ phận trực thuộc."),
    ),
    Column(
        "parent_code", gettext_lazy("Mã đơn vị cấp trên"), ("parent", "ma cap tren", "cap tren", "don vi cap tren")
    ),
    Column("email", gettext_lazy("Thư điện tử"), ("e mail", "dia chi thu dien tu")),
    Column("phone", gettext_lazy("Điện thoại"), ("so dien thoai", "sdt")),
    Column("dissolved_on", gettext_lazy("Ngày giải thể"), ("ngay giai the sap nhap", "giai the")),
    Column(
        "successor_code", gettext_lazy("Mã đơn vị kế thừa"), ("successor", "don vi ke thua", "ke thua", "ma ke thua")
    ),
    Column("cluster_code", gettext_lazy("Mã cụm, khối"), ("cluster", "cum khoi", "cum", "khoi", "cum khoi thi dua")),
)
UNIT_COLUMN = {c.key: c for c in UNIT_COLUMNS}
SCALAR_FIELDS = ("name", "kind", "email", "phone", "dissolved_on")


@dataclass
class ImportResult(ImportCounts):
    new_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)


@dataclass
class _Existing:
    id: int
    code: str
    name: str
    kind: str
    email: str
    phone: str
    dissolved_on: date | None
    parent_id: int | None
    successor_id: int | None


@dataclass
class _UnitRow:
    source: SourceRow
    values: dict[str, object] = field(default_factory=dict)
    clusters: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    add_clusters: list[str] = field(default_factory=list)
    is_new: bool = False

    @property
    def code(self) -> str:
        return self.values["code"]


@dataclass
class _UnitPlan:
    errors: list[RowError]
    rows: list[_UnitRow]
    present: set[str]

    @property
    def new(self) -> list[_UnitRow]:
        return [r for r in self.rows if r.is_new]

    @property
    def updated(self) -> list[_UnitRow]:
        return [r for r in self.rows if not r.is_new and (r.changed or r.add_clusters)]

    @property
    def unchanged(self) -> list[_UnitRow]:
        return [r for r in self.rows if not r.is_new and not r.changed and not r.add_clusters]


def _load_existing() -> tuple[dict[str, _Existing], dict[int, str]]:
    existing = {
        row[1]: _Existing(*row)
        for row in Unit.objects.values_list(
            "id", "code", "name", "kind", "email", "phone", "dissolved_on", "parent_id", "successor_id"
        )
    }
    return existing, {u.id: code for code, u in existing.items()}


def _check_code(value: str, what: str) -> str | None:
    if len(value) > CODE_MAX:
        return _("%(what)s dài quá %(n)s ký tự.") % {"what": what, "n": CODE_MAX}
    if not CODE_RE.fullmatch(value):
        return _(
            "%(what)s chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới; không có khoảng trắng."
        ) % {"what": what}
    return None


def _parse_unit_row(source: SourceRow, layout: Layout, errors: list[RowError]) -> _UnitRow:
    row = _UnitRow(source)
    n = source.number

    def error(key: str, message: str, value: str | None = None) -> None:
        errors.append(
            RowError(n, layout.label(UNIT_COLUMN[key]), source.text(key) if value is None else value, message)
        )

    code = source.text("code")
    if not code:
        error("code", _("Thiếu mã đơn vị."))
    elif problem := _check_code(code, _("Mã đơn vị")):
        error("code", problem)
    row.values["code"] = code

    name = source.text("name")
    if not name:
        error("name", _("Thiếu tên đơn vị."))
    elif len(name) > 255:
        error("name", _("Tên đơn vị dài quá 255 ký tự."))
    row.values["name"] = name

    if not source.text("kind"):
        error("kind", _("Thiếu loại đơn vị."))
    else:
        try:
            row.values["kind"] = KindWidget().clean(source.text("kind"))
        except ValueError as exc:
            error("kind", str(exc))

    if "parent_code" in layout.index:
        row.values["parent_code"] = source.text("parent_code")
    if "email" in layout.index:
        email = source.text("email")
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                error("email", _("Địa chỉ thư điện tử không hợp lệ (ví dụ đúng: vanthu@thainguyen.gov.vn)."))
        row.values["email"] = email
    if "phone" in layout.index:
        phone = source.text("phone")
        if len(phone) > 30:
            error("phone", _("Số điện thoại dài quá 30 ký tự."))
        row.values["phone"] = phone
    if "dissolved_on" in layout.index:
        try:
            row.values["dissolved_on"] = VietnameseDateWidget().clean(source.raw.get("dissolved_on") or None)
        except ValueError as exc:
            error("dissolved_on", str(exc))
    if "successor_code" in layout.index:
        row.values["successor_code"] = source.text("successor_code")
    if "cluster_code" in layout.index:
        for cluster_code in re.split(r"[;,\n]+", source.text("cluster_code")):
            cluster_code = cluster_code.strip()
            if not cluster_code:
                continue
            if problem := _check_code(cluster_code, _("Mã cụm, khối")):
                error("cluster_code", problem)
            elif cluster_code not in row.clusters:
                row.clusters.append(cluster_code)
    return row


def _cycle_members(start_codes: Sequence[str], parent_of: dict[str, str | None]) -> dict[str, list[str]]:
    """Codes that sit on a loop of parents, each with the loop as read from it."""
    done: set[str] = set()
    loops: dict[str, list[str]] = {}
    for start in start_codes:
        chain: list[str] = []
        position: dict[str, int] = {}
        code: str | None = start
        while code and code not in done and code not in position:
            position[code] = len(chain)
            chain.append(code)
            code = parent_of.get(code)
        if code in position:
            loop = chain[position[code] :]
            for i, member in enumerate(loop):
                loops[member] = loop[i:] + loop[:i] + [member]
        done.update(chain)
    return loops


def _plan_units(dataset: tablib.Dataset) -> _UnitPlan:
    layout, errors = map_headers(dataset.headers or [], UNIT_COLUMNS)
    if errors:
        return _UnitPlan(errors, [], set())
    present = set(layout.index)
    rows = [_parse_unit_row(source, layout, errors) for source in iter_rows(dataset, layout, errors)]
    existing, code_of = _load_existing()

    first_row: dict[str, int] = {}
    for row in rows:
        code = row.code
        if not code:
            continue
        if code in first_row:
            errors.append(
                RowError(
                    row.source.number,
                    layout.label(UNIT_COLUMN["code"]),
                    code,
                    _("Mã đơn vị bị trùng với dòng %(row)s.") % {"row": first_row[code]},
                )
            )
        else:
            first_row[code] = row.source.number
    in_file = {row.code: row for row in rows if row.code and first_row.get(row.code) == row.source.number}

    def known(code: str) -> bool:
        return code in in_file or code in existing

    # The state after the import: the file's values where it has the column, the stored ones elsewhere.
    parent_of: dict[str, str | None] = {code: code_of.get(u.parent_id) for code, u in existing.items()}
    dissolved: dict[str, date | None] = {code: u.dissolved_on for code, u in existing.items()}
    successor_of: dict[str, str | None] = {code: code_of.get(u.successor_id) for code, u in existing.items()}
    for code, row in in_file.items():
        if "parent_code" in present:
            parent_of[code] = row.values.get("parent_code") or None
        else:
            parent_of.setdefault(code, None)
        if "dissolved_on" in present:
            dissolved[code] = row.values.get("dissolved_on")
        else:
            dissolved.setdefault(code, None)
        if "successor_code" in present:
            successor_of[code] = row.values.get("successor_code") or None
        else:
            successor_of.setdefault(code, None)
        if dissolved[code] is None and "successor_code" not in present:
            successor_of[code] = None  # a unit that is no longer dissolved keeps no successor

    for row in rows:
        code, n = row.code, row.source.number
        parent = row.values.get("parent_code")
        if parent:
            label = layout.label(UNIT_COLUMN["parent_code"])
            if parent == code:
                errors.append(RowError(n, label, parent, _("Đơn vị không thể là cấp trên của chính nó.")))
            elif not known(parent):
                errors.append(
                    RowError(
                        n,
                        label,
                        parent,
                        _(
                            "Không có đơn vị mã “%(code)s” trong tệp hay trong hệ thống: "
                            "hãy thêm đơn vị cấp trên vào tệp hoặc sửa mã."
                        )
                        % {"code": parent},
                    )
                )
        successor = row.values.get("successor_code")
        successor_label = layout.label(UNIT_COLUMN["successor_code"])
        if successor:
            if successor == code:
                errors.append(RowError(n, successor_label, successor, _("Đơn vị không thể kế thừa chính nó.")))
            elif not known(successor):
                errors.append(
                    RowError(
                        n,
                        successor_label,
                        successor,
                        _("Không có đơn vị kế thừa mã “%(code)s” trong tệp hay trong hệ thống.") % {"code": successor},
                    )
                )
            elif dissolved.get(successor):
                errors.append(
                    RowError(
                        n,
                        successor_label,
                        successor,
                        _(
                            "Đơn vị kế thừa “%(code)s” đã giải thể (ngày %(day)s): "
                            "hãy ghi đơn vị đang hoạt động đã nhận lại nhiệm vụ."
                        )
                        % {"code": successor, "day": dissolved[successor].strftime("%d/%m/%Y")},
                    )
                )
            elif not dissolved.get(code):
                errors.append(
                    RowError(
                        n,
                        successor_label,
                        successor,
                        _("Chỉ ghi đơn vị kế thừa cho đơn vị đã giải thể: hãy điền ngày giải thể hoặc xoá ô này."),
                    )
                )
        elif ({"dissolved_on", "successor_code"} & present) and dissolved.get(code) and not successor_of.get(code):
            errors.append(
                RowError(
                    n,
                    successor_label,
                    "",
                    _("Đơn vị đã giải thể phải có đơn vị kế thừa: hãy ghi mã đơn vị đã nhận lại nhiệm vụ."),
                )
            )

    loops = _cycle_members([code for code in in_file if parent_of.get(code)], parent_of)
    for code, loop in loops.items():
        if code in in_file:
            row = in_file[code]
            errors.append(
                RowError(
                    row.source.number,
                    layout.label(UNIT_COLUMN["parent_code"]),
                    row.values.get("parent_code") or "",
                    _("Cấp trên tạo thành vòng lặp: %(loop)s. Hãy sửa mã đơn vị cấp trên.")
                    % {"loop": " → ".join(loop)},
                )
            )

    if not errors:
        members = _cluster_members([code for code in in_file if in_file[code].clusters])
        for code, row in in_file.items():
            _classify(row, existing.get(code), present, parent_of, successor_of, code_of, members.get(code, set()))
    errors.sort(key=lambda e: e.row or 0)
    return _UnitPlan(errors, list(in_file.values()), present)


def _cluster_members(codes: list[str]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    through = Cluster.units.through.objects.filter(unit__code__in=codes).values_list("unit__code", "cluster__code")
    for unit_code, cluster_code in through:
        members.setdefault(unit_code, set()).add(cluster_code)
    return members


def _classify(
    row: _UnitRow,
    stored: _Existing | None,
    present: set[str],
    parent_of: dict,
    successor_of: dict,
    code_of: dict[int, str],
    member_of: set[str],
) -> None:
    row.add_clusters = [c for c in row.clusters if c not in member_of]
    if stored is None:
        row.is_new = True
        return
    for name in SCALAR_FIELDS:
        if name in present and row.values.get(name) != getattr(stored, name):
            row.changed.append(name)
    if parent_of.get(row.code) != code_of.get(stored.parent_id):
        row.changed.append("parent")
    if successor_of.get(row.code) != code_of.get(stored.successor_id):
        row.changed.append("successor")


def validate_units(dataset: tablib.Dataset) -> list[RowError]:
    """Check every row of a unit file against the file itself and the stored units; writes nothing.

    Reports missing or duplicate codes, unknown kinds, unknown parents, loops of parents, bad dates and e-mail
    addresses, and successors that are unknown, the unit itself, dissolved, or given for a unit still active.
    """
    return _plan_units(dataset).errors


def _write_dataset(rows: list[_UnitRow], present: set[str]) -> tablib.Dataset:
    keys = ["code", *[name for name in SCALAR_FIELDS if name in present]]
    dataset = tablib.Dataset(headers=keys)
    for row in rows:
        dataset.append([row.values.get(key, "") if key != "dissolved_on" else row.values.get(key) for key in keys])
    return dataset


def _resource_errors(result, rows: list[_UnitRow]) -> list[RowError]:
    """django-import-export's messages are raw: say the same in Vietnamese, with the spreadsheet row."""
    errors: list[RowError] = []
    for invalid in result.invalid_rows:
        row = rows[invalid.number - 1]
        for name, messages in invalid.error_dict.items():
            column = UNIT_COLUMN.get(name)
            errors.append(
                RowError(
                    row.source.number,
                    str(column.header) if column else name,
                    cell_text(row.values.get(name)),
                    " ".join(str(m) for m in messages),
                )
            )
    for number, row_errors in result.row_errors():
        row = rows[number - 1]
        errors.append(
            RowError(
                row.source.number,
                "",
                "",
                _("Không ghi được dòng này: %(e)s") % {"e": "; ".join(str(e.error) for e in row_errors)},
            )
        )
    for base in result.base_errors:
        errors.append(
            RowError(None, "", "", _("Lỗi khi ghi vào cơ sở dữ liệu, chưa ghi gì: %(e)s") % {"e": base.error})
        )
    return errors


def _compute_paths(nodes: dict[int, tuple[str, int | None]]) -> dict[int, str]:
    """Materialised paths of every unit from (code, parent id); the tree has no loops (checked before)."""
    paths: dict[int, str] = {}
    for start in nodes:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in paths:
            chain.append(node)
            node = nodes[node][1]
            if len(chain) > len(nodes):
                raise RuntimeError("loop in the unit tree")
        prefix = paths[node] if node is not None else "/"
        for member in reversed(chain):
            prefix = f"{prefix}{nodes[member][0]}/"
            paths[member] = prefix
    return paths


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link_tree(plan: _UnitPlan) -> dict[str, list[str]]:
    """Set parent and successor of the file's units, re-point successors that were just dissolved, recompute
    every path that changed (sub-units of a moved unit included). Returns the codes whose path moved."""
    units = {
        u["id"]: u for u in Unit.objects.values("id", "code", "parent_id", "successor_id", "path", "dissolved_on")
    }
    id_of = {u["code"]: pk for pk, u in units.items()}
    target = {pk: {"parent_id": u["parent_id"], "successor_id": u["successor_id"]} for pk, u in units.items()}
    for row in plan.rows:
        pk = id_of[row.code]
        if "parent_code" in plan.present:
            target[pk]["parent_id"] = id_of.get(row.values.get("parent_code") or "")
        if "successor_code" in plan.present:
            target[pk]["successor_id"] = id_of.get(row.values.get("successor_code") or "")
        if units[pk]["dissolved_on"] is None:
            target[pk]["successor_id"] = None
    repointed: list[str] = []
    for pk, values in target.items():
        successor, hops = values["successor_id"], 0
        while successor is not None and units[successor]["dissolved_on"] and target[successor]["successor_id"]:
            successor, hops = target[successor]["successor_id"], hops + 1
            if hops > len(units):
                break
        if hops:
            values["successor_id"] = successor
            repointed.append(units[pk]["code"])
    paths = _compute_paths({pk: (u["code"], target[pk]["parent_id"]) for pk, u in units.items()})
    # One UPDATE per group of siblings (path = the parent's path + own code) and per successor: bulk_update's
    # CASE WHEN over thousands of rows is far slower than a few grouped UPDATEs.
    by_parent: dict[int | None, list[int]] = {}
    by_successor: dict[int | None, list[int]] = {}
    moved: list[str] = []
    for pk, u in units.items():
        values = target[pk]
        if (values["parent_id"], paths[pk]) != (u["parent_id"], u["path"]):
            by_parent.setdefault(values["parent_id"], []).append(pk)
            if u["path"] and paths[pk] != u["path"]:
                moved.append(u["code"])
        if values["successor_id"] != u["successor_id"]:
            by_successor.setdefault(values["successor_id"], []).append(pk)
    for parent_id, pks in by_parent.items():
        prefix = paths[parent_id] if parent_id is not None else "/"
        for chunk in _chunks(pks):
            Unit.objects.filter(pk__in=chunk).update(
                parent_id=parent_id, path=Concat(Value(prefix), F("code"), Value("/"), output_field=CharField())
            )
    for successor_id, pks in by_successor.items():
        for chunk in _chunks(pks):
            Unit.objects.filter(pk__in=chunk).update(successor_id=successor_id)
    return {"moved": moved, "repointed": repointed}


def _link_clusters(plan: _UnitPlan) -> list[str]:
    wanted = {code for row in plan.rows for code in row.add_clusters}
    if not wanted:
        return []
    have = set(Cluster.objects.filter(code__in=wanted).values_list("code", flat=True))
    created = sorted(wanted - have)
    Cluster.objects.bulk_create([Cluster(code=code, name=code) for code in created])
    cluster_id = dict(Cluster.objects.filter(code__in=wanted).values_list("code", "id"))
    unit_id = dict(
        Unit.objects.filter(code__in=[r.code for r in plan.rows if r.add_clusters]).values_list("code", "id")
    )
    Through = Cluster.units.through
    Through.objects.bulk_create(
        [Through(cluster_id=cluster_id[c], unit_id=unit_id[r.code]) for r in plan.rows for c in r.add_clusters],
        ignore_conflicts=True,
    )
    return created


def import_units(path: Source, *, actor, dry_run: bool = False, filename: str | None = None) -> ImportResult:
    """Import a unit file (XLSX or CSV; ``filename`` names it when ``path`` is an open file).

    All or nothing: when any row is wrong, ``errors`` lists every problem and nothing is written. A dry run only
    counts. Side effects (not in a dry run, and only when something changes): creates and updates units through
    :class:`~competition.resources.UnitResource` in bulk; links parents and successors, re-points units whose
    successor this file dissolves, recomputes the path of every moved unit and its sub-units; creates clusters
    named by a new ``cluster_code`` and adds units to them; appends one audit event summarising the import —
    all in one short transaction (the rows are read, checked and built before it opens). Raises
    ``PermissionDenied`` when ``actor`` may not import units.
    """
    require_actor_perm(actor, "competition.import_units")
    dataset, file_errors, data, filename = open_table(path, filename)
    if file_errors:
        return ImportResult(errors=file_errors, dry_run=dry_run)

    plan = _plan_units(dataset)
    result = ImportResult(
        new=len(plan.new),
        updated=len(plan.updated),
        unchanged=len(plan.unchanged),
        errors=plan.errors,
        dry_run=dry_run,
        new_codes=[r.code for r in plan.new],
        updated_codes=[r.code for r in plan.updated],
    )
    if plan.errors or dry_run or not (result.new or result.updated):
        return result

    to_write = [r for r in plan.rows if r.is_new or any(name in SCALAR_FIELDS for name in r.changed)]
    resource = UnitResource()
    if to_write:
        # Outside the transaction: django-import-export builds and cleans the rows and writes nothing yet.
        outcome = resource.import_data(
            _write_dataset(to_write, plan.present), dry_run=False, raise_errors=False, use_transactions=False
        )
        if outcome.has_errors() or outcome.has_validation_errors():
            return ImportResult(errors=_resource_errors(outcome, to_write), dry_run=dry_run)
    with transaction.atomic():
        resource.write_pending()
        tree = _link_tree(plan)
        clusters_created = _link_clusters(plan)
        audit.record(
            actor=actor,
            action="competition.units.import",
            payload={
                "file": filename,
                "sha256": file_digest(data),
                "new": result.new_codes,
                "updated": result.updated_codes,
                "unchanged": result.unchanged,
                "moved": tree["moved"],
                "successor_repointed": tree["repointed"],
                "clusters_created": clusters_created,
            },
        )
    return result


# --- Dissolving a unit ------------------------------------------------------------------------------------


def mark_dissolved(unit: Unit, *, actor, on: date, successor: Unit) -> Unit:
    """Mark ``unit`` dissolved on ``on``, its tasks taken over by ``successor`` (domain rule 14).

    Refuses (``TransitionRefused``) a missing successor, the unit itself, or a successor that is itself dissolved.
    Side effects: updates the unit; units whose successor was ``unit`` now point to ``successor``; one audit event.
    Raises ``PermissionDenied`` when ``actor`` may not change units.
    """
    require_actor_perm(actor, "competition.change_unit")
    if successor is None:
        raise TransitionRefused(_("Hãy chọn đơn vị kế thừa (đơn vị nhận lại nhiệm vụ của đơn vị giải thể)."))
    if successor.pk == unit.pk:
        raise TransitionRefused(_("Đơn vị không thể kế thừa chính nó: hãy chọn đơn vị khác."))
    with transaction.atomic():
        locked = Unit.objects.select_for_update() if connection.features.has_select_for_update else Unit.objects
        unit = locked.get(pk=unit.pk)
        successor = Unit.objects.get(pk=successor.pk)
        if successor.is_dissolved:
            raise TransitionRefused(
                _("Đơn vị kế thừa “%(s)s” đã giải thể ngày %(day)s: hãy chọn đơn vị đang hoạt động.")
                % {"s": successor, "day": successor.dissolved_on.strftime("%d/%m/%Y")}
            )
        previous = {
            "dissolved_on": unit.dissolved_on.isoformat() if unit.dissolved_on else None,
            "successor": unit.successor.code if unit.successor_id else None,
        }
        unit.dissolved_on = on
        unit.successor = successor
        unit.save(update_fields=["dissolved_on", "successor"])
        predecessors = list(
            Unit.objects.filter(successor=unit).exclude(pk=successor.pk).values_list("code", flat=True)
        )
        Unit.objects.filter(successor=unit).exclude(pk=successor.pk).update(successor=successor)
        audit.record(
            actor=actor,
            action="competition.unit.dissolve",
            obj=unit,
            payload={
                "dissolved_on": on.isoformat(),
                "successor": successor.code,
                "previous": previous,
                "successor_repointed": predecessors,
            },
        )
    return unit


# --- The template -----------------------------------------------------------------------------------------


def units_template_xlsx() -> bytes:
    """The downloadable unit file: sheet “Đơn vị” with the header row, sheet “Hướng dẫn” describing each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override("vi"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Đơn vị"
        sheet.append([str(c.header) for c in UNIT_COLUMNS])
        for i, column in enumerate(UNIT_COLUMNS):
            letter = column_letter(i)
            sheet.column_dimensions[letter].width = 34 if column.key == "name" else 20
            sheet[f"{letter}1"].font = Font(bold=True)
            if column.key != "dissolved_on":
                sheet.column_dimensions[letter].number_format = "@"  # codes keep their leading zeros
        sheet.freeze_panes = "A2"

        guide = workbook.create_sheet("Hướng dẫn")
        guide.append([_("Cột"), _("Khoá"), _("Bắt buộc"), _("Ghi chú")])
        notes = {
            "code": _("Khoá tự nhiên: nhập lại cùng mã thì cập nhật đơn vị đó, không tạo mới."),
            "parent_code": _("Mã đơn vị cấp trên; có thể là một dòng phía dưới trong tệp hoặc đơn vị đã có."),
            "dissolved_on": _("Ngày/tháng/năm (31/12/2025) hoặc 2025-12-31; để trống nếu còn hoạt động."),
            "successor_code": _("Bắt buộc khi có ngày giải thể; đơn vị kế thừa phải đang hoạt động."),
            "cluster_code": _("Mã cụm hoặc khối thi đua; nhiều mã cách nhau bằng dấu chấm phẩy; mã mới thì tạo cụm."),
        }
        for column in UNIT_COLUMNS:
            guide.append(
                [
                    str(column.header),
                    column.key,
                    _("Có") if column.required else "",
                    notes.get(column.key, str(column.help)),
                ]
            )
        guide.append([])
        guide.append([_("Các loại đơn vị")])
        first = guide.max_row + 1
        for _value, label in UnitKind.choices:
            guide.append([str(label)])
        last = guide.max_row
        for letter, width in (("A", 26), ("B", 16), ("C", 10), ("D", 90)):
            guide.column_dimensions[letter].width = width
        for cell in guide[1]:
            cell.font = Font(bold=True)
        kinds = DataValidation(type="list", formula1=f"'Hướng dẫn'!$A${first}:$A${last}", allow_blank=False)
        kinds.add(f"C2:C{10000}")
        sheet.add_data_validation(kinds)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
