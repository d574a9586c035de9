"""The audit trail exported for inspectors (issue 8 item 4): CSV (streamed) and XLSX with, for each event, the
canonical body, the previous hash and the hash, so that the chain can be recomputed outside the product."""

import csv
import hashlib
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from workflows import SYSTEM, audit

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    auditor = UserFactory(role=Role.AUDITOR)
    for n in range(5):
        audit.record(actor=SYSTEM, action="tests.export", obj=auditor, payload={"n": n, "note": "=1+1"})
    audit.record(actor=SYSTEM, action="tests.other", obj=auditor, payload={})
    return auditor


def test_the_csv_lets_an_inspector_recompute_the_chain(client, events):
    client.force_login(events)
    response = client.get(reverse("workflows:audit_export", args=["csv"]))
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(r["sequence"]) for r in rows] == list(range(1, len(rows) + 1))
    previous = None
    for row in rows:
        assert hashlib.sha256(row["body"].encode("utf-8")).hexdigest() == row["hash"]
        assert json.loads(row["body"])["prev_hash"] == row["prev_hash"]
        if previous is not None:
            assert row["prev_hash"] == previous
        previous = row["hash"]
    assert rows[-1]["hash"] == audit.head().hash


def test_the_xlsx_is_filtered_like_the_page_and_only_for_those_who_may_read_the_trail(client, events):
    client.force_login(events)
    response = client.get(reverse("workflows:audit_export", args=["xlsx"]), {"action": "tests.export", "since": 2})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "sequence" and [r[4] for r in rows[1:]] == ["tests.export"] * 4
    client.force_login(UserFactory(role=Role.UNIT_CLERK))
    assert client.get(reverse("workflows:audit_export", args=["csv"])).status_code == 403
    assert client.get(reverse("workflows:audit_export", args=["pdf"])).status_code in (403, 404)
