"""Interim reviews (sơ kết): at a date the board sets, a snapshot of every enrolled unit's progress (its plan and its
values of one reporting period), kept as it was whatever is reported afterwards, with the board's remarks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from workflows.conditions import condition

from ..enums import PlanState, ReviewState
from .campaigns import Campaign, Indicator
from .progress import ReportingPeriod, percent_of
from .units import Unit


@condition(_("Chưa đến ngày sơ kết."))
def review_date_reached(review) -> bool:
    from django.utils import timezone

    return review.review_date <= timezone.localdate()


@condition(_("Chưa có nhận xét chung của Ban Thi đua – Khen thưởng."))
def has_remarks(review) -> bool:
    return bool(review.remarks.strip())


class InterimReview(ConcurrentTransitionMixin, models.Model):
    """A scheduled interim review of a campaign: on ``review_date`` the values of ``period`` (when empty, the
    latest period started by then) are copied into :class:`InterimReviewUnit` / :class:`InterimReviewLine` rows;
    the board then writes remarks and publishes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="interim_reviews")
    title = models.CharField(_("tên đợt sơ kết"), max_length=200)
    review_date = models.DateField(_("ngày sơ kết"))
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.PROTECT,
        related_name="interim_reviews",
        null=True,
        blank=True,
        help_text=_("Để trống: kỳ gần nhất đã bắt đầu vào ngày sơ kết."),
    )
    remarks = models.TextField(_("nhận xét chung"), blank=True)
    state = FSMField(
        _("trạng thái"), max_length=20, choices=ReviewState.choices, default=ReviewState.SCHEDULED, protected=True
    )
    taken_at = models.DateTimeField(_("chụp số liệu lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "review_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "title"], name="interim_review_unique_title")]
        verbose_name = _("đợt sơ kết")
        verbose_name_plural = _("các đợt sơ kết")

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=ReviewState.SCHEDULED,
        target=ReviewState.TAKEN,
        conditions=[review_date_reached],
        custom={"label": _("Chụp số liệu sơ kết")},
    )
    def take(self, at=None):
        from django.utils import timezone

        self.taken_at = at or timezone.now()

    @transition(
        field=state,
        source=ReviewState.TAKEN,
        target=ReviewState.PUBLISHED,
        conditions=[has_remarks],
        custom={"label": _("Công bố kết quả sơ kết")},
    )
    def publish(self, at=None):
        from django.utils import timezone

        self.published_at = at or timezone.now()


class InterimReviewUnit(models.Model):
    """One enrolled unit in a review's snapshot: its plan as it stood, and the board's remark on the unit."""

    review = models.ForeignKey(InterimReview, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    plan_state = models.CharField(_("kế hoạch"), max_length=20, choices=PlanState.choices, blank=True)
    plan_late = models.BooleanField(_("kế hoạch gửi quá hạn"), default=False)
    clusters = models.CharField(_("cụm, khối"), max_length=500, blank=True)
    remark = models.TextField(_("nhận xét"), blank=True)

    scope_unit_field = "unit"

    class Meta:
        ordering = ["review", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["review", "unit"], name="interim_review_one_row_per_unit")]
        verbose_name = _("đơn vị trong đợt sơ kết")
        verbose_name_plural = _("đơn vị trong đợt sơ kết")

    def __str__(self) -> str:
        return str(self.unit)


class InterimReviewLine(models.Model):
    """A unit's value on one indicator at the review (empty when it had not reported)."""

    review_unit = models.ForeignKey(InterimReviewUnit, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    numerator = models.PositiveIntegerField(_("tử số"), null=True)
    denominator = models.PositiveIntegerField(_("mẫu số"), null=True)

    class Meta:
        ordering = ["review_unit", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["review_unit", "indicator"], name="interim_review_one_line_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.review_unit} · {self.indicator.code}"

    @property
    def percent(self):
        if self.numerator is None or self.denominator is None:
            return None
        return percent_of(self.numerator, self.denominator)
