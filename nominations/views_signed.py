"""Thin views of a signed decision's PDF, uploaded back after signing (nominations.services.decisions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.web import perform, require_perm, stored_file_response

from .models import SignedDecisionScan
from .services import decisions as decision_services
from .views import _decision


@login_required
@require_POST
def signed_pdf_upload(request, pk):
    decision = _decision(request, pk)
    require_perm(request.user, "nominations.upload_signed_awarddecision", decision)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp PDF của quyết định đã ký."))
        return redirect("nominations:decision_detail", pk)
    perform(
        request,
        lambda: decision_services.upload_signed_pdf(
            decision, upload, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=_("Đã lưu bản đã ký “%(name)s”; mã băm đã ghi vào nhật ký.") % {"name": upload.name},
    )
    return redirect("nominations:decision_detail", pk)


@login_required
def signed_pdf_download(request, pk, scan_pk):
    decision = _decision(request, pk)
    scan = get_object_or_404(SignedDecisionScan, pk=scan_pk, decision=decision)
    return stored_file_response(scan.file, scan.name, content_type="application/pdf")
