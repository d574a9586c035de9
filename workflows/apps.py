from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Quy trình và nhật ký")

    def ready(self) -> None:
        from .audit import register_action_labels
        from .reminders import ensure_schedule

        # The daily reminders schedule (django-q2) exists after every migrate, created once.
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="workflows.reminders.ensure_schedule")

        register_action_labels(
            {
                "workflows.calendar.add": _("Thêm ngày điều chỉnh lịch làm việc"),
                "workflows.calendar.remove": _("Xoá ngày điều chỉnh lịch làm việc"),
                "workflows.standin.add": _("Cử người làm thay"),
                "workflows.standin.cancel": _("Huỷ việc làm thay"),
            }
        )
