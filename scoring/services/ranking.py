"""Ranking (issue 5, item 4): the finalized and published scorecards of a table ordered within a cluster or bloc,
or province-wide; the board's order of rows still tied; the quota guidance for nominations.

Rules kept here (domain rules 11 and 12):

- rows are ordered by the final total (``Scorecard.final_total``, set when the scorecard is finalized), highest
  first, then by the table's tie-break cascade (``TieBreakStep``), step by step:
  ``criterion`` — the higher points of that criterion (the board's settled points, else its combined points; a
  group criterion is the sum of its children capped at its base points, as ``formulas.totals`` computes it);
  ``women`` — a collective whose share of women reaches the step's threshold before the others, a female
  individual before the others (NĐ 152/2025, Art. 4: on a tie, women first); ``non_leader`` — an individual who
  holds no leading or managing position before the others;
- rows still equal after every step share one rank (đồng hạng, ranks 1, 2, 2, 4) and are ``tied_pending``, unless
  a ``TieDecision`` of the same scope lists every one of them: then its order applies (the latest such decision)
  and each row shows it. A decision is recorded for a whole tied group, never for part of it;
- the order does not depend on the input order: rows that share a rank are listed by unit code, then person name;
- every row explains itself: its total and breakdown (criteria, bonus, penalty, recomputed from the criterion
  results with ``formulas.totals``), and the step that separated it from its neighbours;
- quotas (rule 11): with ``ScoringTable.quota_percent``, at most floor(percent × ranked rows / 100) rows, at least
  one when any row is ranked; a tied group straddling the limit is reported as such (the board decides).

Loading costs a fixed number of queries whatever the number of scorecards (criteria, classes, tie-break steps,
scorecards, the results of the criteria the cascade compares, decisions); everything else is computed in Python by
the pure :func:`order_rows`. A row's breakdown needs all its criterion results: they are read when first needed, in
one query for the rows of a page (:func:`preload_breakdowns`) or one for the whole ranking (exports).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import Cluster
from workflows import audit
from workflows.exceptions import TransitionRefused

from ..enums import ScorecardState, Subject, TieBreak
from ..models import CriterionResult, Scorecard, ScoringTable, TieBreakStep, TieDecision
from . import formulas
from .formulas import ZERO, TableSpec

RANKED_STATES = (ScorecardState.FINALIZED, ScorecardState.PUBLISHED)

# Quota statuses of a ranked row.
WITHIN = "within"  # inside the limit, ties included
BOUNDARY = "boundary"  # in a tied group that straddles the limit: the board decides who goes
OUTSIDE = "outside"
UNLIMITED = "unlimited"  # the table sets no quota
NAMES_SHOWN = 5  # names of the other rows of a tied group in an explanation


def fmt_points(value: Decimal | None) -> str:
    """Points as Vietnamese write them: 38.00 → "38", 36.50 → "36,5"."""
    if value is None:
        return "—"
    text = f"{formulas.q(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- The pure part: inputs, cascade, ordering ---------------------------------------------------------------


@dataclass(eq=False)
class RankInput:
    """What the ranking needs of one scorecard (built from the database by :func:`load_inputs`, or by tests).
    ``points`` holds the points of the criteria the cascade compares (by code). The breakdown is recomputed with
    ``formulas.totals`` from the criterion results that ``leaves`` loads, the first time it is read: ordering does
    not need it, and a page shows a hundred rows of ten thousand."""

    scorecard_id: int
    unit_code: str
    unit_name: str
    total: Decimal
    person_name: str = ""
    unit_id: int | None = None
    person_position: str = ""
    women_percent: Decimal | None = None
    is_female: bool = False
    is_leader: bool = False
    points: Mapping[str, Decimal] = field(default_factory=dict)
    classification: str = ""
    state: str = ScorecardState.FINALIZED
    leaves: LeafPoints | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.person_name or self.unit_name

    @cached_property
    def totals(self) -> formulas.Totals | None:
        """The criteria, bonus and penalty points and total recomputed from the criterion results (None without
        the table's spec)."""
        if self.leaves is None:
            return None
        return formulas.totals(self.leaves.spec, self.leaves.of(self.scorecard_id))

    @property
    def normal(self) -> Decimal:
        return self.totals.normal if self.totals is not None else self.total

    @property
    def bonus(self) -> Decimal:
        return self.totals.bonus if self.totals is not None else ZERO

    @property
    def penalty(self) -> Decimal:
        return self.totals.penalty if self.totals is not None else ZERO

    @property
    def computed_total(self) -> Decimal | None:
        return self.totals.total if self.totals is not None else None

    @property
    def by_code(self) -> Mapping[str, Decimal]:
        """Every criterion's points, groups included."""
        return self.totals.by_code if self.totals is not None else self.points


@dataclass(frozen=True)
class CascadeStep:
    """One step of a table's tie-break cascade, as the ordering applies it (``number``: its place, from 1)."""

    number: int
    kind: str
    criterion_code: str = ""
    threshold: Decimal | None = None
    individual: bool = False

    def key(self, row: RankInput):
        """Higher comes first."""
        if self.kind == TieBreak.CRITERION:
            return row.points.get(self.criterion_code, ZERO) if self.criterion_code else ZERO
        if self.kind == TieBreak.WOMEN:
            if self.individual:
                return 1 if row.is_female else 0
            return int(
                self.threshold is not None and row.women_percent is not None and row.women_percent >= self.threshold
            )
        if self.kind == TieBreak.NON_LEADER:
            return 1 if self.individual and not row.is_leader else 0
        raise ValueError(self.kind)

    def reason(self, winner: RankInput, loser: RankInput, *, personal: bool) -> str:
        """Why ``winner`` comes before ``loser`` at this step, said of the winner ("hơn ở tiêu chí 1: 38 > 36")."""
        if self.kind == TieBreak.CRITERION:
            return _("hơn ở tiêu chí %(code)s: %(a)s > %(b)s") % {
                "code": self.criterion_code,
                "a": fmt_points(self.key(winner)),
                "b": fmt_points(self.key(loser)),
            }
        if self.kind == TieBreak.WOMEN and not self.individual:
            return _("là tập thể có %(p)s%% nữ (từ %(t)s%% trở lên)") % {
                "p": fmt_points(winner.women_percent),
                "t": fmt_points(self.threshold),
            }
        if self.kind == TieBreak.WOMEN:
            if not personal:  # a person's gender is personal data (Decree 13/2023): not shown to everyone
                return _("được ưu tiên ở bước %(n)s của thứ tự phân định (NĐ 152/2025, Điều 4)") % {"n": self.number}
            return _("là cá nhân nữ (ưu tiên theo NĐ 152/2025, Điều 4)")
        return _("không giữ chức vụ lãnh đạo, quản lý")


@dataclass(frozen=True)
class DecisionRef:
    """A board decision on a tied group, as the ordering applies it."""

    pk: int
    order: tuple[int, ...]
    reason: str
    decided_at: datetime | None = None
    decided_by: str = ""

    @property
    def label(self) -> str:
        if self.decided_at is None:
            return _("quyết định của Ban")
        return _("quyết định của Ban ngày %(d)s") % {"d": timezone.localtime(self.decided_at).strftime("%d/%m/%Y")}


@dataclass(frozen=True)
class Separation:
    """How two neighbouring rows with the same total were told apart: a cascade step, or a board decision."""

    winner: RankInput
    loser: RankInput
    step: CascadeStep | None = None
    decision: DecisionRef | None = None

    def reason(self, *, personal: bool = True) -> str:
        if self.decision is not None:
            return _("theo %(label)s: %(reason)s") % {"label": self.decision.label, "reason": self.decision.reason}
        return self.step.reason(self.winner, self.loser, personal=personal)

    def ahead_text(self, *, personal: bool = True) -> str:
        if self.decision is not None:
            return _("Xếp trên %(other)s (bằng tổng điểm và mọi bước phân định) %(reason)s.") % {
                "other": self.loser.name,
                "reason": self.reason(personal=personal),
            }
        return _("Xếp trên %(other)s (bằng tổng điểm) vì %(reason)s.") % {
            "other": self.loser.name,
            "reason": self.reason(personal=personal),
        }

    def behind_text(self, *, personal: bool = True) -> str:
        if self.decision is not None:
            return _("Xếp sau %(other)s (bằng tổng điểm và mọi bước phân định) %(reason)s.") % {
                "other": self.winner.name,
                "reason": self.reason(personal=personal),
            }
        return _("Xếp sau %(other)s (bằng tổng điểm) vì %(other)s %(reason)s.") % {
            "other": self.winner.name,
            "reason": self.reason(personal=personal),
        }


@dataclass
class RankedRow:
    """One ranked scorecard: its rank (shared by a tied group), why it stands where it does, its class."""

    item: RankInput
    rank: int
    position: int  # 1-based place in the listing (distinct even within a tied group)
    tied_pending: bool = False
    tied_group: tuple[RankInput, ...] = ()  # its pending tied group (itself included; shared by the group)
    decision: DecisionRef | None = None
    ahead: Separation | None = None  # how it was separated from the next row, when their totals are equal
    behind: Separation | None = None  # how it was separated from the previous row, when their totals are equal
    classification_label: str = ""

    scorecard_id = property(lambda self: self.item.scorecard_id)
    unit_id = property(lambda self: self.item.unit_id)
    unit_code = property(lambda self: self.item.unit_code)
    unit_name = property(lambda self: self.item.unit_name)
    person_name = property(lambda self: self.item.person_name)
    name = property(lambda self: self.item.name)
    total = property(lambda self: self.item.total)
    normal = property(lambda self: self.item.normal)
    bonus = property(lambda self: self.item.bonus)
    penalty = property(lambda self: self.item.penalty)
    classification = property(lambda self: self.item.classification)
    state = property(lambda self: self.item.state)

    @property
    def tied_with(self) -> list[RankInput]:
        """The other rows of its pending tied group."""
        return [r for r in self.tied_group if r is not self.item]

    @property
    def consistent(self) -> bool:
        """The criterion results still add up to the final total."""
        return self.item.computed_total is None or self.item.computed_total == formulas.q(self.item.total)

    @property
    def breakdown_text(self) -> str:
        text = _("%(total)s điểm = %(normal)s điểm tiêu chí + %(bonus)s điểm thưởng − %(penalty)s điểm trừ") % {
            "total": fmt_points(self.total),
            "normal": fmt_points(self.normal),
            "bonus": fmt_points(self.bonus),
            "penalty": fmt_points(self.penalty),
        }
        if not self.consistent:
            text += " " + _("(kết quả từng tiêu chí hiện cộng lại được %(t)s, khác tổng điểm đã chốt)") % {
                "t": fmt_points(self.item.computed_total)
            }
        return text

    def separation_texts(self, *, personal: bool = True) -> list[str]:
        lines = []
        if self.behind is not None:
            lines.append(self.behind.behind_text(personal=personal))
        if self.ahead is not None:
            lines.append(self.ahead.ahead_text(personal=personal))
        if self.tied_pending:
            others = self.tied_with
            names = ", ".join(other.name for other in others[:NAMES_SHOWN])
            if len(others) > NAMES_SHOWN:
                names = _("%(names)s và %(n)s phiếu khác") % {"names": names, "n": len(others) - NAMES_SHOWN}
            lines.append(
                _("Đồng hạng với %(others)s: bằng tổng điểm và mọi bước phân định; chờ Ban quyết định thứ tự.")
                % {"others": names}
            )
        return lines

    def explanation(self, *, personal: bool = True) -> str:
        return " ".join([self.breakdown_text + ".", *self.separation_texts(personal=personal)])

    @property
    def full_explanation(self) -> str:
        """For readers who may see personal data (the board)."""
        return self.explanation(personal=True)

    @property
    def public_explanation(self) -> str:
        """With a person's gender left out (units, auditors, exports to them)."""
        return self.explanation(personal=False)


def _sort_key(cascade: Sequence[CascadeStep]):
    def key(row: RankInput) -> tuple:
        return (-row.total, *(-step.key(row) for step in cascade))

    return key


def _listing_key(row: RankInput) -> tuple:
    return (row.unit_code, row.person_name, row.scorecard_id)


def order_rows(
    rows: Iterable[RankInput],
    cascade: Sequence[CascadeStep] = (),
    decisions: Sequence[DecisionRef] = (),
    *,
    class_labels: Mapping[str, str] | None = None,
) -> list[RankedRow]:
    """Rank ``rows`` (no database access). ``decisions``: the board's decisions of this scope, latest first; the
    first that lists every row of a tied group orders it. Deterministic whatever the order of ``rows``."""
    class_labels = class_labels or {}
    key = _sort_key(cascade)
    keyed = sorted(((key(r), _listing_key(r), r) for r in rows), key=lambda t: (t[0], t[1]))
    ranked: list[RankedRow] = []
    keys: list[tuple] = []
    for group_key, group_iter in itertools.groupby(keyed, key=lambda t: t[0]):
        group = [t[2] for t in group_iter]
        decision = None
        if len(group) > 1:
            ids = {r.scorecard_id for r in group}
            decision = next((d for d in decisions if ids.issubset(d.order)), None)
            if decision is not None:
                place = {pk: i for i, pk in enumerate(decision.order)}
                group.sort(key=lambda r: place[r.scorecard_id])
        pending = len(group) > 1 and decision is None
        shared = tuple(group) if pending else ()
        first = len(ranked) + 1
        for offset, row in enumerate(group):
            position = first + offset
            ranked.append(
                RankedRow(
                    item=row,
                    rank=first if pending else position,
                    position=position,
                    tied_pending=pending,
                    tied_group=shared,
                    decision=decision,
                    classification_label=class_labels.get(row.classification, row.classification),
                )
            )
            keys.append(group_key)
    for index in range(len(ranked) - 1):
        above, below = ranked[index], ranked[index + 1]
        key_above, key_below = keys[index], keys[index + 1]
        if key_above[0] != key_below[0] or (above.tied_pending and key_above == key_below):
            continue  # told apart by the total, or in one tied group
        step = next((st for st, a, b in zip(cascade, key_above[1:], key_below[1:], strict=True) if a != b), None)
        separation = Separation(above.item, below.item, step=step, decision=None if step else above.decision)
        above.ahead = separation
        below.behind = separation
    return ranked


# --- Loading from the database (a fixed number of queries) ---------------------------------------------------


@dataclass
class RankingData:
    table: ScoringTable
    spec: TableSpec
    cascade: tuple[CascadeStep, ...]
    inputs: list[RankInput]
    class_labels: dict[str, str]


def cascade_of(table: ScoringTable, spec: TableSpec) -> tuple[CascadeStep, ...]:
    """The table's tie-break steps in order (one query)."""
    codes = {c.pk: c.code for c in spec.criteria}
    individual = table.subject == Subject.INDIVIDUAL
    steps = TieBreakStep.objects.filter(table=table).order_by("order", "pk")
    return tuple(
        CascadeStep(
            number=number,
            kind=step.kind,
            criterion_code=codes.get(step.criterion_id, "") if step.criterion_id else "",
            threshold=step.threshold,
            individual=individual,
        )
        for number, step in enumerate(steps, start=1)
    )


def ranked_scorecards(
    table: ScoringTable, *, cluster: Cluster | None = None, scorecards: QuerySet | Iterable | None = None
) -> QuerySet:
    """The finalized and published scorecards of ``table`` (in ``cluster`` when given; among ``scorecards``, a
    queryset or scorecards, when given)."""
    if scorecards is None:
        qs = Scorecard.objects.all()
    elif isinstance(scorecards, QuerySet):
        qs = scorecards
    else:
        qs = Scorecard.objects.filter(pk__in=[getattr(s, "pk", s) for s in scorecards])
    qs = qs.filter(table=table, state__in=RANKED_STATES)
    if cluster is not None:
        qs = qs.filter(unit__clusters=cluster)
    return qs.order_by()


def _subtree(spec: TableSpec, root) -> TableSpec:
    members, grown = {root.pk}, True
    while grown:
        below = {c.pk for c in spec.criteria if c.parent_id in members} - members
        members |= below
        grown = bool(below)
    criteria = tuple(c for c in spec.criteria if c.pk in members)
    return TableSpec(criteria, (), spec.bonus_cap, spec.penalty_cap, formulas.group_order(criteria))


def criterion_points(spec: TableSpec, codes: Iterable[str]):
    """For the criteria ``codes``: a function giving, from a scorecard's leaf points (criterion pk → points), their
    points exactly as ``formulas.totals`` counts them (a group: its children's sum capped at its base), computed
    over each criterion's own subtree; and the pks of the leaves that takes."""
    by_code = {c.code: c for c in spec.criteria}
    parts = [(code, _subtree(spec, by_code[code])) for code in dict.fromkeys(codes) if code in by_code]
    leaves = {c.pk for _code, sub in parts for c in sub.criteria if not c.is_group}

    def compute(leaf_points: Mapping[int, Decimal]) -> dict[str, Decimal]:
        out = {}
        for code, sub in parts:
            if len(sub.criteria) == 1:  # a leaf: what formulas.totals does with it, without the rest
                out[code] = formulas.q(leaf_points.get(sub.criteria[0].pk, ZERO))
            else:
                out[code] = formulas.totals(sub, leaf_points).by_code[code]
        return out

    return compute, leaves


# The points that count (settled, else combined) in hundredths, as integers, read without Django's per-value
# converters: converting 300,000 values to Decimal one by one costs more than the whole ranking, while a table has
# few distinct values, each converted once.
COUNTED_CENTS = Cast(Round(Coalesce("settled_points", "board_points") * Value(100)), IntegerField())


def counted_points(results: QuerySet, decimals: dict[int, Decimal] | None = None) -> dict[int, dict[int, Decimal]]:
    """scorecard pk → criterion pk → the points that count, for the ``CriterionResult`` rows of ``results``
    (one query)."""
    decimals = {} if decimals is None else decimals
    rows = results.order_by().values_list("scorecard_id", "criterion_id", COUNTED_CENTS)
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for scorecard_id, criterion_id, cents in raw:
        if cents is None:
            continue
        value = decimals.get(cents)
        if value is None:
            value = decimals[cents] = Decimal(int(cents)).scaleb(-2)
        points[scorecard_id][criterion_id] = value
    return points


class LeafPoints:
    """The counted points of every leaf criterion of a set of scorecards, loaded when first needed: one query for
    the rows asked for by :meth:`preload` (a page), else one for the whole set."""

    def __init__(self, spec: TableSpec, scorecards: QuerySet):
        self.spec = spec
        self.scorecards = scorecards
        self.points: dict[int, dict[int, Decimal]] = {}
        self.complete = False
        self.decimals: dict[int, Decimal] = {}

    def of(self, scorecard_id: int) -> Mapping[int, Decimal]:
        if scorecard_id not in self.points and not self.complete:
            results = CriterionResult.objects.filter(scorecard__in=self.scorecards.values("pk"))
            self.points.update(counted_points(results, self.decimals))
            self.complete = True
        return self.points.get(scorecard_id, {})

    def preload(self, scorecard_ids: Iterable[int]) -> None:
        missing = [pk for pk in scorecard_ids if pk not in self.points]
        if missing and not self.complete:
            self.points.update(counted_points(CriterionResult.objects.filter(scorecard__in=missing), self.decimals))
            self.points.update({pk: {} for pk in missing if pk not in self.points})


def preload_breakdowns(rows: Iterable[RankedRow]) -> None:
    """Load the criterion results of ``rows`` (the page about to be shown) in one query per ranking they come
    from, rather than those of the whole ranking."""
    by_source: dict[int, tuple[LeafPoints, list[int]]] = {}
    for row in rows:
        source = row.item.leaves
        if source is not None:
            by_source.setdefault(id(source), (source, []))[1].append(row.scorecard_id)
    for source, ids in by_source.values():
        source.preload(ids)


def load_inputs(spec: TableSpec, scorecards: QuerySet, codes: Iterable[str] = ()) -> list[RankInput]:
    """One :class:`RankInput` per scorecard of ``scorecards``, with the points of the criteria ``codes`` (those
    the cascade compares). Two queries (the scorecards; the results of the compared criteria, when any); the
    breakdown is loaded later (:class:`LeafPoints`)."""
    compute, needed = criterion_points(spec, codes)
    leaves = LeafPoints(spec, scorecards)
    compared = (
        counted_points(
            CriterionResult.objects.filter(scorecard__in=scorecards.values("pk"), criterion__in=sorted(needed)),
            leaves.decimals,
        )
        if needed
        else {}
    )
    columns = (
        "pk",
        "unit_id",
        "unit__code",
        "unit__name",
        "person_name",
        "person_position",
        "person_is_female",
        "person_is_leader",
        "women_percent",
        "final_total",
        "classification",
        "state",
    )
    inputs = []
    for (
        pk,
        unit_id,
        code,
        unit_name,
        person,
        position,
        female,
        leader,
        women,
        final,
        klass,
        state,
    ) in scorecards.values_list(*columns):
        item = RankInput(
            scorecard_id=pk,
            unit_id=unit_id,
            unit_code=code,
            unit_name=unit_name,
            person_name=person,
            person_position=position,
            is_female=female,
            is_leader=leader,
            women_percent=women,
            total=final,
            points=compute(compared.get(pk, {})),
            classification=klass,
            state=state,
            leaves=leaves,
        )
        if final is None:  # finalized without a total: count what the results give
            item.total = item.computed_total
        inputs.append(item)
    return inputs


def load(
    table: ScoringTable, *, cluster: Cluster | None = None, scorecards: QuerySet | Iterable | None = None
) -> RankingData:
    """Everything :func:`order_rows` needs for ``table`` (five queries)."""
    spec = formulas.load_table(table)
    cascade = cascade_of(table, spec)
    codes = [step.criterion_code for step in cascade if step.criterion_code]
    return RankingData(
        table=table,
        spec=spec,
        cascade=cascade,
        inputs=load_inputs(spec, ranked_scorecards(table, cluster=cluster, scorecards=scorecards), codes),
        class_labels={k.code: k.label for k in spec.classes},
    )


_PROVINCE = 0  # the key of the province-wide scope in :func:`decisions_by_scope`


def decisions_by_scope(table: ScoringTable, clusters: Iterable[Cluster | None] | None = None) -> dict[int, list]:
    """The table's tie decisions as :class:`DecisionRef`, latest first, by scope: a cluster's pk, or ``0`` for the
    province (one query; every scope when ``clusters`` is None)."""
    qs = TieDecision.objects.filter(table=table).select_related("decided_by").order_by("-decided_at", "-pk")
    if clusters is not None:
        wanted = list(clusters)
        condition = Q(cluster__in=[c.pk for c in wanted if c is not None])
        if None in wanted:
            condition |= Q(cluster__isnull=True)
        qs = qs.filter(condition)
    found: dict[int, list[DecisionRef]] = defaultdict(list)
    for decision in qs:
        order = tuple(int(pk) for pk in decision.order or ())
        found[decision.cluster_id or _PROVINCE].append(
            DecisionRef(
                pk=decision.pk,
                order=order,
                reason=decision.reason,
                decided_at=decision.decided_at,
                decided_by=str(decision.decided_by) if decision.decided_by_id else "",
            )
        )
    return found


def scope_key(cluster: Cluster | None) -> int:
    return cluster.pk if cluster is not None else _PROVINCE


def rank(
    table: ScoringTable, *, cluster: Cluster | None = None, scorecards: QuerySet | Iterable | None = None
) -> list[RankedRow]:
    """The ranking of ``table``'s finalized and published scorecards in ``cluster`` (province-wide when None),
    restricted to ``scorecards`` when given. Six queries whatever the number of scorecards. No side effects."""
    data = load(table, cluster=cluster, scorecards=scorecards)
    decisions = decisions_by_scope(table, [cluster])[scope_key(cluster)]
    return order_rows(data.inputs, data.cascade, decisions, class_labels=data.class_labels)


# --- The board's decision on a tie --------------------------------------------------------------------------


@transaction.atomic
def record_tie_decision(
    table: ScoringTable, cluster: Cluster | None, scorecard_ids: Sequence[int], reason: str, *, actor
) -> TieDecision:
    """The board orders a group of rows still tied after the cascade in one scope (``cluster``, or the province
    when None): ``scorecard_ids`` first to last, every row of the group, with the reason.

    Refused (``TransitionRefused``, with what to fix) without a reason, for rows that are not tied and pending in
    that scope, or for part of a tied group. Side effects: one ``TieDecision``; one audit event on the table.
    """
    if not actor.has_perm("scoring.decide_tie", table):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng quyết định thứ tự khi đồng hạng."))
    # Lock the table's row first (the record lock, then the audit chain's), so two decisions on one scope queue up.
    ScoringTable.objects.select_for_update().filter(pk=table.pk).exists()
    reason = (reason or "").strip()
    try:
        ids = [int(pk) for pk in scorecard_ids]
    except (TypeError, ValueError) as exc:
        raise TransitionRefused(_("Danh sách phiếu chấm không hợp lệ.")) from exc
    problems = []
    if not reason:
        problems.append(_("Chưa nhập lý do quyết định thứ tự."))
    if len(set(ids)) != len(ids):
        problems.append(_("Một phiếu chấm được xếp hai lần."))
    rows = rank(table, cluster=cluster)
    by_id = {row.scorecard_id: row for row in rows}
    not_tied = [pk for pk in ids if pk not in by_id or not by_id[pk].tied_pending]
    if not_tied:
        names = ", ".join(by_id[pk].name if pk in by_id else f"#{pk}" for pk in not_tied)
        problems.append(
            _("Không phải phiếu đồng hạng đang chờ Ban quyết định trong phạm vi này: %(names)s.") % {"names": names}
        )
    elif len(ids) < 2:
        problems.append(_("Cần ít nhất hai phiếu đồng hạng."))
    else:
        shared = {by_id[pk].rank for pk in ids}
        if len(shared) > 1:
            problems.append(_("Các phiếu không cùng một nhóm đồng hạng."))
        else:
            group_rank = shared.pop()
            group = [row for row in rows if row.tied_pending and row.rank == group_rank]
            if {row.scorecard_id for row in group} != set(ids):
                problems.append(
                    _("Cần xếp thứ tự cho đủ %(n)s phiếu đồng hạng ở hạng %(r)s: %(names)s.")
                    % {"n": len(group), "r": group[0].rank, "names": ", ".join(row.name for row in group)}
                )
    if problems:
        raise TransitionRefused(_("Chưa ghi được quyết định thứ tự:"), reasons=problems)
    system = getattr(actor, "is_system", False)
    decision = TieDecision.objects.create(
        table=table, cluster=cluster, order=ids, reason=reason, decided_by=None if system else actor
    )
    first = by_id[ids[0]]
    audit.record(
        actor=actor,
        action="scoring.ranking.decide_tie",
        obj=table,
        payload={
            "decision": decision.pk,
            "cluster": cluster.pk if cluster is not None else None,
            "scope": cluster.name if cluster is not None else _("Toàn tỉnh"),
            "rank": first.rank,
            "total": str(first.total),
            "order": [{"scorecard": pk, "subject": by_id[pk].name} for pk in ids],
            "reason": reason,
        },
    )
    return decision


# --- Quotas (domain rule 11) --------------------------------------------------------------------------------


def quota_limit(percent: Decimal | None, ranked: int) -> int | None:
    """How many of ``ranked`` rows may be nominated: floor(percent × ranked / 100), at least 1 when any is
    ranked; None without a quota."""
    if percent is None:
        return None
    if ranked <= 0:
        return 0
    limit = int((Decimal(percent) * ranked / 100).to_integral_value(rounding=ROUND_FLOOR))
    return max(limit, 1)


def quota_status(row: RankedRow, limit: int | None) -> str:
    if limit is None:
        return UNLIMITED
    last = row.rank + (len(row.tied_group) - 1 if row.tied_pending else 0)
    if last <= limit:
        return WITHIN
    if row.rank <= limit:
        return BOUNDARY
    return OUTSIDE


@dataclass
class QuotaGuidance:
    percent: Decimal | None
    ranked: int
    limit: int | None  # None: no quota
    rows: list[RankedRow]
    statuses: dict[int, str]  # scorecard id → WITHIN, BOUNDARY, OUTSIDE or UNLIMITED

    @property
    def within(self) -> list[RankedRow]:
        return [r for r in self.rows if self.statuses[r.scorecard_id] in (WITHIN, UNLIMITED)]

    @property
    def boundary(self) -> list[RankedRow]:
        return [r for r in self.rows if self.statuses[r.scorecard_id] == BOUNDARY]

    @property
    def seats_at_boundary(self) -> int:
        """How many of the boundary rows may still be nominated."""
        if self.limit is None:
            return 0
        return max(self.limit - len(self.within), 0) if self.boundary else 0


def quota_guidance(
    table: ScoringTable, *, cluster: Cluster | None = None, rows: list[RankedRow] | None = None
) -> QuotaGuidance:
    """Which rows of the ranking fall within the table's quota (``rows``: the ranking already computed for this
    scope, to save computing it again). No side effects."""
    if rows is None:
        rows = rank(table, cluster=cluster)
    limit = quota_limit(table.quota_percent, len(rows))
    return QuotaGuidance(
        percent=table.quota_percent,
        ranked=len(rows),
        limit=limit,
        rows=rows,
        statuses={row.scorecard_id: quota_status(row, limit) for row in rows},
    )


@dataclass
class UnitGuidance:
    """Where one of a unit's scorecards stands in one scope, for the nomination pages."""

    table: ScoringTable
    scorecard_id: int
    subject: str
    cluster: Cluster | None  # None: province-wide
    rank: int
    ranked: int
    tied_pending: bool
    classification: str
    classification_label: str
    quota_limit: int | None
    quota_status: str
    published: bool

    @property
    def within_quota(self) -> bool | None:
        """True inside the quota, False outside, None without a quota or in a tied group at the boundary."""
        if self.quota_status == WITHIN:
            return True
        if self.quota_status == OUTSIDE:
            return False
        return None


def guidance_for_unit(campaign, unit, *, published_only: bool = False) -> list[UnitGuidance]:
    """For each scoring table of ``campaign``, each ranked scorecard of ``unit`` (the collective, or its people):
    its rank, class and quota status province-wide and in each cluster or bloc the unit belongs to.
    ``published_only``: only scopes whose every ranked scorecard is published (what a unit may see).
    A fixed number of queries per table. No side effects."""
    tables = list(ScoringTable.objects.filter(campaign=campaign).order_by("subject", "pk"))
    clusters = list(Cluster.objects.filter(units=unit).order_by("kind", "code"))
    members: dict[int, set[int]] = defaultdict(set)
    for cluster_id, unit_id in Cluster.units.through.objects.filter(cluster__in=[c.pk for c in clusters]).values_list(
        "cluster_id", "unit_id"
    ):
        members[cluster_id].add(unit_id)
    out: list[UnitGuidance] = []
    for table in tables:
        data = load(table)
        if not any(i.unit_id == unit.pk for i in data.inputs):
            continue
        decisions = decisions_by_scope(table, [None, *clusters])
        scopes = [(None, data.inputs)] + [
            (c, [i for i in data.inputs if i.unit_id in members[c.pk]]) for c in clusters
        ]
        for cluster, inputs in scopes:
            if published_only and any(i.state != ScorecardState.PUBLISHED for i in inputs):
                continue
            rows = order_rows(inputs, data.cascade, decisions[scope_key(cluster)], class_labels=data.class_labels)
            limit = quota_limit(table.quota_percent, len(rows))
            for row in rows:
                if row.unit_id != unit.pk:
                    continue
                out.append(
                    UnitGuidance(
                        table=table,
                        scorecard_id=row.scorecard_id,
                        subject=row.name,
                        cluster=cluster,
                        rank=row.rank,
                        ranked=len(rows),
                        tied_pending=row.tied_pending,
                        classification=row.classification,
                        classification_label=row.classification_label,
                        quota_limit=limit,
                        quota_status=quota_status(row, limit),
                        published=row.state == ScorecardState.PUBLISHED,
                    )
                )
    return out
