from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    ORGANISATION = "organisation", _("Cơ quan, đoàn thể")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    BODY = "body", _("Bộ phận trực thuộc")


LOCALITY_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.WARD})


class ClusterKind(models.TextChoices):
    CLUSTER = "cluster", _("Cụm thi đua")
    BLOC = "bloc", _("Khối thi đua")


class Authority(models.TextChoices):
    PROVINCIAL_CHAIRMAN = "provincial_chairman", _("Chủ tịch UBND tỉnh")
    DEPARTMENT_HEAD = "department_head", _("Thủ trưởng sở, ban, ngành")
    COMMUNE_CHAIRMAN = "commune_chairman", _("Chủ tịch UBND xã, phường")


class SubjectKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    COLLECTIVE = "collective", _("Tập thể")
    HOUSEHOLD = "household", _("Hộ gia đình")


class VoteBase(models.TextChoices):
    ALL_MEMBERS = "all_members", _("trên tổng số thành viên Hội đồng")
    REVIEWING_MEMBERS = "reviewing_members", _("trên số thành viên tham gia xét")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    LAUNCHED = "launched", _("Đã phát động")
    SUMMARIZING = "summarizing", _("Đang tổng kết")
    CLOSED = "closed", _("Đã kết thúc")


class CampaignLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Cấp sở, ngành")
    COMMUNE = "commune", _("Cấp xã")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Bị trả lại")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    CHECKING = "checking", _("Đang kiểm tra")
    INVALID = "invalid", _("Có lỗi, chưa nhập")
    READY = "ready", _("Đã kiểm tra, chờ xác nhận")
    WRITING = "writing", _("Đang ghi")
    DONE = "done", _("Đã nhập")
    FAILED = "failed", _("Lỗi hệ thống")


class ReviewState(models.TextChoices):
    SCHEDULED = "scheduled", _("Đã lên lịch")
    TAKEN = "taken", _("Đã chụp số liệu")
    PUBLISHED = "published", _("Đã công bố")
