"""The Dossier flow: who must act next on a nomination dossier (architecture principle 3).

Reads as the process diagram::

    start ─► submit ─► receive ─► received? ─yes─► appraise ─► decide ─► end
    (clerk)  (unit     (board or     │no (returned)
              head)     the unit's   └──► submit
                        own office)

The flow routes, it never decides: every human task is completed by the door (``workflows.transition``) when the
matching transition of the dossier happens (``TRANSITION_NODES``), and the gateway only reads the dossier's new
state. Who may take each task is the same permission the door checks for the transition (nominations/rules.py):

- submit: the head of the proposing unit;
- receive and appraise: a board officer (Sở Nội vụ) for the provincial Chairman's Bằng khen; for a Giấy khen, a
  clerk of the deciding unit (the commune's or department's own emulation office);
- decide: the Chairman's office for Bằng khen; the head of the deciding unit for a Giấy khen.

Issue 7 inserts the council vote and the board's submission letter between appraise and decide.
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
    "appraise": "appraise",
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
        .Next(this.decide)
    )

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

    def was_received(self, activation) -> bool:
        """Route on the state the door just saved (read again: the gateway must not trust a cached copy)."""
        state = Dossier.objects.filter(pk=activation.process.dossier_id).values_list("state", flat=True).get()
        return state == DossierState.RECEIVED
