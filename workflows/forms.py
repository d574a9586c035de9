from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WorkdayOverride


class WorkdayOverrideForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Loại"), choices=WorkdayOverride.Kind.choices)
    note = forms.CharField(
        label=_("Căn cứ / ghi chú"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Thông báo số …/TB-UBND về nghỉ bù dịp Tết."),
    )


class StandInForm(forms.Form):
    """Name a stand-in: whom (the absent person: chosen by the board's head, else oneself), who, from and to."""

    absent = forms.ModelChoiceField(label=_("Người vắng mặt"), queryset=None)
    stand_in = forms.ModelChoiceField(label=_("Người làm thay"), queryset=None)
    starts_on = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Lý do"), max_length=255, required=False, help_text=_("Ví dụ: nghỉ phép, đi công tác, học tập.")
    )

    def __init__(self, *args, absent_choices, stand_in_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = absent_choices
        self.fields["stand_in"].queryset = stand_in_choices


class CancelStandInForm(forms.Form):
    reason = forms.CharField(label=_("Lý do huỷ"), max_length=255, required=False)
