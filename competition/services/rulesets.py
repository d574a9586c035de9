"""Rule sets: which legal basis is in force on a date, the values it holds, and how the administrator keeps them.

Every change here is audited (payload: field, old value, new value). Permissions are checked by the caller (the
view): ``competition.change_ruleset`` for every function that writes.
"""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows import audit

from ..enums import SubjectKind
from ..models import AwardType, BaseSalary, RequiredDocument, RuleSet

# --- Which values exist, which may be edited ------------------------------------------------------------------

RULE_MODELS: dict[str, type[models.Model]] = {
    m._meta.model_name: m for m in (RuleSet, AwardType, RequiredDocument, BaseSalary)
}

# Fields editable through the generic value page besides each model's ``CONFIRMABLE``.
EDITABLE_EXTRA: dict[type[models.Model], tuple[str, ...]] = {
    RuleSet: ("name", "legal_basis", "valid_from", "valid_to"),
    AwardType: ("name", "legal_reference", "thematic_only"),
    RequiredDocument: ("per_nominee", "mandatory", "formats"),
    BaseSalary: ("legal_basis", "valid_from"),
}

# What an unconfirmed value of a field outside ``CONFIRMABLE`` affects (the seed may mark them unconfirmed).
EXTRA_BLOCKS: dict[type[models.Model], dict[str, str]] = {
    RuleSet: {
        "valid_from": gettext_lazy("chọn bộ quy định áp dụng cho phong trào, hồ sơ quanh ngày bắt đầu hiệu lực"),
        "valid_to": gettext_lazy("chọn bộ quy định áp dụng cho phong trào, hồ sơ quanh ngày hết hiệu lực"),
        "legal_basis": gettext_lazy("phần “Căn cứ” của quyết định khen thưởng"),
    },
}

SHARE_FIELDS = frozenset({"council_quorum", "council_attendance", "vote_threshold"})
COEFFICIENT_FIELDS: dict[str, str] = {
    SubjectKind.INDIVIDUAL: "coefficient_individual",
    SubjectKind.COLLECTIVE: "coefficient_collective",
    SubjectKind.HOUSEHOLD: "coefficient_household",
}
# Integer fields that must be above zero (others may be zero: "no minimum", "first").
POSITIVE_FIELDS = frozenset({"appraisal_working_days", "money_rounding", "amount"})
MONEY_FIELDS = frozenset({"amount", "money_rounding"})


def editable_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(model.CONFIRMABLE) + tuple(f for f in EDITABLE_EXTRA.get(model, ()) if f not in model.CONFIRMABLE)


def is_confirmable(obj: models.Model, field: str) -> bool:
    """Whether confirming makes sense for ``field``: it is tracked by the model, or marked by the seed."""
    return field in type(obj).CONFIRMABLE or field in obj.unconfirmed


def blocks_of(model: type[models.Model], field: str) -> str:
    return str(model.CONFIRMABLE.get(field) or EXTRA_BLOCKS.get(model, {}).get(field, ""))


def field_label(model: type[models.Model], field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _check_editable(obj: models.Model, field: str) -> None:
    if field not in editable_fields(type(obj)):
        raise ValidationError(
            _("Trường “%(field)s” của %(model)s không sửa được ở đây.")
            % {"field": field, "model": type(obj)._meta.verbose_name}
        )


# --- Reading, parsing and showing values ----------------------------------------------------------------------


def context_of(obj: models.Model) -> str:
    """Where a value sits, for lists: "rule set › award type"."""
    if isinstance(obj, AwardType):
        return f"{obj.rule_set} › {obj}"
    if isinstance(obj, RequiredDocument):
        return f"{obj.award_type.rule_set} › {obj.award_type} › {obj}"
    return str(obj)


def display_value(obj: models.Model, field: str) -> str:
    """A value as a Vietnamese reader expects it (shares in percent, money with dots, dates dd/mm/yyyy)."""
    model_field = obj._meta.get_field(field)
    value = getattr(obj, field)
    if value is None or value == "":
        return _("(chưa có)")
    if model_field.choices:
        return str(getattr(obj, f"get_{field}_display")())
    if isinstance(model_field, models.BooleanField):
        return _("Có") if value else _("Không")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if field in SHARE_FIELDS:
        return f"{number_format(value * 100, decimal_pos=2, use_l10n=True).rstrip('0').rstrip(',.')}%"
    if field in MONEY_FIELDS:
        return _("%(amount)s đồng") % {"amount": f"{value:,}".replace(",", ".")}
    if isinstance(value, Decimal):
        return number_format(value.normalize(), use_l10n=True)
    return str(value)


def input_value(obj: models.Model, field: str) -> str:
    """The current value as the edit form shows it (what ``clean_value`` reads back unchanged)."""
    value = getattr(obj, field)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _jsonable(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


_INT_RE = re.compile(r"^\d+$|^\d{1,3}([.,\s]\d{3})+$")


def _parse_decimal(label: str, raw, *, share: bool) -> tuple[Decimal, bool]:
    """Parse ``raw`` to a Decimal. Returns (value, rounded_allowed): fractions and percents may be rounded."""
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        return Decimal(str(raw)), False
    text = str(raw).strip().replace(" ", "")
    error = ValidationError(
        _("“%(label)s” phải là một số, ví dụ 1,5 hoặc 0.3 (nhận được “%(raw)s”).") % {"label": label, "raw": raw}
    )
    if share and text.endswith("%"):
        number, _rounded = _parse_decimal(label, text[:-1], share=False)
        return number / 100, True
    if share and text.count("/") == 1:
        top, bottom = text.split("/")
        try:
            numerator, denominator = Decimal(top), Decimal(bottom)
        except InvalidOperation:
            raise error from None
        if denominator == 0:
            raise error
        return numerator / denominator, True
    if "," in text and "." in text:
        text = text.replace(".", "")  # 1.234,5 written the Vietnamese way
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise error from None
    if not value.is_finite():
        raise error
    return value, False


def _parse_int(label: str, raw) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    if not _INT_RE.match(text):
        raise ValidationError(
            _("“%(label)s” phải là số nguyên, ví dụ 20 hoặc 2.340.000 (nhận được “%(raw)s”).")
            % {"label": label, "raw": raw}
        )
    return int(re.sub(r"[.,\s]", "", text))


def parse_date(label: str, raw) -> date:
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(label)s” phải là một ngày dạng ngày/tháng/năm, ví dụ 01/07/2025 (nhận được “%(raw)s”).")
        % {"label": label, "raw": raw}
    )


def clean_value(model: type[models.Model], field: str, raw):
    """Convert and validate a value for ``model.field`` (a string from a form, or an already typed value).

    Raises ``ValidationError`` with a Vietnamese message saying what to fix.
    """
    model_field = model._meta.get_field(field)
    label = str(model_field.verbose_name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if model_field.null:
            return None
        if isinstance(model_field, models.CharField | models.TextField) and model_field.blank:
            return ""
        raise ValidationError(_("“%(label)s” không được để trống.") % {"label": label})
    if model_field.choices:
        value = str(raw).strip()
        allowed = dict(model_field.flatchoices)
        if value not in allowed:
            raise ValidationError(
                _("“%(label)s” phải là một trong: %(choices)s.")
                % {"label": label, "choices": ", ".join(str(v) for v in allowed.values())}
            )
        return value
    if isinstance(model_field, models.BooleanField):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "1", "on", "yes", "có", "co"}:
            return True
        if text in {"false", "0", "off", "no", "không", "khong"}:
            return False
        raise ValidationError(_("“%(label)s”: hãy chọn Có hoặc Không.") % {"label": label})
    if isinstance(model_field, models.DecimalField):
        return _clean_decimal(model_field, field, label, raw)
    if isinstance(model_field, models.IntegerField):
        value = _parse_int(label, raw)
        if field in POSITIVE_FIELDS and value <= 0:
            raise ValidationError(_("“%(label)s” phải lớn hơn 0.") % {"label": label})
        if value < 0:
            raise ValidationError(_("“%(label)s” không được âm.") % {"label": label})
        return value
    if isinstance(model_field, models.DateField):
        return parse_date(label, raw)
    value = str(raw).strip()
    if model_field.max_length and len(value) > model_field.max_length:
        raise ValidationError(
            _("“%(label)s” dài quá %(n)s ký tự; hãy rút gọn.") % {"label": label, "n": model_field.max_length}
        )
    return value


def _clean_decimal(model_field: models.DecimalField, field: str, label: str, raw) -> Decimal:
    share = field in SHARE_FIELDS
    value, rounding_allowed = _parse_decimal(label, raw, share=share)
    places = model_field.decimal_places
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum, rounding=ROUND_HALF_UP):
        if not rounding_allowed:
            raise ValidationError(
                _("“%(label)s” chỉ được có tối đa %(n)s chữ số thập phân.") % {"label": label, "n": places}
            )
        value = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if share and not (0 < value <= 1):
        raise ValidationError(
            _("“%(label)s” là một tỷ lệ: hãy nhập số lớn hơn 0 và không quá 1 (ví dụ 0,8), hoặc 80%%, hoặc 2/3.")
            % {"label": label}
        )
    if not share and value <= 0:
        raise ValidationError(
            _("“%(label)s” phải lớn hơn 0; để trống nếu chưa biết.") % {"label": label}
            if model_field.null
            else _("“%(label)s” phải lớn hơn 0.") % {"label": label}
        )
    if value >= Decimal(10) ** (model_field.max_digits - places):
        raise ValidationError(_("“%(label)s” quá lớn.") % {"label": label})
    return value


# --- Which rule set, which salary ------------------------------------------------------------------------------


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


def blocking_unconfirmed(rule_set: RuleSet, award_type_code: str, subject_kind: str, on_date: date) -> list[str]:
    """Why money for one award cannot be signed: every unconfirmed (or missing) value its computation would use.

    The computation is coefficient (of ``subject_kind``, in ``rule_set``) × base salary on ``on_date``, rounded
    up to the rule set's ``money_rounding`` (domain rule 10). An empty list means nothing blocks the signature.
    A missing value (no such award type, no coefficient, no base salary on that date) blocks as well. No side
    effects. Raises ``ValueError`` for a ``subject_kind`` that is not a ``SubjectKind``.
    """
    rule_set = RuleSet.objects.get(pk=rule_set.pk)  # the stored values, not a stale instance
    messages: list[str] = []
    confirm_hint = _("Quản trị hệ thống xác nhận tại trang “Giá trị chưa xác nhận”.")
    field = COEFFICIENT_FIELDS.get(subject_kind)
    if field is None:
        raise ValueError(f"unknown subject kind: {subject_kind!r}")
    award = rule_set.award_types.filter(code=award_type_code).first()
    if award is None:
        messages.append(
            _("Hình thức “%(code)s” không có trong bộ quy định “%(rs)s”.") % {"code": award_type_code, "rs": rule_set}
        )
    else:
        label = field_label(AwardType, field)
        if getattr(award, field) is None:
            messages.append(
                _("Chưa có %(label)s của “%(award)s” (bộ quy định “%(rs)s”): hãy nhập và xác nhận hệ số.")
                % {"label": label, "award": award, "rs": rule_set}
            )
        elif not award.is_confirmed(field):
            messages.append(
                _("%(label)s của “%(award)s” (bộ quy định “%(rs)s”) chưa được xác nhận. %(hint)s")
                % {"label": capfirst(label), "award": award, "rs": rule_set, "hint": confirm_hint}
            )
    if not rule_set.is_confirmed("money_rounding"):
        messages.append(
            _("Cách làm tròn tiền thưởng của bộ quy định “%(rs)s” chưa được xác nhận. %(hint)s")
            % {"rs": rule_set, "hint": confirm_hint}
        )
    salary = base_salary_on(on_date)
    if salary is None:
        messages.append(
            _("Chưa có mức lương cơ sở áp dụng ngày %(day)s: hãy thêm mức lương cơ sở.")
            % {"day": on_date.strftime("%d/%m/%Y")}
        )
    elif not salary.is_confirmed("amount"):
        messages.append(
            _("Mức lương cơ sở %(salary)s chưa được xác nhận. %(hint)s") % {"salary": salary, "hint": confirm_hint}
        )
    return messages


def unconfirmed_values() -> list[dict]:
    """Every value the board has not confirmed, with what it blocks (architecture principle 1).

    Each row: ``object``, ``model`` (verbose name), ``model_name`` (as in the value URLs), ``pk``, ``context``
    (rule set › award type …), ``field``, ``label``, ``value`` (raw), ``display`` and ``blocks``.
    """
    querysets = (
        RuleSet.objects.all(),
        AwardType.objects.select_related("rule_set"),
        RequiredDocument.objects.select_related("award_type__rule_set"),
        BaseSalary.objects.all(),
    )
    rows = []
    for queryset in querysets:
        model = queryset.model
        for obj in queryset.exclude(unconfirmed=[]):
            for field in obj.unconfirmed:
                rows.append(
                    {
                        "object": obj,
                        "model": model._meta.verbose_name,
                        "model_name": model._meta.model_name,
                        "pk": obj.pk,
                        "context": context_of(obj),
                        "field": field,
                        "label": field_label(model, field),
                        "value": getattr(obj, field),
                        "display": display_value(obj, field),
                        "blocks": blocks_of(model, field),
                    }
                )
    return rows


# --- Changing values --------------------------------------------------------------------------------------------


def _overlapping(valid_from: date, valid_to: date | None, *, exclude: tuple[int, ...] = ()):
    """Rule sets whose validity period [valid_from, valid_to) meets the given one (``None``: open-ended)."""
    queryset = RuleSet.objects.exclude(pk__in=list(exclude)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    )
    if valid_to is not None:
        queryset = queryset.filter(valid_from__lt=valid_to)
    return queryset


def _period_error(others) -> ValidationError:
    names = "; ".join(
        _("“%(rs)s” (%(start)s – %(end)s)")
        % {
            "rs": other,
            "start": other.valid_from.strftime("%d/%m/%Y"),
            "end": other.valid_to.strftime("%d/%m/%Y") if other.valid_to else _("nay"),
        }
        for other in others
    )
    return ValidationError(
        _(
            "Thời gian hiệu lực trùng với bộ quy định %(names)s. Hai bộ quy định không được cùng hiệu lực một ngày: "
            "hãy chọn ngày khác hoặc sửa ngày hết hiệu lực của bộ quy định kia trước."
        )
        % {"names": names}
    )


def _check_related_values(obj: models.Model, field: str, value) -> None:
    """Checks that involve other rows or other fields of the same row."""
    if isinstance(obj, RuleSet) and field in ("valid_from", "valid_to"):
        valid_from = value if field == "valid_from" else obj.valid_from
        valid_to = value if field == "valid_to" else obj.valid_to
        if valid_to is not None and valid_to <= valid_from:
            raise ValidationError(_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        others = list(_overlapping(valid_from, valid_to, exclude=(obj.pk,)))
        if others:
            raise _period_error(others)
    if (
        isinstance(obj, BaseSalary)
        and field == "valid_from"
        and BaseSalary.objects.exclude(pk=obj.pk).filter(valid_from=value).exists()
    ):
        raise ValidationError(
            _("Đã có mức lương cơ sở áp dụng từ ngày %(day)s.") % {"day": value.strftime("%d/%m/%Y")}
        )


def _locked(obj: models.Model) -> models.Model:
    return type(obj).objects.select_for_update().get(pk=obj.pk)


@transaction.atomic
def update_value(obj: models.Model, field: str, value, *, actor, confirm: bool = False) -> models.Model:
    """Set ``obj.field`` to ``value`` (a form string or a typed value), validated.

    The edited value stays (or becomes) unconfirmed unless ``confirm`` is true. Submitting the same value with
    ``confirm`` confirms it; the same value without ``confirm`` changes nothing.
    Side effects: saves the row; one audit event ``competition.ruleset.value_edit`` (payload: model, field, old,
    new, confirmed). Raises ``ValidationError`` (Vietnamese message) for a field that may not be edited here or
    an invalid value.
    """
    _check_editable(obj, field)
    fresh = _locked(obj)
    new = clean_value(type(obj), field, value)
    old = getattr(fresh, field)
    tracked = is_confirmable(fresh, field)
    was_confirmed = fresh.is_confirmed(field)
    if new == old and (not confirm or was_confirmed or not tracked):
        return fresh
    if confirm and tracked and new in (None, ""):
        raise ValidationError(
            _("“%(label)s” đang để trống: hãy nhập giá trị rồi mới xác nhận.")
            % {"label": field_label(type(obj), field)}
        )
    if new != old:
        _check_related_values(fresh, field, new)
    setattr(fresh, field, new)
    if tracked:
        unconfirmed = [f for f in fresh.unconfirmed if f != field]
        if not confirm:
            unconfirmed.append(field)
        fresh.unconfirmed = unconfirmed
    fresh.save()
    audit.record(
        actor=actor,
        action="competition.ruleset.value_edit",
        obj=fresh,
        payload={
            "model": fresh._meta.model_name,
            "field": field,
            "old": _jsonable(old),
            "new": _jsonable(new),
            "confirmed": bool(tracked and confirm),
        },
    )
    _refresh(obj, fresh)
    return fresh


@transaction.atomic
def confirm_value(obj: models.Model, field: str, *, actor) -> models.Model:
    """Confirm that ``obj.field`` matches the official text.

    Side effects: removes ``field`` from ``unconfirmed``; one audit event ``competition.ruleset.value_confirm``
    (payload: model, field, old = new = the value confirmed). Raises ``ValidationError`` when the value is
    already confirmed or empty.
    """
    fresh = _locked(obj)
    model = type(fresh)
    fresh._meta.get_field(field)  # an unknown field raises FieldDoesNotExist
    label = field_label(model, field)
    if fresh.is_confirmed(field):
        raise ValidationError(_("“%(label)s” của “%(obj)s” đã được xác nhận.") % {"label": label, "obj": fresh})
    value = getattr(fresh, field)
    if value is None or value == "":
        raise ValidationError(
            _("“%(label)s” của “%(obj)s” đang để trống: hãy nhập giá trị rồi xác nhận.")
            % {"label": label, "obj": fresh}
        )
    fresh.unconfirmed = [f for f in fresh.unconfirmed if f != field]
    fresh.save(update_fields=["unconfirmed"])
    audit.record(
        actor=actor,
        action="competition.ruleset.value_confirm",
        obj=fresh,
        payload={"model": model._meta.model_name, "field": field, "old": _jsonable(value), "new": _jsonable(value)},
    )
    _refresh(obj, fresh)
    return fresh


def _refresh(obj: models.Model, fresh: models.Model) -> None:
    """Keep the caller's instance in step with what was saved."""
    if obj is not fresh:
        for f in fresh._meta.concrete_fields:
            setattr(obj, f.attname, getattr(fresh, f.attname))


@transaction.atomic
def add_base_salary(*, amount, valid_from, legal_basis: str, actor, confirm: bool = False) -> BaseSalary:
    """Add the next base salary (mức lương cơ sở) from ``valid_from``, e.g. when a new decree raises it.

    The amount stays unconfirmed unless ``confirm`` is true. Side effects: one new ``BaseSalary`` row; one audit
    event ``competition.basesalary.add`` (payload: field amount, old = the amount in force the day before, new).
    Raises ``ValidationError`` for an invalid value or a start date that already has a row.
    """
    amount = clean_value(BaseSalary, "amount", amount)
    valid_from = clean_value(BaseSalary, "valid_from", valid_from)
    legal_basis = clean_value(BaseSalary, "legal_basis", legal_basis)
    if BaseSalary.objects.filter(valid_from=valid_from).exists():
        raise ValidationError(
            _("Đã có mức lương cơ sở áp dụng từ ngày %(day)s: hãy sửa dòng đó thay vì thêm dòng mới.")
            % {"day": valid_from.strftime("%d/%m/%Y")}
        )
    previous = BaseSalary.objects.filter(valid_from__lt=valid_from).order_by("-valid_from").first()
    salary = BaseSalary.objects.create(
        amount=amount, valid_from=valid_from, legal_basis=legal_basis, unconfirmed=[] if confirm else ["amount"]
    )
    audit.record(
        actor=actor,
        action="competition.basesalary.add",
        obj=salary,
        payload={
            "model": "basesalary",
            "field": "amount",
            "old": previous.amount if previous else None,
            "new": amount,
            "valid_from": valid_from.isoformat(),
            "legal_basis": legal_basis,
            "confirmed": confirm,
        },
    )
    return salary


_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@transaction.atomic
def copy_rule_set(
    source: RuleSet, *, code: str, name: str, valid_from, actor, legal_basis: str | None = None
) -> RuleSet:
    """Start a new rule set (the next decree) from ``valid_from`` as a copy of ``source``: its award types and
    required documents, every value unconfirmed until the administrator checks it against the new text.

    The new rule set is open-ended; ``source`` ends where it starts (its ``valid_to`` becomes ``valid_from``) if it
    was still in force then. A period that meets any other rule set is refused.
    Side effects: one new ``RuleSet`` with copies of the award types and required documents; ``source.valid_to``
    may change; audit events ``competition.ruleset.copy`` (new rule set) and ``competition.ruleset.value_edit``
    (source, field valid_to) when the source was closed. Raises ``ValidationError``.
    """
    source = _locked(source)
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise ValidationError(
            _("Mã bộ quy định chỉ gồm chữ thường không dấu, số và gạch nối, ví dụ: nd200-2027 (nhận được “%(code)s”).")
            % {"code": code}
        )
    if RuleSet.objects.filter(code=code).exists():
        raise ValidationError(_("Đã có bộ quy định mã “%(code)s”: hãy chọn mã khác.") % {"code": code})
    name = clean_value(RuleSet, "name", name)
    valid_from = clean_value(RuleSet, "valid_from", valid_from)
    legal_basis = clean_value(RuleSet, "legal_basis", legal_basis if legal_basis is not None else source.legal_basis)
    if valid_from <= source.valid_from:
        raise ValidationError(
            _("Bộ quy định mới phải bắt đầu sau ngày %(day)s, ngày bắt đầu của “%(rs)s”.")
            % {"day": source.valid_from.strftime("%d/%m/%Y"), "rs": source}
        )
    others = list(_overlapping(valid_from, None, exclude=(source.pk,)))
    if others:
        raise _period_error(others)

    copy = RuleSet.objects.create(
        code=code,
        name=name,
        legal_basis=legal_basis,
        valid_from=valid_from,
        valid_to=None,
        appraisal_working_days=source.appraisal_working_days,
        council_quorum=source.council_quorum,
        council_attendance=source.council_attendance,
        money_rounding=source.money_rounding,
        unconfirmed=["legal_basis", *RuleSet.CONFIRMABLE],
    )
    copied_awards = 0
    for award in source.award_types.prefetch_related("required_documents"):
        documents = list(award.required_documents.all())
        award_copy = AwardType.objects.create(
            rule_set=copy,
            **{
                f.name: getattr(award, f.name)
                for f in AwardType._meta.concrete_fields
                if f.name not in ("id", "rule_set", "unconfirmed")
            },
            unconfirmed=list(AwardType.CONFIRMABLE),
        )
        RequiredDocument.objects.bulk_create(
            RequiredDocument(
                award_type=award_copy,
                **{
                    f.name: getattr(doc, f.name)
                    for f in RequiredDocument._meta.concrete_fields
                    if f.name not in ("id", "award_type", "unconfirmed")
                },
                unconfirmed=list(RequiredDocument.CONFIRMABLE),
            )
            for doc in documents
        )
        copied_awards += 1
    audit.record(
        actor=actor,
        action="competition.ruleset.copy",
        obj=copy,
        payload={
            "source": source.code,
            "code": code,
            "name": name,
            "valid_from": valid_from.isoformat(),
            "award_types": copied_awards,
        },
    )
    if source.valid_to is None or source.valid_to > valid_from:
        old = source.valid_to
        source.valid_to = valid_from
        source.save(update_fields=["valid_to"])
        audit.record(
            actor=actor,
            action="competition.ruleset.value_edit",
            obj=source,
            payload={
                "model": "ruleset",
                "field": "valid_to",
                "old": _jsonable(old),
                "new": valid_from.isoformat(),
                "confirmed": False,
                "reason": f"copy:{code}",
            },
        )
    return copy


# --- Seeding ----------------------------------------------------------------------------------------------------


@transaction.atomic
def seed_rule_sets(*, actor) -> dict[str, int]:
    """Create the rule sets, award types, required documents and base salaries of ``competition.data.rulesets``
    that do not exist yet (keyed by rule set code, award type code, document code, base salary start date).

    An existing row is never changed, so what the administrator has edited or confirmed since stays as it is;
    running it twice changes nothing. Returns how many rows of each kind were created.
    Side effects: the new rows; one audit event ``competition.ruleset.seed`` listing them, only if any.
    """
    from ..data import rulesets as data

    rule_sets, base_salaries = deepcopy(data.RULE_SETS), deepcopy(data.BASE_SALARIES)

    created: dict[str, list[str]] = {"rule_sets": [], "award_types": [], "required_documents": [], "base_salaries": []}
    for rs_data in rule_sets:
        rs_fields = {k: v for k, v in rs_data.items() if k not in ("code", "award_types")}
        rule_set, made = RuleSet.objects.get_or_create(code=rs_data["code"], defaults=rs_fields)
        if made:
            created["rule_sets"].append(rule_set.code)
        for at_data in rs_data["award_types"]:
            at_fields = {k: v for k, v in at_data.items() if k not in ("code", "documents")}
            award, made = AwardType.objects.get_or_create(rule_set=rule_set, code=at_data["code"], defaults=at_fields)
            if made:
                created["award_types"].append(f"{rule_set.code}/{award.code}")
            for doc_data in at_data["documents"]:
                doc_fields = {k: v for k, v in doc_data.items() if k != "code"}
                doc, made = RequiredDocument.objects.get_or_create(
                    award_type=award, code=doc_data["code"], defaults=doc_fields
                )
                if made:
                    created["required_documents"].append(f"{rule_set.code}/{award.code}/{doc.code}")
    for salary_data in base_salaries:
        fields = {k: v for k, v in salary_data.items() if k != "valid_from"}
        salary, made = BaseSalary.objects.get_or_create(valid_from=salary_data["valid_from"], defaults=fields)
        if made:
            created["base_salaries"].append(salary.valid_from.isoformat())
    if any(created.values()):
        audit.record(actor=actor, action="competition.ruleset.seed", payload={"created": created})
    return {kind: len(items) for kind, items in created.items()}
