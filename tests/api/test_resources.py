"""Each resource of the integration API: list and retrieve, filters, scoping (404 outside it), personal data,
query counts that do not grow with the number of rows."""

import pytest

from accounts.enums import Role
from nominations.services import dossiers as services
from workflows.models import PersonalDataAccess

from ..factories import NomineeDataFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_dossier(world, unit, clerk, *, nominees=1, title=None):
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code="bang_khen_tinh", title=title or f"Hồ sơ của {unit}", actor=clerk
    )
    for _i in range(nominees):
        services.add_nominee(dossier, actor=clerk, **NomineeDataFactory())
    return dossier


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Campaigns, units, indicators, progress, scorecards ---------------------------------------------------------


def test_campaigns_list_and_detail(api, world, board_officer, clerk_a):
    campaign = world.campaign
    rows = results(api(clerk_a).get("/api/v1/campaigns/"))
    assert [(r["id"], r["state"], r["rule_set"]) for r in rows] == [(campaign.pk, "launched", "nd152-2025")]
    assert rows[0]["award_type_codes"] == ["bang_khen_tinh", "giay_khen_xa"]
    assert rows[0]["allowed_transitions"] == []  # a clerk launches, summarises and closes nothing
    detail = api(board_officer).get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert detail["state_label"] == "Đã phát động"
    assert detail["allowed_transitions"] == [{"name": "start_summary", "label": "Bắt đầu tổng kết"}]
    assert results(api(board_officer).get("/api/v1/campaigns/", {"state": "draft"})) == []


def test_a_draft_campaign_is_not_shown_to_units(api, draft_campaign, clerk_a, board_officer):
    assert results(api(clerk_a).get("/api/v1/campaigns/")) == []
    assert api(clerk_a).get(f"/api/v1/campaigns/{draft_campaign.pk}/").status_code == 404
    assert api(board_officer).get(f"/api/v1/campaigns/{draft_campaign.pk}/").status_code == 200


def test_units_are_scoped(api, world, clerk_a, commune_a, commune_b, board_officer):
    assert [r["code"] for r in results(api(clerk_a).get("/api/v1/units/"))] == [commune_a.code]
    assert api(clerk_a).get(f"/api/v1/units/{commune_b.pk}/").status_code == 404
    detail = api(board_officer).get(f"/api/v1/units/{commune_b.pk}/").json()
    assert (detail["code"], detail["kind"], detail["parent"]) == (commune_b.code, "ward", commune_b.parent_id)
    enrolled = results(api(board_officer).get("/api/v1/units/", {"campaign": world.campaign.pk}))
    assert sorted(r["code"] for r in enrolled) == sorted([commune_a.code, commune_b.code])


def test_indicators_follow_their_campaign(api, world, clerk_a, draft_campaign):
    indicator = world.campaign.indicators.get()
    rows = results(api(clerk_a).get("/api/v1/indicators/", {"campaign": world.campaign.pk}))
    assert [(r["id"], r["code"], r["target_percent"]) for r in rows] == [(indicator.pk, "1", "100.00")]
    assert api(clerk_a).get(f"/api/v1/indicators/{indicator.pk}/").json()["campaign"] == world.campaign.pk


def test_progress_reports_are_scoped(api, progress, clerk_a, board_officer, commune_a):
    own, other = progress
    rows = results(api(clerk_a).get("/api/v1/progress-reports/"))
    assert [(r["id"], r["numerator"], r["denominator"], r["percent"]) for r in rows] == [(own.pk, 7, 10, "70.0")]
    assert rows[0]["period"]["label"] == "Quý III/2025" and rows[0]["unit"]["code"] == commune_a.code
    assert api(clerk_a).get(f"/api/v1/progress-reports/{other.pk}/").status_code == 404
    assert len(results(api(board_officer).get("/api/v1/progress-reports/", {"period": own.period_id}))) == 2


def test_scorecards_and_a_persons_gender(api, scorecards, clerk_a, clerk_b, board_officer, auditor):
    person, collective_a, collective_b = scorecards
    rows = results(api(clerk_a).get("/api/v1/scorecards/"))
    assert {r["id"] for r in rows} == {person.pk, collective_a.pk}
    assert api(clerk_b).get(f"/api/v1/scorecards/{person.pk}/").status_code == 404
    # A person's gender (Decree 13/2023): their own unit and the board, not the auditor; the reading is recorded.
    assert api(clerk_a).get(f"/api/v1/scorecards/{person.pk}/").json()["person_is_female"] is True
    assert api(board_officer).get(f"/api/v1/scorecards/{person.pk}/").json()["person_is_female"] is True
    assert api(auditor).get(f"/api/v1/scorecards/{person.pk}/").json()["person_is_female"] is None
    readers = PersonalDataAccess.objects.filter(purpose="api:scorecard").values_list("user_label", flat=True)
    assert sorted(readers) == sorted([clerk_a.username, clerk_a.username, board_officer.username])  # list, details
    detail = api(board_officer).get(f"/api/v1/scorecards/{collective_b.pk}/").json()
    assert (detail["state"], detail["self_total"], detail["table"]["subject"]) == ("draft", "80.00", "collective")
    assert results(api(board_officer).get("/api/v1/scorecards/", {"subject": "individual"}))[0]["id"] == person.pk


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/campaigns/", {"state": "không-có"}),
        ("/api/v1/units/", {"campaign": "abc"}),
        ("/api/v1/dossiers/", {"unit": "0"}),
        ("/api/v1/decisions/", {"campaign": str(2**70)}),
        ("/api/v1/scorecards/", {"state": "xong"}),
    ],
)
def test_invalid_filters_are_400_with_the_parameters_errors(api, world, board_officer, path, params):
    response = api(board_officer).get(path, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_pages_of_50_at_most_200(api, world, board_officer, province):
    from ..factories import UnitFactory

    UnitFactory.create_batch(250, parent=province)
    first = api(board_officer).get("/api/v1/units/").json()
    assert len(first["results"]) == 50 and first["count"] > 250 and first["next"]
    assert len(api(board_officer).get("/api/v1/units/", {"page_size": 1000}).json()["results"]) == 200
    assert api(board_officer).get("/api/v1/units/", {"page": 99}).status_code == 404


# --- Dossiers and decisions: scoping, personal data ---------------------------------------------------------------


def test_a_unit_clerk_sees_only_their_units_dossiers(api, world, commune_a, commune_b, clerk_a, clerk_b):
    own = make_dossier(world, commune_a, clerk_a)
    other = make_dossier(world, commune_b, clerk_b)
    assert [r["id"] for r in results(api(clerk_a).get("/api/v1/dossiers/"))] == [own.pk]
    # Another unit's dossier: 404, exactly as a dossier that does not exist, and nothing of it.
    response = api(clerk_a).get(f"/api/v1/dossiers/{other.pk}/")
    assert response.status_code == 404 and other.title not in response.content.decode()
    assert api(clerk_a).get("/api/v1/dossiers/999999/").json() == response.json()
    assert api(clerk_a).post(f"/api/v1/dossiers/{other.pk}/nominees/", {}, format="json").status_code == 404
    assert api(clerk_a).post(f"/api/v1/dossiers/{other.pk}/transitions/submit/").status_code == 404


def test_dossier_detail_with_nominees_and_filters(api, world, commune_a, commune_b, clerk_a, clerk_b, board_officer):
    dossier = make_dossier(world, commune_a, clerk_a, nominees=2)
    make_dossier(world, commune_b, clerk_b)
    detail = api(board_officer).get(f"/api/v1/dossiers/{dossier.pk}/").json()
    assert (detail["state"], detail["unit"]["code"], detail["award_type_code"]) == ("draft", "05443", "bang_khen_tinh")
    assert [n["order"] for n in detail["nominees"]] == [1, 2]
    assert detail["allowed_transitions"] == []  # the unit head submits
    by_unit = results(api(board_officer).get("/api/v1/dossiers/", {"unit": commune_a.pk, "state": "draft"}))
    assert [r["id"] for r in by_unit] == [dossier.pk]
    assert results(api(board_officer).get("/api/v1/dossiers/", {"state": "submitted"})) == []


def test_personal_data_is_masked_for_the_auditor_and_shown_to_the_proposing_clerk(
    api, world, commune_a, clerk_a, auditor, board_officer
):
    dossier = make_dossier(world, commune_a, clerk_a)
    nominee = dossier.nominees.get()
    nominee.id_number = "001185000123"
    nominee.save(update_fields=["id_number"])
    shown = api(clerk_a).get(f"/api/v1/dossiers/{dossier.pk}/").json()["nominees"][0]
    assert shown["birth_date"] == nominee.birth_date.isoformat()
    assert (shown["gender"], shown["id_number"]) == ("female", "001185000123")
    masked = api(auditor).get(f"/api/v1/dossiers/{dossier.pk}/").json()["nominees"][0]
    assert (masked["birth_date"], masked["gender"], masked["id_number"]) == (None, None, None)
    assert masked["name"] == nominee.name  # the rest is there
    listed = results(api(auditor).get("/api/v1/dossiers/"))[0]["nominees"][0]
    assert (listed["birth_date"], listed["gender"], listed["id_number"]) == (None, None, None)
    # Every reading of personal data is recorded (domain rule 16); the masked ones are not readings.
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.object_id, access.purpose) == (clerk_a, str(nominee.pk), "api:dossier")
    assert access.fields == ["birth_date", "gender", "id_number"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.BOARD_OFFICER, True),
        (Role.BOARD_HEAD, True),
        (Role.UNIT_HEAD, True),  # of the proposing unit
        (Role.AUDITOR, False),
        (Role.COORDINATOR, False),
        (Role.COUNCIL_MEMBER, False),
        (Role.CHAIRMAN_OFFICE, False),
    ],
)
def test_who_may_view_a_nominees_personal_data(world, commune_a, clerk_a, clerk_b, province, role, sees):
    dossier = make_dossier(world, commune_a, clerk_a)
    nominee = dossier.nominees.get()
    user = UserFactory(role=role, unit=commune_a if role == Role.UNIT_HEAD else province)
    assert user.has_perm("nominations.view_personal_data_nominee", nominee) is sees
    assert user.has_perm("nominations.view_personal_data_nominee", dossier) is sees
    assert clerk_a.has_perm("nominations.view_personal_data_nominee", nominee)
    assert not clerk_b.has_perm("nominations.view_personal_data_nominee", nominee)
    assert not user.has_perm("nominations.view_personal_data_nominee")


# --- Query counts: a list costs the same for 2 rows as for 6 ------------------------------------------------------


def _count_queries(client, path, django_assert_max_num_queries, limit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_dossier_list_queries_do_not_grow_with_rows(
    api, world, commune_a, clerk_a, auditor, django_assert_max_num_queries, who
):
    client = api(clerk_a if who == "clerk" else auditor)
    for i in range(2):
        make_dossier(world, commune_a, clerk_a, nominees=2, title=f"Hồ sơ {i}")
    few = _count_queries(client, "/api/v1/dossiers/", django_assert_max_num_queries, 15)
    for i in range(2, 6):
        make_dossier(world, commune_a, clerk_a, nominees=2, title=f"Hồ sơ {i}")
    assert _count_queries(client, "/api/v1/dossiers/", django_assert_max_num_queries, 15) == few


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/campaigns/",
        "/api/v1/units/",
        "/api/v1/indicators/",
        "/api/v1/progress-reports/",
        "/api/v1/scorecards/",
    ],
)
def test_other_lists_take_a_fixed_number_of_queries(
    api, world, progress, scorecards, auditor, board_officer, django_assert_max_num_queries, path
):
    _count_queries(api(auditor), path, django_assert_max_num_queries, 8)
    _count_queries(api(board_officer), path, django_assert_max_num_queries, 10)
