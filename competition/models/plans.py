"""Unit plans (kế hoạch của đơn vị): each unit taking part in a campaign issues its own plan, by the campaign's
plan deadline; the board accepts it or returns it with reasons. Every submission is kept as a version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from workflows.conditions import condition

from ..enums import PlanState
from .campaigns import Campaign
from .units import Unit


def plan_upload_to(plan, filename: str) -> str:
    return f"plans/{plan.campaign_id}/{plan.unit_id}/{filename}"


@condition(_("Kế hoạch chưa có số, ngày ban hành hoặc tệp văn bản."))
def has_document(plan) -> bool:
    return bool(plan.number and plan.date and plan.document)


class UnitPlan(ConcurrentTransitionMixin, models.Model):
    """A unit's plan for one campaign: its number and date, the signed document (PDF or DOCX) and the campaign
    indicators it adopts. One per (campaign, unit)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="unit_plans"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="plans")
    number = models.CharField(_("số, ký hiệu kế hoạch"), max_length=50, blank=True)
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    document = models.FileField(_("văn bản kế hoạch"), upload_to=plan_upload_to, max_length=300, blank=True)
    document_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    document_sha256 = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64, blank=True)
    document_size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)
    adopted_codes = models.JSONField(_("chỉ tiêu đăng ký thực hiện"), default=list, blank=True)
    state = FSMField(
        _("trạng thái"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT, protected=True
    )
    late = models.BooleanField(_("gửi quá hạn"), default=False)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("chấp nhận lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("kế hoạch của đơn vị")
        verbose_name_plural = _("kế hoạch của đơn vị")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_plan_per_unit_and_campaign")]

    def __str__(self) -> str:
        return str(_("Kế hoạch của %(unit)s") % {"unit": self.unit})

    # --- lifecycle: only the door (workflows.transition) calls these -------------------------------------
    @transition(
        field=state,
        source=[PlanState.DRAFT, PlanState.RETURNED],
        target=PlanState.SUBMITTED,
        conditions=[has_document],
        custom={"label": _("Gửi kế hoạch")},
    )
    def submit(self, *, at) -> None:
        # Late is decided by the first submission: a plan sent on time and returned for corrections stays on time.
        if self.first_submitted_at is None:
            self.first_submitted_at = at
            deadline = self.campaign.plan_deadline
            self.late = bool(deadline and at.date() > deadline)
        self.submitted_at = at
        self.return_reason = ""

    @transition(
        field=state, source=PlanState.SUBMITTED, target=PlanState.ACCEPTED, custom={"label": _("Chấp nhận kế hoạch")}
    )
    def accept(self, *, at) -> None:
        self.accepted_at = at

    @transition(
        field=state, source=PlanState.SUBMITTED, target=PlanState.RETURNED, custom={"label": _("Trả lại kế hoạch")}
    )
    def send_back(self, *, reason: str) -> None:
        self.return_reason = reason


class UnitPlanVersion(models.Model):
    """One submission of a plan, as it was sent: the board can see what changed between submissions."""

    plan = models.ForeignKey(UnitPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("lần gửi"))
    number = models.CharField(_("số, ký hiệu kế hoạch"), max_length=50)
    date = models.DateField(_("ngày ban hành"))
    document = models.FileField(_("văn bản kế hoạch"), max_length=300, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    adopted_codes = models.JSONField(_("chỉ tiêu đăng ký thực hiện"), default=list, blank=True)
    changes = models.TextField(_("thay đổi so với lần gửi trước"), blank=True)
    late = models.BooleanField(_("gửi sau hạn"), default=False)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_unit_field = "plan__unit"

    class Meta:
        ordering = ["plan", "version"]
        verbose_name = _("lần gửi kế hoạch")
        verbose_name_plural = _("các lần gửi kế hoạch")
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="one_plan_version_per_number")]

    def __str__(self) -> str:
        return f"{self.plan} — {self.version}"


# --- The work queue of a plan (viewflow): see competition/flows.py and workflows/flowsync.py --------------------
from viewflow.workflow.models import Process  # noqa: E402  (kept with the model it serves, at the end of the file)


class UnitPlanProcess(Process):
    """viewflow's process of one unit plan: who must act next (the plan's state stays the business truth)."""

    plan = models.ForeignKey(UnitPlan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="processes")

    class Meta:
        verbose_name = _("quy trình xử lý kế hoạch")
        verbose_name_plural = _("quy trình xử lý kế hoạch")

    def __str__(self) -> str:
        return str(_("Quy trình xử lý “%(plan)s”") % {"plan": self.plan})
