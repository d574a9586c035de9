"""Progress on indicators (issue 4, item 2): submission rules, roll-up arithmetic, scoping, query counts, export."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Cluster, Enrolment, ProgressReport, ReportingPeriod
from competition.scoping import scope
from competition.services.progress import ProgressRefused, record_progress, rollup, unit_progress
from workflows import SYSTEM
from workflows.models import AuditEvent

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _row(indicator, numerator, denominator, evidence=""):
    return {"indicator": indicator, "numerator": numerator, "denominator": denominator, "evidence": evidence}


# --- roll-up arithmetic ---------------------------------------------------------------------------------------


def test_rollup_is_weighted_by_denominators_not_an_average_of_percentages(
    campaign, plan_ind, period, commune_a, commune_b, clerk_a, clerk_b, province
):
    commune_c = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
    Enrolment.objects.create(campaign=campaign, unit=commune_c)  # enrolled, has not reported
    record_progress(commune_a, period, [_row(plan_ind, 90, 100)], actor=clerk_a)
    record_progress(commune_b, period, [_row(plan_ind, "1", "10")], actor=clerk_b)

    (item,) = rollup(campaign, period, by="province")
    assert (item.province.numerator, item.province.denominator) == (91, 110)
    assert item.province.percent == Decimal("82.7")  # 91/110, not (90% + 10%) / 2 = 50%
    assert item.province.percent != Decimal("50.0")
    assert (item.province.reporting, item.province.enrolled) == (2, 3)
    assert item.meets_target is False
    assert item.clusters == []


def test_rollup_per_cluster_and_province(campaign, plan_ind, period, commune_a, commune_b, clerk_a, clerk_b, province):
    commune_c = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
    Enrolment.objects.create(campaign=campaign, unit=commune_c)
    north = Cluster.objects.create(code="C1", name="Cụm thi đua số 1")
    south = Cluster.objects.create(code="C2", name="Cụm thi đua số 2")
    north.units.add(commune_a, commune_b)
    south.units.add(commune_c)
    record_progress(commune_a, period, [_row(plan_ind, 90, 100)], actor=clerk_a)
    record_progress(commune_b, period, [_row(plan_ind, 1, 10)], actor=clerk_b)
    record_progress(commune_c, period, [_row(plan_ind, 5, 10)], actor=SYSTEM)

    (item,) = rollup(campaign, period, by="cluster")
    clusters = {c.code: t for c, t in item.clusters}
    assert (clusters["C1"].numerator, clusters["C1"].denominator, clusters["C1"].percent) == (91, 110, Decimal("82.7"))
    assert (clusters["C1"].reporting, clusters["C1"].enrolled) == (2, 2)
    assert (clusters["C2"].numerator, clusters["C2"].denominator, clusters["C2"].percent) == (5, 10, Decimal("50.0"))
    assert (item.province.numerator, item.province.denominator, item.province.percent) == (96, 120, Decimal("80.0"))


def test_zero_denominator_has_no_percentage(campaign, plan_ind, period, commune_a, clerk_a):
    (report,) = record_progress(commune_a, period, [_row(plan_ind, 0, 0)], actor=clerk_a)
    assert report.percent is None
    (item,) = rollup(campaign, period)
    assert item.province.percent is None and item.meets_target is None


# --- a submission -------------------------------------------------------------------------------------------


def test_child_indicator_denominator_is_parent_numerator(campaign, plan_ind, on_time_ind, period, commune_a, clerk_a):
    with pytest.raises(ProgressRefused) as refused:
        record_progress(commune_a, period, [_row(on_time_ind, 5, 10)], actor=clerk_a)
    assert "hãy nhập chỉ tiêu 1 trước" in " ".join(refused.value.errors["1.1"])

    with pytest.raises(ProgressRefused) as refused:
        record_progress(commune_a, period, [_row(plan_ind, 9, 10), _row(on_time_ind, 5, 10)], actor=clerk_a)
    assert refused.value.errors["1.1"] == ["Chỉ tiêu 1.1: mẫu số (10) phải bằng tử số của chỉ tiêu 1 (9)."]
    assert not ProgressReport.objects.exists()

    record_progress(commune_a, period, [_row(plan_ind, 9, 10), _row(on_time_ind, 5, 9)], actor=clerk_a)
    # Changing the parent's numerator alone would leave the stored child inconsistent: refused.
    with pytest.raises(ProgressRefused) as refused:
        record_progress(commune_a, period, [_row(plan_ind, 10, 10)], actor=clerk_a)
    assert "1.1" in refused.value.errors
    assert ProgressReport.objects.get(indicator=plan_ind).numerator == 9
    # Both at once: accepted.
    record_progress(commune_a, period, [_row(plan_ind, 10, 10), _row(on_time_ind, 6, 10)], actor=clerk_a)
    assert ProgressReport.objects.get(indicator=on_time_ind).denominator == 10


def test_bad_input_writes_nothing_and_names_every_problem(campaign, plan_ind, period, commune_a, clerk_a):
    other = IndicatorFactory(campaign=campaign, code="2", order=3)
    dept_only = IndicatorFactory(campaign=campaign, code="3", order=4, applies_to=[UnitKind.DEPARTMENT])
    events = AuditEvent.objects.count()
    with pytest.raises(ProgressRefused) as refused:
        record_progress(
            commune_a,
            period,
            [_row(plan_ind, 11, 10), _row(other, "mười", ""), _row(dept_only, 1, 1)],
            actor=clerk_a,
        )
    errors = refused.value.errors
    assert errors["1"] == ["Chỉ tiêu 1: tử số (11) không được lớn hơn mẫu số (10)."]
    assert errors["2"] == [
        "Chỉ tiêu 2: tử số “mười” phải là số nguyên không âm.",
        "Chỉ tiêu 2: chưa nhập mẫu số.",
    ]
    assert errors["3"] == ["Chỉ tiêu 3 không áp dụng cho loại đơn vị “Phường”."]
    with pytest.raises(ProgressRefused):  # one bad row among good ones: nothing at all is written
        record_progress(commune_a, period, [_row(other, 1, 2), _row(plan_ind, -1, 10)], actor=clerk_a)
    assert not ProgressReport.objects.exists()
    assert AuditEvent.objects.count() == events


def test_one_audit_event_per_submission_with_the_changes(campaign, plan_ind, period, commune_a, clerk_a):
    other = IndicatorFactory(campaign=campaign, code="2", order=3)
    record_progress(commune_a, period, [_row(plan_ind, 3, 10), _row(other, 1, 2, "QĐ số 5")], actor=clerk_a)
    record_progress(commune_a, period, [_row(plan_ind, 4, 10), _row(other, 1, 2, "QĐ số 5")], actor=clerk_a)
    record_progress(commune_a, period, [_row(plan_ind, 4, 10)], actor=clerk_a)  # no change: no event
    events = list(AuditEvent.objects.filter(action="competition.progress.report").order_by("sequence"))
    assert len(events) == 2
    assert [c["indicator"] for c in events[0].payload["changes"]] == ["1", "2"]
    assert events[1].payload == {
        "unit": commune_a.code,
        "changes": [{"indicator": "1", "from": [3, 10], "to": [4, 10]}],
    }
    assert events[1].actor_id == clerk_a.pk
    assert ProgressReport.objects.get(indicator=plan_ind).reported_by == clerk_a


def test_refused_outside_the_running_campaign_and_for_units_not_enrolled(
    campaign, plan_ind, period, province, commune_a, clerk_a
):
    outsider = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
    with pytest.raises(ProgressRefused, match="không tham gia"):
        record_progress(outsider, period, [_row(plan_ind, 1, 1)], actor=SYSTEM)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    period.refresh_from_db()
    with pytest.raises(ProgressRefused, match="không ở giai đoạn báo cáo"):
        record_progress(commune_a, period, [_row(plan_ind, 1, 1)], actor=clerk_a)


# --- scoping and permissions --------------------------------------------------------------------------------


def test_clerk_cannot_write_or_read_another_units_reports(
    client, campaign, plan_ind, period, commune_a, commune_b, clerk_a, clerk_b
):
    with pytest.raises(PermissionDenied):
        record_progress(commune_a, period, [_row(plan_ind, 1, 1)], actor=clerk_b)
    head_b = UserFactory(role=Role.UNIT_HEAD, unit=commune_b)
    record_progress(commune_b, period, [_row(plan_ind, 1, 2)], actor=head_b)
    record_progress(commune_a, period, [_row(plan_ind, 3, 4)], actor=clerk_a)
    assert [r.unit for r in scope(clerk_b, ProgressReport.objects.all())] == [commune_b]

    client.force_login(clerk_b)
    url_a = reverse("competition:progress_entry", args=[campaign.pk, period.pk, commune_a.pk])
    assert client.get(url_a).status_code == 404
    assert client.post(url_a, {f"n-{plan_ind.pk}": "4", f"d-{plan_ind.pk}": "4"}).status_code == 404
    assert ProgressReport.objects.get(unit=commune_a).numerator == 3
    assert client.get(reverse("competition:progress_board", args=[campaign.pk, period.pk])).status_code == 403
    assert client.get(reverse("competition:progress_export", args=[campaign.pk, period.pk])).status_code == 403


def test_clerk_enters_progress_on_the_unit_page(client, campaign, plan_ind, on_time_ind, period, commune_a, clerk_a):
    client.force_login(clerk_a)
    url = reverse("competition:progress_entry", args=[campaign.pk, period.pk, commune_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Số kế hoạch đã ban hành" in page.content.decode()
    bad = client.post(
        url,
        {f"n-{plan_ind.pk}": "8", f"d-{plan_ind.pk}": "10", f"n-{on_time_ind.pk}": "5", f"d-{on_time_ind.pk}": "10"},
    )
    assert bad.status_code == 200
    assert "mẫu số (10) phải bằng tử số của chỉ tiêu 1 (8)" in bad.content.decode()
    assert not ProgressReport.objects.exists()
    ok = client.post(
        url,
        {
            f"n-{plan_ind.pk}": "8",
            f"d-{plan_ind.pk}": "10",
            f"e-{plan_ind.pk}": "https://x.vn/kh",
            f"n-{on_time_ind.pk}": "5",
            f"d-{on_time_ind.pk}": "8",
        },
    )
    assert ok.status_code == 302
    assert ProgressReport.objects.get(indicator=plan_ind).evidence == "https://x.vn/kh"


def test_board_opens_a_period_and_reads_the_roll_up(
    client, campaign, plan_ind, commune_a, clerk_a, board_officer, auditor
):
    client.force_login(clerk_a)
    url = reverse("competition:progress_periods", args=[campaign.pk])
    form = {"label": "Quý III/2026", "start": "2026-07-01", "end": "2026-09-30", "due": "2026-10-10"}
    assert client.post(url, form).status_code == 403
    client.force_login(board_officer)
    assert client.post(url, form).status_code == 302
    period = ReportingPeriod.objects.get(campaign=campaign, label="Quý III/2026")
    assert client.post(url, form).status_code == 200  # the same label again: refused with a message
    assert ReportingPeriod.objects.count() == 1
    client.force_login(clerk_a)
    entry = reverse("competition:progress_entry", args=[campaign.pk, period.pk, commune_a.pk])
    assert entry in client.get(url).content.decode()
    record_progress(commune_a, period, [_row(plan_ind, 90, 100)], actor=clerk_a)
    for user in (board_officer, auditor):
        client.force_login(user)
        page = client.get(reverse("competition:progress_board", args=[campaign.pk, period.pk]))
        assert page.status_code == 200
        assert commune_a.name in page.content.decode()


# --- query counts and export ------------------------------------------------------------------------------


def _world(n_units, province):
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    ind = IndicatorFactory(campaign=campaign, code="1", order=1)
    child = IndicatorFactory(campaign=campaign, code="1.1", order=2, parent=ind)
    clusters = [Cluster.objects.create(code=f"K{campaign.pk}-{i}", name=f"Cụm {i}") for i in range(3)]
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    period = ReportingPeriod.objects.create(
        campaign=campaign, label="Quý I", start=date(2026, 1, 1), end=date(2026, 3, 31), due=date(2026, 4, 10)
    )
    for i in range(n_units):
        unit = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
        clusters[i % 3].units.add(unit)
        Enrolment.objects.create(campaign=campaign, unit=unit)
        record_progress(unit, period, [_row(ind, i % 7, 10), _row(child, 0, i % 7)], actor=SYSTEM)
    return campaign, period


def _queries(campaign, period, user):
    from competition.models import Unit

    with CaptureQueriesContext(connection) as ctx:
        items = rollup(campaign, period, queryset=scope(user, ProgressReport.objects.all()))
        rows = unit_progress(
            campaign, period, units=scope(user, Unit.objects.all()), queryset=scope(user, ProgressReport.objects.all())
        )
        assert sum(len(item.clusters) for item in items) == 6
        assert all(row.report is not None for row in rows)
        assert {c.name for row in rows for c in row.clusters}
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_units(province, board_officer):
    small = _queries(*_world(3, province), board_officer)
    large = _queries(*_world(30, province), board_officer)
    assert small == large
    assert large <= 10


def test_xlsx_export_per_unit_and_cluster_escapes_formulas(
    client, campaign, plan_ind, period, commune_a, commune_b, clerk_a, clerk_b, board_officer
):
    from openpyxl import load_workbook

    cluster = Cluster.objects.create(code="C1", name="Cụm thi đua số 1")
    cluster.units.add(commune_a, commune_b)
    record_progress(commune_a, period, [_row(plan_ind, 90, 100, '=HYPERLINK("http://evil","x")')], actor=clerk_a)
    record_progress(commune_b, period, [_row(plan_ind, 1, 10, "+84 912")], actor=clerk_b)
    client.force_login(board_officer)
    response = client.get(reverse("competition:progress_export", args=[campaign.pk, period.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    province_row = next(r for r in rows if r[2] == "Toàn tỉnh")
    assert province_row[3:6] == [91, 110, 82.7]
    cluster_row = next(r for r in rows if r[2] == "Cụm thi đua số 1")
    assert cluster_row[3:6] == [91, 110, 82.7]
    unit_a = next(r for r in rows if r[0] == commune_a.code)
    assert unit_a[5:8] == [90, 100, 90.0]
    assert unit_a[9] == '\'=HYPERLINK("http://evil","x")'
    assert next(r for r in rows if r[0] == commune_b.code)[9] == "'+84 912"
    assert all(not (isinstance(v, str) and v.startswith("=")) for r in rows for v in r)


def test_board_page_and_export_query_count_does_not_grow_with_units(client, province, board_officer):
    client.force_login(board_officer)
    counts = []
    for n in (3, 30):
        campaign, period = _world(n, province)
        pages = []
        for name in ("competition:progress_board", "competition:progress_export"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name, args=[campaign.pk, period.pk])).status_code == 200
            pages.append(len(ctx.captured_queries))
        counts.append(pages)
    assert counts[0] == counts[1]
