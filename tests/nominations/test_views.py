"""The nomination path through the web: each actor's pages, refusals shown as messages, downloads."""

from datetime import date

import pytest
from django.urls import reverse

from nominations.enums import DossierState
from nominations.models import AwardDecision, DecisionRegister, Dossier

from ..factories import make_nomination_world, pass_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(draft_campaign, rule_set, board_officer, commune_a, commune_b, clerk_a):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


NOMINEE = {
    "kind": "individual",
    "name": "Nguyễn Thị Hoà",
    "gender": "female",
    "birth_date": "1985-04-02",
    "position": "Công chức",
    "work_unit": "UBND phường",
}


def test_the_whole_path_through_the_web(client, world, clerk_a, board_officer, commune_a, province):
    campaign = world.campaign
    client.force_login(clerk_a)
    page = client.get(reverse("nominations:dossier_list")).content.decode()
    assert reverse("nominations:dossier_create", args=[campaign.pk]) in page
    response = client.post(
        reverse("nominations:dossier_create", args=[campaign.pk]),
        {"award_type_code": "bang_khen_tinh", "title": "Đề nghị tặng Bằng khen"},
    )
    dossier = Dossier.objects.get()
    assert response.url == reverse("nominations:dossier_detail", args=[dossier.pk])
    client.post(reverse("nominations:nominee_add", args=[dossier.pk]), NOMINEE)
    assert dossier.nominees.get().name == "Nguyễn Thị Hoà"
    # The clerk cannot submit: the unit head does, from the inbox on their home page.
    client.post(reverse("nominations:dossier_transition", args=[dossier.pk, "submit"]))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    client.force_login(world.heads[commune_a.code])
    assert dossier.title in client.get(reverse("home")).content.decode()
    client.post(reverse("nominations:dossier_transition", args=[dossier.pk, "submit"]))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    client.force_login(board_officer)
    page = client.post(
        reverse("nominations:dossier_transition", args=[dossier.pk, "send_back"]), {"reason": ""}, follow=True
    ).content.decode()
    assert "Hãy ghi lý do trả lại" in page
    client.post(reverse("nominations:dossier_transition", args=[dossier.pk, "receive"]))
    nominee = dossier.nominees.get()
    client.post(reverse("nominations:nominee_appraise", args=[dossier.pk, nominee.pk]), {"result": "accepted"})
    client.post(reverse("nominations:dossier_transition", args=[dossier.pk, "appraise"]))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
    pass_council([dossier], secretary=board_officer)  # the council's pages: tests/nominations/test_council.py
    # The Chairman's office drafts the decision, enters the details and signs; the dossier is decided.
    DecisionRegister.objects.create(issuing_unit=province, symbol="QĐ-UBND", year=2025)
    client.force_login(world.chairman_office)
    assert dossier.title in client.get(reverse("home")).content.decode()
    response = client.post(reverse("nominations:decision_create"), {"dossiers": [dossier.pk]})
    decision = AwardDecision.objects.get()
    page = client.post(reverse("nominations:decision_sign", args=[decision.pk]), follow=True).content.decode()
    assert "Chưa có số và ngày ký" in page
    client.post(
        reverse("nominations:decision_detail", args=[decision.pk]),
        {
            "issued_on": "2025-09-15",
            "signer_name": "Nguyễn Văn Chủ Tịch",
            "signer_authority": "deputy",
            "submission_letter_number": "90/TTr-SNV",
            "submission_letter_date": "2025-09-10",
        },
    )
    client.post(reverse("nominations:decision_sign", args=[decision.pk]))
    decision.refresh_from_db()
    dossier.refresh_from_db()
    assert decision.state == "signed" and decision.number == 1
    assert dossier.state == DossierState.DECIDED
    docx = client.get(reverse("nominations:decision_download", args=[decision.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    xlsx = client.get(reverse("nominations:decision_download", args=[decision.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert decision.issued_on == date(2025, 9, 15)


def test_another_unit_cannot_open_a_dossier(client, world, clerk_a, clerk_b, commune_a):
    from nominations.services.dossiers import create_dossier

    dossier = create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Hồ sơ A", actor=clerk_a
    )
    client.force_login(clerk_b)
    assert client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).status_code == 404
    assert client.post(reverse("nominations:nominee_add", args=[dossier.pk]), NOMINEE).status_code == 404
    assert "Hồ sơ A" not in client.get(reverse("nominations:dossier_list")).content.decode()


def test_a_units_own_giay_khen_stays_with_the_unit(world, clerk_a, commune_a, board_officer, auditor):
    from competition.scoping import scope
    from nominations.services.dossiers import create_dossier

    own = create_dossier(
        world.campaign, unit=commune_a, award_type_code="giay_khen_xa", title="Giấy khen phường", actor=clerk_a
    )
    provincial = create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Bằng khen tỉnh", actor=clerk_a
    )
    assert list(scope(board_officer, Dossier.objects.all())) == [provincial]
    assert set(scope(auditor, Dossier.objects.all())) == {own, provincial}
    assert set(scope(clerk_a, Dossier.objects.all())) == {own, provincial}


def test_the_council_step_has_no_button_on_the_dossier_page(client, world, board_officer, commune_a):
    """The council's result comes from closing its session (tests/nominations/test_council.py), never a button."""
    from ..factories import make_proposed_dossier

    dossier = make_proposed_dossier(
        nominees=[("individual", "Lê Văn Tám")],
        rule_set=world.campaign.rule_set,
        campaign=world.campaign,
        unit=commune_a,
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.APPRAISED)
    client.force_login(board_officer)
    page = client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
    assert "/do/council_review/" not in page and "/do/decide/" not in page
