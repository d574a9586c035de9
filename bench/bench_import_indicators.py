"""Importing indicator values from an XLSX file through the product's import path (read with calamine, every row
checked, compared with what is stored, written in one short bulk upsert with its audit event), against the
baseline of python-calamine parsing the same file plus ``bulk_create(update_conflicts=True)`` of the same rows, in
the same run, on a SQLite file.

    .venv/bin/python bench/bench_import_indicators.py [ROWS]      (default 100,000)

Prints both times and their ratio (target ≤ 1.5), the time of a re-import that finds nothing to change, and the
peak memory of the import (Python allocations, traced in a separate run) against the cap of 300 MB per 100,000 rows.
"""

from __future__ import annotations

import io
import sys
import time
from datetime import date
from decimal import Decimal

from _setup import django_on_temp_db, peak_mb

RATIO_TARGET = 1.5
MEMORY_CAP_MB = 300  # for 100,000 rows
INDICATORS = 10


def main(rows: int) -> None:
    django_on_temp_db()
    from django.utils import timezone
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from accounts.enums import Role
    from accounts.models import User
    from competition.enums import CampaignState
    from competition.models import (
        Campaign,
        Enrolment,
        Indicator,
        ProgressReport,
        ReportingPeriod,
        Unit,
    )
    from competition.services.indicator_import import import_indicators

    units_n = max(rows // INDICATORS, 1)
    campaign = Campaign.objects.create(
        code="bench",
        name="Phong trào thử tải",
        issuing_body="UBND tỉnh",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        state=CampaignState.LAUNCHED,
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            campaign=campaign,
            code=f"{i + 1}",
            name=f"Chỉ tiêu {i + 1}",
            numerator_label="Số đạt",
            denominator_label="Tổng số",
            target_percent=Decimal("80"),
            order=i,
        )
        for i in range(INDICATORS)
    )
    units = Unit.objects.bulk_create(
        Unit(code=f"X{i:06d}", name=f"Xã Thử Nghiệm {i}", kind="commune", path=f"/X{i:06d}/") for i in range(units_n)
    )
    Enrolment.objects.bulk_create(Enrolment(campaign=campaign, unit=u) for u in units)
    period = ReportingPeriod.objects.create(
        campaign=campaign, label="Quý III/2026", start=date(2026, 7, 1), end=date(2026, 9, 30), due=date(2026, 10, 10)
    )
    board = User.objects.create(username="bantdkt", role=Role.BOARD_OFFICER)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(
        ["Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Minh chứng"]
    )
    for n in range(rows):
        u, i = divmod(n, INDICATORS)
        denominator = 100 + n % 900
        sheet.append(
            [
                units[u].code,
                units[u].name,
                period.label,
                indicators[i].code,
                indicators[i].name,
                n % denominator,
                denominator,
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    # Baseline: parse the same file with calamine, map codes to ids, bulk upsert the rows.
    def baseline() -> int:
        table = CalamineWorkbook.from_object(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        indicator_ids = {i.code: i.pk for i in indicators}
        now = timezone.now()
        objects = [
            ProgressReport(
                period_id=period.pk,
                unit_id=unit_ids[r[0]],
                indicator_id=indicator_ids[str(r[3])],
                numerator=int(r[5]),
                denominator=int(r[6]),
                evidence=r[7] or "",
                reported_at=now,
            )
            for r in table[1:]
        ]
        ProgressReport.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["period", "unit", "indicator"],
            update_fields=["numerator", "denominator", "evidence", "reported_by", "reported_at"],
        )
        return len(objects)

    def ours():
        result = import_indicators(campaign, io.BytesIO(data), actor=board, filename="so-lieu.xlsx")
        assert result.ok and result.new == rows, result.errors[:5]
        return result

    t0 = time.perf_counter()
    written = baseline()
    t_base = time.perf_counter() - t0
    assert written == rows
    ProgressReport.objects.all().delete()

    t0 = time.perf_counter()
    ours()
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    again = import_indicators(campaign, io.BytesIO(data), actor=board, filename="so-lieu.xlsx")
    t_again = time.perf_counter() - t0
    assert again.ok and not again.new and not again.updated and again.unchanged == rows

    ProgressReport.objects.all().delete()
    _result, peak = peak_mb(ours)

    ratio = t_ours / t_base
    cap = MEMORY_CAP_MB * rows / 100_000
    print(f"rows: {rows} ({units_n} units x {INDICATORS} indicators), file {len(data) / 1e6:.1f} MB")
    print(f"baseline (calamine parse + bulk_create(update_conflicts=True)): {t_base:.2f} s")
    print(f"import_indicators (read + check every row + compare + upsert + audit): {t_ours:.2f} s")
    print(
        f"ratio import / baseline: {ratio:.2f}x (target <= {RATIO_TARGET}):",
        "OK" if ratio <= RATIO_TARGET else "OVER",
    )
    print(f"re-import of the same file (nothing to write): {t_again:.2f} s")
    print(
        f"peak memory of the import (traced Python allocations): {peak:.0f} MB, cap {cap:.0f} MB: "
        f"{'OK' if peak < cap else 'OVER'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
