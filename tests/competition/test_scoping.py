"""A unit user sees only their own unit's records, in services and in views (architecture principle 7)."""

from datetime import date

import pytest
from django.urls import reverse

from competition.models import Campaign, Enrolment, Membership, Unit
from competition.scoping import can_see, scope
from competition.services.campaigns import launch_campaign
from workflows.models import Notification

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(draft_campaign, board_officer, clerk_a, clerk_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    return draft_campaign


def test_enrolments_of_another_unit_are_invisible(launched, clerk_a, commune_a, commune_b):
    mine = scope(clerk_a, Enrolment.objects.all())
    assert list(mine.values_list("unit", flat=True)) == [commune_a.pk]
    other = Enrolment.objects.get(unit=commune_b)
    assert not can_see(clerk_a, other)


def test_members_of_another_unit_are_invisible(clerk_a, clerk_b):
    assert list(scope(clerk_a, Membership.objects.all())) == [clerk_a.membership]
    assert not can_see(clerk_a, clerk_b.membership)


def test_sub_units_are_visible_to_their_parent(clerk_a, commune_a):
    body = UnitFactory(name="Văn phòng HĐND và UBND", kind="body", parent=commune_a)
    assert set(scope(clerk_a, Unit.objects.all())) == {commune_a, body}


def test_campaigns_only_when_launched_and_enrolled(draft_campaign, clerk_a, board_officer, province):
    assert not scope(clerk_a, Campaign.objects.all()).exists()  # a draft is the board's
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    assert list(scope(clerk_a, Campaign.objects.all())) == [draft_campaign]
    outsider = UnitFactory(parent=province)
    from ..factories import UserFactory

    stranger = UserFactory(unit=outsider)
    assert not scope(stranger, Campaign.objects.all()).exists()


def test_board_and_auditor_see_everything(launched, board_officer, auditor):
    assert scope(board_officer, Enrolment.objects.all()).count() == 2
    assert scope(auditor, Enrolment.objects.all()).count() == 2


def test_administrator_sees_configuration_not_campaign_records(launched, admin_user):
    assert scope(admin_user, Unit.objects.all()).count() == Unit.objects.count()
    assert not scope(admin_user, Enrolment.objects.all()).exists()


def test_inactive_user_sees_nothing(launched, clerk_a):
    clerk_a.is_active = False
    clerk_a.save()
    assert not scope(clerk_a, Campaign.objects.all()).exists()


def test_views_hide_other_units_notifications(launched, client, clerk_a, clerk_b):
    theirs = Notification.objects.get(recipient=clerk_b)
    client.force_login(clerk_a)
    page = client.get(reverse("workflows:notifications"))
    assert page.status_code == 200
    assert Notification.objects.get(recipient=clerk_a).title in page.content.decode()
    assert client.post(reverse("workflows:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_views_hide_other_units_enrolment(launched, client, clerk_a, commune_b):
    client.force_login(clerk_a)
    page = client.get(reverse("competition:campaign_detail", args=[launched.pk])).content.decode()
    assert "Phường Phan Đình Phùng" in page
    assert commune_b.name not in page


def test_unenrolled_unit_cannot_open_the_campaign(launched, client, province):
    from ..factories import UserFactory

    stranger = UserFactory(unit=UnitFactory(parent=province))
    client.force_login(stranger)
    assert client.get(reverse("competition:campaign_detail", args=[launched.pk])).status_code == 404


def test_unit_clerk_cannot_author_or_launch(draft_campaign, client, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("competition:campaign_create")).status_code == 403
    assert (
        client.post(reverse("competition:campaign_transition", args=[draft_campaign.pk, "launch"])).status_code == 404
    )
    draft_campaign.refresh_from_db()
    assert draft_campaign.state == "draft"
