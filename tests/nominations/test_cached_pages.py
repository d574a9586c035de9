"""Pages kept in the data cache (workflows/datacache.py) show every change made through the services at once, and
never what another reader may see: the home page's inbox and the dossier page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nominations.services import dossiers as services

from ..factories import NomineeDataFactory, dossier_at_step

pytestmark = pytest.mark.django_db


def _steps(response) -> dict[str, int]:
    return {step.key: step.count for step in response.context["inbox"].steps}


def test_the_inbox_on_the_home_page_follows_each_transition(client, world, commune_a, clerk_a, head_a, board_officer):
    dossier = dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=1)
    client.force_login(board_officer)
    first = client.get(reverse("home"))
    assert _steps(first) == {"dossier.receive": 1}
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("home"))
    assert _steps(second) == {"dossier.receive": 1}
    assert not any("viewflow_task" in q["sql"] for q in again.captured_queries)  # kept, not read again
    # The audit chain's head, which keys every value kept (the inbox, the user's unit), is read once.
    assert sum("workflows_chainhead" in q["sql"] for q in again.captured_queries) == 1

    services.receive_dossier(dossier, actor=board_officer)
    assert _steps(client.get(reverse("home"))) == {"dossier.appraise": 1}
    assert dossier.title in client.get(reverse("workflows:inbox")).content.decode()


def test_the_inbox_stays_kept_while_a_clerk_fills_in_a_draft(client, world, commune_a, clerk_a, head_a, board_officer):
    """Adding a person or a file changes only the dossier's own page: the inbox is not computed again, the
    dossier's page shows the change at once, and the next transition reaches the inbox at once."""
    dossier = dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=0)
    client.force_login(head_a)
    assert _steps(client.get(reverse("home"))) == {"dossier.submit": 1}
    added = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    with CaptureQueriesContext(connection) as again:
        assert _steps(client.get(reverse("home"))) == {"dossier.submit": 1}
    assert not any("viewflow_task" in q["sql"] for q in again.captured_queries)  # kept across the record edit
    page = client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))
    assert added.pk in [n.pk for n in page.context["nominees"]]
    services.submit_dossier(dossier, actor=head_a)
    assert _steps(client.get(reverse("home"))) == {}


def test_the_dossier_page_shows_a_change_at_once_and_only_to_whom_may_see_it(
    client, world, commune_a, clerk_a, head_a, clerk_b, board_officer
):
    dossier = dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=0)
    url = reverse("nominations:dossier_detail", args=[dossier.pk])
    client.force_login(clerk_a)
    assert len(client.get(url).context["nominees"]) == 1
    with CaptureQueriesContext(connection) as again:
        page = client.get(url)
    assert len(page.context["nominees"]) == 1
    assert not any("nominations_nominee" in q["sql"] for q in again.captured_queries)
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()  # the forms are the request's own

    added = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    page = client.get(url)
    assert [n.pk for n in page.context["nominees"]][-1] == added.pk

    client.force_login(clerk_b)  # another commune: the copy kept for clerk_a is not theirs
    assert client.get(url).status_code == 404
    client.force_login(board_officer)  # the board's own copy, with the board's actions
    assert client.get(url).status_code == 200
    services.submit_dossier(dossier, actor=head_a)
    assert [name for name, _label in client.get(url).context["actions"]] == ["receive", "send_back"]


def test_the_cache_keeps_no_personal_data(client, world, commune_a, clerk_a, head_a, board_officer):
    """What the dossier page keeps for all its readers leaves out birth dates and ID numbers (Decree 13/2023)."""
    from django.core.cache import cache

    dossier = dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=0)
    nominee = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(id_number="036095001234"))
    services.submit_dossier(dossier, actor=head_a)
    services.receive_dossier(dossier, actor=board_officer)
    for user in (clerk_a, board_officer):  # the board also checks the register with the ID number
        client.force_login(user)
        assert client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).status_code == 200
    assert any(key.endswith(f"dossier:{dossier.pk}") or f":dossier:{dossier.pk}:" in key for key in cache._cache)
    kept = b"".join(cache._cache.values())
    assert b"036095001234" not in kept
    # A date is pickled as its packed state; as text it is part of the nominee's matching key: neither is there.
    assert nominee.birth_date.__reduce__()[1][0] not in kept
    assert nominee.birth_date.isoformat().encode() not in kept
    # Nor the password hashes of the people the timeline names.
    for user in (clerk_a, head_a, board_officer):
        assert user.password.encode() not in kept


@pytest.mark.parametrize("reader", ["clerk_a", "board_officer"])
def test_a_first_look_at_a_dossier_costs_a_fixed_number_of_queries_in_every_step(
    client, world, commune_a, clerk_a, head_a, board_officer, reader, request
):
    """The load test opens dossiers at random, so most looks are first looks (nothing kept yet for that dossier).
    Their cost must not grow with the step or the history: no query per nominee, event or version, and none of the
    joins the models' default orders would add."""
    dossiers = [
        dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=steps, title=f"Bước {steps}")
        for steps in (0, 1, 2, 3, 4, 0, 1, 2, 3, 4)
    ]
    returned = dossier_at_step(world.campaign, commune_a, clerk_a, head_a, board_officer, steps=1, title="Trả lại")
    services.return_dossier(returned, actor=board_officer, reason="Bổ sung bản tóm tắt thành tích")
    client.force_login(request.getfixturevalue(reader))
    assert client.get(reverse("nominations:dossier_detail", args=[dossiers[0].pk])).status_code == 200  # warm
    counts = {}
    for dossier in [*dossiers[5:], returned]:
        url = reverse("nominations:dossier_detail", args=[dossier.pk])
        with CaptureQueriesContext(connection) as first:
            page = client.get(url)
        assert page.status_code == 200
        with CaptureQueriesContext(connection) as second:
            client.get(url)
        sqls = [q["sql"] for q in first.captured_queries]
        counts[dossier.title] = (len(sqls), len(second.captured_queries))
        # The nominees and the returns are read without joining the dossier for its order.
        assert not any('FROM "nominations_nominee" INNER JOIN "nominations_dossier"' in sql for sql in sqls), sqls
        assert not any('FROM "nominations_dossierreturn" INNER JOIN' in sql for sql in sqls), sqls
        # Returns are read only for a dossier that was returned.
        assert any("nominations_dossierreturn" in sql for sql in sqls) == (dossier == returned)
    # First look: the session, the user, the chain's head, the dossier, its nominees, documents, timeline, versions
    # (once submitted), the council session's name (once proposed), returns (once returned), the unread count; the
    # board also reads the nominees' personal data, the awards register and the holds. Again: only the first four and
    # the unread count.
    budget = {"clerk_a": 9, "board_officer": 12}[reader]
    assert all(first <= budget and second == 5 for first, second in counts.values()), counts
