from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Chấm điểm, xếp hạng")

    def ready(self) -> None:
        from workflows import inbox
        from workflows.audit import register_action_labels

        from . import rules  # noqa: F401  (registers the permissions)
        from .services.scorecards import inbox_items as scorecard_inbox_items

        # scorecards: what waits for the unit, the assessors and the board (scoring/services/scorecards.py)
        inbox.register(scorecard_inbox_items)

        register_action_labels(
            {
                # scoring tables
                "scoring.table.create": _("Tạo bảng chấm điểm"),
                "scoring.table.update": _("Sửa thông tin bảng chấm điểm"),
                "scoring.table.add_criterion": _("Thêm tiêu chí chấm điểm"),
                "scoring.table.update_criterion": _("Sửa tiêu chí chấm điểm"),
                "scoring.table.delete_criterion": _("Xoá tiêu chí chấm điểm"),
                "scoring.table.add_class": _("Thêm mức xếp loại"),
                "scoring.table.update_class": _("Sửa mức xếp loại"),
                "scoring.table.delete_class": _("Xoá mức xếp loại"),
                "scoring.table.add_tie_break": _("Thêm bước phân định khi bằng điểm"),
                "scoring.table.move_tie_break": _("Đổi thứ tự bước phân định khi bằng điểm"),
                "scoring.table.delete_tie_break": _("Xoá bước phân định khi bằng điểm"),
                "scoring.table.import": _("Nhập bảng chấm điểm từ tệp"),
                # scorecards
                "scoring.scorecard.create": _("Lập phiếu chấm điểm"),
                "scoring.scorecard.self_scores": _("Lưu điểm tự chấm"),
                "scoring.scorecard.assign": _("Phân công thành viên chấm"),
                "scoring.scorecard.settle": _("Ban quyết định điểm tiêu chí"),
                "scoring.assessment.save": _("Lưu điểm chấm của thành viên"),
                "scoring.assessment.submit": _("Thành viên chấm xong"),
                # ranking
                "scoring.ranking.decide_tie": _("Quyết định thứ tự khi đồng hạng"),
            }
        )
