"""The integration API, version 1 (issue 8 item 9), mounted at ``/api/v1/`` by ``config/urls.py``: the router of
every app's resources (each app's ``api.py``), the OpenAPI 3 schema (drf-spectacular, ``schema/``: YAML, or JSON with
``?format=json``), and the handler that turns the engine's refusals into JSON with the service's own message.
Settings: the ``REST_FRAMEWORK`` and ``SPECTACULAR_SETTINGS`` block of ``config/settings.py``. Documentation:
``docs/api.md``.
"""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from competition.api import ROUTES as COMPETITION_ROUTES
from nominations.api import ROUTES as NOMINATION_ROUTES
from scoring.api import ROUTES as SCORING_ROUTES
from workflows.exceptions import ConflictError, TransitionForbidden, TransitionRefused

app_name = "api"


def exception_handler(exc, context):
    """DRF's handler, and the engine's exceptions with their Vietnamese message: ``TransitionForbidden`` → 403;
    ``TransitionRefused`` (with every unmet condition in ``reasons``) and ``ConflictError`` → 409."""
    if isinstance(exc, TransitionForbidden):
        set_rollback()
        return Response({"detail": str(exc.message)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, TransitionRefused):
        set_rollback()
        return Response(
            {"detail": str(exc.message), "reasons": [str(r) for r in exc.reasons]}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ConflictError):
        set_rollback()
        return Response({"detail": str(exc.message), "reasons": []}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class NotFoundView(APIView):
    """Any other address under ``/api/v1/``: a JSON 404 (not the site's HTML page)."""

    schema = None
    permission_classes: list = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound

    def get(self, request, *args, **kwargs):
        raise NotFound

    post = put = patch = delete = head = options = get


router = SimpleRouter()
for prefix, viewset, basename in (*COMPETITION_ROUTES, *SCORING_ROUTES, *NOMINATION_ROUTES):
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
