"""Helpers for views that call the door: refusals become messages, never tracebacks."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .exceptions import ConflictError, TransitionRefused


def perform(request: HttpRequest, action: Callable[[], object], *, success: str) -> bool:
    """Run ``action``; on success add ``success`` as a message, on a refusal add the refusal. Returns success."""
    try:
        action()
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return False
    except ConflictError as exc:
        messages.warning(request, exc.message)
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return False
    messages.success(request, success)
    return True


def require_perm(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def stored_file_response(stored, name: str = "", *, content_type: str | None = None):
    """An uploaded file (a ``FieldFile``) as a download named ``name`` (default: its stored name); 404 when there is
    none or it is gone from storage. Browsers are told not to guess another type than the one sent."""
    from django.http import FileResponse, Http404

    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=name or stored.name.rsplit("/", 1)[-1], content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
