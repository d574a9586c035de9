from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from workflows.conditions import condition

from ..enums import CampaignLevel, CampaignState
from .rulesets import RuleSet
from .units import Unit


@condition(_("Chưa chọn đơn vị tham gia."))
def has_participants(campaign) -> bool:
    return campaign.enrolments.exists()


@condition(_("Chưa có chỉ tiêu nào."))
def has_indicators(campaign) -> bool:
    return campaign.indicators.exists()


@condition(_("Chưa chọn hình thức khen thưởng."))
def has_award_forms(campaign) -> bool:
    return bool(campaign.award_type_codes)


@condition(
    _("Thời gian chưa hợp lệ: ngày kết thúc phải sau ngày bắt đầu, các hạn phải nằm trong thời gian phong trào.")
)
def has_coherent_timeline(campaign) -> bool:
    return not campaign.timeline_errors()


class Campaign(ConcurrentTransitionMixin, models.Model):
    """An emulation campaign (phong trào thi đua) as launched by the plan document (e.g. QĐ 987/QĐ-UBND)."""

    code = models.SlugField(_("mã phong trào"), max_length=50, unique=True)
    name = models.CharField(_("tên phong trào"), max_length=300)
    level = models.CharField(
        _("cấp phát động"), max_length=20, choices=CampaignLevel.choices, default=CampaignLevel.PROVINCIAL
    )
    is_thematic = models.BooleanField(_("phong trào theo chuyên đề"), default=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255)
    plan_number = models.CharField(_("số, ký hiệu văn bản phát động"), max_length=50, blank=True)
    plan_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    plan_signer = models.CharField(_("người ký"), max_length=150, blank=True)
    plan_signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    plan_summary = models.CharField(_("trích yếu"), max_length=500, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý của phong trào"), blank=True)
    objectives = models.TextField(_("mục đích, yêu cầu"), blank=True)
    subjects = models.TextField(_("đối tượng thi đua"), blank=True)
    contents = models.TextField(_("nội dung thi đua"), blank=True)
    criteria_text = models.TextField(_("tiêu chí thi đua"), blank=True)
    reward_text = models.TextField(_("khen thưởng"), blank=True)
    award_type_codes = models.JSONField(_("hình thức khen thưởng"), default=list, blank=True)
    # The plan document's long texts, which only the campaign's own pages show: pages that merely name the campaign
    # of each row leave them out of their joins (``defer(*Campaign.deferred_texts("campaign__"))``).
    LONG_TEXTS = ("legal_basis", "objectives", "subjects", "contents", "criteria_text", "reward_text")
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"))
    plan_deadline = models.DateField(_("hạn ban hành kế hoạch của đơn vị"), null=True, blank=True)
    interim_review_date = models.DateField(_("ngày sơ kết"), null=True, blank=True)
    self_scoring_deadline = models.DateField(_("hạn tự chấm điểm"), null=True, blank=True)
    nomination_deadline = models.DateField(_("hạn gửi hồ sơ đề nghị khen thưởng"), null=True, blank=True)
    summary_date = models.DateField(_("thời gian tổng kết"), null=True, blank=True)
    rule_set = models.ForeignKey(
        RuleSet,
        verbose_name=_("bộ quy định áp dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("Cố định khi phát động."),
    )
    units = models.ManyToManyField(Unit, through="Enrolment", related_name="campaigns", blank=True)
    state = FSMField(
        _("trạng thái"), max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT, protected=True
    )
    launched_at = models.DateTimeField(_("phát động lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def deferred_texts(cls, prefix: str = "") -> list[str]:
        return [prefix + name for name in cls.LONG_TEXTS]

    @property
    def duration_months(self) -> int:
        months = (self.end_date.year - self.start_date.year) * 12 + self.end_date.month - self.start_date.month
        return months + (1 if self.end_date.day >= self.start_date.day else 0)

    def deadlines(self) -> list[tuple[str, object]]:
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in (
                "plan_deadline",
                "interim_review_date",
                "self_scoring_deadline",
                "nomination_deadline",
                "summary_date",
            )
            if getattr(self, name)
        ]

    def timeline_errors(self) -> list[str]:
        errors = []
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors.append(str(_("Ngày kết thúc phải sau ngày bắt đầu.")))
        for label, day in self.deadlines():
            if self.start_date and self.end_date and not (self.start_date <= day <= self.end_date):
                errors.append(
                    str(
                        _("%(label)s (%(day)s) nằm ngoài thời gian phong trào.")
                        % {"label": label, "day": day.strftime("%d/%m/%Y")}
                    )
                )
        return errors

    # --- lifecycle: only the door (workflows.transition) calls these -------------------------------------
    @transition(
        field=state,
        source=CampaignState.DRAFT,
        target=CampaignState.LAUNCHED,
        conditions=[has_participants, has_indicators, has_award_forms, has_coherent_timeline],
        custom={"label": _("Phát động")},
    )
    def launch(self, *, rule_set: RuleSet, launched_at=None) -> None:
        # A campaign pins the rule set in force at launch (architecture principle 1, domain rule 1).
        self.rule_set = rule_set
        self.launched_at = launched_at or timezone.now()

    @transition(
        field=state,
        source=CampaignState.LAUNCHED,
        target=CampaignState.SUMMARIZING,
        custom={"label": _("Bắt đầu tổng kết")},
    )
    def start_summary(self) -> None:
        pass

    @transition(
        field=state,
        source=CampaignState.SUMMARIZING,
        target=CampaignState.CLOSED,
        custom={"label": _("Kết thúc phong trào")},
    )
    def close(self) -> None:
        pass


class Indicator(models.Model):
    """A numeric target of the campaign (chỉ tiêu): numerator over denominator against a threshold."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã chỉ tiêu"), max_length=30)
    name = models.CharField(_("chỉ tiêu"), max_length=500)
    numerator_label = models.CharField(_("tử số"), max_length=255)
    denominator_label = models.CharField(_("mẫu số"), max_length=255)
    target_percent = models.DecimalField(_("mục tiêu (%)"), max_digits=6, decimal_places=2)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("Ví dụ: “trong đó 50% …” lấy tử số của chỉ tiêu cha làm mẫu số."),
    )
    applies_to = models.JSONField(_("áp dụng cho loại đơn vị"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["campaign", "order", "code"]
        unique_together = [("campaign", "code")]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Enrolment(models.Model):
    """A unit's participation in a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="enrolments")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        unique_together = [("campaign", "unit")]
        ordering = ["campaign", "unit__path"]
        verbose_name = _("đơn vị tham gia")
        verbose_name_plural = _("đơn vị tham gia")

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign}"
