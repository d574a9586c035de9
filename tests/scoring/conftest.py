"""A running campaign with a collective scoring table that uses every formula, its classes and tie-breaks, three
enrolled wards in one cluster, and two board assessors: what the scoring tests share."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Cluster, Enrolment
from scoring.enums import CriterionKind, Formula, Subject, TieBreak
from scoring.models import ClassThreshold, Criterion, ScoringTable, TieBreakStep

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory


@pytest.fixture
def running_campaign(commune_a, commune_b):
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    for unit in (commune_a, commune_b):
        Enrolment.objects.create(campaign=campaign, unit=unit)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def commune_c(province):
    return UnitFactory(code="05800", name="Xã Tân Cương", kind=UnitKind.COMMUNE, parent=province)


@pytest.fixture
def cluster(commune_a, commune_b, commune_c, running_campaign):
    Enrolment.objects.create(campaign=running_campaign, unit=commune_c)
    cluster = Cluster.objects.create(code="C1", name="Cụm thi đua số 1")
    cluster.units.add(commune_a, commune_b, commune_c)
    return cluster


@pytest.fixture
def trained_ind(running_campaign):
    return IndicatorFactory(
        campaign=running_campaign, code="3", name="CBCCVC được học AI", target_percent=Decimal("100"), order=3
    )


@pytest.fixture
def table(running_campaign, trained_ind):
    """Collectives, out of 100 (+3 bonus, -3 penalty):

    1   Phát động phong trào (group, 40)       1.1 manual 20 (evidence required), 1.2 fixed 20
    2   Tập huấn theo tiến độ: ratio of indicator 3 × 30
    3   Kết quả tập huấn: stepped on indicator 3 ([100, 20], [80, 14], [50, 8]) out of 20
    4   Sáng kiến: capped, 2 points per initiative, max 10
    T1  bonus manual 3 · P1 penalty manual 3
    Classes: Xuất sắc ≥ 95 with no criterion at 0 · Tốt ≥ 85 · Hoàn thành ≥ 75 · Không hoàn thành ≥ 0.
    Tie-breaks: criterion 1 then women ≥ 70%.
    """
    table = ScoringTable.objects.create(
        campaign=running_campaign, subject=Subject.COLLECTIVE, name="Bảng điểm tập thể", min_assessors=2
    )

    def criterion(code, name, base, **kw):
        return Criterion.objects.create(table=table, code=code, name=name, base_points=Decimal(base), **kw)

    group = criterion("1", "Phát động phong trào", 40, order=1)
    criterion("1.1", "Ban hành kế hoạch", 20, parent=group, evidence_required=True, order=2)
    criterion("1.2", "Tổ chức lễ phát động", 20, parent=group, formula=Formula.FIXED, order=3)
    criterion("2", "Tập huấn theo tiến độ", 30, formula=Formula.RATIO, indicator=trained_ind, order=4)
    criterion(
        "3",
        "Kết quả tập huấn",
        20,
        formula=Formula.STEPPED,
        indicator=trained_ind,
        steps=[[100, 20], [80, 14], [50, 8]],
        order=5,
    )
    criterion("4", "Sáng kiến", 10, formula=Formula.CAPPED, points_per_item=Decimal(2), cap=Decimal(10), order=6)
    criterion("T1", "Điểm thưởng", 3, kind=CriterionKind.BONUS, order=7)
    criterion("P1", "Điểm trừ", 3, kind=CriterionKind.PENALTY, order=8)
    for code, label, minimum, no_zero, order in (
        ("xuat_sac", "Xuất sắc", 95, True, 1),
        ("tot", "Tốt", 85, False, 2),
        ("hoan_thanh", "Hoàn thành", 75, False, 3),
        ("khong_hoan_thanh", "Không hoàn thành", 0, False, 4),
    ):
        ClassThreshold.objects.create(
            table=table, code=code, label=label, min_total=Decimal(minimum), no_zero=no_zero, order=order
        )
    TieBreakStep.objects.create(table=table, order=1, kind=TieBreak.CRITERION, criterion=group)
    TieBreakStep.objects.create(table=table, order=2, kind=TieBreak.WOMEN, threshold=Decimal(70))
    return table


@pytest.fixture
def assessor_2(board_unit):
    return UserFactory(role=Role.BOARD_OFFICER, unit=board_unit, full_name="Phạm Thu Trang")
