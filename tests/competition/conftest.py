"""A running campaign with two enrolled communes, two indicators (one "of which" the other) and a reporting
period: what the progress, import and review tests share."""

from datetime import date
from decimal import Decimal

import pytest

from competition.enums import CampaignState
from competition.models import Campaign, Enrolment
from competition.services.progress import create_period

from ..factories import CampaignFactory, IndicatorFactory


@pytest.fixture
def campaign(commune_a, commune_b):
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    Enrolment.objects.create(campaign=campaign, unit=commune_a)
    Enrolment.objects.create(campaign=campaign, unit=commune_b)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def plan_ind(campaign):
    return IndicatorFactory(campaign=campaign, code="1", order=1, target_percent=Decimal("100"))


@pytest.fixture
def on_time_ind(campaign, plan_ind):
    return IndicatorFactory(
        campaign=campaign,
        code="1.1",
        order=2,
        parent=plan_ind,
        name="Trong đó ban hành đúng hạn",
        numerator_label="Số kế hoạch đúng hạn",
        denominator_label="Số kế hoạch đã ban hành",
        target_percent=Decimal("50"),
    )


@pytest.fixture
def period(campaign, board_officer):
    return create_period(
        campaign,
        label="Quý III/2026",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        due=date(2026, 10, 10),
        actor=board_officer,
    )
