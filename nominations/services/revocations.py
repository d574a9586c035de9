"""Revocation of an award (thu hồi khen thưởng, Law 06/2022/QH15 Art. 93; domain rule 15 and step 16).

A workflow of its own, per award line of a signed decision (``Revocation``):

1. **Proposed** with its ground (Art. 93: false declaration of achievements, forged papers, wrongful
   certification or appraisal, or another ground of law) and what was found, by whoever prepares that authority's
   decisions (the board for the Chairman's). A proposal may be withdrawn with a reason.
2. **Decided** by a numbered revocation decision of the awarding authority. The number comes from the same
   register as its award decisions (domain rule 13): allocated where the product keeps it, entered otherwise,
   never used twice. Deciding, in one transaction: the money side (a paid line must be recovered, a due line is
   cancelled, ``payments.settle_revoked``); the register of awards marks the award revoked, so it no longer counts
   for eligibility; every later merit award of the same person or collective is flagged for review
   (``AwardReviewFlag``: its eligibility may have counted the revoked one; thematic awards count for nothing,
   NĐ 152/2025 Art. 4); the verification page shows the revocation.
3. **Recovered**: the certificate returned (or its loss recorded) and the money, if paid, back in the fund.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from workflows import audit
from workflows import transition as door_transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.notifications import notify

from ..enums import ISSUED_DECISION_STATES, RevocationGround, RevocationState
from ..models import Award, AwardDecision, AwardRecord, AwardReviewFlag, Revocation
from . import payments
from .decisions import allocate_number, default_symbol, keeps_register

LIVE_STATES = (RevocationState.PROPOSED, RevocationState.DECIDED, RevocationState.RECOVERED)
REVOKED_STATES = (RevocationState.DECIDED, RevocationState.RECOVERED)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _require(actor, perm: str, obj, message: str) -> None:
    if getattr(actor, "is_system", False):
        return
    if not actor.has_perm(perm, obj):
        raise TransitionForbidden(message)


def _real_user(actor):
    return None if getattr(actor, "is_system", False) else actor


def revocation_of(award: Award) -> Revocation | None:
    """The revocation in force for ``award`` (decided or completed), if any."""
    return award.revocations.filter(state__in=REVOKED_STATES).order_by("-decided_at").first()


def _board_users():
    return get_user_model().objects.filter(is_active=True, role__in=(Role.BOARD_OFFICER, Role.BOARD_HEAD))


# --- 1. Proposal ----------------------------------------------------------------------------------------------


def propose_revocation(award: Award, *, actor, ground: str, detail: str) -> Revocation:
    """Propose revoking ``award`` on ``ground`` (a ``RevocationGround``) with what was found in ``detail``.

    Refused when the decision is not signed, a revocation of the line is already open or done, or the ground or
    detail is missing. Permission: ``nominations.add_revocation``. Side effects: a ``Revocation`` (proposed); one
    audit event ``nominations.revocation.propose``; the signers of the authority are notified.
    """
    decision = award.decision
    _require(
        actor,
        "nominations.add_revocation",
        award,
        _("Bạn không có quyền đề nghị thu hồi khen thưởng của quyết định “%(d)s”.") % {"d": decision},
    )
    detail = (detail or "").strip()
    problems = []
    if decision.state not in ISSUED_DECISION_STATES:
        problems.append(_("Quyết định “%(d)s” chưa ký: chưa có khen thưởng để thu hồi.") % {"d": decision})
    if ground not in RevocationGround.values:
        problems.append(_("Hãy chọn căn cứ thu hồi theo Điều 93 Luật Thi đua, khen thưởng."))
    if not detail:
        problems.append(_("Hãy ghi nội dung vi phạm đã được xác minh (căn cứ để thu hồi)."))
    if problems:
        raise TransitionRefused(_("Chưa đề nghị thu hồi được:"), reasons=problems)
    with transaction.atomic():
        Award.objects.select_for_update().get(pk=award.pk)
        live = award.revocations.filter(state__in=LIVE_STATES).first()
        if live is not None:
            raise TransitionRefused(
                _("Khen thưởng của “%(name)s” đã có đề nghị thu hồi (%(state)s).")
                % {"name": award.name, "state": live.get_state_display()}
            )
        try:
            with transaction.atomic():
                revocation = Revocation.objects.create(
                    award=award,
                    issuing_unit_id=decision.issuing_unit_id,
                    ground=ground,
                    detail=detail,
                    proposed_by=_real_user(actor),
                    proposed_at=timezone.now(),
                    symbol=default_symbol(decision.issuing_unit),
                )
        except IntegrityError:
            raise TransitionRefused(
                _("Khen thưởng của “%(name)s” vừa có đề nghị thu hồi khác.") % {"name": award.name}
            ) from None
        audit.record(
            actor=actor,
            action="nominations.revocation.propose",
            obj=revocation,
            payload={"award": award.pk, "decision": decision.pk, "ground": ground},
        )
        signers = [u for u in _signers_of(decision) if u.pk != getattr(actor, "pk", None)]
        notify(
            signers,
            key=f"revocation:{revocation.pk}:proposed",
            title=_("Đề nghị thu hồi khen thưởng: %(name)s") % {"name": award.name},
            body=_("Đề nghị thu hồi %(award)s của “%(name)s” (Quyết định số %(d)s), căn cứ: %(ground)s.")
            % {
                "award": decision.award_type,
                "name": award.name,
                "d": decision,
                "ground": revocation.get_ground_display(),
            },
            url=reverse("nominations:revocation_detail", args=[revocation.pk]),
            target=revocation,
        )
    return revocation


def _signers_of(decision: AwardDecision):
    users = get_user_model().objects.filter(is_active=True, role__in=(Role.CHAIRMAN_OFFICE, Role.UNIT_HEAD))
    return [u for u in users if u.has_perm("nominations.decide_revocation", decision)]


def withdraw_revocation(revocation: Revocation, *, actor, reason: str) -> Revocation:
    """Withdraw a proposal that has not been decided, with ``reason``. Through the door (``withdraw``)."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Hãy ghi lý do rút đề nghị thu hồi."))
    return door_transition(revocation, "withdraw", actor=actor, reason=reason)


# --- 2. The revocation decision ------------------------------------------------------------------------------


def _number_holder(revocation: Revocation, number: int, year: int) -> str | None:
    """What already holds ``number`` in the register of the revocation's body, symbol and year."""
    unit_id, symbol = revocation.issuing_unit_id, revocation.symbol
    decision = AwardDecision.objects.filter(issuing_unit_id=unit_id, symbol=symbol, year=year, number=number).first()
    if decision is not None:
        return _("quyết định khen thưởng (mã #%(pk)s)") % {"pk": decision.pk}
    other = (
        Revocation.objects.filter(issuing_unit_id=unit_id, symbol=symbol, year=year, number=number)
        .exclude(pk=revocation.pk)
        .first()
    )
    if other is not None:
        return _("quyết định thu hồi khen thưởng của “%(name)s”") % {"name": other.award.name}
    return None


def set_revocation_details(
    revocation: Revocation,
    *,
    actor,
    issued_on: date,
    signer_name: str,
    number: int | None = None,
    symbol: str | None = None,
) -> Revocation:
    """Enter the revocation decision's date and signer and its number: allocated from the register when the
    product keeps it, otherwise ``number`` is required and must be unused in that register's year (the register
    is shared with the body's award decisions). Permission: ``nominations.change_revocation``. Side effects: one
    audit event ``nominations.revocation.details``; may advance the register."""
    _require(
        actor,
        "nominations.change_revocation",
        revocation,
        _("Bạn không có quyền nhập số quyết định thu hồi này."),
    )
    signer_name = (signer_name or "").strip()
    problems = []
    if not issued_on:
        problems.append(_("Hãy nhập ngày ký quyết định thu hồi."))
    elif issued_on > timezone.localdate():
        problems.append(_("Ngày ký %(day)s là ngày trong tương lai.") % {"day": _day(issued_on)})
    elif revocation.award.decision.issued_on and issued_on < revocation.award.decision.issued_on:
        problems.append(
            _("Ngày ký quyết định thu hồi (%(day)s) trước ngày của quyết định khen thưởng (%(award)s).")
            % {"day": _day(issued_on), "award": _day(revocation.award.decision.issued_on)}
        )
    if not signer_name:
        problems.append(_("Hãy nhập họ tên người ký."))
    if number not in (None, "") and int(number) < 1:
        problems.append(_("Số quyết định phải là số nguyên dương."))
    if problems:
        raise TransitionRefused(_("Chưa lưu được số, ngày ký của quyết định thu hồi:"), reasons=problems)
    with transaction.atomic():
        fresh = Revocation.objects.select_for_update().select_related("issuing_unit").get(pk=revocation.pk)
        if fresh.state != RevocationState.PROPOSED:
            raise TransitionRefused(
                _("Đề nghị thu hồi đang “%(state)s”: không sửa được số, ngày ký.")
                % {"state": fresh.get_state_display()}
            )
        if symbol:
            fresh.symbol = symbol.strip()
        year = issued_on.year
        number = int(number) if number not in (None, "") else None
        allocated = False
        if keeps_register(fresh.issuing_unit, fresh.symbol):
            kept = fresh.number if fresh.number and fresh.year == year else None
            if number is not None and number != kept:
                raise TransitionRefused(
                    _(
                        "%(unit)s giữ sổ đăng ký văn bản ký hiệu %(symbol)s trên phần mềm: số được cấp tự động "
                        "theo sổ, không nhập tay. Hãy để trống ô số."
                    )
                    % {"unit": fresh.issuing_unit, "symbol": fresh.symbol}
                )
            number = kept if kept is not None else allocate_number(fresh.issuing_unit, fresh.symbol, year)
            allocated = kept is None
        else:
            if number is None:
                raise TransitionRefused(
                    _("Hãy nhập số quyết định thu hồi: số lấy theo sổ đăng ký văn bản của văn thư %(unit)s.")
                    % {"unit": fresh.issuing_unit}
                )
            holder = _number_holder(fresh, number, year)
            if holder:
                raise TransitionRefused(
                    _(
                        "Số %(number)s/%(symbol)s năm %(year)s đã dùng cho %(holder)s: mỗi số chỉ dùng một lần "
                        "trong năm, hãy nhập số khác."
                    )
                    % {"number": number, "symbol": fresh.symbol, "year": year, "holder": holder}
                )
        fresh.number, fresh.year, fresh.issued_on, fresh.signer_name = number, year, issued_on, signer_name
        try:
            with transaction.atomic():
                fresh.save()
        except IntegrityError:
            raise TransitionRefused(
                _("Số %(number)s/%(symbol)s năm %(year)s vừa được dùng: hãy nhập số khác.")
                % {"number": number, "symbol": fresh.symbol, "year": year}
            ) from None
        audit.record(
            actor=actor,
            action="nominations.revocation.details",
            obj=fresh,
            payload={"number": number, "symbol": fresh.symbol, "year": year, "allocated": allocated},
        )
    revocation.refresh_from_db()
    return fresh


def later_awards(record: AwardRecord):
    """Later merit awards of the subject of ``record`` (same canonical key, decided after it): those whose
    eligibility may have counted it. Empty for a thematic award, which counts toward nothing."""
    if record.is_thematic:
        return AwardRecord.objects.none()
    later = Q(year__gt=record.year)
    if record.decision_date:
        later |= Q(decision_date__gt=record.decision_date)
    return (
        AwardRecord.objects.filter(canonical_key=record.canonical_key, is_thematic=False, revoked_on__isnull=True)
        .filter(later)
        .exclude(pk=record.pk)
        .order_by("year", "decision_date", "pk")
    )


def decide_revocation(revocation: Revocation, *, actor) -> Revocation:
    """The awarding authority signs the revocation decision (its number and date entered first).

    Permission: ``nominations.decide_revocation``. In one transaction: the door's ``decide``; the money side
    (``payments.settle_revoked``); the award's record in the register marked revoked; a review flag on every later
    merit award of the same subject; the board and the proposer notified. Raises ``TransitionRefused``,
    ``TransitionForbidden``, ``ConflictError``.
    """
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=revocation.award_id)
        record = AwardRecord.objects.filter(award=award).first()
        flagged: list[AwardRecord] = []

        def consequences(fresh: Revocation, event) -> None:
            state = payments.settle_revoked(award, revocation_pk=fresh.pk)
            if record is not None:
                flagged.extend(later_awards(record))
                AwardRecord.objects.filter(pk=record.pk).update(
                    revoked_on=fresh.issued_on, revocation_reference=fresh.decision_reference
                )
                AwardReviewFlag.objects.bulk_create(
                    [AwardReviewFlag(record=r, revocation=fresh) for r in flagged], ignore_conflicts=True
                )
            event_payload = {"payment_state": state, "flagged": [r.pk for r in flagged]}
            audit.record(actor=actor, action="nominations.revocation.effects", obj=fresh, payload=event_payload)
            recipients = list(_board_users())
            if fresh.proposed_by is not None:
                recipients.append(fresh.proposed_by)
            notify(
                recipients,
                key=f"revocation:{fresh.pk}:decided",
                title=_("Đã quyết định thu hồi khen thưởng: %(name)s") % {"name": award.name},
                body=_(
                    "Quyết định số %(ref)s ngày %(day)s thu hồi khen thưởng của “%(name)s”. Tiền thưởng: %(money)s."
                    " Khen thưởng sau đó cần xem xét lại: %(n)s."
                )
                % {
                    "ref": fresh.decision_reference,
                    "day": _day(fresh.issued_on),
                    "name": award.name,
                    "money": award.get_payment_state_display(),
                    "n": len(flagged),
                },
                url=reverse("nominations:revocation_detail", args=[fresh.pk]),
                target=fresh,
            )

        door_transition(
            revocation,
            "decide",
            actor=actor,
            at=timezone.now(),
            payload={"number": revocation.number, "symbol": revocation.symbol, "award": award.pk},
            after=consequences,
        )
    revocation.refresh_from_db()
    return revocation


# --- 3. Recovery ----------------------------------------------------------------------------------------------


def complete_revocation(revocation: Revocation, *, actor, certificate_returned: bool, note: str = "") -> Revocation:
    """Close a decided revocation: the certificate returned (``certificate_returned``; when it cannot be, say why
    in ``note``) and the paid money recovered first (``payments.record_recovery``). Through the door
    (``complete``)."""
    note = (note or "").strip()
    if not certificate_returned and not note:
        raise TransitionRefused(
            _("Chưa thu hồi được bằng, giấy chứng nhận: hãy ghi lý do (mất, hư hỏng, không liên lạc được …).")
        )
    return door_transition(
        revocation,
        "complete",
        actor=actor,
        at=timezone.now(),
        certificate_returned=bool(certificate_returned),
        payload={"certificate_returned": bool(certificate_returned), "note": note},
    )


def resolve_flag(flag: AwardReviewFlag, *, actor, resolution: str) -> AwardReviewFlag:
    """Record what the review of a flagged later award found. Permission: ``nominations.change_awardreviewflag``.
    Side effects: the flag closed; one audit event ``nominations.revocation.flag_resolved``."""
    _require(actor, "nominations.change_awardreviewflag", flag, _("Bạn không có quyền xem xét khen thưởng này."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise TransitionRefused(_("Hãy ghi kết quả xem xét (giữ nguyên, hoặc đề nghị thu hồi và lý do)."))
    with transaction.atomic():
        fresh = AwardReviewFlag.objects.select_for_update().get(pk=flag.pk)
        if fresh.resolved_at is not None:
            raise TransitionRefused(_("Khen thưởng này đã được xem xét xong."))
        fresh.resolved_at, fresh.resolved_by, fresh.resolution = timezone.now(), _real_user(actor), resolution
        fresh.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit.record(
            actor=actor,
            action="nominations.revocation.flag_resolved",
            obj=fresh.revocation,
            payload={"flag": fresh.pk, "record": fresh.record_id},
        )
    return fresh
