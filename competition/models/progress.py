"""Periodic progress on a campaign's indicators (issue 4, item 2): reporting periods and one value per unit,
indicator and period. Percentages are derived, never stored; roll-ups live in ``services/progress.py``."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import ImportState
from .campaigns import Campaign, Indicator
from .units import Unit


def percent_of(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100 rounded to 0.1 (half up); None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ReportingPeriod(models.Model):
    """A period units report progress for (kỳ báo cáo), e.g. "Quý III/2026"."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(_("kỳ báo cáo"), max_length=100)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    due = models.DateField(_("hạn báo cáo"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="progress_period_unique_label"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="progress_period_end_after"),
        ]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")

    def __str__(self) -> str:
        return self.label


class ProgressReport(models.Model):
    """A unit's value on one indicator for one period: numerator over denominator, with its evidence."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="progress_reports")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="progress_reports")
    numerator = models.PositiveIntegerField(_("tử số"))
    denominator = models.PositiveIntegerField(_("mẫu số"))
    evidence = models.TextField(_("minh chứng (ghi chú hoặc đường dẫn)"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("báo cáo lúc"))

    scope_unit_field = "unit"

    class Meta:
        ordering = ["period", "unit__path", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "indicator"], name="progress_report_unique"),
            models.CheckConstraint(
                condition=models.Q(numerator__lte=models.F("denominator")), name="progress_numerator_lte_denominator"
            ),
        ]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code} · {self.period}"

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.numerator, self.denominator)


def import_upload_to(job, filename: str) -> str:
    return f"imports/indicators/{job.campaign_id}/{filename}"


class IndicatorImport(models.Model):
    """One uploaded file of indicator values and what became of it. Files above the background threshold are
    checked and written by a django-q2 task that reports its progress here; every file is kept, so the audit
    event of the write (which holds the file's SHA-256) can be checked against it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicator_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("tệp"), upload_to=import_upload_to, max_length=300)
    filename = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    state = models.CharField(_("trạng thái"), max_length=20, choices=ImportState.choices, default=ImportState.QUEUED)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_done = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    new = models.PositiveIntegerField(_("số giá trị mới"), default=0)
    updated = models.PositiveIntegerField(_("số giá trị thay đổi"), default=0)
    unchanged = models.PositiveIntegerField(_("số giá trị không đổi"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When its background task was last queued, and how many times (workflows/jobs.py resumes lost tasks).
    queued_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lần nhập số liệu chỉ tiêu")
        verbose_name_plural = _("các lần nhập số liệu chỉ tiêu")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def running(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.CHECKING, ImportState.WRITING)
