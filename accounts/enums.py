from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    UNIT_CLERK = "unit_clerk", _("Cán bộ thi đua đơn vị")
    UNIT_HEAD = "unit_head", _("Thủ trưởng đơn vị")
    BOARD_OFFICER = "board_officer", _("Chuyên viên Ban Thi đua - Khen thưởng (Sở Nội vụ)")
    BOARD_HEAD = "board_head", _("Lãnh đạo Sở Nội vụ")
    COORDINATOR = "coordinator", _("Cán bộ Sở Khoa học và Công nghệ")
    COUNCIL_MEMBER = "council_member", _("Thành viên Hội đồng Thi đua - Khen thưởng")
    CHAIRMAN_OFFICE = "chairman_office", _("Văn phòng UBND tỉnh (Chủ tịch)")
    AUDITOR = "auditor", _("Thanh tra, kiểm toán (chỉ xem)")


UNIT_ROLES = frozenset({Role.UNIT_CLERK, Role.UNIT_HEAD})
BOARD_ROLES = frozenset({Role.BOARD_OFFICER, Role.BOARD_HEAD})
# Roles that follow every unit of the campaigns they serve (architecture principle 7).
CAMPAIGN_WIDE_ROLES = frozenset({Role.BOARD_OFFICER, Role.BOARD_HEAD, Role.COORDINATOR})
