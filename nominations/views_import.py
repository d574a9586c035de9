"""The dossier's nominee list imported from a file: upload → preview (every bad row, or the counts) → confirm, and
the template to fill in (issue 6, item 2). The checks are those of ``services/nominee_import.py``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from competition.scoping import scope
from competition.services.tables import RowError
from competition.views.imports import import_page
from workflows.exceptions import TransitionRefused
from workflows.web import require_perm

from .models import Dossier
from .rules import OPEN_FOR_CHANGES
from .services.nominee_import import NOMINEE_COLUMNS, NomineeImportResult, import_nominees, nominee_template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def session_key(dossier: Dossier) -> str:
    return f"nominations.nominee_import.{dossier.pk}"


def _dossier(request, pk) -> Dossier:
    qs = Dossier.objects.select_related("campaign", "unit")
    return get_object_or_404(scope(request.user, qs), pk=pk)


@login_required
def nominee_import(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state not in OPEN_FOR_CHANGES:
        messages.error(
            request,
            _("Hồ sơ đang ở trạng thái “%(s)s”: chỉ nhập danh sách khi hồ sơ đang soạn hoặc bị trả lại để bổ sung.")
            % {"s": dossier.get_state_display()},
        )
        return redirect("nominations:dossier_detail", pk)
    require_perm(request.user, "nominations.change_dossier", dossier)

    def importer(source, *, actor, dry_run=False, filename=None):
        try:
            return import_nominees(dossier, source, actor=actor, dry_run=dry_run, filename=filename)
        except TransitionRefused as exc:  # the dossier left the unit between the preview and the confirm
            return NomineeImportResult(dry_run=dry_run, errors=[RowError(None, "", "", exc.message)])

    def done(result, filename):
        messages.success(
            request,
            _("Đã nhập “%(f)s”: %(new)s người, tập thể mới; %(unchanged)s đã có trong hồ sơ.")
            % {"f": filename, "new": result.new, "unchanged": result.unchanged},
        )
        return redirect("nominations:dossier_detail", pk)

    return import_page(
        request,
        key=session_key(dossier),
        importer=importer,
        template="nominations/nominee_import.html",
        context={"dossier": dossier, "columns": NOMINEE_COLUMNS, "max_bytes": settings.THIDUA_MAX_UPLOAD_BYTES},
        done=done,
    )


@login_required
def nominee_import_template(request, pk):
    _dossier(request, pk)  # anyone who sees the dossier; the template holds no data
    response = HttpResponse(nominee_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-de-nghi.xlsx"'
    return response
