"""Ranking a scoring table province-wide (``scoring.services.ranking.rank``) for 10,000 finalized scorecards against
the baseline of the same aggregation and sort in plain Python over the same scores loaded in one query
(``values_list``), in the same run, on a SQLite file database.

    .venv/bin/python bench/bench_ranking.py [LARGE] [SMALL]      (default 10,000 and 1,000 units)

Set-up (bulk_create): LARGE units, one collective table with 30 leaf criteria (five groups of five capped below
the sum of their children, three top-level criteria, a bonus and a penalty), a cascade of criterion → women ≥ 70% →
criterion; for each unit three assessors' points per leaf, combined (mean) into ``CriterionResult`` rows, one in
twenty with a settled value, and the scorecard finalized with the total and class of ``formulas.totals``/``classify``.
A second table (another campaign) with SMALL units gives the query count to compare: it may not depend on the
number of scorecards. Prints both times (best of several runs after a warm-up), the ratio (target: under 1 s and
at most 2× the baseline), the time of ``rank`` plus every row's breakdown (``rank`` reads only the results of the
criteria its cascade compares; the breakdown of a row is loaded when shown: one query for a page, or one for all
rows in an export), the query counts, and the peak memory of one ``rank`` (tracemalloc: Python objects) against its
cap. Nothing is asserted about the times: they are measured and reported.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict

from _setup import django_on_temp_db, peak_mb

RUNS = 5
SECONDS_TARGET = 1.0
RATIO_TARGET = 2.0
MEMORY_CAP_MB = 200  # for one rank() of 10,000 scorecards
GROUPS, PER_GROUP, TOP_LEVEL = 5, 5, 3  # 25 + 3 normal leaves, + 1 bonus + 1 penalty = 30 leaves


def build(tag: str, n: int, province, units):
    from datetime import date
    from decimal import Decimal

    from competition.enums import CampaignState
    from competition.models import Campaign
    from scoring.enums import CriterionKind, ScorecardState, Subject, TieBreak
    from scoring.models import ClassThreshold, Criterion, CriterionResult, Scorecard, ScoringTable, TieBreakStep
    from scoring.services import formulas

    campaign = Campaign.objects.create(
        code=f"bench-{tag}",
        name=f"Phong trào thử tải {n} đơn vị",
        issuing_body="UBND tỉnh",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        state=CampaignState.LAUNCHED,
    )
    table = ScoringTable.objects.create(campaign=campaign, subject=Subject.COLLECTIVE, name=f"Bảng điểm {tag}")
    order = 0

    def criterion(code, base, **kw):
        nonlocal order
        order += 1
        return Criterion.objects.create(
            table=table, code=code, name=f"Tiêu chí {code}", base_points=Decimal(base), order=order, **kw
        )

    groups = []
    for g in range(1, GROUPS + 1):
        group = criterion(f"{g}", 16)
        groups.append(group)
        for k in range(1, PER_GROUP + 1):
            criterion(f"{g}.{k}", 4, parent=group)
    for t in range(GROUPS + 1, GROUPS + TOP_LEVEL + 1):
        criterion(f"{t}", 5)
    criterion("T1", 3, kind=CriterionKind.BONUS)
    criterion("P1", 3, kind=CriterionKind.PENALTY)
    for code, label, minimum, no_zero in (
        ("xuat_sac", "Xuất sắc", 90, True),
        ("tot", "Tốt", 80, False),
        ("hoan_thanh", "Hoàn thành", 65, False),
        ("khong_hoan_thanh", "Không hoàn thành", 0, False),
    ):
        ClassThreshold.objects.create(table=table, code=code, label=label, min_total=Decimal(minimum), no_zero=no_zero)
    TieBreakStep.objects.create(table=table, order=1, kind=TieBreak.CRITERION, criterion=groups[0])
    TieBreakStep.objects.create(table=table, order=2, kind=TieBreak.WOMEN, threshold=Decimal(70))
    TieBreakStep.objects.create(
        table=table, order=3, kind=TieBreak.CRITERION, criterion=Criterion.objects.get(table=table, code="6")
    )

    spec = formulas.load_table(table)
    leaves = spec.leaves
    rng = random.Random(n)
    cards, results = [], []
    for unit in units[:n]:
        points, rows = {}, []
        for leaf in leaves:
            top = int(leaf.base)
            # three assessors; the board's points are their mean (the table's aggregation), two decimals
            assessors = [rng.randint(max(top - 2, 0), top) for _ in range(3)]
            board = formulas.q(Decimal(sum(assessors)) / 3)
            settled = Decimal(max(assessors)) if rng.random() < 0.05 else None
            points[leaf.pk] = settled if settled is not None else board
            rows.append((leaf.pk, board, settled))
        result = formulas.totals(spec, points)
        cards.append(
            Scorecard(
                table=table,
                unit=unit,
                women_percent=Decimal(rng.choice([40, 65, 69, 70, 72, 85])),
                state=ScorecardState.FINALIZED,
                final_total=result.total,
                classification=formulas.classify(spec, result),
            )
        )
        results.append(rows)
    Scorecard.objects.bulk_create(cards, batch_size=2000)
    CriterionResult.objects.bulk_create(
        (
            CriterionResult(scorecard=card, criterion_id=pk, board_points=board, settled_points=settled)
            for card, rows in zip(cards, results, strict=True)
            for pk, board, settled in rows
        ),
        batch_size=5000,
    )
    return table


def baseline(table):
    """The same aggregation and sort in plain Python over the scores loaded in one query: leaves → groups capped
    at their base → normal + bonus (capped) − penalty (capped); sort by total, then the first criterion step."""
    from decimal import Decimal

    from scoring.enums import CriterionKind, ScorecardState
    from scoring.models import Criterion, CriterionResult

    criteria = list(Criterion.objects.filter(table=table).values_list("pk", "parent_id", "kind", "base_points"))
    parent = {pk: p for pk, p, _k, _b in criteria}
    kind = {pk: k for pk, _p, k, _b in criteria}
    base = {pk: b for pk, _p, _k, b in criteria}
    first_group = next(pk for pk, p, _k, _b in criteria if p is None)
    per: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for scorecard_id, criterion_id, board, settled in CriterionResult.objects.filter(
        scorecard__table=table, scorecard__state__in=(ScorecardState.FINALIZED, ScorecardState.PUBLISHED)
    ).values_list("scorecard_id", "criterion_id", "board_points", "settled_points"):
        value = settled if settled is not None else board
        if value is None:
            continue
        top = parent[criterion_id] or criterion_id
        per[scorecard_id][top] += value
    ranked = []
    for scorecard_id, tops in per.items():
        normal = bonus = penalty = Decimal(0)
        for pk, value in tops.items():
            value = min(value, base[pk])
            if kind[pk] == CriterionKind.NORMAL:
                normal += value
            elif kind[pk] == CriterionKind.BONUS:
                bonus += value
            else:
                penalty += value
        total = max(normal + min(bonus, table.bonus_cap) - min(penalty, table.penalty_cap), Decimal(0))
        ranked.append((-total, -min(tops.get(first_group, Decimal(0)), base[first_group]), scorecard_id))
    ranked.sort()
    return ranked


def main(large: int, small: int) -> None:
    django_on_temp_db()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from competition.models import Unit
    from scoring.services.ranking import rank

    province = Unit.objects.create(code="19", name="Tỉnh Thái Nguyên", kind="province", path="/19/")
    t0 = time.perf_counter()
    units = Unit.objects.bulk_create(
        (
            Unit(code=f"X{i:05d}", name=f"Xã Thử Tải {i}", kind="commune", parent=province, path=f"/19/X{i:05d}/")
            for i in range(large)
        ),
        batch_size=2000,
    )
    tables = {n: build(f"S{n}", n, province, units) for n in (small, large)}
    print(f"set-up (bulk_create): {time.perf_counter() - t0:.1f} s")

    def timed(func):
        func()  # warm-up
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            result = func()
            times.append(time.perf_counter() - t0)
        return min(times), result

    queries, seconds = {}, {}
    for n, table in tables.items():
        with CaptureQueriesContext(connection) as ctx:
            rows = rank(table)
        queries[n] = len(ctx.captured_queries)
        assert len(rows) == n, len(rows)
        seconds[n], rows = timed(lambda table=table: rank(table))
        tied = sum(1 for r in rows if r.tied_pending)
        separated = sum(1 for r in rows if r.behind is not None)
        print(
            f"{n:>6} scorecards: rank() {seconds[n]:.3f} s (best of {RUNS}), {queries[n]} queries; "
            f"{separated} rows told apart by the cascade, {tied} tied"
        )

    def with_breakdown():
        rows = rank(tables[large])
        for row in rows:  # every row's breakdown, as the exports read it (one more query)
            row.normal  # noqa: B018
        return rows

    t_full, _rows = timed(with_breakdown)
    t_base, base_rows = timed(lambda: baseline(tables[large]))
    assert len(base_rows) == large
    ratio = seconds[large] / t_base
    print(f"baseline (values_list in one query + aggregation and sort in plain Python): {t_base:.3f} s")
    print(
        f"rank() + the breakdown of every row (what an export reads): {t_full:.3f} s, "
        f"ratio to the baseline {t_full / t_base:.2f}x"
    )
    print(
        f"rank() for {large}: {seconds[large]:.3f} s (target < {SECONDS_TARGET:.0f} s): "
        f"{'OK' if seconds[large] < SECONDS_TARGET else 'OVER'}; ratio rank / baseline {ratio:.2f}x "
        f"(target <= {RATIO_TARGET:.0f}x): {'OK' if ratio <= RATIO_TARGET else 'OVER'}"
    )
    same = queries[large] == queries[small]
    print(
        f"query counts equal: {'yes' if same else 'NO'} ({queries[small]} for {small}, {queries[large]} for {large})"
    )
    _rows, peak = peak_mb(lambda: rank(tables[large]))
    print(
        f"peak memory (tracemalloc) of one rank() of {large}: {peak:.0f} MB (cap {MEMORY_CAP_MB} MB): "
        f"{'OK' if peak < MEMORY_CAP_MB else 'OVER'}"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [10_000, 1_000][len(args) :]))
