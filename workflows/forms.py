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
