"""Interim reviews (issue 4, item 3): scheduled at a date, a snapshot kept as it was, remarks, publication,
export, scoping, and a snapshot's cost independent of the number of units."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from competition.enums import ReviewState, UnitKind
from competition.models import Cluster, Enrolment, InterimReviewLine, ReportingPeriod
from competition.services.progress import record_progress
from competition.services.reviews import (
    publish_review,
    review_rollup,
    review_xlsx,
    save_remarks,
    schedule_review,
    take_due_reviews,
    take_snapshot,
)
from workflows import SYSTEM
from workflows.exceptions import TransitionRefused
from workflows.models import AuditEvent, Notification

from ..factories import CampaignFactory, UnitFactory

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=HCM), tick=False)


def report(unit, period, indicator, n, d):
    record_progress(unit, period, [{"indicator": indicator, "numerator": n, "denominator": d}], actor=SYSTEM)


@pytest.fixture
def review(campaign, period, board_officer):
    return schedule_review(campaign, title="Sơ kết 9 tháng", review_date=date(2026, 10, 15), actor=board_officer)


def test_schedule_checks_title_date_and_period(campaign, period, board_officer):
    schedule_review(campaign, title="Sơ kết 6 tháng", review_date=date(2026, 6, 30), actor=board_officer)
    with pytest.raises(TransitionRefused) as refused:
        schedule_review(campaign, title="Sơ kết 6 tháng", review_date=date(2027, 2, 1), actor=board_officer)
    assert "Đợt sơ kết “Sơ kết 6 tháng” đã có." in refused.value.reasons
    assert any("Ngày sơ kết phải nằm trong thời gian phong trào" in r for r in refused.value.reasons)
    other = CampaignFactory(code="khac", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    foreign = ReportingPeriod.objects.create(
        campaign=other, label="Quý III/2026", start=date(2026, 7, 1), end=date(2026, 9, 30), due=date(2026, 10, 10)
    )
    with pytest.raises(TransitionRefused) as refused:
        schedule_review(
            campaign, title="Sơ kết khác", review_date=date(2026, 10, 1), period=foreign, actor=board_officer
        )
    assert refused.value.reasons == ["Kỳ báo cáo không thuộc phong trào này."]


def test_snapshot_is_refused_before_the_date_and_kept_as_it_was(
    campaign, plan_ind, period, review, commune_a, commune_b, board_officer
):
    report(commune_a, period, plan_ind, 90, 100)
    with at(date(2026, 10, 14)), pytest.raises(TransitionRefused) as refused:
        take_snapshot(review, actor=board_officer)
    assert "Chưa đến ngày sơ kết." in refused.value.reasons

    with at(date(2026, 10, 15)):
        review = take_snapshot(review, actor=board_officer)
    assert review.state == ReviewState.TAKEN and review.period == period  # latest period started by then
    report(commune_a, period, plan_ind, 100, 100)  # reported after the snapshot
    report(commune_b, period, plan_ind, 5, 10)

    lines = {
        line.review_unit.unit.code: (line.numerator, line.denominator)
        for line in InterimReviewLine.objects.filter(review_unit__review=review).select_related("review_unit__unit")
    }
    assert lines == {"05443": (90, 100), "05710": (None, None)}
    (item,) = review_rollup(review)
    assert (item.province.numerator, item.province.denominator, item.province.reporting, item.province.enrolled) == (
        90,
        100,
        1,
        2,
    )
    event = AuditEvent.objects.filter(action="competition.interimreview.take").get()
    assert event.payload["period"] == "Quý III/2026"


def test_daily_schedule_takes_due_reviews_once(campaign, plan_ind, period, review, commune_a):
    with at(date(2026, 10, 14)):
        assert take_due_reviews() == []
    with at(date(2026, 10, 16)):  # the worker was down on the day: the next run catches up
        (taken,) = take_due_reviews()
        assert take_due_reviews() == []  # a second run (a restart) takes nothing more
    assert taken.pk == review.pk and taken.units.count() == 2


def test_review_without_a_period_waits(campaign, plan_ind, board_officer):
    review = schedule_review(campaign, title="Sơ kết sớm", review_date=date(2026, 2, 1), actor=board_officer)
    with at(date(2026, 2, 2)):
        assert take_due_reviews() == []
        with pytest.raises(TransitionRefused) as refused:
            take_snapshot(review, actor=board_officer)
    assert "chưa có kỳ báo cáo nào" in refused.value.reasons[0]
    review.refresh_from_db()
    assert review.state == ReviewState.SCHEDULED


def test_remarks_then_publication_notifies_units(
    campaign, plan_ind, period, review, commune_a, clerk_a, board_officer, django_capture_on_commit_callbacks
):
    with at(date(2026, 10, 15)):
        review = take_snapshot(review, actor=board_officer)
    with pytest.raises(TransitionRefused) as refused:
        publish_review(review, actor=board_officer)
    assert "Chưa có nhận xét chung" in refused.value.reasons[0]

    row_a = review.units.get(unit=commune_a)
    changed = save_remarks(
        review,
        remarks="Đa số đơn vị đã ban hành kế hoạch.",
        unit_remarks={row_a.pk: "Cần đẩy nhanh"},
        actor=board_officer,
    )
    assert changed == 2
    assert (
        save_remarks(review, remarks="Đa số đơn vị đã ban hành kế hoạch.", unit_remarks={}, actor=board_officer) == 0
    )
    event = AuditEvent.objects.filter(action="competition.review.remarks").latest("sequence")
    assert {"unit": "05443", "remark": "Cần đẩy nhanh"} in event.payload["changes"]

    with django_capture_on_commit_callbacks(execute=True):
        review = publish_review(review, actor=board_officer)
    assert review.state == ReviewState.PUBLISHED
    assert Notification.objects.filter(recipient=clerk_a, title__contains="Sơ kết 9 tháng").count() == 1
    with pytest.raises(TransitionRefused):
        save_remarks(review, remarks="Sửa sau khi công bố", unit_remarks={}, actor=board_officer)


def test_unit_cannot_take_or_remark(campaign, period, review, clerk_a):
    from django.core.exceptions import PermissionDenied

    from workflows.exceptions import TransitionForbidden

    with at(date(2026, 10, 15)), pytest.raises(TransitionForbidden):
        take_snapshot(review, actor=clerk_a)
    with pytest.raises(PermissionDenied):
        schedule_review(campaign, title="X", review_date=date(2026, 10, 20), actor=clerk_a)


def test_rollup_per_cluster_is_weighted(campaign, plan_ind, period, review, commune_a, commune_b, province):
    commune_c = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
    Enrolment.objects.create(campaign=campaign, unit=commune_c)
    north = Cluster.objects.create(code="C1", name="Cụm 1")
    north.units.add(commune_a, commune_b)
    report(commune_a, period, plan_ind, 90, 100)
    report(commune_b, period, plan_ind, 1, 10)
    report(commune_c, period, plan_ind, 5, 10)
    with at(date(2026, 10, 15)):
        review = take_snapshot(review, actor=SYSTEM)
    (item,) = review_rollup(review)
    assert item.province.percent == Decimal("80.0")  # 96/120
    assert dict(item.clusters)["Cụm 1"].percent == Decimal("82.7")  # 91/110, not the average 50%


def test_export_holds_snapshot_and_escapes_remarks(campaign, plan_ind, period, review, commune_a, board_officer):
    report(commune_a, period, plan_ind, 9, 10)
    with at(date(2026, 10, 15)):
        review = take_snapshot(review, actor=board_officer)
    row = review.units.get(unit=commune_a)
    save_remarks(review, remarks='=HYPERLINK("x")', unit_remarks={row.pk: "+tốt"}, actor=board_officer)
    review.refresh_from_db()
    sheet = CalamineWorkbook.from_object(io.BytesIO(review_xlsx(review))).get_sheet_by_index(0).to_python()
    flat = [cell for r in sheet for cell in r]
    assert '\'=HYPERLINK("x")' in flat and "'+tốt" in flat
    unit_row = next(r for r in sheet if r and r[0] == "05443" and r[4] == "1")
    assert unit_row[5:8] == [9, 10, 90.0]


def test_unit_reads_only_published_review_and_own_row(
    client, campaign, plan_ind, period, review, commune_a, commune_b, clerk_a, board_officer
):
    url = reverse("competition:review_detail", args=[review.pk])
    client.force_login(clerk_a)
    assert client.get(url).status_code == 404  # scheduled: not for units
    with at(date(2026, 10, 15)):
        take_snapshot(review, actor=board_officer)
    save_remarks(review, remarks="Tốt", unit_remarks={}, actor=board_officer)
    publish_review(review, actor=board_officer)
    page = client.get(url).content.decode()
    assert commune_a.name in page and commune_b.name not in page
    assert "Tổng hợp tại thời điểm sơ kết" not in page
    listing = client.get(reverse("competition:review_list", args=[campaign.pk])).content.decode()
    assert "Sơ kết 9 tháng" in listing and "Lên lịch đợt sơ kết" not in listing


def test_board_pages_schedule_take_and_remark(client, campaign, plan_ind, period, commune_a, board_officer):
    client.force_login(board_officer)
    response = client.post(
        reverse("competition:review_list", args=[campaign.pk]),
        {"title": "Sơ kết quý", "review_date": "2026-10-15", "period": period.pk},
        follow=True,
    )
    assert "Đã lên lịch" in response.content.decode()
    review = campaign.interim_reviews.get()
    url = reverse("competition:review_detail", args=[review.pk])
    with at(date(2026, 10, 15)):
        client.post(url, {"action": "take"})
    row = review.units.get(unit=commune_a)
    client.post(url, {"action": "remarks", "remarks": "Khá", f"remark-{row.pk}": "Đạt"})
    row.refresh_from_db()
    review.refresh_from_db()
    assert (review.state, review.remarks, row.remark) == (ReviewState.TAKEN, "Khá", "Đạt")
    export = client.get(reverse("competition:review_export", args=[review.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_snapshot_costs_the_same_queries_for_more_units(campaign, plan_ind, period, board_officer, province):
    def take_with(extra: int) -> int:
        for _i in range(extra):
            unit = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
            Enrolment.objects.create(campaign=campaign, unit=unit)
        review = schedule_review(
            campaign, title=f"Sơ kết {extra}", review_date=date(2026, 10, 15), actor=board_officer
        )
        with at(date(2026, 10, 15)), CaptureQueriesContext(connection) as ctx:
            take_snapshot(review, actor=board_officer)
        return len(ctx.captured_queries)

    assert take_with(2) == take_with(20)


def test_a_daily_schedule_snapshots_due_reviews(campaign, plan_ind, period, review):
    from django_q.models import Schedule

    from competition import tasks

    (schedule,) = Schedule.objects.filter(name="thidua-interim-reviews")  # created when the database was migrated
    assert (schedule.func, schedule.schedule_type) == ("competition.tasks.take_due_reviews", Schedule.DAILY)
    with at(date(2026, 10, 15)):
        assert tasks.take_due_reviews() == 1
        assert tasks.take_due_reviews() == 0
