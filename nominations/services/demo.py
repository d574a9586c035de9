"""The demo's dossiers: one left at each step of the Dossier flow, so that every acting role has work waiting."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from accounts.enums import Role
from accounts.models import User
from competition.data import demo
from competition.models import Campaign, Unit

from ..enums import AppraisalResult, Attendance, Vote
from ..models import Dossier, FundEntry
from . import composition, council, quotas
from . import dossiers as services
from .decisions import draft_decision, set_issue_details, sign_decision, signing_problems, upload_signed_pdf
from .payments import add_fund_entry, record_payments
from .publication import publish_decision

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_file(title: str, lines: list[str], *, name: str) -> SimpleUploadedFile:
    """A small Word document, as the demo's clerks upload them."""
    document = Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX_TYPE)


def fill_composition(dossier: Dossier, *, actor, only_missing: bool = True, codes=None, note: str = "") -> int:
    """Upload a Word file for every item of the dossier's composition that has none (or, with ``only_missing``
    False, for every item, or the items of ``codes``), through the service the clerk's page uses. Returns how many
    files were uploaded."""
    uploaded = 0
    for item in composition.composition(dossier):
        if (only_missing and item.present) or (codes is not None and item.required.code not in codes):
            continue
        suffix = f"-{item.nominee.pk}" if item.nominee else ""
        upload = document_file(
            item.label,
            [dossier.title, str(dossier.unit), "Phong trào “Bình dân học AI”.", *([note] if note else [])],
            name=f"{item.required.code}{suffix}.docx",
        )
        composition.attach_document(dossier, code=item.required.code, upload=upload, actor=actor, nominee=item.nominee)
        uploaded += 1
    return uploaded


def _user(unit: Unit, role: str) -> User:
    """The demo's clerk or head of ``unit``, or a sibling account created for it."""
    user = User.objects.filter(membership__unit=unit, role=role, is_active=True).order_by("pk").first()
    if user is None:
        prefix = "vanthu" if role == Role.UNIT_CLERK else "truong"
        user = User(username=f"{prefix}.{unit.code.lower()}", full_name=f"{unit.name}", role=role)
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
        from competition.models import Membership

        Membership.objects.create(user=user, unit=unit)
    return user


def is_leader(position: str) -> bool:
    """The demo's rule of thumb for "not doing direct work": a leading or managing position."""
    return any(word in position for word in demo.LEADER_POSITION_WORDS)


def seed_dossiers(campaign: Campaign, as_of: date) -> int:
    """Create the demo dossiers of ``campaign`` that do not exist yet (by title); returns how many were made.
    The campaign's Bằng khen quota (domain rule 11) is set first, as the board would."""
    officer = User.objects.get(username="canbo.snv")
    if not campaign.nomination_quotas.exists():
        quotas.set_quota(campaign, demo.DEMO_QUOTA["award_type_code"], actor=officer, **demo.DEMO_QUOTA["values"])
    made = 0
    for unit_code, award, title, state, nominees in demo.DEMO_DOSSIERS:
        if Dossier.objects.filter(campaign=campaign, title=title).exists():
            continue
        unit = Unit.objects.get(code=unit_code)
        clerk, head = _user(unit, Role.UNIT_CLERK), _user(unit, Role.UNIT_HEAD)
        dossier = services.create_dossier(campaign, unit=unit, award_type_code=award, title=title, actor=clerk)
        for kind, name, gender, born, position in nominees:
            services.add_nominee(
                dossier,
                actor=clerk,
                kind=kind,
                name=name,
                gender=gender,
                birth_date=born,
                position=position,
                work_unit=unit.name,
                direct_worker=kind == "individual" and not is_leader(position),
                achievement="Tích cực triển khai chương trình “Bình dân học AI”.",
            )
        made += 1
        # The draft keeps one file to upload (the council's minutes), so its clerk sees the gate at work.
        fill_composition(dossier, actor=clerk)
        if state == "draft":
            _drop(dossier, "bien_ban_hoi_dong", clerk)
            continue
        services.submit_dossier(dossier, actor=head, on=as_of)
        if state == "submitted":
            continue
        # Who handles it: the board for the Chairman's Bằng khen, the deciding unit's own clerk for a Giấy khen.
        handler = officer if dossier.deciding_unit.parent_id is None else _user(dossier.deciding_unit, Role.UNIT_CLERK)
        if state == "returned":
            services.return_dossier(dossier, actor=handler, reason=demo.DEMO_RETURN_REASON, items=_demo_items(dossier))
            continue
        services.receive_dossier(dossier, actor=handler)
        if state in ("appraised", "council", "decided"):
            for nominee in dossier.nominees.all():
                services.appraise_nominee(nominee, actor=handler, result=AppraisalResult.ACCEPTED)
            services.complete_appraisal(dossier, actor=handler)
            _council(dossier, handler, as_of, close=state != "council")
            if state == "decided":
                _decide(dossier, officer, as_of)
            continue
        if state == "received":
            # Returned once during appraisal for a better achievement report, then resubmitted and received again:
            # its page shows both versions and what changed.
            first = dossier.nominees.order_by("order", "pk").first()
            services.return_dossier(
                dossier,
                actor=handler,
                items=[
                    {
                        "target": composition.target_of("bao_cao_thanh_tich", first.pk),
                        "reason": demo.DEMO_APPRAISAL_RETURN_REASON,
                    }
                ],
            )
            fill_composition(
                dossier,
                actor=clerk,
                only_missing=False,
                codes={"bao_cao_thanh_tich"},
                note="Bổ sung: 12 lớp tập huấn, 600 người dân tham gia.",
            )
            services.submit_dossier(dossier, actor=head, on=as_of)
            services.receive_dossier(dossier, actor=handler)
    return made


def _drop(dossier: Dossier, code: str, clerk: User) -> None:
    for item in composition.composition(dossier):
        if item.required.code == code and item.document is not None:
            composition.remove_document(item.document, actor=clerk)


def _demo_items(dossier: Dossier) -> list[dict]:
    """The board's reasons, item by item, for the demo's returned dossier."""
    items = []
    for item in composition.composition(dossier):
        reason = demo.DEMO_RETURN_ITEMS.get(item.required.code)
        if reason:
            items.append({"target": item.target, "reason": reason})
    return items


def run_council(
    dossiers,
    *,
    secretary,
    members,
    title: str,
    held_on: date,
    place: str = "",
    votes: str = Vote.YES,
    waiting=(),
    close: bool = True,
    conclusion: str = "Hội đồng thống nhất đề nghị khen thưởng.",
):
    """One session of the council on ``dossiers`` through the services the pages use: ``members`` are
    ``(user, title, is_chair, attendance)``; every member who may vote, except the users in ``waiting``, votes
    ``votes`` on every nominee; the session closes when ``close``. Returns the session."""
    session = council.create_session(dossiers, actor=secretary, title=title, held_on=held_on, place=place)
    council.set_members(session, members, actor=secretary)
    council.open_voting(session, actor=secretary)
    ballot = [n.pk for n in council.ballot_nominees(session)]
    for user, _title, _chair, attendance in members:
        if attendance != Attendance.ABSENT and user not in waiting:
            council.cast_ballot(session, actor=user, choices=dict.fromkeys(ballot, votes))
    if close:
        return council.close_session(session, actor=secretary, conclusion=conclusion)
    return session


SIGNED_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _decide(dossier: Dossier, officer: User, as_of: date) -> None:
    """The Chairman's decision on ``dossier``: drafted by the board, numbered and signed by the Chairman's office,
    the signed PDF uploaded back and published; the year's fund allocated and the money of all but one line paid
    (payments need a date that has come: none when the demo is set in the future)."""
    office = User.objects.get(username="vp.ubnd")
    details = demo.DEMO_DECISION
    decision = draft_decision([dossier], actor=officer)
    set_issue_details(
        decision,
        actor=office,
        number=details["number"],
        issued_on=as_of,
        signer_name=details["signer_name"],
        signer_authority=details["signer_authority"],
        submission_letter_number=details["submission_letter_number"],
        submission_letter_date=as_of,
    )
    if signing_problems(decision):
        # Money built on values the board has not confirmed (the rules before 01/7/2025 are seeded so): the draft
        # waits, showing why, as it would for the board.
        return
    sign_decision(decision, actor=office)
    scan = SimpleUploadedFile(f"qd-{details['number']}-da-ky.pdf", SIGNED_PDF, content_type="application/pdf")
    upload_signed_pdf(decision, scan, actor=officer)
    publish_decision(decision, actor=officer)
    if as_of > timezone.localdate():
        return
    province = decision.issuing_unit
    if not _fund_allocated(province, as_of.year):
        add_fund_entry(
            province,
            actor=officer,
            kind="allocation",
            amount=details["fund_allocation"],
            entered_on=as_of,
            reference=f"Dự toán {as_of.year}",
            note="Trích lập quỹ thi đua, khen thưởng từ dự toán ngân sách (số liệu trình diễn)",
        )
    lines = list(decision.awards.order_by("subject_kind", "order").values_list("pk", flat=True))
    record_payments(decision, actor=officer, paid_on=as_of, reference="UNC-0415", award_ids=lines[:-1])


def _fund_allocated(unit: Unit, year: int) -> bool:
    return FundEntry.objects.filter(unit=unit, year=year, kind="allocation").exists()


def _council(dossier: Dossier, secretary: User, as_of: date, *, close: bool) -> None:
    """A session of the province's council on ``dossier``: every member votes yes and it closes (``close``), or it
    stays open with DEMO_COUNCIL_WAITING still to vote."""
    users = {u.username: u for u in User.objects.filter(username__in=[m[0] for m in demo.DEMO_COUNCIL])}
    run_council(
        [dossier],
        secretary=secretary,
        members=[
            (users[u], title, chair, Attendance.WRITTEN if u == "hoidong4" else Attendance.PRESENT)
            for u, title, chair in demo.DEMO_COUNCIL
        ],
        title=f"Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh — {dossier.title}",
        held_on=as_of,
        place="Sở Nội vụ tỉnh Thái Nguyên",
        waiting=() if close else [users[u] for u in demo.DEMO_COUNCIL_WAITING],
        close=close,
    )
