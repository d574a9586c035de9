"""Personal data (Decree 13/2023/NĐ-CP; domain rule 16, issue 8 item 6): every reading by a person is recorded,
and birth dates, ID numbers and gender are erased once their retention period is over, leaving names and awards."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from nominations.models import AwardRecord, Nominee, NomineeHold
from nominations.services.decisions import sign_decision
from nominations.services.retention import PURGED_KEY_PREFIX, cutoff_date, purge_personal_data
from workflows import SYSTEM
from workflows.audit import verify_chain
from workflows.models import AuditEvent, PersonalDataAccess
from workflows.privacy import record_access

from ._decision_setup import build_world, drafted, issue, provincial_dossier

PERSON = {
    "kind": "individual",
    "name": "Nguyễn Thị Hoà",
    "birth_date": date(1987, 4, 23),
    "gender": "female",
    "id_number": "019187000123",
}


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def decided(world):
    decision = drafted(world, provincial_dossier(world, [PERSON, ("collective", "Tổ công nghệ số")]))
    issue(decision, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    with time_machine.travel(date(2025, 9, 15)):
        return sign_decision(decision, actor=world.chairman_office)


def test_each_reading_is_recorded_once_per_record(world, decided):
    nominees = list(Nominee.objects.all())
    assert record_access(world.board_officer, nominees, fields=["birth_date", "gender"], purpose="api:dossier") == 2
    assert record_access(world.board_officer, [], fields=["birth_date"], purpose="api") == 0
    rows = list(PersonalDataAccess.objects.order_by("object_id"))
    assert {r.object_id for r in rows} == {str(n.pk) for n in nominees}
    assert rows[0].user == world.board_officer and rows[0].fields == ["birth_date", "gender"]
    assert rows[0].purpose == "api:dossier" and rows[0].user_label == world.board_officer.username


def test_personal_data_is_kept_for_the_retention_period_then_erased(world, decided, settings):
    settings.THIDUA_PERSONAL_DATA_RETENTION_YEARS = 10
    hold = NomineeHold.objects.create(
        kind="individual",
        name="Trần Văn Nam",
        birth_date=date(1980, 1, 2),
        id_number="019080000001",
        canonical_key="cn:trần văn nam|1980-01-02",
        reason="discipline",
        since=date(2025, 1, 1),
        until=date(2025, 6, 30),
    )
    person = Nominee.objects.get(kind="individual")
    # Within ten years nothing goes.
    within = purge_personal_data(actor=SYSTEM, today=date(2035, 9, 14))
    assert (within.nominees, within.holds) == (0, 1)  # the hold ended on 30/6/2025, before 14/9/2025
    person.refresh_from_db()
    assert person.birth_date == date(1987, 4, 23)
    # Ten years after the decision: erased, the key made one-way, the name and the award kept.
    assert cutoff_date(date(2035, 9, 16)) == date(2025, 9, 16)
    dry = purge_personal_data(actor=SYSTEM, today=date(2035, 9, 16), dry_run=True)
    assert dry.nominees == 1 and Nominee.objects.filter(birth_date__isnull=False).exists()
    done = purge_personal_data(actor=SYSTEM, today=date(2035, 9, 16))
    assert done.nominees == 1
    person.refresh_from_db()
    assert (person.birth_date, person.id_number, person.gender) == (None, "", "")
    assert person.canonical_key.startswith(PURGED_KEY_PREFIX) and "1987" not in person.canonical_key
    assert person.name == "Nguyễn Thị Hoà" and person.award.amount > 0
    hold.refresh_from_db()
    assert hold.birth_date is None and hold.id_number == "" and hold.canonical_key.startswith(PURGED_KEY_PREFIX)
    # The register of awards is a permanent record unless the setting says otherwise.
    record = AwardRecord.objects.get(award__nominee=person)
    assert record.birth_date == date(1987, 4, 23)
    event = AuditEvent.objects.filter(action="nominations.personal_data.purge").last()
    assert event.payload["nominees"] == 1 and "1987" not in event.body and "019187000123" not in event.body
    assert purge_personal_data(actor=SYSTEM, today=date(2035, 9, 16)).nominees == 0  # idempotent
    settings.THIDUA_PURGE_AWARD_RECORDS = True
    assert purge_personal_data(actor=SYSTEM, today=date(2036, 1, 2)).records == 1
    record.refresh_from_db()
    assert record.birth_date is None and record.id_number == ""
    assert verify_chain() == []


def test_the_command_reports_counts_and_a_dry_run_changes_nothing(world, decided, capsys, settings):
    settings.THIDUA_PERSONAL_DATA_RETENTION_YEARS = 0
    call_command("purge_personal_data", dry_run=True)
    assert "Chạy thử" in capsys.readouterr().out
    assert Nominee.objects.filter(birth_date__isnull=False).exists()
    call_command("purge_personal_data")
    assert "Đã xoá dữ liệu cá nhân của 1 người được đề nghị" in capsys.readouterr().out
    assert not Nominee.objects.filter(birth_date__isnull=False).exists()


def test_personal_data_never_reaches_the_logs(client, world, caplog):
    import logging

    from django.urls import reverse

    from ..factories import DossierFactory

    dossier = DossierFactory(campaign=world.campaign, unit=world.ward, deciding_unit=world.province)
    client.force_login(world.ward_clerk)
    secrets = ("1985-04-02", "02/04/1985", "019185000777")
    caplog.set_level(logging.INFO, logger="thidua.request")  # as in production
    with caplog.at_level(logging.DEBUG):
        client.post(
            reverse("nominations:nominee_add", args=[dossier.pk]),
            {
                "kind": "individual",
                "name": "Nguyễn Thị Hoà",
                "gender": "female",
                "birth_date": "1985-04-02",
                "id_number": "019185000777",
                "position": "Công chức",
                "work_unit": "UBND phường",
            },
        )
        client.get(reverse("nominations:dossier_detail", args=[dossier.pk]), {"q": "1985-04-02"})
        # A refused form echoes nothing into the logs either.
        client.post(reverse("nominations:nominee_add", args=[dossier.pk]), {"kind": "individual", "birth_date": "x"})
    assert dossier.nominees.get().birth_date == date(1985, 4, 2)
    assert any(r.name == "thidua.request" for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(str(v) for v in vars(record).values())
        assert not any(s in text for s in secrets), record.name
