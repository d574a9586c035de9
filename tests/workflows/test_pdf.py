"""PDF copies through LibreOffice headless (workflows/pdf.py): a real conversion of the award decision, the
downloads of the decision, the submission letter and the council minutes with the DOCX's scoping, the failures
(garbage input, a binary that exits non-zero or hangs, a conversion error shown as a message), and no PDF at all
where ``THIDUA_SOFFICE`` names a missing binary.

The tests that run LibreOffice skip on a laptop without it and FAIL when CI=true (``skip_or_fail``)."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from accounts.enums import Role
from competition.enums import UnitKind
from nominations.documents import decision_docx
from nominations.enums import CouncilSessionState
from nominations.models import CouncilSession, Dossier
from nominations.services.decisions import sign_decision
from workflows import pdf
from workflows.pdf import PdfConversionFailed, PdfUnavailable, docx_to_pdf, pdf_available, soffice_path

from ..conftest import skip_or_fail
from ..factories import UnitFactory, UserFactory
from ..nominations._decision_setup import build_world, drafted, issue, provincial_dossier

NOMINEES = [
    ("individual", "Nguyễn Thị Hoa"),
    ("collective", "Tổ Chuyển đổi số cộng đồng"),
    ("individual", "Phạm Minh Châu"),
]
PAGE = re.compile(rb"/Type\s*/Page\b")  # a page object, not the /Pages tree


@pytest.fixture
def soffice():
    """LibreOffice, found the way the product finds it (``THIDUA_SOFFICE``, else soffice, then libreoffice)."""
    if not pdf_available():
        skip_or_fail(
            "LibreOffice (soffice) is not installed (apt-get install libreoffice-writer-nogui): PDF tests cannot run"
        )
    return soffice_path()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def signed(world):
    decision = drafted(world, provincial_dossier(world, NOMINEES))
    issue(decision, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    return sign_decision(decision, actor=world.chairman_office)


@pytest.fixture
def outsider(world):
    """Another ward's clerk: the Chairman's decision is outside their scope (a 404 for the DOCX too)."""
    other = UnitFactory(code="05446", name="Phường Gia Sàng", kind=UnitKind.WARD, parent=world.province)
    return UserFactory(username="thidua.gs", role=Role.UNIT_CLERK, unit=other)


def pdf_text(content: bytes, tmp_path) -> str | None:
    """The PDF's text by poppler's ``pdftotext`` when installed, else None."""
    binary = shutil.which("pdftotext")
    if binary is None:
        return None
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run([binary, "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def test_the_decision_converts_to_a_pdf_with_its_number(soffice, signed, tmp_path):
    content = docx_to_pdf(decision_docx(signed))
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, tmp_path)
    if text is not None:
        assert f"Số: 12/{signed.symbol}" in text
        assert "Nguyễn Thị Hoa" in text and "DANH SÁCH" in text
    else:  # no poppler-utils: at least the decision and its annex on a new page
        assert len(PAGE.findall(content)) >= 2


def test_garbage_is_not_converted(soffice):
    with pytest.raises(PdfConversionFailed, match="no PDF"):
        docx_to_pdf(b"this is not a Word document \x00\x01\x02" * 100)


def test_the_pages_offer_pdfs_to_whoever_sees_the_decision_and_no_one_else(soffice, client, world, signed, outsider):
    decision_pdf = reverse("nominations:decision_download", args=[signed.pk, "pdf"])
    letter_pdf = reverse("nominations:decision_submission_letter_pdf", args=[signed.pk])
    assert letter_pdf.endswith(f"/decisions/{signed.pk}/submission-letter.pdf")
    client.force_login(world.chairman_office)
    page = client.get(reverse("nominations:decision_detail", args=[signed.pk])).content.decode()
    assert decision_pdf in page and "Tải quyết định (.pdf)" in page
    assert letter_pdf in page and "Tải tờ trình (.pdf)" in page
    for url, name in ((decision_pdf, f"quyet-dinh-12-{signed.pk}.pdf"), (letter_pdf, f"-12-{signed.pk}.pdf")):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-") and name in response["Content-Disposition"]
    client.force_login(outsider)
    for url in (decision_pdf, letter_pdf, reverse("nominations:decision_download", args=[signed.pk, "docx"])):
        assert client.get(url).status_code == 404


def test_the_minutes_of_a_closed_session_as_pdf(soffice, client, world, signed, outsider):
    session = CouncilSession.objects.create(
        deciding_unit=world.province,
        campaign=world.campaign,
        award_type_code="bang_khen_tinh",
        rule_set=world.nd152,
        title="Phiên họp xét Bằng khen đợt 1",
        held_on=date(2025, 9, 5),
    )
    Dossier.objects.filter(decision=signed).update(council_session=session)
    minutes_pdf = reverse("nominations:council_minutes_pdf", args=[session.pk])
    assert minutes_pdf.endswith(f"/council/{session.pk}/minutes.pdf")
    client.force_login(world.board_officer)
    assert client.get(minutes_pdf).status_code == 404  # not before the session is closed, like the DOCX
    CouncilSession.objects.filter(pk=session.pk).update(state=CouncilSessionState.CLOSED)
    assert minutes_pdf in client.get(reverse("nominations:council_detail", args=[session.pk])).content.decode()
    response = client.get(minutes_pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    client.force_login(outsider)
    assert client.get(minutes_pdf).status_code == 404


def test_a_missing_binary_means_no_pdf_anywhere(settings, client, world, signed, tmp_path):
    settings.THIDUA_SOFFICE = str(tmp_path / "no-such-soffice")
    assert soffice_path() is None and not pdf_available()
    with pytest.raises(PdfUnavailable):
        docx_to_pdf(b"PK")
    client.force_login(world.chairman_office)
    page = client.get(reverse("nominations:decision_detail", args=[signed.pk])).content.decode()
    assert reverse("nominations:decision_download", args=[signed.pk, "docx"]) in page
    for url in (
        reverse("nominations:decision_download", args=[signed.pk, "pdf"]),
        reverse("nominations:decision_submission_letter_pdf", args=[signed.pk]),
    ):
        assert url not in page and client.get(url).status_code == 404
    assert "Tải quyết định (.pdf)" not in page and "Tải tờ trình (.pdf)" not in page


def fake_soffice(tmp_path, body: str) -> str:
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_binary_that_fails_or_hangs_is_a_failed_conversion(settings, tmp_path):
    settings.THIDUA_SOFFICE = fake_soffice(tmp_path, "echo 'something broke' >&2; exit 3")
    with pytest.raises(PdfConversionFailed, match="status 3: something broke"):
        docx_to_pdf(b"PK")
    settings.THIDUA_SOFFICE = fake_soffice(tmp_path, "sleep 30 & wait")  # a child process too, like soffice.bin
    with pytest.raises(PdfConversionFailed, match="within 1 s"):
        docx_to_pdf(b"PK", timeout=1)
    settings.THIDUA_SOFFICE = fake_soffice(
        tmp_path,
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; shift; done; '
        'mkdir -p "$out"; echo "not a pdf" > "$out/document.pdf"',
    )
    with pytest.raises(PdfConversionFailed, match="not a PDF"):
        docx_to_pdf(b"PK")
    assert not pdf._lock.locked()


def test_a_failed_conversion_is_a_message_on_the_decision_page(settings, client, world, signed, tmp_path):
    settings.THIDUA_SOFFICE = fake_soffice(tmp_path, "exit 1")
    client.force_login(world.chairman_office)
    detail = reverse("nominations:decision_detail", args=[signed.pk])
    for url in (
        reverse("nominations:decision_download", args=[signed.pk, "pdf"]),
        reverse("nominations:decision_submission_letter_pdf", args=[signed.pk]),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(detail, 302)]
        assert "Không tạo được bản PDF" in response.content.decode()


def test_export_decision_writes_the_pdf_or_says_libreoffice_is_missing(soffice, signed, tmp_path, settings):
    from django.core.management import CommandError, call_command

    target = tmp_path / "qd-12.pdf"
    call_command("export_decision", signed.pk, format="pdf", output=str(target), verbosity=0)
    assert target.read_bytes().startswith(b"%PDF-")
    settings.THIDUA_SOFFICE = str(tmp_path / "no-such-soffice")
    with pytest.raises(CommandError, match="Chưa cài LibreOffice"):
        call_command("export_decision", signed.pk, format="pdf", output=str(tmp_path / "x.pdf"), verbosity=0)
