"""Scoring tables (bảng chấm điểm): per campaign and subject (collectives, individuals), a tree of criteria with
their base points, guidance, evidence requirement and formula; bonus and penalty criteria with caps; class
thresholds with their downgrade rules; the tie-break cascade. Configuration only: the arithmetic is in
``scoring/services/formulas.py``, the rules of editing in ``scoring/services/tables.py``."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from competition.models import Campaign, Indicator

from ..enums import Aggregation, CriterionKind, Formula, Subject, TieBreak

POINTS = {"max_digits": 7, "decimal_places": 2}


class ScoringTable(models.Model):
    """The criteria a campaign scores one kind of subject against, and how the board's scores are combined."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("phong trào"), on_delete=models.CASCADE, related_name="scoring_tables"
    )
    subject = models.CharField(_("đối tượng chấm"), max_length=20, choices=Subject.choices)
    name = models.CharField(_("tên bảng điểm"), max_length=255)
    aggregation = models.CharField(
        _("cách tổng hợp điểm của Ban"), max_length=20, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    tolerance = models.DecimalField(
        _("mức chênh lệch cho phép giữa các thành viên chấm (điểm)"), default=Decimal("2"), **POINTS
    )
    min_assessors = models.PositiveSmallIntegerField(_("số thành viên chấm tối thiểu"), default=2)
    bonus_cap = models.DecimalField(_("điểm thưởng tối đa"), default=Decimal("3"), **POINTS)
    penalty_cap = models.DecimalField(_("điểm trừ tối đa"), default=Decimal("3"), **POINTS)
    quota_percent = models.DecimalField(
        _("tỷ lệ tối đa được đề nghị khen thưởng (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Ví dụ 10: không quá 10 phần trăm số tập thể được xếp hạng; để trống nếu không giới hạn."),
    )
    indicator_period = models.ForeignKey(
        "competition.ReportingPeriod",
        verbose_name=_("kỳ lấy số liệu chỉ tiêu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Để trống: kỳ báo cáo gần nhất của phong trào."),
    )
    locked_at = models.DateTimeField(_("khoá cấu hình lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "subject"]
        constraints = [models.UniqueConstraint(fields=["campaign", "subject"], name="one_scoring_table_per_subject")]
        verbose_name = _("bảng chấm điểm")
        verbose_name_plural = _("bảng chấm điểm")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One line of the table. A criterion with children (a group) has no formula of its own: its points are the
    sum of its children's, capped at its base points."""

    table = models.ForeignKey(ScoringTable, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tiêu chí"), max_length=500)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=CriterionKind.choices, default=CriterionKind.NORMAL)
    base_points = models.DecimalField(_("điểm chuẩn"), **POINTS)
    evidence_required = models.BooleanField(_("bắt buộc có minh chứng"), default=False)
    formula = models.CharField(_("cách tính"), max_length=20, choices=Formula.choices, default=Formula.MANUAL)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("chỉ tiêu lấy số liệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    steps = models.JSONField(
        _("các bậc"),
        default=list,
        blank=True,
        help_text=_("Danh sách [tỷ lệ đạt chỉ tiêu (%), điểm], ví dụ [[100, 10], [80, 7], [50, 4]]."),
    )
    points_per_item = models.DecimalField(_("điểm mỗi lần"), null=True, blank=True, **POINTS)
    cap = models.DecimalField(_("điểm tối đa"), null=True, blank=True, **POINTS)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["table", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="criterion_code_unique_in_table")]
        verbose_name = _("tiêu chí chấm điểm")
        verbose_name_plural = _("tiêu chí chấm điểm")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class ClassThreshold(models.Model):
    """A class (xếp loại) and the lowest total that reaches it; a downgrade rule moves a scorecard down a class
    when it has a criterion at zero (``no_zero``) or more penalty points than ``max_penalty``."""

    table = models.ForeignKey(ScoringTable, on_delete=models.CASCADE, related_name="classes")
    code = models.SlugField(_("mã"), max_length=30)
    label = models.CharField(_("xếp loại"), max_length=100)
    min_total = models.DecimalField(_("tổng điểm từ"), **POINTS)
    no_zero = models.BooleanField(_("không có tiêu chí nào bị 0 điểm"), default=False)
    max_penalty = models.DecimalField(_("điểm trừ không quá"), null=True, blank=True, **POINTS)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["table", "-min_total", "order"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="class_code_unique_in_table")]
        verbose_name = _("mức xếp loại")
        verbose_name_plural = _("mức xếp loại")

    def __str__(self) -> str:
        return self.label


class TieBreakStep(models.Model):
    """One step of the tie-break cascade (applied in ``order`` to scorecards with the same total)."""

    table = models.ForeignKey(ScoringTable, on_delete=models.CASCADE, related_name="tie_breaks")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("tiêu chí phân định"), max_length=20, choices=TieBreak.choices)
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    threshold = models.DecimalField(
        _("ngưỡng tỷ lệ nữ (%)"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("70")
    )

    class Meta:
        ordering = ["table", "order", "pk"]
        verbose_name = _("bước phân định khi bằng điểm")
        verbose_name_plural = _("các bước phân định khi bằng điểm")

    def __str__(self) -> str:
        return f"{self.order}. {self.get_kind_display()}"
