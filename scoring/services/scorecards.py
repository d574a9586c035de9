"""Scorecards (phiếu chấm điểm): a unit's self-scoring with evidence, the board's assessors, the combined result
per criterion, the board's settlement of disputed criteria, finalisation, publication and reopening (domain rule 12;
issue 5, items 2, 3 and 5).

The lifecycle::

    start_scorecard ─► draft ──submit_scorecard──► submitted ──finalize──► finalized ──publish──► published
                         ▲ save_self_scores          │  assign_assessors           │                 │
                         └──────send_back────────────┘  save/submit_assessment      └──── reopen ◄────┘
                                                        aggregate, settle                (back to submitted)

Changes of the scorecard's state go through the door (``workflows.transition``: permission
``scoring.<transition>_scorecard``, the state, one audit event); everything else here (starting, self scores,
assignments, assessments, settlements) is a plain service function that checks the permission, changes what it
says in one transaction and appends one audit event. Refusals raise ``TransitionRefused`` (or
:class:`ScoringRefused`, with every problem by criterion code) or ``TransitionForbidden`` with a Vietnamese message
and change nothing.

The arithmetic is ``formulas.py``'s: a criterion's points (``criterion_points``: zero when required evidence is
missing), the totals and the class. Automatic criteria (ratio, stepped) are never entered: their points come from the
unit's indicator data — the progress report of the table's ``indicator_period``, or, when the table names none, the
unit's latest report on that indicator in the campaign — recomputed whenever the scorecard is read, until it is
finalized; finalisation freezes them in the scorecard's entries (value = the achieved percentage of the target).

Assessors are users of the campaign-wide roles (board officers, board head, the coordinating department); none may
score their own unit, nor a unit above or below theirs in the tree (conflict of interest). The board's points per
criterion combine the submitted assessments as the table says: mean, median, or consensus (when the assessors'
points differ by more than the table's tolerance, the criterion is flagged and has no points until the board settles
it). Automatic criteria need no assessor: the board's points are the computed ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import CAMPAIGN_WIDE_ROLES, UNIT_ROLES, Role
from accounts.models import User
from competition.enums import CampaignState
from competition.models import Enrolment, ProgressReport, Unit
from competition.models.progress import percent_of
from competition.scoping import scope, user_unit
from competition.services.plans import document_kind
from workflows import audit, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.notifications import notify

from ..enums import Aggregation, AssessmentState, CriterionKind, Formula, ScorecardState, Subject
from ..models import (
    Assessment,
    AssessmentEntry,
    Criterion,
    CriterionResult,
    Scorecard,
    ScoreEntry,
    ScoringTable,
)
from . import formulas
from .formulas import ZERO, CriterionSpec, TableSpec, Totals, q

SCORING_CAMPAIGN_STATES = (CampaignState.LAUNCHED, CampaignState.SUMMARIZING)
FROZEN_STATES = (ScorecardState.FINALIZED, ScorecardState.PUBLISHED)
ASSESSOR_ROLES = CAMPAIGN_WIDE_ROLES
MAX_VALUE = Decimal("99999.99")  # the widest value the points columns hold
EVIDENCE_KINDS = {"pdf": "PDF", "docx": "DOCX", "jpeg": "JPEG", "png": "PNG"}
EXTENSIONS = {"pdf": ("pdf",), "docx": ("docx",), "jpeg": ("jpg", "jpeg"), "png": ("png",)}
TRUE_WORDS = {"1", "true", "on", "yes", "có", "đạt", "x"}
FALSE_WORDS = {"0", "false", "off", "no", "không", "không đạt"}


class ScoringRefused(TransitionRefused):
    """Scores refused as a whole; ``errors`` maps a criterion code ("" for the whole form) to its messages."""

    def __init__(self, message: str, *, errors: dict[str, list[str]]):
        super().__init__(message, reasons=[m for msgs in errors.values() for m in msgs])
        self.errors = errors


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def _require(actor, perm: str, obj, message: str) -> None:
    if not _is_system(actor) and not actor.has_perm(perm, obj):
        raise TransitionForbidden(message)


def _url(name: str, pk: int) -> str:
    try:
        return reverse(f"scoring:{name}", args=[pk])
    except NoReverseMatch:
        return ""


def _locked(model, pk: int):
    manager = model._default_manager
    if connection.features.has_select_for_update:
        manager = manager.select_for_update()
    return manager.get(pk=pk)


def _points_text(value: Decimal | None) -> str:
    """Points as stored in audit payloads: Decimal("18.50") → "18.5"."""
    if value is None:
        return ""
    return format(q(value).normalize(), "f")


def format_points(value: Decimal | None) -> str:
    """Points as Vietnamese write them: Decimal("18.50") → "18,5"; Decimal("20.00") → "20"; None → ""."""
    return _points_text(value).replace(".", ",")


def _check_campaign(campaign) -> None:
    if campaign.state not in SCORING_CAMPAIGN_STATES:
        raise TransitionRefused(_campaign_closed(campaign))


def _campaign_closed(campaign) -> str:
    return _("Phong trào “%(c)s” đang ở trạng thái “%(s)s”: không chấm điểm.") % {
        "c": campaign,
        "s": campaign.get_state_display(),
    }


# --- The table, loaded once -----------------------------------------------------------------------------------


@dataclass
class LoadedTable:
    """A table with its criteria (model instances, for names and guidance) and its spec (for the arithmetic)."""

    table: ScoringTable
    spec: TableSpec
    criteria: dict[int, Criterion]
    depth: dict[int, int]
    class_labels: dict[str, str]

    def ceiling(self, spec: CriterionSpec) -> Decimal:
        return spec.base if spec.cap is None else min(spec.base, q(spec.cap))


def load_tables(table_ids: Iterable[int]) -> dict[int, LoadedTable]:
    """Tables with their criteria and classes: three queries however many tables."""
    tables = (
        ScoringTable.objects.filter(pk__in=set(table_ids))
        .select_related("campaign")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.select_related("indicator")), "classes")
    )
    loaded = {}
    for table in tables:
        spec = formulas.load_table(table)  # uses the prefetched criteria and classes
        criteria = {c.pk: c for c in table.criteria.all()}
        parent_of = {c.pk: c.parent_id for c in spec.criteria}
        depth = {}
        for c in spec.criteria:
            d, p = 0, c.parent_id
            while p:
                d, p = d + 1, parent_of.get(p)
            depth[c.pk] = d
        labels = {k.code: k.label for k in table.classes.all()}
        loaded[table.pk] = LoadedTable(table, spec, criteria, depth, labels)
    return loaded


def load_table(table: ScoringTable) -> LoadedTable:
    return load_tables([table.pk])[table.pk]


# --- The unit's indicator data (automatic criteria) -----------------------------------------------------------


@dataclass(frozen=True)
class IndicatorData:
    """Where an automatic criterion's points come from: the unit's report on the indicator in one period."""

    indicator_code: str
    indicator_name: str
    target_percent: Decimal
    period_label: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.numerator, self.denominator)

    @property
    def achieved(self) -> Decimal | None:
        return formulas.achieved_ratio(self.numerator, self.denominator, self.target_percent)

    @property
    def achieved_percent(self) -> Decimal | None:
        return q(self.achieved * 100) if self.achieved is not None else None


def indicator_data(
    table: ScoringTable, unit_ids: Iterable[int], spec: TableSpec
) -> dict[tuple[int, int], IndicatorData]:
    """(unit pk, indicator pk) → the data the table's automatic criteria use: the report of the table's
    ``indicator_period`` or, without one, the unit's latest report on the indicator in the campaign. One query."""
    indicator_ids = {c.indicator_id for c in spec.leaves if c.automatic and c.indicator_id}
    unit_ids = set(unit_ids)
    if not indicator_ids or not unit_ids:
        return {}
    reports = ProgressReport.objects.filter(
        unit_id__in=unit_ids, indicator_id__in=indicator_ids, period__campaign_id=table.campaign_id
    )
    if table.indicator_period_id:
        reports = reports.filter(period_id=table.indicator_period_id)
    reports = reports.order_by("unit_id", "indicator_id", "-period__end", "-period__start", "-period_id").values_list(
        "unit_id",
        "indicator_id",
        "indicator__code",
        "indicator__name",
        "indicator__target_percent",
        "period__label",
        "numerator",
        "denominator",
    )
    data: dict[tuple[int, int], IndicatorData] = {}
    for unit_id, indicator_id, *rest in reports:
        data.setdefault((unit_id, indicator_id), IndicatorData(*rest))
    return data


# --- A scorecard as read: the self scores, live or frozen -----------------------------------------------------


@dataclass
class Row:
    """One line of a scorecard: a criterion with the unit's entry and its self points (a group's: the sum of its
    children, capped); an automatic criterion's data source (``source``, None when live without data or frozen)."""

    criterion: Criterion
    spec: CriterionSpec
    depth: int
    entry: ScoreEntry | None
    points: Decimal
    ceiling: Decimal
    source: IndicatorData | None = None
    frozen: bool = False

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def is_group(self) -> bool:
        return self.spec.is_group

    @property
    def automatic(self) -> bool:
        return self.spec.automatic and not self.spec.is_group

    @property
    def has_evidence(self) -> bool:
        return bool(self.entry and self.entry.has_evidence)

    @property
    def value(self) -> Decimal | None:
        return self.entry.value if self.entry else None

    @property
    def missing_evidence(self) -> bool:
        """Required evidence missing: the criterion scores 0 (penalties need none)."""
        return (
            not self.is_group
            and self.spec.evidence_required
            and self.spec.kind != CriterionKind.PENALTY
            and not self.has_evidence
        )

    @property
    def frozen_percent(self) -> Decimal | None:
        """For a finalized automatic criterion: the achieved percentage of the target that was frozen."""
        return self.entry.value if self.frozen and self.automatic and self.entry else None


@dataclass
class Sheet:
    scorecard: Scorecard
    loaded: LoadedTable
    rows: list[Row]
    points: dict[int, Decimal]  # leaf criterion pk → self points
    totals: Totals
    class_code: str
    frozen: bool

    @property
    def class_label(self) -> str:
        return self.loaded.class_labels.get(self.class_code, "")

    @property
    def table(self) -> ScoringTable:
        return self.loaded.table

    def row(self, criterion_pk: int) -> Row:
        return next(r for r in self.rows if r.spec.pk == criterion_pk)

    @property
    def leaves(self) -> list[Row]:
        return [r for r in self.rows if not r.is_group]


def _self_points(
    loaded: LoadedTable, scorecard: Scorecard, entries: dict[int, ScoreEntry], data: dict
) -> tuple[dict[int, Decimal], dict[int, IndicatorData | None]]:
    frozen = scorecard.state in FROZEN_STATES
    points: dict[int, Decimal] = {}
    sources: dict[int, IndicatorData | None] = {}
    for leaf in loaded.spec.leaves:
        entry = entries.get(leaf.pk)
        if frozen:
            points[leaf.pk] = q(entry.points) if entry else ZERO
            continue
        has_evidence = bool(entry and entry.has_evidence)
        if leaf.automatic:
            source = data.get((scorecard.unit_id, leaf.indicator_id))
            sources[leaf.pk] = source
            achieved = source.achieved if source else None
            points[leaf.pk] = formulas.criterion_points(leaf, None, has_evidence=has_evidence, achieved=achieved)
        else:
            value = entry.value if entry else None
            points[leaf.pk] = formulas.criterion_points(leaf, value, has_evidence=has_evidence)
    return points, sources


def _build(loaded: LoadedTable, scorecard: Scorecard, entries: dict[int, ScoreEntry], data: dict, rows=True) -> Sheet:
    frozen = scorecard.state in FROZEN_STATES
    points, sources = _self_points(loaded, scorecard, entries, data)
    result = formulas.totals(loaded.spec, points)
    built = []
    if rows:
        for spec in loaded.spec.criteria:
            built.append(
                Row(
                    criterion=loaded.criteria[spec.pk],
                    spec=spec,
                    depth=loaded.depth[spec.pk],
                    entry=entries.get(spec.pk),
                    points=result.by_code[spec.code],
                    ceiling=loaded.ceiling(spec),
                    source=sources.get(spec.pk),
                    frozen=frozen,
                )
            )
    return Sheet(scorecard, loaded, built, points, result, formulas.classify(loaded.spec, result), frozen)


def sheet(scorecard: Scorecard, *, loaded: LoadedTable | None = None) -> Sheet:
    """The scorecard as read now: every criterion with the unit's entry and self points, the self totals and the
    provisional class. Automatic criteria are recomputed from the indicator data unless the scorecard is finalized.
    Five queries (table, criteria, classes, entries, indicator data). No side effects."""
    loaded = loaded or load_table(scorecard.table)
    entries = {e.criterion_id: e for e in scorecard.entries.all()}
    data = indicator_data(loaded.table, [scorecard.unit_id], loaded.spec)
    return _build(loaded, scorecard, entries, data)


def sheets(scorecards: list[Scorecard]) -> dict[int, Sheet]:
    """:func:`sheet` for many scorecards (totals only, no rows), in a number of queries that does not depend on
    how many: three for the tables, one for the entries, one per table for the indicator data."""
    loaded = load_tables({s.table_id for s in scorecards})
    entries: dict[int, dict[int, ScoreEntry]] = defaultdict(dict)
    for entry in ScoreEntry.objects.filter(scorecard_id__in=[s.pk for s in scorecards]):
        entries[entry.scorecard_id][entry.criterion_id] = entry
    data: dict[int, dict] = {}
    for table_id, item in loaded.items():
        units = {s.unit_id for s in scorecards if s.table_id == table_id and s.state not in FROZEN_STATES}
        data[table_id] = indicator_data(item.table, units, item.spec)
    return {s.pk: _build(loaded[s.table_id], s, entries[s.pk], data[s.table_id], rows=False) for s in scorecards}


# --- Starting ----------------------------------------------------------------------------------------------------


def start_scorecard(
    table: ScoringTable, *, unit: Unit, actor, person: dict | None = None, women_percent=None
) -> Scorecard:
    """Start the scorecard of ``unit`` (a collective table) or of one person of ``unit`` (an individual table:
    ``person`` with ``name`` and optionally ``position``, ``is_female``, ``is_leader``), as a draft. The actor is a
    clerk or head of ``unit``, or the board. Checks: the campaign runs, the unit takes part in it and is not
    dissolved, the table has criteria, the subject has no scorecard yet. Side effects: one ``Scorecard``; one audit
    event ``scoring.scorecard.create``."""
    _require(
        actor,
        "scoring.start_scorecard",
        unit,
        _("Chỉ cán bộ thi đua, thủ trưởng của “%(unit)s” hoặc Ban Thi đua - Khen thưởng được lập phiếu chấm điểm.")
        % {"unit": unit},
    )
    campaign = table.campaign
    problems = []
    if campaign.state not in SCORING_CAMPAIGN_STATES:
        problems.append(_campaign_closed(campaign))
    if not Enrolment.objects.filter(campaign=campaign, unit=unit).exists():
        problems.append(_("Đơn vị “%(u)s” không tham gia phong trào “%(c)s”.") % {"u": unit, "c": campaign})
    if unit.is_dissolved:
        problems.append(_("Đơn vị “%(u)s” đã giải thể, sáp nhập: không chấm điểm.") % {"u": unit})
    if not table.criteria.exists():
        problems.append(_("Bảng điểm “%(t)s” chưa có tiêu chí.") % {"t": table})
    person = dict(person or {})
    name = " ".join(str(person.get("name") or "").split())
    if table.subject == Subject.INDIVIDUAL and not name:
        problems.append(_("Bảng điểm cá nhân: hãy nhập họ và tên người được chấm."))
    if table.subject == Subject.COLLECTIVE and name:
        problems.append(_("Bảng điểm tập thể chấm đơn vị, không chấm cá nhân."))
    women = _women_percent(women_percent, problems)
    if not problems and Scorecard.objects.filter(table=table, unit=unit, person_name=name).exists():
        who = f"{name} ({unit})" if name else str(unit)
        problems.append(_("%(who)s đã có phiếu chấm theo bảng “%(t)s”.") % {"who": who, "t": table})
    if problems:
        raise TransitionRefused(_("Chưa lập được phiếu chấm điểm:"), reasons=problems)
    with transaction.atomic():
        scorecard = Scorecard.objects.create(
            table=table,
            unit=unit,
            person_name=name,
            person_position=" ".join(str(person.get("position") or "").split()),
            person_is_female=bool(person.get("is_female")),
            person_is_leader=bool(person.get("is_leader")),
            women_percent=women,
        )
        audit.record(
            actor=actor,
            action="scoring.scorecard.create",
            obj=scorecard,
            to_state=scorecard.state,
            payload={"field": "state", "table": table.pk, "unit": unit.code, "person": name},
        )
    return scorecard


def _women_percent(raw, problems: list[str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > 100:
        problems.append(_("Tỷ lệ nữ “%(v)s” phải là số từ 0 đến 100.") % {"v": raw})
        return None
    return value.quantize(Decimal("0.01"))


# --- Values as entered ---------------------------------------------------------------------------------------------


def _criterion_of(row: dict, leaves: dict[int, CriterionSpec], by_code: dict[str, CriterionSpec]):
    raw = row.get("criterion")
    if isinstance(raw, Criterion):
        return leaves.get(raw.pk)
    if "code" in row and raw is None:
        return by_code.get(str(row["code"]))
    try:
        return leaves.get(int(raw))
    except (TypeError, ValueError):
        return None


def parse_value(spec: CriterionSpec, raw, ceiling: Decimal, errors: list[str]) -> Decimal | None:
    """What is entered for a criterion, as its formula reads it: points (manual, from 0 to the criterion's maximum),
    met or not (fixed: 1 or 0), a number of items (capped). Empty → None. Problems go to ``errors``, naming the
    criterion; an automatic criterion takes no value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    code = spec.code
    if spec.automatic:
        errors.append(_("Tiêu chí %(c)s được tính tự động từ số liệu chỉ tiêu: không nhập điểm.") % {"c": code})
        return None
    if spec.formula == Formula.FIXED:
        if isinstance(raw, bool):
            return Decimal(int(raw))
        text = str(raw).strip().lower()
        if text in TRUE_WORDS:
            return Decimal(1)
        if text in FALSE_WORDS:
            return Decimal(0)
        errors.append(_("Tiêu chí %(c)s: hãy chọn “Đạt” hoặc “Không đạt”.") % {"c": code})
        return None
    try:
        value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append(_("Tiêu chí %(c)s: “%(v)s” không phải là số.") % {"c": code, "v": raw})
        return None
    if value < 0:
        errors.append(_("Tiêu chí %(c)s: không nhập số âm.") % {"c": code})
        return None
    if spec.formula == Formula.CAPPED:
        if value != value.to_integral_value():
            errors.append(_("Tiêu chí %(c)s: số lần (sáng kiến, mô hình…) phải là số nguyên.") % {"c": code})
            return None
        if value > MAX_VALUE:
            errors.append(_("Tiêu chí %(c)s: số lần quá lớn.") % {"c": code})
            return None
        return value.quantize(Decimal("0.01"))
    if value > ceiling:
        errors.append(
            _("Tiêu chí %(c)s: %(v)s điểm vượt mức tối đa %(max)s điểm.")
            % {"c": code, "v": raw, "max": format_points(ceiling)}
        )
        return None
    if value != q(value):
        errors.append(_("Tiêu chí %(c)s: điểm chỉ có tối đa 2 chữ số thập phân.") % {"c": code})
        return None
    return q(value)


def evidence_kind(content: bytes) -> str | None:
    """``pdf``, ``docx``, ``jpeg`` or ``png`` from the bytes themselves (PDF and DOCX as a plan document is
    checked; JPEG starts with FF D8 FF, PNG with its 8-byte signature), or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return document_kind(content)


def check_evidence(upload, code: str, errors: list[str]) -> tuple[str, bytes] | None:
    """Read and check an evidence file: not empty, within ``THIDUA_MAX_UPLOAD_BYTES``, a PDF, Word (DOCX), JPEG or
    PNG file by its content, with an extension that says the same. Returns (file name, content), or None with the
    problem in ``errors`` naming the criterion and the file."""
    name = PurePath(getattr(upload, "name", "") or "minh-chung").name
    limit = settings.THIDUA_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    too_big = _("Tiêu chí %(c)s: tệp “%(name)s” quá lớn (%(size)s MB), tối đa %(limit)s MB.")
    if size is not None and size > limit:
        errors.append(
            too_big % {"c": code, "name": name, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
        return None
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        errors.append(
            too_big
            % {"c": code, "name": name, "size": f"{len(content) / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
        return None
    if not content:
        errors.append(_("Tiêu chí %(c)s: tệp “%(name)s” rỗng.") % {"c": code, "name": name})
        return None
    kind = evidence_kind(content)
    if kind is None:
        errors.append(
            _("Tiêu chí %(c)s: tệp “%(name)s” không phải PDF, Word (DOCX), ảnh JPEG hoặc PNG theo nội dung tệp.")
            % {"c": code, "name": name}
        )
        return None
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix not in EXTENSIONS[kind]:
        errors.append(
            _("Tiêu chí %(c)s: tệp “%(name)s” có đuôi “.%(suffix)s” nhưng nội dung là %(kind)s: hãy đặt lại tên tệp.")
            % {"c": code, "name": name, "suffix": suffix or "?", "kind": EVIDENCE_KINDS[kind]}
        )
        return None
    return name, content


def _missing_values(loaded: LoadedTable, values: dict[int, Decimal | None]) -> list[str]:
    """Codes of the normal, entered (not automatic) leaf criteria that have no value yet."""
    return [
        c.code
        for c in loaded.spec.leaves
        if c.kind == CriterionKind.NORMAL and not c.automatic and values.get(c.pk) is None
    ]


# --- Self-scoring ----------------------------------------------------------------------------------------------


@dataclass
class _Planned:
    spec: CriterionSpec
    value: Decimal | None
    set_value: bool
    upload: tuple[str, bytes] | None
    note: str | None
    remove: bool


UNSET = object()


def save_self_scores(scorecard: Scorecard, rows: Iterable[dict], *, actor, women_percent=UNSET) -> Sheet:
    """Save the unit's self scores while the scorecard is a draft. ``rows``: one dict per leaf criterion, with
    ``criterion`` (a Criterion or its pk; or ``code``), and any of ``value`` (points, met 1/0, or a count of items,
    as the formula asks; not for automatic criteria), ``evidence`` (an uploaded PDF, DOCX, JPEG or PNG file),
    ``note`` (evidence as a note or a link) and ``remove_evidence``. Criteria not in ``rows`` keep what they had.
    A criterion that requires evidence and has none scores 0 (it is not refused).

    All-or-nothing: raises :class:`ScoringRefused` listing every problem by criterion, and writes nothing, when any
    row is bad. Side effects: the ``ScoreEntry`` rows (and evidence files); the scorecard's ``self_total``; one
    audit event ``scoring.scorecard.self_scores`` with what changed (file names and hashes, never contents), when
    anything changed. Returns the scorecard's :func:`sheet` after the write."""
    _require(
        actor,
        "scoring.change_scorecard",
        scorecard,
        _("Chỉ cán bộ thi đua, thủ trưởng của “%(unit)s” được tự chấm điểm phiếu này.") % {"unit": scorecard.unit},
    )
    loaded = load_table(scorecard.table)
    leaves = {c.pk: c for c in loaded.spec.leaves}
    by_code = {c.code: c for c in loaded.spec.leaves}
    errors: dict[str, list[str]] = defaultdict(list)
    planned: dict[int, _Planned] = {}
    for row in rows:
        spec = _criterion_of(row, leaves, by_code)
        if spec is None:
            errors[""].append(
                _("Tiêu chí “%(c)s” không thuộc bảng điểm này.") % {"c": row.get("criterion") or row.get("code")}
            )
            continue
        if spec.pk in planned:
            errors[spec.code].append(_("Tiêu chí %(c)s được nhập hai lần.") % {"c": spec.code})
            continue
        messages: list[str] = []
        value = parse_value(spec, row.get("value"), loaded.ceiling(spec), messages) if "value" in row else None
        upload = check_evidence(row["evidence"], spec.code, messages) if row.get("evidence") else None
        note = row.get("note")
        note = str(note).strip() if note is not None else None
        errors[spec.code].extend(messages)
        planned[spec.pk] = _Planned(
            spec, value, "value" in row and not spec.automatic, upload, note, bool(row.get("remove_evidence"))
        )
    women_problems: list[str] = []
    women = _women_percent(women_percent, women_problems) if women_percent is not UNSET else None
    errors[""].extend(women_problems)
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ScoringRefused(_("Chưa lưu được điểm tự chấm:"), errors=errors)
    with transaction.atomic():
        fresh = _locked(Scorecard, scorecard.pk)
        if fresh.state != ScorecardState.DRAFT:
            raise TransitionRefused(
                _("Phiếu chấm đang ở trạng thái “%(s)s”: chỉ tự chấm được khi đơn vị đang chấm.")
                % {"s": fresh.get_state_display()}
            )
        campaign = loaded.table.campaign
        _check_campaign(campaign)
        existing = {e.criterion_id: e for e in fresh.entries.all()}
        changes: dict[str, dict] = {}
        for pk, plan in planned.items():
            entry = existing.get(pk) or ScoreEntry(scorecard=fresh, criterion_id=pk)
            before = (entry.value, entry.evidence_sha256, entry.evidence_note)
            change: dict = {}
            if plan.set_value:
                entry.value = plan.value
            if plan.remove and entry.evidence:
                entry.evidence = ""
                entry.evidence_name = ""
                entry.evidence_sha256 = ""
                change["evidence_removed"] = True
            if plan.upload is not None:
                name, content = plan.upload
                entry.evidence.save(name, ContentFile(content), save=False)
                entry.evidence_name = name
                entry.evidence_sha256 = hashlib.sha256(content).hexdigest()
            if plan.note is not None:
                entry.evidence_note = plan.note
            entry.points = _entry_points(plan.spec, entry)
            if entry.pk is None and entry.value is None and not entry.evidence and not entry.evidence_note:
                continue  # nothing entered for this criterion yet
            if entry.pk is None or before != (entry.value, entry.evidence_sha256, entry.evidence_note) or change:
                entry.save()
                existing[pk] = entry
                change.update(
                    {
                        "value": _points_text(entry.value) if entry.value is not None else None,
                        "points": _points_text(entry.points),
                        "file_name": entry.evidence_name,
                        "sha256": entry.evidence_sha256,
                        "note": bool(entry.evidence_note),
                    }
                )
                changes[plan.spec.code] = change
        fields = []
        if women_percent is not UNSET and women != fresh.women_percent:
            fresh.women_percent = women
            fields.append("women_percent")
            changes["women_percent"] = {"value": str(women) if women is not None else None}
        result = sheet(fresh, loaded=loaded)
        if fresh.self_total != result.totals.total:
            fresh.self_total = result.totals.total
            fields.append("self_total")
        if fields:
            Scorecard.objects.filter(pk=fresh.pk).update(**{f: getattr(fresh, f) for f in fields})
        if changes:
            audit.record(
                actor=actor,
                action="scoring.scorecard.self_scores",
                obj=fresh,
                payload={"changes": changes, "self_total": _points_text(result.totals.total)},
            )
    scorecard.self_total = fresh.self_total
    scorecard.women_percent = fresh.women_percent
    result.scorecard = scorecard
    return result


def _entry_points(spec: CriterionSpec, entry: ScoreEntry) -> Decimal:
    if spec.automatic:
        return entry.points or ZERO  # computed when read, frozen at finalisation
    return formulas.criterion_points(spec, entry.value, has_evidence=entry.has_evidence)


def submit_scorecard(scorecard: Scorecard, *, actor) -> Scorecard:
    """The unit submits its self-scoring (draft → submitted) through the door. Refused while a normal criterion
    that is entered (not automatic) has no value. Side effects: the door's transition and audit event (with the self
    totals); the scoring table is locked (``locked_at``) if it was not yet; the scorecard's ``self_total``; a
    notification to the board officers."""
    _require(
        actor,
        "scoring.submit_scorecard",
        scorecard,
        _("Chỉ cán bộ thi đua, thủ trưởng của “%(unit)s” được nộp phiếu tự chấm.") % {"unit": scorecard.unit},
    )
    current = sheet(scorecard)
    campaign = current.table.campaign
    _check_campaign(campaign)
    missing = _missing_values(current.loaded, {r.spec.pk: r.value for r in current.leaves})
    if missing:
        raise TransitionRefused(
            _("Chưa nộp được: còn tiêu chí chưa tự chấm: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    total = current.totals.total
    now = timezone.now()

    def after(record: Scorecard, event) -> None:
        ScoringTable.objects.filter(pk=record.table_id, locked_at__isnull=True).update(locked_at=now)
        Scorecard.objects.filter(pk=record.pk).update(self_total=total)
        record.self_total = total
        notify(
            User.objects.filter(is_active=True, role=Role.BOARD_OFFICER),
            key=f"scorecard-submitted:{record.pk}:{event.sequence}",
            title=_("Phiếu tự chấm chờ phân công chấm: %(s)s") % {"s": record},
            body=_("%(s)s đã nộp phiếu tự chấm theo bảng “%(t)s”: %(p)s điểm.")
            % {"s": record, "t": current.table, "p": _points_text(total)},
            url=_url("scorecard_compare", record.pk),
            target=record,
        )

    payload = {"self_total": _points_text(total), "classification": current.class_code}
    return transition(scorecard, "submit", actor=actor, at=now, payload=payload, after=after)


def send_back(scorecard: Scorecard, reason: str, *, actor) -> Scorecard:
    """The board returns a submitted scorecard to the unit (submitted → draft) with a reason, which is required.
    The assessments go back to scoring (the unit's claims will change) and the combined results are dropped. Side
    effects: the door's transition and audit event (with the reason); a notification to the unit."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Hãy ghi lý do trả lại và nội dung đơn vị cần chấm lại."))

    def after(record: Scorecard, event) -> None:
        Assessment.objects.filter(scorecard=record).update(state=AssessmentState.DRAFT, submitted_at=None)
        CriterionResult.objects.filter(scorecard=record).delete()
        notify(
            unit_people(record),
            key=f"scorecard-sent-back:{record.pk}:{event.sequence}",
            title=_("Phiếu chấm điểm bị trả lại: %(s)s") % {"s": record},
            body=_("Lý do, nội dung cần chấm lại: %(r)s") % {"r": reason},
            url=_url("scorecard_detail", record.pk),
            target=record,
        )

    return transition(scorecard, "send_back", actor=actor, reason=reason, after=after)


def unit_people(scorecard: Scorecard) -> list[User]:
    """The clerks and heads of the scorecard's unit (who are told of its results)."""
    return list(User.objects.filter(is_active=True, role__in=UNIT_ROLES, membership__unit_id=scorecard.unit_id))


# --- Assessors ---------------------------------------------------------------------------------------------------


def conflict(assessor_unit: Unit | None, unit: Unit) -> str | None:
    """Why an assessor of ``assessor_unit`` may not score ``unit`` (their own unit, a unit above or below theirs in
    the tree), or None."""
    if assessor_unit is None:
        return None
    if assessor_unit.pk == unit.pk:
        return _("“%(u)s” là đơn vị của người chấm.") % {"u": unit}
    if unit.path.startswith(assessor_unit.path):
        return _("“%(u)s” là đơn vị cấp dưới của “%(a)s”, đơn vị của người chấm.") % {"u": unit, "a": assessor_unit}
    if assessor_unit.path.startswith(unit.path):
        return _("“%(u)s” là đơn vị cấp trên của “%(a)s”, đơn vị của người chấm.") % {"u": unit, "a": assessor_unit}
    return None


def assessor_conflict(user, unit: Unit) -> str | None:
    """:func:`conflict` for a user (their unit from the scoping function)."""
    return conflict(user_unit(user), unit)


@dataclass
class Candidate:
    user: User
    unit: Unit | None
    conflict: str | None
    assigned: bool


def candidates(scorecard: Scorecard) -> list[Candidate]:
    """Every active user who may assess (the campaign-wide roles), with the conflict of interest that bars them,
    if any, and whether they are already assigned. Two queries."""
    assigned = set(scorecard.assessments.values_list("assessor_id", flat=True))
    users = (
        User.objects.filter(is_active=True, role__in=ASSESSOR_ROLES)
        .select_related("membership__unit")
        .order_by("full_name", "username")
    )
    rows = []
    for user in users:
        membership = getattr(user, "membership", None)
        unit = membership.unit if membership else None
        rows.append(Candidate(user, unit, conflict(unit, scorecard.unit), user.pk in assigned))
    return rows


def assign_assessors(scorecard: Scorecard, users: Iterable, *, actor) -> list[Assessment]:
    """The board assigns assessors to a submitted scorecard. Each must hold a campaign-wide role (board officer,
    board head, coordinating department) and have no conflict of interest with the scorecard's unit; users already
    assigned are skipped. With them, the scorecard must have at least the table's ``min_assessors``.
    All-or-nothing. Side effects: one ``Assessment`` per new assessor; one audit event ``scoring.scorecard.assign``;
    a notification to each new assessor. Returns the new assessments."""
    _require(
        actor,
        "scoring.assign_scorecard",
        scorecard,
        _("Chỉ Ban Thi đua - Khen thưởng được phân công thành viên chấm."),
    )
    users = list(dict.fromkeys(users))
    with transaction.atomic():
        fresh = _locked(Scorecard, scorecard.pk)
        if fresh.state != ScorecardState.SUBMITTED:
            raise TransitionRefused(
                _("Phiếu chấm đang ở trạng thái “%(s)s”: chỉ phân công chấm khi phiếu đã nộp, chưa chốt.")
                % {"s": fresh.get_state_display()}
            )
        assigned = set(fresh.assessments.values_list("assessor_id", flat=True))
        problems = []
        new = []
        for user in users:
            if user.pk in assigned:
                continue
            if not user.is_active or getattr(user, "role", None) not in ASSESSOR_ROLES:
                problems.append(
                    _("%(who)s không thuộc Ban Thi đua - Khen thưởng hoặc cơ quan phối hợp chấm điểm.")
                    % {"who": _who(user)}
                )
                continue
            reason = assessor_conflict(user, fresh.unit)
            if reason:
                problems.append(
                    _("%(who)s không được chấm phiếu này (xung đột lợi ích): %(why)s")
                    % {"who": _who(user), "why": reason}
                )
                continue
            new.append(user)
        minimum = fresh.table.min_assessors
        if not problems and len(assigned) + len(new) < minimum:
            problems.append(
                _("Cần ít nhất %(n)s thành viên chấm; phiếu mới có %(k)s.")
                % {"n": minimum, "k": len(assigned) + len(new)}
            )
        if problems:
            raise TransitionRefused(_("Chưa phân công được:"), reasons=problems)
        if not new:
            return []
        created = Assessment.objects.bulk_create([Assessment(scorecard=fresh, assessor=u) for u in new])
        event = audit.record(
            actor=actor,
            action="scoring.scorecard.assign",
            obj=fresh,
            payload={"assessors": [u.get_username() for u in new]},
        )
        created = list(Assessment.objects.filter(scorecard=fresh, assessor__in=new))
        for assessment in created:
            notify(
                [assessment.assessor],
                key=f"assessment-assigned:{assessment.pk}:{event.sequence}",
                title=_("Được phân công chấm điểm: %(s)s") % {"s": fresh},
                body=_("Bảng điểm “%(t)s”.") % {"t": fresh.table},
                url=_url("assessment_detail", assessment.pk),
                target=fresh,
            )
    return created


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Assessments -----------------------------------------------------------------------------------------------


def save_assessment(assessment: Assessment, rows: Iterable[dict], *, actor) -> Assessment:
    """The assessor saves their scores (only their own assessment, while it is open and the scorecard is
    submitted). ``rows``: dicts with ``criterion`` (a Criterion or pk; or ``code``), ``value`` (as the formula asks,
    see :func:`parse_value`) and ``note``. The points follow the formulas, with the unit's evidence: a criterion that
    requires evidence the unit did not give scores 0. All-or-nothing (:class:`ScoringRefused`). Side effects: the
    ``AssessmentEntry`` rows; one audit event ``scoring.assessment.save`` when anything changed."""
    _require(
        actor,
        "scoring.change_assessment",
        assessment,
        _("Chỉ thành viên được phân công mới chấm được lượt chấm này."),
    )
    scorecard = assessment.scorecard
    loaded = load_table(scorecard.table)
    leaves = {c.pk: c for c in loaded.spec.leaves}
    by_code = {c.code: c for c in loaded.spec.leaves}
    errors: dict[str, list[str]] = defaultdict(list)
    planned: dict[int, tuple[CriterionSpec, Decimal | None, str | None, bool]] = {}
    for row in rows:
        spec = _criterion_of(row, leaves, by_code)
        if spec is None:
            errors[""].append(
                _("Tiêu chí “%(c)s” không thuộc bảng điểm này.") % {"c": row.get("criterion") or row.get("code")}
            )
            continue
        messages: list[str] = []
        value = parse_value(spec, row.get("value"), loaded.ceiling(spec), messages) if "value" in row else None
        errors[spec.code].extend(messages)
        note = row.get("note")
        planned[spec.pk] = (spec, value, str(note).strip() if note is not None else None, "value" in row)
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ScoringRefused(_("Chưa lưu được điểm chấm:"), errors=errors)
    with transaction.atomic():
        fresh = _locked(Assessment, assessment.pk)
        _check_open(fresh)
        evidence = {e.criterion_id: e.has_evidence for e in ScoreEntry.objects.filter(scorecard_id=fresh.scorecard_id)}
        existing = {e.criterion_id: e for e in fresh.entries.all()}
        changes = {}
        for pk, (spec, value, note, set_value) in planned.items():
            if spec.automatic:
                continue
            entry = existing.get(pk) or AssessmentEntry(assessment=fresh, criterion_id=pk)
            before = (entry.value, entry.note, entry.pk)
            if set_value:
                entry.value = value
            if note is not None:
                entry.note = note
            entry.points = formulas.criterion_points(spec, entry.value, has_evidence=evidence.get(pk, False))
            if before != (entry.value, entry.note, entry.pk) or entry.pk is None:
                entry.save()
                changes[spec.code] = {
                    "value": _points_text(entry.value) if entry.value is not None else None,
                    "points": _points_text(entry.points),
                }
        if changes:
            audit.record(actor=actor, action="scoring.assessment.save", obj=fresh, payload={"changes": changes})
    return fresh


def _check_open(assessment: Assessment) -> None:
    if assessment.state != AssessmentState.DRAFT:
        raise TransitionRefused(_("Lượt chấm này đã chấm xong: không sửa được nữa."))
    state = Scorecard.objects.filter(pk=assessment.scorecard_id).values_list("state", flat=True).first()
    if state != ScorecardState.SUBMITTED:
        raise TransitionRefused(
            _("Phiếu chấm đang ở trạng thái “%(s)s”: không chấm được.") % {"s": ScorecardState(state).label}
        )


def submit_assessment(assessment: Assessment, *, actor) -> Assessment:
    """The assessor declares their scoring done: every normal criterion that is entered (not automatic) must have a
    value. Side effects: the assessment's state and time; one audit event ``scoring.assessment.submit``; the
    scorecard's combined results are recomputed (:func:`aggregate`)."""
    _require(
        actor,
        "scoring.submit_assessment",
        assessment,
        _("Chỉ thành viên được phân công mới chấm được lượt chấm này."),
    )
    with transaction.atomic():
        fresh = _locked(Assessment, assessment.pk)
        _check_open(fresh)
        loaded = load_table(fresh.scorecard.table)
        values = {e.criterion_id: e.value for e in fresh.entries.all()}
        missing = _missing_values(loaded, values)
        if missing:
            raise TransitionRefused(
                _("Chưa chấm xong: còn tiêu chí chưa cho điểm: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        fresh.state = AssessmentState.SUBMITTED
        fresh.submitted_at = timezone.now()
        fresh.save(update_fields=["state", "submitted_at"])
        audit.record(
            actor=actor,
            action="scoring.assessment.submit",
            obj=fresh,
            from_state=AssessmentState.DRAFT,
            to_state=AssessmentState.SUBMITTED,
            payload={"field": "state", "scorecard": fresh.scorecard_id},
        )
        aggregate(fresh.scorecard, loaded=loaded)
    assessment.state, assessment.submitted_at = fresh.state, fresh.submitted_at
    return fresh


# --- The board's result ----------------------------------------------------------------------------------------


def combine(aggregation: str, values: list[Decimal], tolerance: Decimal) -> tuple[Decimal | None, Decimal, bool]:
    """The assessors' points on one criterion → (board points, spread, flagged). Mean or median; consensus: the
    mean when the spread (max − min) is within the tolerance, else flagged with no points. No values: (None, 0,
    False)."""
    if not values:
        return None, ZERO, False
    spread = q(max(values) - min(values))
    if aggregation == Aggregation.MEDIAN:
        return q(statistics.median(values)), spread, False
    mean = q(sum(values, ZERO) / len(values))
    if aggregation == Aggregation.CONSENSUS and spread > tolerance:
        return None, spread, True
    return mean, spread, False


def aggregate(scorecard: Scorecard, *, loaded: LoadedTable | None = None) -> list[CriterionResult]:
    """Combine the submitted assessments into one ``CriterionResult`` per leaf criterion, as the table says
    (:func:`combine`); automatic criteria take their computed points. A board settlement is kept. Side effects: the
    results are written (inserted or updated). Returns them in the table's order."""
    loaded = loaded or load_table(scorecard.table)
    table = loaded.table
    current = sheet(scorecard, loaded=loaded)
    given: dict[int, list[Decimal]] = defaultdict(list)
    submitted = list(scorecard.assessments.filter(state=AssessmentState.SUBMITTED).prefetch_related("entries"))
    for assessment in submitted:
        points = {e.criterion_id: e.points for e in assessment.entries.all()}
        for leaf in loaded.spec.leaves:
            if not leaf.automatic:
                given[leaf.pk].append(q(points.get(leaf.pk, ZERO)))
    existing = {r.criterion_id: r for r in scorecard.results.all()}
    results, new = [], []
    for leaf in loaded.spec.leaves:
        result = existing.pop(leaf.pk, None)
        if result is None:
            result = CriterionResult(scorecard=scorecard, criterion_id=leaf.pk)
            new.append(result)
        result.self_points = current.points[leaf.pk]
        if leaf.automatic:
            result.board_points, result.spread, result.flagged = current.points[leaf.pk], ZERO, False
        else:
            result.board_points, result.spread, result.flagged = combine(
                table.aggregation, given[leaf.pk], q(table.tolerance)
            )
        results.append(result)
    if existing:
        CriterionResult.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    new_ids = {id(r) for r in new}
    CriterionResult.objects.bulk_create(new)
    CriterionResult.objects.bulk_update(
        [r for r in results if id(r) not in new_ids], ["self_points", "board_points", "spread", "flagged"]
    )
    return results


def settle(result: CriterionResult, points, reason: str, *, actor) -> CriterionResult:
    """The board settles a flagged criterion (the assessors did not agree): ``points`` from 0 to the criterion's
    maximum, with a reason (required), while the scorecard is submitted. Side effects: the result's settled points,
    reason and author; one audit event ``scoring.scorecard.settle`` on the scorecard."""
    scorecard = result.scorecard
    _require(
        actor,
        "scoring.settle_scorecard",
        scorecard,
        _("Chỉ Ban Thi đua - Khen thưởng được quyết định điểm tiêu chí."),
    )
    loaded = load_table(scorecard.table)
    spec = next((c for c in loaded.spec.leaves if c.pk == result.criterion_id), None)
    reason = (reason or "").strip()
    problems: list[str] = []
    if spec is None:
        raise TransitionRefused(_("Tiêu chí này không thuộc bảng điểm của phiếu."))
    if not reason:
        problems.append(_("Hãy ghi lý do Ban quyết định điểm tiêu chí %(c)s.") % {"c": spec.code})
    if points is None or (isinstance(points, str) and not points.strip()):
        problems.append(_("Tiêu chí %(c)s: hãy nhập điểm Ban quyết định.") % {"c": spec.code})
        value = None
    else:
        manual = dataclasses.replace(spec, formula=Formula.MANUAL)
        value = parse_value(manual, points, loaded.ceiling(spec), problems)
    if problems:
        raise TransitionRefused(_("Chưa ghi được điểm Ban quyết định:"), reasons=problems)
    with transaction.atomic():
        fresh_card = _locked(Scorecard, scorecard.pk)
        if fresh_card.state != ScorecardState.SUBMITTED:
            raise TransitionRefused(
                _("Phiếu chấm đang ở trạng thái “%(s)s”: chỉ quyết định điểm khi phiếu đang chấm.")
                % {"s": fresh_card.get_state_display()}
            )
        fresh = CriterionResult.objects.get(pk=result.pk)
        if not fresh.flagged:
            raise TransitionRefused(
                _("Tiêu chí %(c)s không cần Ban quyết định: điểm các thành viên chấm không chênh lệch quá mức.")
                % {"c": spec.code}
            )
        previous = fresh.settled_points
        fresh.settled_points = value
        fresh.settled_reason = reason
        fresh.settled_by = None if _is_system(actor) else actor
        fresh.save(update_fields=["settled_points", "settled_reason", "settled_by"])
        audit.record(
            actor=actor,
            action="scoring.scorecard.settle",
            obj=fresh_card,
            payload={
                "criterion": spec.code,
                "points": _points_text(value),
                "previous": _points_text(previous) if previous is not None else None,
                "spread": _points_text(fresh.spread),
                "reason": reason,
            },
        )
    result.settled_points, result.settled_reason, result.settled_by_id = value, reason, fresh.settled_by_id
    return fresh


@dataclass
class Comparison:
    """The board's page: the self sheet, each assessment's points per criterion, the combined results, and the
    provisional total when every leaf has the board's points."""

    sheet: Sheet
    assessments: list[Assessment]
    given: dict[int, dict[int, Decimal | None]]  # assessment pk → criterion pk → points (None: not scored)
    results: dict[int, CriterionResult]
    board_points: dict[int, Decimal | None]  # leaf criterion pk → the board's points (live for automatic ones)
    totals: Totals | None
    class_code: str

    @property
    def class_label(self) -> str:
        return self.sheet.loaded.class_labels.get(self.class_code, "")

    @property
    def submitted(self) -> int:
        return sum(a.state == AssessmentState.SUBMITTED for a in self.assessments)

    @property
    def unsettled(self) -> list[str]:
        return [
            r.spec.code
            for r in self.sheet.leaves
            if (res := self.results.get(r.spec.pk)) is not None and res.flagged and res.settled_points is None
        ]

    def lines(self) -> list[dict]:
        out = []
        for row in self.sheet.rows:
            pk = row.spec.pk
            out.append(
                {
                    "row": row,
                    "given": [self.given[a.pk].get(pk) for a in self.assessments],
                    "result": self.results.get(pk),
                    "board": self.board_points.get(pk) if not row.is_group else None,
                    "group_board": self.totals.by_code.get(row.code) if self.totals and row.is_group else None,
                }
            )
        return out


def comparison(scorecard: Scorecard) -> Comparison:
    """Self scores, each assessor's points and the combined results of one scorecard. No side effects; a fixed
    number of queries."""
    current = sheet(scorecard)
    assessments = list(scorecard.assessments.select_related("assessor").prefetch_related("entries"))
    given = {
        a.pk: {e.criterion_id: (e.points if e.value is not None else None) for e in a.entries.all()}
        for a in assessments
    }
    results = {r.criterion_id: r for r in scorecard.results.all()}
    board: dict[int, Decimal | None] = {}
    for leaf in current.loaded.spec.leaves:
        if leaf.automatic:
            board[leaf.pk] = current.points[leaf.pk] if not current.frozen else _result_points(results, leaf.pk)
        else:
            board[leaf.pk] = _result_points(results, leaf.pk)
    totals = None
    class_code = ""
    if all(v is not None for v in board.values()):
        totals = formulas.totals(current.loaded.spec, board)
        class_code = formulas.classify(current.loaded.spec, totals)
    return Comparison(current, assessments, given, results, board, totals, class_code)


def _result_points(results: dict[int, CriterionResult], pk: int) -> Decimal | None:
    result = results.get(pk)
    return result.points if result is not None else None


# --- Severity of the assessors ----------------------------------------------------------------------------------


@dataclass
class Deviation:
    count: int = 0
    signed_sum: Decimal = ZERO
    absolute_sum: Decimal = ZERO

    def add(self, difference: Decimal) -> None:
        self.count += 1
        self.signed_sum += difference
        self.absolute_sum += abs(difference)

    @property
    def signed(self) -> Decimal | None:
        return q(self.signed_sum / self.count) if self.count else None

    @property
    def absolute(self) -> Decimal | None:
        return q(self.absolute_sum / self.count) if self.count else None


@dataclass
class AssessorSeverity:
    """One assessor's mean deviation from the board's points: signed (positive = more generous than the board)
    and absolute, per criterion code and overall."""

    assessor: User
    scorecards: int = 0
    overall: Deviation = field(default_factory=Deviation)
    by_criterion: dict[str, Deviation] = field(default_factory=dict)


def severity_report(table: ScoringTable) -> list[AssessorSeverity]:
    """For every assessor with a submitted assessment on ``table``: their points minus the board's points (settled,
    else combined) on each entered criterion that has board points, averaged per criterion and overall (a criterion
    the assessor left empty counts 0, as in :func:`aggregate`). Ordered by assessor name. Four queries."""
    loaded = load_table(table)
    entered = [c for c in loaded.spec.leaves if not c.automatic]
    assessments = list(
        Assessment.objects.filter(scorecard__table=table, state=AssessmentState.SUBMITTED)
        .select_related("assessor")
        .prefetch_related("entries")
        .order_by("assessor__full_name", "assessor__username", "pk")
    )
    results: dict[tuple[int, int], Decimal | None] = {
        (r.scorecard_id, r.criterion_id): r.points
        for r in CriterionResult.objects.filter(scorecard__table=table).only(
            "scorecard_id", "criterion_id", "board_points", "settled_points"
        )
    }
    report: dict[int, AssessorSeverity] = {}
    for assessment in assessments:
        row = report.setdefault(assessment.assessor_id, AssessorSeverity(assessment.assessor))
        row.scorecards += 1
        points = {e.criterion_id: e.points for e in assessment.entries.all()}
        for spec in entered:
            board = results.get((assessment.scorecard_id, spec.pk))
            if board is None:
                continue
            difference = q(points.get(spec.pk, ZERO)) - q(board)
            row.overall.add(difference)
            row.by_criterion.setdefault(spec.code, Deviation()).add(difference)
    for row in report.values():
        row.by_criterion = {c.code: row.by_criterion[c.code] for c in entered if c.code in row.by_criterion}
    return list(report.values())


# --- Finalisation, publication, reopening -----------------------------------------------------------------------


def finalize(scorecard: Scorecard, *, actor) -> Scorecard:
    """The board finalizes a submitted scorecard through the door: at least the table's ``min_assessors`` submitted
    assessments and no flagged criterion left unsettled. The results are recombined, the automatic criteria frozen
    (their entries keep the achieved percentage and the points), the total taken from the board's points
    (``formulas.totals``) and the class from ``formulas.classify``. Side effects: the door's transition and audit
    event (payload: the totals, the class, the frozen indicator data); the results; the frozen entries; the
    scorecard's ``self_total``."""
    _require(actor, "scoring.finalize_scorecard", scorecard, _("Chỉ Ban Thi đua - Khen thưởng được chốt điểm."))
    with transaction.atomic():
        fresh = Scorecard.objects.select_related("table", "unit").get(pk=scorecard.pk)
        if fresh.state != ScorecardState.SUBMITTED:
            raise TransitionRefused(
                _("Không thể chốt điểm khi phiếu đang ở trạng thái “%(s)s”.") % {"s": fresh.get_state_display()}
            )
        loaded = load_table(fresh.table)
        submitted = fresh.assessments.filter(state=AssessmentState.SUBMITTED).count()
        problems = []
        if submitted < fresh.table.min_assessors:
            problems.append(
                _("Mới có %(k)s/%(n)s thành viên chấm xong.") % {"k": submitted, "n": fresh.table.min_assessors}
            )
        results = aggregate(fresh, loaded=loaded)
        codes = {c.pk: c.code for c in loaded.spec.leaves}
        unsettled = [codes[r.criterion_id] for r in results if r.flagged and r.settled_points is None]
        if unsettled:
            problems.append(
                _("Tiêu chí cần Ban quyết định điểm: %(codes)s (điểm các thành viên chênh lệch quá mức cho phép).")
                % {"codes": ", ".join(unsettled)}
            )
        empty = [codes[r.criterion_id] for r in results if r.points is None and codes[r.criterion_id] not in unsettled]
        if empty:
            problems.append(_("Tiêu chí chưa có điểm của Ban: %(codes)s.") % {"codes": ", ".join(empty)})
        if problems:
            raise TransitionRefused(_("Chưa chốt được điểm:"), reasons=problems)
        current = sheet(fresh, loaded=loaded)
        board = {r.criterion_id: r.points for r in results}
        result = formulas.totals(loaded.spec, board)
        class_code = formulas.classify(loaded.spec, result)
        frozen = {}
        for leaf in loaded.spec.leaves:
            if leaf.automatic:
                source = current.row(leaf.pk).source
                frozen[leaf.code] = {
                    "points": _points_text(current.points[leaf.pk]),
                    "period": source.period_label if source else None,
                    "numerator": source.numerator if source else None,
                    "denominator": source.denominator if source else None,
                    "achieved_percent": _points_text(source.achieved_percent) if source else None,
                }

        def freeze(record: Scorecard, event) -> None:
            existing = {e.criterion_id: e for e in record.entries.all()}
            for leaf in loaded.spec.leaves:
                if not leaf.automatic:
                    continue
                source = current.row(leaf.pk).source
                entry = existing.get(leaf.pk) or ScoreEntry(scorecard=record, criterion_id=leaf.pk)
                percent = source.achieved_percent if source else None
                entry.value = min(percent, MAX_VALUE) if percent is not None else None
                entry.points = current.points[leaf.pk]
                entry.save()
            Scorecard.objects.filter(pk=record.pk).update(self_total=current.totals.total)
            record.self_total = current.totals.total

        payload = {
            "total": _points_text(result.total),
            "normal": _points_text(result.normal),
            "bonus": _points_text(result.bonus),
            "penalty": _points_text(result.penalty),
            "classification": class_code,
            "self_total": _points_text(current.totals.total),
            "assessments": submitted,
            "automatic": frozen,
        }
        return transition(
            scorecard,
            "finalize",
            actor=actor,
            at=timezone.now(),
            total=result.total,
            classification=class_code,
            payload=payload,
            after=freeze,
        )


def publish(scorecard: Scorecard, *, actor) -> Scorecard:
    """The board (head or officer) publishes a finalized scorecard through the door. Side effects: the door's
    transition and audit event; a notification of the total and class to the unit's clerks and head."""

    def tell_unit(record: Scorecard, event) -> None:
        labels = dict(record.table.classes.values_list("code", "label"))
        notify(
            unit_people(record),
            key=f"scorecard-published:{record.pk}:{event.sequence}",
            title=_("Đã công bố kết quả chấm điểm: %(s)s") % {"s": record},
            body=_("Tổng điểm %(p)s, xếp loại “%(c)s” (bảng “%(t)s”).")
            % {
                "p": _points_text(record.final_total),
                "c": labels.get(record.classification, record.classification),
                "t": record.table,
            },
            url=_url("scorecard_detail", record.pk),
            target=record,
        )

    return transition(scorecard, "publish", actor=actor, at=timezone.now(), after=tell_unit)


def reopen(scorecard: Scorecard, reason: str, *, actor) -> Scorecard:
    """The board reopens a finalized or published scorecard for rescoring (→ submitted) with a reason, which is
    required: the total and class are cleared and automatic criteria are computed live again. Side effects: the
    door's transition and audit event (with the reason); a notification to the unit."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Hãy ghi lý do mở lại phiếu chấm để chấm lại."))

    def tell_unit(record: Scorecard, event) -> None:
        notify(
            unit_people(record),
            key=f"scorecard-reopened:{record.pk}:{event.sequence}",
            title=_("Phiếu chấm điểm được mở lại để chấm lại: %(s)s") % {"s": record},
            body=_("Lý do: %(r)s") % {"r": reason},
            url=_url("scorecard_detail", record.pk),
            target=record,
        )

    return transition(scorecard, "reopen", actor=actor, reason=reason, after=tell_unit)


# --- Lists and the inbox ------------------------------------------------------------------------------------------


@dataclass
class ListRow:
    scorecard: Scorecard
    self_total: Decimal
    class_label: str  # the final class once finalized, else the provisional class of the self scores
    assigned: int
    submitted: int


def scorecard_rows(queryset) -> list[ListRow]:
    """The rows of a list of scorecards (``queryset`` already scoped and filtered): each with its self total (live
    until finalized), its class and its assessments. A number of queries that does not depend on the number of
    scorecards."""
    scorecards = list(
        queryset.select_related("table", "unit").annotate(
            n_assigned=Count("assessments", distinct=True),
            n_submitted=Count("assessments", filter=Q(assessments__state=AssessmentState.SUBMITTED), distinct=True),
        )
    )
    read = sheets(scorecards)
    rows = []
    for s in scorecards:
        current = read[s.pk]
        labels = current.loaded.class_labels
        label = labels.get(s.classification, s.classification) if current.frozen else current.class_label
        rows.append(ListRow(s, current.totals.total, label, s.n_assigned, s.n_submitted))
    return rows


def assessment_queue(user):
    """The assessor's assessments, open ones first, then the most recently assigned."""
    visible = scope(user, Scorecard.objects.all()).values("pk")
    return (
        Assessment.objects.filter(assessor=user, scorecard__in=visible)
        .select_related("scorecard__unit", "scorecard__table__campaign")
        .order_by("state", "-assigned_at", "-pk")
    )


def inbox_items(user) -> list:
    """Scorecards waiting for ``user`` (registered with ``workflows.inbox``): for a unit's clerk or head, its draft
    scorecards and the collective tables of running campaigns it has not started; for an assessor, their open
    assessments; for the board, submitted scorecards that lack assessors or are ready to finalize. A fixed number of
    queries."""
    from workflows.inbox import InboxItem

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    role = getattr(user, "role", None)
    items = []
    if role in UNIT_ROLES:
        unit = user_unit(user)
        if unit is None:
            return []
        drafts = Scorecard.objects.filter(unit=unit, state=ScorecardState.DRAFT).select_related("table__campaign")
        for s in drafts:
            step = _("Chấm lại phiếu bị trả lại") if s.reopen_reason else _("Tự chấm điểm và nộp phiếu")
            items.append(
                InboxItem(str(s), step, _url("scorecard_detail", s.pk), s.created_at, detail=str(s.table.campaign))
            )
        tables = (
            ScoringTable.objects.filter(
                subject=Subject.COLLECTIVE,
                campaign__state__in=SCORING_CAMPAIGN_STATES,
                campaign__enrolments__unit=unit,
                criteria__isnull=False,
            )
            .exclude(pk__in=Scorecard.objects.filter(unit=unit, person_name="").values("table_id"))
            .select_related("campaign")
            .distinct()
        )
        for table in tables:
            items.append(
                InboxItem(
                    str(table),
                    _("Bắt đầu tự chấm điểm"),
                    _url("scorecard_list", table.campaign_id),
                    table.created_at,
                    detail=str(table.campaign),
                )
            )
        return items
    for a in assessment_queue(user).filter(state=AssessmentState.DRAFT, scorecard__state=ScorecardState.SUBMITTED):
        items.append(
            InboxItem(
                str(a.scorecard),
                _("Chấm điểm phiếu được phân công"),
                _url("assessment_detail", a.pk),
                a.assigned_at,
                detail=str(a.scorecard.table),
            )
        )
    if role in (Role.BOARD_OFFICER, Role.BOARD_HEAD):
        waiting = (
            Scorecard.objects.filter(state=ScorecardState.SUBMITTED)
            .select_related("table", "unit")
            .annotate(
                n_assigned=Count("assessments", distinct=True),
                n_submitted=Count(
                    "assessments", filter=Q(assessments__state=AssessmentState.SUBMITTED), distinct=True
                ),
            )
        )
        for s in waiting:
            if s.n_assigned < s.table.min_assessors:
                step = _("Phân công thành viên chấm")
            elif s.n_submitted >= s.table.min_assessors and s.n_submitted == s.n_assigned:
                step = _("Chốt điểm")
            else:
                continue
            items.append(InboxItem(str(s), step, _url("scorecard_compare", s.pk), s.submitted_at, detail=str(s.table)))
    return items
