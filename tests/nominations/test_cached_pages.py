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
