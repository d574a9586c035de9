"""Quotas and priorities of a campaign's awards (domain rule 11), the scoring classification a campaign may require
(rule 12), and the campaign's duration and level against the award form (rule 2): the checks made when a unit
submits a dossier, when the board proposes a nominee and when it completes an appraisal.

The campaign's own numbers are data (``NominationQuota``, one per campaign and award form), set by the board
(:func:`set_quota`); an empty field does not limit, and a campaign without a quota for an award form is not limited.

- **Per unit, at submission** (:func:`submission_problems`): the unit's nominees of the dossier's award form in the
  campaign are those of this dossier and of the unit's other dossiers of that form that left the unit (every state
  but draft: a returned dossier still counts, it comes back). At most ``max_per_unit_individual`` individuals and
  ``max_per_unit_collective`` collectives (households are not capped); among the individuals, at least
  ``min_direct_worker_share`` percent doing direct work (``Nominee.direct_worker``: priority to people working
  directly and to non-leaders, Law 06/2022/QH15 Art. 5 and the dossier's rule set). A share exactly at the minimum
  passes.
- **Classification, at submission**: with ``required_classes``, a collective nominee that is a unit of the tree
  (``collective_unit``) needs a finalized or published scorecard of the campaign's collective table with one of the
  classes; an individual, when the campaign has an individual table, needs one of that table (the dossier's unit,
  the person's name compared as :func:`~nominations.services.dossiers.canonical_name`). A subject kind without a
  table in the campaign is not checked (nothing could be scored).
- **Award form against the campaign** (rule 2), at submission, with or without a quota: the award type of the
  dossier's pinned rule set (or the campaign's): ``min_campaign_months`` against the campaign's duration and
  ``thematic_only`` against ``Campaign.is_thematic`` (:func:`competition.services.rulesets.award_form_problems`);
  and a thematic-only form (Cờ thi đua) needs a campaign launched at the level of the form's authority.
- **Campaign-wide, when the board accepts a nominee** (:func:`acceptance_problems`): at most
  ``max_campaign_individual`` accepted individuals, and at most ``max_campaign_collective_percent`` percent of the
  campaign's enrolled units as accepted collectives (:func:`collective_cap`: rounded down, at least one when the
  percent is above zero and a unit is enrolled; 0 % allows none). Accepted nominees count in every state of their
  dossier (an opinion survives a return during appraisal). The quota row is locked while counting, so two officers
  cannot both take the last place.
- **Campaign-wide, when the board completes an appraisal** (:func:`completion_problems`): the direct-work share
  among the accepted individuals of the form's appraised and decided dossiers plus this dossier's.
- **The board's overview** (:func:`quota_summary`): per award form, the caps, what is used (proposed by units,
  accepted by the board) and the direct-work shares, per unit and campaign-wide, in a fixed number of queries.

Messages are Vietnamese sentences naming the rule, its basis (``NominationQuota.basis``, the campaign's document)
and what to fix; they never carry personal data (domain rule 16).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.enums import Authority, CampaignLevel, CampaignState
from competition.models import AwardType, Campaign, Unit
from competition.services.rulesets import award_form_problems
from scoring.enums import Subject
from scoring.models import ClassThreshold, Scorecard
from scoring.services.ranking import RANKED_STATES
from workflows import audit
from workflows.exceptions import TransitionForbidden, TransitionRefused

from ..enums import AppraisalResult, DossierState, NomineeKind
from ..models import Dossier, NominationQuota, Nominee

LAW_PRIORITY = gettext_lazy("Điều 5 Luật Thi đua, khen thưởng số 06/2022/QH15")
NOT_SCORED = gettext_lazy("chưa được chấm điểm, xếp loại")
# Dossiers whose appraisal is over: their accepted individuals count toward the campaign-wide share.
APPRAISED_STATES = (DossierState.APPRAISED, DossierState.DECIDED)
# The level a thematic-only award form's campaign must be launched at, by the form's authority (rule 2).
LEVEL_OF_AUTHORITY = {
    Authority.PROVINCIAL_CHAIRMAN: CampaignLevel.PROVINCIAL,
    Authority.DEPARTMENT_HEAD: CampaignLevel.DEPARTMENT,
    Authority.COMMUNE_CHAIRMAN: CampaignLevel.COMMUNE,
}
COUNT_FIELDS = ("max_per_unit_individual", "max_per_unit_collective", "max_campaign_individual")
PERCENT_FIELDS = ("max_campaign_collective_percent", "min_direct_worker_share")
QUOTA_FIELDS = (*COUNT_FIELDS, *PERCENT_FIELDS, "required_classes", "basis")
HUNDRED = Decimal(100)


# --- Small helpers ---------------------------------------------------------------------------------------------


def percent_text(value) -> str:
    """A percent as Vietnamese write it: 10.00 → "10", 12.50 → "12,5" (never rounded up)."""
    number = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def share_of(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent (None when ``whole`` is zero)."""
    return Decimal(part) * HUNDRED / whole if whole else None


def meets_share(direct: int, total: int, minimum) -> bool:
    """Whether ``direct`` of ``total`` reaches ``minimum`` percent; exactly at the minimum passes (exact
    arithmetic)."""
    return minimum is None or total == 0 or Decimal(direct) * HUNDRED >= Decimal(minimum) * total


def needed_for_share(total: int, minimum) -> int:
    """The fewest of ``total`` that reach ``minimum`` percent."""
    return int((Decimal(minimum) * total / HUNDRED).to_integral_value(rounding=ROUND_CEILING))


def collective_cap(percent, enrolled: int) -> int | None:
    """How many collectives a campaign of ``enrolled`` units may propose under ``percent``: rounded down, at least
    one when the percent is above zero and a unit is enrolled (the rounding of ``scoring.services.ranking.
    quota_limit``); 0 % allows none; None without a percent."""
    if percent is None:
        return None
    percent = Decimal(percent)
    if percent <= 0 or enrolled <= 0:
        return 0
    return max(int((percent * enrolled / HUNDRED).to_integral_value(rounding=ROUND_FLOOR)), 1)


def basis_of(quota: NominationQuota, campaign: Campaign | None = None) -> str:
    """The document the quota comes from, as messages cite it."""
    if quota.basis.strip():
        return quota.basis.strip()
    return _("chỉ tiêu khen thưởng của phong trào “%(c)s”") % {"c": campaign or quota.campaign}


def quota_for(campaign_id: int, award_type_code: str, *, lock: bool = False) -> NominationQuota | None:
    queryset = NominationQuota.objects.filter(campaign_id=campaign_id, award_type_code=award_type_code)
    if lock and connection.features.has_select_for_update and connection.in_atomic_block:
        queryset = queryset.select_for_update()
    return queryset.first()


def _award_of(dossier: Dossier) -> AwardType | None:
    rule_set_id = dossier.rule_set_id or dossier.campaign.rule_set_id
    if rule_set_id is None:
        return None
    return AwardType.objects.filter(rule_set_id=rule_set_id, code=dossier.award_type_code).first()


def _award_name(award: AwardType | None, code: str) -> str:
    return award.name if award is not None else code


@dataclass
class Tally:
    """Nominees counted by kind, and the individuals doing direct work."""

    individuals: int = 0
    collectives: int = 0
    households: int = 0
    direct: int = 0

    def add(self, kind: str, direct_worker: bool, n: int) -> None:
        if kind == NomineeKind.INDIVIDUAL:
            self.individuals += n
            if direct_worker:
                self.direct += n
        elif kind == NomineeKind.COLLECTIVE:
            self.collectives += n
        else:
            self.households += n

    @property
    def direct_share(self) -> Decimal | None:
        return share_of(self.direct, self.individuals)


def _tally(queryset) -> Tally:
    tally = Tally()
    for row in queryset.values("kind", "direct_worker").annotate(n=Count("pk")).order_by():
        tally.add(row["kind"], row["direct_worker"], row["n"])
    return tally


# --- At submission (per unit) ----------------------------------------------------------------------------------


def _unit_problems(dossier: Dossier, quota: NominationQuota, award_name: str) -> list[str]:
    """The per-unit caps and the unit's direct-work share."""
    if (
        quota.max_per_unit_individual is None
        and quota.max_per_unit_collective is None
        and quota.min_direct_worker_share is None
    ):
        return []
    others = Nominee.objects.filter(
        dossier__campaign_id=dossier.campaign_id,
        dossier__unit_id=dossier.unit_id,
        dossier__award_type_code=dossier.award_type_code,
    ).exclude(Q(dossier__state=DossierState.DRAFT) | Q(dossier_id=dossier.pk))
    own, other = _tally(Nominee.objects.filter(dossier_id=dossier.pk)), _tally(others)
    basis = basis_of(quota, dossier.campaign)
    problems = []
    for cap, mine, theirs, message in (
        (
            quota.max_per_unit_individual,
            own.individuals,
            other.individuals,
            _(
                "Vượt chỉ tiêu cá nhân của đơn vị: %(unit)s đề nghị %(n)s cá nhân cho “%(award)s” (hồ sơ này %(own)s, "
                "các hồ sơ khác đã gửi %(others)s), tối đa %(cap)s theo %(basis)s: hãy bỏ bớt %(excess)s cá nhân."
            ),
        ),
        (
            quota.max_per_unit_collective,
            own.collectives,
            other.collectives,
            _(
                "Vượt chỉ tiêu tập thể của đơn vị: %(unit)s đề nghị %(n)s tập thể cho “%(award)s” (hồ sơ này %(own)s, "
                "các hồ sơ khác đã gửi %(others)s), tối đa %(cap)s theo %(basis)s: hãy bỏ bớt %(excess)s tập thể."
            ),
        ),
    ):
        if cap is not None and mine + theirs > cap and mine > 0:
            problems.append(
                message
                % {
                    "unit": dossier.unit,
                    "n": mine + theirs,
                    "award": award_name,
                    "own": mine,
                    "others": theirs,
                    "cap": cap,
                    "basis": basis,
                    "excess": min(mine + theirs - cap, mine),
                }
            )
    total, direct = own.individuals + other.individuals, own.direct + other.direct
    minimum = quota.min_direct_worker_share
    if own.individuals and not meets_share(direct, total, minimum):
        need = needed_for_share(total, minimum)
        problems.append(
            _(
                "Chưa đủ tỷ lệ người trực tiếp lao động, công tác: trong %(total)s cá nhân %(unit)s đề nghị "
                "“%(award)s” có %(direct)s người trực tiếp lao động, công tác (%(share)s%%), tối thiểu %(min)s%% "
                "theo %(basis)s (ưu tiên người trực tiếp lao động, công tác: %(law)s; %(rule_set)s): cần ít nhất "
                "%(need)s người không giữ chức vụ lãnh đạo, quản lý; hãy thay %(missing)s người giữ chức vụ lãnh đạo, "
                "quản lý bằng người trực tiếp lao động, công tác."
            )
            % {
                "total": total,
                "unit": dossier.unit,
                "award": award_name,
                "direct": direct,
                "share": percent_text(share_of(direct, total)),
                "min": percent_text(minimum),
                "basis": basis,
                "law": LAW_PRIORITY,
                "rule_set": dossier.rule_set or dossier.campaign.rule_set or "",
                "need": need,
                "missing": need - direct,
            }
        )
    return problems


def _class_problems(dossier: Dossier, quota: NominationQuota, award_name: str) -> list[str]:
    """Every nominee the required classification applies to needs a finalized scorecard with one of the classes."""
    from .dossiers import canonical_name  # dossiers imports this module

    required = [str(code) for code in quota.required_classes or []]
    if not required:
        return []
    tables = {
        row["subject"]: row["pk"]
        for row in dossier.campaign.scoring_tables.filter(subject__in=[Subject.COLLECTIVE, Subject.INDIVIDUAL]).values(
            "pk", "subject"
        )
    }
    if not tables:
        return []
    labels: dict[int, dict[str, str]] = defaultdict(dict)
    for table_id, code, label in ClassThreshold.objects.filter(table_id__in=tables.values()).values_list(
        "table_id", "code", "label"
    ):
        labels[table_id][code] = label
    nominees = list(dossier.nominees.order_by("order", "pk"))
    subjects = []  # (nominee, table id, unit id, canonical person name or "")
    for nominee in nominees:
        if nominee.kind == NomineeKind.COLLECTIVE and nominee.collective_unit_id and Subject.COLLECTIVE in tables:
            subjects.append((nominee, tables[Subject.COLLECTIVE], nominee.collective_unit_id, ""))
        elif nominee.kind == NomineeKind.INDIVIDUAL and Subject.INDIVIDUAL in tables:
            subjects.append((nominee, tables[Subject.INDIVIDUAL], dossier.unit_id, canonical_name(nominee.name)))
    if not subjects:
        return []
    found: dict[tuple[int, int, str], str] = {}
    scorecards = Scorecard.objects.filter(
        table_id__in={s[1] for s in subjects}, unit_id__in={s[2] for s in subjects}, state__in=RANKED_STATES
    ).values_list("table_id", "unit_id", "person_name", "classification")
    for table_id, unit_id, person_name, classification in scorecards:
        found[(table_id, unit_id, canonical_name(person_name))] = classification
    basis = basis_of(quota, dossier.campaign)
    problems = []
    for nominee, table_id, unit_id, person in subjects:
        classification = found.get((table_id, unit_id, person))
        if classification in required:
            continue
        table_labels = labels[table_id]
        shown = [code for code in required if code in table_labels] or required
        problems.append(
            _(
                "Xếp loại thi đua của “%(n)s”: %(cls)s; để được đề nghị “%(award)s” cần xếp loại %(required)s theo "
                "%(basis)s: hãy bỏ “%(n)s” khỏi hồ sơ (hoặc chờ Ban Thi đua - Khen thưởng chốt điểm, nếu chưa chấm "
                "xong)."
            )
            % {
                "n": nominee.name,
                "cls": table_labels.get(classification, classification) if classification else NOT_SCORED,
                "award": award_name,
                "required": ", ".join(f"“{table_labels.get(code, code)}”" for code in shown),
                "basis": basis,
            }
        )
    return problems


def _award_form_problems(dossier: Dossier, award: AwardType | None) -> list[str]:
    """Domain rule 2: the campaign's duration, thematic nature and level against the award form."""
    if award is None:
        return []
    campaign = dossier.campaign
    basis = award.legal_reference or str(award.rule_set)
    found = award_form_problems(
        award.rule_set, [award.code], duration_months=campaign.duration_months, thematic=campaign.is_thematic
    )
    level = LEVEL_OF_AUTHORITY.get(award.authority)
    if award.thematic_only and level is not None and campaign.level != level:
        found.append(
            _(
                "“%(award)s” chỉ dành cho phong trào theo chuyên đề do %(level)s phát động; phong trào này do "
                "%(campaign)s phát động."
            )
            % {
                "award": award,
                "level": CampaignLevel(level).label.lower(),
                "campaign": campaign.get_level_display().lower(),
            }
        )
    return [
        _(
            "Hình thức khen thưởng không phù hợp với phong trào “%(c)s” (%(basis)s): %(problem)s Hãy lập hồ sơ với "
            "một hình thức khen thưởng khác của phong trào."
        )
        % {"c": campaign, "basis": basis, "problem": problem}
        for problem in found
    ]


def submission_problems(dossier: Dossier) -> list[str]:
    """Why the unit cannot submit ``dossier`` under the campaign's quotas and priorities (per unit), the
    classification it requires and the award form's conditions; empty when nothing stands in the way. No side
    effects."""
    award = _award_of(dossier)
    problems = _award_form_problems(dossier, award)
    quota = quota_for(dossier.campaign_id, dossier.award_type_code)
    if quota is None:
        return problems
    name = _award_name(award, dossier.award_type_code)
    return problems + _unit_problems(dossier, quota, name) + _class_problems(dossier, quota, name)


# --- At appraisal (campaign-wide) ------------------------------------------------------------------------------


def _accepted(campaign_id: int, award_type_code: str):
    return Nominee.objects.filter(
        dossier__campaign_id=campaign_id,
        dossier__award_type_code=award_type_code,
        appraisal_result=AppraisalResult.ACCEPTED,
    )


def acceptance_problems(nominee: Nominee, dossier: Dossier) -> list[str]:
    """Why the board cannot propose ``nominee`` (accept it at appraisal) under the campaign-wide quotas: the
    accepted individuals (or collectives) of the award form across the campaign, this one excluded, plus one, must
    not exceed the cap. Locks the quota row when called inside a transaction. No other side effects."""
    if nominee.kind not in (NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE):
        return []
    quota = quota_for(dossier.campaign_id, dossier.award_type_code, lock=True)
    if quota is None:
        return []
    if nominee.kind == NomineeKind.INDIVIDUAL:
        cap = quota.max_campaign_individual
    else:
        cap = quota.max_campaign_collective_percent
    if cap is None:
        return []
    used = _accepted(dossier.campaign_id, dossier.award_type_code).filter(kind=nominee.kind).exclude(pk=nominee.pk)
    used = used.count()
    award = _award_name(_award_of(dossier), dossier.award_type_code)
    basis = basis_of(quota, dossier.campaign)
    if nominee.kind == NomineeKind.INDIVIDUAL:
        if used + 1 <= cap:
            return []
        return [
            _(
                "Vượt chỉ tiêu cá nhân của phong trào: “%(award)s” được đề nghị tối đa %(cap)s cá nhân theo "
                "%(basis)s, đã đề nghị %(used)s: không đề nghị thêm được “%(n)s”; hãy ghi “không đề nghị” cho người "
                "này, hoặc bớt một cá nhân đã được đề nghị trước."
            )
            % {"award": award, "cap": cap, "basis": basis, "used": used, "n": nominee.name}
        ]
    enrolled = dossier.campaign.enrolments.count()
    limit = collective_cap(cap, enrolled)
    if used + 1 <= limit:
        return []
    return [
        _(
            "Vượt chỉ tiêu tập thể của phong trào: “%(award)s” được đề nghị cho tối đa %(percent)s%% số đơn vị tham "
            "gia theo %(basis)s, tức %(cap)s tập thể trên %(enrolled)s đơn vị (làm tròn xuống), đã đề nghị %(used)s: "
            "không đề nghị thêm được “%(n)s”; hãy ghi “không đề nghị” cho tập thể này, hoặc bớt một tập thể đã được "
            "đề nghị trước."
        )
        % {
            "award": award,
            "percent": percent_text(cap),
            "basis": basis,
            "cap": limit,
            "enrolled": enrolled,
            "used": used,
            "n": nominee.name,
        }
    ]


def completion_problems(dossier: Dossier) -> list[str]:
    """Why the board cannot complete the appraisal of ``dossier`` (campaign-wide priorities): the minimum share of
    individuals doing direct work among the accepted individuals of the award form's appraised and decided dossiers
    and of this one. No side effects."""
    quota = quota_for(dossier.campaign_id, dossier.award_type_code)
    if quota is None or quota.min_direct_worker_share is None:
        return []
    accepted = _accepted(dossier.campaign_id, dossier.award_type_code).filter(
        Q(dossier__state__in=APPRAISED_STATES) | Q(dossier_id=dossier.pk), kind=NomineeKind.INDIVIDUAL
    )
    tally = _tally(accepted)
    minimum = quota.min_direct_worker_share
    if meets_share(tally.direct, tally.individuals, minimum):
        return []
    need = needed_for_share(tally.individuals, minimum)
    return [
        _(
            "Chưa đủ tỷ lệ người trực tiếp lao động, công tác trong toàn phong trào: trong %(total)s cá nhân được đề "
            "nghị “%(award)s” (các hồ sơ đã thẩm định và hồ sơ này) có %(direct)s người trực tiếp lao động, công tác "
            "(%(share)s%%), tối thiểu %(min)s%% theo %(basis)s (ưu tiên người trực tiếp lao động, công tác: "
            "%(law)s; %(rule_set)s): cần ít nhất %(need)s người, còn thiếu %(missing)s; hãy đề nghị thêm người trực "
            "tiếp lao động, công tác hoặc ghi “không đề nghị” cho người giữ chức vụ lãnh đạo, quản lý của hồ sơ này."
        )
        % {
            "total": tally.individuals,
            "award": _award_name(_award_of(dossier), dossier.award_type_code),
            "direct": tally.direct,
            "share": percent_text(tally.direct_share),
            "min": percent_text(minimum),
            "basis": basis_of(quota, dossier.campaign),
            "law": LAW_PRIORITY,
            "rule_set": dossier.rule_set or dossier.campaign.rule_set or "",
            "need": need,
            "missing": need - tally.direct,
        }
    ]


# --- The board's overview ---------------------------------------------------------------------------------------


@dataclass
class UnitUse:
    """What one unit proposed for one award form (dossiers that left the unit) and what the board accepted."""

    unit: Unit
    proposed: Tally = field(default_factory=Tally)
    accepted: Tally = field(default_factory=Tally)
    over_individual: bool = False
    over_collective: bool = False
    share_short: bool = False


@dataclass
class FormSummary:
    """One award form of the campaign: its quota (None: not set), the collective cap it gives, what is used."""

    code: str
    award: AwardType | None
    quota: NominationQuota | None
    enrolled: int
    proposed: Tally = field(default_factory=Tally)
    accepted: Tally = field(default_factory=Tally)
    units: list[UnitUse] = field(default_factory=list)
    required_labels: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return _award_name(self.award, self.code)

    @property
    def collective_cap(self) -> int | None:
        return collective_cap(self.quota.max_campaign_collective_percent if self.quota else None, self.enrolled)

    @property
    def individual_full(self) -> bool:
        cap = self.quota.max_campaign_individual if self.quota else None
        return cap is not None and self.accepted.individuals >= cap

    @property
    def collective_full(self) -> bool:
        cap = self.collective_cap
        return cap is not None and self.accepted.collectives >= cap

    @property
    def share_short(self) -> bool:
        minimum = self.quota.min_direct_worker_share if self.quota else None
        return not meets_share(self.accepted.direct, self.accepted.individuals, minimum)


def campaign_class_labels(campaign: Campaign) -> dict[str, str]:
    """The class codes of the campaign's scoring tables and their labels ("Xuất sắc (tập thể)" when the tables
    disagree on a code's label), in the tables' order."""
    seen: dict[str, list[str]] = {}
    for code, label in (
        ClassThreshold.objects.filter(table__campaign=campaign)
        .order_by("table__subject", "-min_total", "order")
        .values_list("code", "label")
    ):
        labels = seen.setdefault(code, [])
        if label not in labels:
            labels.append(label)
    return {code: " / ".join(labels) for code, labels in seen.items()}


def quota_summary(campaign: Campaign) -> list[FormSummary]:
    """Per award form of ``campaign`` (its ``award_type_codes``, in order): the quota, the caps, what units proposed
    (dossiers that left the unit) and what the board accepted, per unit and campaign-wide, with the direct-work
    shares. At most six queries whatever the number of dossiers and nominees. No side effects."""
    codes = list(campaign.award_type_codes or [])
    quotas = {
        q.award_type_code: q for q in NominationQuota.objects.filter(campaign=campaign, award_type_code__in=codes)
    }
    awards = {}
    if campaign.rule_set_id:
        awards = {a.code: a for a in AwardType.objects.filter(rule_set_id=campaign.rule_set_id, code__in=codes)}
    enrolled = campaign.enrolments.count()
    class_labels = campaign_class_labels(campaign)
    summaries = {
        code: FormSummary(code=code, award=awards.get(code), quota=quotas.get(code), enrolled=enrolled)
        for code in codes
    }
    rows = (
        Nominee.objects.filter(dossier__campaign=campaign, dossier__award_type_code__in=codes)
        .exclude(dossier__state=DossierState.DRAFT)
        .values("dossier__award_type_code", "dossier__unit_id", "kind", "direct_worker", "appraisal_result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_unit: dict[str, dict[int, UnitUse]] = defaultdict(dict)
    unit_ids: set[int] = set()
    counted = list(rows)
    for row in counted:
        unit_ids.add(row["dossier__unit_id"])
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    for row in counted:
        summary = summaries[row["dossier__award_type_code"]]
        use = per_unit[summary.code].get(row["dossier__unit_id"])
        if use is None:
            use = per_unit[summary.code][row["dossier__unit_id"]] = UnitUse(unit=units[row["dossier__unit_id"]])
        use.proposed.add(row["kind"], row["direct_worker"], row["n"])
        summary.proposed.add(row["kind"], row["direct_worker"], row["n"])
        if row["appraisal_result"] == AppraisalResult.ACCEPTED:
            use.accepted.add(row["kind"], row["direct_worker"], row["n"])
            summary.accepted.add(row["kind"], row["direct_worker"], row["n"])
    for code, summary in summaries.items():
        quota = summary.quota
        summary.units = sorted(per_unit[code].values(), key=lambda u: (u.unit.path, u.unit.name))
        summary.required_labels = [class_labels.get(c, c) for c in (quota.required_classes if quota else [])]
        for use in summary.units:
            if quota is None:
                continue
            use.over_individual = (
                quota.max_per_unit_individual is not None and use.proposed.individuals > quota.max_per_unit_individual
            )
            use.over_collective = (
                quota.max_per_unit_collective is not None and use.proposed.collectives > quota.max_per_unit_collective
            )
            use.share_short = not meets_share(
                use.proposed.direct, use.proposed.individuals, quota.min_direct_worker_share
            )
    return [summaries[code] for code in codes]


# --- Setting a quota --------------------------------------------------------------------------------------------


def _label(name: str) -> str:
    return str(NominationQuota._meta.get_field(name).verbose_name)


def _clean_count(name: str, raw) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise ValidationError(
                _("“%(label)s” phải là số nguyên, ví dụ 3; để trống nếu không giới hạn (nhận được “%(raw)s”).")
                % {"label": _label(name), "raw": raw}
            )
        value = int(text)
    if value < 0:
        raise ValidationError(
            _("“%(label)s” không được âm: hãy nhập 0 hoặc một số lớn hơn; để trống nếu không giới hạn.")
            % {"label": _label(name)}
        )
    return value


def _clean_percent(name: str, raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    error = ValidationError(
        _(
            "“%(label)s” là tỷ lệ phần trăm: hãy nhập một số từ 0 đến 100, ví dụ 10 hoặc 12,5; để trống nếu không "
            "giới hạn (nhận được “%(raw)s”)."
        )
        % {"label": _label(name), "raw": raw}
    )
    if isinstance(raw, bool):
        raise error
    if isinstance(raw, Decimal | int | float):
        text = str(raw)
    else:
        text = str(raw).strip().replace(" ", "").removesuffix("%").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise error from None
    if not value.is_finite() or not (0 <= value <= HUNDRED):
        raise error
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            _("“%(label)s” chỉ được có tối đa 2 chữ số thập phân (nhận được “%(raw)s”).")
            % {"label": _label(name), "raw": raw}
        )
    return value.quantize(Decimal("0.01"))


def _clean_classes(campaign: Campaign, raw) -> list[str]:
    if raw is None:
        return []
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else [str(code) for code in raw]
    codes = list(dict.fromkeys(code.strip() for code in items if code and code.strip()))
    if not codes:
        return []
    valid = campaign_class_labels(campaign)
    if not valid:
        raise ValidationError(
            _(
                "Phong trào “%(c)s” chưa có bảng chấm điểm nào có mức xếp loại: hãy lập bảng chấm điểm trước, hoặc để "
                "trống “%(label)s”."
            )
            % {"c": campaign, "label": _label("required_classes")}
        )
    unknown = [code for code in codes if code not in valid]
    if unknown:
        raise ValidationError(
            _("Không có mức xếp loại %(codes)s trong các bảng chấm điểm của phong trào: hãy chọn trong %(valid)s.")
            % {
                "codes": ", ".join(f"“{code}”" for code in unknown),
                "valid": ", ".join(f"“{label}” ({code})" for code, label in valid.items()),
            }
        )
    return codes


def _clean_basis(raw) -> str:
    value = re.sub(r"\s+", " ", str(raw or "")).strip()
    limit = NominationQuota._meta.get_field("basis").max_length
    if len(value) > limit:
        raise ValidationError(
            _("“%(label)s” dài quá %(n)s ký tự; hãy rút gọn.") % {"label": _label("basis"), "n": limit}
        )
    return value


def clean_quota_values(campaign: Campaign, values: dict) -> dict:
    """Convert and check the values of a quota (strings from a form, or typed values). Raises ``ValidationError``
    with a Vietnamese message per field (``error_dict``) saying what to fix; ``TypeError`` for an unknown field."""
    unknown = set(values) - set(QUOTA_FIELDS)
    if unknown:
        raise TypeError(f"unknown quota fields: {sorted(unknown)}")
    cleaned, errors = {}, {}
    for name, raw in values.items():
        try:
            if name in COUNT_FIELDS:
                cleaned[name] = _clean_count(name, raw)
            elif name in PERCENT_FIELDS:
                cleaned[name] = _clean_percent(name, raw)
            elif name == "required_classes":
                cleaned[name] = _clean_classes(campaign, raw)
            else:
                cleaned[name] = _clean_basis(raw)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _jsonable(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def set_quota(campaign: Campaign, award_type_code: str, *, actor, **values) -> NominationQuota:
    """The board sets the campaign's quota for one award form (domain rule 11): the fields of ``values`` (any of
    ``QUOTA_FIELDS``; an empty value does not limit) are set, the others kept.

    Checks: the actor has ``nominations.change_nominationquota`` (the board; ``TransitionForbidden``); the award form
    is one of the campaign's and the campaign is not closed (``TransitionRefused``); counts are whole numbers, not
    negative; percents are from 0 to 100 with at most two decimals; required classes are codes of the classes of
    the campaign's scoring tables (``ValidationError``, one Vietnamese message per field).

    Side effects, only when a value changes: the ``NominationQuota`` row (created if missing) and one audit event
    ``nominations.nominationquota.set`` with the old and new value of each changed field, in one transaction.
    """
    if not getattr(actor, "is_system", False) and not actor.has_perm("nominations.change_nominationquota", campaign):
        raise TransitionForbidden(_("Chỉ Ban Thi đua - Khen thưởng được đặt chỉ tiêu khen thưởng của phong trào."))
    if award_type_code not in (campaign.award_type_codes or []):
        raise TransitionRefused(
            _("Hình thức khen thưởng “%(code)s” không thuộc các hình thức của phong trào “%(c)s”.")
            % {"code": award_type_code, "c": campaign}
        )
    if campaign.state == CampaignState.CLOSED:
        raise TransitionRefused(
            _("Phong trào “%(c)s” đã kết thúc: không sửa được chỉ tiêu khen thưởng.") % {"c": campaign}
        )
    cleaned = clean_quota_values(campaign, values)
    with transaction.atomic():
        quota = NominationQuota.objects.select_for_update().filter(
            campaign=campaign, award_type_code=award_type_code
        ).first() or NominationQuota(campaign=campaign, award_type_code=award_type_code)
        changes = {
            name: {"old": _jsonable(getattr(quota, name)), "new": _jsonable(value)}
            for name, value in cleaned.items()
            if getattr(quota, name) != value
        }
        if not changes:
            return quota
        for name, value in cleaned.items():
            setattr(quota, name, value)
        quota.save()
        audit.record(
            actor=actor,
            action="nominations.nominationquota.set",
            obj=quota,
            payload={"campaign": campaign.code, "award_type": award_type_code, "changes": changes},
        )
    return quota
