"""The UnitPlan flow: who must act next on a unit's plan (architecture principle 3).

Reads as the process diagram::

    start ─► submit ─► review ─► accepted? ─yes─► end
    (clerk)  (unit     (board      │no (returned)
              clerk)    officer)   └──► submit

A plan is the unit's own document, already signed by its head before it is uploaded, so the unit clerk both drafts
and submits it; a board officer accepts it or returns it with reasons. The flow routes, it never decides: every
human task is completed by the door (``workflows.transition``) when the matching transition of the plan happens
(``TRANSITION_NODES``); the gateway only reads the plan's new state. Each task is assigned by the same permission
the door checks for the transition (competition/rules.py).
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.flowsync import DoorTask, RecordFlowMixin, RecordStart

from .models import PlanState, UnitPlan, UnitPlanProcess

# Which transition of the plan completes which node (workflows.flowsync.register).
TRANSITION_NODES = {
    "submit": "submit",
    "accept": "review",
    "send_back": "review",
}


def plan_of(process) -> UnitPlan:
    """The permission object of every task: the plan (the door checks the same permission on it)."""
    return process.coerced.plan


class UnitPlanFlow(RecordFlowMixin, flow.Flow):
    """Kế hoạch của đơn vị"""

    process_class = UnitPlanProcess
    process_title = _("Kế hoạch của đơn vị")
    process_description = _("Đơn vị ban hành và gửi kế hoạch; Sở Nội vụ chấp nhận hoặc trả lại để hoàn thiện.")

    start = RecordStart().Annotation(title=_("Lập kế hoạch")).Next(this.submit)

    submit = (
        DoorTask()
        .Annotation(
            title=_("Gửi kế hoạch"),
            description=_("Cán bộ thi đua của đơn vị tải lên kế hoạch đã ký và gửi Sở Nội vụ."),
        )
        .Permission("competition.submit_unitplan", obj=plan_of)
        .Next(this.review)
    )

    review = (
        DoorTask()
        .Annotation(
            title=_("Xem xét kế hoạch"),
            description=_("Cán bộ Sở Nội vụ chấp nhận kế hoạch, hoặc trả lại kèm lý do."),
        )
        .Permission("competition.accept_unitplan", obj=plan_of)
        .Next(this.reviewed)
    )

    reviewed = (
        flow.If(this.was_accepted).Annotation(title=_("Chấp nhận hay trả lại?")).Then(this.end).Else(this.submit)
    )

    end = flow.End().Annotation(title=_("Kết thúc"))

    def was_accepted(self, activation) -> bool:
        """Route on the state the door just saved (read again: the gateway must not trust a cached copy)."""
        state = UnitPlan.objects.filter(pk=activation.process.plan_id).values_list("state", flat=True).get()
        return state == PlanState.ACCEPTED
