"""A dossier's whole path through the API, through the same services (and so the same door) as the web pages:
create, add a nominee, submit (the unit head), return and receive (the board), appraise; then the decision's
signature. Refusals come back with the service's Vietnamese message."""

import pytest

from nominations.enums import DossierState
from nominations.models import AwardDecision, DecisionRegister, Dossier
from nominations.services import decisions as decision_services
from nominations.services import dossiers as dossier_services
from workflows.audit import verify_chain
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent

from ..factories import pass_council

pytestmark = pytest.mark.django_db

NOMINEE = {
    "kind": "individual",
    "name": "Nguyễn Thị Hoà",
    "gender": "female",
    "birth_date": "1985-04-02",
    "id_number": "001185000123",
    "position": "Công chức",
    "work_unit": "UBND phường",
}


def names(body):
    return [t["name"] for t in body["allowed_transitions"]]


def test_the_whole_path_through_the_api(api, world, clerk_a, head_a, board_officer, commune_a, province):
    clerk, head, board = api(clerk_a), api(head_a), api(board_officer)
    created = clerk.post(
        "/api/v1/dossiers/",
        {"campaign": world.campaign.pk, "award_type_code": "bang_khen_tinh", "title": "Đề nghị tặng Bằng khen"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert (body["state"], body["unit"]["code"], body["deciding_unit"]["code"]) == ("draft", "05443", "19")
    assert AuditEvent.objects.filter(action="nominations.dossier.create", actor=clerk_a).exists()

    added = clerk.post(f"/api/v1/dossiers/{pk}/nominees/", NOMINEE, format="json")
    assert added.status_code == 201, added.content
    assert (added.json()["name"], added.json()["birth_date"]) == ("Nguyễn Thị Hoà", "1985-04-02")
    # The same person twice: the service's refusal (domain rule 3), in Vietnamese.
    again = clerk.post(f"/api/v1/dossiers/{pk}/nominees/", {**NOMINEE, "name": "nguyễn thị hòa"}, format="json")
    assert again.status_code == 409 and "mỗi người, tập thể chỉ được đề nghị một lần" in again.json()["detail"]
    invalid = clerk.post(f"/api/v1/dossiers/{pk}/nominees/", {"kind": "robot", "birth_date": "hôm qua"}, format="json")
    assert invalid.status_code == 400 and set(invalid.json()) == {"kind", "name", "birth_date"}

    # The clerk cannot submit: the unit head does.
    refused = clerk.post(f"/api/v1/dossiers/{pk}/transitions/submit/", {}, format="json")
    assert refused.status_code == 403 and "Gửi hồ sơ" in refused.json()["detail"]
    assert names(head.get(f"/api/v1/dossiers/{pk}/").json()) == ["submit"]
    submitted = head.post(f"/api/v1/dossiers/{pk}/transitions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["state"], submitted.json()["rule_set"]) == ("submitted", "nd152-2025")
    assert submitted.json()["allowed_transitions"] == []

    # The board: a return needs a reason; the refusal says so in Vietnamese, and nothing changes.
    detail = board.get(f"/api/v1/dossiers/{pk}/").json()
    assert detail["allowed_transitions"] == [
        {"name": "receive", "label": "Tiếp nhận"},
        {"name": "send_back", "label": "Trả lại để bổ sung"},
    ]
    no_reason = board.post(f"/api/v1/dossiers/{pk}/transitions/send_back/", {"reason": ""}, format="json")
    assert no_reason.status_code == 409
    assert no_reason.json() == {"detail": "Hãy ghi lý do trả lại và nội dung đơn vị cần bổ sung.", "reasons": []}
    assert Dossier.objects.get(pk=pk).state == DossierState.SUBMITTED
    returned = board.post(
        f"/api/v1/dossiers/{pk}/transitions/send_back/", {"reason": "Thiếu báo cáo thành tích"}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["return_reason"] == "Thiếu báo cáo thành tích"
    event = AuditEvent.objects.get(action="nominations.dossier.send_back")
    assert (event.actor, event.payload["reason"]) == (board_officer, "Thiếu báo cáo thành tích")

    # Submitted again, received, appraised.
    assert head.post(f"/api/v1/dossiers/{pk}/transitions/submit/").json()["state"] == "submitted"
    received = board.post(f"/api/v1/dossiers/{pk}/transitions/receive/", {}, format="json")
    assert received.status_code == 200 and received.json()["state"] == "received"
    assert names(received.json()) == ["send_back_in_appraisal"]  # appraise: once every nominee has a result
    early = board.post(f"/api/v1/dossiers/{pk}/transitions/appraise/")
    assert early.status_code == 409
    assert early.json()["reasons"] and "thẩm định" in early.json()["detail"]
    dossier = Dossier.objects.get(pk=pk)
    dossier_services.appraise_nominee(dossier.nominees.get(), actor=board_officer, result="accepted")
    assert sorted(names(board.get(f"/api/v1/dossiers/{pk}/").json())) == ["appraise", "send_back_in_appraisal"]
    appraised = board.post(f"/api/v1/dossiers/{pk}/transitions/appraise/")
    assert appraised.status_code == 200 and appraised.json()["state"] == "appraised"
    # Transitions the API does not perform here: 404, as on the web.
    assert board.post(f"/api/v1/dossiers/{pk}/transitions/decide/").status_code == 404
    assert board.post(f"/api/v1/dossiers/{pk}/transitions/launch/").status_code == 404

    # The council, then the decision, drafted and numbered by the Chairman's office and signed through the API.
    dossier.refresh_from_db()
    pass_council([dossier], secretary=board_officer)
    DecisionRegister.objects.create(issuing_unit=province, symbol="QĐ-UBND", year=2025)
    office = world.chairman_office
    decision = decision_services.draft_decision([Dossier.objects.get(pk=pk)], actor=office)
    chairman = api(office)
    not_ready = chairman.post(f"/api/v1/decisions/{decision.pk}/sign/")
    assert not_ready.status_code == 409 and not_ready.json()["reasons"]
    from datetime import date

    decision_services.set_issue_details(
        decision, actor=office, issued_on=date(2025, 9, 15), signer_name="Nguyễn Văn A", signer_authority="deputy"
    )
    assert api(board_officer).post(f"/api/v1/decisions/{decision.pk}/sign/").status_code == 403
    signed = chairman.post(f"/api/v1/decisions/{decision.pk}/sign/")
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert (body["state"], body["number"], body["total"]) == ("signed", 1, 3_510_000)
    line = body["awards"][0]
    assert line["name"] == "Nguyễn Thị Hoà" and line["amount"] == 3_510_000
    assert not {"birth_date", "id_number", "gender"} & set(line)  # award lines never carry personal data
    assert (line["payment_state"], line["allowed_transitions"]) == ("due", [])  # the board pays, from its fund
    board_line = board.get(f"/api/v1/decisions/{decision.pk}/").json()["awards"][0]
    assert sorted(t["name"] for t in board_line["allowed_transitions"]) == ["cancel_payment", "pay"]
    assert Dossier.objects.get(pk=pk).state == DossierState.DECIDED
    assert AwardDecision.objects.get().state == "signed"
    listed = chairman.get("/api/v1/decisions/", {"state": "signed"}).json()["results"]
    assert [d["id"] for d in listed] == [decision.pk]
    assert check_agreement(strict=True) == [] and verify_chain() == []


def test_creating_a_dossier_checks_through_the_service(api, world, clerk_a, board_officer, draft_campaign):
    # A campaign outside the user's scope is "not found" (400 on the field, nothing about it).
    other = api(clerk_a).post(
        "/api/v1/dossiers/", {"campaign": 10**9, "award_type_code": "x", "title": "T"}, format="json"
    )
    assert other.status_code == 400 and set(other.json()) == {"campaign"}
    foreign = api(clerk_a).post(
        "/api/v1/dossiers/",
        {"campaign": world.campaign.pk, "award_type_code": "khong_co", "title": "T"},
        format="json",
    )
    assert foreign.status_code == 409 and "không thuộc các hình thức" in foreign.json()["detail"]
    board = api(board_officer).post(
        "/api/v1/dossiers/",
        {"campaign": world.campaign.pk, "award_type_code": "bang_khen_tinh", "title": "T"},
        format="json",
    )
    assert board.status_code == 403 and "Chỉ cán bộ thi đua" in board.json()["detail"]
    assert not Dossier.objects.exists()


def test_session_authentication_keeps_the_csrf_check(world, clerk_a, client):
    from django.test import Client

    client.force_login(clerk_a)
    assert client.get("/api/v1/dossiers/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(clerk_a)
    body = {"campaign": world.campaign.pk, "award_type_code": "bang_khen_tinh", "title": "Hồ sơ"}
    refused = strict.post("/api/v1/dossiers/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Dossier.objects.exists()
