"""The inbox at scale: the SQL twin of the acting permissions agrees with the predicates, the count per step, the
oldest rows only, filters, and the pages (home and the inbox page) for a user with many waiting dossiers."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from accounts.enums import Role
from accounts.models import User
from nominations.flows import DossierFlow
from nominations.models import Dossier
from nominations.rules import dossiers_acted_on
from nominations.services.inbox import inbox_for, inbox_slice, waiting_counts
from workflows.assignments import absent_for, name_stand_in
from workflows.inbox import inbox_for as everything_for

from ..factories import UserFactory, dossier_at_step

pytestmark = pytest.mark.django_db


def _dossier(world, unit, clerk, head, office, code="bang_khen_tinh", *, steps=0, title=None):
    return dossier_at_step(
        world.campaign, unit, clerk, head, office, code, steps=steps, title=title or f"Hồ sơ {code} {steps} của {unit}"
    )


@pytest.fixture
def every_step(world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer):
    """Both communes' Bằng khen (the board handles them) and Giấy khen (their own clerks handle them) at every
    step of the flow."""
    made = []
    for unit, clerk, head in ((commune_a, clerk_a, head_a), (commune_b, clerk_b, head_b)):
        for code, office in (("bang_khen_tinh", board_officer), ("giay_khen_xa", clerk)):
            for steps in range(5):
                made.append(_dossier(world, unit, clerk, head, office, code, steps=steps))
    return made


def _oracle(user) -> list[tuple[int, str]]:
    """The inbox as the door sees it: every open task, asked one by one with has_perm (what the SQL replaces)."""
    if not user.is_active:
        return []
    away = set(absent_for(user))
    rows = []
    tasks = Task.objects.filter(
        process__flow_class=DossierFlow, flow_task_type="HUMAN", status__in=(STATUS.NEW, STATUS.ASSIGNED)
    ).order_by("created", "pk")
    for task in tasks:
        dossier = task.process.dossierprocess.dossier
        if not Dossier.objects.filter(pk=dossier.pk).filter(pk__in=_scoped(user)).exists():
            continue
        if task.owner_id not in (None, user.pk):
            continue
        if task.owner_permission and not user.has_perm(task.owner_permission, dossier):
            continue
        if task.flow_task.name in ("receive", "appraise") and dossier.assignee_id not in (None, user.pk, *away):
            continue
        rows.append((dossier.pk, task.flow_task.name))
    return rows


def _scoped(user):
    from competition.scoping import scope

    return scope(user, Dossier.objects.all()).values("pk")


def _everyone(world):
    superuser = UserFactory(username="root", is_superuser=True, role=Role.ADMIN)
    inactive = UserFactory(username="gone", role=Role.BOARD_OFFICER, is_active=False)
    no_unit = UserFactory(username="nounit", role=Role.UNIT_CLERK, unit=None)
    return [*User.objects.exclude(pk__in=[superuser.pk, inactive.pk, no_unit.pk]), superuser, inactive, no_unit]


PERMISSIONS = sorted(
    {node._owner_permission for node in DossierFlow.instance.nodes() if getattr(node, "_owner_permission", None)}
)


def test_the_sql_twin_agrees_with_every_acting_permission_for_every_user(every_step, world):
    dossiers = list(Dossier.objects.select_related("deciding_unit"))
    assert len(dossiers) == 20 and PERMISSIONS
    for user in _everyone(world):
        user = User.objects.get(pk=user.pk)  # no cached unit
        for perm in PERMISSIONS:
            by_sql = set(Dossier.objects.filter(dossiers_acted_on(user, perm)).values_list("pk", flat=True))
            by_rules = {d.pk for d in dossiers if user.has_perm(perm, d)}
            assert by_sql == by_rules, (user.username, user.role, perm)


def test_a_permission_without_its_twin_is_an_error_not_an_empty_inbox(board_officer):
    with pytest.raises(ImproperlyConfigured, match="nominations.frobnicate_dossier"):
        dossiers_acted_on(board_officer, "nominations.frobnicate_dossier")


def test_the_inbox_is_what_the_door_would_accept_for_every_user(
    every_step, world, board_officer, board_unit, province
):
    # A second officer, a dossier assigned to each, and a stand-in: the board's steps follow the officer.
    officer2 = UserFactory(username="canbo2", role=Role.BOARD_OFFICER, unit=board_unit)
    received = [d for d in every_step if d.state == "received" and d.deciding_unit == province]
    Dossier.objects.filter(pk=received[0].pk).update(assignee=officer2)
    Dossier.objects.filter(pk=received[1].pk).update(assignee=board_officer)
    assert [i.dossier.pk for i in inbox_for(board_officer) if i.dossier.pk == received[0].pk] == []
    name_stand_in(
        absent=officer2, stand_in=board_officer, starts_on=date.today(), ends_on=date.today(), actor=officer2
    )
    for user in _everyone(world):
        user = User.objects.get(pk=user.pk)
        assert [(i.dossier.pk, i.node) for i in inbox_for(user)] == _oracle(user), user.username
    standing = [i for i in inbox_for(board_officer) if i.dossier.pk == received[0].pk]
    assert standing and standing[0].standing_in_for == officer2


def test_counts_per_step_and_only_the_oldest_rows(every_step, board_officer, clerk_a, django_assert_max_num_queries):
    counts = waiting_counts(board_officer)
    # Bằng khen of both communes: submitted (receive), received (appraise), appraised (council); proposed waits for
    # the Chairman's office.
    assert counts == {"receive": 2, "appraise": 2, "council": 2}
    fresh = User.objects.get(pk=board_officer.pk)
    # Ballots, the unit, the province's pk (twice), the people stood in for, the counts, the oldest, their rows.
    with django_assert_max_num_queries(8):
        part = inbox_slice(fresh, limit=3)
    assert part.total == 6 and len(part.items) == 3
    assert {s.key: s.count for s in part.steps} == {"dossier.receive": 2, "dossier.appraise": 2, "dossier.council": 2}
    assert [i.since for i in part.items] == sorted(i.since for i in inbox_slice(board_officer).items)[:3]
    only = inbox_slice(board_officer, step="dossier.appraise")
    assert only.total == 2 and {i.step for i in only.items} == {"Thẩm định hồ sơ"}
    assert {s.key: s.count for s in only.steps}["dossier.receive"] == 2  # the other steps stay offered
    assert inbox_slice(board_officer, step="dossier.nonsense").total == 0
    assert inbox_slice(board_officer, step="elsewhere").items == []
    council = inbox_slice(board_officer, step="dossier.council").items
    assert council and {row.url for row in council} == {"/council/"}  # the step is done on the council's pages
    # The commune's clerk handles its own Giấy khen: receive, appraise, council.
    assert waiting_counts(clerk_a) == {"receive": 1, "appraise": 1, "council": 1}


def test_search_by_words_of_the_title_or_the_unit(every_step, board_officer, commune_a):
    assert "Đình" in str(commune_a)  # typed in lower case, found on SQLite too
    found = inbox_slice(board_officer, search="đình")
    assert found.total == 3 and all(str(commune_a) in i.detail for i in found.items)
    assert inbox_slice(board_officer, search="bang_khen_tinh 2").total == 2  # both communes' received dossiers
    assert inbox_slice(board_officer, search="không có hồ sơ nào").total == 0


def _many(world, commune_a, clerk_a, head_a, n):
    for i in range(n):
        _dossier(world, commune_a, clerk_a, head_a, None, steps=1, title=f"Hồ sơ số {i:03d}")


def test_the_home_page_shows_the_count_the_steps_and_the_oldest_ten(
    client, world, commune_a, clerk_a, head_a, board_officer
):
    _many(world, commune_a, clerk_a, head_a, 13)
    client.force_login(board_officer)
    page = client.get("/").content.decode()
    html = page[page.index("Việc chờ bạn xử lý") : page.index("</section>")]
    assert "Việc chờ bạn xử lý (13)" in html
    assert "Hồ sơ số 000" in html and "Hồ sơ số 009" in html and "Hồ sơ số 010" not in html
    assert "Xem tất cả 13 việc" in html and "?buoc=dossier.receive" in html


def test_the_inbox_page_pages_filters_and_searches(
    client, world, commune_a, clerk_a, head_a, board_officer, django_assert_max_num_queries
):
    _many(world, commune_a, clerk_a, head_a, 55)
    client.force_login(board_officer)
    first = client.get("/viec-cho-xu-ly/").content.decode()
    assert "Việc chờ bạn xử lý (55)" in first and "Trang 1/2" in first
    assert "Hồ sơ số 049" in first and "Hồ sơ số 050" not in first
    second = client.get("/viec-cho-xu-ly/?page=2").content.decode()
    assert "Hồ sơ số 050" in second and "Hồ sơ số 054" in second and "Hồ sơ số 049" not in second
    assert "Hồ sơ số 054" in client.get("/viec-cho-xu-ly/?page=99").content.decode()  # the last page
    assert client.get("/viec-cho-xu-ly/?page=abc").status_code == 200
    searched = client.get("/viec-cho-xu-ly/", {"q": "SỐ 05"}).content.decode()
    # Every word, case-insensitive in Vietnamese too: 005 and 050 to 054.
    assert "Việc chờ bạn xử lý (6)" in searched and "Hồ sơ số 005" in searched and "Hồ sơ số 049" not in searched
    filtered = client.get("/viec-cho-xu-ly/", {"buoc": "dossier.appraise"}).content.decode()
    assert "Không có việc nào khớp điều kiện lọc." in filtered
    with django_assert_max_num_queries(25):
        client.get("/viec-cho-xu-ly/?page=2")


def test_another_unit_never_sees_these_dossiers_in_its_inbox(client, world, commune_a, clerk_a, head_a, clerk_b):
    _many(world, commune_a, clerk_a, head_a, 3)
    client.force_login(clerk_b)
    html = client.get("/viec-cho-xu-ly/").content.decode()
    assert "Hồ sơ số" not in html
    assert [i for i in everything_for(clerk_b).items if "Hồ sơ" in i.title] == []
