"""Cost of one state change through the door (lock, permission, conditions, audit chain) against a bare
django-fsm-2 transition + save, measured in the same run on a SQLite file database.

    .venv/bin/python bench/bench_door.py [N]
"""

from __future__ import annotations

import sys
import time

from _setup import django_on_temp_db, peak_mb

MEMORY_CAP_MB = 100


def main(n: int) -> None:
    django_on_temp_db()
    from datetime import date

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.enums import Role
    from accounts.models import User
    from competition.models import AwardType, Campaign, Enrolment, Indicator, Membership, RuleSet, Unit
    from workflows import transition
    from workflows.audit import verify_chain

    province = Unit.objects.create(code="19", name="Tỉnh", kind="province", path="/19/")
    ward = Unit.objects.create(code="1", name="Phường", kind="ward", parent=province, path="/19/1/")
    officer = User.objects.create(username="b", role=Role.BOARD_OFFICER)
    Membership.objects.create(user=officer, unit=province)
    rs = RuleSet.objects.create(
        code="r", name="r", legal_basis="x", valid_from=date(2020, 1, 1), appraisal_working_days=20
    )
    AwardType.objects.create(rule_set=rs, code="bk", name="BK", authority="provincial_chairman")

    def make(count: int) -> list[Campaign]:
        out = []
        for i in range(count):
            c = Campaign.objects.create(
                code=f"c{i}-{time.time_ns()}",
                name=f"C{i}",
                issuing_body="UBND",
                start_date=date(2025, 1, 1),
                end_date=date(2025, 12, 31),
                award_type_codes=["bk"],
            )
            Indicator.objects.create(
                campaign=c, code="1", name="x", numerator_label="a", denominator_label="b", target_percent=100
            )
            Enrolment.objects.create(campaign=c, unit=ward)
            out.append(c)
        return out

    bare_set, door_set = make(n), make(n)

    def bare() -> None:
        for c in bare_set:
            with transaction.atomic():
                c.launch(rule_set=rs)
                c.save()

    def door() -> None:
        for c in door_set:
            transition(c, "launch", actor=officer, rule_set=rs)

    t0 = time.perf_counter()
    bare()
    t_bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    door()
    t_door = time.perf_counter() - t0
    door_set[:] = make(min(n, 200))
    _, peak = peak_mb(door)
    extra = make(1)[0]
    connection.force_debug_cursor = True
    with CaptureQueriesContext(connection) as ctx:
        transition(extra, "launch", actor=officer, rule_set=rs)
    assert not verify_chain()
    print(f"transitions: {n}")
    print(f"bare fsm transition + save: {t_bare / n * 1000:.2f} ms each")
    print(f"through the door (+ audit chain): {t_door / n * 1000:.2f} ms each, {len(ctx.captured_queries)} queries")
    print(f"ratio door / bare: {t_door / t_bare:.1f}x")
    verdict = "OK" if peak < MEMORY_CAP_MB else "OVER"
    print(f"peak memory of the door run: {peak:.1f} MB (cap {MEMORY_CAP_MB} MB: {verdict})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
