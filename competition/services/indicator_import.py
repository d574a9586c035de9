"""Importing indicator values for many units at once (issue 4, item 4), from the template the product provides.

One row of the file is one unit's value on one indicator for one reporting period: unit code, period, indicator
code, numerator, denominator, evidence (the unit and indicator names are there for the reader and are ignored).

Rules kept here, on top of those of a unit's own submission (``services/progress.py``):

- the campaign is running (launched or summarising); every unit is enrolled; every indicator belongs to the campaign
  and applies to the unit's kind; every period is one of the campaign's;
- the board imports for every enrolled unit; the clerk or head of a unit for that unit only;
- a row whose numerator and denominator are both empty is skipped (a template row not filled in); one without the
  other is an error;
- a unit, period and indicator appear once in the file;
- an "of which" indicator's denominator equals its parent's numerator (same unit and period), from the file or else
  from the value already stored; a file that changes a parent's numerator so that a stored child no longer matches
  is refused too;
- all or nothing: the whole file is read and checked outside any write transaction, and every problem is reported
  with its row (header = row 1), column, value and reason; only then are the new and changed values written, in one
  short bulk statement (``bulk_create(update_conflicts=True)``), with one audit event holding the file's SHA-256;
- re-importing the same file changes nothing and writes nothing, not even an audit event.

Files of more than ``THIDUA_IMPORT_BACKGROUND_ROWS`` data rows (default 5,000) are checked and written by a
django-q2 task (``competition/tasks.py``) that records its progress on the :class:`IndicatorImport` row; smaller
files are checked while the person waits. Either way the person confirms after reading the check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import BOARD_ROLES, UNIT_ROLES
from workflows import audit
from workflows.exports import unescape_formula

from ..enums import ImportState
from ..models import Campaign, Enrolment, IndicatorImport, ProgressReport, Unit
from ..scoping import user_unit
from .progress import MAX_VALUE, REPORTING_STATES, applies_to_kind, applies_to_unit
from .tables import Column, ImportCounts, RowError, Source, cell_text, column_letter, open_columns, open_table

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", gettext_lazy("Mã đơn vị"), ("ma", "ma dv", "unit code"), required=True),
    Column("unit_name", gettext_lazy("Tên đơn vị"), ("don vi", "ten")),
    Column("period", gettext_lazy("Kỳ báo cáo"), ("ky", "period"), required=True),
    Column("indicator_code", gettext_lazy("Mã chỉ tiêu"), ("chi tieu", "ma ct"), required=True),
    Column("indicator_name", gettext_lazy("Tên chỉ tiêu"), ("noi dung chi tieu",)),
    Column("numerator", gettext_lazy("Tử số"), ("so dat duoc", "dat duoc"), required=True),
    Column("denominator", gettext_lazy("Mẫu số"), ("tong so",), required=True),
    Column("evidence", gettext_lazy("Minh chứng"), ("ghi chu", "minh chung ghi chu", "evidence")),
)
EVIDENCE_MAX = 2000
WRITE_BATCH = 2000
PROGRESS_EVERY = 5000
UPDATE_FIELDS = ["numerator", "denominator", "evidence", "reported_by", "reported_at"]

ProgressCallback = Callable[[int, int], None]  # (rows done, rows total)


def background_threshold() -> int:
    return int(getattr(settings, "THIDUA_IMPORT_BACKGROUND_ROWS", 5000))


@dataclass
class IndicatorImportResult(ImportCounts):
    rows: int = 0  # data rows read (blank ones excluded)
    skipped: int = 0  # template rows left empty
    periods: list[str] = field(default_factory=list)
    units: int = 0


def allowed_units(actor, campaign: Campaign) -> set[int] | None:
    """None: every enrolled unit (the board, the system); else the ids of the units ``actor`` may import for."""
    if actor is None or getattr(actor, "is_system", False):
        return None
    role = getattr(actor, "role", None)
    if role in BOARD_ROLES:
        return None
    if role in UNIT_ROLES:
        unit = user_unit(actor)
        if unit is not None:
            return {unit.pk}
    raise PermissionDenied(_("Bạn không có quyền nhập số liệu chỉ tiêu của phong trào này."))


THOUSANDS_RE = re.compile(r"\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*")


def _count(raw: object, text: str) -> int | None:
    """A non-negative integer: a number cell without decimals, or text as people type it ("1234", "1.234",
    "1 234", "1,234"); None when it is not one (12.5 is not, nor is "12,5")."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and raw >= 0 else None
    if text.isdigit() and text.isascii():
        return int(text)
    if THOUSANDS_RE.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    return None


def import_indicators(
    campaign: Campaign,
    source: Source,
    *,
    actor,
    dry_run: bool = False,
    filename: str | None = None,
    progress: ProgressCallback | None = None,
    before_write: Callable[[IndicatorImportResult], None] | None = None,
) -> IndicatorImportResult:
    """Check (``dry_run``) or import a file of indicator values for ``campaign``.

    Returns the counts of values that are new, changed and unchanged, and every bad row; writes nothing when any
    row is bad or when nothing changed. Raises ``PermissionDenied`` when ``actor`` may not import for the campaign.
    Side effects (when not a dry run and something changed): inserts or updates ``ProgressReport`` rows and appends
    one audit event on the campaign, in one transaction. ``before_write(result)`` is called first inside that
    transaction (a background job records its outcome there, so the values and the job's state commit together or
    not at all); an exception it raises writes nothing.
    """
    allowed = allowed_units(actor, campaign)
    read = open_columns(source, filename, INDICATOR_COLUMNS)
    table = read.table
    result = IndicatorImportResult(dry_run=dry_run, errors=list(read.errors))
    if read.layout is None:
        return result
    if campaign.state not in REPORTING_STATES:
        result.errors.append(
            RowError(None, "", "", _("Phong trào “%(c)s” không ở giai đoạn báo cáo tiến độ.") % {"c": campaign})
        )
        return result
    dataset, layout = table.dataset, read.layout

    # Everything a row is checked against, read once: a fixed number of queries whatever the size of the file.
    enrolled = {
        code: (pk, kind)
        for code, pk, kind in Enrolment.objects.filter(campaign=campaign).values_list(
            "unit__code", "unit_id", "unit__kind"
        )
    }
    periods = {p.label: p for p in campaign.periods.all()}
    indicators = {i.code: i for i in campaign.indicators.all()}
    kind_of = dict(enrolled.values())
    labels = {key: layout.labels[key] for key in layout.index}
    idx = layout.index
    i_unit, i_period, i_ind, i_num, i_den = (
        idx["unit_code"],
        idx["period"],
        idx["indicator_code"],
        idx["numerator"],
        idx["denominator"],
    )
    i_ev = idx.get("evidence")

    read_columns = sorted(
        {i for key, i in idx.items() if key not in ("unit_name", "indicator_name")} | set(layout.extra)
    )
    errors = result.errors
    unknown_units: dict[str, list[int]] = {}
    wanted: dict[tuple[int, int, int], tuple[int, int, str]] = {}
    first_row: dict[tuple[int, int, int], int] = {}
    seen_periods: set[int] = set()
    seen_units: set[int] = set()
    total = len(dataset)

    def error(row: int, key: str, value: str, message: str) -> None:
        errors.append(RowError(row, labels.get(key, ""), value, message))

    for offset, values in enumerate(dataset):
        number = offset + 2
        if progress is not None and offset and offset % PROGRESS_EVERY == 0:
            progress(offset, total)
        # Only the columns the import reads (the names are there for the reader): the cost of 100,000 rows.
        texts = {i: cell_text(values[i]) for i in read_columns}
        if not any(texts.values()):
            continue
        result.rows += 1
        for i in layout.extra:
            if texts[i]:
                errors.append(
                    RowError(
                        number, column_letter(i), texts[i], _("Ô có dữ liệu nhưng cột không có tiêu đề ở dòng 1.")
                    )
                )
        unit_code, label, code = texts[i_unit], texts[i_period], texts[i_ind]
        num_text, den_text = texts[i_num], texts[i_den]
        evidence = unescape_formula(texts[i_ev]) if i_ev is not None else ""
        if not num_text and not den_text:
            result.skipped += 1
            continue
        row_ok = True
        unit = enrolled.get(unit_code)
        if not unit_code:
            error(number, "unit_code", "", _("Chưa nhập mã đơn vị."))
            row_ok = False
        elif unit is None:
            unknown_units.setdefault(unit_code, []).append(number)
            row_ok = False
        elif allowed is not None and unit[0] not in allowed:
            error(number, "unit_code", unit_code, _("Bạn chỉ được nhập số liệu của đơn vị mình."))
            row_ok = False
        period = periods.get(label)
        if period is None:
            if label:
                message = _("Kỳ báo cáo không có trong phong trào. Các kỳ đang có: %(p)s.") % {
                    "p": "; ".join(periods) or _("(chưa mở kỳ nào)")
                }
            else:
                message = _("Chưa nhập kỳ báo cáo.")
            error(number, "period", label, message)
            row_ok = False
        indicator = indicators.get(code)
        if indicator is None:
            message = (
                _("Mã chỉ tiêu không có trong phong trào. Các mã đang có: %(c)s.") % {"c": ", ".join(indicators)}
                if code
                else _("Chưa nhập mã chỉ tiêu.")
            )
            error(number, "indicator_code", code, message)
            row_ok = False
        elif unit is not None and not applies_to_kind(indicator, unit[1]):
            error(
                number,
                "indicator_code",
                code,
                _("Chỉ tiêu này không áp dụng cho loại đơn vị của %(u)s.") % {"u": unit_code},
            )
            row_ok = False
        numerator = _count(values[i_num], num_text) if num_text else None
        denominator = _count(values[i_den], den_text) if den_text else None
        for key, text, value in (("numerator", num_text, numerator), ("denominator", den_text, denominator)):
            if not text:
                error(number, key, "", _("Chưa nhập giá trị (nhập cả tử số và mẫu số, hoặc để trống cả hai)."))
                row_ok = False
            elif value is None:
                error(number, key, text, _("Phải là số nguyên không âm, ví dụ 1250."))
                row_ok = False
            elif value > MAX_VALUE:
                error(number, key, text, _("Số quá lớn."))
                row_ok = False
        if numerator is not None and denominator is not None and numerator > denominator:
            error(
                number,
                "numerator",
                num_text,
                _("Tử số (%(n)s) không được lớn hơn mẫu số (%(d)s).") % {"n": numerator, "d": denominator},
            )
            row_ok = False
        if len(evidence) > EVIDENCE_MAX:
            error(number, "evidence", evidence[:40] + "…", _("Minh chứng dài quá 2.000 ký tự."))
            row_ok = False
        if not row_ok:
            continue
        key = (period.pk, unit[0], indicator.pk)
        if key in wanted:
            error(
                number,
                "indicator_code",
                code,
                _("Đơn vị %(u)s, kỳ “%(p)s”, chỉ tiêu %(c)s đã có ở dòng %(r)s.")
                % {"u": unit_code, "p": label, "c": code, "r": first_row[key]},
            )
            continue
        wanted[key] = (numerator, denominator, evidence)
        first_row[key] = number
        seen_periods.add(period.pk)
        seen_units.add(unit[0])

    if unknown_units:
        known = set(Unit.objects.filter(code__in=list(unknown_units)).values_list("code", flat=True))
        for unit_code, rows in unknown_units.items():
            message = (
                _("Đơn vị này không tham gia phong trào.")
                if unit_code in known
                else _("Không có đơn vị nào mang mã này.")
            )
            for number in rows:
                errors.append(RowError(number, labels["unit_code"], unit_code, message))
        errors.sort(key=lambda e: e.row or 0)

    # What is stored for the periods of the file: to compare (idempotence) and to check "of which" indicators.
    stored: dict[tuple[int, int, int], tuple[int, int, str]] = {}
    if seen_periods:
        for period_id, unit_id, indicator_id, n, d, ev in (
            ProgressReport.objects.filter(period_id__in=seen_periods)
            .order_by()
            .values_list("period_id", "unit_id", "indicator_id", "numerator", "denominator", "evidence")
            .iterator(chunk_size=10000)
        ):
            stored[(period_id, unit_id, indicator_id)] = (n, d, ev)

    children = [i for i in indicators.values() if i.parent_id]
    if children:
        by_pk = {i.pk: i for i in indicators.values()}
        row_of = {key: first_row[key] for key in wanted}
        checked: set[tuple[int, int, int]] = set()
        for (period_id, unit_id, ind_id), _value in list(wanted.items()):
            for child in children:
                if child.pk == ind_id:
                    pairs = [((period_id, unit_id, ind_id), (period_id, unit_id, child.parent_id))]
                elif child.parent_id == ind_id:
                    pairs = [((period_id, unit_id, child.pk), (period_id, unit_id, ind_id))]
                else:
                    continue
                for child_key, parent_key in pairs:
                    if child_key in checked or not applies_to_kind(child, kind_of[unit_id]):
                        continue
                    checked.add(child_key)
                    child_value = wanted.get(child_key) or stored.get(child_key)
                    parent_value = wanted.get(parent_key) or stored.get(parent_key)
                    if child_value is None:
                        continue
                    parent_code = by_pk[child.parent_id].code
                    row = row_of.get(child_key) or row_of.get(parent_key)
                    column = "denominator" if child_key in wanted else "numerator"
                    if parent_value is None:
                        error(
                            row,
                            "indicator_code",
                            child.code,
                            _("Chỉ tiêu %(c)s cần số liệu của chỉ tiêu %(p)s (mẫu số của %(c)s là tử số của %(p)s).")
                            % {"c": child.code, "p": parent_code},
                        )
                    elif child_value[1] != parent_value[0]:
                        error(
                            row,
                            column,
                            str(child_value[1] if column == "denominator" else parent_value[0]),
                            _("Mẫu số của chỉ tiêu %(c)s (%(d)s) phải bằng tử số của chỉ tiêu %(p)s (%(n)s).")
                            % {"c": child.code, "d": child_value[1], "p": parent_code, "n": parent_value[0]},
                        )
        errors.sort(key=lambda e: e.row or 0)

    result.periods = [p.label for p in periods.values() if p.pk in seen_periods]
    result.units = len(seen_units)
    if errors:
        result.new = result.updated = result.unchanged = 0
        return result

    to_write: list[tuple[tuple[int, int, int], tuple[int, int, str]]] = []
    for key, value in wanted.items():
        old = stored.get(key)
        if old is None:
            result.new += 1
        elif old != value:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        to_write.append((key, value))
    if progress is not None:
        progress(total, total)
    if dry_run or not to_write:
        return result

    now = timezone.now()
    reporter_id = None if actor is None or getattr(actor, "is_system", False) else actor.pk
    objects = [
        ProgressReport(
            period_id=period_id,
            unit_id=unit_id,
            indicator_id=indicator_id,
            numerator=n,
            denominator=d,
            evidence=ev,
            reported_by_id=reporter_id,
            reported_at=now,
        )
        for (period_id, unit_id, indicator_id), (n, d, ev) in to_write
    ]
    data_digest = hashlib.sha256(table.data).hexdigest()
    with transaction.atomic():
        if before_write is not None:
            before_write(result)
        ProgressReport.objects.bulk_create(
            objects,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["period", "unit", "indicator"],
            update_fields=UPDATE_FIELDS,
        )
        audit.record(
            actor=actor,
            action="competition.progress.import",
            obj=campaign,
            payload={
                "file": table.filename,
                "sha256": data_digest,
                "periods": result.periods,
                "units": result.units,
                "new": result.new,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


# --- Jobs: the file kept, checked, confirmed, written (in the background for large files) ---------------------


def _job_progress(job: IndicatorImport) -> ProgressCallback:
    def report(done: int, total: int) -> None:
        IndicatorImport.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    return report


def _store_result(job: IndicatorImport, result: IndicatorImportResult, *, state: str, from_state: str) -> bool:
    """Keep ``result`` on the job and move it to ``state``, only if it is still in ``from_state`` (one UPDATE, which
    also takes the job's row lock): another delivery of the same task that got there first is never overwritten.
    Returns whether it was stored; ``job`` gets the stored values either way."""
    cap = int(getattr(settings, "THIDUA_IMPORT_ERRORS_KEPT", 2000))
    values = {
        "state": state,
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "error_count": len(result.errors),
        "errors": [[e.row, e.column, e.value, e.message] for e in result.errors[:cap]],
        "rows_done": job.rows_total,
        "finished_at": timezone.now() if state in (ImportState.INVALID, ImportState.DONE) else None,
    }
    if not IndicatorImport.objects.filter(pk=job.pk, state=from_state).update(**values):
        job.refresh_from_db()
        return False
    for name, value in values.items():
        setattr(job, name, value)
    return True


class _WrittenElsewhere(Exception):
    """Another delivery of the write task wrote the job's file first: this one writes nothing."""


def start_import(campaign: Campaign, upload, *, actor) -> IndicatorImport:
    """Keep an uploaded file as an :class:`IndicatorImport` and check it: now for a small file, in a django-q2
    task for one of more than :func:`background_threshold` data rows. Raises ``PermissionDenied`` as
    :func:`import_indicators`. Returns the job (state ``invalid`` or ``ready`` when checked now, else ``queued``)."""
    allowed_units(actor, campaign)
    name = getattr(upload, "name", "") or "upload"
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    table = open_table(ContentFile(data, name=name), name)
    rows = len(table.dataset) if table.dataset is not None else 0
    digest = hashlib.sha256(data).hexdigest()
    job = IndicatorImport(
        campaign=campaign,
        uploaded_by=None if getattr(actor, "is_system", False) else actor,
        filename=name[:255],
        sha256=digest,
        rows_total=rows,
    )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    job.file.save(f"{digest[:16]}-{timezone.now():%Y%m%d%H%M%S}.{extension}", ContentFile(data), save=False)
    job.save()
    if rows > background_threshold():
        transaction.on_commit(lambda: _queue("competition.tasks.check_indicator_import", job.pk))
        return job
    return check_import(job)


def _queue(func: str, job_id: int) -> None:
    from django_q.tasks import async_task

    from workflows.jobs import mark_queued

    mark_queued(IndicatorImport, job_id)
    async_task(func, job_id, task_name=f"{func.rsplit('.', 1)[-1]}-{job_id}")


def _actor_of(job: IndicatorImport):
    from workflows import SYSTEM

    return job.uploaded_by or SYSTEM


def check_import(job: IndicatorImport) -> IndicatorImport:
    """Dry-run the job's file; the job ends ``ready`` (nothing wrong) or ``invalid`` (every bad row kept). A job
    already checked is left as it is (a task delivered twice does nothing the second time)."""
    if job.state not in (ImportState.QUEUED, ImportState.CHECKING):
        return job
    running = (ImportState.QUEUED, ImportState.CHECKING)
    if not IndicatorImport.objects.filter(pk=job.pk, state__in=running).update(state=ImportState.CHECKING):
        job.refresh_from_db()  # checked (and maybe confirmed) meanwhile by another delivery: leave it
        return job
    with translation.override(settings.LANGUAGE_CODE), job.file.open("rb") as stored:
        result = import_indicators(
            job.campaign,
            stored,
            actor=_actor_of(job),
            dry_run=True,
            filename=job.filename,
            progress=_job_progress(job),
        )
    state = ImportState.INVALID if result.errors else ImportState.READY
    if state == ImportState.READY and not (result.new or result.updated):
        state = ImportState.DONE  # nothing to change: done already, and nothing written
    _store_result(job, result, state=state, from_state=ImportState.CHECKING)
    return job


def confirm_import(job: IndicatorImport, *, actor) -> IndicatorImport:
    """The person read the check and confirms: write the file (in a django-q2 task for a large one). The file is
    checked again as it is written, so values changed meanwhile cannot break a rule."""
    someone_else = job.uploaded_by_id and not getattr(actor, "is_system", False) and actor.pk != job.uploaded_by_id
    if someone_else and getattr(actor, "role", None) not in BOARD_ROLES:
        raise PermissionDenied(_("Chỉ người tải tệp lên mới xác nhận được lần nhập này."))
    updated = IndicatorImport.objects.filter(pk=job.pk, state=ImportState.READY).update(state=ImportState.WRITING)
    if not updated:
        job.refresh_from_db()
        raise PermissionDenied(
            _("Lần nhập này không ở trạng thái chờ xác nhận (%(s)s).") % {"s": job.get_state_display()}
        )
    job.state = ImportState.WRITING
    if job.rows_total > background_threshold():
        transaction.on_commit(lambda: _queue("competition.tasks.write_indicator_import", job.pk))
        return job
    return write_import(job)


def write_import(job: IndicatorImport) -> IndicatorImport:
    """Write a confirmed job's file; the job ends ``done``, or ``invalid`` when the check now fails. Only a job
    being written is written, exactly once: the values, the audit event and the job's ``done`` commit in one
    transaction, which first moves the job out of ``writing`` under its row lock. A task delivered twice (or run
    again after its worker died, :func:`resume_stalled_imports`) finds the job done and writes nothing; a worker
    killed half-way leaves nothing written and the job ``writing``, to be run again."""
    if job.state != ImportState.WRITING:
        return job
    IndicatorImport.objects.filter(pk=job.pk, state=ImportState.WRITING).update(rows_done=0)

    def record_outcome(result: IndicatorImportResult) -> None:
        if not _store_result(job, result, state=ImportState.DONE, from_state=ImportState.WRITING):
            raise _WrittenElsewhere

    try:
        with translation.override(settings.LANGUAGE_CODE), job.file.open("rb") as stored:
            result = import_indicators(
                job.campaign,
                stored,
                actor=_actor_of(job),
                filename=job.filename,
                progress=_job_progress(job),
                before_write=record_outcome,
            )
    except _WrittenElsewhere:
        return job
    # Nothing was written (bad rows, or nothing changed): the outcome, unless the job is already past ``writing``.
    _store_result(
        job, result, state=ImportState.INVALID if result.errors else ImportState.DONE, from_state=ImportState.WRITING
    )
    return job


def resume_stalled_imports(now=None) -> int:
    """Queue again the check or write of every job still ``queued``, ``checking`` or ``writing`` whose task was
    queued longer ago than the background task time limit allows (``workflows.jobs``): its task is lost. With the
    Redis broker a task taken by a worker is gone from the queue, so a worker killed half-way (machine restart, out
    of memory, deployment) leaves the job there for good and nothing runs it again; the ORM broker redelivers it only
    after ``retry``. Running a job twice is harmless (:func:`check_import`, :func:`write_import`). A job queued
    ``MAX_DELIVERIES`` times without finishing fails with a message saying what to do. Run every few minutes by the
    schedule ``thidua-resume-jobs``. Returns how many jobs were queued again."""
    from workflows import jobs

    running = (ImportState.QUEUED, ImportState.CHECKING, ImportState.WRITING)
    count = 0
    for job in jobs.stalled(IndicatorImport.objects.filter(state__in=running), now).order_by("pk"):
        if jobs.exhausted(job):
            fail_job(
                job.pk,
                _(
                    "Tác vụ nền bị gián đoạn %(n)s lần (máy chủ khởi động lại hoặc thiếu bộ nhớ). Hãy chia tệp "
                    "thành nhiều tệp nhỏ hơn và nhập lại, hoặc báo quản trị hệ thống."
                )
                % {"n": job.deliveries},
            )
            continue
        task = "write_indicator_import" if job.state == ImportState.WRITING else "check_indicator_import"
        _queue(f"competition.tasks.{task}", job.pk)
        count += 1
    return count


def fail_job(job_id: int, message: str) -> None:
    """A task failed: the job ends ``failed``, unless another delivery of the task finished it meanwhile."""
    running = (ImportState.QUEUED, ImportState.CHECKING, ImportState.WRITING)
    IndicatorImport.objects.filter(pk=job_id, state__in=running).update(
        state=ImportState.FAILED, message=message[:2000], finished_at=timezone.now()
    )


def visible_jobs(user, campaign: Campaign) -> QuerySet:
    """The board sees every import of the campaign; anyone else the imports they uploaded."""
    jobs = IndicatorImport.objects.filter(campaign=campaign).select_related("uploaded_by")
    if getattr(user, "role", None) in BOARD_ROLES or getattr(user, "is_system", False):
        return jobs
    return jobs.filter(uploaded_by=user)


# --- The template ------------------------------------------------------------------------------------------


def indicator_template_xlsx(campaign: Campaign, period=None, *, units: QuerySet | None = None) -> bytes:
    """The file to fill in: one row per enrolled unit (``units``: those the person may import for) and indicator
    that applies to it, for ``period`` (its stored values already filled in, so only what changed is typed).
    Without a period, the period column is left for the person. No side effects."""
    from workflows.exports import Styled, xlsx_bytes

    enrolled = Unit.objects.filter(enrolments__campaign=campaign)
    if units is not None:
        enrolled = enrolled.filter(pk__in=units.values("pk"))
    indicators = list(campaign.indicators.all())
    stored = {}
    if period is not None:
        stored = {
            (unit_id, ind_id): (n, d, ev)
            for unit_id, ind_id, n, d, ev in ProgressReport.objects.filter(period=period).values_list(
                "unit_id", "indicator_id", "numerator", "denominator", "evidence"
            )
        }

    def rows():
        yield [Styled(str(c.header), bold=True) for c in INDICATOR_COLUMNS]
        for unit in enrolled.order_by("path").only("pk", "code", "name", "kind").iterator(chunk_size=2000):
            for indicator in indicators:
                if not applies_to_unit(indicator, unit):
                    continue
                n, d, ev = stored.get((unit.pk, indicator.pk), (None, None, ""))
                yield [
                    Styled(unit.code, number_format="@"),
                    unit.name,
                    period.label if period is not None else "",
                    indicator.code,
                    indicator.name,
                    n,
                    d,
                    ev,
                ]

    return xlsx_bytes(rows(), sheet_title=_("Số liệu chỉ tiêu"), column_widths=[12, 36, 16, 12, 50, 10, 10, 40])


# --- Housekeeping ---------------------------------------------------------------------------------------------


def forget_abandoned_imports(now=None) -> dict[str, int]:
    """The daily clean-up: an indicator file checked but never confirmed (or refused) is forgotten, row and file,
    after ``THIDUA_IMPORT_KEEP_DAYS`` days (default 7); so is an upload of the unit or account import left at its
    preview for more than a day. Files that were written stay: their audit events name them. Returns the counts."""
    from datetime import timedelta

    from django.core.files.storage import default_storage

    now = now or timezone.now()
    keep = timedelta(days=int(getattr(settings, "THIDUA_IMPORT_KEEP_DAYS", 7)))
    stale = IndicatorImport.objects.filter(
        state__in=(ImportState.READY, ImportState.INVALID, ImportState.FAILED), created_at__lt=now - keep
    )
    jobs = 0
    for job in stale.iterator():
        job.file.delete(save=False)
        job.delete()
        jobs += 1
    previews = 0
    try:
        _dirs, names = default_storage.listdir("imports/pending")
    except (FileNotFoundError, NotADirectoryError):
        names = []
    for name in names:
        path = f"imports/pending/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < now - timedelta(days=1):
            default_storage.delete(path)
            previews += 1
    return {"jobs": jobs, "previews": previews}
