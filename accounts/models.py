from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import BOARD_ROLES, CAMPAIGN_WIDE_ROLES, UNIT_ROLES, Role


class User(AbstractUser):
    """A person who signs in. Which unit they belong to is a ``competition.Membership``."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices, default=Role.UNIT_CLERK)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("phải đổi mật khẩu khi đăng nhập"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.get_username()

    @property
    def is_unit_user(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_board(self) -> bool:
        return self.role in BOARD_ROLES

    @property
    def is_campaign_wide(self) -> bool:
        return self.role in CAMPAIGN_WIDE_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
