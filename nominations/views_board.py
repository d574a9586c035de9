"""The board's list of dossiers (issue 6, item 7): filters, pages of 50, the officer and the appraisal clock of each
dossier; bulk actions on every dossier of the filter (not only the page) after a confirmation that says how many;
a large action's background job with its progress; assigning one dossier from its row. Thin: the filter, the bulk
actions and the assignment are services (nominations/services/board.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import BOARD_ROLES, Role
from accounts.models import User
from competition.enums import CampaignState
from competition.models import AwardType, Campaign
from competition.scoping import scope
from workflows.exceptions import TransitionRefused
from workflows.web import perform

from .enums import DossierState
from .models import BulkJob, Dossier
from .services import board
from .services.board import DossierFilters
from .services.clock import appraisal_clocks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(filters: DossierFilters) -> str:
    url = reverse("nominations:dossier_list")
    return f"{url}?{filters.querystring}" if filters.any else url


def _award_names(codes) -> dict[str, str]:
    return dict(
        AwardType.objects.filter(code__in=set(codes))
        .order_by("code", "rule_set__valid_from")
        .values_list("code", "name")
    )


@login_required
def dossier_list(request):
    user = request.user
    filters = DossierFilters.from_params(request.GET)
    dossiers = board.filtered_dossiers(user, filters).select_related("campaign", "unit", "deciding_unit", "assignee")
    page = Paginator(dossiers, board.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    clocks = appraisal_clocks(rows)  # the appraisal time limit (domain rule 9), in a fixed number of queries
    campaigns = list(scope(user, Campaign.objects.exclude(state=CampaignState.DRAFT)).order_by("-start_date", "name"))
    can_add = [
        c for c in campaigns if c.state == CampaignState.LAUNCHED and user.has_perm("nominations.add_dossier", c)
    ]
    role = getattr(user, "role", None)
    is_board = role in BOARD_ROLES
    award_names = _award_names({code for c in campaigns for code in (c.award_type_codes or [])})
    officers = list(board.board_officers()) if is_board else []
    for dossier in rows:
        dossier.clock = clocks[dossier.pk]
        dossier.award_name = award_names.get(dossier.award_type_code, dossier.award_type_code)
        dossier.can_take = board.can_take(user, dossier)
        dossier.can_reassign = board.can_reassign(user, dossier)
    return render(
        request,
        "nominations/dossier_list.html",
        {
            "page": page,
            "dossiers": rows,
            "filters": filters,
            "states": DossierState.choices,
            "campaigns": campaigns,
            "awards": sorted(award_names.items(), key=lambda item: item[1]),
            "award_names": award_names,
            "clock_choices": board.CLOCK_CHOICES,
            "is_board": is_board,
            "officers": officers,
            # Whom a bulk assignment may name: the head any officer, an officer only themselves.
            "bulk_officers": officers if role == Role.BOARD_HEAD else [user] if role == Role.BOARD_OFFICER else [],
            "bulk_actions": board.actions_for(user),
            "threshold": board.background_threshold(),
            "campaigns_to_nominate": can_add,
            "can_see_history": user.has_perm("nominations.view_awardrecord"),
            "can_see_holds": user.has_perm("nominations.view_nomineehold"),
            "can_see_stand_ins": user.has_perm("workflows.view_standin"),
        },
    )


def _describe(filters: DossierFilters, user) -> list[tuple[str, str]]:
    """The filters in words, for the confirmation page."""
    described = []
    if filters.campaign:
        campaign = scope(user, Campaign.objects.filter(pk=filters.campaign)).first()
        described.append((_("Phong trào"), str(campaign) if campaign else "—"))
    if filters.state:
        described.append((_("Trạng thái"), str(DossierState(filters.state).label)))
    if filters.award:
        described.append((_("Hình thức khen thưởng"), _award_names([filters.award]).get(filters.award, filters.award)))
    if filters.unit:
        described.append((_("Đơn vị đề nghị"), filters.unit))
    if filters.assignee == board.ASSIGNEE_NONE:
        described.append((_("Cán bộ thụ lý"), _("Chưa phân công")))
    elif filters.assignee == board.ASSIGNEE_ME:
        described.append((_("Cán bộ thụ lý"), _("Của tôi (kể cả hồ sơ của người tôi làm thay)")))
    elif filters.assignee:
        officer = User.objects.filter(pk=int(filters.assignee)).first()
        described.append((_("Cán bộ thụ lý"), str(officer) if officer else "—"))
    if filters.clock:
        label = str(dict(board.CLOCK_CHOICES)[filters.clock])
        if filters.clock == board.CLOCK_DUE:
            label = _("Đến hạn thẩm định trong %(n)s ngày làm việc") % {"n": filters.within}
        described.append((_("Thời hạn thẩm định"), label))
    return described


@login_required
@require_POST
def dossier_bulk(request):
    """A bulk action on every dossier of the posted filter: export at once; receive or assign after a confirmation
    that says how many dossiers it will touch (asked again if that number changed meanwhile), then now or, over the
    threshold, as a background job."""
    user = request.user
    filters = DossierFilters.from_params(request.POST)
    back = _list_url(filters)
    action = request.POST.get("action", "")
    offered = dict(board.actions_for(user))
    if action not in offered:
        messages.error(request, _("Hãy chọn thao tác."))
        return redirect(back)
    if action == board.EXPORT:
        result = board.bulk_apply(board.EXPORT, filters, actor=user)
        response = HttpResponse(result.content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="ho-so-de-nghi-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    officer = None
    reason = (request.POST.get("reason") or "").strip()[:500]
    if action == board.ASSIGN:
        officer_pk = request.POST.get("officer", "")
        officer = board.board_officers().filter(pk=officer_pk).first() if officer_pk.isdigit() else None
        if officer is None:
            messages.error(request, _("Hãy chọn chuyên viên được phân công thụ lý."))
            return redirect(back)
        if getattr(user, "role", None) != Role.BOARD_HEAD and officer.pk != user.pk:
            messages.error(
                request, _("Chuyên viên chỉ nhận thụ lý hồ sơ cho chính mình; lãnh đạo Sở phân công cho người khác.")
            )
            return redirect(back)
    count = board.filtered_dossiers(user, filters).count()
    if not count:
        messages.warning(request, _("Không có hồ sơ nào phù hợp với bộ lọc."))
        return redirect(back)
    confirmed = bool(request.POST.get("confirm"))
    if not confirmed or request.POST.get("expected") != str(count):
        return render(
            request,
            "nominations/bulk_confirm.html",
            {
                "action": action,
                "action_label": offered[action],
                "count": count,
                "changed": confirmed,
                "filters": filters,
                "described": _describe(filters, user),
                "officer": officer,
                "reason": reason,
                "background": count > board.background_threshold(),
                "back": back,
            },
        )
    try:
        outcome = board.start_bulk(action, filters, actor=user, officer=officer, reason=reason)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if isinstance(outcome, BulkJob):
        messages.info(
            request,
            _("Đang thực hiện nền cho %(n)s hồ sơ; trang này tự cập nhật tiến độ.") % {"n": outcome.total},
        )
        return redirect("nominations:bulk_job", outcome.pk)
    (messages.warning if outcome.refused else messages.success)(request, outcome.summary())
    return redirect(back)


@login_required
def bulk_job(request, pk):
    job = get_object_or_404(board.visible_jobs(request.user), pk=pk)
    filters = DossierFilters.from_params(job.filters)
    summary = ""
    if job.state == BulkJob.State.DONE:
        summary = board.summary_text(job.action, job.succeeded, job.unchanged, job.refused_count, [])
    return render(
        request,
        "nominations/bulk_job.html",
        {
            "job": job,
            "refresh": job.running,
            "summary": summary,
            "described": _describe(filters, request.user),
            "back": _list_url(filters),
        },
    )


@login_required
@require_POST
def dossier_assign(request, pk):
    """Assign one dossier from its row: the board's head to any officer, an officer to themselves."""
    dossier = get_object_or_404(
        scope(request.user, Dossier.objects.select_related("campaign", "unit", "deciding_unit", "assignee")), pk=pk
    )
    officer_pk = request.POST.get("officer", "")
    officer = User.objects.filter(pk=officer_pk).first() if officer_pk.isdigit() else None
    reason = (request.POST.get("reason") or "").strip()
    perform(
        request,
        lambda: board.assign_dossier(dossier, officer, actor=request.user, reason=reason),
        success=_("Hồ sơ “%(d)s”: %(o)s thụ lý.") % {"d": dossier, "o": officer or "—"},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("nominations:dossier_list")
    return redirect(target)
