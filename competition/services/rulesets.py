"""Rule sets: which legal basis is in force on a date, and the values it holds."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import AwardType, BaseSalary, RuleSet


def rule_set_in_force(day: date) -> RuleSet | None:
    """The rule set whose validity period contains ``day`` (domain rule 1)."""
    return (
        RuleSet.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .first()
    )


def base_salary_on(day: date) -> BaseSalary | None:
    """The base salary in force on ``day``: the latest row that started on or before it."""
    return BaseSalary.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def award_types_by_code(rule_set: RuleSet, codes: list[str]) -> dict[str, AwardType]:
    return {a.code: a for a in rule_set.award_types.filter(code__in=codes)}


def award_form_problems(rule_set: RuleSet, codes: list[str], *, duration_months: int, thematic: bool) -> list[str]:
    """Why the campaign's award forms cannot be used under ``rule_set`` (domain rule 2), as messages."""
    problems = []
    found = award_types_by_code(rule_set, codes)
    for code in codes:
        award = found.get(code)
        if award is None:
            problems.append(
                _("Hình thức “%(code)s” không có trong bộ quy định “%(rs)s”.") % {"code": code, "rs": rule_set}
            )
            continue
        if duration_months < award.min_campaign_months:
            problems.append(
                _("“%(award)s” cần phong trào kéo dài ít nhất %(min)s tháng; phong trào này %(months)s tháng.")
                % {"award": award, "min": award.min_campaign_months, "months": duration_months}
            )
        if award.thematic_only and not thematic:
            problems.append(_("“%(award)s” chỉ dành cho phong trào theo chuyên đề.") % {"award": award})
    return problems


def unconfirmed_values() -> list[dict]:
    """Every value the board has not confirmed, with what it blocks (architecture principle 1)."""
    from ..models import RequiredDocument

    rows = []
    for model in (RuleSet, AwardType, RequiredDocument, BaseSalary):
        for obj in model.objects.exclude(unconfirmed=[]):
            for field in obj.unconfirmed:
                rows.append({
                    "object": obj,
                    "model": model._meta.verbose_name,
                    "field": field,
                    "label": model._meta.get_field(field).verbose_name,
                    "value": getattr(obj, field),
                    "blocks": model.CONFIRMABLE.get(field, ""),
                })
    return rows
