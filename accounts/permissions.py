"""API permission of the accounts app (Django REST framework)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class PasswordChanged(BasePermission):
    """A person still holding a temporary password changes it on the web before anything else, through the API as
    on the pages (``MustChangePasswordMiddleware`` leaves API paths to this check, which answers in JSON)."""

    message = _("Hãy đổi mật khẩu tạm thời trên trang web trước khi dùng API.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return not (user and user.is_authenticated and getattr(user, "must_change_password", False))
