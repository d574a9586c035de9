"""Rendering an award decision with N annex lines (default 5,000) as DOCX, XLSX and PDF, against the baseline of
openpyxl write-only writing the same rows, measured in the same run on a SQLite file database (issue 7: DOCX at
most 5x the baseline). Prints each time and its ratio to the baseline, and the peak memory of each rendering
(tracemalloc) against a cap; the PDF (LibreOffice headless, workflows/pdf.py) only where LibreOffice is installed,
with the LibreOffice process's peak resident memory. Also times drafting, issue details and signing the decision,
and python-docx adding the rows one by one, for reference.

    .venv/bin/python bench/bench_decision_docx.py [N]
"""

from __future__ import annotations

import inspect
import io
import re
import resource
import sys
import time

from _setup import django_on_temp_db, peak_mb

DOCX_TARGET = 5  # issue 7: decision_docx at most 5x the openpyxl write-only baseline
# Caps on the peak memory (tracemalloc: Python allocations) of each rendering of 5,000 lines, in MB.
OPENPYXL_CAP, DOCX_CAP, XLSX_CAP, PDF_PYTHON_CAP = 50, 300, 100, 50
PDF_SOFFICE_CAP = 1000  # the LibreOffice process's peak resident set size, MB
PDF_TIMEOUT = 600  # seconds


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def best_of(func, repeat: int = 3):
    """The result and the best time of ``repeat`` runs (after the first has imported what it needs)."""
    runs = [timed(func) for _ in range(repeat)]
    return runs[0][0], min(seconds for _, seconds in runs)


def main(n: int) -> None:
    django_on_temp_db()
    from datetime import date

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from competition.models import Campaign, RuleSet, Unit
    from nominations.documents import decision_docx, decision_xlsx, format_money
    from nominations.enums import AppraisalResult, CouncilResult
    from nominations.flows import DossierFlow
    from nominations.models import Dossier, DossierDocument, Nominee
    from nominations.services.composition import required_documents
    from nominations.services.decisions import draft_decision, set_issue_details, sign_decision
    from nominations.services.demo import fill_composition
    from workflows import SYSTEM, flowsync, transition
    from workflows.pdf import docx_to_pdf, pdf_available

    call_command("seed_rules", verbosity=0)
    rule_set = RuleSet.objects.get(code="nd152-2025")
    province = Unit.objects.create(code="19", name="Tỉnh Thái Nguyên", kind="province", path="/19/")
    ward = Unit.objects.create(code="1", name="Phường Phan Đình Phùng", kind="ward", parent=province, path="/19/1/")
    campaign = Campaign.objects.create(
        code="bench",
        name="Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên",
        issuing_body="Ủy ban nhân dân tỉnh Thái Nguyên",
        plan_number="987/QĐ-UBND",
        plan_date=date(2025, 3, 31),
        start_date=date(2025, 3, 31),
        end_date=date(2025, 12, 31),
        award_type_codes=["bang_khen_tinh"],
    )
    dossier = Dossier.objects.create(
        campaign=campaign, unit=ward, deciding_unit=province, award_type_code="bang_khen_tinh", title="Bench"
    )
    with transaction.atomic():  # as create_dossier does: the flow follows the record
        flowsync.start_process(DossierFlow, dossier, SYSTEM)
    kinds = ["collective"] * (n // 5) + ["individual"] * (n - n // 5)
    Nominee.objects.bulk_create(
        Nominee(
            dossier=dossier,
            kind=kind,
            name=f"Nguyễn Thị Người Được Khen {i:05d}",
            position="Chuyên viên",
            work_unit="Phòng Văn hóa - Xã hội, Phường Phan Đình Phùng",
            canonical_key=f"k{i}",
            order=i,
        )
        for i, kind in enumerate(kinds)
    )
    # A complete dossier, as the gate before receipt requires (domain rule 7): the dossier's own documents through
    # the clerk's service, then the per-nominee report (one per awardee) as rows sharing one uploaded file, so that
    # setting up 5,000 awardees does not upload 5,000 files.
    dossier.rule_set = rule_set
    dossier.save(update_fields=["rule_set"])
    required = required_documents(dossier)
    fill_composition(dossier, actor=SYSTEM, codes={r.code for r in required if not r.per_nominee})
    sample = DossierDocument.objects.filter(dossier=dossier).first()
    now = timezone.now()
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier,
            code=r.code,
            nominee=nominee,
            file=sample.file.name,
            name=f"{r.code}-{nominee.pk}.docx",
            kind=sample.kind,
            size=sample.size,
            sha256=sample.sha256,
            uploaded_at=now,
        )
        for r in required
        if r.per_nominee
        for nominee in dossier.nominees.all()
    )
    transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=now)
    transition(dossier, "receive", actor=SYSTEM, at=now)
    Nominee.objects.filter(dossier=dossier).update(appraisal_result=AppraisalResult.ACCEPTED)
    transition(dossier, "appraise", actor=SYSTEM, at=now)
    # The council (domain rule 8) approves every nominee: a decision is drafted from proposed dossiers only.
    Nominee.objects.filter(dossier=dossier).update(council_result=CouncilResult.APPROVED)
    transition(dossier, "council_review", actor=SYSTEM, at=now)

    decision, t_draft = timed(lambda: draft_decision([dossier], actor=SYSTEM))
    _, t_issue = timed(
        lambda: set_issue_details(
            decision,
            actor=SYSTEM,
            number=1,
            issued_on=date(2025, 9, 15),
            signer_name="Nguyễn Văn Phúc",
            signer_authority="deputy",
            submission_letter_number="45/TTr-SNV",
            submission_letter_date=date(2025, 9, 10),
        )
    )
    _, t_sign = timed(lambda: sign_decision(decision, actor=SYSTEM))

    rows = [
        (str(i), a.name, a.title_and_unit, format_money(a.amount))
        for i, a in enumerate(decision.awards.order_by("order"), start=1)
    ]

    def openpyxl_write_only() -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def docx_row_by_row() -> bytes:
        import docx

        document = docx.Document()
        table = document.add_table(rows=1, cols=4)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    # Times first, best of three (tracemalloc slows Python down), then the peak memory of each in a run of its own.
    _, t_openpyxl = best_of(openpyxl_write_only)
    docx_bytes, t_docx = best_of(lambda: decision_docx(decision))
    xlsx_bytes, t_xlsx = best_of(lambda: decision_xlsx(decision))
    _, t_rowwise = timed(docx_row_by_row)
    _, peak_openpyxl = peak_mb(openpyxl_write_only)
    _, peak_docx = peak_mb(lambda: decision_docx(decision))
    _, peak_xlsx = peak_mb(lambda: decision_xlsx(decision))

    def ratio(seconds: float) -> str:
        return f"{seconds / t_openpyxl:.1f}x the baseline"

    def cap(peak: float, limit: int) -> str:
        return f"peak memory {peak:.1f} MB (cap < {limit} MB: {'ok' if peak < limit else 'OVER'})"

    docx_ratio = t_docx / t_openpyxl
    print(f"annex lines: {n}")
    print(f"draft_decision: {t_draft:.2f} s; set_issue_details: {t_issue:.2f} s; sign_decision: {t_sign:.2f} s")
    print(f"baseline, openpyxl write-only of the same rows: {t_openpyxl:.3f} s; {cap(peak_openpyxl, OPENPYXL_CAP)}")
    print(
        f"DOCX, decision_docx (one-pass annex table): {t_docx:.3f} s, {ratio(t_docx)} "
        f"(target <= {DOCX_TARGET}x: {'ok' if docx_ratio <= DOCX_TARGET else 'OVER'}); "
        f"{len(docx_bytes) / 1024:.0f} KiB; {cap(peak_docx, DOCX_CAP)}"
    )
    print(
        f"XLSX, decision_xlsx (workflows.exports, + coefficient, base salary): {t_xlsx:.3f} s, {ratio(t_xlsx)}; "
        f"{len(xlsx_bytes) / 1024:.0f} KiB; {cap(peak_xlsx, XLSX_CAP)}"
    )
    print(f"for reference, python-docx adding rows one by one: {t_rowwise:.2f} s, {ratio(t_rowwise)}")
    if pdf_available():
        (pdf_bytes, peak_pdf), t_pdf = timed(lambda: peak_mb(lambda: docx_to_pdf(docx_bytes, timeout=PDF_TIMEOUT)))
        # The largest finished child process's peak resident set (KiB on Linux): soffice.bin, the only child.
        lo_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf_bytes))
        print(
            f"PDF, LibreOffice headless from the DOCX above: {t_pdf:.2f} s, {ratio(t_pdf)}; {pages} pages, "
            f"{len(pdf_bytes) / 1024:.0f} KiB; Python {cap(peak_pdf, PDF_PYTHON_CAP)}; "
            f"LibreOffice peak resident memory {lo_peak:.0f} MB (cap < {PDF_SOFFICE_CAP} MB: "
            f"{'ok' if lo_peak < PDF_SOFFICE_CAP else 'OVER'})"
        )
        view_timeout = inspect.signature(docx_to_pdf).parameters["timeout"].default
        print(
            f"PDF within the download views' timeout of {view_timeout} s: "
            f"{'ok' if t_pdf < view_timeout else 'OVER (the download would fail with a message)'}"
        )
    else:
        print("PDF: LibreOffice not installed")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
