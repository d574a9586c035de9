"""The demo: Thái Nguyên's 92 communes and wards, one user per role, the QĐ 987 campaign in progress."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Unit
from workflows.audit import verify_chain
from workflows.consistency import check_states
from workflows.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_as_of_autumn_2025():
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    return Campaign.objects.get(code="binh-dan-hoc-ai")


def test_units_and_roles(demo_as_of_autumn_2025):
    assert Unit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD], code__regex=r"^\d{5}$").count() == 92
    assert Unit.objects.filter(kind=UnitKind.WARD).count() == 15
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    legacy = Unit.objects.get(code="TN-TPTN")
    assert legacy.is_dissolved and legacy.successor.code == "05443"


def test_campaign_in_progress_on_the_chosen_day(demo_as_of_autumn_2025):
    campaign = demo_as_of_autumn_2025
    assert campaign.state == CampaignState.LAUNCHED
    assert campaign.plan_number == "987/QĐ-UBND"
    assert campaign.start_date == date(2025, 7, 6)  # 262 days before 25/3/2026
    assert campaign.start_date < date(2026, 3, 25) < campaign.end_date
    # Launched after 01/7/2025: the NĐ 152/2025 rule set is pinned.
    assert campaign.rule_set.code == "nd152-2025"
    assert campaign.indicators.count() == 9
    assert campaign.indicators.get(code="3.1").parent.code == "3"
    assert not campaign.units.filter(dissolved_on__isnull=False).exists()
    assert campaign.units.filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD]).count() == 92
    # Its "December": plans in, three quarters reported, the interim review published, the wards scored.
    from scoring.models import ScoringTable
    from scoring.services.ranking import rank

    assert campaign.unit_plans.filter(state="accepted").count() > 60
    assert list(campaign.periods.values_list("label", flat=True)) == ["Quý III/2025", "Quý IV/2025", "Quý I/2026"]
    assert campaign.interim_reviews.get().state == "published"
    rows = rank(ScoringTable.objects.get(campaign=campaign, subject="collective"))
    assert len(rows) == 13 and all(r.classification for r in rows)


def test_an_earlier_day_pins_the_earlier_rule_set():
    call_command("seed_demo", as_of="2025-05-01", verbosity=0)
    assert Campaign.objects.get(code="binh-dan-hoc-ai").rule_set.code == "nd98-2023"


def test_idempotent_and_audited(demo_as_of_autumn_2025):
    counts = (Unit.objects.count(), User.objects.count(), Campaign.objects.count(), Notification.objects.count())
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    assert counts == (
        Unit.objects.count(),
        User.objects.count(),
        Campaign.objects.count(),
        Notification.objects.count(),
    )
    assert verify_chain() == [] and check_states() == []


def test_demo_clerk_sees_the_campaign_on_their_home_page(demo_as_of_autumn_2025, client):
    # Through the sign-in form, as a person would (login throttling needs the request).
    signed_in = client.post(reverse("login"), {"username": "vanthu.phandinhphung", "password": "demo12345!"})
    assert signed_in.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "Bình dân học AI" in page
    assert "Phát động phong trào" in page  # the launch notification
