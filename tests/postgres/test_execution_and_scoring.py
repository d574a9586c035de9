"""Issues 4 and 5 on a real PostgreSQL server: the indicator import's bulk upsert (``ON CONFLICT … DO UPDATE``),
the dashboard's window queries, and a scorecard finalized and ranked through the door with row locks."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Cluster, Enrolment, ProgressReport
from competition.services.indicator_import import import_indicators
from competition.services.progress import create_period
from scoring.enums import Subject
from scoring.models import ClassThreshold, Criterion, ScoringTable
from scoring.services import scorecards as cards
from scoring.services.ranking import rank
from workflows.audit import verify_chain

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def world():
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    wards = [
        UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province),
        UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province),
    ]
    Cluster.objects.create(code="C1", name="Cụm các phường").units.add(*wards)
    officers = [
        UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board),
        UserFactory(username="canbo2.snv", role=Role.BOARD_OFFICER, unit=board),
    ]
    clerks = [UserFactory(role=Role.UNIT_CLERK, unit=w) for w in wards]
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    indicator = IndicatorFactory(campaign=campaign, code="1", target_percent=Decimal(80))
    for ward in wards:
        Enrolment.objects.create(campaign=campaign, unit=ward)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    period = create_period(
        campaign,
        label="Quý I/2026",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        due=date(2026, 4, 10),
        actor=officers[0],
    )
    return {
        "campaign": campaign,
        "indicator": indicator,
        "period": period,
        "wards": wards,
        "officers": officers,
        "clerks": clerks,
    }


def _csv(*lines: str) -> BytesIO:
    return BytesIO(("Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số\n" + "\n".join(lines) + "\n").encode())


def test_import_upserts_and_the_dashboard_reads_on_postgresql(world, client):
    campaign, officer = world["campaign"], world["officers"][0]
    first = import_indicators(
        campaign, _csv("05443,Quý I/2026,1,90,100", "05710,Quý I/2026,1,1,10"), actor=officer, filename="a.csv"
    )
    assert first.ok and first.new == 2
    again = import_indicators(
        campaign, _csv("05443,Quý I/2026,1,95,100", "05710,Quý I/2026,1,1,10"), actor=officer, filename="b.csv"
    )
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    assert ProgressReport.objects.get(unit__code="05443").numerator == 95

    client.force_login(officer)
    with CaptureQueriesContext(connection):
        page = client.get(reverse("competition:campaign_dashboard", args=[campaign.pk]))
    assert page.status_code == 200
    assert "87,3%" in page.content.decode()  # (95 + 1) / (100 + 10), weighted
    assert verify_chain() == []


def test_a_scorecard_is_finalized_and_ranked_on_postgresql(world):
    campaign, officers, clerks = world["campaign"], world["officers"], world["clerks"]
    table = ScoringTable.objects.create(campaign=campaign, subject=Subject.COLLECTIVE, name="Bảng điểm")
    criterion = Criterion.objects.create(table=table, code="1", name="Tổ chức thực hiện", base_points=Decimal(100))
    ClassThreshold.objects.create(table=table, code="tot", label="Tốt", min_total=Decimal(85))
    ClassThreshold.objects.create(table=table, code="khac", label="Khác", min_total=Decimal(0))
    for ward, clerk, points in zip(world["wards"], clerks, ("90", "80"), strict=True):
        card = cards.start_scorecard(table, unit=ward, actor=clerk)
        cards.save_self_scores(card, [{"criterion": criterion.pk, "value": points}], actor=clerk)
        cards.submit_scorecard(card, actor=clerk)
        cards.assign_assessors(card, officers, actor=officers[0])
        for assessment in card.assessments.select_related("assessor"):
            cards.save_assessment(
                assessment, [{"criterion": criterion.pk, "value": points}], actor=assessment.assessor
            )
            cards.submit_assessment(assessment, actor=assessment.assessor)
        cards.finalize(card, actor=officers[0])
    rows = rank(table)
    assert [(r.name, r.total, r.classification) for r in rows] == [
        ("Phường Phan Đình Phùng", Decimal("90.00"), "tot"),
        ("Phường Linh Sơn", Decimal("80.00"), "khac"),
    ]
    assert verify_chain() == []
