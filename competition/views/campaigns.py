from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from workflows import transition
from workflows.audit import events_for
from workflows.door import allowed_transitions, transition_label
from workflows.inbox import inbox_for
from workflows.models import Notification
from workflows.web import perform, require_perm

from ..enums import CampaignState
from ..forms import CampaignForm, IndicatorFormSet, ParticipantsForm
from ..models import Campaign, Enrolment
from ..scoping import scope, user_unit
from ..services.campaigns import launch_campaign, save_campaign, set_indicators, set_participants


def _with_unit_counts(campaigns):
    # A subquery, not Count() over the join: the scoping filter of a unit user joins the enrolments already.
    per_campaign = (
        Enrolment.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("pk"))
    )
    return campaigns.annotate(n_units=Coalesce(Subquery(per_campaign.values("n")), 0))


# The home page shows the oldest few of the waiting work and the count per step; the inbox page has the rest.
HOME_INBOX_ROWS = 10


@login_required
def home(request):
    user = request.user
    campaigns = _with_unit_counts(scope(user, Campaign.objects.all()))
    context = {
        "unit": user_unit(user),
        "campaigns": campaigns,
        "notifications": Notification.objects.filter(recipient=user)[:8],
        "inbox": inbox_for(user, limit=HOME_INBOX_ROWS),
        "can_add_campaign": user.has_perm("competition.add_campaign"),
    }
    if user.role == Role.ADMIN or user.is_superuser:
        from ..services.rulesets import unconfirmed_values

        context["unconfirmed_count"] = len(unconfirmed_values())
    return render(request, "competition/home.html", context)


@login_required
def campaign_list(request):
    campaigns = _with_unit_counts(scope(request.user, Campaign.objects.all()))
    state = request.GET.get("state")
    if state in CampaignState.values:
        campaigns = campaigns.filter(state=state)
    return render(
        request,
        "competition/campaign_list.html",
        {
            "campaigns": campaigns,
            "states": CampaignState.choices,
            "state": state,
            "can_add_campaign": request.user.has_perm("competition.add_campaign"),
        },
    )


def _visible_campaign(request, pk) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.select_related("rule_set")), pk=pk)


@login_required
def campaign_detail(request, pk):
    campaign = _visible_campaign(request, pk)
    actions = [
        (name, transition_label(getattr(campaign, name))) for name in allowed_transitions(campaign, request.user)
    ]
    enrolments = scope(request.user, campaign.enrolments.select_related("unit"))
    return render(
        request,
        "competition/campaign_detail.html",
        {
            "campaign": campaign,
            "indicators": campaign.indicators.select_related("parent"),
            "enrolments": enrolments,
            "actions": actions,
            "blocked_launch": campaign.state == CampaignState.DRAFT and "launch" not in dict(actions),
            "can_edit": request.user.has_perm("competition.change_campaign", campaign),
            # Unit plans (views/plans.py): the unit's own plan for enrolled unit users, the status table for the board.
            "plan_link": campaign.state != CampaignState.DRAFT
            and request.user.is_unit_user
            and any(e.unit_id == getattr(user_unit(request.user), "pk", None) for e in enrolments),
            "can_see_plan_status": campaign.state != CampaignState.DRAFT
            and request.user.has_perm("competition.view_plan_status"),
            "events": events_for(campaign)
            if request.user.is_campaign_wide or request.user.role == Role.AUDITOR
            else [],
        },
    )


@login_required
def campaign_edit(request, pk=None):
    campaign = _visible_campaign(request, pk) if pk else None
    require_perm(request.user, "competition.change_campaign" if campaign else "competition.add_campaign", campaign)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if perform(
            request,
            lambda: save_campaign(obj, actor=request.user, changed=form.changed_data),
            success=_("Đã lưu phong trào."),
        ):
            return (
                redirect("competition:campaign_detail", obj.pk)
                if campaign
                else redirect("competition:campaign_indicators", obj.pk)
            )
    return render(request, "competition/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_indicators(request, pk):
    campaign = _visible_campaign(request, pk)
    require_perm(request.user, "competition.change_campaign", campaign)
    initial = [
        {
            "code": i.code,
            "name": i.name,
            "numerator_label": i.numerator_label,
            "denominator_label": i.denominator_label,
            "target_percent": i.target_percent,
            "parent_code": i.parent.code if i.parent else "",
        }
        for i in campaign.indicators.select_related("parent")
    ]
    formset = IndicatorFormSet(request.POST or None, initial=initial, prefix="ind")
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if perform(
            request,
            lambda: set_indicators(campaign, rows, actor=request.user),
            success=_("Đã lưu %(n)s chỉ tiêu.") % {"n": len(rows)},
        ):
            return redirect("competition:campaign_participants", campaign.pk)
    return render(request, "competition/campaign_indicators.html", {"campaign": campaign, "formset": formset})


@login_required
def campaign_participants(request, pk):
    campaign = _visible_campaign(request, pk)
    require_perm(request.user, "competition.change_campaign", campaign)
    initial = {"units": list(campaign.units.all())}
    form = ParticipantsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        units = form.selected_units()
        if perform(
            request,
            lambda: set_participants(campaign, units, actor=request.user),
            success=_("Đã chọn %(n)s đơn vị tham gia.") % {"n": len(units)},
        ):
            return redirect("competition:campaign_detail", campaign.pk)
    return render(request, "competition/campaign_participants.html", {"campaign": campaign, "form": form})


@login_required
@require_POST
def campaign_transition(request, pk, name):
    campaign = _visible_campaign(request, pk)
    if name not in ("launch", "start_summary", "close"):
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect("competition:campaign_detail", pk)
    label = transition_label(getattr(campaign, name))
    if name == "launch":
        action = lambda: launch_campaign(campaign, actor=request.user)  # noqa: E731
    else:
        action = lambda: transition(campaign, name, actor=request.user, reason=request.POST.get("reason", ""))  # noqa: E731
    perform(request, action, success=_("%(action)s: thành công.") % {"action": label})
    return redirect("competition:campaign_detail", pk)
