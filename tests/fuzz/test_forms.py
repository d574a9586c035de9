"""Fuzz tests of the web's main forms, posted through the Django test client to the real views by a user allowed to
use them: the nominee, dossier, decision issue details, hold, fund entry and payment forms of nominations, and the
campaign and unit plan forms of competition.

Whatever the POST holds (fields missing, any text, control and NUL characters, emoji, numbers far beyond any
column, impossible or foreign dates, unknown choices, random uploads), the answer is a page (200) or a redirect
(302) — never a server error (the test client re-raises any exception of the view) — and when the form is invalid
nothing is written: the audit trail, the models the view writes and the record it edits are as before.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from competition.forms import CampaignForm, PlanForm
from competition.models import Campaign, PlanState, UnitPlan
from competition.services.campaigns import launch_campaign
from nominations.enums import FundEntryKind, Gender, HoldReason, NomineeKind, SignerAuthority
from nominations.forms import DossierForm, FundEntryForm, HoldForm, IssueDetailsForm, NomineeForm, PaymentForm
from nominations.models import AwardDecision, Dossier, FundEntry, Nominee, NomineeHold
from nominations.services.decisions import sign_decision
from workflows.models import AuditEvent

from ..factories import IndicatorFactory

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- What a POST may hold --------------------------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(max_size=40),  # any character but surrogates: controls, combining marks, emoji, other scripts
    st.sampled_from(["", " ", "\x00", "a\x00b", "\u200b", "😀", '=HYPERLINK("http://x")', "<script>", "%(x)s", "'"]),
    st.integers(min_value=300, max_value=5000).map(lambda n: "Ư" * n),
)
LETTERS = st.sampled_from("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ ABC")
NAME = st.text(alphabet=LETTERS, min_size=1, max_size=30).map(lambda t: "Nguyễn " + t)
DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def days(first: date, last: date) -> st.SearchStrategy:
    """ISO dates (what a browser's date input sends): mostly between ``first`` and ``last``, some anywhere."""
    near = st.dates(min_value=first, max_value=last)
    return st.one_of(near, near, near, near, DAYS).map(date.isoformat)


TODAY = date.today()
DATE_TEXT = days(TODAY - timedelta(days=700), TODAY - timedelta(days=1))
BAD_DATE = st.sampled_from(["2025-02-30", "0000-00-00", "31/12/99999", "99999-01-01", "2025-13-01", "hôm nay", "1/1"])
NUMBER = st.one_of(
    st.integers(min_value=1, max_value=10**6).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2).map(str),  # around PostgreSQL's integer
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2).map(str),  # around SQLite's and PostgreSQL's bigint
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
BAD_NUMBER = st.sampled_from(["1e5", "1,000", "1.000", "١٢", "-0", " 7 ", "NaN", "inf", "9" * 400])


@st.composite
def post(draw, fields: dict[str, st.SearchStrategy], bad: dict[str, st.SearchStrategy] | None = None) -> dict:
    """A POST body: each field mostly present with a plausible value, sometimes missing, sometimes anything (or a
    value of its own kind that is wrong)."""
    data = {}
    for name, plausible in fields.items():
        roll = draw(st.integers(min_value=0, max_value=15), label=name)
        if roll == 0:
            continue
        if roll == 1:
            data[name] = draw(ANY_TEXT)
        elif roll == 2 and bad and name in bad:
            data[name] = draw(bad[name])
        else:
            data[name] = draw(plausible)
    return data


def choice(values) -> st.SearchStrategy:
    return st.sampled_from(list(values))


def as_query(data: dict) -> MultiValueDict:
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})


def counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (*models, AuditEvent))


def posted(client, url: str, data: dict, *, valid: bool, models: tuple, state=lambda: None) -> None:
    """POST ``data`` to ``url``: a page or a redirect, and when the form was invalid, nothing written and the
    person told why (the form's errors on the page, or error messages after the redirect)."""
    event("valid" if valid else "invalid")
    with rolled_back():
        before = (counts(*models), state())
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if valid:
            event("written" if (counts(*models), state()) != before else "refused by the service")
            return
        assert (counts(*models), state()) == before
        if not data:
            return  # an empty POST shows the blank form again (views bind ``request.POST or None``)
        told = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        if response.status_code == 200:
            told += list(response.context["form"].errors.values())
        assert told, "an invalid form without a word to the person"


# --- Nominations: nominee, dossier, hold, fund ---------------------------------------------------------------

NOMINEE_FIELDS = {
    "kind": choice(NomineeKind.values),
    "name": NAME,
    "gender": choice(["", *Gender.values]),
    "birth_date": DATE_TEXT,
    "id_number": st.one_of(st.just(""), st.from_regex(r"[0-9]{12}", fullmatch=True)),
    "position": st.one_of(st.just(""), NAME),
    "work_unit": st.one_of(st.just(""), NAME),
    "direct_worker": st.sampled_from(["on", "true", "", "0", "false", "x"]),
    "achievement": st.one_of(st.just(""), NAME, st.text(min_size=1000, max_size=3000)),
}
NOMINEE_BAD = {"birth_date": BAD_DATE, "id_number": st.from_regex(r"[0-9]{21,30}", fullmatch=True)}


@FUZZ
@given(data=post(NOMINEE_FIELDS, NOMINEE_BAD))
def test_nominee_form(client, dossier, clerk_a, data):
    client.force_login(clerk_a)
    valid = NomineeForm(as_query(data)).is_valid()
    url = reverse("nominations:nominee_add", args=[dossier.pk])
    posted(client, url, data, valid=valid, models=(Nominee,))


DOSSIER_FIELDS = {
    "award_type_code": choice(["bang_khen_tinh", "giay_khen_xa", "chien_si_thi_dua"]),
    "title": NAME,
    "letter_number": st.one_of(st.just(""), st.from_regex(r"[0-9]{1,4}/TTr-UBND", fullmatch=True)),
    "letter_date": DATE_TEXT,
}


@FUZZ
@given(data=post(DOSSIER_FIELDS, {"letter_date": BAD_DATE}))
def test_dossier_form(client, nomination_world, clerk_a, data):
    campaign = nomination_world.campaign
    client.force_login(clerk_a)
    choices = [(a.code, a.name) for a in campaign.rule_set.award_types.filter(code__in=campaign.award_type_codes)]
    valid = DossierForm(as_query(data), award_choices=choices).is_valid()
    url = reverse("nominations:dossier_create", args=[campaign.pk])
    posted(client, url, data, valid=valid, models=(Dossier, Nominee))


HOLD_FIELDS = {
    "kind": choice(NomineeKind.values),
    "name": NAME,
    "birth_date": DATE_TEXT,
    "id_number": st.one_of(st.just(""), st.from_regex(r"[0-9]{12}", fullmatch=True)),
    "work_unit": st.one_of(st.just(""), NAME),
    "reason": choice(HoldReason.values),
    "note": st.one_of(st.just(""), NAME),
    "since": DATE_TEXT,
    "until": st.one_of(st.just(""), DATE_TEXT),
}


@FUZZ
@given(data=post(HOLD_FIELDS, {"since": BAD_DATE, "until": BAD_DATE}))
def test_hold_form(client, nomination_world, board_officer, data):
    client.force_login(board_officer)
    valid = HoldForm(as_query(data)).is_valid()
    posted(client, reverse("nominations:hold_add"), data, valid=valid, models=(NomineeHold,))


FUND_FIELDS = {
    "kind": choice(FundEntryKind.values),
    "amount": NUMBER,
    "entered_on": DATE_TEXT,
    "reference": st.one_of(st.just(""), NAME),
    "note": st.one_of(st.just(""), NAME),
}


@FUZZ
@given(data=post(FUND_FIELDS, {"amount": BAD_NUMBER, "entered_on": BAD_DATE}))
def test_fund_entry_form(client, nomination_world, board_officer, province, data):
    client.force_login(board_officer)
    valid = FundEntryForm(as_query(data)).is_valid()
    url = reverse("nominations:fund") + f"?unit={province.pk}"
    posted(client, url, data, valid=valid, models=(FundEntry,))


# --- Nominations: a decision's issue details and its payment ---------------------------------------------------


@pytest.fixture
def decision_world(db):
    from ..nominations._decision_setup import build_world, drafted, issue, provincial_dossier

    with time_machine.travel(date(2025, 12, 20), tick=True):
        world = build_world()
        nominees = [
            {"kind": "individual", "name": "Nguyễn Thị Hoà", "birth_date": date(1987, 4, 23), "gender": "female"},
            ("collective", "Phòng Văn hoá - Xã hội phường Phan Đình Phùng"),
        ]
        draft = drafted(world, provincial_dossier(world, nominees))
        signed = drafted(world, provincial_dossier(world, [("collective", "Tổ dân phố số 3")]))
        issue(signed, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
        signed = sign_decision(signed, actor=world.chairman_office)
        world.draft, world.signed = draft, signed
        yield world


def decision_state(pk: int):
    return tuple(
        AwardDecision.objects.filter(pk=pk).values_list(
            "number", "issued_on", "signer_name", "signer_authority", "recipients", "state"
        )
    )


ISSUE_FIELDS = {
    "number": st.one_of(st.just(""), NUMBER),
    "issued_on": days(date(2025, 9, 1), date(2025, 12, 20)),
    "signer_name": NAME,
    "signer_authority": choice(SignerAuthority.values),
    "submission_letter_number": st.one_of(st.just(""), st.from_regex(r"[0-9]{1,4}/TTr-SNV", fullmatch=True)),
    "submission_letter_date": st.one_of(st.just(""), days(date(2025, 8, 1), date(2025, 9, 1))),
    "recipients": st.one_of(st.just(""), NAME.map(lambda t: t + "\r\n" + t)),
}


@FUZZ
@given(data=post(ISSUE_FIELDS, {"number": BAD_NUMBER, "issued_on": BAD_DATE}))
def test_issue_details_form(client, decision_world, data):
    client.force_login(decision_world.chairman_office)
    draft = decision_world.draft
    valid = IssueDetailsForm(as_query(data)).is_valid()
    url = reverse("nominations:decision_detail", args=[draft.pk])
    with time_machine.travel(date(2025, 12, 20), tick=True):
        posted(client, url, data, valid=valid, models=(AwardDecision,), state=lambda: decision_state(draft.pk))


PAYMENT_FIELDS = {
    "paid_on": days(date(2025, 9, 15), date(2025, 12, 20)),
    "reference": st.one_of(st.just(""), NAME),
    "award": st.lists(st.one_of(st.integers(min_value=-5, max_value=50).map(str), NUMBER, ANY_TEXT), max_size=3),
}


@FUZZ
@given(data=post(PAYMENT_FIELDS, {"paid_on": BAD_DATE}))
def test_payment_form(client, decision_world, data):
    client.force_login(decision_world.board_officer)
    signed = decision_world.signed
    valid = PaymentForm(as_query(data)).is_valid()
    url = reverse("nominations:decision_payments", args=[signed.pk])

    def paid():
        return sorted(signed.awards.values_list("pk", "payment_state"))

    with time_machine.travel(date(2025, 12, 20), tick=True):
        posted(client, url, data, valid=valid, models=(AwardDecision,), state=paid)


# --- Competition: the campaign and a unit's plan ---------------------------------------------------------------

CAMPAIGN_FIELDS = {
    "code": st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True),
    "name": NAME,
    "level": choice(["provincial", "department", "commune"]),
    "is_thematic": st.sampled_from(["on", ""]),
    "issuing_body": NAME,
    "plan_number": st.from_regex(r"[0-9]{1,4}/KH-UBND", fullmatch=True),
    "plan_date": days(date(2025, 1, 1), date(2025, 6, 30)),
    "plan_summary": NAME,
    "award_type_codes": st.lists(choice(["bang_khen_tinh", "giay_khen_xa", "khong_co"]), max_size=3),
    "start_date": days(date(2025, 7, 1), date(2025, 8, 1)),
    "end_date": days(date(2026, 6, 1), date(2026, 12, 31)),
    "plan_deadline": days(date(2025, 8, 2), date(2025, 9, 1)),
    "nomination_deadline": days(date(2026, 3, 1), date(2026, 5, 31)),
    "summary_date": days(date(2026, 4, 1), date(2026, 5, 31)),
}


@FUZZ
@given(data=post(CAMPAIGN_FIELDS, {"start_date": BAD_DATE, "end_date": BAD_DATE}))
def test_campaign_form(client, rule_set, board_officer, data):
    client.force_login(board_officer)
    valid = CampaignForm(as_query(data)).is_valid()
    posted(client, reverse("competition:campaign_create"), data, valid=valid, models=(Campaign,))


@pytest.fixture
def launched(draft_campaign, board_officer):
    IndicatorFactory(campaign=draft_campaign, code="2")
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    draft_campaign.refresh_from_db()
    return draft_campaign


UPLOAD = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["ke-hoach.pdf", "ke-hoach.docx", "ke hoạch.PDF", "x.exe", ".pdf", "a" * 300 + ".pdf"]),
        st.one_of(st.binary(max_size=300), st.just(b"%PDF-1.4\n%%EOF\n"), st.just(b"PK\x03\x04" + b"\x00" * 30)),
    ),
)
PLAN_FIELDS = {
    "number": st.from_regex(r"[0-9]{1,4}/KH-UBND", fullmatch=True),
    "date": DATE_TEXT,
    "adopted_codes": st.lists(choice(["1", "2", "3", ""]), max_size=4),
}


def plan_post(data: dict, upload) -> tuple[dict, MultiValueDict]:
    files = MultiValueDict()
    if upload is not None:
        name, content = upload
        files["document"] = SimpleUploadedFile(name, content)
        data = {**data, "document": SimpleUploadedFile(name, content)}
    return data, files


def plan_form_valid(data: dict, files: MultiValueDict, campaign) -> bool:
    fields = as_query({k: v for k, v in data.items() if k != "document"})
    return PlanForm(fields, files, indicators=list(campaign.indicators.all())).is_valid()


def plan_state():
    return tuple(UnitPlan.objects.values_list("number", "date", "adopted_codes", "document", "state"))


@FUZZ
@given(data=post(PLAN_FIELDS, {"date": BAD_DATE}), upload=UPLOAD)
def test_new_plan_form(client, launched, clerk_a, data, upload):
    client.force_login(clerk_a)
    data, files = plan_post(data, upload)
    valid = plan_form_valid(data, files, launched)
    url = reverse("competition:plan_mine", args=[launched.pk])
    posted(client, url, data, valid=valid, models=(UnitPlan,), state=plan_state)


@FUZZ
@given(data=post(PLAN_FIELDS, {"date": BAD_DATE}), upload=UPLOAD)
def test_plan_draft_form(client, launched, clerk_a, commune_a, data, upload):
    from competition.services.plans import start_plan

    plan = UnitPlan.objects.filter(unit=commune_a).first() or start_plan(launched, unit=commune_a, actor=clerk_a)
    assert plan.state == PlanState.DRAFT
    client.force_login(clerk_a)
    data, files = plan_post(data, upload)
    valid = plan_form_valid(data, files, launched)
    url = reverse("competition:plan_detail", args=[plan.pk])
    posted(client, url, data, valid=valid, models=(UnitPlan,), state=plan_state)
