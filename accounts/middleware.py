"""Send a person who signs in with a temporary password to the password change page until they change it."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Pages a person with a temporary password may still open (besides static and media files).
ALLOWED_URL_NAMES = (
    "password_change",
    "password_change_done",
    "logout",
    "login",
    "set_language",
    "javascript-catalog",
)


class MustChangePasswordMiddleware:
    """Place after ``AuthenticationMiddleware``. The flag is cleared by ``accounts.views.PasswordChangeView``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: frozenset[str] | None = None
        self._prefixes = tuple(
            p if p.startswith("/") else f"/{p}" for p in (settings.STATIC_URL, settings.MEDIA_URL) if p
        )

    def _is_allowed(self, path: str) -> bool:
        if self._paths is None:  # reversed on first use: the URLconf is not loaded when middleware is built
            self._paths = frozenset(reverse(name) for name in ALLOWED_URL_NAMES)
        return path in self._paths or path.startswith(self._prefixes)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._is_allowed(request.path_info)
            # The API answers for itself, in JSON (accounts.permissions.PasswordChanged).
            and not request.path_info.startswith("/api/")
        ):
            return redirect("password_change")
        return self.get_response(request)
