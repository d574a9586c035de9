"""The summary of a campaign (tổng kết, domain step 15; issue 7 item 7): what the board and the coordinating
department report when the campaign ends.

Four parts, each read from the services that already compute it (nothing is recomputed here):

- **plans issued** and **indicator outcomes against targets** come from the campaign dashboard
  (``competition.services.dashboard.build_dashboard``): the plan rate (submitted + accepted plans over enrolled
  units), and each indicator's province tally at the latest reporting period that has started;
- **scores and classes**: the finalized and published scorecards of each scoring table
  (``scoring.services.ranking.ranked_scorecards``): how many, per class, the average final total, province-wide and
  per cluster or bloc;
- **awards** of the campaign's issued decisions (signed, published or not), except those revoked by a decided
  revocation (Law 06/2022 Art. 93: a revoked award no longer counts): per award form × subject kind (collective,
  individual, household), per proposing unit, individuals by gender and those doing direct work, and the money
  (``Award.amount``) per form and overall.

Every figure is read through the caller's scoped querysets (``scope(user, …)``, architecture principle 7); the
permission ``nominations.view_summary_campaign`` (nominations/rules.py) keeps units out. The number of queries is
fixed: it does not grow with the number of units, scorecards or awards (asserted in
tests/nominations/test_summary.py); the dashboard adds one per reporting period whose due date has passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.enums import SubjectKind
from competition.models import Campaign, ProgressReport, Unit, UnitPlan
from competition.models.progress import percent_of
from competition.scoping import scope
from competition.services.dashboard import Dashboard, IndicatorView, PlanSummary, build_dashboard
from scoring.enums import Subject
from scoring.models import ClassThreshold, Scorecard, ScoringTable
from scoring.services.ranking import ranked_scorecards

from ..enums import ISSUED_DECISION_STATES, Gender, RevocationState
from ..models import Award, Revocation

SUBJECT_ORDER = (SubjectKind.COLLECTIVE, SubjectKind.INDIVIDUAL, SubjectKind.HOUSEHOLD)
UNCLASSIFIED = ""  # a finalized scorecard without a class (the table has no threshold it reaches)
# A revocation that took effect: the award no longer counts.
REVOKED_STATES = (RevocationState.DECIDED, RevocationState.RECOVERED)


def average(total: Decimal | int | None, count: int) -> Decimal | None:
    """``total`` / ``count`` to 0.01 (half up); None without any."""
    if not count or total is None:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Scores and classes ----------------------------------------------------------------------------------------


@dataclass
class ScoreGroup:
    """The scorecards of one scope (the province, or one cluster or bloc): how many, per class, their total."""

    name: str
    count: int = 0
    points: Decimal = Decimal(0)
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def average(self) -> Decimal | None:
        return average(self.points, self.count)


@dataclass
class TableScores:
    """One scoring table (collectives or individuals) of the campaign."""

    table: ScoringTable
    classes: list[tuple[str, str]]  # (code, label), best first; UNCLASSIFIED last when any scorecard has no class
    province: ScoreGroup
    clusters: list[ScoreGroup]

    def class_counts(self, group: ScoreGroup | None = None) -> list[tuple[str, int]]:
        """(label, count) of every class of the table, in order, for ``group`` (default: the province)."""
        group = group or self.province
        return [(label, group.classes.get(code, 0)) for code, label in self.classes]

    @property
    def cluster_rows(self) -> list[tuple[ScoreGroup, list[int]]]:
        """Each cluster or bloc with its counts per class, in the order of :attr:`classes` (for the page)."""
        return [(group, [n for _label, n in self.class_counts(group)]) for group in self.clusters]


def _score_groups(rows, key: str, names: dict) -> dict:
    groups: dict = {}
    for row in rows:
        ident = row[key]
        group = groups.get(ident)
        if group is None:
            group = groups[ident] = ScoreGroup(name=names.get(ident, ""))
        group.count += row["n"]
        group.points += row["points"] or 0
        klass = row["classification"] or UNCLASSIFIED
        group.classes[klass] = group.classes.get(klass, 0) + row["n"]
    return groups


def score_summary(campaign: Campaign, scorecards: QuerySet) -> list[TableScores]:
    """The finalized and published scorecards of each of ``campaign``'s scoring tables among ``scorecards`` (the
    caller's scoped queryset): per class and on average, province-wide and per cluster or bloc. Two queries, plus
    two per table (a campaign has at most one table per subject)."""
    tables = list(ScoringTable.objects.filter(campaign=campaign).order_by("subject", "pk"))
    thresholds: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row in ClassThreshold.objects.filter(table__in=tables).order_by("table", "-min_total", "order"):
        thresholds[row.table_id].append((row.code, row.label))
    result = []
    for table in tables:
        ranked = ranked_scorecards(table, scorecards=scorecards)
        totals = ranked.values("classification").annotate(n=Count("pk"), points=Sum("final_total")).order_by()
        province = _score_groups(({**row, "scope": 0} for row in totals), "scope", {}).get(0) or ScoreGroup(name="")
        province.name = _("Toàn tỉnh")
        by_cluster = (
            ranked.filter(unit__clusters__isnull=False)
            .values(
                "unit__clusters",
                "unit__clusters__name",
                "unit__clusters__kind",
                "unit__clusters__code",
                "classification",
            )
            .annotate(n=Count("pk"), points=Sum("final_total"))
            .order_by("unit__clusters__kind", "unit__clusters__code")
        )
        rows = list(by_cluster)
        names = {row["unit__clusters"]: row["unit__clusters__name"] for row in rows}
        clusters = list(_score_groups(rows, "unit__clusters", names).values())
        classes = list(thresholds.get(table.pk, []))
        known = {code for code, _label in classes}
        if any(code not in known for code in province.classes):
            classes.append((UNCLASSIFIED, _("Chưa xếp loại")))
        result.append(TableScores(table=table, classes=classes, province=province, clusters=clusters))
    return result


# --- Awards ------------------------------------------------------------------------------------------------------


def _kinds() -> dict[str, int]:
    return dict.fromkeys(SUBJECT_ORDER, 0)


@dataclass
class AwardTypeRow:
    """One award form: how many awards per subject kind, of which women and direct workers, and the money."""

    code: str
    name: str
    order: int = 0
    decisions: int = 0
    counts: dict[str, int] = field(default_factory=_kinds)
    amounts: dict[str, int] = field(default_factory=_kinds)
    female: int = 0
    male: int = 0
    direct_worker: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def amount(self) -> int:
        return sum(self.amounts.values())


@dataclass
class UnitAwardRow:
    """The awards proposed by one unit (the unit of the nominee's dossier)."""

    unit_id: int
    name: str
    code: str
    counts: dict[str, int] = field(default_factory=_kinds)
    amount: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class AwardSummary:
    by_type: list[AwardTypeRow]
    by_unit: list[UnitAwardRow]  # most awards first, then by unit path
    decisions: int

    @property
    def counts(self) -> dict[str, int]:
        totals = _kinds()
        for row in self.by_type:
            for kind, n in row.counts.items():
                totals[kind] += n
        return totals

    @property
    def total(self) -> int:
        return sum(row.total for row in self.by_type)

    @property
    def amount(self) -> int:
        return sum(row.amount for row in self.by_type)

    @property
    def individuals(self) -> int:
        return self.counts[SubjectKind.INDIVIDUAL]

    @property
    def female(self) -> int:
        return sum(row.female for row in self.by_type)

    @property
    def male(self) -> int:
        return sum(row.male for row in self.by_type)

    @property
    def gender_unknown(self) -> int:
        return self.individuals - self.female - self.male

    @property
    def direct_worker(self) -> int:
        return sum(row.direct_worker for row in self.by_type)

    @property
    def female_percent(self) -> Decimal | None:
        return percent_of(self.female, self.individuals)


def issued_awards(campaign: Campaign | None, awards: QuerySet) -> QuerySet:
    """The lines of issued decisions (signed, published or not) among ``awards``, of ``campaign`` when given,
    without the awards revoked by a decided revocation."""
    revoked = Revocation.objects.filter(award=OuterRef("pk"), state__in=REVOKED_STATES)
    qs = awards.filter(decision__state__in=ISSUED_DECISION_STATES).filter(~Exists(revoked))
    if campaign is not None:
        qs = qs.filter(decision__campaign=campaign)
    return qs.order_by()


def award_summary(awards: QuerySet) -> AwardSummary:
    """Counts and money of ``awards`` (already the issued, unrevoked lines: :func:`issued_awards`) per award form ×
    subject kind, gender and direct work, and per proposing unit. Three queries whatever the number of awards."""
    by_type: dict[str, AwardTypeRow] = {}
    rows = (
        awards.values("decision__award_type__code", "subject_kind", "nominee__gender", "nominee__direct_worker")
        .annotate(
            n=Count("pk"),
            amount=Sum("amount"),
            name=Max("decision__award_type__name"),
            order=Min("decision__award_type__order"),
        )
        .order_by()
    )
    for row in rows:
        code = row["decision__award_type__code"]
        item = by_type.get(code)
        if item is None:
            item = by_type[code] = AwardTypeRow(code=code, name=row["name"], order=row["order"])
        item.order = min(item.order, row["order"])
        kind, n = row["subject_kind"], row["n"]
        item.counts[kind] = item.counts.get(kind, 0) + n
        item.amounts[kind] = item.amounts.get(kind, 0) + (row["amount"] or 0)
        if kind == SubjectKind.INDIVIDUAL:
            if row["nominee__gender"] == Gender.FEMALE:
                item.female += n
            elif row["nominee__gender"] == Gender.MALE:
                item.male += n
            if row["nominee__direct_worker"]:
                item.direct_worker += n
    decisions = 0
    for row in awards.values("decision__award_type__code").annotate(d=Count("decision", distinct=True)).order_by():
        by_type[row["decision__award_type__code"]].decisions = row["d"]
        decisions += row["d"]

    by_unit: dict[int, UnitAwardRow] = {}
    paths: dict[int, str] = {}
    unit_rows = (
        awards.values(
            "nominee__dossier__unit",
            "nominee__dossier__unit__name",
            "nominee__dossier__unit__code",
            "nominee__dossier__unit__path",
            "subject_kind",
        )
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    for row in unit_rows:
        pk = row["nominee__dossier__unit"]
        item = by_unit.get(pk)
        if item is None:
            item = by_unit[pk] = UnitAwardRow(
                unit_id=pk, name=row["nominee__dossier__unit__name"], code=row["nominee__dossier__unit__code"]
            )
            paths[pk] = row["nominee__dossier__unit__path"]
        item.counts[row["subject_kind"]] = item.counts.get(row["subject_kind"], 0) + row["n"]
        item.amount += row["amount"] or 0
    return AwardSummary(
        by_type=sorted(by_type.values(), key=lambda r: (r.order, r.code)),
        by_unit=sorted(by_unit.values(), key=lambda r: (-r.total, paths[r.unit_id])),
        decisions=decisions,
    )


# --- The whole summary -----------------------------------------------------------------------------------------


@dataclass
class CampaignSummary:
    campaign: Campaign
    today: date
    dashboard: Dashboard
    scores: list[TableScores]
    awards: AwardSummary
    award_lines: QuerySet  # the issued, unrevoked award lines (for the list in the XLSX)

    @property
    def plans(self) -> PlanSummary:
        return self.dashboard.plans

    @property
    def period(self):
        return self.dashboard.period

    @property
    def indicators(self) -> list[IndicatorView]:
        return self.dashboard.indicators

    @property
    def indicators_met(self) -> int:
        return sum(1 for view in self.indicators if view.rollup.meets_target)


def build_summary(
    campaign: Campaign,
    *,
    units: QuerySet,
    plans: QuerySet,
    reports: QuerySet,
    scorecards: QuerySet,
    awards: QuerySet,
    today: date | None = None,
) -> CampaignSummary:
    """The summary of ``campaign`` from the caller's scoped querysets of ``Unit``, ``UnitPlan``,
    ``ProgressReport``, ``Scorecard`` and ``Award``. No side effects; a fixed number of queries (see the module)."""
    today = today or timezone.localdate()
    dashboard = build_dashboard(campaign, units=units, plans=plans, reports=reports, whole=True, today=today)
    lines = issued_awards(campaign, awards)
    return CampaignSummary(
        campaign=campaign,
        today=today,
        dashboard=dashboard,
        scores=score_summary(campaign, scorecards),
        awards=award_summary(lines),
        award_lines=lines,
    )


def summary_for(campaign: Campaign, user, *, today: date | None = None) -> CampaignSummary:
    """:func:`build_summary` through ``user``'s scope (the views call this after checking
    ``nominations.view_summary_campaign``)."""
    return build_summary(
        campaign,
        units=scope(user, Unit.objects.all()),
        plans=scope(user, UnitPlan.objects.all()),
        reports=scope(user, ProgressReport.objects.all()),
        scorecards=scope(user, Scorecard.objects.all()),
        awards=scope(user, Award.objects.all()),
        today=today,
    )


@dataclass
class AwardLine:
    name: str
    subject_kind: str
    unit: str
    award: str
    decision: str
    issued_on: date | None
    amount: int


def award_lines(summary: CampaignSummary) -> Iterator[AwardLine]:
    """Every counted award line (form order, decision date, line order), read in one query, in chunks."""
    rows = summary.award_lines.order_by(
        "decision__award_type__order", "decision__issued_on", "decision__pk", "order", "pk"
    ).values_list(
        "name",
        "subject_kind",
        "nominee__dossier__unit__name",
        "decision__award_type__name",
        "decision__number",
        "decision__symbol",
        "decision__issued_on",
        "amount",
    )
    for name, kind, unit, award, number, symbol, issued_on, amount in rows.iterator(chunk_size=2000):
        yield AwardLine(name, kind, unit, award, f"{number}/{symbol}" if number else symbol, issued_on, amount)


def subject_labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in SubjectKind.choices}


def table_subject_label(table: ScoringTable) -> str:
    return str(Subject(table.subject).label) if table.subject in Subject.values else table.subject
