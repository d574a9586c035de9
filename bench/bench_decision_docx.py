"""Rendering an award decision with N annex lines (default 5,000) as DOCX, against openpyxl write-only of the same
rows and against python-docx adding the rows one by one, measured in the same run on a SQLite file database.
Also times drafting, issue details and signing that decision, and the peak memory of the DOCX rendering.

    .venv/bin/python bench/bench_decision_docx.py [N]
"""

from __future__ import annotations

import io
import sys
import time

from _setup import django_on_temp_db, peak_mb


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def main(n: int) -> None:
    django_on_temp_db()
    from datetime import date

    from django.core.management import call_command
    from django.utils import timezone

    from competition.models import Campaign, RuleSet, Unit
    from nominations.documents import decision_docx, decision_xlsx, format_money
    from nominations.enums import AppraisalResult
    from nominations.models import Dossier, Nominee
    from nominations.services.decisions import draft_decision, set_issue_details, sign_decision
    from workflows import SYSTEM, transition

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
    now = timezone.now()
    transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=now)
    transition(dossier, "receive", actor=SYSTEM, at=now)
    Nominee.objects.filter(dossier=dossier).update(appraisal_result=AppraisalResult.ACCEPTED)
    transition(dossier, "appraise", actor=SYSTEM, at=now)

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

    docx_bytes, t_docx = timed(lambda: decision_docx(decision))
    _, t_xlsx_ours = timed(lambda: decision_xlsx(decision))
    _, t_openpyxl = timed(openpyxl_write_only)
    _, t_rowwise = timed(docx_row_by_row)
    _, peak = peak_mb(lambda: decision_docx(decision))

    print(f"annex lines: {n}")
    print(f"draft_decision: {t_draft:.2f} s; set_issue_details: {t_issue:.2f} s; sign_decision: {t_sign:.2f} s")
    print(f"decision_docx (one-pass annex table): {t_docx:.2f} s, {len(docx_bytes) / 1024:.0f} KiB")
    print(f"openpyxl write-only, same rows: {t_openpyxl:.2f} s")
    print(f"decision_xlsx (workflows.exports, + coefficient, base salary): {t_xlsx_ours:.2f} s")
    print(f"python-docx adding rows one by one, same rows: {t_rowwise:.2f} s")
    print(f"ratio decision_docx / openpyxl write-only: {t_docx / t_openpyxl:.1f}x")
    print(f"ratio row-by-row python-docx / decision_docx: {t_rowwise / t_docx:.1f}x")
    print(f"peak memory of decision_docx: {peak:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
