"""The signed decision's PDF, uploaded back after signing (issue 7, item 3): checked, frozen, hashed into the audit
trail; replacing it needs a reason and a new audited event, and the earlier file stays."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nominations.models import SignedDecisionScan
from nominations.services.decisions import (
    current_signed_scan,
    sign_decision,
    upload_signed_pdf,
    verify_signed_pdf,
)
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ._decision_setup import build_world, drafted, issue, provincial_dossier

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF2 = PDF.replace(b"Catalog", b"Catalog/Signed true")


def pdf(content=PDF, name="qd-12.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def decision(world):
    draft = drafted(world, provincial_dossier(world, [("individual", "Nguyễn Thị Hoà")]))
    issue(draft, world.chairman_office, number=12)
    return draft


def test_only_a_signed_decision_takes_its_signed_pdf_and_only_a_readable_pdf(world, decision):
    with pytest.raises(TransitionRefused, match="chưa ký"):
        upload_signed_pdf(decision, pdf(), actor=world.chairman_office)
    sign_decision(decision, actor=world.chairman_office)
    with pytest.raises(TransitionRefused, match="không phải PDF|không phải văn bản PDF"):
        upload_signed_pdf(decision, SimpleUploadedFile("qd.pdf", b"hello"), actor=world.chairman_office)
    with pytest.raises(TransitionRefused, match="bị cắt hoặc hỏng"):
        upload_signed_pdf(decision, pdf(PDF[:-7]), actor=world.chairman_office)
    with pytest.raises(TransitionForbidden):
        upload_signed_pdf(decision, pdf(), actor=world.ward_clerk)
    assert not SignedDecisionScan.objects.exists()


def test_the_signed_pdf_is_hashed_into_the_trail_and_cannot_be_replaced_without_a_new_audited_event(world, decision):
    sign_decision(decision, actor=world.chairman_office)
    first = upload_signed_pdf(decision, pdf(), actor=world.board_officer)
    event = AuditEvent.objects.get(action="nominations.awarddecision.signed_pdf")
    assert event.payload["sha256"] == first.sha256 == hashlib.sha256(PDF).hexdigest()
    assert verify_signed_pdf(decision) == []
    # Frozen: the row cannot be changed or deleted.
    first.reason = "sửa"
    with pytest.raises(ValueError, match="frozen"):
        first.save()
    with pytest.raises(ValueError, match="frozen"):
        first.delete()
    # A replacement needs a reason, differs from the current file, and is a new row with its own event.
    with pytest.raises(TransitionRefused, match="lý do thay thế"):
        upload_signed_pdf(decision, pdf(PDF2), actor=world.board_officer)
    with pytest.raises(TransitionRefused, match="giống hệt"):
        upload_signed_pdf(decision, pdf(), actor=world.board_officer, reason="Quét lại")
    second = upload_signed_pdf(decision, pdf(PDF2, "qd-12-ky-so.pdf"), actor=world.chairman_office, reason="Bản ký số")
    assert current_signed_scan(decision) == second
    assert SignedDecisionScan.objects.count() == 2
    events = list(AuditEvent.objects.filter(action="nominations.awarddecision.signed_pdf").order_by("sequence"))
    assert [e.payload["replaces"] for e in events] == ["", first.sha256]
    assert events[1].payload["reason"] == "Bản ký số"


def test_a_file_changed_behind_the_product_is_detected(world, decision):
    sign_decision(decision, actor=world.chairman_office)
    scan = upload_signed_pdf(decision, pdf(), actor=world.board_officer)
    with open(scan.file.path, "wb") as handle:
        handle.write(PDF2)
    assert "không còn khớp mã băm" in verify_signed_pdf(decision)[0]


def test_the_decision_page_uploads_and_lists_the_signed_pdf(world, decision, client):
    sign_decision(decision, actor=world.chairman_office)
    client.force_login(world.chairman_office)
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert "Chưa tải lên bản đã ký." in page and "Tải lên bản đã ký" in page
    done = client.post(f"/decisions/{decision.pk}/signed-pdf/", {"file": pdf()}, follow=True).content.decode()
    assert "mã băm đã ghi vào nhật ký" in done and hashlib.sha256(PDF).hexdigest() in done
    scan = SignedDecisionScan.objects.get()
    download = client.get(f"/decisions/{decision.pk}/signed-pdf/{scan.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    download.close()
    client.force_login(world.ward_clerk)
    assert client.post(f"/decisions/{decision.pk}/signed-pdf/", {"file": pdf(PDF2)}).status_code in (403, 404)
