"""The Dossier flow: who must act next on a nomination dossier (architecture principle 3).

Reads as the process diagram::

    start ─► submit ─► receive ─► received? ─yes─► appraise ─► appraised? ─yes─► council ─► decide ─► end
    (clerk)  (unit     (board or     │no (returned)   ┆ timer     │no (returned during appraisal)
              head)     the unit's   └──► submit       ┆           └──► submit
                        own office)                    └┄► overdue (escalate to the board's head) ─► end

The flow routes, it never decides: every human task is completed by the door (``workflows.transition``) when the
matching transition of the dossier happens (``TRANSITION_NODES``), and the gateway only reads the dossier's new
state. Who may take each task is the same permission the door checks for the transition (nominations/rules.py):

- submit: the head of the proposing unit;
- receive and appraise: a board officer (Sở Nội vụ) for the provincial Chairman's Bằng khen; for a Giấy khen, a
  clerk of the deciding unit (the commune's or department's own emulation office);
- council: the same office, which takes the dossier to a session of its council (nominations/services/council.py);
  closing the session records the council's result on each nominee and completes the task;
- decide: the Chairman's office for Bằng khen; the head of the deciding unit for a Giấy khen.

The appraisal task carries a timer (``.OnTimeout``, not interrupting) set at the end of its time limit in working
days (nominations/services/clock.py): if the dossier is still under appraisal then, the board's head and the
officer handling it are told. django-q2 fires due timers every few minutes (``workflows.tasks.fire_workflow_timers``).
A return stops the clock: the task ends and its timer is cancelled; the next receipt arms a new one for the days
left.

"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.flowsync import DoorTask, RecordFlowMixin, RecordStart

from .enums import DossierState
from .models import Dossier, DossierProcess

# Which transition of the dossier completes which node (workflows.flowsync.register).
TRANSITION_NODES = {
    "submit": "submit",
    "receive": "receive",
    "send_back": "receive",
    "send_back_in_appraisal": "appraise",
    "appraise": "appraise",
    "council_review": "council",
    "decide": "decide",
}


def dossier_of(process) -> Dossier:
    """The permission object of every task: the dossier (the door checks the same permission on it)."""
    return process.coerced.dossier


class DossierFlow(RecordFlowMixin, flow.Flow):
    """Hồ sơ đề nghị khen thưởng"""

    process_class = DossierProcess
    process_title = _("Hồ sơ đề nghị khen thưởng")
    process_description = _(
        "Đơn vị lập và gửi hồ sơ; cơ quan thẩm định tiếp nhận, thẩm định; cấp có thẩm quyền quyết định."
    )

    start = RecordStart().Annotation(title=_("Lập hồ sơ")).Next(this.submit)

    submit = (
        DoorTask()
        .Annotation(
            title=_("Trình ký, gửi hồ sơ"),
            description=_("Thủ trưởng đơn vị đề nghị ký tờ trình và gửi hồ sơ."),
        )
        .Permission("nominations.submit_dossier", obj=dossier_of)
        .Next(this.receive)
    )

    receive = (
        DoorTask()
        .Annotation(
            title=_("Tiếp nhận hồ sơ"),
            description=_("Cơ quan thẩm định kiểm tra thành phần hồ sơ: tiếp nhận, hoặc trả lại để bổ sung."),
        )
        .Permission("nominations.receive_dossier", obj=dossier_of)
        .Next(this.received)
    )

    received = (
        flow.If(this.was_received)
        .Annotation(title=_("Đã tiếp nhận hay trả lại?"))
        .Then(this.appraise)
        .Else(this.submit)
    )

    appraise = (
        DoorTask()
        .Annotation(
            title=_("Thẩm định hồ sơ"),
            description=_("Cơ quan thẩm định cho ý kiến từng người, tập thể và hoàn thành thẩm định."),
        )
        .Permission("nominations.appraise_dossier", obj=dossier_of)
        .OnTimeout(this.appraisal_due, this.overdue, interrupting=False, title=_("Hết thời hạn thẩm định"))
        .Next(this.appraised)
    )

    appraised = (
        flow.If(this.was_appraised)
        .Annotation(title=_("Đã thẩm định hay trả lại?"))
        .Then(this.council)
        .Else(this.submit)
    )

    council = (
        DoorTask()
        .Annotation(
            title=_("Hội đồng xét"),
            description=_(
                "Cơ quan thường trực đưa hồ sơ ra phiên họp Hội đồng; các thành viên bỏ phiếu kín; kết thúc phiên họp "
                "ghi kết quả từng người, tập thể."
            ),
        )
        .Permission("nominations.council_review_dossier", obj=dossier_of)
        .Next(this.decide)
    )

    overdue = (
        flow.Function(this.escalate_overdue)
        .Annotation(title=_("Báo quá hạn thẩm định"), description=_("Báo lãnh đạo Sở và cán bộ thụ lý."))
        .Next(this.overdue_end)
    )
    overdue_end = flow.End().Annotation(title=_("Đã báo quá hạn"))

    decide = (
        DoorTask()
        .Annotation(
            title=_("Quyết định khen thưởng"),
            description=_("Cấp có thẩm quyền ký quyết định khen thưởng."),
        )
        .Permission("nominations.decide_dossier", obj=dossier_of)
        .Next(this.end)
    )

    end = flow.End().Annotation(title=_("Kết thúc"))

    def _state(self, activation) -> str:
        """The state the door just saved (read again: a gateway must not trust a cached copy)."""
        return Dossier.objects.filter(pk=activation.process.dossier_id).values_list("state", flat=True).get()

    def was_received(self, activation) -> bool:
        return self._state(activation) == DossierState.RECEIVED

    def was_appraised(self, activation) -> bool:
        return self._state(activation) == DossierState.APPRAISED

    def appraisal_due(self, activation):
        """When the appraisal timer fires: the end of the last working day of the time limit."""
        from .services.clock import overdue_moment

        return overdue_moment(activation.process.dossier)

    def escalate_overdue(self, activation):
        from .services.reminders import escalate_overdue_dossier

        escalate_overdue_dossier(activation.process.dossier, task_pk=activation.task.pk)
