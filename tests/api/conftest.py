"""The API tests' world: the nomination world (a launched campaign with both award forms, two wards taking part, a
head for each ward, the Chairman's office), a token per user, and a fresh throttle count for every test."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from competition.models import ProgressReport, ReportingPeriod
from scoring.models import Scorecard, ScoringTable

from ..factories import make_nomination_world


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The throttles count requests in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def head_a(world, commune_a):
    return world.heads[commune_a.code]


@pytest.fixture
def api():
    """``api(user)``: a client that authenticates as ``user`` with a token (``api(None)``: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def progress(world, commune_a, commune_b):
    """A reporting period of the campaign with one value per ward on its indicator."""
    campaign = world.campaign
    indicator = campaign.indicators.get()
    period = ReportingPeriod.objects.create(
        campaign=campaign, label="Quý III/2025", start=date(2025, 7, 1), end=date(2025, 9, 30), due=date(2025, 10, 5)
    )
    at = timezone.make_aware(datetime(2025, 10, 1, 9, 0))
    return [
        ProgressReport.objects.create(
            period=period, unit=unit, indicator=indicator, numerator=n, denominator=10, reported_at=at
        )
        for unit, n in ((commune_a, 7), (commune_b, 3))
    ]


@pytest.fixture
def scorecards(world, commune_a, commune_b):
    """An individual scorecard (a woman of ward A) and a collective one per ward."""
    campaign = world.campaign
    people = ScoringTable.objects.create(campaign=campaign, subject="individual", name="Bảng điểm cá nhân")
    units = ScoringTable.objects.create(campaign=campaign, subject="collective", name="Bảng điểm tập thể")
    return [
        Scorecard.objects.create(table=people, unit=commune_a, person_name="Lê Thị Thu", person_is_female=True),
        Scorecard.objects.create(table=units, unit=commune_a, self_total=Decimal("91.50")),
        Scorecard.objects.create(table=units, unit=commune_b, self_total=Decimal("80")),
    ]
