"""The transition door: one transaction for the state, the audit event and what follows; refusals change nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competition.enums import CampaignState
from competition.models import Campaign
from workflows import SYSTEM, transition
from workflows.door import allowed_transitions
from workflows.models import AuditEvent, ChainHead

pytestmark = pytest.mark.django_db


def test_a_failure_after_the_transition_rolls_everything_back(draft_campaign, board_officer, rule_set):
    def explode(record, event):
        raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError):
        transition(draft_campaign, "launch", actor=board_officer, rule_set=rule_set, after=explode)
    assert Campaign.objects.get(pk=draft_campaign.pk).state == CampaignState.DRAFT
    assert not AuditEvent.objects.exists()
    assert not ChainHead.objects.filter(sequence__gt=0).exists()


def test_only_transition_methods_go_through_the_door(draft_campaign, board_officer):
    with pytest.raises(ValueError):
        transition(draft_campaign, "timeline_errors", actor=board_officer)


def test_system_actor_needs_no_permission_and_is_named_in_the_trail(draft_campaign, rule_set):
    transition(draft_campaign, "launch", actor=SYSTEM, rule_set=rule_set, reason="Hẹn giờ")
    event = AuditEvent.objects.get()
    assert event.actor is None and event.actor_label == "system"
    assert event.payload["reason"] == "Hẹn giờ"


def test_allowed_transitions_follow_state_conditions_and_role(draft_campaign, board_officer, clerk_a):
    assert allowed_transitions(draft_campaign, board_officer) == ["launch"]
    assert allowed_transitions(draft_campaign, clerk_a) == []
    draft_campaign.enrolments.all().delete()
    assert allowed_transitions(draft_campaign, board_officer) == []


def test_query_budget_of_one_transition(draft_campaign, board_officer, rule_set):
    board_officer.has_perm("competition.launch_campaign", draft_campaign)  # warm the scoping cache
    with CaptureQueriesContext(connection) as ctx:
        transition(draft_campaign, "launch", actor=board_officer, rule_set=rule_set)
    # lock + re-read, conditions, save, chain head, audit insert, refresh; savepoints included.
    assert len(ctx.captured_queries) <= 16, [q["sql"] for q in ctx.captured_queries]
    assert draft_campaign.launched_at.date() >= date(2025, 1, 1)


def test_the_trail_reads_in_words(draft_campaign, board_officer, rule_set):
    from competition.services.campaigns import set_participants

    set_participants(draft_campaign, list(draft_campaign.units.all()), actor=board_officer)
    transition(draft_campaign, "launch", actor=board_officer, rule_set=rule_set)
    participants, launch = AuditEvent.objects.order_by("sequence")
    assert participants.action_display == "Chọn đơn vị tham gia"
    assert launch.action_display == "Phát động"
    assert (launch.from_state_display, launch.to_state_display) == ("Dự thảo", "Đã phát động")


def test_the_callers_instance_can_be_saved_after_a_transition(draft_campaign, board_officer, rule_set):
    transition(draft_campaign, "launch", actor=board_officer, rule_set=rule_set)
    assert draft_campaign.state == "launched" and draft_campaign.rule_set == rule_set
    draft_campaign.name = "Tên mới"
    draft_campaign.save()  # no ConcurrentTransition: the instance knows the state it saves over
    assert Campaign.objects.get(pk=draft_campaign.pk).name == "Tên mới"
