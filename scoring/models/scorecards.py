"""Scorecards (phiếu chấm): a unit's self-scoring with evidence, the board assessors' scores, the aggregated and
settled result per criterion, the final total and class; and the board's decisions on ties. The lifecycle
(through the door) is in ``scoring/services/scorecards.py``; the ranking in ``scoring/services/ranking.py``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from competition.models import Cluster, Unit

from ..enums import AssessmentState, ScorecardState
from .tables import POINTS, Criterion, ScoringTable


def evidence_upload_to(entry, filename: str) -> str:
    return f"scoring/{entry.scorecard.table_id}/{entry.scorecard_id}/{filename}"


class Scorecard(ConcurrentTransitionMixin, models.Model):
    """One subject scored against a table: a collective (``unit``) or an individual of ``unit``."""

    table = models.ForeignKey(ScoringTable, on_delete=models.PROTECT, related_name="scorecards")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="scorecards")
    person_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    person_position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    person_is_female = models.BooleanField(_("nữ"), default=False)
    person_is_leader = models.BooleanField(_("giữ chức vụ lãnh đạo, quản lý"), default=False)
    women_percent = models.DecimalField(
        _("tỷ lệ nữ của tập thể (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    state = FSMField(
        _("trạng thái"), max_length=20, choices=ScorecardState.choices, default=ScorecardState.DRAFT, protected=True
    )
    self_total = models.DecimalField(_("tổng điểm tự chấm"), null=True, blank=True, **POINTS)
    final_total = models.DecimalField(_("tổng điểm"), null=True, blank=True, **POINTS)
    classification = models.CharField(_("xếp loại"), max_length=30, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("chốt điểm lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        ordering = ["table", "unit__path", "person_name"]
        constraints = [
            models.UniqueConstraint(fields=["table", "unit", "person_name"], name="one_scorecard_per_subject")
        ]
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")

    def __str__(self) -> str:
        return f"{self.person_name} ({self.unit})" if self.person_name else str(self.unit)

    @transition(
        field=state,
        source=ScorecardState.DRAFT,
        target=ScorecardState.SUBMITTED,
        custom={"label": _("Nộp phiếu tự chấm")},
    )
    def submit(self, *, at) -> None:
        self.submitted_at = at

    @transition(
        field=state,
        source=ScorecardState.SUBMITTED,
        target=ScorecardState.DRAFT,
        custom={"label": _("Trả lại để đơn vị chấm lại")},
    )
    def send_back(self, reason: str = "") -> None:
        self.reopen_reason = reason

    @transition(
        field=state, source=ScorecardState.SUBMITTED, target=ScorecardState.FINALIZED, custom={"label": _("Chốt điểm")}
    )
    def finalize(self, *, at, total, classification: str) -> None:
        self.finalized_at = at
        self.final_total = total
        self.classification = classification

    @transition(
        field=state,
        source=ScorecardState.FINALIZED,
        target=ScorecardState.PUBLISHED,
        custom={"label": _("Công bố kết quả")},
    )
    def publish(self, *, at) -> None:
        self.published_at = at

    @transition(
        field=state,
        source=[ScorecardState.FINALIZED, ScorecardState.PUBLISHED],
        target=ScorecardState.SUBMITTED,
        custom={"label": _("Mở lại để chấm lại")},
    )
    def reopen(self, reason: str = "") -> None:
        self.reopen_reason = reason
        self.final_total = None
        self.classification = ""
        self.finalized_at = None
        self.published_at = None


class ScoreEntry(models.Model):
    """The unit's self-scoring of one criterion: what it claims (points, "met", or a count of items, as the
    criterion's formula asks), the points that gives, and its evidence."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("giá trị tự chấm"), null=True, blank=True, **POINTS)
    points = models.DecimalField(_("điểm tự chấm"), default=0, **POINTS)
    evidence = models.FileField(_("tệp minh chứng"), upload_to=evidence_upload_to, max_length=300, blank=True)
    evidence_name = models.CharField(_("tên tệp minh chứng"), max_length=255, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_note = models.TextField(_("minh chứng (ghi chú hoặc đường dẫn)"), blank=True)

    class Meta:
        ordering = ["scorecard", "criterion__order"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"], name="one_self_entry_per_criterion")]

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.criterion.code}"

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence or self.evidence_note.strip())


class Assessment(models.Model):
    """One board assessor's scoring of one scorecard."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("chấm xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "assessor"], name="one_assessment_per_assessor")]
        verbose_name = _("lượt chấm của thành viên")
        verbose_name_plural = _("lượt chấm của thành viên")

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.assessor}"


class AssessmentEntry(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("giá trị chấm"), null=True, blank=True, **POINTS)
    points = models.DecimalField(_("điểm"), default=0, **POINTS)
    note = models.TextField(_("nhận xét"), blank=True)

    class Meta:
        ordering = ["assessment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_assessment_entry_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.criterion.code}"


class CriterionResult(models.Model):
    """The board's result on one criterion of a scorecard: the assessors' points combined as the table says,
    their spread, whether it needs the board to settle it (consensus not reached), and the settled value."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    self_points = models.DecimalField(_("điểm tự chấm"), null=True, blank=True, **POINTS)
    board_points = models.DecimalField(_("điểm của Ban"), null=True, blank=True, **POINTS)
    spread = models.DecimalField(_("chênh lệch giữa các thành viên"), default=0, **POINTS)
    flagged = models.BooleanField(_("cần Ban quyết định"), default=False)
    settled_points = models.DecimalField(_("điểm Ban quyết định"), null=True, blank=True, **POINTS)
    settled_reason = models.TextField(_("lý do"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scorecard", "criterion__order"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"], name="one_result_per_criterion")]

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.criterion.code}"

    @property
    def points(self):
        """What counts: the board's settled value, else the combined one."""
        return self.settled_points if self.settled_points is not None else self.board_points


class TieDecision(models.Model):
    """The board's order for scorecards still tied after the cascade, in one ranking scope (a cluster, or the
    province when ``cluster`` is empty). ``order`` lists the scorecard ids, first to last."""

    table = models.ForeignKey(ScoringTable, on_delete=models.CASCADE, related_name="tie_decisions")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    order = models.JSONField(_("thứ tự Ban quyết định"))
    reason = models.TextField(_("lý do"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table", "-decided_at", "-pk"]
        verbose_name = _("quyết định thứ hạng khi bằng điểm")
        verbose_name_plural = _("quyết định thứ hạng khi bằng điểm")

    def __str__(self) -> str:
        return f"{self.table} · {self.cluster or _('toàn tỉnh')}"
