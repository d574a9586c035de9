"""Properties of the ranking (hypothesis): the order does not depend on the order of the input rows nor on the
order in which criterion results were written; a tie is reported only where the total and every step of the
cascade are equal and no board decision orders the group; ranks never decrease while totals never increase; the
quota never lets more rows in than its limit."""

import random
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competition.enums import UnitKind
from scoring.enums import ScorecardState, TieBreak
from scoring.models import CriterionResult, Scorecard
from scoring.services import formulas
from scoring.services.ranking import (
    BOUNDARY,
    WITHIN,
    CascadeStep,
    DecisionRef,
    RankInput,
    order_rows,
    quota_limit,
    quota_status,
    rank,
)

from ..factories import UnitFactory

D = Decimal
EXAMPLES = settings(max_examples=50, deadline=None)

# Few distinct values, so that ties (and ties broken at every step) are frequent.
TOTALS = [D("80"), D("85.5"), D("90")]
CRITERION = [D("36"), D("38"), D("38.00")]
WOMEN = [None, D("50"), D("69.99"), D("70"), D("72")]


@st.composite
def inputs(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    return [
        RankInput(
            scorecard_id=100 + i,
            unit_code=f"U{draw(st.integers(0, 5)):02d}",  # codes may repeat (several people of one unit)
            unit_name=f"Đơn vị {i}",
            person_name=f"Người {i:02d}",
            total=draw(st.sampled_from(TOTALS)),
            points={"1": draw(st.sampled_from(CRITERION))},
            women_percent=draw(st.sampled_from(WOMEN)),
            is_female=draw(st.booleans()),
            is_leader=draw(st.booleans()),
        )
        for i in range(n)
    ]


@st.composite
def cascades(draw):
    kinds = draw(st.permutations([TieBreak.CRITERION, TieBreak.WOMEN, TieBreak.NON_LEADER]))
    length = draw(st.integers(0, 3))
    individual = draw(st.booleans())
    return tuple(
        CascadeStep(number=i + 1, kind=kind, criterion_code="1", threshold=D("70"), individual=individual)
        for i, kind in enumerate(kinds[:length])
    )


@st.composite
def world(draw):
    rows = draw(inputs())
    cascade = draw(cascades())
    ids = [r.scorecard_id for r in rows]
    decisions = []
    for pk in range(draw(st.integers(0, 3))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))) if ids else []
        decisions.append(DecisionRef(pk=pk + 1, order=tuple(chosen), reason=f"Lý do {pk + 1}"))
    return rows, cascade, decisions


def summary(ranked):
    return [(r.scorecard_id, r.rank, r.tied_pending, r.decision.pk if r.decision else None) for r in ranked]


def full_key(row, cascade):
    return (row.total, *(step.key(row) for step in cascade))


@EXAMPLES
@given(world(), st.randoms(use_true_random=False))
def test_order_does_not_depend_on_input_order(data, rnd):
    rows, cascade, decisions = data
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert summary(order_rows(shuffled, cascade, decisions)) == summary(order_rows(rows, cascade, decisions))


@EXAMPLES
@given(world())
def test_ties_only_where_the_cascade_is_exhausted(data):
    rows, cascade, decisions = data
    ranked = order_rows(rows, cascade, decisions)
    assert sorted(r.scorecard_id for r in ranked) == sorted(r.scorecard_id for r in rows)
    for a in ranked:
        for b in ranked:
            if a is b:
                continue
            same_key = full_key(a.item, cascade) == full_key(b.item, cascade)
            if a.tied_pending and b.tied_pending and a.rank == b.rank:
                assert same_key
            if same_key:
                # equal through the whole cascade: tied, or ordered by one decision that covers the whole group
                assert a.tied_pending == b.tied_pending
                if a.tied_pending:
                    assert a.rank == b.rank
                else:
                    assert a.decision is not None and a.decision == b.decision
                    assert a.rank != b.rank
            else:
                assert a.rank != b.rank
    for row in ranked:
        if row.decision is not None:
            group = [r for r in ranked if full_key(r.item, cascade) == full_key(row.item, cascade)]
            assert {r.scorecard_id for r in group} <= set(row.decision.order)


@EXAMPLES
@given(world())
def test_ranks_rise_as_totals_fall(data):
    rows, cascade, decisions = data
    ranked = order_rows(rows, cascade, decisions)
    for above, below in zip(ranked, ranked[1:], strict=False):
        assert above.rank <= below.rank
        assert above.total >= below.total
        assert full_key(above.item, cascade) >= full_key(below.item, cascade)
        shared = above.tied_pending and below.tied_pending and above.rank == below.rank
        if above.total == below.total and not shared:
            assert above.ahead is not None and above.ahead is below.behind  # each separation is explained
    for index, row in enumerate(ranked):
        # a rank is 1 + the number of rows ahead of its group ("1, 2, 2, 4")
        first = next(j for j, other in enumerate(ranked) if other.rank == row.rank)
        assert row.rank == first + 1
        assert row.position == index + 1
        if not row.tied_pending:
            assert first == index


@EXAMPLES
@given(world(), st.sampled_from([None, D("5"), D("10"), D("33.33"), D("50"), D("100")]))
def test_quota_never_admits_more_than_its_limit(data, percent):
    rows, cascade, decisions = data
    ranked = order_rows(rows, cascade, decisions)
    limit = quota_limit(percent, len(ranked))
    statuses = [quota_status(r, limit) for r in ranked]
    within = statuses.count(WITHIN)
    boundary = statuses.count(BOUNDARY)
    if limit is None:
        assert within == boundary == 0
        return
    assert within <= limit
    if ranked:
        assert limit >= 1
        assert within + boundary >= min(limit, len(ranked))
    if boundary:
        assert within < limit < within + boundary


# --- Against the database: the order of criterion results and of the scorecards passed in --------------------


LEAVES = {"1.1": [16, 18, 20], "1.2": [0, 20], "2": [30], "3": [14, 20], "4": [2, 4]}


def _build(table, province, subjects, result_order, *, seed):
    """Create ``subjects`` (code, points, women) as finalized scorecards, writing their criterion results in
    ``result_order`` (a permutation of (subject index, leaf code)); return the ranking as (code, rank, tied)."""
    criteria = {c.code: c for c in table.criteria.all()}
    spec = formulas.load_table(table)
    order = list(range(len(subjects)))
    random.Random(seed).shuffle(order)  # scorecards created (and so numbered) in another order each time
    cards = {}
    for index in order:
        code, points, women = subjects[index]
        unit = UnitFactory(code=code, name=f"Phường {code}", kind=UnitKind.WARD, parent=province)
        cards[index] = Scorecard.objects.create(table=table, unit=unit, women_percent=women)
    for index, leaf in result_order:
        CriterionResult.objects.create(
            scorecard=cards[index], criterion=criteria[leaf], board_points=D(subjects[index][1][leaf])
        )
    for index, (_code, points, _women) in enumerate(subjects):
        result = formulas.totals(spec, {criteria[leaf].pk: D(v) for leaf, v in points.items()})
        Scorecard.objects.filter(pk=cards[index].pk).update(
            state=ScorecardState.FINALIZED, final_total=result.total, classification=formulas.classify(spec, result)
        )
    passed = list(cards.values())
    random.Random(seed + 1).shuffle(passed)
    return [(r.unit_code, r.rank, r.tied_pending, r.total) for r in rank(table, scorecards=passed)]


@st.composite
def subjects(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    return [
        (
            f"08{i:03d}",
            {leaf: draw(st.sampled_from(values)) for leaf, values in LEAVES.items()},
            draw(st.sampled_from(WOMEN)),
        )
        for i in range(n)
    ]


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjects(), st.randoms(use_true_random=False), st.integers(0, 1000))
def test_ranking_does_not_depend_on_how_results_were_written(table, province, subjects, rnd, seed):
    pairs = [(i, leaf) for i in range(len(subjects)) for leaf in LEAVES]
    outcomes = []
    for attempt in range(2):
        order = list(pairs)
        rnd.shuffle(order)
        with transaction.atomic():
            outcomes.append(_build(table, province, subjects, order, seed=seed + attempt * 7))
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0]) == len(subjects)
