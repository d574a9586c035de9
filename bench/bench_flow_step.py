"""Cost of one human step of the Dossier flow, measured in the same run on a SQLite file database:

- door + task: ``workflows.transition(dossier, "submit", ...)``, which also completes the flow's task (flowsync);
- viewflow alone: the same task completed with viewflow's activation API only, as the field notes describe a
  step (read the task; inside ``with task.activation() as act:`` assign, start, save the process, execute), in
  its own transaction, with no state change and no audit;
- door alone: the door on the same transition with task completion switched off;
- bare: a django-fsm-2 transition + save in a transaction.

The issue's target: the door adds at most 25% to viewflow's own step ((door + task) / viewflow alone ≤ 1.25).
The four kinds run interleaved in ``ROUNDS`` rounds, so a busy machine slows them alike.

    .venv/bin/python bench/bench_flow_step.py [N]
"""

from __future__ import annotations

import sys
import time

from _setup import django_on_temp_db

ROUNDS = 5


def main(n: int) -> None:
    django_on_temp_db()
    from datetime import date

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from viewflow.workflow import STATUS
    from viewflow.workflow.models import Task

    from accounts.enums import Role
    from accounts.models import User
    from competition.models import AwardType, Campaign, Enrolment, Membership, RuleSet, Unit
    from nominations.flows import DossierFlow
    from nominations.models import Dossier, Nominee
    from workflows import SYSTEM, flowsync, transition
    from workflows.audit import verify_chain

    province = Unit.objects.create(code="19", name="Tỉnh", kind="province", path="/19/")
    ward = Unit.objects.create(code="1", name="Phường", kind="ward", parent=province, path="/19/1/")
    head = User.objects.create(username="h", role=Role.UNIT_HEAD)
    Membership.objects.create(user=head, unit=ward)
    rs = RuleSet.objects.create(
        code="r", name="r", legal_basis="x", valid_from=date(2020, 1, 1), appraisal_working_days=20
    )
    AwardType.objects.create(rule_set=rs, code="bk", name="BK", authority="provincial_chairman")
    campaign = Campaign.objects.create(
        code="c",
        name="C",
        issuing_body="UBND",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
        award_type_codes=["bk"],
        state="launched",
        rule_set=rs,
    )
    Enrolment.objects.create(campaign=campaign, unit=ward)
    now = timezone.now()

    def make(count: int, *, with_flow: bool) -> list[Dossier]:
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(campaign=campaign, unit=ward, deciding_unit=province, award_type_code="bk", title=f"D{i}")
                for i in range(count)
            ]
        )
        Nominee.objects.bulk_create(
            [Nominee(dossier=d, kind="individual", name=f"N{d.pk}", canonical_key=f"n{d.pk}") for d in dossiers]
        )
        if with_flow:
            with transaction.atomic():
                for d in dossiers:
                    flowsync.start_process(DossierFlow, d, SYSTEM)
        return dossiers

    def submit_tasks(dossiers: list[Dossier]) -> list[int]:
        by_dossier = dict(
            Task.objects.filter(
                process__dossierprocess__dossier__in=dossiers, flow_task=DossierFlow.submit, status=STATUS.NEW
            ).values_list("process__dossierprocess__dossier", "pk")
        )
        return [by_dossier[d.pk] for d in dossiers]

    class Request:
        user = head

    def viewflow_step(task_pk: int) -> None:
        task = Task.objects.get(pk=task_pk)
        with task.activation() as act:
            act.assign(head)
            act.start(Request())
            act.process.save()
            act.execute()

    bare_set = make(n, with_flow=False)
    door_only_set = make(n, with_flow=False)
    viewflow_set = submit_tasks(make(n, with_flow=True))
    door_flow_set = make(n, with_flow=True)
    head.has_perm("nominations.submit_dossier", bare_set[0])  # warm the scoping cache, as a request would

    real_complete_task = flowsync.complete_task

    def no_task(*args, **kwargs) -> None:
        return None

    def bare(chunk) -> None:
        for d in chunk:
            with transaction.atomic():
                d.submit(rule_set=rs, at=now)
                d.save()

    def viewflow_alone(chunk) -> None:
        for pk in chunk:
            viewflow_step(pk)

    def door_alone(chunk) -> None:
        flowsync.complete_task = no_task
        try:
            for d in chunk:
                transition(d, "submit", actor=head, rule_set=rs, at=now)
        finally:
            flowsync.complete_task = real_complete_task

    def door_and_task(chunk) -> None:
        for d in chunk:
            transition(d, "submit", actor=head, rule_set=rs, at=now)

    kinds = (
        ("bare", bare, bare_set),
        ("viewflow", viewflow_alone, viewflow_set),
        ("door", door_alone, door_only_set),
        ("door+task", door_and_task, door_flow_set),
    )
    spent = dict.fromkeys([name for name, _run, _items in kinds], 0.0)
    size = -(-n // ROUNDS)
    for r in range(ROUNDS):
        for name, run, items in kinds:
            t0 = time.perf_counter()
            run(items[r * size : (r + 1) * size])
            spent[name] += time.perf_counter() - t0
    timings = {name: total / n * 1000 for name, total in spent.items()}

    connection.force_debug_cursor = True
    queries = {}
    extra_bare, extra_door = make(2, with_flow=False)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        extra_bare.submit(rule_set=rs, at=now)
        extra_bare.save()
    queries["bare"] = len(ctx.captured_queries)
    extra_task = submit_tasks(make(1, with_flow=True))[0]
    with CaptureQueriesContext(connection) as ctx:
        viewflow_step(extra_task)
    queries["viewflow"] = len(ctx.captured_queries)
    flowsync.complete_task = no_task
    try:
        with CaptureQueriesContext(connection) as ctx:
            transition(extra_door, "submit", actor=head, rule_set=rs, at=now)
    finally:
        flowsync.complete_task = real_complete_task
    queries["door"] = len(ctx.captured_queries)
    extra_flow = make(1, with_flow=True)[0]
    with CaptureQueriesContext(connection) as ctx:
        transition(extra_flow, "submit", actor=head, rule_set=rs, at=now)
    queries["door+task"] = len(ctx.captured_queries)
    connection.force_debug_cursor = False

    assert not verify_chain()
    # The dossiers whose task viewflow alone completed stayed in draft: exactly those disagree.
    assert len(flowsync.check_agreement()) == n + 1
    print(f"steps: {n} of each kind (submit: draft → submitted; the flow moves from submit to receive)")
    print(f"bare fsm transition + save:        {timings['bare']:.2f} ms each, {queries['bare']} queries")
    print(f"viewflow's own step (activation):  {timings['viewflow']:.2f} ms each, {queries['viewflow']} queries")
    print(f"door alone (no task completion):   {timings['door']:.2f} ms each, {queries['door']} queries")
    print(f"door + task (one human step):      {timings['door+task']:.2f} ms each, {queries['door+task']} queries")
    added = timings["door+task"] / timings["viewflow"] - 1
    verdict = "OK" if added <= 0.25 else "OVER"
    print(
        f"ratio door+task / viewflow alone: {timings['door+task'] / timings['viewflow']:.2f}x "
        f"(the door adds {added:.0%}; target ≤ 25%: {verdict})"
    )
    print(f"ratio door+task / bare: {timings['door+task'] / timings['bare']:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
