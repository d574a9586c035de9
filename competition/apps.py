from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionConfig(AppConfig):
    name = "competition"
    verbose_name = _("Phong trào thi đua")

    def ready(self) -> None:
        from workflows import flowsync, inbox, jobs, reminders
        from workflows.audit import register_action_labels

        from .flows import TRANSITION_NODES
        from .models import UnitPlan, UnitPlanProcess
        from .services.indicator_import import resume_stalled_imports
        from .services.plans import inbox_items as plan_inbox_items
        from .services.reminders import plan_deadlines, progress_deadlines

        # The UnitPlan flow drives unit plans: the door completes its tasks, verify_audit checks they agree.
        flowsync.register(UnitPlan, UnitPlanProcess, "plan", transitions=TRANSITION_NODES)
        inbox.register(plan_inbox_items)
        reminders.register(plan_deadlines)
        reminders.register(progress_deadlines)
        # Interim reviews whose date has come are snapshotted by a daily schedule (services/reviews.py).
        reminders.register_daily("thidua-interim-reviews", "competition.tasks.take_due_reviews")
        # Import files checked but never confirmed are forgotten after a while (services/indicator_import.py).
        reminders.register_daily("thidua-import-cleanup", "competition.tasks.forget_abandoned_imports")
        # A check or write whose task was lost with a dead worker is queued again (workflows/jobs.py).
        jobs.register_resumer(resume_stalled_imports)
        register_action_labels(
            {
                "competition.campaign.create": _("Tạo phong trào"),
                "competition.campaign.edit": _("Sửa nội dung phong trào"),
                "competition.campaign.indicators": _("Cập nhật chỉ tiêu"),
                "competition.campaign.participants": _("Chọn đơn vị tham gia"),
                "competition.units.import": _("Nhập đơn vị từ tệp"),
                "competition.unit.dissolve": _("Đánh dấu đơn vị giải thể, sáp nhập"),
                "competition.unit.seed_demo": _("Nạp đơn vị trình diễn"),
                "competition.ruleset.seed": _("Nạp bộ quy định ban đầu"),
                "competition.ruleset.copy": _("Tạo bộ quy định mới từ bộ cũ"),
                "competition.ruleset.value_edit": _("Sửa giá trị quy định"),
                "competition.ruleset.value_confirm": _("Xác nhận giá trị quy định"),
                "competition.basesalary.add": _("Thêm mức lương cơ sở"),
                "competition.unitplan.create": _("Lập kế hoạch của đơn vị"),
                "competition.unitplan.save": _("Lưu kế hoạch của đơn vị"),
                "competition.progress.period": _("Mở kỳ báo cáo tiến độ"),
                "competition.progress.report": _("Báo cáo tiến độ chỉ tiêu"),
                "competition.progress.import": _("Nhập số liệu chỉ tiêu từ tệp"),
                "competition.review.schedule": _("Lên lịch sơ kết"),
                "competition.review.remarks": _("Ghi nhận xét sơ kết"),
                "accounts.users.import": _("Tạo tài khoản từ tệp"),
                "accounts.user.reset_password": _("Đặt lại mật khẩu"),
                "accounts.user.deactivate": _("Khoá tài khoản"),
            }
        )
