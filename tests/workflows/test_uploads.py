"""Zip bombs (issue 8 item 5): an Office file that would inflate beyond reason is refused, with its name, before
any reader opens it: spreadsheet imports, dossier documents and plan documents alike."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from competition.services.plans import check_document
from competition.services.tables import ImportFileError, read_table
from nominations.services.composition import readable_problem
from workflows.exceptions import TransitionRefused
from workflows.uploads import zip_problem

MB = 1024 * 1024


def archive(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def xlsx_bomb(size: int) -> bytes:
    """A workbook's skeleton whose first sheet is ``size`` bytes of one repeated character."""
    return archive(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<" + b"a" * size + b"/>",
        }
    )


def docx_bomb(size: int) -> bytes:
    return archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * size})


def test_a_member_compressed_too_well_is_refused_before_reading(settings):
    settings.THIDUA_ZIP_MAX_RATIO = 200
    bomb = xlsx_bomb(40 * MB)
    assert len(bomb) < 200 * 1024  # a 40 MB sheet in a file of a few dozen kilobytes
    with pytest.raises(ImportFileError, match=r"bang-chi-tieu\.xlsx.*sheet1\.xml.*zip bomb"):
        read_table(io.BytesIO(bomb), "bang-chi-tieu.xlsx")


def test_an_archive_inflating_past_the_limit_is_refused(settings):
    settings.THIDUA_ZIP_MAX_RATIO = 10**9  # only the total counts here
    settings.THIDUA_ZIP_MAX_INFLATED_BYTES = 8 * MB
    message = zip_problem(docx_bomb(10 * MB), "bao-cao.docx")
    assert message is not None and "bao-cao.docx" in message and "tối đa 8 MB" in message
    assert "zip bomb" in readable_problem("bao-cao.docx", docx_bomb(10 * MB), "docx")
    with pytest.raises(TransitionRefused, match="ke-hoach.docx"):
        check_document(SimpleUploadedFile("ke-hoach.docx", docx_bomb(10 * MB)))


def test_too_many_members_are_refused(settings):
    settings.THIDUA_ZIP_MAX_MEMBERS = 50
    many = archive({f"xl/part{i}.xml": b"<x/>" for i in range(60)})
    assert "60 thành phần" in zip_problem(many, "nhieu.xlsx")


def test_ordinary_office_files_and_non_zips_pass():
    from docx import Document
    from openpyxl import Workbook

    book = Workbook()
    for row in range(2000):
        book.active.append([f"Đơn vị {row}", row, row * 1.5])
    buffer = io.BytesIO()
    book.save(buffer)
    assert zip_problem(buffer.getvalue(), "ok.xlsx") is None
    assert len(read_table(io.BytesIO(buffer.getvalue()), "ok.xlsx")) == 1999
    document = io.BytesIO()
    Document().save(document)
    assert zip_problem(document.getvalue(), "ok.docx") is None
    assert zip_problem(b"%PDF-1.4 ...", "ok.pdf") is None
    assert zip_problem(b"PK but not a zip", "broken.xlsx") is None  # the format check reports it
