"""Thin views of the council sessions (Hội đồng Thi đua - Khen thưởng, domain rule 8): the list and the preparation
by the secretariat, the session's page, a member's secret ballot, the minutes. The rules live in
nominations/services/council.py; the permissions in nominations/rules.py.

The pages never show how a member voted: only whether they have voted, and, once the session is closed, the counts
per nominee."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import BOARD_ROLES, Role
from competition.scoping import scope, user_unit
from workflows.exceptions import TransitionRefused
from workflows.pdf import PDF_MIME, PdfConversionFailed, PdfUnavailable, docx_to_pdf, pdf_available
from workflows.web import perform, require_perm

from .council_minutes import minutes_docx
from .enums import Attendance, CouncilSessionState, DossierState, Vote
from .models import CouncilMember, CouncilSession, Dossier
from .services import council

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Who may sit on a council: its members, and the board's leaders and officers (domain rule 8).
MEMBER_ROLES = (Role.COUNCIL_MEMBER, Role.BOARD_HEAD, Role.BOARD_OFFICER)
BLANK_MEMBER_ROWS = 4


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Tên phiên họp"), max_length=300)
    held_on = forms.DateField(label=_("Ngày họp"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    standing_only = forms.BooleanField(label=_("Chỉ Thường trực Hội đồng xét"), required=False)


def _session(request, pk) -> CouncilSession:
    """The session, for whoever may see it (its secretariat, its members, the board); others get a 404."""
    session = get_object_or_404(
        CouncilSession.objects.select_related("deciding_unit", "campaign", "rule_set", "created_by"), pk=pk
    )
    if not request.user.has_perm("nominations.view_councilsession", session):
        raise Http404
    return session


def visible_sessions(user) -> list[CouncilSession]:
    """The sessions ``user`` may see: every session for the board and auditors, its own unit's for a unit clerk
    (its secretariat), the province's closed sessions for the Chairman's office (their results go with what it
    submits for signature), and those the user sits on."""
    condition = Q(members__user_id=user.pk)
    if getattr(user, "role", None) in (*BOARD_ROLES, Role.AUDITOR):
        condition |= Q(pk__isnull=False)
    elif getattr(user, "role", None) == Role.UNIT_CLERK and user_unit(user) is not None:
        condition |= Q(deciding_unit=user_unit(user))
    elif getattr(user, "role", None) == Role.CHAIRMAN_OFFICE:
        condition |= Q(deciding_unit__parent__isnull=True, state=CouncilSessionState.CLOSED)
    sessions = (
        CouncilSession.objects.filter(condition)
        .distinct()
        .select_related("deciding_unit", "campaign", "rule_set")
        .order_by("-held_on", "-pk")
    )
    return [s for s in sessions[:500] if user.has_perm("nominations.view_councilsession", s)]


def _dossiers_to_gather(user) -> list[Dossier]:
    """Appraised dossiers not yet in a session, whose council ``user`` is the secretariat of."""
    if not user.has_perm("nominations.add_councilsession"):
        return []
    rows = scope(
        user,
        Dossier.objects.filter(state=DossierState.APPRAISED, council_session__isnull=True).select_related(
            "campaign", "unit", "deciding_unit", "rule_set"
        ),
    ).order_by("campaign_id", "award_type_code", "pk")
    return [d for d in rows if user.has_perm("nominations.add_councilsession", d.deciding_unit)]


@login_required
def council_list(request):
    user = request.user
    dossiers = _dossiers_to_gather(user)
    form = SessionForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        require_perm(user, "nominations.add_councilsession")
        chosen = [d for d in dossiers if str(d.pk) in request.POST.getlist("dossiers")]
        if not chosen:
            messages.error(request, _("Hãy chọn ít nhất một hồ sơ đã thẩm định."))
        elif form.is_valid():
            created = {}

            def create():
                created["session"] = council.create_session(chosen, actor=user, **form.cleaned_data)

            if perform(request, create, success=_("Đã lập phiên họp. Hãy lập danh sách thành viên dự họp.")):
                return redirect("nominations:council_detail", created["session"].pk)
    sessions = visible_sessions(user)
    voting = {s.pk for s in sessions if s.state == CouncilSessionState.VOTING}
    may_vote = set()
    if voting:
        may_vote = set(
            CouncilMember.objects.filter(session_id__in=voting, user_id=user.pk, has_voted=False)
            .exclude(attendance=Attendance.ABSENT)
            .values_list("session_id", flat=True)
        )
    for session in sessions:
        session.may_vote = session.pk in may_vote
    return render(
        request,
        "nominations/council_list.html",
        {
            "sessions": sessions,
            "dossiers": dossiers,
            "form": form,
            "can_add": user.has_perm("nominations.add_councilsession"),
            "chosen": request.POST.getlist("dossiers") if request.method == "POST" else [],
        },
    )


def _members_from_post(post) -> list[tuple]:
    """The members form: rows ``user_<i>``, ``title_<i>``, ``attendance_<i>`` and the radio ``chair`` = i; a row
    without a user is skipped. Only active users of the council roles can be picked."""
    User = get_user_model()
    indexes = sorted({key.split("_", 1)[1] for key in post if key.startswith("user_")}, key=lambda i: (len(i), i))
    picked = {post.get(f"user_{i}", "").strip(): i for i in indexes if post.get(f"user_{i}", "").strip()}
    users = {
        u.get_username(): u
        for u in User.objects.filter(username__in=list(picked), is_active=True, role__in=MEMBER_ROLES)
    }
    rows = []
    for i in indexes:
        username = post.get(f"user_{i}", "").strip()
        if not username:
            continue
        if username not in users:
            raise TransitionRefused(
                _("“%(u)s” không phải tài khoản thành viên Hội đồng đang hoạt động.") % {"u": username}
            )
        rows.append(
            (
                users[username],
                post.get(f"title_{i}", ""),
                post.get("chair") == i,
                post.get(f"attendance_{i}", Attendance.PRESENT),
            )
        )
    return rows


@login_required
def council_detail(request, pk):
    session = _session(request, pk)
    user = request.user
    can_manage = user.has_perm("nominations.change_councilsession", session)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        action = request.POST.get("action")
        if action == "members":
            perform(
                request,
                lambda: council.set_members(session, _members_from_post(request.POST), actor=user),
                success=_("Đã lưu danh sách thành viên dự họp."),
            )
        elif action == "open":
            perform(
                request,
                lambda: council.open_voting(session, actor=user),
                success=_("Đã mở bỏ phiếu; các thành viên đã được báo."),
            )
        elif action == "close":
            perform(
                request,
                lambda: council.close_session(session, actor=user, conclusion=request.POST.get("conclusion", "")),
                success=_("Đã kết thúc bỏ phiếu; kết quả đã được ghi và hồ sơ đã chuyển sang bước quyết định."),
            )
        else:
            raise Http404
        return redirect("nominations:council_detail", pk)

    members = council.members_of(session)
    count = council.turnout(session)
    results = []
    if session.state == CouncilSessionState.CLOSED:
        results = [
            {
                "row": row,
                "share": council.percent(row.share),
                "threshold": council.percent(row.threshold),
            }
            for row in council.results(session, count)
        ]
    dossiers = list(session.dossiers.select_related("unit").order_by("pk"))
    visible = set(scope(user, Dossier.objects.filter(pk__in=[d.pk for d in dossiers])).values_list("pk", flat=True))
    for dossier in dossiers:
        dossier.visible = dossier.pk in visible
    member_rows = []
    candidates = []
    if can_manage and session.state == CouncilSessionState.DRAFT:
        candidates = list(
            get_user_model()
            .objects.filter(is_active=True, role__in=MEMBER_ROLES)
            .order_by("username")
            .only("pk", "username", "full_name", "role")
        )
        member_rows = [
            {
                "i": str(n),
                "username": m.user.get_username(),
                "title": m.title,
                "chair": m.is_chair,
                "att": m.attendance,
            }
            for n, m in enumerate(members)
        ]
        member_rows += [
            {"i": str(n), "username": "", "title": "", "chair": False, "att": Attendance.PRESENT}
            for n in range(len(members), len(members) + BLANK_MEMBER_ROWS)
        ]
    me = next((m for m in members if m.user_id == user.pk), None)
    award = session.rule_set.award_types.filter(code=session.award_type_code).first()
    return render(
        request,
        "nominations/council_detail.html",
        {
            "session": session,
            "award": award,
            "threshold_needed": council.percent(award.vote_threshold) if award else "",
            "dossiers": dossiers,
            "nominees": council.ballot_nominees(session),
            "members": members,
            "count": count,
            "quorum_problem": council.quorum_problem(session, count),
            "attendance_problem": council.attendance_problem(session, count),
            "quorum_needed": council.percent(session.rule_set.council_quorum),
            "attendance_needed": council.percent(session.rule_set.council_attendance),
            "results": results,
            "can_manage": can_manage,
            "member_rows": member_rows,
            "candidates": candidates,
            "attendances": Attendance.choices,
            "may_vote": me is not None
            and session.state == CouncilSessionState.VOTING
            and me.attendance != Attendance.ABSENT
            and not me.has_voted,
            # The minutes as PDF too where LibreOffice is installed (workflows/pdf.py).
            "pdf_available": pdf_available(),
        },
    )


@login_required
def council_ballot(request, pk):
    """A member's secret ballot: one choice per nominee on the ballot; once cast, only "you have voted"."""
    session = _session(request, pk)
    user = request.user
    me = session.members.filter(user_id=user.pk).first()
    if me is None:
        raise Http404
    nominees = council.ballot_nominees(session)
    chosen = {}
    if request.method == "POST":
        chosen = {str(n.pk): request.POST[f"vote_{n.pk}"] for n in nominees if request.POST.get(f"vote_{n.pk}")}
        if perform(
            request,
            lambda: council.cast_ballot(session, actor=user, choices=chosen),
            success=_("Đã ghi phiếu của bạn. Phiếu kín: không ai xem được bạn đã chọn thế nào."),
        ):
            return redirect("nominations:council_ballot", pk)
        me.refresh_from_db()
    for nominee in nominees:
        nominee.chosen = chosen.get(str(nominee.pk), "")
    return render(
        request,
        "nominations/council_ballot.html",
        {
            "session": session,
            "member": me,
            "nominees": nominees,
            "votes": Vote.choices,
            "voting": session.state == CouncilSessionState.VOTING,
            "absent": me.attendance == Attendance.ABSENT,
        },
    )


@login_required
def council_minutes(request, pk):
    session = _session(request, pk)
    if session.state != CouncilSessionState.CLOSED:
        raise Http404
    response = HttpResponse(minutes_docx(session), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="bien-ban-hop-hoi-dong-{session.pk}.docx"'
    return response


@login_required
def council_minutes_pdf(request, pk):
    """The minutes' DOCX rendered by LibreOffice, for whoever may download the DOCX: 404 where LibreOffice is not
    installed; on a failed conversion, a message on the session's page."""
    session = _session(request, pk)
    if session.state != CouncilSessionState.CLOSED or not pdf_available():
        raise Http404
    try:
        content = docx_to_pdf(minutes_docx(session))
    except PdfUnavailable as exc:
        raise Http404 from exc
    except PdfConversionFailed:
        messages.error(
            request,
            _(
                "Không tạo được bản PDF của biên bản họp (LibreOffice báo lỗi hoặc quá thời gian). "
                "Hãy tải bản Word hoặc thử lại sau."
            ),
        )
        return redirect("nominations:council_detail", pk)
    response = HttpResponse(content, content_type=PDF_MIME)
    response["Content-Disposition"] = f'attachment; filename="bien-ban-hop-hoi-dong-{session.pk}.pdf"'
    return response
