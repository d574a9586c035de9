"""Importing units from an XLSX file (read with calamine, checked row by row, written through django-import-export
in one short transaction) against a raw ``bulk_create`` of the same rows, in the same run, on a SQLite file.

    .venv/bin/python bench/bench_import_units.py [N]

Prints both times, their ratio, the time of a re-import that finds nothing to change, and how much the process's
peak resident memory grew during the import, against its cap.
"""

from __future__ import annotations

import io
import resource
import sys
import time

from _setup import django_on_temp_db

MEMORY_CAP_MB = 300  # for 100,000 rows


def main(n: int) -> None:
    django_on_temp_db()
    from openpyxl import Workbook

    from accounts.enums import Role
    from accounts.models import User
    from competition.models import Unit
    from competition.services.units import import_units

    wards_per_parent = 100
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"])
    sheet.append(["19", "Tỉnh Thái Nguyên", "Tỉnh", ""])
    parents = max(n // wards_per_parent, 1)
    for p in range(parents):
        sheet.append([f"P{p:05d}", f"Sở thử nghiệm {p}", "Sở, ban, ngành", "19"])
    for i in range(n - parents - 1):
        sheet.append([f"W{i:06d}", f"Xã Thử Nghiệm {i}", "Xã", f"P{i % parents:05d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    admin = User.objects.create(username="quantri", role=Role.ADMIN, is_superuser=True)

    # Baseline: the same rows as plain model objects, bulk_create'd (no reading, no checks, no tree).
    t0 = time.perf_counter()
    Unit.objects.bulk_create(
        [Unit(code=f"B{i:06d}", name=f"Xã {i}", kind="commune", path=f"/B{i:06d}/") for i in range(n)],
        batch_size=1000,
    )
    t_raw = time.perf_counter() - t0
    Unit.objects.filter(code__startswith="B").delete()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    result = import_units(io.BytesIO(data), actor=admin, filename="don-vi.xlsx")
    t_import = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    assert result.ok, result.errors[:5]
    t0 = time.perf_counter()
    again = import_units(io.BytesIO(data), actor=admin, filename="don-vi.xlsx")
    t_again = time.perf_counter() - t0
    assert again.ok and not again.new and not again.updated
    print(f"rows: {n} (file {len(data) / 1e6:.1f} MB)")
    print(f"raw bulk_create: {t_raw:.2f} s")
    print(f"import_units (read + check + write + tree): {t_import:.2f} s")
    print(f"ratio import / bulk_create: {t_import / t_raw:.1f}x")
    print(f"re-import of the same file (nothing to write): {t_again:.2f} s")
    cap = MEMORY_CAP_MB * max(n, 1) / 100_000
    verdict = "OK" if peak < max(cap, 50) else "OVER"
    print(f"peak memory (growth of the process's peak RSS) during the import: {peak:.0f} MB")
    print(f"memory cap for {n} rows: {max(cap, 50):.0f} MB: {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
