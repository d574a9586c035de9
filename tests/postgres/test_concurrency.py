"""Issue 8, item 2: concurrency on a real PostgreSQL server, with threads.

Each test is transactional (``transaction=True``): what the set-up writes is committed, so the threads, which each
open their own connection (and close it at the end), see it. A ``threading.Barrier`` releases the threads together;
every object a thread acts on is read before the barrier, so each thread acts on what its user saw on the page.

- Two board officers act on the same dossier at once (both receive it; one receives while the other returns it):
  the door's row lock lets exactly one transition happen, the other officer gets ``ConflictError`` with a
  Vietnamese "someone else changed it, reload" message, and the audit trail has exactly one event for it. Through
  the web, two browsers posting the same step: one success, one message on the page, no error 500.
- Decision numbers never repeat: N drafts of one issuing body whose register the product keeps get N distinct,
  consecutive numbers when their issue details are saved at once; N drafts given the same number by hand (register
  not kept): one gets it, the others a ``TransitionRefused`` saying the number is used, never an IntegrityError.
- The audit chain stays one gap-free, valid chain when 20 dossiers are received at once.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from nominations.enums import DossierState
from nominations.models import AwardDecision, DecisionRegister, Dossier, DossierReturn
from nominations.services import dossiers as services
from workflows.audit import events_for, verify_chain
from workflows.exceptions import ConflictError, TransitionRefused
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent, ChainHead

from ..factories import NomineeDataFactory, UserFactory, make_nomination_world
from ..nominations._decision_setup import build_world, drafted, issue, provincial_dossier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_SECONDS = 60  # a thread still running after this is a deadlock or a lock wait: the test fails


def in_threads(actions) -> list:
    """Run each ``action(barrier)`` in its own thread; each reads what it needs, waits at the barrier, then acts.
    Returns what each returned or raised, in order. Every thread closes its own database connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            with translation.override("vi"):
                outcomes[index] = action(barrier)
        except BaseException as exc:  # noqa: BLE001 — the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting: deadlock or lock wait"
    return outcomes


def errors_of(outcomes, kind=BaseException) -> list[BaseException]:
    return [o for o in outcomes if isinstance(o, kind)]


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def second_officer(board_unit):
    return UserFactory(username="canbo2.snv", role=Role.BOARD_OFFICER, unit=board_unit)


def submitted_dossier(world, unit, clerk) -> Dossier:
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code="bang_khen_tinh", title=f"Đề nghị — {unit}", actor=clerk
    )
    services.add_nominee(dossier, actor=clerk, **NomineeDataFactory())
    return services.submit_dossier(dossier, actor=world.heads[unit.code])


BOARD_STEPS = (
    "nominations.dossier.receive",
    "nominations.dossier.send_back",
    "nominations.dossier.send_back_in_appraisal",
)


def actions_after_submit(dossier: Dossier) -> list[AuditEvent]:
    """The audit events of the board's transitions on ``dossier`` (receipt or return)."""
    return [e for e in events_for(dossier) if e.action in BOARD_STEPS]


def assert_conflict_message(exc: BaseException) -> None:
    assert isinstance(exc, ConflictError), repr(exc)
    assert "người khác" in exc.message and "Hãy tải lại trang" in exc.message, exc.message


# --- Two officers, one dossier -------------------------------------------------------------------------------


def test_two_officers_receive_the_same_dossier_at_once(world, commune_a, clerk_a, board_officer, second_officer):
    dossier = submitted_dossier(world, commune_a, clerk_a)

    def receive_as(officer):
        def action(barrier):
            seen = Dossier.objects.get(pk=dossier.pk)  # what the officer's page showed: submitted
            barrier.wait(timeout=30)
            return services.receive_dossier(seen, actor=officer)

        return action

    outcomes = in_threads([receive_as(board_officer), receive_as(second_officer)])

    received = [o for o in outcomes if isinstance(o, Dossier)]
    assert len(received) == 1, outcomes
    (refused,) = errors_of(outcomes)
    assert_conflict_message(refused)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED
    winner = board_officer if outcomes[0] is received[0] else second_officer
    assert dossier.assignee_id == winner.pk  # the one who received it handles it
    (event,) = actions_after_submit(dossier)
    assert (event.action, event.actor_id) == ("nominations.dossier.receive", winner.pk)
    assert verify_chain() == []
    assert check_agreement(strict=True) == []


def test_one_officer_receives_while_the_other_returns_it(world, commune_a, clerk_a, board_officer, second_officer):
    dossier = submitted_dossier(world, commune_a, clerk_a)
    nominee = dossier.nominees.get()

    def receive(barrier):
        seen = Dossier.objects.get(pk=dossier.pk)
        barrier.wait(timeout=30)
        return services.receive_dossier(seen, actor=board_officer)

    def send_back(barrier):
        seen = Dossier.objects.get(pk=dossier.pk)
        barrier.wait(timeout=30)
        return services.return_dossier(
            seen, actor=second_officer, items=[{"target": f"nominee:{nominee.pk}", "reason": "Bổ sung thành tích."}]
        )

    outcomes = in_threads([receive, send_back])

    done = [o for o in outcomes if isinstance(o, Dossier)]
    assert len(done) == 1, outcomes
    (refused,) = errors_of(outcomes)
    assert_conflict_message(refused)
    dossier.refresh_from_db()
    (event,) = actions_after_submit(dossier)
    if isinstance(outcomes[0], Dossier):  # the receipt won
        assert dossier.state == DossierState.RECEIVED and event.action == "nominations.dossier.receive"
        assert not DossierReturn.objects.filter(dossier=dossier).exists()
    else:  # the return won
        assert dossier.state == DossierState.RETURNED and event.action == "nominations.dossier.send_back"
        assert DossierReturn.objects.filter(dossier=dossier).count() == 1
    assert verify_chain() == []
    assert check_agreement(strict=True) == []


def test_two_browsers_post_the_same_step_one_succeeds_the_other_reads_a_message(
    world, commune_a, clerk_a, board_officer, second_officer
):
    dossier = submitted_dossier(world, commune_a, clerk_a)
    url = reverse("nominations:dossier_transition", args=[dossier.pk, "receive"])
    browsers = []
    for officer in (board_officer, second_officer):
        browser = Client()
        browser.force_login(officer)
        browsers.append(browser)

    def post_with(browser):
        def action(barrier):
            barrier.wait(timeout=30)
            return browser.post(url, follow=True)

        return action

    responses = in_threads([post_with(b) for b in browsers])

    assert not errors_of(responses), responses
    assert [r.status_code for r in responses] == [200, 200]
    pages = [r.content.decode() for r in responses]
    succeeded = [p for p in pages if ": thành công." in p]
    assert len(succeeded) == 1
    (other,) = [p for p in pages if p not in succeeded]
    # Refused on the state it found (it read the dossier after the other's commit) or a conflict (before it).
    assert "Hãy tải lại trang" in other or "Không thể “" in other
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED
    assert len(actions_after_submit(dossier)) == 1
    assert verify_chain() == []


# --- Decision numbers ----------------------------------------------------------------------------------------

N_DECISIONS = 8


@pytest.fixture
def decision_world():
    return build_world()


def drafts(world, n: int) -> list[AwardDecision]:
    made = []
    for i in range(n):
        with transaction.atomic():  # the flow is started in the transaction that creates the dossier
            made.append(drafted(world, provincial_dossier(world, [("individual", f"Người được khen {i}")])))
    return made


def test_numbers_from_a_kept_register_never_repeat_under_concurrent_issuing(decision_world):
    world = decision_world
    DecisionRegister.objects.create(issuing_unit=world.province, symbol="QĐ-UBND", year=2025, last_number=40)
    decisions = drafts(world, N_DECISIONS)

    def issue_one(decision):
        def action(barrier):
            seen = AwardDecision.objects.get(pk=decision.pk)
            barrier.wait(timeout=30)
            return issue(seen, world.chairman_office, number=None, issued_on=date(2025, 9, 15)).number

        return action

    numbers = in_threads([issue_one(d) for d in decisions])

    assert not errors_of(numbers), numbers
    assert sorted(numbers) == list(range(41, 41 + N_DECISIONS))
    stored = sorted(AwardDecision.objects.filter(year=2025).values_list("number", flat=True))
    assert stored == list(range(41, 41 + N_DECISIONS))
    register = DecisionRegister.objects.get(issuing_unit=world.province, symbol="QĐ-UBND", year=2025)
    assert register.last_number == 40 + N_DECISIONS
    assert AuditEvent.objects.filter(action="nominations.awarddecision.issue_details").count() == N_DECISIONS
    assert verify_chain() == []


def test_the_same_number_typed_in_at_once_is_given_to_one_decision_only(decision_world):
    world = decision_world
    decisions = drafts(world, N_DECISIONS)

    def type_twelve(decision):
        def action(barrier):
            seen = AwardDecision.objects.get(pk=decision.pk)
            barrier.wait(timeout=30)
            return issue(seen, world.chairman_office, number=12, issued_on=date(2025, 9, 15)).number

        return action

    outcomes = in_threads([type_twelve(d) for d in decisions])

    assert outcomes.count(12) == 1, outcomes
    refusals = errors_of(outcomes)
    assert len(refusals) == N_DECISIONS - 1
    for refusal in refusals:
        assert type(refusal) is TransitionRefused, repr(refusal)  # never an IntegrityError
        # "đã được dùng" when the winner had committed before the check, "vừa được dùng" when the unique index
        # caught it at the write: either way the person is told the number is taken and to type another.
        assert "12/QĐ-UBND năm 2025" in str(refusal) and "được dùng" in str(refusal), str(refusal)
    assert list(AwardDecision.objects.filter(number__isnull=False).values_list("number", flat=True)) == [12]
    assert AuditEvent.objects.filter(action="nominations.awarddecision.issue_details").count() == 1
    assert verify_chain() == []


# --- The audit chain under load ------------------------------------------------------------------------------

N_DOSSIERS = 20


def test_the_audit_chain_stays_gap_free_under_concurrent_transitions(
    world, commune_a, commune_b, clerk_a, clerk_b, board_officer, second_officer
):
    dossiers = [
        submitted_dossier(world, unit, clerk)
        for i in range(N_DOSSIERS // 2)
        for unit, clerk in ((commune_a, clerk_a), (commune_b, clerk_b))
    ]
    before = ChainHead.objects.get(pk=1).sequence

    def receive(dossier, officer):
        def action(barrier):
            seen = Dossier.objects.get(pk=dossier.pk)
            barrier.wait(timeout=30)
            return services.receive_dossier(seen, actor=officer).state

        return action

    officers = (board_officer, second_officer)
    outcomes = in_threads([receive(d, officers[i % 2]) for i, d in enumerate(dossiers)])

    assert outcomes == [DossierState.RECEIVED] * N_DOSSIERS
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))  # no gap, no repeat
    head = ChainHead.objects.get(pk=1)
    assert head.sequence == sequences[-1] and head.hash == AuditEvent.objects.get(sequence=head.sequence).hash
    receipts = AuditEvent.objects.filter(action="nominations.dossier.receive", sequence__gt=before)
    assert receipts.count() == N_DOSSIERS
    assert sorted(int(pk) for pk in receipts.values_list("object_id", flat=True)) == sorted(d.pk for d in dossiers)
    assert verify_chain() == []
    assert check_agreement(strict=True) == []
