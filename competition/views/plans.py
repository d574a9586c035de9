"""Thin views of unit plans: a unit's own plan (draft, upload, submit), the board's review and its status table.

(The two forms live here, not in competition/forms.py, to keep this area in one module while it is young.)
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.audit import events_for
from workflows.door import allowed_transitions, transition_label
from workflows.web import perform, require_perm, stored_file_response

from ..forms import PlanForm, ReturnForm
from ..models import Campaign, UnitPlan
from ..scoping import scope, user_unit
from ..services import plans as plan_services


def _plan(request, pk) -> UnitPlan:
    qs = UnitPlan.objects.select_related("campaign", "unit")
    return get_object_or_404(scope(request.user, qs), pk=pk)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


@login_required
def plan_mine(request, pk):
    """The "Kế hoạch" link of a campaign for a unit user: the unit's plan, started on the clerk's first save."""
    campaign = get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)
    unit = user_unit(request.user)
    if unit is None:
        raise PermissionDenied
    plan = UnitPlan.objects.filter(campaign=campaign, unit=unit).first()
    if plan is not None:
        return redirect("competition:plan_detail", plan.pk)
    if not request.user.has_perm("competition.add_unitplan", campaign):
        messages.info(
            request, _("Đơn vị chưa có kế hoạch trong phong trào này; cán bộ thi đua của đơn vị lập và gửi.")
        )
        return redirect("competition:campaign_detail", campaign.pk)
    indicators = list(campaign.indicators.all())
    form = PlanForm(request.POST or None, request.FILES or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        created = {}

        def create():
            from django.db import transaction

            with transaction.atomic():
                created["plan"] = plan_services.start_plan(campaign, unit=unit, actor=request.user)
                plan_services.save_plan_draft(created["plan"], actor=request.user, **form.cleaned_data)

        if perform(request, create, success=_("Đã lưu kế hoạch. Kiểm tra lại rồi bấm “Gửi kế hoạch”.")):
            return redirect("competition:plan_detail", created["plan"].pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(request, "competition/plan_form.html", {"campaign": campaign, "unit": unit, "form": form})


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    user = request.user
    can_edit = user.has_perm("competition.change_unitplan", plan)
    indicators = list(plan.campaign.indicators.all())
    if request.method == "POST":
        require_perm(user, "competition.change_unitplan", plan)
        form = PlanForm(request.POST, request.FILES, indicators=indicators)
        if form.is_valid():
            if perform(
                request,
                lambda: plan_services.save_plan_draft(plan, actor=user, **form.cleaned_data),
                success=_("Đã lưu kế hoạch."),
            ):
                return redirect("competition:plan_detail", pk)
        else:
            _form_errors(request, form)
    else:
        form = PlanForm(
            initial={
                "number": plan.number,
                "date": plan.date.isoformat() if plan.date else None,
                "adopted_codes": plan.adopted_codes,
            },
            indicators=indicators,
        )
    actions = [(name, transition_label(getattr(plan, name))) for name in allowed_transitions(plan, user)]
    names = {i.code: i.name for i in indicators}
    return render(
        request,
        "competition/plan_detail.html",
        {
            "plan": plan,
            "campaign": plan.campaign,
            "adopted": [(c, names.get(c, "")) for c in plan.adopted_codes],
            "versions": plan.versions.select_related("submitted_by").order_by("-version"),
            "actions": actions,
            "can_edit": can_edit,
            "form": form,
            "return_form": ReturnForm(),
            "events": events_for(plan),
        },
    )


STEPS = {"submit": plan_services.submit_plan, "accept": plan_services.accept_plan}


@login_required
@require_POST
def plan_transition(request, pk, name):
    plan = _plan(request, pk)
    if name == "send_back":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Hãy ghi lý do trả lại và nội dung đơn vị cần hoàn thiện."))
            return redirect("competition:plan_detail", pk)
        action = lambda: plan_services.return_plan(plan, actor=request.user, reason=form.cleaned_data["reason"])  # noqa: E731
    elif name in STEPS:
        action = lambda: STEPS[name](plan, actor=request.user)  # noqa: E731
    else:
        raise Http404
    label = transition_label(getattr(plan, name))
    perform(request, action, success=_("%(action)s: thành công.") % {"action": label})
    return redirect("competition:plan_detail", pk)


@login_required
def plan_document(request, pk, version=None):
    """The plan's document (or one submitted version's), for whoever may see the plan."""
    plan = _plan(request, pk)
    if version is None:
        stored, name = plan.document, plan.document_name
    else:
        v = get_object_or_404(plan.versions, version=version)
        stored, name = v.document, v.file_name
    return stored_file_response(stored, name)


def _plan_rows(request, pk):
    campaign = get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)
    require_perm(request.user, "competition.view_plan_status")
    enrolments = scope(request.user, campaign.enrolments.select_related("unit"))
    return campaign, plan_services.plan_status(campaign, enrolments)


@login_required
def plan_status(request, pk):
    """The board's table: every enrolled unit with its plan's state (or missing) and whether it came late."""
    campaign, rows = _plan_rows(request, pk)
    return render(
        request,
        "competition/plan_status.html",
        {"campaign": campaign, "rows": rows, **plan_services.plan_summary(rows)},
    )


@login_required
def plan_status_export(request, pk):
    campaign, rows = _plan_rows(request, pk)
    response = HttpResponse(
        plan_services.plan_status_xlsx(campaign, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{campaign.code}.xlsx"'
    return response
