from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = _("Hồ sơ đề nghị khen thưởng")

    def ready(self) -> None:
        from workflows import flowsync, inbox, jobs, reminders
        from workflows.audit import register_action_labels, register_record_edits

        from .flows import TRANSITION_NODES
        from .models import Dossier, DossierProcess
        from .services.board import ACTION_LABELS as BOARD_ACTION_LABELS
        from .services.board import resume_stalled_jobs
        from .services.inbox import inbox_slice
        from .services.reminders import appraisal_deadlines

        # The Dossier flow drives dossiers: the door completes its tasks, verify_audit checks they agree.
        flowsync.register(Dossier, DossierProcess, "dossier", transitions=TRANSITION_NODES)
        inbox.register(inbox_slice, sliced=True)
        # A bulk action whose task was lost with a dead worker is queued again (workflows/jobs.py).
        jobs.register_resumer(resume_stalled_jobs)
        # The appraisal time limit of every dossier under appraisal (services/reminders.py).
        reminders.register(appraisal_deadlines)
        # What changes only a dossier's nominees and files, shown by nothing but the dossier's own page (its
        # cache keys follow every event): the inboxes, dashboards and menus stay kept (workflows/audit.py).
        register_record_edits(
            {
                "nominations.nominee.add",
                "nominations.nominee.update",
                "nominations.nominee.remove",
                "nominations.nominee.import",
                "nominations.document.attach",
                "nominations.document.remove",
            }
        )
        register_action_labels(BOARD_ACTION_LABELS)
        register_action_labels(
            {
                "nominations.dossier.create": _("Lập hồ sơ đề nghị khen thưởng"),
                "nominations.nominee.add": _("Thêm người, tập thể được đề nghị"),
                "nominations.nominee.update": _("Sửa thông tin người, tập thể được đề nghị"),
                "nominations.nominee.remove": _("Bỏ người, tập thể khỏi hồ sơ"),
                "nominations.nominee.appraise": _("Ghi kết quả thẩm định"),
                "nominations.nominee.import": _("Nhập danh sách người, tập thể được đề nghị từ tệp"),
                "nominations.awarddecision.draft": _("Lập dự thảo quyết định"),
                "nominations.awarddecision.issue_details": _("Ghi số, ngày ký, người ký"),
                "nominations.awardrecord.import": _("Nhập sổ theo dõi khen thưởng"),
                "nominations.nomineehold.add": _("Tạm dừng xét khen thưởng"),
                "nominations.nomineehold.lift": _("Gỡ tạm dừng xét khen thưởng"),
                "nominations.nominationquota.set": _("Đặt chỉ tiêu khen thưởng của phong trào"),
                "nominations.document.attach": _("Tải lên tài liệu của hồ sơ"),
                "nominations.document.remove": _("Rút tài liệu khỏi hồ sơ"),
                "nominations.dossier.overdue": _("Báo quá hạn thẩm định"),
                "nominations.councilsession.create": _("Lập phiên họp Hội đồng"),
                "nominations.awarddecision.signed_pdf": _("Tải lên bản quyết định đã ký (PDF)"),
                "nominations.councilsession.members": _("Ghi danh sách thành viên dự họp"),
                "nominations.councilsession.vote": _("Bỏ phiếu kín (không ghi nội dung phiếu)"),
                "nominations.fund.entry": _("Ghi khoản thu, chi của quỹ thi đua, khen thưởng"),
                "nominations.personal_data.purge": _("Xoá dữ liệu cá nhân quá thời hạn lưu trữ"),
                "nominations.revocation.propose": _("Đề nghị thu hồi khen thưởng"),
                "nominations.revocation.details": _("Ghi số, ngày ký quyết định thu hồi"),
                "nominations.revocation.effects": _("Thu hồi khen thưởng: tiền thưởng và khen thưởng sau đó"),
                "nominations.revocation.flag_resolved": _("Ghi kết quả xem xét khen thưởng sau thu hồi"),
                "nominations.statistics_template.upload": _("Tải lên mẫu thống kê khen thưởng"),
                "nominations.statistics_template.activate": _("Chọn mẫu thống kê khen thưởng đang dùng"),
                "nominations.statistics_template.deactivate": _("Trở lại mẫu thống kê khen thưởng mặc định"),
            }
        )
