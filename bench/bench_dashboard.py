"""The campaign dashboard page rendered through the Django test client for a campaign of 3,321 enrolled units
(the country's wards and communes) against the same page for 92 units, in the same run, on a SQLite file database.

    .venv/bin/python bench/bench_dashboard.py [LARGE] [SMALL]

Each campaign: units in clusters of about 100, three indicators (one "of which" child, one for wards only), four
quarterly periods past their due date with a value for every unit and applicable indicator (except 1 unit in 20
in the last quarter, so the "late" lists have something to show), plans in every state, the plan deadline past.
Prints the render time of each page (median of several renders after a warm-up), their ratio, the query count of
each page (which must be equal: the count may not depend on the number of units), the page size and the peak
memory of one render of the large page (tracemalloc: Python objects; SQLite's own memory is not in it) and the
process's peak RSS.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

from _setup import django_on_temp_db, peak_mb

RUNS = 7
MEMORY_CAP_MB = 100  # for one render of the 3,321-unit page


def build(tag: str, n: int, province, officer):
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from competition.enums import CampaignState, PlanState, UnitKind
    from competition.models import (
        Campaign,
        Cluster,
        Enrolment,
        Indicator,
        ProgressReport,
        ReportingPeriod,
        Unit,
        UnitPlan,
    )

    campaign = Campaign.objects.create(
        code=f"bench-{tag}",
        name=f"Phong trào thử tải {n} đơn vị",
        issuing_body="UBND tỉnh",
        start_date=date(2025, 7, 1),
        end_date=date(2026, 6, 30),
        plan_deadline=date(2025, 8, 15),
        award_type_codes=["bk"],
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    issued = Indicator.objects.create(
        campaign=campaign,
        code="1",
        order=1,
        name="Tỷ lệ địa phương ban hành kế hoạch",
        numerator_label="Số đã ban hành",
        denominator_label="Tổng số",
        target_percent=Decimal("100"),
    )
    on_time = Indicator.objects.create(
        campaign=campaign,
        code="1.1",
        order=2,
        parent=issued,
        name="Trong đó ban hành đúng hạn",
        numerator_label="Số đúng hạn",
        denominator_label="Số đã ban hành",
        target_percent=Decimal("50"),
    )
    wards = Indicator.objects.create(
        campaign=campaign,
        code="2",
        order=3,
        name="Tỷ lệ hộ gia đình văn hoá",
        numerator_label="Số hộ đạt",
        denominator_label="Tổng số hộ",
        target_percent=Decimal("85"),
        applies_to=[UnitKind.WARD],
    )
    clusters = Cluster.objects.bulk_create(
        Cluster(code=f"{tag}-C{i:02d}", name=f"Cụm thi đua số {i + 1} ({tag})") for i in range(max(n // 100, 1))
    )
    units = Unit.objects.bulk_create(
        (
            Unit(
                code=f"{tag}{i:05d}",
                name=f"{'Phường' if i % 3 else 'Xã'} Thử Tải {tag} {i}",
                kind=UnitKind.WARD if i % 3 else UnitKind.COMMUNE,
                parent=province,
                path=f"{province.path}{tag}{i:05d}/",
            )
            for i in range(n)
        ),
        batch_size=1000,
    )
    Enrolment.objects.bulk_create((Enrolment(campaign=campaign, unit=u) for u in units), batch_size=1000)
    Cluster.units.through.objects.bulk_create(
        (Cluster.units.through(cluster=clusters[i % len(clusters)], unit=u) for i, u in enumerate(units)),
        batch_size=1000,
    )
    states = [PlanState.ACCEPTED, PlanState.ACCEPTED, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.DRAFT, None]
    UnitPlan.objects.bulk_create(
        (
            UnitPlan(campaign=campaign, unit=u, state=states[i % 6], late=i % 7 == 0)
            for i, u in enumerate(units)
            if states[i % 6]
        ),
        batch_size=1000,
    )
    quarters = [
        ("Quý III/2025", date(2025, 7, 1), date(2025, 9, 30)),
        ("Quý IV/2025", date(2025, 10, 1), date(2025, 12, 31)),
        ("Quý I/2026", date(2026, 1, 1), date(2026, 3, 31)),
        ("Quý II/2026", date(2026, 4, 1), date(2026, 6, 30)),
    ]
    periods = [
        ReportingPeriod.objects.create(campaign=campaign, label=label, start=start, end=end, due=end)
        for label, start, end in quarters
    ]
    now = timezone.now()

    def rows():
        for q, period in enumerate(periods):
            for i, unit in enumerate(units):
                if q == len(periods) - 1 and i % 20 == 0:
                    continue  # has not reported the last quarter yet
                done = (i * 7 + q * 13) % 11
                yield ProgressReport(
                    period=period, unit=unit, indicator=issued, numerator=done, denominator=10, reported_at=now
                )
                yield ProgressReport(
                    period=period, unit=unit, indicator=on_time, numerator=done // 2, denominator=done, reported_at=now
                )
                if unit.kind == UnitKind.WARD:
                    yield ProgressReport(
                        period=period,
                        unit=unit,
                        indicator=wards,
                        numerator=(i * 37 + q * 101) % 1000,
                        denominator=1000 + i % 300,
                        reported_at=now,
                    )

    ProgressReport.objects.bulk_create(rows(), batch_size=2000)
    return campaign


def main(large: int, small: int) -> None:
    django_on_temp_db()
    from datetime import date

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.models import User
    from competition.models import AwardType, Membership, ProgressReport, RuleSet, Unit

    province = Unit.objects.create(code="19", name="Tỉnh Thái Nguyên", kind="province", path="/19/")
    board = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind="department", parent=province, path="/19/SNV/")
    officer = User.objects.create(username="canbo.snv", role=Role.BOARD_OFFICER, full_name="Cán bộ Sở Nội vụ")
    Membership.objects.create(user=officer, unit=board)
    rs = RuleSet.objects.create(
        code="r", name="r", legal_basis="x", valid_from=date(2020, 1, 1), appraisal_working_days=20
    )
    AwardType.objects.create(rule_set=rs, code="bk", name="BK", authority="provincial_chairman")

    t0 = time.perf_counter()
    campaigns = {n: build(f"S{n}", n, province, officer) for n in (small, large)}
    t_build = time.perf_counter() - t0
    print(f"set-up (bulk_create): {t_build:.1f} s, {ProgressReport.objects.count()} progress rows in all")

    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    results = {}
    for n, campaign in campaigns.items():
        url = reverse("competition:campaign_dashboard", args=[campaign.pk])
        response = client.get(url)  # warm-up: templates, caches
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = len(ctx.captured_queries)  # now: the next request resets Django's query log
        if "--sql" in sys.argv:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:6]:
                print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
        page = response.content.decode()
        # every part of the page has something to show (a dashboard with empty lists would bench nothing)
        for part in ("<svg", "Quá hạn ban hành kế hoạch", "Chậm báo cáo", "Đơn vị dưới mục tiêu", "Cụm thi đua"):
            assert part in page, part
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        results[n] = (statistics.median(times), min(times), queries, len(response.content))

    for n, (median, best, queries, size) in results.items():
        print(
            f"{n:>5} units: render {median * 1000:.1f} ms (median of {RUNS}; best {best * 1000:.1f} ms), "
            f"{queries} queries, page {size / 1024:.0f} KiB"
        )
    ratio = results[large][0] / results[small][0]
    print(f"ratio {large} / {small} units (median render time): {ratio:.2f}x for {large / small:.1f}x the units")
    same = results[large][2] == results[small][2]
    print(f"query counts equal: {'yes' if same else 'NO'} ({results[small][2]} and {results[large][2]})")
    url = reverse("competition:campaign_dashboard", args=[campaigns[large].pk])
    response, peak = peak_mb(lambda: client.get(url))
    assert response.status_code == 200
    verdict = "OK" if peak < MEMORY_CAP_MB else "OVER"
    print(
        f"peak memory (tracemalloc) of one render of the {large}-unit page: {peak:.1f} MB"
        f" (cap {MEMORY_CAP_MB} MB): {verdict}"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS over the whole run (set-up included): {rss:.0f} MB")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3] if a.isdigit()]
    main(*(args + [3321, 92][len(args) :]))
