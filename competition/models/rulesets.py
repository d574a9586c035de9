"""Policy as dated data (architecture principle 1): every legal number lives here, never in code."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import Authority, SubjectKind, VoteBase


class Confirmable(models.Model):
    """Values the board has not confirmed against an official text are listed in ``unconfirmed``.

    ``CONFIRMABLE`` maps each such field to what an unconfirmed value blocks.
    """

    CONFIRMABLE: dict[str, str] = {}
    unconfirmed = models.JSONField(_("giá trị chưa xác nhận"), default=list, blank=True)

    class Meta:
        abstract = True

    def is_confirmed(self, field: str) -> bool:
        return field not in self.unconfirmed

    @property
    def fully_confirmed(self) -> bool:
        return not self.unconfirmed


class RuleSet(Confirmable):
    """One version of the legal basis, e.g. "NĐ 152/2025 + TT 15/2025" from 01/7/2025."""

    code = models.CharField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    legal_basis = models.TextField(_("căn cứ pháp lý"), help_text=_("Mỗi văn bản một dòng, dùng trong phần căn cứ."))
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_to = models.DateField(_("hết hiệu lực từ ngày"), null=True, blank=True)
    appraisal_working_days = models.PositiveSmallIntegerField(_("thời hạn thẩm định (ngày làm việc)"))
    council_quorum = models.DecimalField(
        _("tỷ lệ thành viên Hội đồng tối thiểu để họp"), max_digits=5, decimal_places=4, default=Decimal("0.6667")
    )
    council_attendance = models.DecimalField(
        _("tỷ lệ tham dự tối thiểu"), max_digits=5, decimal_places=4, default=Decimal("0.8")
    )
    money_rounding = models.PositiveIntegerField(_("làm tròn tiền thưởng lên đến (đồng)"), default=10_000)

    CONFIRMABLE = {
        "appraisal_working_days": _("thời hạn thẩm định hồ sơ và cảnh báo quá hạn"),
        "council_quorum": _("phiên họp Hội đồng (điều kiện đủ thành viên)"),
        "council_attendance": _("phiên họp Hội đồng (điều kiện tham dự)"),
        "money_rounding": _("tính tiền thưởng: không ký được quyết định"),
    }

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("bộ quy định (căn cứ pháp lý)")
        verbose_name_plural = _("bộ quy định (căn cứ pháp lý)")

    def __str__(self) -> str:
        return self.name


class AwardType(Confirmable):
    """An award form within a rule set, e.g. the provincial Chairman's Bằng khen. ``code`` is stable across rule
    sets so a campaign can name its forms before it pins a rule set at launch."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="award_types")
    code = models.CharField(_("mã hình thức"), max_length=50)
    name = models.CharField(_("tên hình thức khen thưởng"), max_length=255)
    authority = models.CharField(_("thẩm quyền quyết định"), max_length=30, choices=Authority.choices)
    legal_reference = models.CharField(_("điều khoản"), max_length=255, blank=True)
    # Rule 2: which campaigns may lead to this form, by their duration.
    min_campaign_months = models.PositiveSmallIntegerField(_("thời gian phát động tối thiểu (tháng)"), default=0)
    thematic_only = models.BooleanField(_("chỉ khen theo chuyên đề"), default=False)
    coefficient_individual = models.DecimalField(
        _("hệ số tiền thưởng cá nhân"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    coefficient_collective = models.DecimalField(
        _("hệ số tiền thưởng tập thể"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    coefficient_household = models.DecimalField(
        _("hệ số tiền thưởng hộ gia đình"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    vote_threshold = models.DecimalField(
        _("tỷ lệ phiếu đồng ý tối thiểu"), max_digits=5, decimal_places=4, default=Decimal("0.5001")
    )
    vote_base = models.CharField(
        _("cách tính tỷ lệ phiếu"), max_length=20, choices=VoteBase.choices, default=VoteBase.REVIEWING_MEMBERS
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    CONFIRMABLE = {
        "coefficient_individual": _("tiền thưởng cá nhân: không ký được quyết định"),
        "coefficient_collective": _("tiền thưởng tập thể: không ký được quyết định"),
        "coefficient_household": _("tiền thưởng hộ gia đình: không ký được quyết định"),
        "vote_threshold": _("kết quả bỏ phiếu của Hội đồng"),
        "vote_base": _("kết quả bỏ phiếu của Hội đồng"),
        "min_campaign_months": _("phát động phong trào có hình thức này"),
    }

    class Meta:
        ordering = ["rule_set", "order", "code"]
        unique_together = [("rule_set", "code")]
        verbose_name = _("hình thức khen thưởng")
        verbose_name_plural = _("hình thức khen thưởng")

    def __str__(self) -> str:
        return self.name

    def coefficient_for(self, subject: str) -> Decimal | None:
        return {
            SubjectKind.INDIVIDUAL: self.coefficient_individual,
            SubjectKind.COLLECTIVE: self.coefficient_collective,
            SubjectKind.HOUSEHOLD: self.coefficient_household,
        }[subject]


class RequiredDocument(Confirmable):
    """A document a nomination dossier for an award type must contain (Law 06/2022 Art. 84)."""

    award_type = models.ForeignKey(AwardType, on_delete=models.CASCADE, related_name="required_documents")
    code = models.CharField(_("mã"), max_length=50)
    name = models.CharField(_("tên tài liệu"), max_length=255)
    per_nominee = models.BooleanField(_("mỗi người/tập thể một bản"), default=False)
    mandatory = models.BooleanField(
        _("bắt buộc với mọi hồ sơ"),
        default=True,
        help_text=_(
            "Bỏ chọn với tài liệu chỉ nộp khi hình thức, đối tượng khen thưởng yêu cầu (ví dụ văn bản xác nhận)."
        ),
    )
    formats = models.CharField(_("định dạng chấp nhận"), max_length=50, default="docx,pdf")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    CONFIRMABLE = {"name": _("kiểm tra thành phần hồ sơ")}

    class Meta:
        ordering = ["award_type", "order"]
        unique_together = [("award_type", "code")]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class BaseSalary(Confirmable):
    """The base salary (mức lương cơ sở) in force from ``valid_from`` until the next row."""

    amount = models.PositiveIntegerField(_("mức lương cơ sở (đồng/tháng)"))
    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    legal_basis = models.CharField(_("văn bản quy định"), max_length=255)

    CONFIRMABLE = {"amount": _("tiền thưởng của các quyết định ký trong thời gian áp dụng: không ký được")}

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("mức lương cơ sở")
        verbose_name_plural = _("lịch sử mức lương cơ sở")

    def __str__(self) -> str:
        return _("%(amount)s đồng từ %(day)s") % {
            "amount": f"{self.amount:,}".replace(",", "."),
            "day": self.valid_from.strftime("%d/%m/%Y"),
        }
