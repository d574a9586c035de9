from django import forms
from django.utils.translation import gettext_lazy as _

from competition.forms import DATE_INPUT

from .enums import AppraisalResult, FundEntryKind, Gender, HoldReason, NomineeKind, RevocationGround, SignerAuthority

MAX_ID = 2**63 - 1  # the largest primary key a database holds (a bigger number typed in a POST is no record's)
# The largest values of the columns these forms fill (PostgreSQL's integer and bigint): a bigger number typed in is
# refused by the form rather than by the database.
MAX_NUMBER = 2**31 - 1
MAX_AMOUNT = 2**63 - 1


class DossierForm(forms.Form):
    award_type_code = forms.ChoiceField(label=_("Hình thức khen thưởng"))
    title = forms.CharField(
        label=_("Trích yếu"),
        max_length=300,
        help_text=_(
            "Ví dụ: Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh cho tập thể, cá nhân "
            "có thành tích xuất sắc trong Phong trào thi đua …"
        ),
    )
    letter_number = forms.CharField(label=_("Số tờ trình của đơn vị"), max_length=50, required=False)
    letter_date = forms.DateField(label=_("Ngày tờ trình"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, award_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type_code"].choices = award_choices


class NomineeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=NomineeKind.choices)
    name = forms.CharField(label=_("Họ tên / tên tập thể"), max_length=255)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("Ngày sinh"), required=False, widget=DATE_INPUT)
    id_number = forms.CharField(label=_("Số định danh cá nhân (không bắt buộc)"), max_length=20, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    work_unit = forms.CharField(label=_("Đơn vị công tác"), max_length=255, required=False)
    direct_worker = forms.BooleanField(
        label=_("Trực tiếp lao động, công tác (không giữ chức vụ lãnh đạo)"), required=False
    )
    achievement = forms.CharField(
        label=_("Tóm tắt thành tích"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == NomineeKind.INDIVIDUAL and not data.get("birth_date") and not data.get("id_number"):
            self.add_error("birth_date", _("Cá nhân cần có ngày sinh hoặc số định danh để kiểm tra trùng lặp."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do, nội dung cần bổ sung"), widget=forms.Textarea(attrs={"rows": 3}))


class AppraisalForm(forms.Form):
    result = forms.ChoiceField(label=_("Kết quả"), choices=[c for c in AppraisalResult.choices if c[0]])
    note = forms.CharField(label=_("Ý kiến thẩm định"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IssueDetailsForm(forms.Form):
    number = forms.IntegerField(
        label=_("Số quyết định"),
        min_value=1,
        max_value=MAX_NUMBER,
        required=False,
        help_text=_("Nếu phần mềm giữ sổ đăng ký văn bản của cơ quan, để trống: số được cấp khi lưu."),
    )
    issued_on = forms.DateField(label=_("Ngày ký"), widget=DATE_INPUT)
    signer_name = forms.CharField(label=_("Người ký"), max_length=150)
    signer_authority = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=SignerAuthority.choices)
    submission_letter_number = forms.CharField(
        label=_("Số tờ trình của cơ quan thẩm định"), max_length=50, required=False
    )
    submission_letter_date = forms.DateField(label=_("Ngày tờ trình"), required=False, widget=DATE_INPUT)
    recipients = forms.CharField(
        label=_("Nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi nơi nhận một dòng."),
    )


class HoldForm(forms.Form):
    """A hold on a person or collective (NĐ 152/2025 Art. 4): ``nominations.services.history.add_hold``."""

    kind = forms.ChoiceField(label=_("Loại"), choices=NomineeKind.choices)
    name = forms.CharField(label=_("Họ tên / tên tập thể"), max_length=255)
    birth_date = forms.DateField(label=_("Ngày sinh"), required=False, widget=DATE_INPUT)
    id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=20, required=False)
    work_unit = forms.CharField(label=_("Đơn vị công tác"), max_length=255, required=False)
    reason = forms.ChoiceField(label=_("Lý do"), choices=HoldReason.choices)
    note = forms.CharField(
        label=_("Ghi chú, văn bản căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    since = forms.DateField(label=_("Từ ngày"), widget=DATE_INPUT)
    until = forms.DateField(label=_("Đến ngày (để trống: đến khi gỡ)"), required=False, widget=DATE_INPUT)


class LiftHoldForm(forms.Form):
    reason = forms.CharField(label=_("Lý do gỡ"), widget=forms.Textarea(attrs={"rows": 2}))


# --- Payment, the fund and revocation (issue 7) ---------------------------------------------------------------


class PaymentForm(forms.Form):
    """The lines to pay are the page's checkboxes (``award``, read by the view): each must be a line's number."""

    paid_on = forms.DateField(label=_("Ngày chi"), widget=DATE_INPUT)
    reference = forms.CharField(
        label=_("Chứng từ chi"), max_length=100, required=False, help_text=_("Số phiếu chi, ủy nhiệm chi …")
    )

    def clean(self):
        data = super().clean()
        chosen = self.data.getlist("award") if hasattr(self.data, "getlist") else []
        if any(not (pk.isascii() and pk.isdigit() and 0 < int(pk) <= MAX_ID) for pk in chosen):
            self.add_error(None, _("Có dòng không thuộc quyết định này: hãy tải lại trang."))
        return data


class RecoveryForm(forms.Form):
    recovered_on = forms.DateField(label=_("Ngày thu hồi tiền"), widget=DATE_INPUT)
    reference = forms.CharField(label=_("Chứng từ thu hồi"), max_length=100, required=False)


class FundEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=FundEntryKind.choices)
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1, max_value=MAX_AMOUNT)
    entered_on = forms.DateField(label=_("Ngày"), widget=DATE_INPUT)
    reference = forms.CharField(label=_("Chứng từ"), max_length=100, required=False)
    note = forms.CharField(label=_("Nội dung"), max_length=255, required=False)


class RevocationProposalForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Căn cứ thu hồi (Điều 93 Luật Thi đua, khen thưởng)"), choices=RevocationGround.choices
    )
    detail = forms.CharField(label=_("Nội dung vi phạm đã được xác minh"), widget=forms.Textarea(attrs={"rows": 3}))


class RevocationDetailsForm(forms.Form):
    number = forms.IntegerField(
        label=_("Số quyết định thu hồi"),
        min_value=1,
        max_value=MAX_NUMBER,
        required=False,
        help_text=_("Nếu phần mềm giữ sổ đăng ký văn bản của cơ quan, để trống: số được cấp khi lưu."),
    )
    issued_on = forms.DateField(label=_("Ngày ký"), widget=DATE_INPUT)
    signer_name = forms.CharField(label=_("Người ký"), max_length=150)


class RevocationCompleteForm(forms.Form):
    certificate_returned = forms.BooleanField(label=_("Đã thu hồi bằng, giấy chứng nhận"), required=False)
    note = forms.CharField(
        label=_("Ghi chú (bắt buộc nếu chưa thu hồi được bằng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
