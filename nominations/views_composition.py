"""Thin views of a dossier's composition (its files), of returns for supplementation with a reason per item, and of
its files' download. The rules live in nominations/services/composition.py and services/dossiers.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.web import perform, require_perm, stored_file_response

from .enums import DossierState
from .models import DossierDocument
from .services import composition
from .services import dossiers as dossier_services
from .views import _dossier

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
@require_POST
def document_upload(request, pk):
    dossier = _dossier(request, pk)
    require_perm(request.user, "nominations.change_dossier", dossier)
    upload = request.FILES.get("file")
    code = request.POST.get("code", "")
    nominee = None
    if request.POST.get("nominee"):
        nominee = get_object_or_404(dossier.nominees, pk=request.POST["nominee"])
    if upload is None:
        messages.error(request, _("Hãy chọn tệp (PDF hoặc Word DOCX) để tải lên."))
        return redirect("nominations:dossier_detail", pk)
    perform(
        request,
        lambda: composition.attach_document(dossier, code=code, upload=upload, actor=request.user, nominee=nominee),
        success=_("Đã tải lên “%(name)s”.") % {"name": upload.name},
    )
    return redirect(reverse("nominations:dossier_detail", args=[pk]) + "#thanh-phan")


@login_required
@require_POST
def document_remove(request, pk, document_pk):
    dossier = _dossier(request, pk)
    require_perm(request.user, "nominations.change_dossier", dossier)
    document = get_object_or_404(DossierDocument, pk=document_pk, dossier=dossier)
    perform(
        request,
        lambda: composition.remove_document(document, actor=request.user),
        success=_("Đã rút “%(name)s” khỏi hồ sơ.") % {"name": document.name},
    )
    return redirect(reverse("nominations:dossier_detail", args=[pk]) + "#thanh-phan")


@login_required
def document_download(request, pk, document_pk):
    """A file of the dossier, for whoever may see the dossier (its unit, the appraising office, the board)."""
    dossier = _dossier(request, pk)
    require_perm(request.user, "nominations.view_dossier", dossier)
    document = get_object_or_404(DossierDocument, pk=document_pk, dossier=dossier)
    return stored_file_response(document.file, document.name, content_type=CONTENT_TYPES.get(document.kind))


@login_required
@require_POST
def dossier_return(request, pk):
    """Return for supplementation, with a reason per item (fields ``reason:<target>``) and a general reason."""
    dossier = _dossier(request, pk)
    name = "send_back_in_appraisal" if dossier.state == DossierState.RECEIVED else "send_back"
    if not request.user.has_perm(f"nominations.{name}_dossier", dossier):
        raise PermissionDenied
    items = [
        {"target": key.removeprefix("reason:"), "reason": value}
        for key, value in request.POST.items()
        if key.startswith("reason:") and value.strip()
    ]
    perform(
        request,
        lambda: dossier_services.return_dossier(
            dossier, actor=request.user, reason=request.POST.get("reason", ""), items=items
        ),
        success=_("Đã trả lại hồ sơ để bổ sung."),
    )
    return redirect("nominations:dossier_detail", pk)
