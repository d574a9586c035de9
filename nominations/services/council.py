"""The council session (phiên họp Hội đồng Thi đua - Khen thưởng, domain rule 8), between appraisal and decision.

The appraising office (the board for the provincial Chairman's Bằng khen, a commune's or department's own office for
its Giấy khen) is the council's secretariat:

1. it gathers appraised dossiers of one campaign, award form, rule set and deciding unit into a session
   (:func:`create_session`), lists the members with their attendance — present, absent with a written vote, absent —
   (:func:`set_members`);
2. opens the vote (:func:`open_voting`) when the members present reach the rule set's quorum
   (``RuleSet.council_quorum``, a share of all members);
3. each member present, and each absent member who votes in writing, casts one secret ballot with a choice for every
   nominee (:func:`cast_ballot`);
4. closes the session (:func:`close_session`) when the members who voted reach the rule set's attendance
   (``RuleSet.council_attendance``): each nominee is approved when its "yes" votes reach the award form's threshold
   (``AwardType.vote_threshold``) of its base (``vote_base``: all members, or the members who took part in the
   vote); each dossier then moves on to the decision through the door (``council_review``).

The ballot is secret: the audit trail records that a member voted (``nominations.councilsession.vote``), never how;
a ballot is not stored as a row: its choices only increment per-nominee counters (``BallotTally``), which hold no
voter, no time and no order, in the same transaction that marks the member as having voted.

The minutes (biên bản) are generated as DOCX (``nominations/council_minutes.py``); the pages are
``nominations/views_council.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows import audit, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.notifications import notify

from ..enums import AppraisalResult, Attendance, CouncilResult, CouncilSessionState, DossierState, Vote
from ..models import BallotTally, CouncilMember, CouncilSession, Dossier, Nominee
from .dossiers import _is_system, _require, deciders_of


def _locked(session: CouncilSession) -> CouncilSession:
    manager = CouncilSession.objects.select_related("rule_set", "deciding_unit", "campaign")
    if connection.features.has_select_for_update:
        manager = manager.select_for_update(of=("self",))
    return manager.get(pk=session.pk)


def _url(session: CouncilSession) -> str:
    try:
        return reverse("nominations:council_detail", args=[session.pk])
    except NoReverseMatch:
        return ""


def percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}%".replace(".", ",")


def share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


# --- Preparing ---------------------------------------------------------------------------------------------------


def create_session(
    dossiers, *, actor, title: str, held_on: date, place: str = "", standing_only: bool = False
) -> CouncilSession:
    """A session of the council of the dossiers' deciding unit, to review ``dossiers``: appraised, of one campaign,
    award form, rule set and deciding unit, not in another session. Permission: ``nominations.add_councilsession``
    on the deciding unit (its secretariat). Side effects: one ``CouncilSession`` (draft); the dossiers point to it;
    one audit event ``nominations.councilsession.create``."""
    ids = sorted({d.pk for d in dossiers})
    title = (title or "").strip()
    if not ids:
        raise TransitionRefused(_("Hãy chọn ít nhất một hồ sơ đã thẩm định."))
    if not title:
        raise TransitionRefused(_("Hãy ghi tên phiên họp."))
    with transaction.atomic():
        manager = Dossier.objects.select_related("campaign", "deciding_unit", "rule_set")
        if connection.features.has_select_for_update:
            manager = manager.select_for_update(of=("self",))
        rows = list(manager.filter(pk__in=ids).order_by("pk"))
        if len(rows) != len(ids):
            raise TransitionRefused(_("Có hồ sơ không còn tồn tại: hãy tải lại trang."))
        first = rows[0]
        _require(
            actor,
            "nominations.add_councilsession",
            first.deciding_unit,
            _("Bạn không phải cơ quan thường trực Hội đồng của %(unit)s.") % {"unit": first.deciding_unit},
        )
        problems = []
        for dossier in rows:
            if dossier.state != DossierState.APPRAISED:
                problems.append(
                    _("Hồ sơ “%(d)s” đang ở trạng thái “%(s)s”: chỉ đưa ra Hội đồng hồ sơ đã thẩm định.")
                    % {"d": dossier, "s": dossier.get_state_display()}
                )
            elif dossier.council_session_id is not None:
                problems.append(
                    _("Hồ sơ “%(d)s” đã thuộc phiên họp “%(s)s”.") % {"d": dossier, "s": dossier.council_session}
                )
        for attr, label in (
            ("campaign_id", _("phong trào")),
            ("award_type_code", _("hình thức khen thưởng")),
            ("rule_set_id", _("bộ quy định")),
            ("deciding_unit_id", _("cấp quyết định")),
        ):
            if len({getattr(d, attr) for d in rows}) > 1:
                problems.append(_("Các hồ sơ của một phiên họp phải cùng %(what)s.") % {"what": label})
        if problems:
            raise TransitionRefused(_("Chưa lập được phiên họp Hội đồng:"), reasons=problems)
        session = CouncilSession.objects.create(
            deciding_unit=first.deciding_unit,
            campaign=first.campaign,
            award_type_code=first.award_type_code,
            rule_set=first.rule_set,
            title=title,
            held_on=held_on,
            place=(place or "").strip(),
            standing_only=standing_only,
            created_by=None if _is_system(actor) else actor,
        )
        Dossier.objects.filter(pk__in=ids).update(council_session=session)
        audit.record(
            actor=actor,
            action="nominations.councilsession.create",
            obj=session,
            to_state=session.state,
            payload={"field": "state", "dossiers": ids, "held_on": held_on.isoformat()},
        )
    return session


def set_members(session: CouncilSession, members, *, actor) -> list[CouncilMember]:
    """List the session's members (replacing the list) while it is being prepared: ``members`` are
    ``(user, title, is_chair, attendance)`` tuples; each user once, active; at most one chair. Audited (who, not
    personal data)."""
    with transaction.atomic():
        locked = _locked(session)
        _require_secretariat(locked, actor)
        if locked.state != CouncilSessionState.DRAFT:
            raise TransitionRefused(_("Chỉ sửa danh sách thành viên trước khi mở bỏ phiếu."))
        rows = []
        seen = set()
        for user, title, is_chair, attendance in members:
            if user.pk in seen:
                raise TransitionRefused(_("“%(u)s” có hai lần trong danh sách thành viên.") % {"u": user})
            if not user.is_active:
                raise TransitionRefused(_("Tài khoản “%(u)s” đã bị khoá.") % {"u": user})
            if attendance not in Attendance.values:
                raise TransitionRefused(_("Tình trạng tham dự không hợp lệ: “%(a)s”.") % {"a": attendance})
            seen.add(user.pk)
            rows.append(
                CouncilMember(
                    session=locked,
                    user=user,
                    title=(title or "").strip(),
                    is_chair=bool(is_chair),
                    attendance=attendance,
                )
            )
        if sum(1 for r in rows if r.is_chair) > 1:
            raise TransitionRefused(_("Phiên họp chỉ có một người chủ trì."))
        locked.members.all().delete()
        CouncilMember.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="nominations.councilsession.members",
            obj=locked,
            payload={
                "members": [r.user.get_username() for r in rows],
                "present": sum(1 for r in rows if r.attendance == Attendance.PRESENT),
                "written": sum(1 for r in rows if r.attendance == Attendance.WRITTEN),
            },
        )
    return list(session.members.select_related("user"))


def _require_secretariat(session: CouncilSession, actor) -> None:
    _require(
        actor,
        "nominations.change_councilsession",
        session,
        _("Chỉ cơ quan thường trực Hội đồng của %(unit)s được chuẩn bị phiên họp.") % {"unit": session.deciding_unit},
    )


# --- Quorum, attendance, thresholds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    members: int
    present: int
    written: int
    voted: int

    @property
    def taking_part(self) -> int:
        return self.present + self.written


def turnout(session: CouncilSession) -> Turnout:
    rows = list(session.members.values_list("attendance", "has_voted"))
    return Turnout(
        members=len(rows),
        present=sum(1 for a, _v in rows if a == Attendance.PRESENT),
        written=sum(1 for a, _v in rows if a == Attendance.WRITTEN),
        voted=sum(1 for _a, v in rows if v),
    )


def quorum_problem(session: CouncilSession, count: Turnout | None = None) -> str | None:
    """The members present must reach the rule set's quorum (a share of all the members), for the vote to open."""
    count = count or turnout(session)
    needed = session.rule_set.council_quorum
    if count.members and share(count.present, count.members) >= needed:
        return None
    return _(
        "Chưa đủ số thành viên để họp: có mặt %(p)s/%(m)s thành viên (%(s)s), cần ít nhất %(n)s theo “%(rs)s”."
    ) % {
        "p": count.present,
        "m": count.members,
        "s": percent(share(count.present, count.members)),
        "n": percent(needed),
        "rs": session.rule_set,
    }


def attendance_problem(session: CouncilSession, count: Turnout | None = None) -> str | None:
    """The members who voted (present, or absent with a written vote) must reach the rule set's attendance."""
    count = count or turnout(session)
    needed = session.rule_set.council_attendance
    if count.members and share(count.voted, count.members) >= needed:
        return None
    return _(
        "Chưa đủ số thành viên tham gia biểu quyết: %(v)s/%(m)s thành viên đã bỏ phiếu (%(s)s), cần ít nhất %(n)s "
        "theo “%(rs)s” (thành viên vắng mặt có thể gửi phiếu bằng văn bản)."
    ) % {
        "v": count.voted,
        "m": count.members,
        "s": percent(share(count.voted, count.members)),
        "n": percent(needed),
        "rs": session.rule_set,
    }


@dataclass(frozen=True)
class NomineeResult:
    nominee: Nominee
    yes: int
    no: int
    abstain: int
    base: int
    threshold: Decimal

    @property
    def share(self) -> Decimal:
        return share(self.yes, self.base)

    @property
    def approved(self) -> bool:
        return self.base > 0 and self.share >= self.threshold


def results(session: CouncilSession, count: Turnout | None = None) -> list[NomineeResult]:
    """Each nominee's votes against the award form's threshold and its base (all members, or those who voted)."""
    from competition.enums import VoteBase

    count = count or turnout(session)
    award = session.rule_set.award_types.get(code=session.award_type_code)
    base = count.members if award.vote_base == VoteBase.ALL_MEMBERS else count.voted
    tallies = session.tallies.select_related("nominee__dossier").order_by(
        "nominee__dossier_id", "nominee__order", "nominee_id"
    )
    return [NomineeResult(t.nominee, t.yes, t.no, t.abstain, base, award.vote_threshold) for t in tallies]


# --- Voting --------------------------------------------------------------------------------------------------------


def ballot_nominees(session: CouncilSession) -> list[Nominee]:
    """Who is on the ballot: every nominee the appraisal proposed, in the session's dossiers."""
    return list(
        Nominee.objects.filter(dossier__council_session=session, appraisal_result=AppraisalResult.ACCEPTED)
        .select_related("dossier__unit")
        .order_by("dossier_id", "order", "pk")
    )


def open_voting(session: CouncilSession, *, actor, at: datetime | None = None) -> CouncilSession:
    """Open the vote (draft → voting) through the door, when the quorum is met; the counters of every nominee on the
    ballot start at zero; the members are told."""
    count = turnout(session)
    problem = quorum_problem(session, count)
    if problem:
        raise TransitionRefused(problem)
    nominees = ballot_nominees(session)
    if not nominees:
        raise TransitionRefused(_("Các hồ sơ của phiên họp không có ai được thẩm định đề nghị khen thưởng."))

    def start(record: CouncilSession, event) -> None:
        BallotTally.objects.bulk_create([BallotTally(session=record, nominee=n) for n in nominees])
        voters = [
            m.user
            for m in record.members.select_related("user").exclude(attendance=Attendance.ABSENT)
            if m.user.is_active
        ]
        notify(
            voters,
            key=f"council-voting:{record.pk}:{event.sequence}",
            title=_("Bỏ phiếu kín: %(s)s") % {"s": record},
            body=_("Phiên họp “%(s)s” đã mở bỏ phiếu cho %(n)s người, tập thể.") % {"s": record, "n": len(nominees)},
            url=_url(record),
            target=record,
        )

    return transition(
        session,
        "open_voting",
        actor=actor,
        at=at or timezone.now(),
        after=start,
        payload={"members": count.members, "present": count.present, "written": count.written},
    )


def cast_ballot(session: CouncilSession, *, actor, choices: dict) -> None:
    """``actor``, a member present or absent with a written vote, casts their secret ballot: ``choices`` maps every
    nominee on the ballot (pk) to "yes", "no" or "abstain". Once per member.

    Side effects, in one transaction: the member marked as having voted; each nominee's counter incremented; one
    audit event ``nominations.councilsession.vote`` naming the member, never the choices."""
    wanted = {str(k): str(v) for k, v in (choices or {}).items()}
    with transaction.atomic():
        locked = _locked(session)
        if locked.state != CouncilSessionState.VOTING:
            raise TransitionRefused(
                _("Phiên họp “%(s)s” đang ở trạng thái “%(st)s”: không nhận phiếu.")
                % {"s": locked, "st": locked.get_state_display()}
            )
        members = CouncilMember.objects.filter(session=locked, user_id=getattr(actor, "pk", None))
        if connection.features.has_select_for_update:
            members = members.select_for_update()
        member = members.first()
        if member is None:
            raise TransitionForbidden(_("Bạn không phải thành viên của phiên họp “%(s)s”.") % {"s": locked})
        if member.attendance == Attendance.ABSENT:
            raise TransitionRefused(
                _("Bạn được ghi là vắng mặt và không gửi phiếu bằng văn bản: hãy báo cơ quan thường trực Hội đồng.")
            )
        if member.has_voted:
            raise TransitionRefused(_("Bạn đã bỏ phiếu trong phiên họp này: mỗi thành viên một phiếu."))
        on_ballot = {str(pk): name for pk, name in locked.tallies.values_list("nominee_id", "nominee__name")}
        missing = [name for pk, name in on_ballot.items() if wanted.get(pk) not in Vote.values]
        unknown = [pk for pk in wanted if pk not in on_ballot]
        if unknown:
            raise TransitionRefused(_("Phiếu có người, tập thể không thuộc phiên họp này."))
        if missing:
            raise TransitionRefused(
                _("Phiếu chưa đủ: hãy chọn Đồng ý, Không đồng ý hoặc Không biểu quyết cho: %(names)s.")
                % {"names": ", ".join(missing)}
            )
        for vote, field in ((Vote.YES, "yes"), (Vote.NO, "no"), (Vote.ABSTAIN, "abstain")):
            pks = [int(pk) for pk, v in wanted.items() if v == vote]
            if pks:
                BallotTally.objects.filter(session=locked, nominee_id__in=pks).update(**{field: F(field) + 1})
        member.has_voted = True
        member.save(update_fields=["has_voted"])
        audit.record(
            actor=actor,
            action="nominations.councilsession.vote",
            obj=locked,
            payload={"member": member.user.get_username(), "written": member.attendance == Attendance.WRITTEN},
        )


def close_session(session: CouncilSession, *, actor, conclusion: str = "", at: datetime | None = None):
    """Close the vote (voting → closed) when the attendance is met: each nominee's council result is recorded from
    its counters and the award form's threshold, and each dossier moves on to the decision through the door
    (``council_review``, appraised → proposed); whoever decides is told. All or nothing."""
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(session)
        count = turnout(locked)
        if locked.state == CouncilSessionState.VOTING:
            problem = attendance_problem(locked, count)
            if problem:
                raise TransitionRefused(problem)
        outcome = results(locked, count)
        for row in outcome:
            row.nominee.council_result = CouncilResult.APPROVED if row.approved else CouncilResult.NOT_APPROVED
        Nominee.objects.bulk_update([r.nominee for r in outcome], ["council_result"])
        locked.conclusion = (conclusion or "").strip()
        locked.save(update_fields=["conclusion"])
        closed = transition(
            locked,
            "close",
            actor=actor,
            at=moment,
            payload={
                "members": count.members,
                "voted": count.voted,
                "approved": sum(1 for r in outcome if r.approved),
                "not_approved": sum(1 for r in outcome if not r.approved),
            },
        )
        for dossier in locked.dossiers.select_related("campaign", "unit", "deciding_unit").order_by("pk"):

            def tell_deciders(record: Dossier, event) -> None:
                notify(
                    deciders_of(record),
                    key=f"dossier-proposed:{record.pk}:{event.sequence}",
                    title=_("Hồ sơ đã qua Hội đồng, chờ quyết định: %(d)s") % {"d": record},
                    body=_("Hội đồng đã xét hồ sơ “%(d)s” của %(unit)s.") % {"d": record, "unit": record.unit},
                    url=reverse("nominations:dossier_detail", args=[record.pk]),
                    target=record,
                )

            transition(dossier, "council_review", actor=actor, at=moment, after=tell_deciders)
    return closed


def members_of(session: CouncilSession) -> list[CouncilMember]:
    return list(session.members.select_related("user"))
