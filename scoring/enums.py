from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    """Who a scoring table scores."""

    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")


class CriterionKind(models.TextChoices):
    NORMAL = "normal", _("Tiêu chí")
    BONUS = "bonus", _("Điểm thưởng")
    PENALTY = "penalty", _("Điểm trừ")


class Formula(models.TextChoices):
    """How a criterion's points are found (``scoring/services/formulas.py``)."""

    MANUAL = "manual", _("Người chấm cho điểm, từ 0 đến điểm chuẩn")
    FIXED = "fixed", _("Đạt thì đủ điểm chuẩn, không đạt thì 0")
    RATIO = "ratio", _("Tỷ lệ đạt chỉ tiêu × điểm chuẩn")
    STEPPED = "stepped", _("Theo bậc của tỷ lệ đạt chỉ tiêu")
    CAPPED = "capped", _("Mỗi lần (sáng kiến, mô hình…) được một số điểm, có mức tối đa")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Trung bình cộng điểm của các thành viên chấm")
    MEDIAN = "median", _("Trung vị điểm của các thành viên chấm")
    CONSENSUS = "consensus", _("Đồng thuận: điểm các thành viên chênh nhau không quá mức cho phép")


class ScorecardState(models.TextChoices):
    DRAFT = "draft", _("Đơn vị đang tự chấm")
    SUBMITTED = "submitted", _("Đã nộp, chờ chấm")
    FINALIZED = "finalized", _("Đã chốt điểm")
    PUBLISHED = "published", _("Đã công bố")


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Đang chấm")
    SUBMITTED = "submitted", _("Đã chấm xong")


class TieBreak(models.TextChoices):
    """One step of a table's tie-break cascade, applied in order to scorecards with the same total."""

    CRITERION = "criterion", _("Điểm cao hơn ở tiêu chí ưu tiên")
    WOMEN = "women", _("Tập thể có tỷ lệ nữ từ ngưỡng trở lên, cá nhân là nữ (NĐ 152/2025, Điều 4)")
    NON_LEADER = "non_leader", _("Cá nhân không giữ chức vụ lãnh đạo, quản lý")
