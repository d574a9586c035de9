"""The permission matrix (issue 8, item 5), generated from the URL configuration.

Every URL name of the project (``django.urls.get_resolver()``, walked with its namespaces) must have an entry in
``MATRIX`` below, or be listed in ``EXCLUDED`` with a reason: ``test_every_url_name_is_in_the_matrix`` fails
otherwise, so a new view cannot be added without saying who may open it.

An entry says, for a GET by each role (``accounts.enums.Role``, one user each; the unit roles belong to unit A) and
by an anonymous visitor, what must happen:

- ``allow``: 200, or a redirect to a page of the app that is not the login page;
- ``deny``: 403 or 404;
- ``login`` (anonymous on every non-public page): a redirect to the login page.

For a URL with an object, separately for the object of unit A (the own unit) and the object of unit B (the other
unit): ``allow`` lists the roles allowed on A's object, ``allow_b`` those on B's (by default: the same minus the unit
roles, which never see B's records). Objects that hang off no unit (rule sets, templates, stand-ins …) have one
column, shown as ``*``. The sets follow architecture principle 7 ("Scoping is explicit") and the permissions of
each app's ``rules.py``; where the two had to be reconciled, the entry says so in a comment.

POST-only views: every signed-in role gets 405 on GET; each role outside ``allow`` then POSTs a plausible form and
must get 403, 404 or a redirect carrying an error message, with no success message and no audit event written.
Pages that also take a POST (forms) say who may write through them (``writes``); every other role that may read
the page posts the form and must be refused the same way (read-only roles stay read-only). Every request runs in a
savepoint that is rolled back, so no cell sees what another did.

Two checks hold whatever the matrix says: a unit role never gets 200 on B's object, and no page (except the public
ones) shows a role a record it must not see: each unit's records carry a marker in their titles
(``_world.MARKERS``), and ``FORBIDDEN_MARKERS`` lists, per role, the markers its pages must never contain.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.enums import Role
from nominations.services import statistics as stats_services
from workflows.models import AuditEvent

from ._world import INTERNAL, MARKERS, PDF, SIDES, World, docx

pytestmark = pytest.mark.django_db

# --- Roles ------------------------------------------------------------------------------------------------------

ADMIN, CLERK, HEAD = Role.ADMIN.value, Role.UNIT_CLERK.value, Role.UNIT_HEAD.value
OFFICER, BOARD_HEAD, COORD = Role.BOARD_OFFICER.value, Role.BOARD_HEAD.value, Role.COORDINATOR.value
MEMBER, OFFICE, AUDITOR = Role.COUNCIL_MEMBER.value, Role.CHAIRMAN_OFFICE.value, Role.AUDITOR.value
ANON = "anonymous"
ROLES = (*(r.value for r in Role), ANON)

UNIT = frozenset({CLERK, HEAD})  # of unit A: their unit and its sub-units
BOARD = frozenset({OFFICER, BOARD_HEAD})
WIDE = BOARD | {COORD}  # every unit of the campaigns they serve
READERS = WIDE | {AUDITOR}  # campaign-wide roles and the auditor (everything, read-only)
SIGNED_IN = frozenset(r.value for r in Role)
NOBODY = frozenset()

# --- Exclusions: URL names the matrix does not cover, each with its reason ----------------------------------------

EXCLUDED = {
    "login": "Django's login page: public by nature, it is where every other page sends an anonymous visitor",
    "logout": "Django's logout: POST-only, acts on the visitor's own session",
    "password_change": "Django's password change for the signed-in user's own account",
    "password_change_done": "Django's confirmation page of the password change",
    "set_language": "Django's i18n view (i18n/): sets the visitor's own language",
    "javascript-catalog": "Django's JavaScript catalog (jsi18n/): translation strings, no data",
}
EXCLUDED_NAMESPACES = {
    "admin": "django-admin/: Django's own admin site, guarded by is_staff, outside the application's roles",
}
EXCLUDED_PREFIXES = {
    "django-admin/": "Django's admin site (unnamed catch-all routes)",
    settings.STATIC_URL.lstrip("/"): "static files",
    settings.MEDIA_URL.lstrip("/"): "media files (served only with DEBUG)",
    "^" + settings.MEDIA_URL.lstrip("/"): "media files (served only with DEBUG)",
}


def url_names() -> dict[str, str]:
    """Every named URL of the project (``namespace:name``) → its route, walking includes recursively; an unnamed
    route outside the excluded prefixes appears as ``<unnamed …>`` so that it fails the completeness test."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner in EXCLUDED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                if any(route.startswith(p) for p in EXCLUDED_PREFIXES if p not in ("", "^")):
                    continue
                if not pattern.name:
                    found[f"<unnamed {route}>"] = route
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name not in EXCLUDED:
                    found.setdefault(name, route)

    walk(get_resolver().url_patterns, "", None)
    return found


# --- The matrix ---------------------------------------------------------------------------------------------------

Kwargs = Callable[..., dict]


@dataclass(frozen=True)
class Spec:
    """What a GET (or, for ``post``, a POST) of one URL must give to each role.

    ``kwargs(world, side, role)`` builds the URL's arguments; ``allow_b`` is None for a URL without a unit's object
    (one column). ``post`` marks a POST-only view: ``post(world, side)`` is the form posted by the denied roles."""

    allow: frozenset
    kwargs: Kwargs = lambda w, s, r: {}  # noqa: E731
    allow_b: frozenset | None = None
    post: Callable[[World, object], dict] | None = None
    query: Callable[[World, object], dict] | None = None
    anonymous: str = "login"  # "login", "allow" (a public page), "deny", or "unauthenticated" (the API: 401/403)
    api: bool = False  # posts JSON
    variant: str = ""
    # A page that also takes a POST (a form): who may write through it on A's object (``writers``) and on B's
    # (``writers_b``), and the form (``write(world, side)``); every other role that may read it posts and is refused.
    writers: frozenset | None = None
    writers_b: frozenset | None = None
    write: Callable[[World, object], dict] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return SIDES if self.allow_b is not None else ("*",)

    def allowed(self, column: str) -> frozenset:
        return self.allow_b if column == "B" else self.allow

    def may_write(self, column: str) -> frozenset:
        return self.writers_b if column == "B" and self.writers_b is not None else self.writers


def _kw(fn: Callable[[World, object], dict]) -> Kwargs:
    return lambda w, s, r: fn(w, s)


def _writes(writes, writes_b=None) -> dict:
    """``writes``: (the roles that may write through the page, the form they would post)."""
    if writes is None:
        return {}
    writers, form = writes
    writers = frozenset(writers)
    return {
        "writers": writers,
        "writers_b": frozenset(writes_b) if writes_b is not None else writers - UNIT,
        "write": form,
    }


def page(allow, *, post=None, query=None, public=False, writes=None) -> Spec:
    """A page without a unit's object."""
    return Spec(frozenset(allow), post=post, query=query, anonymous="allow" if public else "login", **_writes(writes))


def single(allow, kwargs, *, post=None, public=False) -> Spec:
    """A page of one object that hangs off no unit (the same object in every row)."""
    return Spec(frozenset(allow), _kw(kwargs), post=post, anonymous="allow" if public else "login")


def obj(allow, kwargs, *, b=None, post=None, query=None, variant="", writes=None, writes_b=None) -> Spec:
    """A page of a unit's object: ``allow`` on A's object; on B's, ``b`` or, by default, ``allow`` without the unit
    roles."""
    allow = frozenset(allow)
    allow_b = frozenset(b) if b is not None else allow - UNIT
    return Spec(
        allow, _kw(kwargs), allow_b=allow_b, post=post, query=query, variant=variant, **_writes(writes, writes_b)
    )


def action(allow, kwargs, *, b=None, data=None, single_object=False) -> Spec:
    """A POST-only view: ``allow`` may perform it (not posted here); everyone else posts ``data`` and is refused."""
    data = data or (lambda w, s: {})
    if single_object:
        return Spec(frozenset(allow), _kw(kwargs), post=data)
    return obj(allow, kwargs, b=b, post=data)


def variants(*specs: Spec) -> tuple[Spec, ...]:
    return specs


def api(*specs: Spec) -> Spec | tuple[Spec, ...]:
    """The same entries for the JSON API (``/api/v1/``, DRF with the session of ``force_login``): an anonymous call
    gets 401 or 403 rather than the login page, and POSTs carry JSON."""
    marked = tuple(replace(spec, api=True, anonymous="unauthenticated") for spec in specs)
    return marked if len(marked) > 1 else marked[0]


def _campaign(w, s):
    return {"pk": s.campaign.pk}


def _table(w, s):
    return {"pk": s.table.pk}


def _scorecard(w, s):
    return {"pk": s.scorecard.pk}


def _chairman_decision(w, s):
    return {"pk": s.chairman_decision.pk}


def _own_decision(w, s):
    return {"pk": s.own_decision.pk}


TODAY = timezone.localdate().isoformat()
PAYMENT = {"paid_on": TODAY, "reference": "UNC-01"}
FUND_ENTRY = {"kind": "allocation", "amount": "1000", "entered_on": TODAY}
CHAIRMAN_DECISION_READERS = READERS | {OFFICE}  # every decision for campaign-wide roles; the Chairman's for his office
PAYMENT_READERS = BOARD | {AUDITOR}  # the provincial fund: the board (manages_fund) and auditors

MATRIX: dict[str, Spec | tuple[Spec, ...]] = {
    "home": page(SIGNED_IN),
    # --- competition: campaigns ---
    "competition:campaign_list": page(SIGNED_IN),
    "competition:campaign_create": page(BOARD),
    # Launched campaigns: everyone in scope reads (the administrator: configuration; council and Chairman's office:
    # launched campaigns); A's is the campaign A takes part in, B's a campaign of B alone.
    "competition:campaign_detail": obj(SIGNED_IN, _campaign),
    # Drafts: only the board edits; nobody else even sees a draft (the administrator and the coordinator see it
    # but may not change it).
    "competition:campaign_edit": obj(BOARD, lambda w, s: {"pk": s.draft_campaign.pk}),
    "competition:campaign_indicators": obj(BOARD, lambda w, s: {"pk": s.draft_campaign.pk}),
    "competition:campaign_participants": obj(BOARD, lambda w, s: {"pk": s.draft_campaign.pk}),
    "competition:campaign_transition": action(
        BOARD, lambda w, s: {"pk": s.campaign.pk, "name": "start_summary"}, data=lambda w, s: {"reason": "Thử"}
    ),
    # The dashboard: the whole province for campaign-wide roles and auditors, a unit user their own unit's figures.
    "competition:campaign_dashboard": obj(READERS | UNIT, _campaign),
    # The list of reporting periods holds no unit's figures: everyone who sees the campaign; the board opens one.
    "competition:progress_periods": obj(
        SIGNED_IN,
        _campaign,
        writes=(
            BOARD,
            lambda w, s: {"label": "Quý IV", "start": "2025-10-01", "end": "2025-12-31", "due": "2026-01-10"},
        ),
    ),
    "competition:progress_board": obj(READERS, lambda w, s: {"pk": s.campaign.pk, "period_pk": s.period.pk}),
    "competition:progress_export": obj(READERS, lambda w, s: {"pk": s.campaign.pk, "period_pk": s.period.pk}),
    "competition:progress_entry": obj(
        READERS | UNIT,
        lambda w, s: {"pk": s.main_period.campaign_id, "period_pk": s.main_period.pk, "unit_pk": s.unit.pk},
        writes=(
            UNIT,
            lambda w, s: {f"n-{s.progress_report.indicator_id}": "2", f"d-{s.progress_report.indicator_id}": "2"},
        ),
    ),
    "competition:indicator_import": obj(BOARD | UNIT, _campaign),
    "competition:indicator_template": obj(BOARD | UNIT, _campaign),
    # An import's page: the board, and whoever uploaded it (A's was uploaded by A's clerk).
    "competition:indicator_import_job": obj(BOARD | {CLERK}, lambda w, s: {"pk": s.indicator_job.pk}),
    # Interim reviews: the list for everyone who sees the campaign (a unit only its published reviews); one review for
    # campaign-wide roles and auditors, and for a unit through its own row once published.
    "competition:review_list": obj(
        SIGNED_IN, _campaign, writes=(BOARD, lambda w, s: {"title": "Sơ kết mới", "review_date": "2026-06-30"})
    ),
    "competition:review_detail": obj(
        READERS | UNIT,
        lambda w, s: {"pk": s.review.pk},
        writes=(BOARD, lambda w, s: {"action": "remarks", "remarks": "Nhận xét khác"}),
    ),
    "competition:review_export": obj(READERS | UNIT, lambda w, s: {"pk": s.review.pk}),
    # "Kế hoạch" of a campaign: a unit user goes to the unit's plan; anyone else back to the campaign with a message.
    "competition:plan_mine": obj(SIGNED_IN, _campaign),
    "competition:plan_status": obj(READERS, _campaign),
    "competition:plan_status_export": obj(READERS, _campaign),
    # A submitted plan: nobody changes it any more (the clerk, once it is returned).
    "competition:plan_detail": obj(
        READERS | UNIT,
        lambda w, s: {"pk": s.plan.pk},
        writes=(NOBODY, lambda w, s: {"number": "9/KH", "date": "2025-07-21", "adopted_codes": ["1"]}),
    ),
    "competition:plan_transition": action({OFFICER}, lambda w, s: {"pk": s.plan.pk, "name": "accept"}),
    "competition:plan_document": obj(READERS | UNIT, lambda w, s: {"pk": s.plan.pk}),
    "competition:plan_version_document": obj(READERS | UNIT, lambda w, s: {"pk": s.plan.pk, "version": 1}),
    # --- competition: units, accounts, rule sets ---
    "competition:unit_list": page(SIGNED_IN),
    "competition:unit_import": page(BOARD | {ADMIN}),
    "competition:unit_import_template": page(BOARD | {ADMIN}),
    # Everyone reads the organisation tree (a unit user: their own unit); the administrator and the board change it.
    "competition:unit_detail": obj(
        SIGNED_IN,
        lambda w, s: {"pk": s.unit.pk},
        writes=(BOARD | {ADMIN}, lambda w, s: {"successor_code": w.province.code, "on": "2026-07-01"}),
    ),
    "competition:cluster_list": page(SIGNED_IN),
    "competition:user_list": page({ADMIN}),
    "competition:user_import": page({ADMIN}),
    "competition:user_reset_password": action({ADMIN}, lambda w, s: {"pk": s.spare_user.pk}, b={ADMIN}),
    "competition:user_deactivate": action({ADMIN}, lambda w, s: {"pk": s.spare_user.pk}, b={ADMIN}),
    "competition:ruleset_list": page(READERS | {ADMIN}),
    "competition:ruleset_detail": single(READERS | {ADMIN}, lambda w, s: {"pk": w.rule_set.pk}),
    "competition:ruleset_copy": single({ADMIN}, lambda w, s: {"pk": w.rule_set.pk}),
    "competition:ruleset_value_edit": single(
        {ADMIN}, lambda w, s: {"model": "ruleset", "pk": w.rule_set.pk, "field": "appraisal_working_days"}
    ),
    "competition:ruleset_value_confirm": action(
        {ADMIN},
        lambda w, s: {"model": "ruleset", "pk": w.rule_set.pk, "field": "appraisal_working_days"},
        single_object=True,
    ),
    "competition:unconfirmed_values": page(READERS | {ADMIN}),
    "competition:base_salary_list": page(
        READERS | {ADMIN},
        writes=({ADMIN}, lambda w, s: {"amount": "2600000", "valid_from": "2027-01-01", "legal_basis": "NĐ thử"}),
    ),
    # --- workflows ---
    # The built guide (docs/, scripts/docs.py): open to everyone, it holds no data.
    "guide": page(SIGNED_IN, public=True),
    "guide_page": single(SIGNED_IN, lambda w, s: {"path": "index.html"}, public=True),
    "workflows:notifications": page(SIGNED_IN),
    "workflows:inbox": page(SIGNED_IN),  # each provider scopes its own rows
    # A's column: the user's own notification; B's: B's clerk's.
    "workflows:notification_open": Spec(
        SIGNED_IN,
        lambda w, s, r: {"pk": (w.notifications[r] if s is w.a and r in w.notifications else w.other_notification).pk},
        allow_b=NOBODY,
        post=lambda w, s: {},
    ),
    # The audit trail names every dossier and carries its events' bodies: the board and auditors (not the
    # administrator: configuration and accounts, not dossier contents).
    "workflows:audit_log": page(BOARD | {AUDITOR}),
    "workflows:calendar": page(BOARD | {ADMIN}),
    "workflows:calendar_override_delete": action(
        BOARD | {ADMIN}, lambda w, s: {"pk": w.override.pk}, single_object=True
    ),
    "workflows:standin_list": page(BOARD),
    # The stand-in of another officer, named by that officer: the board's head may cancel it, this officer not.
    "workflows:standin_cancel": action(
        {BOARD_HEAD}, lambda w, s: {"pk": w.stand_in.pk}, data=lambda w, s: {"reason": "Thử"}, single_object=True
    ),
    # --- nominations: the board's list, dossiers ---
    "nominations:dossier_list": page(SIGNED_IN),
    # Export is offered to everyone (their own scope); assigning only to the board.
    "nominations:dossier_bulk": page(
        BOARD,
        post=lambda w, s: {"action": "assign", "officer": w.users[OFFICER].pk, "confirm": "1", "expected": "1"},
    ),
    "nominations:bulk_job": single(BOARD, lambda w, s: {"pk": w.bulk_job.pk}),
    # Assigning to another officer: the board's head only (an officer takes dossiers for themselves).
    "nominations:dossier_assign": action(
        {BOARD_HEAD},
        lambda w, s: {"pk": s.received_dossier.pk},
        data=lambda w, s: {"officer": w.extra["officer2"].pk, "reason": "Thử"},
    ),
    "nominations:dossier_create": obj({CLERK}, lambda w, s: {"campaign_pk": s.campaign.pk}),
    "nominations:dossier_detail": variants(
        # The Chairman's Bằng khen, decided: the unit, campaign-wide roles, the Chairman's office, auditors, and the
        # council member, who sat on A's session that reviewed it (not on B's).
        obj(
            READERS | UNIT | {OFFICE, MEMBER},
            lambda w, s: {"pk": s.decided_dossier.pk},
            b=READERS | {OFFICE},
            variant="decided",
        ),
        # Still a draft: not yet the Chairman's office's.
        obj(READERS | UNIT, lambda w, s: {"pk": s.draft_dossier.pk}, variant="draft"),
        # A unit's own Giấy khen stays with the unit (and auditors).
        obj(UNIT | {AUDITOR}, lambda w, s: {"pk": s.own_dossier.pk}, variant="own"),
    ),
    "nominations:nominee_add": action(
        {CLERK},
        lambda w, s: {"pk": s.draft_dossier.pk},
        data=lambda w, s: {"kind": "individual", "name": "Người Thử", "gender": "female", "birth_date": "1985-05-05"},
    ),
    "nominations:nominee_import": obj({CLERK}, lambda w, s: {"pk": s.draft_dossier.pk}),
    "nominations:nominee_import_template": obj(READERS | UNIT, lambda w, s: {"pk": s.draft_dossier.pk}),
    "nominations:nominee_remove": action({CLERK}, lambda w, s: {"pk": s.draft_dossier.pk, "nominee_pk": s.nominee.pk}),
    "nominations:nominee_appraise": action(
        {OFFICER},
        lambda w, s: {"pk": s.received_dossier.pk, "nominee_pk": s.received_dossier.nominees.first().pk},
        data=lambda w, s: {"result": "accepted", "note": ""},
    ),
    "nominations:dossier_transition": action(
        {OFFICER},
        lambda w, s: {"pk": s.received_dossier.pk, "name": "send_back"},
        data=lambda w, s: {"reason": "Bổ sung"},
    ),
    "nominations:dossier_return": action(
        {OFFICER}, lambda w, s: {"pk": s.received_dossier.pk}, data=lambda w, s: {"reason": "Bổ sung"}
    ),
    "nominations:document_upload": action(
        {CLERK},
        lambda w, s: {"pk": s.draft_dossier.pk},
        data=lambda w, s: {"code": s.document.code, "file": docx("to-trinh.docx")},
    ),
    "nominations:document_remove": action(
        {CLERK}, lambda w, s: {"pk": s.draft_dossier.pk, "document_pk": s.document.pk}
    ),
    "nominations:document_download": variants(
        obj(
            READERS | UNIT | {OFFICE, MEMBER},
            lambda w, s: {"pk": s.decided_dossier.pk, "document_pk": s.decided_document.pk},
            b=READERS | {OFFICE},
            variant="decided",
        ),
        obj(
            READERS | UNIT,
            lambda w, s: {"pk": s.draft_dossier.pk, "document_pk": s.document.pk},
            variant="draft",
        ),
    ),
    # --- nominations: decisions ---
    "nominations:decision_list": page(SIGNED_IN),
    "nominations:decision_create": page(
        BOARD | {OFFICE}, post=lambda w, s: {"dossiers": [w.a.proposed_dossier.pk, w.b.proposed_dossier.pk]}
    ),
    "nominations:decision_detail": variants(
        obj(CHAIRMAN_DECISION_READERS, _chairman_decision, variant="chairman"),
        # The draft's number, date and signer: the Chairman's office, which signs.
        obj(
            CHAIRMAN_DECISION_READERS,
            lambda w, s: {"pk": s.draft_decision.pk},
            variant="draft",
            writes=(
                {OFFICE},
                lambda w, s: {
                    "number": "777",
                    "issued_on": TODAY,
                    "signer_name": "Người Thử",
                    "signer_authority": "deputy",
                },
            ),
        ),
        # A unit's own decision: the unit, campaign-wide roles (its decisions count in the statistics), auditors.
        obj(READERS | UNIT, _own_decision, variant="own"),
    ),
    "nominations:decision_sign": action({OFFICE}, lambda w, s: {"pk": s.draft_decision.pk}),
    "nominations:signed_pdf_upload": action(
        BOARD | {OFFICE},
        _chairman_decision,
        data=lambda w, s: {"file": SimpleUploadedFile("moi.pdf", PDF + b"%moi"), "reason": "Thay bản quét"},
    ),
    "nominations:signed_pdf_download": obj(
        CHAIRMAN_DECISION_READERS, lambda w, s: {"pk": s.chairman_decision.pk, "scan_pk": s.scan.pk}
    ),
    "nominations:decision_download": variants(
        obj(CHAIRMAN_DECISION_READERS, lambda w, s: {"pk": s.chairman_decision.pk, "fmt": "docx"}, variant="chairman"),
        obj(READERS | UNIT, lambda w, s: {"pk": s.own_decision.pk, "fmt": "xlsx"}, variant="own"),
    ),
    "nominations:decision_submission_letter": obj(CHAIRMAN_DECISION_READERS, _chairman_decision),
    "nominations:decision_submission_letter_pdf": obj(CHAIRMAN_DECISION_READERS, _chairman_decision),
    # --- nominations: history and holds (the board only: discipline matters and personal data) ---
    "nominations:history_list": page(BOARD),
    "nominations:history_import": page(BOARD),
    "nominations:history_template": page(BOARD),
    "nominations:hold_list": page(BOARD),
    "nominations:hold_add": page(
        BOARD,
        post=lambda w, s: {
            "kind": "individual",
            "name": "Người Thử",
            "birth_date": "1980-02-02",
            "reason": "discipline",
            "since": TODAY,
        },
    ),
    "nominations:hold_lift": action(
        BOARD, lambda w, s: {"pk": w.hold.pk}, data=lambda w, s: {"reason": "Đã xong"}, single_object=True
    ),
    # --- nominations: quotas (the board sets them; the coordinating department and auditors read them) ---
    "nominations:quota_list": obj(BOARD | {COORD, AUDITOR}, lambda w, s: {"campaign_pk": s.campaign.pk}),
    "nominations:quota_edit": obj(BOARD, lambda w, s: {"campaign_pk": s.campaign.pk, "code": "bang_khen_tinh"}),
    # --- nominations: council sessions (secretariat, members, the board, auditors) ---
    "nominations:council_list": page(
        SIGNED_IN,
        writes=({OFFICER, CLERK}, lambda w, s: {"title": "Phiên thử", "held_on": TODAY, "dossiers": []}),
    ),
    "nominations:council_detail": variants(
        # The province's council: its secretariat (board officers), the board, auditors, its members (the council
        # member sits on A's session only), and, once closed, the Chairman's office, which submits its results for
        # signature. Only the secretariat manages the session.
        obj(
            BOARD | {MEMBER, AUDITOR, OFFICE},
            lambda w, s: {"pk": s.province_session.pk},
            b=BOARD | {AUDITOR, OFFICE},
            variant="province",
            writes=({OFFICER}, lambda w, s: {"action": "open"}),
        ),
        # A unit's own council: its secretariat (the unit's clerks), the board and auditors.
        obj(
            BOARD | {CLERK, AUDITOR},
            lambda w, s: {"pk": s.own_session.pk},
            variant="own",
            writes=({CLERK}, lambda w, s: {"action": "open"}),
        ),
    ),
    "nominations:council_ballot": obj({MEMBER}, lambda w, s: {"pk": s.province_session.pk}, b=NOBODY),
    "nominations:council_minutes": obj(
        BOARD | {MEMBER, AUDITOR, OFFICE},
        lambda w, s: {"pk": s.province_session.pk},
        b=BOARD | {AUDITOR, OFFICE},
    ),
    "nominations:council_minutes_pdf": obj(
        BOARD | {MEMBER, AUDITOR, OFFICE},
        lambda w, s: {"pk": s.province_session.pk},
        b=BOARD | {AUDITOR, OFFICE},
    ),
    # --- nominations: payment, certificates, publication, revocation ---
    # The Chairman's awards are paid from the provincial fund (the board); a unit's own from the unit's fund.
    "nominations:decision_payments": variants(
        obj(PAYMENT_READERS, _chairman_decision, variant="chairman", writes=(BOARD, lambda w, s: PAYMENT)),
        obj(UNIT | {AUDITOR}, _own_decision, variant="own", writes=(UNIT, lambda w, s: PAYMENT)),
    ),
    "nominations:decision_payments_xlsx": variants(
        obj(PAYMENT_READERS, _chairman_decision, variant="chairman"),
        obj(UNIT | {AUDITOR}, _own_decision, variant="own"),
    ),
    "nominations:decision_certificates": variants(
        obj(PAYMENT_READERS, _chairman_decision, variant="chairman"),
        obj(UNIT | {AUDITOR}, _own_decision, variant="own"),
    ),
    "nominations:decision_certificates_xlsx": variants(
        obj(PAYMENT_READERS, _chairman_decision, variant="chairman"),
        obj(UNIT | {AUDITOR}, _own_decision, variant="own"),
    ),
    "nominations:award_recover": action(
        BOARD,
        lambda w, s: {"pk": s.award.pk},
        data=lambda w, s: {"recovered_on": TODAY, "reference": "PT-01"},
    ),
    # The fund's book: without ``unit``, the unit user's own unit and the province's for the others; with it, the
    # unit's own people and auditors.
    "nominations:fund": variants(
        page(BOARD | UNIT | {AUDITOR}, writes=(BOARD | UNIT, lambda w, s: FUND_ENTRY)),
        obj(
            UNIT | {AUDITOR},
            lambda w, s: {},
            query=lambda w, s: {"unit": s.unit.pk},
            variant="unit",
            writes=(UNIT, lambda w, s: FUND_ENTRY),
        ),
    ),
    "nominations:decision_publish": action(BOARD | {OFFICE}, _chairman_decision),
    "nominations:award_revoke": obj(BOARD | {OFFICE}, lambda w, s: {"pk": s.award.pk}),
    "nominations:revocation_list": page(SIGNED_IN),
    # The revocation is decided by whoever signs the decisions of its authority: the Chairman's office.
    "nominations:revocation_detail": obj(
        BOARD | {OFFICE, AUDITOR},
        lambda w, s: {"pk": s.revocation.pk},
        writes=({OFFICE}, lambda w, s: {"action": "decide"}),
    ),
    "nominations:flag_resolve": action(
        BOARD, lambda w, s: {"pk": w.flag.pk}, data=lambda w, s: {"resolution": "Không ảnh hưởng"}, single_object=True
    ),
    # Public pages: anyone, signed in or not; no personal data.
    "nominations:public_decisions": page(SIGNED_IN, public=True),
    "nominations:public_decision": single(
        SIGNED_IN, lambda w, s: {"code": w.a.chairman_decision.verification_code}, public=True
    ),
    "nominations:verify": page(SIGNED_IN, public=True),
    "nominations:verify_code": single(SIGNED_IN, lambda w, s: {"code": w.a.award.certificate_code}, public=True),
    # --- nominations: summary and statistics ---
    "nominations:campaign_summary": obj(READERS, lambda w, s: {"campaign_pk": s.campaign.pk}),
    "nominations:campaign_summary_docx": obj(READERS, lambda w, s: {"campaign_pk": s.campaign.pk}),
    "nominations:campaign_summary_xlsx": obj(READERS, lambda w, s: {"campaign_pk": s.campaign.pk}),
    "nominations:statistics": page(BOARD | {AUDITOR}),
    "nominations:statistics_download": single(BOARD | {AUDITOR}, lambda w, s: {"year": timezone.localdate().year}),
    "nominations:statistics_default_template": page(BOARD | {AUDITOR}),
    "nominations:statistics_template_upload": page(
        BOARD,
        post=lambda w, s: {
            "file": SimpleUploadedFile("mau.xlsx", stats_services.default_template_xlsx()),
            "name": "Mẫu mới",
        },
    ),
    "nominations:statistics_template_default": page(BOARD, post=lambda w, s: {}),
    "nominations:statistics_template_download": single(BOARD, lambda w, s: {"pk": w.statistics_template.pk}),
    "nominations:statistics_template_activate": action(
        BOARD, lambda w, s: {"pk": w.statistics_template.pk}, single_object=True
    ),
    # --- scoring: tables (campaign-wide roles and auditors read; the board edits) ---
    "scoring:table_list": obj(READERS, _campaign),
    "scoring:table_create": action(
        BOARD, _campaign, data=lambda w, s: {"subject": "individual", "name": "Bảng cá nhân", "template": ""}
    ),
    "scoring:table_detail": obj(READERS, _table),
    "scoring:table_settings": obj(BOARD, _table),
    "scoring:table_criterion_add": obj(BOARD, _table),
    "scoring:table_criterion_edit": obj(BOARD, lambda w, s: {"pk": s.table.pk, "item": s.criterion.pk}),
    "scoring:table_class_add": obj(BOARD, _table),
    "scoring:table_class_edit": obj(BOARD, lambda w, s: {"pk": s.table.pk, "item": s.threshold.pk}),
    "scoring:table_tie_break_add": obj(BOARD, _table),
    "scoring:table_tie_break_move": action(
        BOARD, lambda w, s: {"pk": s.table.pk, "item": s.tie_break.pk}, data=lambda w, s: {"direction": "up"}
    ),
    "scoring:table_delete": obj(BOARD, lambda w, s: {"pk": s.table.pk, "what": "class", "item": s.threshold.pk}),
    "scoring:table_export": obj(READERS, _table),
    "scoring:table_import": obj(BOARD, _table),
    # --- scoring: scorecards ---
    # The list of a campaign's scorecards: everyone who sees the campaign, each row through the scoping function.
    "scoring:scorecard_list": obj(SIGNED_IN, _campaign),
    "scoring:scorecard_start": action(
        BOARD | UNIT, _campaign, data=lambda w, s: {"table": s.table.pk, "unit": s.unit.pk}
    ),
    # Self-scoring: the unit's own people (the board scores in its assessments).
    "scoring:scorecard_detail": obj(
        READERS | UNIT,
        _scorecard,
        writes=(UNIT, lambda w, s: {f"v-{s.scorecard.table.criteria.get(code='1').pk}": "10"}),
    ),
    "scoring:scorecard_compare": obj(READERS, _scorecard),
    "scoring:scorecard_assign": action(BOARD, _scorecard, data=lambda w, s: {"assessor": [w.users[OFFICER].pk]}),
    "scoring:scorecard_settle": action(
        BOARD,
        lambda w, s: {"pk": s.scorecard.pk, "criterion_pk": s.scorecard.table.criteria.get(code="1").pk},
        data=lambda w, s: {"points": "50", "reason": "Thử"},
    ),
    "scoring:scorecard_transition": action(
        BOARD, lambda w, s: {"pk": s.scorecard.pk, "name": "publish"}, data=lambda w, s: {"reason": "Thử"}
    ),
    "scoring:scorecard_docx": obj(READERS | UNIT, _scorecard),
    "scoring:scorecard_evidence": obj(
        READERS | UNIT,
        lambda w, s: {"pk": s.scorecard.pk, "criterion_pk": s.scorecard.table.criteria.get(code="1").pk},
    ),
    "scoring:scorecard_severity": obj(READERS, _table),
    "scoring:assessment_queue": page(SIGNED_IN),
    # An assessment: read by campaign-wide roles and auditors, scored only by its assessor (the board officer).
    "scoring:assessment_detail": obj(
        READERS,
        lambda w, s: {"pk": s.assessment.pk},
        writes=({OFFICER}, lambda w, s: {f"v-{s.scorecard.table.criteria.get(code='1').pk}": "10"}),
    ),
    # --- scoring: ranking (campaign-wide roles and auditors; a unit its own cluster's, once published) ---
    "scoring:ranking_campaign": obj(READERS | UNIT, _campaign),
    "scoring:ranking_table": obj(READERS | UNIT, _table),
    "scoring:ranking_tie": action(
        BOARD,
        _table,
        data=lambda w, s: {
            "scorecard": [w.a.scorecard.pk, w.b.scorecard.pk],
            f"position-{w.a.scorecard.pk}": "1",
            f"position-{w.b.scorecard.pk}": "2",
            "reason": "Thử",
        },
    ),
    "scoring:ranking_export_cluster": obj(READERS, _table),
    "scoring:ranking_export_matrix": obj(READERS, _table),
    "scoring:ranking_export_scorecard": obj(READERS, _scorecard),
    # --- workflows: production pages ---
    "workflows:healthz": page(SIGNED_IN, public=True),  # a load balancer's probe: no data
    "workflows:audit_export": single(BOARD | {AUDITOR}, lambda w, s: {"fmt": "xlsx"}),
    # --- The JSON API (/api/v1/): the same scoping and view permissions as the pages ---
    "api:schema": page(SIGNED_IN, public=True),  # the OpenAPI description: no data
    # Any other address under /api/v1/: a JSON 404 for everyone.
    "api:not-found": Spec(NOBODY, anonymous="deny"),
    "api:campaign-list": api(page(SIGNED_IN)),
    "api:campaign-detail": api(obj(SIGNED_IN, _campaign)),
    "api:unit-list": api(page(SIGNED_IN)),
    "api:unit-detail": api(obj(SIGNED_IN, lambda w, s: {"pk": s.unit.pk})),
    "api:indicator-list": api(page(SIGNED_IN)),
    "api:indicator-detail": api(obj(SIGNED_IN, lambda w, s: {"pk": s.campaign.indicators.order_by("pk")[0].pk})),
    "api:progress-report-list": api(page(SIGNED_IN)),
    "api:progress-report-detail": api(obj(READERS | UNIT, lambda w, s: {"pk": s.progress_report.pk})),
    "api:scorecard-list": api(page(SIGNED_IN)),
    "api:scorecard-detail": api(obj(READERS | UNIT, _scorecard)),
    # Creating a dossier (POST on the list): a clerk, for their own unit.
    "api:dossier-list": api(
        page(
            SIGNED_IN,
            writes=(
                {CLERK},
                lambda w, s: {"campaign": w.a.campaign.pk, "award_type_code": "bang_khen_tinh", "title": "Hồ sơ thử"},
            ),
        )
    ),
    "api:dossier-detail": api(
        obj(
            READERS | UNIT | {OFFICE, MEMBER},
            lambda w, s: {"pk": s.decided_dossier.pk},
            b=READERS | {OFFICE},
            variant="decided",
        ),
        obj(READERS | UNIT, lambda w, s: {"pk": s.draft_dossier.pk}, variant="draft"),
        obj(UNIT | {AUDITOR}, lambda w, s: {"pk": s.own_dossier.pk}, variant="own"),
    ),
    "api:dossier-nominees": api(
        action(
            {CLERK},
            lambda w, s: {"pk": s.draft_dossier.pk},
            data=lambda w, s: {"kind": "individual", "name": "Người Thử", "birth_date": "1985-05-05"},
        )
    ),
    "api:dossier-transitions": api(
        action(
            {OFFICER},
            lambda w, s: {"pk": s.received_dossier.pk, "name": "send_back"},
            data=lambda w, s: {"reason": "Bổ sung"},
        )
    ),
    "api:decision-list": api(page(SIGNED_IN)),
    "api:decision-detail": api(
        obj(CHAIRMAN_DECISION_READERS, _chairman_decision, variant="chairman"),
        obj(CHAIRMAN_DECISION_READERS, lambda w, s: {"pk": s.draft_decision.pk}, variant="draft"),
        obj(READERS | UNIT, _own_decision, variant="own"),
    ),
    "api:decision-sign": api(action({OFFICE}, lambda w, s: {"pk": s.draft_decision.pk})),
}


def specs_of(name: str) -> tuple[Spec, ...]:
    entry = MATRIX[name]
    return entry if isinstance(entry, tuple) else (entry,)


# --- Running one cell ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    location: str = ""
    errors: list[str] = field(default_factory=list)
    successes: list[str] = field(default_factory=list)
    audit_events: int = 0
    body: str = ""

    def describe(self) -> str:
        text = f"{self.status}"
        if self.location:
            text += f" → {self.location}"
        if self.successes:
            text += f" (success message: {self.successes[0]!r})"
        if self.audit_events:
            text += f" ({self.audit_events} audit event(s) written)"
        return text


def _office_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode(errors="replace") for name in archive.namelist() if name.endswith(".xml")
        )


def _request(client: Client, method: str, url: str, data=None, *, as_json=False) -> Outcome:
    """One request in a savepoint rolled back afterwards: no cell sees what another did."""
    with transaction.atomic():
        before = AuditEvent.objects.count()
        if method == "GET":
            response = client.get(url)
        elif as_json:
            response = client.post(url, json.dumps(data or {}), content_type="application/json")
        else:
            response = client.post(url, data or {})
        written = AuditEvent.objects.count() - before
        transaction.set_rollback(True)
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    body = ""
    if not getattr(response, "streaming", False):
        if response.get("Content-Type", "").startswith(("text/", "application/json")):
            body = response.content.decode(errors="replace")
        elif response.content[:2] == b"PK":  # an XLSX or DOCX made for the user: its XML parts
            body = _office_text(response.content)
    response.close()  # a download's file handle
    return Outcome(
        status=response.status_code,
        location=response.get("Location", ""),
        errors=[str(m) for m in queued if m.level >= message_levels.WARNING],
        successes=[str(m) for m in queued if m.level == message_levels.SUCCESS],
        audit_events=written,
        body=body,
    )


def _is_login_redirect(outcome: Outcome) -> bool:
    login_path = resolve_url(settings.LOGIN_URL)
    return outcome.status in (301, 302) and outcome.location.split("?", 1)[0].endswith(login_path)


def check_get(expected: str, outcome: Outcome) -> bool:
    if expected == "login":
        return _is_login_redirect(outcome)
    if expected == "unauthenticated":
        return outcome.status in (401, 403)
    if expected == "deny":
        return outcome.status in (403, 404)
    if expected == "405":
        return outcome.status == 405
    return outcome.status == 200 or (outcome.status in (301, 302) and not _is_login_redirect(outcome))


def check_refused_post(role: str, spec: Spec, outcome: Outcome, *, form: bool = False) -> bool:
    """Refused: 403 or 404, or a redirect (for a form page: also the page again) with an error message; and no
    success message, no audit event."""
    if outcome.audit_events or outcome.successes:
        return False
    if role == ANON:
        return check_get(spec.anonymous, outcome)
    if outcome.status in (403, 404):
        return True
    redirected = outcome.status in (301, 302) and not _is_login_redirect(outcome)
    return (redirected or (form and outcome.status == 200)) and bool(outcome.errors)


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch):
    """LibreOffice takes seconds per document and the summary's report draws matplotlib charts: those views get a
    fixed file instead, after their own checks of access (which are the point here)."""
    import nominations.views
    import nominations.views_council
    import nominations.views_submission
    import nominations.views_summary

    for module in (nominations.views, nominations.views_council, nominations.views_submission):
        monkeypatch.setattr(module, "pdf_available", lambda: True)
        monkeypatch.setattr(module, "docx_to_pdf", lambda content, **kw: PDF)
    monkeypatch.setattr(nominations.views_summary, "summary_docx", lambda summary, **kw: b"tong-ket")


@pytest.fixture(scope="module")
def clients(world) -> dict[str, Client]:
    made = {ANON: Client()}
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        made[role] = client
    return made


# What a role's pages must never contain: the unit roles of A nothing of unit B; the council member (who sits on A's
# session only) nothing of B and nothing that never reaches a council; the Chairman's office nothing that is not
# submitted to the Chairman; the administrator (configuration and accounts, not dossier contents) nothing of either
# unit.
FORBIDDEN_MARKERS = {
    CLERK: (MARKERS["B"],),
    HEAD: (MARKERS["B"],),
    MEMBER: (MARKERS["B"], INTERNAL),
    OFFICE: (INTERNAL,),
    ADMIN: (MARKERS["A"], MARKERS["B"]),
}


def _url(name: str, spec: Spec, world: World, side, role: str) -> str:
    url = reverse(name, kwargs=spec.kwargs(world, side, role))
    if spec.query:
        url += "?" + urlencode(spec.query(world, side))
    return url


def run_cell(name: str, spec: Spec, column: str, role: str, world: World, client: Client) -> list[str]:
    """The requests of one cell (URL, role, unit); returns what does not match, one line each."""
    side = world.b if column == "B" else world.a
    where = f"{name}[{spec.variant}]" if spec.variant else name
    where += f" — role {role}, unit {column}"
    url = _url(name, spec, world, side, role)
    if role == ANON:
        allowed, expected = spec.anonymous == "allow", spec.anonymous
    else:
        allowed = role in spec.allowed(column)
        expected = "allow" if allowed else "deny"
    failures = []
    outcomes = []
    if spec.post is None:
        outcome = _request(client, "GET", url)
        outcomes.append(outcome)
        if not check_get(expected, outcome):
            failures.append(f"{where}: GET expected {expected}, got {outcome.describe()}")
    else:
        outcome = _request(client, "GET", url)
        outcomes.append(outcome)
        expected = spec.anonymous if role == ANON else "405"
        if not check_get(expected, outcome):
            failures.append(f"{where}: GET expected {expected}, got {outcome.describe()}")
        if not allowed:
            outcome = _request(client, "POST", url, spec.post(world, side), as_json=spec.api)
            outcomes.append(outcome)
            if not check_refused_post(role, spec, outcome):
                failures.append(f"{where}: POST must be refused and change nothing, got {outcome.describe()}")
    if spec.write is not None and allowed and role != ANON and role not in spec.may_write(column):
        outcome = _request(client, "POST", url, spec.write(world, side), as_json=spec.api)
        outcomes.append(outcome)
        if not check_refused_post(role, spec, outcome, form=True):
            failures.append(
                f"{where}: may read, but a POST must be refused and change nothing, got {outcome.describe()}"
            )
    for outcome in outcomes:
        if role in UNIT and column == "B" and outcome.status == 200:
            failures.append(f"{where}: a unit role got 200 on the other unit's object")
        if spec.anonymous == "allow":
            continue  # a public page: what it shows, it shows to everyone (the awardees of a published decision)
        shown = [marker for marker in FORBIDDEN_MARKERS.get(role, ()) if marker in outcome.body]
        if shown:
            failures.append(f"{where}: the page shows records it must not ({', '.join(shown)} in the page)")
    return failures


def run_cells(name: str, world: World, clients: dict[str, Client]) -> tuple[list[str], int]:
    """Every cell of one URL name; returns the mismatches (one line each) and the number of cells."""
    failures: list[str] = []
    cells = 0
    for spec in specs_of(name):
        for column in spec.columns:
            for role in ROLES:
                cells += 1
                try:
                    failures += run_cell(name, spec, column, role, world, clients[role])
                except Exception as exc:  # noqa: BLE001 - a crash is one more mismatch to report, not a stop
                    variant = f"[{spec.variant}]" if spec.variant else ""
                    failures.append(f"{name}{variant} — role {role}, unit {column}: {type(exc).__name__}: {exc}")
    return failures, cells


# --- The tests ----------------------------------------------------------------------------------------------------


def test_every_url_name_is_in_the_matrix():
    names = url_names()
    missing = sorted(set(names) - set(MATRIX))
    assert not missing, (
        "These URL names have no entry in the permission matrix: add one to MATRIX in "
        "tests/security/test_permission_matrix.py saying who may open each (or list it in EXCLUDED with a reason):\n"
        + "\n".join(f"  {name}  ({names[name]})" for name in missing)
    )
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, "These matrix entries name no URL of the URLconf any more: remove them:\n  " + "\n  ".join(stale)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, clients):
    failures, _cells = run_cells(name, world, clients)
    assert not failures, f"{len(failures)} cell(s) of {name} do not match the matrix:\n" + "\n".join(failures)
