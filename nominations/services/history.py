"""Award history (sổ theo dõi khen thưởng) and holds (tạm dừng xét khen thưởng): issue 6, items 3 and 4.

- **The register** (:class:`~nominations.models.AwardRecord`) lists awards already given: imported from the
  board's records (:func:`import_award_history`), and entered once for every line of a decision signed in the
  product (:func:`record_decision_awards`, called by ``sign_decision`` in the same transaction).
- **Holds** (:class:`~nominations.models.NomineeHold`): the board holds a person or collective under discipline,
  inspection or an open complaint (:func:`add_hold`) and lifts the hold (:func:`lift_hold`).
- **Eligibility** (:func:`eligibility_problems`): a nominee matching a record of the same award form in the same
  campaign (Law 06/2022/QH15 Art. 5(2)(c): one achievement is rewarded once, with one form), or an active hold
  (NĐ 152/2025/NĐ-CP Art. 4), is refused when added or changed, when the dossier is submitted, and when the
  appraiser would propose the award. Matching uses the nominees' canonical key (old and new tone placement, case,
  spaces and NFD input agree), or the same ID number.
- Thematic awards do not count toward merit-award eligibility (NĐ 152/2025 Art. 4): :func:`merit_history` returns
  only the non-thematic records of a person, for the rules that count past merit awards.

Every change is audited (``workflows.audit.record``); birth dates and ID numbers never enter the audit trail or
messages (domain rule 16).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import AwardType, Campaign
from competition.resources import VietnameseDateWidget, choice_lookup, fold
from competition.services.tables import (
    Column,
    ImportCounts,
    Layout,
    RowError,
    Source,
    SourceRow,
    file_digest,
    iter_rows,
    open_columns,
    require_actor_perm,
)
from workflows import audit
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.exports import unescape_formula

from ..enums import AwardSource, HoldReason, NomineeKind
from ..models import AwardDecision, AwardRecord, Dossier, NomineeHold
from .dossiers import canonical_key

LAW_ONE_AWARD = gettext_lazy("điểm c khoản 2 Điều 5 Luật Thi đua, khen thưởng số 06/2022/QH15")
DECREE_HOLDS = gettext_lazy("Điều 4 Nghị định số 152/2025/NĐ-CP")
FIRST_YEAR = 1945
KEY_CHUNK = 500
YES = frozenset({"co", "x", "1", "yes", "true", "dung", "chuyen de"})
NO = frozenset({"", "khong", "0", "no", "false", "sai"})


def _is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


def _real_user(actor):
    return None if _is_system(actor) or getattr(actor, "pk", None) is None else actor


def _require(actor, perm: str, message: str) -> None:
    if not _is_system(actor) and not actor.has_perm(perm):
        raise TransitionForbidden(message)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# --- Keys and matching -----------------------------------------------------------------------------------------


def key_of(nominee_like) -> str:
    """The canonical key of anything with a nominee's fields (a Nominee, a hold, form data)."""
    return canonical_key(
        kind=nominee_like.kind,
        name=nominee_like.name,
        birth_date=getattr(nominee_like, "birth_date", None),
        id_number=getattr(nominee_like, "id_number", "") or "",
        collective_unit=getattr(nominee_like, "collective_unit", None),
        work_unit=getattr(nominee_like, "work_unit", "") or "",
    )


def merit_history(key: str) -> QuerySet:
    """The awards of the register counted toward merit-award eligibility for the canonical key ``key``: thematic
    awards are left out (domain rule 4, NĐ 152/2025 Art. 4). Oldest first."""
    return AwardRecord.objects.filter(canonical_key=key, is_thematic=False, revoked_on__isnull=True).order_by(
        "year", "decision_date", "pk"
    )


def _hold_message(name: str, hold: NomineeHold) -> str:
    return _(
        "“%(n)s” đang bị tạm dừng xét khen thưởng từ ngày %(since)s: %(kind)s. Theo %(law)s, chưa xét khen thưởng "
        "cho cá nhân, tập thể trong thời gian này."
    ) % {"n": name, "since": _day(hold.since), "kind": hold.get_reason_display(), "law": DECREE_HOLDS}


def _record_message(name: str, record: AwardRecord) -> str:
    return _(
        "“%(n)s” đã được tặng %(award)s trong phong trào này (Quyết định số %(ref)s%(date)s): một thành tích chỉ "
        "được khen thưởng một lần, bằng một hình thức (%(law)s)."
    ) % {
        "n": name,
        "award": record.award_name,
        "ref": record.decision_reference,
        "date": _(" ngày %(d)s") % {"d": _day(record.decision_date)} if record.decision_date else "",
        "law": LAW_ONE_AWARD,
    }


def eligibility_problems(nominee_like, dossier: Dossier) -> list[str]:
    """Why ``nominee_like`` (a Nominee, or anything with its fields) cannot be proposed in ``dossier``, in
    Vietnamese; empty when nothing stands in the way. No side effects.

    (a) a record of the register with the same key (or ID number), the same award form and the same campaign
    (Law 06/2022/QH15 Art. 5(2)(c)); the nominee's own record, once its decision is signed, does not count;
    (b) an active hold (NĐ 152/2025 Art. 4), naming its kind.
    """
    return _problems([nominee_like], dossier)[0]


def eligibility_problems_by_nominee(nominees, dossier: Dossier) -> dict[int, list[str]]:
    """:func:`eligibility_problems` of every nominee of ``dossier`` at once, by nominee pk (the dossier page): two
    queries however many nominees."""
    nominees = list(nominees)
    return {nominee.pk: problems for nominee, problems in zip(nominees, _problems(nominees, dossier), strict=True)}


def _problems(subjects_like: list, dossier: Dossier) -> list[list[str]]:
    """The problems of each of ``subjects_like``, in order: the register's records and the holds of all of them
    read in two queries, then matched to each by key or ID number (domain rule 3)."""
    subjects = [(s, key_of(s), (getattr(s, "id_number", "") or "").strip()) for s in subjects_like]
    if not subjects:
        return []
    keys = {key for _s, key, _id in subjects}
    id_numbers = {id_number for _s, _key, id_number in subjects if id_number}
    matching = Q(canonical_key__in=keys) | Q(id_number__in=id_numbers) if id_numbers else Q(canonical_key__in=keys)
    records = list(
        AwardRecord.objects.filter(
            matching,
            campaign_id=dossier.campaign_id,
            award_type_code=dossier.award_type_code,
            revoked_on__isnull=True,  # a revoked award rewards nothing (Law 06/2022 Art. 93)
        )
        .annotate(award_nominee_id=F("award__nominee_id"))
        .order_by("year", "pk")
    )
    holds = list(NomineeHold.objects.active(None).filter(matching).order_by("since", "pk"))
    result = []
    for subject, key, id_number in subjects:

        def same(row, key=key, id_number=id_number) -> bool:
            return row.canonical_key == key or bool(id_number) and row.id_number == id_number

        own_pk = getattr(subject, "pk", None)  # the nominee's own record, once signed, does not count
        found = [r for r in records if same(r) and not (own_pk and r.award_id and r.award_nominee_id == own_pk)]
        result.append(
            [_record_message(subject.name, r) for r in found[:3]]
            + [_hold_message(subject.name, hold) for hold in holds if same(hold)]
        )
    return result


def refuse_ineligible(nominee_like, dossier: Dossier) -> None:
    """Raise ``TransitionRefused`` with every problem of :func:`eligibility_problems`; nothing when eligible."""
    problems = eligibility_problems(nominee_like, dossier)
    if problems:
        raise TransitionRefused(problems[0], reasons=problems[1:])


# --- Signed decisions enter the register ----------------------------------------------------------------------


def record_decision_awards(decision: AwardDecision) -> list[AwardRecord]:
    """Enter every line of the signed ``decision`` in the register, once: a line already entered is skipped, so a
    second call adds nothing. Called by ``sign_decision`` inside its transaction.

    Side effects: one ``AwardRecord`` (source "decision") per new line. The decision's own ``sign`` event is the
    audit of it. Returns the records created.
    """
    from .decisions import authority_name

    decision = AwardDecision.objects.select_related("award_type", "campaign", "issuing_unit").get(pk=decision.pk)
    award_type = decision.award_type
    thematic = bool(decision.campaign.is_thematic or award_type.thematic_only)
    authority = authority_name(decision.issuing_unit)
    lines = decision.awards.filter(record__isnull=True).select_related("nominee__collective_unit").order_by("order")
    records = []
    for line in lines:
        nominee = line.nominee
        records.append(
            AwardRecord(
                subject_kind=line.subject_kind,
                name=line.name,
                birth_date=nominee.birth_date,
                id_number=nominee.id_number,
                work_unit=nominee.work_unit or line.title_and_unit,
                collective_unit=nominee.collective_unit,
                canonical_key=key_of(nominee),
                award_type_code=award_type.code,
                award_name=award_type.name,
                is_thematic=thematic,
                decision_number=str(decision.number or ""),
                decision_symbol=decision.symbol,
                decision_date=decision.issued_on,
                issuing_authority=authority[:255],
                year=decision.year or decision.issued_on.year,
                campaign=decision.campaign,
                source=AwardSource.DECISION,
                award=line,
            )
        )
    return AwardRecord.objects.bulk_create(records, batch_size=1000)


# --- Holds ----------------------------------------------------------------------------------------------------


def add_hold(
    *,
    actor,
    kind: str,
    name: str,
    reason: str,
    since: date | None = None,
    until: date | None = None,
    birth_date: date | None = None,
    id_number: str = "",
    work_unit: str = "",
    note: str = "",
) -> NomineeHold:
    """The board holds a person or collective (domain rule 5, NĐ 152/2025 Art. 4): from ``since`` (default
    today) until ``until`` (empty: until lifted). A person needs a birth date or an ID number, to be matched.

    Permission: ``nominations.add_nomineehold`` (the board). Side effects: one ``NomineeHold``; one audit event
    ``nominations.nomineehold.add`` (the reason, dates and name; never the birth date or ID number).
    Raises ``TransitionRefused`` with every reason, ``TransitionForbidden``.
    """
    _require(actor, "nominations.add_nomineehold", _("Chỉ Ban Thi đua - Khen thưởng được tạm dừng xét khen thưởng."))
    name = re.sub(r"\s+", " ", name or "").strip()
    id_number = (id_number or "").strip()
    work_unit = re.sub(r"\s+", " ", work_unit or "").strip()
    note = (note or "").strip()
    since = since or timezone.localdate()
    problems = []
    if kind not in NomineeKind.values:
        problems.append(_("Loại người được đề nghị không hợp lệ: “%(k)s”.") % {"k": kind})
    if not name:
        problems.append(_("Hãy ghi họ tên (hoặc tên tập thể)."))
    if kind == NomineeKind.INDIVIDUAL and not birth_date and not id_number:
        problems.append(_("Cá nhân cần có ngày sinh hoặc số định danh để đối chiếu với người được đề nghị."))
    if reason not in HoldReason.values:
        problems.append(_("Hãy chọn lý do tạm dừng xét khen thưởng."))
    if until is not None and until < since:
        problems.append(
            _("Ngày kết thúc (%(until)s) trước ngày bắt đầu (%(since)s).")
            % {"until": _day(until), "since": _day(since)}
        )
    if problems:
        raise TransitionRefused(_("Chưa ghi được việc tạm dừng xét khen thưởng:"), reasons=problems)
    hold = NomineeHold(
        kind=kind,
        name=name,
        birth_date=birth_date,
        id_number=id_number,
        work_unit=work_unit,
        reason=reason,
        note=note,
        since=since,
        until=until,
        created_by=_real_user(actor),
    )
    hold.canonical_key = key_of(hold)
    with transaction.atomic():
        hold.save()
        audit.record(
            actor=actor,
            action="nominations.nomineehold.add",
            obj=hold,
            payload={
                "name": hold.name,
                "kind": hold.kind,
                "reason": hold.reason,
                "since": since.isoformat(),
                "until": until.isoformat() if until else None,
            },
        )
    return hold


def lift_hold(hold: NomineeHold, reason: str, *, actor) -> NomineeHold:
    """The board lifts a hold, with a reason (the discipline or inspection ended, the complaint was settled).

    Permission: ``nominations.lift_nomineehold`` (the board). Side effects: the hold's ``lifted_*`` fields; one
    audit event ``nominations.nomineehold.lift`` with the reason. Raises ``TransitionRefused`` (no reason, lifted
    already), ``TransitionForbidden``.
    """
    _require(
        actor, "nominations.lift_nomineehold", _("Chỉ Ban Thi đua - Khen thưởng được gỡ tạm dừng xét khen thưởng.")
    )
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Hãy ghi lý do gỡ tạm dừng xét khen thưởng."))
    with transaction.atomic():
        fresh = NomineeHold.objects.select_for_update().get(pk=hold.pk)
        if fresh.lifted_at is not None:
            raise TransitionRefused(
                _("Việc tạm dừng xét khen thưởng “%(h)s” đã được gỡ ngày %(d)s.")
                % {"h": fresh, "d": _day(timezone.localtime(fresh.lifted_at).date())}
            )
        fresh.lifted_at = timezone.now()
        fresh.lifted_by = _real_user(actor)
        fresh.lift_reason = reason
        fresh.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            actor=actor,
            action="nominations.nomineehold.lift",
            obj=fresh,
            payload={"name": fresh.name, "reason": reason},
        )
    hold.refresh_from_db()
    return fresh


# --- Importing the register -----------------------------------------------------------------------------------

HISTORY_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        gettext_lazy("Họ và tên / Tên tập thể"),
        ("ho va ten", "ho ten", "ten tap the", "ho va ten ten tap the", "ho ten ten tap the", "ten"),
        required=True,
    ),
    Column(
        "kind",
        gettext_lazy("Loại (Cá nhân/Tập thể/Hộ gia đình)"),
        ("loai", "doi tuong"),
        required=True,
        help=gettext_lazy("Cá nhân, Tập thể hoặc Hộ gia đình."),
    ),
    Column(
        "birth_date",
        gettext_lazy("Ngày sinh"),
        help=gettext_lazy("Ngày/tháng/năm (12/03/1985). Cá nhân cần ngày sinh hoặc số định danh."),
    ),
    Column("id_number", gettext_lazy("Số định danh"), ("so dinh danh ca nhan", "cccd", "so cccd", "can cuoc")),
    Column(
        "work_unit",
        gettext_lazy("Đơn vị công tác"),
        ("don vi", "co quan don vi"),
        help=gettext_lazy("Với tập thể: cơ quan, đơn vị cấp trên của tập thể."),
    ),
    Column(
        "award",
        gettext_lazy("Hình thức khen thưởng"),
        ("hinh thuc", "ma hinh thuc"),
        required=True,
        help=gettext_lazy("Mã hoặc tên hình thức như trong bộ quy định (ví dụ bang_khen_tinh)."),
    ),
    Column(
        "thematic",
        gettext_lazy("Khen thưởng theo chuyên đề (Có/Không)"),
        ("khen thuong theo chuyen de", "chuyen de", "theo chuyen de"),
        help=gettext_lazy("Có hoặc Không; để trống: Không."),
    ),
    Column(
        "decision_number",
        gettext_lazy("Số quyết định"),
        ("so qd", "so ky hieu", "so ky hieu quyet dinh"),
        required=True,
        help=gettext_lazy("Số và ký hiệu, ví dụ 123/QĐ-UBND."),
    ),
    Column("decision_date", gettext_lazy("Ngày quyết định"), ("ngay qd", "ngay ky", "ngay ky quyet dinh")),
    Column(
        "year",
        gettext_lazy("Năm"),
        ("nam khen thuong",),
        help=gettext_lazy("Năm khen thưởng; để trống thì lấy năm của ngày quyết định."),
    ),
    Column(
        "authority",
        gettext_lazy("Cấp quyết định"),
        ("co quan ban hanh", "co quan quyet dinh", "nguoi quyet dinh"),
        help=gettext_lazy("Không bắt buộc, ví dụ Chủ tịch UBND tỉnh Thái Nguyên."),
    ),
    Column(
        "campaign",
        gettext_lazy("Phong trào"),
        ("ma phong trao", "phong trao thi dua"),
        help=gettext_lazy("Không bắt buộc: mã hoặc tên phong trào trên phần mềm mà khen thưởng này thuộc về."),
    ),
)
HISTORY_COLUMN = {c.key: c for c in HISTORY_COLUMNS}
# The fields an import may change on a record it finds again (same key, award form, decision and year).
COMPARED_FIELDS = (
    "subject_kind",
    "name",
    "birth_date",
    "id_number",
    "work_unit",
    "award_name",
    "is_thematic",
    "decision_date",
    "issuing_authority",
    "campaign_id",
)

NaturalKey = tuple[str, str, str, str, int]


@dataclass
class _Award:
    code: str
    name: str
    thematic_only: bool


def _award_lookup() -> dict[str, _Award]:
    """Award forms by folded code and name, across every rule set (the most recent rule set's name wins)."""
    lookup: dict[str, _Award] = {}
    for code, name, thematic_only in (
        AwardType.objects.order_by("-rule_set__valid_from", "-rule_set_id")
        .values_list("code", "name", "thematic_only")
        .iterator()
    ):
        award = lookup.get(fold(code)) or _Award(code, name, thematic_only)
        lookup.setdefault(fold(code), award)
        lookup.setdefault(fold(name), award)
    return lookup


def _campaign_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for pk, code, name in Campaign.objects.values_list("pk", "code", "name"):
        lookup.setdefault(fold(code), pk)
        lookup.setdefault(fold(name), pk)
    return lookup


def _split_decision(text: str) -> tuple[str, str]:
    """ "123/QĐ-UBND" → ("123", "QĐ-UBND"); "Số 123/QĐ-UBND" too; spaces around the slash are dropped."""
    text = re.sub(r"^s[ốo]\s*:?\s*", "", text.strip(), flags=re.IGNORECASE)
    number, _slash, symbol = text.partition("/")
    return re.sub(r"\s+", "", number), re.sub(r"\s+", "", symbol)


def _parse_row(
    source: SourceRow, layout: Layout, awards: dict[str, _Award], campaigns: dict[str, int], errors: list[RowError]
) -> AwardRecord | None:
    n = source.number
    reported: set[str] = set()

    def text(key: str) -> str:
        return unescape_formula(source.text(key)) if key in layout.index else ""

    def error(key: str, message: str, value: str | None = None) -> None:
        reported.add(key)
        errors.append(RowError(n, layout.label(HISTORY_COLUMN[key]), text(key) if value is None else value, message))

    name = re.sub(r"\s+", " ", text("name")).strip()
    if not name:
        error("name", _("Thiếu họ tên (hoặc tên tập thể)."))
    elif len(name) > 255:
        error("name", _("Dài quá 255 ký tự."), name[:40] + "…")

    kind = choice_lookup(NomineeKind).get(fold(text("kind")))
    if not text("kind"):
        error("kind", _("Thiếu loại: Cá nhân, Tập thể hoặc Hộ gia đình."))
    elif kind is None:
        error("kind", _("Loại không hợp lệ: ghi Cá nhân, Tập thể hoặc Hộ gia đình."))

    def a_date(key: str) -> date | None:
        if key not in layout.index:
            return None
        try:
            return VietnameseDateWidget().clean(source.raw.get(key) or None)
        except ValueError as exc:
            error(key, str(exc))
            return None

    birth_date = a_date("birth_date")
    decision_date = a_date("decision_date")
    id_number = re.sub(r"\s+", "", text("id_number"))
    if len(id_number) > 20:
        error("id_number", _("Số định danh dài quá 20 ký tự."))
    if kind == NomineeKind.INDIVIDUAL and not birth_date and not id_number and "birth_date" not in reported:
        error("birth_date", _("Cá nhân cần có ngày sinh hoặc số định danh để đối chiếu."), "")
    work_unit = re.sub(r"\s+", " ", text("work_unit")).strip()
    if len(work_unit) > 255:
        error("work_unit", _("Dài quá 255 ký tự."), work_unit[:40] + "…")

    award = awards.get(fold(text("award")))
    if not text("award"):
        error("award", _("Thiếu hình thức khen thưởng."))
    elif award is None:
        error("award", _("Không có hình thức khen thưởng này trong các bộ quy định: ghi mã hoặc tên hình thức."))

    thematic_text = fold(text("thematic"))
    if thematic_text in YES:
        thematic = True
    elif thematic_text in NO:
        thematic = bool(award and award.thematic_only)
    else:
        thematic = False
        error("thematic", _("Ghi Có hoặc Không."))

    number, symbol = _split_decision(text("decision_number"))
    if not number:
        error("decision_number", _("Thiếu số quyết định (ví dụ 123/QĐ-UBND)."))
    elif len(number) > 50 or len(symbol) > 50:
        error("decision_number", _("Số hoặc ký hiệu quyết định dài quá 50 ký tự."))

    year = None
    year_text = text("year")
    if year_text:
        this_year = timezone.localdate().year
        if year_text.isdigit() and FIRST_YEAR <= int(year_text) <= this_year + 1:
            year = int(year_text)
        else:
            error("year", _("Năm phải là số từ %(a)s đến %(b)s.") % {"a": FIRST_YEAR, "b": this_year + 1})
    elif decision_date is not None:
        year = decision_date.year
    elif "decision_date" not in reported:
        error("year", _("Thiếu năm (hoặc ngày quyết định)."), "")

    authority = re.sub(r"\s+", " ", text("authority")).strip()
    if len(authority) > 255:
        error("authority", _("Dài quá 255 ký tự."), authority[:40] + "…")
    campaign_id = None
    if text("campaign"):
        campaign_id = campaigns.get(fold(text("campaign")))
        if campaign_id is None:
            error("campaign", _("Không có phong trào nào mang mã hoặc tên này."))

    if reported:
        return None
    record = AwardRecord(
        subject_kind=kind,
        name=name,
        birth_date=birth_date,
        id_number=id_number,
        work_unit=work_unit,
        award_type_code=award.code,
        award_name=award.name,
        is_thematic=thematic,
        decision_number=number,
        decision_symbol=symbol,
        decision_date=decision_date,
        issuing_authority=authority,
        year=year,
        campaign_id=campaign_id,
        source=AwardSource.IMPORTED,
    )
    record.canonical_key = canonical_key(
        kind=kind, name=name, birth_date=birth_date, id_number=id_number, work_unit=work_unit
    )
    return record


def _natural_key(record: AwardRecord) -> NaturalKey:
    return (
        record.canonical_key,
        record.award_type_code,
        record.decision_number,
        fold(record.decision_symbol),
        record.year,
    )


def _stored(keys: set[str]) -> dict[NaturalKey, AwardRecord]:
    found: dict[NaturalKey, AwardRecord] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), KEY_CHUNK):
        for record in AwardRecord.objects.filter(canonical_key__in=ordered[start : start + KEY_CHUNK]).order_by("pk"):
            found.setdefault(_natural_key(record), record)
    return found


def import_award_history(
    path_or_file: Source, *, actor, dry_run: bool = False, filename: str | None = None
) -> ImportCounts:
    """Check (``dry_run``) or import a file (XLSX or UTF-8 CSV) of awards already given into the register.

    All or nothing: every row is checked before anything is written, and every problem is returned with its row
    (header = row 1), column, value and reason, in Vietnamese; then nothing is written. A row is the same record as
    a stored one when the canonical key, award form, decision number and year agree: a re-import of the same file
    counts every row unchanged and writes nothing (not even an audit event); a changed row updates its imported
    record (a record entered from a signed decision is never changed by an import).

    Permission: ``nominations.import_awardrecord`` (the board; ``PermissionDenied`` otherwise).
    Side effects (not in a dry run, when something is new or changed): ``AwardRecord`` rows created and updated
    and one audit event ``nominations.awardrecord.import`` with the file's name, SHA-256 and counts, in one
    transaction.
    """
    require_actor_perm(actor, "nominations.import_awardrecord")
    read = open_columns(path_or_file, filename, HISTORY_COLUMNS)
    table, layout = read.table, read.layout
    result = ImportCounts(dry_run=dry_run, errors=list(read.errors))
    if layout is None:
        return result
    errors = result.errors
    with translation.override("vi"):
        awards = _award_lookup()
    campaigns = _campaign_lookup()
    parsed: list[tuple[int, AwardRecord]] = []
    for source in iter_rows(table.dataset, layout, errors):
        record = _parse_row(source, layout, awards, campaigns, errors)
        if record is not None:
            parsed.append((source.number, record))

    first_row: dict[NaturalKey, int] = {}
    rows: list[AwardRecord] = []
    for number, record in parsed:
        key = _natural_key(record)
        if key in first_row:
            errors.append(
                RowError(
                    number,
                    layout.label(HISTORY_COLUMN["decision_number"]),
                    record.decision_reference,
                    _("Trùng với dòng %(row)s: cùng người (tập thể), hình thức, quyết định và năm.")
                    % {"row": first_row[key]},
                )
            )
            continue
        first_row[key] = number
        rows.append(record)
    errors.sort(key=lambda e: e.row or 0)
    if errors:
        return result

    stored = _stored({r.canonical_key for r in rows})
    new: list[AwardRecord] = []
    changed: list[AwardRecord] = []
    for record in rows:
        old = stored.get(_natural_key(record))
        if old is None:
            new.append(record)
        elif old.source != AwardSource.IMPORTED or all(getattr(old, f) == getattr(record, f) for f in COMPARED_FIELDS):
            result.unchanged += 1
        else:
            for f in COMPARED_FIELDS:
                setattr(old, f, getattr(record, f))
            changed.append(old)
    result.new, result.updated = len(new), len(changed)
    if dry_run or not (new or changed):
        return result
    with transaction.atomic():
        AwardRecord.objects.bulk_create(new, batch_size=1000)
        if changed:
            AwardRecord.objects.bulk_update(changed, [f.removesuffix("_id") for f in COMPARED_FIELDS], 1000)
        audit.record(
            actor=actor,
            action="nominations.awardrecord.import",
            payload={
                "file": table.filename,
                "sha256": file_digest(table.data),
                "new": result.new,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def award_history_template_xlsx() -> bytes:
    """The file to fill in: the header row of :data:`HISTORY_COLUMNS`, in Vietnamese. No side effects."""
    from workflows.exports import Styled, xlsx_bytes

    with translation.override("vi"):
        header = [Styled(str(c.header), bold=True) for c in HISTORY_COLUMNS]
        title = _("Sổ theo dõi khen thưởng")
    return xlsx_bytes([header], sheet_title=title, column_widths=[32, 16, 14, 16, 32, 30, 14, 18, 16, 8, 30, 30])
