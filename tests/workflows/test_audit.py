"""The audit chain: every stored byte of every row is covered, deletions and a cut tail are detected."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from workflows import SYSTEM, audit
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def _append(n: int, obj=None) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=SYSTEM, action="test.event", obj=obj, payload={"i": i, "tên": "Nguyễn Thị Hoà"})


def _raw_update(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(board_officer):
    _append(3, obj=board_officer)
    assert audit.verify_chain() == []
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_record_requires_a_transaction():
    with pytest.raises(RuntimeError):
        audit.record(actor=SYSTEM, action="test.event")


COLUMNS = [
    ("created_at", "'2020-01-01 00:00:00'"),
    ("actor_label", "'mallory'"),
    ("action", "'test.other'"),
    ("object_id", "'999'"),
    ("object_repr", "'khác'"),
    ("from_state", "'draft'"),
    ("to_state", "'closed'"),
    ("prev_hash", "'" + "1" * 64 + "'"),
    ("hash", "'" + "2" * 64 + "'"),
    ("body", "replace(body, 'Hoà', 'Hòa')"),
    ("content_type_id", "(SELECT min(id) FROM django_content_type)"),
    ("actor_id", "NULL"),
]


@pytest.mark.parametrize(("column", "value"), COLUMNS, ids=[c for c, _ in COLUMNS])
def test_altering_any_column_is_detected(column, value, board_officer):
    with transaction.atomic():
        audit.record(actor=board_officer, action="test.event", obj=board_officer, payload={"tên": "Nguyễn Thị Hoà"})
    _append(2)
    _raw_update(f"UPDATE workflows_auditevent SET {column} = {value} WHERE sequence = 1")  # noqa: S608
    assert audit.verify_chain(), f"changing {column} went unnoticed"
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_altering_the_sequence_is_detected():
    _append(3)
    _raw_update("UPDATE workflows_auditevent SET sequence = 7 WHERE sequence = 2")
    assert audit.verify_chain()


def test_deleting_a_middle_row_is_detected():
    _append(4)
    _raw_update("DELETE FROM workflows_auditevent WHERE sequence = 2")
    problems = audit.verify_chain()
    assert any("thiếu sự kiện" in str(p) for p in problems)


def test_cutting_the_tail_is_detected_by_the_head():
    _append(4)
    _raw_update("DELETE FROM workflows_auditevent WHERE sequence = 4")
    assert any("đầu chuỗi" in str(p) for p in audit.verify_chain())


def test_cutting_the_tail_and_the_head_is_detected_by_a_printed_head():
    _append(4)
    printed = audit.head().hash  # as printed on a decision
    _raw_update("DELETE FROM workflows_auditevent WHERE sequence = 4")
    last = AuditEvent.objects.order_by("-sequence").first()
    _raw_update("UPDATE workflows_chainhead SET sequence = %s, hash = %s", [last.sequence, last.hash])
    assert audit.verify_chain() == []  # the shortened chain is self-consistent ...
    assert audit.verify_chain(expected_head=printed)  # ... but the hash printed on the decision is gone
    with pytest.raises(CommandError):
        call_command("verify_audit", expect_head=printed)


def test_an_earlier_printed_head_still_verifies():
    _append(2)
    printed = audit.head().hash
    _append(2)
    assert audit.verify_chain(expected_head=printed) == []
