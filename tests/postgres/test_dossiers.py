"""Issue 6 on a real PostgreSQL server: the composition gate, a return during appraisal and the resubmission, the
appraisal timer fired under viewflow's row lock, the campaign quota counted under the quota row's lock, and a bulk
receive of every filtered dossier."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from competition.models import RequiredDocument
from nominations.enums import AppraisalResult, DossierState
from nominations.models import Dossier, DossierReturn
from nominations.services import board, quotas
from nominations.services import dossiers as services
from nominations.services.demo import fill_composition
from workflows.audit import verify_chain
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent
from workflows.tasks import fire_workflow_timers

from ..factories import NomineeDataFactory, make_nomination_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    award = rule_set.award_types.get(code="bang_khen_tinh")
    RequiredDocument.objects.create(award_type=award, code="to_trinh", name="Tờ trình", order=1)
    RequiredDocument.objects.create(
        award_type=award, code="bao_cao_thanh_tich", name="Báo cáo thành tích", per_nominee=True, order=2
    )
    rule_set.appraisal_working_days = 3
    rule_set.save(update_fields=["appraisal_working_days"])
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


def dossier_of(world, unit, clerk, *, nominees=1) -> Dossier:
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code="bang_khen_tinh", title=f"Đề nghị — {unit}", actor=clerk
    )
    for _ in range(nominees):
        services.add_nominee(dossier, actor=clerk, **NomineeDataFactory())
    return dossier


def test_return_resubmit_timer_and_quota_on_postgresql(world, commune_a, clerk_a, board_officer):
    head = world.heads[commune_a.code]
    quotas.set_quota(world.campaign, "bang_khen_tinh", actor=board_officer, max_campaign_individual=1)
    dossier = dossier_of(world, commune_a, clerk_a, nominees=2)
    with pytest.raises(Exception, match="Thiếu"):
        services.submit_dossier(dossier, actor=head)
    fill_composition(dossier, actor=clerk_a)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):
        services.submit_dossier(dossier, actor=head)
        services.receive_dossier(dossier, actor=board_officer)
        first, second = dossier.nominees.order_by("order")
        services.appraise_nominee(first, actor=board_officer, result=AppraisalResult.ACCEPTED)
        with pytest.raises(Exception, match="tối đa 1"):
            services.appraise_nominee(second, actor=board_officer, result=AppraisalResult.ACCEPTED)
        services.return_dossier(
            dossier, actor=board_officer, items=[{"target": f"nominee:{second.pk}", "reason": "Bổ sung thành tích."}]
        )
    services.update_nominee(second, actor=clerk_a, achievement="Hướng dẫn 300 người dân dùng trợ lý AI.")
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=VN), tick=False):
        services.submit_dossier(dossier, actor=head)
        services.receive_dossier(dossier, actor=board_officer)
    assert DossierReturn.objects.get(dossier=dossier).resolved_by_version.number == 2
    with time_machine.travel(datetime(2026, 3, 9, 0, 5, tzinfo=VN), tick=False):
        assert fire_workflow_timers() == 1
    assert AuditEvent.objects.filter(action="nominations.dossier.overdue").count() == 1
    assert check_agreement(strict=True) == [] and verify_chain() == []


def test_bulk_receive_of_every_filtered_dossier(world, commune_a, commune_b, clerk_a, clerk_b, board_officer):
    made = []
    for unit, clerk in ((commune_a, clerk_a), (commune_b, clerk_b)):
        for _ in range(3):
            dossier = dossier_of(world, unit, clerk)
            fill_composition(dossier, actor=clerk)
            services.submit_dossier(dossier, actor=world.heads[unit.code])
            made.append(dossier)
    result = board.bulk_apply("receive", board.DossierFilters(unit=commune_a.code), actor=board_officer)
    assert (result.total, result.done) == (3, 3)
    states = dict(Dossier.objects.values_list("unit__code", "state").distinct())
    assert states == {commune_a.code: DossierState.RECEIVED, commune_b.code: DossierState.SUBMITTED}
    assert set(Dossier.objects.filter(unit=commune_a).values_list("assignee", flat=True)) == {board_officer.pk}
    assert check_agreement(strict=True) == []


def test_the_council_votes_and_proposes_on_postgresql(world, commune_a, clerk_a, board_officer):
    """Domain rule 8 on PostgreSQL: ballots increment the counters under the session's and the member's row locks;
    closing moves the dossier on; a second ballot by the same member is refused."""
    from nominations.enums import CouncilResult
    from nominations.models import BallotTally
    from workflows.exceptions import TransitionRefused

    from ..factories import pass_council

    dossier = dossier_of(world, commune_a, clerk_a, nominees=2)
    fill_composition(dossier, actor=clerk_a)
    services.submit_dossier(dossier, actor=world.heads[commune_a.code])
    services.receive_dossier(dossier, actor=board_officer)
    for nominee in dossier.nominees.all():
        services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)
    services.complete_appraisal(dossier, actor=board_officer)
    session = pass_council([dossier], secretary=board_officer, members=3)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROPOSED
    assert set(dossier.nominees.values_list("council_result", flat=True)) == {CouncilResult.APPROVED}
    assert sorted(BallotTally.objects.filter(session=session).values_list("yes", "no", "abstain")) == [(3, 0, 0)] * 2
    member = session.members.first().user
    from nominations.services import council

    with pytest.raises(TransitionRefused):
        council.cast_ballot(session, actor=member, choices={})
    assert check_agreement(strict=True) == [] and verify_chain() == []
