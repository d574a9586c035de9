from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import UnitKind
from .models import AwardType, Campaign, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def award_form_choices() -> list[tuple[str, str]]:
    """Award forms by their stable code, named as in the newest rule set that has them."""
    seen: dict[str, str] = {}
    for award in AwardType.objects.select_related("rule_set").order_by("-rule_set__valid_from", "order"):
        seen.setdefault(award.code, award.name)
    return list(seen.items())


class CampaignForm(forms.ModelForm):
    award_type_codes = forms.MultipleChoiceField(
        label=_("Hình thức khen thưởng"), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Campaign
        fields = [
            "code",
            "name",
            "level",
            "is_thematic",
            "issuing_body",
            "plan_number",
            "plan_date",
            "plan_signer",
            "plan_signer_title",
            "plan_summary",
            "legal_basis",
            "objectives",
            "subjects",
            "contents",
            "criteria_text",
            "reward_text",
            "award_type_codes",
            "start_date",
            "end_date",
            "plan_deadline",
            "interim_review_date",
            "self_scoring_deadline",
            "nomination_deadline",
            "summary_date",
        ]
        widgets = dict.fromkeys(
            (
                "plan_date",
                "start_date",
                "end_date",
                "plan_deadline",
                "interim_review_date",
                "self_scoring_deadline",
                "nomination_deadline",
                "summary_date",
            ),
            DATE_INPUT,
        )
        help_texts = {
            "code": _("Chữ thường không dấu, số và gạch nối, ví dụ: binh-dan-hoc-ai-2025."),
            "legal_basis": _("Mỗi văn bản một dòng."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type_codes"].choices = award_form_choices()
        for name in ("legal_basis", "objectives", "subjects", "contents", "criteria_text", "reward_text"):
            self.fields[name].widget.attrs["rows"] = 4

    def clean(self):
        data = super().clean()
        probe = Campaign(**{k: v for k, v in data.items() if k in {f.name for f in Campaign._meta.fields}})
        for message in probe.timeline_errors():
            self.add_error(None, message)
        return data


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Mã"), max_length=30)
    name = forms.CharField(label=_("Chỉ tiêu"), max_length=500)
    numerator_label = forms.CharField(label=_("Tử số"), max_length=255)
    denominator_label = forms.CharField(label=_("Mẫu số"), max_length=255)
    target_percent = forms.DecimalField(label=_("Mục tiêu (%)"), min_value=0, max_value=100, decimal_places=2)
    parent_code = forms.CharField(label=_("Thuộc chỉ tiêu (mã)"), max_length=30, required=False)


class BaseIndicatorFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        codes: list[str] = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data["code"]
            parent = form.cleaned_data.get("parent_code")
            if code in codes:
                raise forms.ValidationError(_("Mã chỉ tiêu “%(code)s” bị trùng.") % {"code": code})
            if parent and parent not in codes:
                raise forms.ValidationError(
                    _("Chỉ tiêu “%(code)s” thuộc chỉ tiêu “%(parent)s”, nhưng chỉ tiêu đó phải đứng trước nó.")
                    % {"code": code, "parent": parent}
                )
            codes.append(code)


IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=2, can_delete=True)


class ParticipantsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Chọn tất cả đơn vị thuộc loại"),
        choices=UnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Hoặc chọn từng đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(dissolved_on__isnull=True).exclude(kind=UnitKind.BODY)

    def selected_units(self):
        chosen = set(self.cleaned_data["units"])
        kinds = self.cleaned_data["kinds"]
        if kinds:
            chosen |= set(self.fields["units"].queryset.filter(kind__in=kinds))
        return chosen

    def clean(self):
        data = super().clean()
        if not data.get("units") and not data.get("kinds"):
            raise forms.ValidationError(_("Hãy chọn ít nhất một đơn vị tham gia."))
        return data


# --- Rule sets: the administrator's forms; values are parsed and validated by competition.services.rulesets ---


class RuleValueForm(forms.Form):
    """One value of a rule set (or award type, required document, base salary), as text the service parses."""

    value = forms.CharField(label=_("Giá trị"), required=False)
    confirm = forms.BooleanField(
        label=_("Xác nhận: giá trị này đúng với văn bản chính thức"),
        required=False,
        help_text=_("Không đánh dấu: giá trị được lưu nhưng vẫn ở trạng thái chưa xác nhận."),
    )

    def __init__(self, *args, model_field, confirmable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.label = capfirst(model_field.verbose_name)
        if model_field.choices:
            field.widget = forms.Select(choices=[("", "—"), *model_field.flatchoices])
        elif isinstance(model_field, models.BooleanField):
            field.widget = forms.Select(choices=[("true", _("Có")), ("false", _("Không"))])
        elif isinstance(model_field, models.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
            field.help_text = _("Để trống nếu chưa có ngày.") if model_field.null else ""
        elif isinstance(model_field, models.TextField):
            field.widget = forms.Textarea(attrs={"rows": 5})
        elif isinstance(model_field, models.DecimalField):
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
        elif isinstance(model_field, models.IntegerField):
            field.widget = forms.TextInput(attrs={"inputmode": "numeric"})
        if not confirmable:
            del self.fields["confirm"]


class BaseSalaryForm(forms.Form):
    amount = forms.CharField(
        label=_("Mức lương cơ sở (đồng/tháng)"), widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), widget=DATE_INPUT)
    legal_basis = forms.CharField(label=_("Văn bản quy định"), max_length=255, help_text=_("Ví dụ: Nghị định số …"))
    confirm = forms.BooleanField(label=_("Xác nhận: đúng với văn bản chính thức"), required=False)


class RuleSetCopyForm(forms.Form):
    code = forms.CharField(label=_("Mã bộ quy định mới"), max_length=50, help_text=_("Ví dụ: nd200-2027."))
    name = forms.CharField(label=_("Tên"), max_length=255, help_text=_("Ví dụ: NĐ …/20…/NĐ-CP và TT …/20…/TT-BNV."))
    valid_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        widget=DATE_INPUT,
        help_text=_("Bộ quy định đang áp dụng sẽ hết hiệu lực từ ngày này."),
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Mỗi văn bản một dòng.")
    )


IMPORT_EXTENSIONS = (".xlsx", ".csv")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_EXTENSIONS:
            raise ValidationError(gettext("Tệp “%(f)s”: chỉ nhận tệp .xlsx hoặc .csv.") % {"f": upload.name})
        if upload.size > settings.THIDUA_MAX_UPLOAD_BYTES:
            raise ValidationError(
                gettext("Tệp “%(f)s” nặng %(size)s, vượt giới hạn %(max)s: hãy chia thành nhiều tệp nhỏ hơn.")
                % {
                    "f": upload.name,
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.THIDUA_MAX_UPLOAD_BYTES),
                }
            )
        return upload


class DissolveForm(forms.Form):
    on = forms.DateField(
        label=_("Ngày giải thể, sáp nhập"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    successor_code = forms.CharField(
        label=_("Mã đơn vị kế thừa"),
        max_length=32,
        help_text=_("Đơn vị đang hoạt động nhận lại nhiệm vụ của đơn vị này."),
    )


class PlanForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu kế hoạch"), max_length=50)
    date = forms.DateField(label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(
        label=_("Văn bản kế hoạch đã ký (PDF hoặc DOCX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    adopted_codes = forms.MultipleChoiceField(
        label=_("Chỉ tiêu đơn vị đăng ký thực hiện"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adopted_codes"].choices = [(i.code, f"{i.code}. {i.name}") for i in indicators]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại, nội dung cần hoàn thiện"), widget=forms.Textarea(attrs={"rows": 3})
    )
