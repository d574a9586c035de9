from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.audit import events_for
from workflows.web import require_perm

from ..forms import BaseSalaryForm, RuleSetCopyForm, RuleValueForm
from ..models import AwardType, BaseSalary, RequiredDocument, RuleSet
from ..services import rulesets as rules_service

# --- Rule sets (căn cứ pháp lý): the administrator edits and confirms; the board and auditors read -------------

RULE_SET_FIELDS = (
    "name",
    "legal_basis",
    "valid_from",
    "valid_to",
    "appraisal_working_days",
    "council_quorum",
    "council_attendance",
    "money_rounding",
)
AWARD_TYPE_FIELDS = (
    "name",
    "legal_reference",
    "coefficient_individual",
    "coefficient_collective",
    "coefficient_household",
    "vote_threshold",
    "vote_base",
    "min_campaign_months",
    "thematic_only",
)
DOCUMENT_FIELDS = ("name", "per_nominee", "formats")
BASE_SALARY_FIELDS = ("amount", "valid_from", "legal_basis")


def _next_url(request, default: str) -> str:
    """The ``next`` parameter when it points back into this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _home_of_value(obj) -> str:
    """The page that shows ``obj``: its rule set, or the base salary list."""
    if isinstance(obj, BaseSalary):
        return reverse("competition:base_salary_list")
    if isinstance(obj, AwardType):
        obj = obj.rule_set
    elif isinstance(obj, RequiredDocument):
        obj = obj.award_type.rule_set
    return reverse("competition:ruleset_detail", args=[obj.pk])


def _value_cells(obj, fields, *, can_change: bool) -> list[dict]:
    """What a page shows for each value: label, display, confirmed or what it blocks, edit and confirm links."""
    model = type(obj)
    editable = rules_service.editable_fields(model)
    cells = []
    for field in fields:
        confirmed = obj.is_confirmed(field)
        args = [model._meta.model_name, obj.pk, field]
        cells.append(
            {
                "field": field,
                "label": capfirst(rules_service.field_label(model, field)),
                "display": rules_service.display_value(obj, field),
                "confirmed": confirmed,
                "tracked": rules_service.is_confirmable(obj, field),
                "blocks": "" if confirmed else rules_service.blocks_of(model, field),
                "edit_url": reverse("competition:ruleset_value_edit", args=args)
                if can_change and field in editable
                else "",
                "confirm_url": reverse("competition:ruleset_value_confirm", args=args)
                if can_change and not confirmed
                else "",
            }
        )
    return cells


def _unconfirmed_count(rule_set: RuleSet) -> int:
    count = len(rule_set.unconfirmed)
    for award in rule_set.award_types.all():
        count += len(award.unconfirmed) + sum(len(d.unconfirmed) for d in award.required_documents.all())
    return count


@login_required
def ruleset_list(request):
    require_perm(request.user, "competition.view_ruleset")
    today = timezone.localdate()
    in_force = rules_service.rule_set_in_force(today)
    rule_sets = RuleSet.objects.prefetch_related("award_types__required_documents").order_by("-valid_from")
    rows = [{"rule_set": rs, "in_force": rs == in_force, "unconfirmed": _unconfirmed_count(rs)} for rs in rule_sets]
    return render(
        request,
        "competition/ruleset_list.html",
        {
            "rows": rows,
            "today": today,
            "salary": rules_service.base_salary_on(today),
            "unconfirmed_total": len(rules_service.unconfirmed_values()),
            "can_change": request.user.has_perm("competition.change_ruleset"),
        },
    )


@login_required
def ruleset_detail(request, pk):
    require_perm(request.user, "competition.view_ruleset")
    rule_set = get_object_or_404(RuleSet, pk=pk)
    can_change = request.user.has_perm("competition.change_ruleset")
    awards = [
        {
            "award": award,
            "cells": _value_cells(award, AWARD_TYPE_FIELDS, can_change=can_change),
            "documents": [
                {"document": doc, "cells": _value_cells(doc, DOCUMENT_FIELDS, can_change=can_change)}
                for doc in award.required_documents.all()
            ],
        }
        for award in rule_set.award_types.prefetch_related("required_documents")
    ]
    return render(
        request,
        "competition/ruleset_detail.html",
        {
            "rule_set": rule_set,
            "cells": _value_cells(rule_set, RULE_SET_FIELDS, can_change=can_change),
            "awards": awards,
            "in_force": rules_service.rule_set_in_force(timezone.localdate()) == rule_set,
            "can_change": can_change,
            "events": events_for(rule_set).order_by("-sequence")[:30],
        },
    )


def _rule_value(model_name: str, pk: int, field: str):
    model = rules_service.RULE_MODELS.get(model_name)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=pk)
    try:
        model._meta.get_field(field)
    except FieldDoesNotExist as exc:
        raise Http404 from exc
    return obj


@login_required
def ruleset_value_edit(request, model, pk, field):
    require_perm(request.user, "competition.change_ruleset")
    obj = _rule_value(model, pk, field)
    if field not in rules_service.editable_fields(type(obj)):
        raise Http404
    back = _next_url(request, _home_of_value(obj))
    form = RuleValueForm(
        request.POST or None,
        initial={"value": rules_service.input_value(obj, field)},
        model_field=obj._meta.get_field(field),
        confirmable=rules_service.is_confirmable(obj, field),
    )
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data.get("confirm", False)
        try:
            rules_service.update_value(obj, field, form.cleaned_data["value"], actor=request.user, confirm=confirm)
        except ValidationError as exc:
            form.add_error("value", exc)
        else:
            label = rules_service.field_label(type(obj), field)
            messages.success(request, _("Đã lưu “%(label)s”.") % {"label": label})
            return redirect(back)
    return render(
        request,
        "competition/ruleset_value_form.html",
        {
            "obj": obj,
            "context": rules_service.context_of(obj),
            "form": form,
            "label": capfirst(rules_service.field_label(type(obj), field)),
            "current": rules_service.display_value(obj, field),
            "confirmed": obj.is_confirmed(field),
            "blocks": rules_service.blocks_of(type(obj), field),
            "back": back,
        },
    )


@login_required
@require_POST
def ruleset_value_confirm(request, model, pk, field):
    require_perm(request.user, "competition.change_ruleset")
    obj = _rule_value(model, pk, field)
    label = rules_service.field_label(type(obj), field)
    try:
        rules_service.confirm_value(obj, field, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xác nhận “%(label)s” của “%(obj)s”.") % {"label": label, "obj": obj})
    return redirect(_next_url(request, _home_of_value(obj)))


@login_required
def unconfirmed_value_list(request):
    require_perm(request.user, "competition.view_ruleset")
    return render(
        request,
        "competition/unconfirmed_values.html",
        {
            "rows": rules_service.unconfirmed_values(),
            "can_change": request.user.has_perm("competition.change_ruleset"),
        },
    )


@login_required
def base_salary_list(request):
    require_perm(request.user, "competition.view_ruleset")
    can_change = request.user.has_perm("competition.change_ruleset")
    form = None
    if request.method == "POST":
        require_perm(request.user, "competition.change_ruleset")
        form = BaseSalaryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                salary = rules_service.add_base_salary(
                    amount=data["amount"],
                    valid_from=data["valid_from"],
                    legal_basis=data["legal_basis"],
                    confirm=data["confirm"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã thêm mức lương cơ sở %(salary)s.") % {"salary": salary})
                return redirect("competition:base_salary_list")
    elif can_change:
        form = BaseSalaryForm()
    today = timezone.localdate()
    current = rules_service.base_salary_on(today)
    rows = [
        {"salary": s, "current": s == current, "cells": _value_cells(s, BASE_SALARY_FIELDS, can_change=can_change)}
        for s in BaseSalary.objects.order_by("-valid_from")
    ]
    return render(request, "competition/base_salary_list.html", {"rows": rows, "form": form, "can_change": can_change})


@login_required
def ruleset_copy(request, pk):
    require_perm(request.user, "competition.change_ruleset")
    source = get_object_or_404(RuleSet, pk=pk)
    form = RuleSetCopyForm(request.POST or None, initial={"legal_basis": source.legal_basis})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copy = rules_service.copy_rule_set(
                source,
                code=data["code"],
                name=data["name"],
                valid_from=data["valid_from"],
                legal_basis=data["legal_basis"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã tạo bộ quy định “%(rs)s”. Mọi giá trị đang chưa xác nhận: hãy đối chiếu và xác nhận.")
                % {"rs": copy},
            )
            return redirect("competition:ruleset_detail", copy.pk)
    return render(request, "competition/ruleset_copy.html", {"source": source, "form": form})
