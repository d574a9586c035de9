"""Launching a campaign through the door: permissions, states, conditions, rule set pinning, notifications."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from competition.enums import CampaignState
from competition.models import Campaign
from competition.services.campaigns import launch_campaign, set_participants
from workflows import transition
from workflows.audit import events_for, verify_chain
from workflows.consistency import check_states
from workflows.exceptions import ConflictError, TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent, Notification

from ..factories import CampaignFactory, RuleSetFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _unchanged(campaign: Campaign) -> None:
    fresh = Campaign.objects.get(pk=campaign.pk)
    assert fresh.state == CampaignState.DRAFT
    assert fresh.rule_set_id is None
    assert not AuditEvent.objects.filter(action="competition.campaign.launch").exists()
    assert not Notification.objects.exists()


def test_board_officer_launches_and_units_are_notified(
    draft_campaign, board_officer, clerk_a, clerk_b, django_capture_on_commit_callbacks, rule_set
):
    with django_capture_on_commit_callbacks(execute=True):
        launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    draft_campaign.refresh_from_db()
    assert draft_campaign.state == CampaignState.LAUNCHED
    assert draft_campaign.rule_set == rule_set
    event = events_for(draft_campaign).get(action="competition.campaign.launch")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "launched", board_officer)
    assert event.payload["rule_set"] == rule_set.code
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"vanthu.a", "vanthu.b"}
    # E-mail goes out after the commit, through django-q2 (sync in tests), once per recipient.
    assert sorted(m.to[0] for m in mail.outbox) == ["vanthu.a@example.org", "vanthu.b@example.org"]
    assert verify_chain() == [] and check_states() == []


def test_the_rule_set_in_force_on_the_launch_date_is_pinned(draft_campaign, board_officer, rule_set):
    older = RuleSetFactory(code="nd98-2023", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1))
    older.award_types.create(code="bang_khen_tinh", name="Bằng khen", authority="provincial_chairman")
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 6, 30))
    draft_campaign.refresh_from_db()
    assert draft_campaign.rule_set == older


def test_a_unit_clerk_may_not_launch(draft_campaign, clerk_a):
    with pytest.raises(TransitionForbidden) as excinfo:
        launch_campaign(draft_campaign, actor=clerk_a, on=date(2025, 7, 15))
    assert "không có quyền" in excinfo.value.message
    assert isinstance(excinfo.value, PermissionDenied)
    _unchanged(draft_campaign)


def test_launching_twice_is_refused_and_changes_nothing(draft_campaign, board_officer):
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    events = AuditEvent.objects.count()
    stale = Campaign.objects.get(pk=draft_campaign.pk)
    with pytest.raises(TransitionRefused) as excinfo:
        launch_campaign(stale, actor=board_officer, on=date(2025, 7, 15))
    assert "Đã phát động" in str(excinfo.value)
    assert AuditEvent.objects.count() == events


def test_a_stale_page_gets_a_conflict(draft_campaign, board_officer):
    seen_by_other_tab = Campaign.objects.get(pk=draft_campaign.pk)
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    with pytest.raises(ConflictError):
        transition(seen_by_other_tab, "start_summary", actor=board_officer)


def test_unmet_conditions_are_listed(board_officer, rule_set):
    campaign = CampaignFactory(award_type_codes=[])
    with pytest.raises(TransitionRefused) as excinfo:
        launch_campaign(campaign, actor=board_officer, on=date(2025, 7, 15))
    text = str(excinfo.value)
    for expected in ("Chưa chọn đơn vị tham gia", "Chưa có chỉ tiêu", "Chưa chọn hình thức khen thưởng"):
        assert expected in text
    _unchanged(campaign)


def test_no_rule_set_in_force(draft_campaign, board_officer):
    with pytest.raises(TransitionRefused) as excinfo:
        launch_campaign(draft_campaign, actor=board_officer, on=date(2020, 1, 1))
    assert "01/01/2020" in str(excinfo.value)
    _unchanged(draft_campaign)


def test_award_form_needing_a_longer_campaign_is_refused(draft_campaign, board_officer, rule_set):
    # Domain rule 2: the provincial emulation flag needs a campaign of three years or more.
    rule_set.award_types.create(
        code="co_thi_dua_tinh",
        name="Cờ thi đua của UBND tỉnh",
        authority="provincial_chairman",
        min_campaign_months=36,
    )
    Campaign.objects.filter(pk=draft_campaign.pk).update(award_type_codes=["bang_khen_tinh", "co_thi_dua_tinh"])
    draft_campaign.refresh_from_db()
    with pytest.raises(TransitionRefused) as excinfo:
        launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    assert "ít nhất 36 tháng" in str(excinfo.value)
    _unchanged(draft_campaign)


def test_direct_state_assignment_is_refused(draft_campaign):
    with pytest.raises(AttributeError):
        draft_campaign.state = CampaignState.CLOSED


def test_dissolved_units_cannot_take_part(draft_campaign, board_officer, commune_a):
    old = UnitFactory(name="Xã Cũ", dissolved_on=date(2025, 7, 1), successor=commune_a)
    with pytest.raises(TransitionRefused) as excinfo:
        set_participants(draft_campaign, [commune_a, old], actor=board_officer)
    assert "Xã Cũ" in str(excinfo.value) and commune_a.name in str(excinfo.value)
    assert draft_campaign.enrolments.count() == 2


def test_full_lifecycle(draft_campaign, board_officer):
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    transition(draft_campaign, "start_summary", actor=board_officer)
    transition(draft_campaign, "close", actor=board_officer, reason="Đã tổng kết")
    assert draft_campaign.state == CampaignState.CLOSED
    assert [e.to_state for e in events_for(draft_campaign) if e.to_state] == ["launched", "summarizing", "closed"]
    assert check_states() == []


def test_only_unit_clerks_and_heads_are_notified(draft_campaign, board_officer, clerk_a, commune_a):
    from accounts.enums import Role

    from ..factories import UserFactory

    head = UserFactory(username="truong.a", role=Role.UNIT_HEAD, unit=commune_a)
    UserFactory(username="thanhtra.a", role=Role.AUDITOR, unit=commune_a)
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    assert set(Notification.objects.values_list("recipient", flat=True)) == {clerk_a.pk, head.pk}
