from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Quy trình và nhật ký")

    def ready(self) -> None:
        from .audit import register_action_labels

        register_action_labels(
            {
                "workflows.calendar.add": _("Thêm ngày điều chỉnh lịch làm việc"),
                "workflows.calendar.remove": _("Xoá ngày điều chỉnh lịch làm việc"),
            }
        )
