"""The campaign dashboard (issue 4, item 7): plan rate arithmetic, roll-ups weighted by denominators per cluster,
overdue lists around the deadlines, scoping, query counts that do not grow with the units, inline SVG only."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from competition.enums import CampaignState, PlanState, UnitKind
from competition.models import Campaign, Cluster, Enrolment, ProgressReport, Unit, UnitPlan
from competition.scoping import scope
from competition.services import plans as plan_services
from competition.services.campaigns import launch_campaign
from competition.services.dashboard import Share, build_dashboard
from competition.services.progress import create_period, record_progress
from workflows import SYSTEM
from workflows.charts import bar_chart, trend_chart

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ON_TIME = timezone.make_aware(datetime(2025, 8, 10, 9, 0))
LATE = timezone.make_aware(datetime(2025, 8, 20, 9, 0))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: date):
    """Travel to noon, Vietnam time, on ``day`` (the view reads today's date)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=HCM), tick=False)


@pytest.fixture
def units(province, commune_a, commune_b):
    """Five enrolled units: the conftest's two wards, then a ward and two communes."""
    return [
        commune_a,
        commune_b,
        UnitFactory(code="05500", name="Phường Tân Thịnh", kind=UnitKind.WARD, parent=province),
        UnitFactory(code="05600", name="Xã Quyết Thắng", kind=UnitKind.COMMUNE, parent=province),
        UnitFactory(code="05700", name="Xã Phúc Xuân", kind=UnitKind.COMMUNE, parent=province),
    ]


@pytest.fixture
def launched(draft_campaign, units, board_officer):
    """The conftest's draft campaign (indicator "1", target 100%; plan deadline 15/08/2025) with the five units
    and a second indicator for wards only (target 50%), launched through the door on 15/07/2025."""
    for unit in units[2:]:
        Enrolment.objects.create(campaign=draft_campaign, unit=unit)
    IndicatorFactory(campaign=draft_campaign, code="2", order=2, applies_to=[UnitKind.WARD], target_percent=50)
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    draft_campaign.refresh_from_db()
    return draft_campaign


@pytest.fixture
def clerks(units):
    return [UserFactory(role=Role.UNIT_CLERK, unit=u) for u in units]


def _plan(campaign, unit, clerk):
    plan = plan_services.start_plan(campaign, unit=unit, actor=clerk)
    document = SimpleUploadedFile("ke-hoach.pdf", PDF, content_type="application/pdf")
    return plan_services.save_plan_draft(
        plan, actor=clerk, number="45/KH-UBND", date=date(2025, 8, 1), document=document, adopted_codes=["1"]
    )


@pytest.fixture
def plans(launched, units, clerks, board_officer):
    """Unit 0 submitted on time, unit 1 submitted late then accepted, unit 2 returned, unit 3 a draft, unit 4 none."""
    plan_services.submit_plan(_plan(launched, units[0], clerks[0]), actor=clerks[0], at=ON_TIME)
    accepted = plan_services.submit_plan(_plan(launched, units[1], clerks[1]), actor=clerks[1], at=LATE)
    plan_services.accept_plan(accepted, actor=board_officer)
    returned = plan_services.submit_plan(_plan(launched, units[2], clerks[2]), actor=clerks[2], at=ON_TIME)
    plan_services.return_plan(returned, actor=board_officer, reason="Thiếu chữ ký.")
    _plan(launched, units[3], clerks[3])
    return launched


def _indicators(campaign):
    return {i.code: i for i in campaign.indicators.all()}


def _board(campaign, user, **kwargs):
    return build_dashboard(
        campaign,
        units=scope(user, Unit.objects.all()),
        plans=scope(user, UnitPlan.objects.all()),
        reports=scope(user, ProgressReport.objects.all()),
        whole=True,
        **kwargs,
    )


def _row(indicator, numerator, denominator):
    return {"indicator": indicator, "numerator": numerator, "denominator": denominator}


# --- plans ----------------------------------------------------------------------------------------------------


def test_plan_rate_counts_submitted_and_accepted_over_enrolled(client, plans, clusters, board_officer):
    data = _board(plans, board_officer, today=date(2025, 9, 1))
    summary = data.plans
    assert summary.enrolled == 5
    assert summary.counts == {
        PlanState.DRAFT: 1,
        PlanState.SUBMITTED: 1,
        PlanState.ACCEPTED: 1,
        PlanState.RETURNED: 1,
        "missing": 1,
    }
    assert (summary.rate.done, summary.rate.total) == (2, 5)  # returned and draft plans do not count
    assert summary.rate.percent == Decimal("40.0")
    assert summary.rate.meets is False and summary.rate.gap == Decimal("60.0")
    assert summary.late == 1  # the plan first sent after the deadline, although accepted since
    # per cluster: units 0 and 1 (submitted, accepted) in C1; units 2 to 4 (returned, draft, none) in C2
    assert [(name, s.done, s.total, s.percent) for name, s in summary.clusters] == [
        ("Cụm thi đua số 1", 2, 2, Decimal("100.0")),
        ("Cụm thi đua số 2", 0, 3, Decimal("0.0")),
    ]

    client.force_login(board_officer)
    with at(date(2025, 9, 1)):
        page = client.get(reverse("competition:campaign_dashboard", args=[plans.pk])).content.decode()
    assert "Tỷ lệ đơn vị đã ban hành kế hoạch" in page
    assert "<strong>40,0%</strong>" in page and "(2/5)" in page
    assert "còn thiếu 60,0 điểm phần trăm" in page


def test_plan_share_at_the_edges():
    assert Share(5, 5).meets is True and Share(5, 5).gap is None and Share(5, 5).percent == Decimal("100.0")
    assert Share(0, 0).meets is None and Share(0, 0).percent is None
    assert Share(3320, 3321).meets is False and Share(3320, 3321).gap == Decimal("0.1")  # never a gap of 0


def test_overdue_plans_start_the_day_after_the_deadline(plans, units, board_officer):
    on_deadline = _board(plans, board_officer, today=date(2025, 8, 15))
    assert on_deadline.plans.overdue is None  # the deadline day itself is on time

    after = _board(plans, board_officer, today=date(2025, 8, 16))
    overdue = after.plans.overdue
    assert overdue.count == 3
    assert [(u.code, u.plan_state_label) for u in overdue.rows] == [
        (units[2].code, "Bị trả lại"),
        (units[3].code, "Đang soạn"),
        (units[4].code, None),  # no plan at all
    ]
    capped = _board(plans, board_officer, today=date(2025, 8, 16), limit=2)
    assert (capped.plans.overdue.count, len(capped.plans.overdue.rows), capped.plans.overdue.more) == (3, 2, 1)


def test_overdue_plans_on_the_page_around_the_deadline(client, plans, units, board_officer):
    client.force_login(board_officer)
    url = reverse("competition:campaign_dashboard", args=[plans.pk])
    with at(date(2025, 8, 15)):
        page = client.get(url).content.decode()
    assert "Quá hạn ban hành kế hoạch" not in page
    with at(date(2025, 8, 16)):
        page = client.get(url).content.decode()
    assert "Quá hạn ban hành kế hoạch (hạn 15/08/2025): 3 đơn vị" in page
    assert units[4].name in page and units[3].name in page
    section = page.split("Quá hạn ban hành kế hoạch")[1].split("Tiến độ chỉ tiêu")[0]
    assert units[0].name not in section and units[1].name not in section


# --- progress -------------------------------------------------------------------------------------------------


@pytest.fixture
def clusters(units):
    north = Cluster.objects.create(code="C1", name="Cụm thi đua số 1")
    south = Cluster.objects.create(code="C2", name="Cụm thi đua số 2")
    north.units.add(units[0], units[1])
    south.units.add(*units[2:])
    return north, south


@pytest.fixture
def periods(launched, board_officer):
    quarters = [
        ("Quý III/2025", date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 10)),
        ("Quý IV/2025", date(2025, 10, 1), date(2025, 12, 31), date(2025, 12, 31)),
    ]
    q3, q4 = (
        create_period(launched, label=label, start=start, end=end, due=due, actor=board_officer)
        for label, start, end, due in quarters
    )
    return q3, q4


def test_rollup_per_cluster_is_weighted_and_shown(client, launched, units, clusters, periods, board_officer):
    q3, q4 = periods
    one = _indicators(launched)["1"]
    record_progress(units[0], q3, [_row(one, 90, 100)], actor=SYSTEM)
    record_progress(units[1], q3, [_row(one, 1, 10)], actor=SYSTEM)
    record_progress(units[2], q3, [_row(one, 5, 10)], actor=SYSTEM)
    record_progress(units[0], q4, [_row(one, 100, 100)], actor=SYSTEM)
    record_progress(units[1], q4, [_row(one, 10, 10)], actor=SYSTEM)

    data = _board(launched, board_officer, period_pk=q3.pk, today=date(2025, 11, 1))
    view = next(v for v in data.indicators if v.indicator.code == "1")
    province = view.rollup.province
    assert (province.numerator, province.denominator, province.percent) == (96, 120, Decimal("80.0"))
    assert (province.reporting, province.enrolled) == (3, 5)
    by_cluster = {c.code: (t.numerator, t.denominator, t.percent, gap) for c, t, gap in view.cluster_gaps()}
    # 91/110, not the average of 90% and 10% (50%)
    assert by_cluster["C1"] == (91, 110, Decimal("82.7"), Decimal("17.3"))
    assert by_cluster["C2"] == (5, 10, Decimal("50.0"), Decimal("50.0"))
    assert [(p.label, t.percent) for p, t in view.trend] == [
        ("Quý III/2025", Decimal("80.0")),
        ("Quý IV/2025", Decimal("100.0")),
    ]
    assert [(r.unit.code, r.percent, r.gap) for r in view.below.rows] == [
        (units[1].code, Decimal("10.0"), Decimal("90.0")),
        (units[2].code, Decimal("50.0"), Decimal("50.0")),
        (units[0].code, Decimal("90.0"), Decimal("10.0")),
    ]  # furthest below the target first
    assert view.below.count == 3

    # By default, the latest period that has started.
    assert _board(launched, board_officer, today=date(2025, 9, 30)).period == q3
    assert _board(launched, board_officer, today=date(2025, 10, 1)).period == q4
    assert _board(launched, board_officer, today=date(2025, 6, 30)).indicators == []

    client.force_login(board_officer)
    url = reverse("competition:campaign_dashboard", args=[launched.pk])
    page = client.get(url, {"period": q3.pk}).content.decode()
    assert "Cụm thi đua số 1" in page and "82,7%" in page and "91/110" in page
    assert "96/120" in page and "<strong>80,0%</strong>" in page
    assert client.get(url, {"period": "abc"}).status_code == 404
    other = CampaignFactory()
    other_period = other.periods.create(
        label="Kỳ khác", start=date(2025, 7, 1), end=date(2025, 9, 30), due=date(2025, 10, 1)
    )
    assert client.get(url, {"period": other_period.pk}).status_code == 404


def test_units_late_with_a_period_are_those_missing_an_applicable_indicator(launched, units, periods, board_officer):
    q3, _q4 = periods
    codes = _indicators(launched)
    one, wards_only = codes["1"], codes["2"]
    record_progress(units[0], q3, [_row(one, 1, 1), _row(wards_only, 1, 1)], actor=SYSTEM)  # ward, complete
    record_progress(units[1], q3, [_row(one, 1, 1)], actor=SYSTEM)  # ward, one of two
    record_progress(units[3], q3, [_row(one, 1, 1)], actor=SYSTEM)  # commune: indicator 2 does not apply
    # units[2] (ward) and units[4] (commune) have reported nothing

    assert _board(launched, board_officer, today=date(2025, 10, 10)).late_reports == []  # due today: not late
    (late,) = _board(launched, board_officer, today=date(2025, 10, 11)).late_reports
    assert late.period == q3 and late.units.count == 3
    assert [(u.code, u.reported, u.expected) for u in late.units.rows] == [  # by path (code)
        (units[2].code, 0, 2),
        (units[4].code, 0, 1),
        (units[1].code, 1, 2),
    ]
    capped = _board(launched, board_officer, today=date(2025, 10, 11), limit=1).late_reports[0].units
    assert (capped.count, len(capped.rows), capped.more) == (3, 1, 2)
    both = _board(launched, board_officer, today=date(2026, 1, 1)).late_reports
    assert [(r.period, r.units.count) for r in both] == [(q3, 3), (_q4, 5)]


# --- scoping --------------------------------------------------------------------------------------------------


def test_unit_user_sees_only_their_unit(client, plans, units, clerks, clusters, periods, board_officer):
    q3, _q4 = periods
    one = _indicators(plans)["1"]
    record_progress(units[0], q3, [_row(one, 9, 10)], actor=SYSTEM)
    record_progress(units[4], q3, [_row(one, 1, 10)], actor=SYSTEM)
    url = reverse("competition:campaign_dashboard", args=[plans.pk])

    client.force_login(board_officer)
    with at(date(2025, 11, 1)):
        board_page = client.get(url, {"period": q3.pk}).content.decode()
    assert units[4].name in board_page and "Cụm thi đua số 2" in board_page  # what the clerk must not see

    client.force_login(clerks[0])
    with at(date(2025, 11, 1)):
        response = client.get(url, {"period": q3.pk})
    assert response.status_code == 200
    page = response.content.decode()
    data = response.context["data"]
    assert data.whole is False and data.plans.enrolled == 1
    assert (data.plans.rate.done, data.plans.rate.total) == (1, 1)
    view = next(v for v in data.indicators if v.indicator.code == "1")
    assert (view.rollup.province.numerator, view.rollup.province.denominator) == (9, 10)
    assert (view.rollup.province.reporting, view.rollup.province.enrolled) == (1, 1)
    assert view.rollup.clusters == []
    assert [r.unit for r in view.below.rows] == [units[0]]
    assert all(r.units.rows == [] or [u.pk for u in r.units.rows] == [units[0].pk] for r in data.late_reports)
    assert "Toàn tỉnh" not in page and units[0].name in page
    for other in units[1:]:
        assert other.name not in page
    assert "Cụm thi đua" not in page

    # A campaign the clerk's unit is not in: 404, as everywhere scope() hides a campaign.
    elsewhere = CampaignFactory()
    Enrolment.objects.create(campaign=elsewhere, unit=units[1])
    Campaign.objects.filter(pk=elsewhere.pk).update(state=CampaignState.LAUNCHED)
    assert client.get(reverse("competition:campaign_dashboard", args=[elsewhere.pk])).status_code == 404
    # Roles that see no unit figures (here the administrator) are refused.
    client.force_login(UserFactory(role=Role.ADMIN, unit=units[0].parent))
    assert client.get(url).status_code == 403


def test_campaign_page_links_to_the_dashboard(client, launched, clerks, board_officer):
    link = reverse("competition:campaign_dashboard", args=[launched.pk])
    for user in (board_officer, clerks[0]):
        client.force_login(user)
        assert link in client.get(reverse("competition:campaign_detail", args=[launched.pk])).content.decode()
        assert client.get(link).status_code == 200


# --- query count and charts -----------------------------------------------------------------------------------


def _world(n: int, province, tag: str):
    """A launched campaign with ``n`` enrolled units in three clusters, two indicators, two periods (both past
    their due date), plans in every state and progress for most units, most of them below target."""
    campaign = CampaignFactory(
        start_date=date(2025, 7, 1), end_date=date(2025, 12, 31), plan_deadline=date(2025, 8, 15)
    )
    one = IndicatorFactory(campaign=campaign, code="1", order=1, target_percent=90)
    wards_only = IndicatorFactory(campaign=campaign, code="2", order=2, applies_to=[UnitKind.WARD], target_percent=50)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    clusters = [Cluster.objects.create(code=f"{tag}-{i}", name=f"Cụm {tag} {i}") for i in range(3)]
    units = Unit.objects.bulk_create(
        Unit(
            code=f"{tag}{i:04d}",
            name=f"Đơn vị {tag} {i}",
            kind=UnitKind.WARD if i % 2 else UnitKind.COMMUNE,
            parent=province,
            path=f"{province.path}{tag}{i:04d}/",
        )
        for i in range(n)
    )
    Enrolment.objects.bulk_create(Enrolment(campaign=campaign, unit=u) for u in units)
    Cluster.units.through.objects.bulk_create(
        Cluster.units.through(cluster=clusters[i % 3], unit=u) for i, u in enumerate(units)
    )
    states = [PlanState.SUBMITTED, PlanState.ACCEPTED, PlanState.RETURNED, PlanState.DRAFT, None]
    UnitPlan.objects.bulk_create(
        UnitPlan(campaign=campaign, unit=u, state=states[i % 5], late=i % 3 == 0)
        for i, u in enumerate(units)
        if states[i % 5]
    )
    periods = [
        campaign.periods.create(
            label="Quý III", start=date(2025, 7, 1), end=date(2025, 9, 30), due=date(2025, 10, 10)
        ),
        campaign.periods.create(
            label="Quý IV", start=date(2025, 10, 1), end=date(2025, 12, 31), due=date(2026, 1, 10)
        ),
    ]
    now = timezone.now()
    ProgressReport.objects.bulk_create(
        ProgressReport(period=p, unit=u, indicator=ind, numerator=i % 10, denominator=10, reported_at=now)
        for p in periods
        for i, u in enumerate(units)
        if i % 4
        for ind in (one, wards_only)
        if ind is one or u.kind == UnitKind.WARD
    )
    return campaign, units[1]


def _page_queries(client, campaign) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("competition:campaign_dashboard", args=[campaign.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.context["data"]


def test_page_query_count_is_the_same_for_n_and_10n_units(client, province, board_officer):
    counts = {}
    for n in (6, 60):
        campaign, ward = _world(n, province, tag=f"N{n}")
        clerk = UserFactory(role=Role.UNIT_CLERK, unit=ward)
        for name, user in (("board", board_officer), ("clerk", clerk)):
            client.force_login(user)
            with at(date(2026, 2, 1)):
                counts[name, n], data = _page_queries(client, campaign)
            if name == "board":  # every part of the page has something to show
                assert data.plans.enrolled == n and data.plans.overdue.rows
                assert len(data.late_reports) == 2 and all(r.units.rows for r in data.late_reports)
                assert all(v.below.rows and v.rollup.clusters for v in data.indicators)
                assert len(data.indicators) == 2 and all(len(v.trend) == 2 for v in data.indicators)
    assert counts["board", 6] == counts["board", 60]
    assert counts["clerk", 6] == counts["clerk", 60]
    assert counts["board", 60] <= 30


def test_charts_are_inline_svg_without_any_external_reference(
    client, launched, units, clusters, periods, board_officer
):
    q3, q4 = periods
    one = _indicators(launched)["1"]
    record_progress(units[0], q3, [_row(one, 9, 10)], actor=SYSTEM)
    record_progress(units[0], q4, [_row(one, 10, 10)], actor=SYSTEM)
    Cluster.objects.filter(pk=clusters[1].pk).update(name='Cụm <b>"2"</b>')
    client.force_login(board_officer)
    with at(date(2025, 11, 1)):
        page = client.get(reverse("competition:campaign_dashboard", args=[launched.pk])).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    # the plan rate, then for each of the two indicators its bars and its trend
    assert len(svgs) == 5
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg
        assert not re.search(r"https?:|//|href|url\(|<image|<script|<foreignObject", svg, flags=re.I)
    assert "<script" not in page.lower()
    assert "Cụm &lt;b&gt;&quot;2&quot;&lt;/b&gt;" in svgs[0]  # labels are escaped
    assert "<polyline" in svgs[2] and "Quý IV/2025: 100,0%" in svgs[2]
    # each chart is followed by a table with the same figures
    assert page.count("<table") >= len(svgs)


def test_chart_geometry_uses_dots_and_scales_to_the_target():
    bars = bar_chart("x", [("Toàn tỉnh", Decimal("50.0"), False), ("Cụm 1", None, None)], Decimal("80"), "t")
    assert 'width="120.0"' in bars  # half of the 240-unit track
    assert 'x1="194.0"' in bars  # the target line at 80%
    assert "50,0%" in bars and "—" in bars  # the value in Vietnamese style, a dash for no figure
    trend = trend_chart(
        "y", [("Q1", Decimal("12.5")), ("Q2", None), ("Q3", Decimal("40")), ("Q4", Decimal("60"))], Decimal("100"), "t"
    )
    assert trend.count("<polyline") == 1  # the gap at Q2 breaks the line: Q1 stands alone
    assert trend.count("<circle") == 3
    assert 'y1="10.0"' in trend  # the target (100%) at the top of the plot


def test_the_page_is_kept_until_a_report_changes_it(client, launched, units, clusters, periods, board_officer):
    """The figures are kept in the data cache: a second look reads no report, and a report recorded through the
    service shows on the next look (workflows/datacache.py)."""
    q3, _q4 = periods
    one = _indicators(launched)["1"]
    record_progress(units[0], q3, [_row(one, 90, 100)], actor=SYSTEM)
    client.force_login(board_officer)
    url = reverse("competition:campaign_dashboard", args=[launched.pk])
    with at(date(2025, 11, 1)):
        first = client.get(url, {"period": q3.pk}).context["body"]
        with CaptureQueriesContext(connection) as again:
            assert client.get(url, {"period": q3.pk}).context["body"] == first
        assert not any("competition_progressreport" in q["sql"] for q in again.captured_queries)
        assert "90/100" in first
        record_progress(units[1], q3, [_row(one, 10, 10)], actor=SYSTEM)
        assert "100/110" in client.get(url, {"period": q3.pk}).content.decode()
        # Each reader has their own copy: a unit's clerk sees their unit only, after the board's look.
        clerk = UserFactory(role=Role.UNIT_CLERK, unit=units[1])
        client.force_login(clerk)
        page = client.get(url, {"period": q3.pk}).content.decode()
        assert "10/10" in page and "100/110" not in page and "Toàn tỉnh" not in page
