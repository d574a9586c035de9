import os
from datetime import date

import pytest

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Enrolment

from .factories import (
    AwardTypeFactory,
    BaseSalaryFactory,
    CampaignFactory,
    IndicatorFactory,
    RuleSetFactory,
    UnitFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """Tests that need PostgreSQL, Redis or a browser may skip on a laptop, never in CI."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    settings.LANGUAGE_CODE = "vi"
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded and imported files go to a temporary folder, never into the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache of its own (in memory, even where REDIS_URL is set): the database is
    rolled back between tests, so the audit chain's head, which keys the data cache, comes round again."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _q_sync(monkeypatch):
    # django-q2 reads its settings once at import: run queued tasks inline in tests.
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def province(db):
    return UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)


@pytest.fixture
def commune_a(province):
    return UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)


@pytest.fixture
def commune_b(province):
    return UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)


@pytest.fixture
def board_unit(province):
    return UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)


@pytest.fixture
def board_officer(board_unit):
    return UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board_unit)


@pytest.fixture
def clerk_a(commune_a):
    return UserFactory(username="vanthu.a", role=Role.UNIT_CLERK, unit=commune_a)


@pytest.fixture
def clerk_b(commune_b):
    return UserFactory(username="vanthu.b", role=Role.UNIT_CLERK, unit=commune_b)


@pytest.fixture
def admin_user(province):
    return UserFactory(username="quantri", role=Role.ADMIN, unit=province)


@pytest.fixture
def auditor(province):
    return UserFactory(username="kiemtoan", role=Role.AUDITOR, unit=province)


@pytest.fixture
def rule_set(db):
    rs = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rs)
    BaseSalaryFactory()
    return rs


@pytest.fixture
def draft_campaign(rule_set, commune_a, commune_b):
    campaign = CampaignFactory()
    IndicatorFactory(campaign=campaign, code="1")
    Enrolment.objects.create(campaign=campaign, unit=commune_a)
    Enrolment.objects.create(campaign=campaign, unit=commune_b)
    return campaign
