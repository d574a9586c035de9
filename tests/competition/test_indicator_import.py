"""Bulk import of indicator values (issue 4, item 4): all-or-nothing, every bad row reported, idempotent,
scoped, large files in the background with progress, the template round trip, the command."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from competition.enums import CampaignState, ImportState
from competition.models import Campaign, IndicatorImport, ProgressReport
from competition.services.indicator_import import (
    confirm_import,
    import_indicators,
    indicator_template_xlsx,
    start_import,
)
from competition.services.progress import record_progress
from workflows import SYSTEM
from workflows.exports import xlsx_bytes
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số,Minh chứng"


def csv_file(*lines: str, name: str = "so-lieu.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join((HEADER, *lines)) + "\n").encode("utf-8"), content_type="text/csv")


def values():
    return {
        (r.unit.code, r.indicator.code): (r.numerator, r.denominator, r.evidence)
        for r in ProgressReport.objects.select_related("unit", "indicator")
    }


def test_good_file_imports_every_row_with_one_audit_event(
    campaign, plan_ind, on_time_ind, period, commune_a, commune_b, board_officer
):
    upload = csv_file(
        "05443,Quý III/2026,1,90,100,https://vb.example/kh-01",
        "05443,Quý III/2026,1.1,40,90,",
        '05710,Quý III/2026,1,"1.200",1500,',
    )
    before = AuditEvent.objects.count()
    result = import_indicators(campaign, upload, actor=board_officer)

    assert result.ok and (result.new, result.updated, result.unchanged) == (3, 0, 0)
    assert values() == {
        ("05443", "1"): (90, 100, "https://vb.example/kh-01"),
        ("05443", "1.1"): (40, 90, ""),
        ("05710", "1"): (1200, 1500, ""),
    }
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "competition.progress.import"
    assert event.payload["new"] == 3 and len(event.payload["sha256"]) == 64
    assert ProgressReport.objects.filter(reported_by=board_officer).count() == 3


def test_file_with_good_and_bad_rows_writes_nothing_and_reports_each_bad_row(
    campaign, plan_ind, on_time_ind, period, commune_a, commune_b, board_officer, province
):
    record_progress(commune_b, period, [{"indicator": plan_ind, "numerator": 5, "denominator": 10}], actor=SYSTEM)
    upload = csv_file(
        "05443,Quý III/2026,1,90,100,",  # good
        "05710,Quý III/2026,1,7,10,",  # good (would update)
        "99999,Quý III/2026,1,1,2,",  # no such unit
        "19,Quý III/2026,1,1,2,",  # exists but not enrolled
        "05443,Quý IV/2026,1,1,2,",  # no such period
        "05443,Quý III/2026,9,1,2,",  # no such indicator
        "05443,Quý III/2026,1.1,abc,90,",  # not a number
        "05443,Quý III/2026,1.1,95,90,",  # duplicate? no: numerator > denominator
        "05710,Quý III/2026,1,8,10,",  # duplicate of row 3
        "05710,Quý III/2026,1.1,3,,",  # denominator missing
    )
    before = AuditEvent.objects.count()
    result = import_indicators(campaign, upload, actor=board_officer)

    assert not result.ok
    found = {(e.row, e.column.split(" (")[0], e.value): e.message for e in result.errors}
    assert set(found) == {
        (4, "Mã đơn vị", "99999"),
        (5, "Mã đơn vị", "19"),
        (6, "Kỳ báo cáo", "Quý IV/2026"),
        (7, "Mã chỉ tiêu", "9"),
        (8, "Tử số", "abc"),
        (9, "Tử số", "95"),
        (10, "Mã chỉ tiêu", "1"),
        (11, "Mẫu số", ""),
    }
    assert found[(4, "Mã đơn vị", "99999")] == "Không có đơn vị nào mang mã này."
    assert found[(5, "Mã đơn vị", "19")] == "Đơn vị này không tham gia phong trào."
    assert "Quý III/2026" in found[(6, "Kỳ báo cáo", "Quý IV/2026")]
    assert "1, 1.1" in found[(7, "Mã chỉ tiêu", "9")]
    assert "đã có ở dòng 3" in found[(10, "Mã chỉ tiêu", "1")]
    assert str(result.errors[0]).startswith("Dòng 4, cột “Mã đơn vị (A)”, giá trị “99999”:")
    # nothing written: the good rows neither, and the stored value is untouched
    assert values() == {("05710", "1"): (5, 10, "")}
    assert AuditEvent.objects.count() == before


def test_reimporting_the_same_file_changes_nothing(campaign, plan_ind, period, commune_a, commune_b, board_officer):
    lines = ("05443,Quý III/2026,1,90,100,", "05710,Quý III/2026,1,3,10,")
    import_indicators(campaign, csv_file(*lines), actor=board_officer)
    stamps = list(ProgressReport.objects.order_by("pk").values_list("pk", "reported_at"))
    events = AuditEvent.objects.count()

    again = import_indicators(campaign, csv_file(*lines), actor=board_officer)

    assert again.ok and (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert list(ProgressReport.objects.order_by("pk").values_list("pk", "reported_at")) == stamps
    assert AuditEvent.objects.count() == events

    changed = import_indicators(campaign, csv_file(lines[0], "05710,Quý III/2026,1,4,10,"), actor=board_officer)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 1)
    assert values()[("05710", "1")] == (4, 10, "")
    assert AuditEvent.objects.count() == events + 1


def test_child_indicator_checked_against_parent_in_file_or_stored(
    campaign, plan_ind, on_time_ind, period, commune_a, board_officer
):
    bad = import_indicators(
        campaign, csv_file("05443,Quý III/2026,1,90,100,", "05443,Quý III/2026,1.1,10,80,"), actor=board_officer
    )
    assert [(e.row, e.value) for e in bad.errors] == [(3, "80")]
    assert "phải bằng tử số của chỉ tiêu 1 (90)" in bad.errors[0].message

    assert import_indicators(campaign, csv_file("05443,Quý III/2026,1,90,100,"), actor=board_officer).ok
    # the child alone, against the stored parent
    assert import_indicators(campaign, csv_file("05443,Quý III/2026,1.1,10,90,"), actor=board_officer).ok
    # a parent change that the stored child no longer matches is refused
    refused = import_indicators(campaign, csv_file("05443,Quý III/2026,1,80,100,"), actor=board_officer)
    assert [(e.row, e.column.split(" (")[0]) for e in refused.errors] == [(2, "Tử số")]
    assert values()[("05443", "1")] == (90, 100, "")


def test_blank_template_rows_are_skipped_and_headers_match_without_diacritics(
    campaign, plan_ind, period, commune_a, commune_b, board_officer
):
    upload = SimpleUploadedFile(
        "x.csv",
        "ma don vi;ky bao cao;ma chi tieu;tu so;mau so\n05443;Quý III/2026;1;1;2\n05710;Quý III/2026;1;;\n".encode(),
    )
    result = import_indicators(campaign, upload, actor=board_officer)
    assert result.ok and result.new == 1 and result.skipped == 1


def test_unknown_or_missing_columns_are_reported_on_row_1(campaign, plan_ind, period, board_officer):
    upload = SimpleUploadedFile("x.csv", b"Ma don vi,Chi so,Tu so,Mau so\n05443,1,1,2\n")
    result = import_indicators(campaign, upload, actor=board_officer)
    messages = [str(e) for e in result.errors]
    assert any("Chi so" in m and "Không nhận ra cột này" in m for m in messages)
    assert any("Thiếu cột bắt buộc “Kỳ báo cáo”" in m for m in messages)
    assert any("Thiếu cột bắt buộc “Mã chỉ tiêu”" in m for m in messages)
    assert not ProgressReport.objects.exists()


def test_campaign_not_running_refuses_the_file(campaign, plan_ind, period, board_officer):
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    campaign.refresh_from_db()
    result = import_indicators(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=board_officer)
    assert not result.ok and "không ở giai đoạn báo cáo tiến độ" in result.errors[0].message


def test_unit_clerk_imports_for_own_unit_only(campaign, plan_ind, period, commune_a, commune_b, clerk_a, auditor):
    result = import_indicators(
        campaign, csv_file("05443,Quý III/2026,1,1,2,", "05710,Quý III/2026,1,1,2,"), actor=clerk_a
    )
    assert [(e.row, e.message) for e in result.errors] == [(3, "Bạn chỉ được nhập số liệu của đơn vị mình.")]
    assert import_indicators(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=clerk_a).ok
    with pytest.raises(PermissionDenied):
        import_indicators(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=auditor)


def test_template_round_trip_changes_nothing(
    campaign, plan_ind, on_time_ind, period, commune_a, commune_b, board_officer
):
    assert import_indicators(
        campaign,
        csv_file("05443,Quý III/2026,1,90,100,=cmd|' /C calc'!A0", "05443,Quý III/2026,1.1,10,90,"),
        actor=board_officer,
    ).ok
    data = indicator_template_xlsx(campaign, period)
    rows = CalamineWorkbook.from_object(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu"]
    body = {(r[0], r[3]): r for r in rows[1:]}
    assert set(body) == {("05443", "1"), ("05443", "1.1"), ("05710", "1"), ("05710", "1.1")}
    assert body[("05443", "1")][5:7] == [90, 100]
    assert body[("05443", "1")][7] == "'=cmd|' /C calc'!A0"  # formula escaped on export
    assert body[("05710", "1")][5] in ("", None)

    # the downloaded file, imported back as is, changes nothing (the escaping quote is taken off again)
    result = import_indicators(campaign, io.BytesIO(data), actor=board_officer, dry_run=True, filename="mau.xlsx")
    assert result.ok and (result.new, result.updated, result.unchanged, result.skipped) == (0, 0, 2, 2)


def test_xlsx_file_with_a_bad_cell_is_located_by_row_and_column(campaign, plan_ind, period, board_officer):
    data = xlsx_bytes(
        [
            ["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số"],
            ["05443", "Quý III/2026", "1", 12.5, 20],
        ]
    )
    result = import_indicators(campaign, io.BytesIO(data), actor=board_officer, filename="sai.xlsx")
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột “Tử số (D)”, giá trị “12.5”: Phải là số nguyên không âm, ví dụ 1250."
    ]


# --- jobs: small files now, large ones in the background with progress --------------------------------------


def test_small_file_is_checked_at_once_then_written_on_confirm(campaign, plan_ind, period, commune_a, board_officer):
    job = start_import(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=board_officer)
    assert job.state == ImportState.READY and job.new == 1
    assert not ProgressReport.objects.exists()
    job = confirm_import(job, actor=board_officer)
    assert job.state == ImportState.DONE and ProgressReport.objects.count() == 1
    with pytest.raises(PermissionDenied):
        confirm_import(job, actor=board_officer)  # confirming twice writes nothing more


def test_large_file_runs_in_the_background_with_progress(
    settings, campaign, plan_ind, period, commune_a, commune_b, board_officer, django_capture_on_commit_callbacks
):
    settings.THIDUA_IMPORT_BACKGROUND_ROWS = 1
    seen = []
    from competition.services import indicator_import

    original = indicator_import._job_progress

    def spy(job):
        report = original(job)

        def wrapped(done, total):
            seen.append((done, total))
            report(done, total)

        return wrapped

    indicator_import._job_progress = spy
    indicator_import.PROGRESS_EVERY, old_every = 1, indicator_import.PROGRESS_EVERY
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = start_import(
                campaign, csv_file("05443,Quý III/2026,1,1,2,", "05710,Quý III/2026,1,3,4,"), actor=board_officer
            )
        job.refresh_from_db()
        assert job.state == ImportState.READY and job.rows_done == job.rows_total == 2
        assert (1, 2) in seen and (2, 2) in seen
        with django_capture_on_commit_callbacks(execute=True):
            confirm_import(job, actor=board_officer)
        job.refresh_from_db()
    finally:
        indicator_import._job_progress = original
        indicator_import.PROGRESS_EVERY = old_every
    assert job.state == ImportState.DONE and job.new == 2
    assert ProgressReport.objects.count() == 2


def test_a_write_lost_with_its_worker_is_queued_again_then_given_up(
    settings,
    campaign,
    plan_ind,
    period,
    commune_a,
    commune_b,
    board_officer,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """Issue 8, item 8: a write whose task died with its worker is queued again by ``thidua-resume-jobs`` once the
    task time limit has passed (counted from when it was queued, not uploaded), and written once; a job lost three
    times is failed with a message that says what to do."""
    from datetime import timedelta

    from django.utils import timezone

    from competition.services import indicator_import
    from workflows import jobs

    settings.THIDUA_IMPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(
            campaign, csv_file("05443,Quý III/2026,1,1,2,", "05710,Quý III/2026,1,3,4,"), actor=board_officer
        )
    real_queue = indicator_import._queue
    monkeypatch.setattr(indicator_import, "_queue", lambda func, pk: jobs.mark_queued(IndicatorImport, pk))  # lost
    # Confirmed a day after the upload: only the time since it was queued counts.
    IndicatorImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(IndicatorImport.objects.get(pk=job.pk), actor=board_officer)
    monkeypatch.setattr(indicator_import, "_queue", real_queue)
    assert jobs.resume_all() == 0 and IndicatorImport.objects.get(pk=job.pk).state == ImportState.WRITING
    later = timezone.now() + timedelta(hours=1)
    assert jobs.resume_all(later) == 1
    job.refresh_from_db()
    assert (job.state, job.new, job.deliveries) == (ImportState.DONE, 2, 3)  # check, write, write again
    assert ProgressReport.objects.count() == 2
    assert jobs.resume_all(later) == 0

    lost = IndicatorImport.objects.create(
        campaign=campaign, filename="lon.csv", state=ImportState.CHECKING, deliveries=3, uploaded_by=board_officer
    )
    assert jobs.resume_all(later) == 0
    lost.refresh_from_db()
    assert lost.state == ImportState.FAILED and "bị gián đoạn 3 lần" in lost.message and "nhỏ hơn" in lost.message


def test_job_with_errors_keeps_them_and_cannot_be_confirmed(campaign, plan_ind, period, board_officer):
    job = start_import(campaign, csv_file("05443,Quý III/2026,1,3,2,"), actor=board_officer)
    assert job.state == ImportState.INVALID and job.error_count == 1
    assert job.errors[0][0] == 2 and "không được lớn hơn mẫu số" in job.errors[0][3]
    with pytest.raises(PermissionDenied):
        confirm_import(job, actor=board_officer)


# --- web: upload, read the check, confirm -------------------------------------------------------------------


def test_board_uploads_reads_errors_fixes_and_imports(client, campaign, plan_ind, period, commune_a, board_officer):
    client.force_login(board_officer)
    url = reverse("competition:indicator_import", args=[campaign.pk])
    response = client.post(url, {"file": csv_file("05443,Quý III/2026,1,abc,2,")}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp có 1 lỗi" in page and "Phải là số nguyên không âm" in page and "abc" in page
    assert not ProgressReport.objects.exists()

    response = client.post(url, {"file": csv_file("05443,Quý III/2026,1,1,2,")}, follow=True)
    job = IndicatorImport.objects.latest("pk")
    assert job.state == ImportState.READY
    assert "1 giá trị mới" in response.content.decode()
    response = client.post(reverse("competition:indicator_import_job", args=[job.pk]), {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert ProgressReport.objects.get().numerator == 1


def test_template_download_is_scoped_to_the_clerks_unit(client, campaign, plan_ind, period, commune_a, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("competition:indicator_template", args=[campaign.pk]), {"period": period.pk})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_object(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert {r[0] for r in rows[1:]} == {"05443"}


def test_other_units_jobs_are_not_visible(client, campaign, plan_ind, period, commune_a, board_officer, clerk_b):
    job = start_import(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=board_officer)
    client.force_login(clerk_b)
    assert client.get(reverse("competition:indicator_import_job", args=[job.pk])).status_code == 404


# --- the command ----------------------------------------------------------------------------------------------


def test_command_dry_run_then_import(tmp_path, campaign, plan_ind, period, commune_a, capsys):
    path = tmp_path / "so-lieu.csv"
    path.write_text(f"{HEADER}\n05443,Quý III/2026,1,1,2,\n", encoding="utf-8")
    call_command("import_indicators", campaign.code, str(path), "--dry-run")
    assert not ProgressReport.objects.exists()
    assert "1" in capsys.readouterr().out
    call_command("import_indicators", campaign.code, str(path))
    assert ProgressReport.objects.get().percent == Decimal("50.0")


def test_command_fails_with_every_bad_row(tmp_path, campaign, plan_ind, period, capsys):
    path = tmp_path / "sai.csv"
    path.write_text(f"{HEADER}\n05443,Quý III/2026,1,5,2,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_indicators", campaign.code, str(path))
    assert "Dòng 2, cột “Tử số (D)”" in capsys.readouterr().err
    assert not ProgressReport.objects.exists()


def test_unconfirmed_files_are_forgotten_after_a_week(campaign, plan_ind, period, commune_a, board_officer):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from competition.services.indicator_import import forget_abandoned_imports

    unconfirmed = start_import(campaign, csv_file("05443,Quý III/2026,1,1,2,"), actor=board_officer)
    written = confirm_import(
        start_import(campaign, csv_file("05443,Quý III/2026,1,2,2,"), actor=board_officer), actor=board_officer
    )
    preview = default_storage.save("imports/pending/abc.csv", ContentFile(b"x"))
    assert forget_abandoned_imports() == {"jobs": 0, "previews": 0}

    later = timezone.now() + timedelta(days=8)
    assert forget_abandoned_imports(now=later) == {"jobs": 1, "previews": 1}
    assert not IndicatorImport.objects.filter(pk=unconfirmed.pk).exists()
    assert not default_storage.exists(unconfirmed.file.name) and not default_storage.exists(preview)
    written.refresh_from_db()
    assert default_storage.exists(written.file.name)  # kept: its audit event names it


def test_the_clean_up_runs_daily_and_lost_jobs_are_looked_for_every_few_minutes():
    from django_q.models import Schedule

    from competition import tasks
    from workflows.tasks import resume_stalled_jobs

    (schedule,) = Schedule.objects.filter(name="thidua-import-cleanup")  # created when the database was migrated
    assert (schedule.func, schedule.schedule_type) == ("competition.tasks.forget_abandoned_imports", Schedule.DAILY)
    assert tasks.forget_abandoned_imports() == {"jobs": 0, "previews": 0}
    (resume,) = Schedule.objects.filter(name="thidua-resume-jobs")
    assert (resume.func, resume.schedule_type, resume.minutes) == (
        "workflows.tasks.resume_stalled_jobs",
        Schedule.MINUTES,
        5,
    )
    assert resume_stalled_jobs() == 0
