"""The board's page of a campaign's award quotas (domain rule 11): what each award form allows and what is used,
and the form that sets one award form's quota through ``nominations.services.quotas.set_quota``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import Campaign
from competition.scoping import scope
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.web import require_perm

from .models import NominationQuota
from .services import quotas as quota_services


def _field(name: str, *, inputmode: str, help_text=None) -> forms.CharField:
    model_field = NominationQuota._meta.get_field(name)
    return forms.CharField(
        label=capfirst(model_field.verbose_name),
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": inputmode, "autocomplete": "off"}),
    )


class QuotaForm(forms.Form):
    """Raw values: the service parses and checks them (``quotas.clean_quota_values``) and says what to fix."""

    max_per_unit_individual = _field(
        "max_per_unit_individual", inputmode="numeric", help_text=gettext_lazy("Để trống: không giới hạn.")
    )
    max_per_unit_collective = _field(
        "max_per_unit_collective", inputmode="numeric", help_text=gettext_lazy("Để trống: không giới hạn.")
    )
    max_campaign_individual = _field(
        "max_campaign_individual", inputmode="numeric", help_text=gettext_lazy("Để trống: không giới hạn.")
    )
    max_campaign_collective_percent = _field(
        "max_campaign_collective_percent",
        inputmode="decimal",
        help_text=gettext_lazy(
            "Ví dụ 10: số tập thể được đề nghị không quá 10 phần trăm số đơn vị tham gia, làm tròn xuống, ít nhất 1."
        ),
    )
    min_direct_worker_share = _field(
        "min_direct_worker_share",
        inputmode="decimal",
        help_text=NominationQuota._meta.get_field("min_direct_worker_share").help_text,
    )
    required_classes = forms.MultipleChoiceField(
        label=capfirst(NominationQuota._meta.get_field("required_classes").verbose_name),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Không chọn mức nào: không yêu cầu xếp loại."),
    )
    basis = forms.CharField(
        label=capfirst(NominationQuota._meta.get_field("basis").verbose_name),
        required=False,
        max_length=NominationQuota._meta.get_field("basis").max_length,
        help_text=NominationQuota._meta.get_field("basis").help_text,
    )

    def __init__(self, *args, class_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_classes"].choices = list(class_choices)


def _initial(quota: NominationQuota | None) -> dict:
    if quota is None:
        return {}
    initial = {}
    for name in quota_services.COUNT_FIELDS:
        value = getattr(quota, name)
        initial[name] = "" if value is None else str(value)
    for name in quota_services.PERCENT_FIELDS:
        value = getattr(quota, name)
        initial[name] = "" if value is None else quota_services.percent_text(value)
    initial["required_classes"] = list(quota.required_classes or [])
    initial["basis"] = quota.basis
    return initial


def _campaign(request, campaign_pk: int) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.select_related("rule_set")), pk=campaign_pk)


@login_required
def quota_list(request, campaign_pk):
    """The campaign's quotas per award form, what is used, per unit and campaign-wide (board and coordinators)."""
    require_perm(request.user, "nominations.view_nominationquota")
    campaign = _campaign(request, campaign_pk)
    require_perm(request.user, "nominations.view_nominationquota", campaign)
    return render(
        request,
        "nominations/quota_list.html",
        {
            "campaign": campaign,
            "summaries": quota_services.quota_summary(campaign),
            "can_change": request.user.has_perm("nominations.change_nominationquota", campaign),
        },
    )


@login_required
def quota_edit(request, campaign_pk, code):
    """The board sets the quota of one award form of the campaign."""
    require_perm(request.user, "nominations.change_nominationquota")
    campaign = _campaign(request, campaign_pk)
    require_perm(request.user, "nominations.change_nominationquota", campaign)
    summary = next((s for s in quota_services.quota_summary(campaign) if s.code == code), None)
    if summary is None:
        raise Http404
    class_choices = [(c, f"{label} ({c})") for c, label in quota_services.campaign_class_labels(campaign).items()]
    if request.method == "POST":
        form = QuotaForm(request.POST, class_choices=class_choices)
        if form.is_valid():
            try:
                quota_services.set_quota(campaign, code, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            except (TransitionRefused, TransitionForbidden) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Đã lưu chỉ tiêu khen thưởng của “%(award)s”.") % {"award": summary.name})
                return redirect("nominations:quota_list", campaign_pk=campaign.pk)
    else:
        form = QuotaForm(initial=_initial(summary.quota), class_choices=class_choices)
    return render(
        request,
        "nominations/quota_form.html",
        {"campaign": campaign, "summary": summary, "form": form},
    )
