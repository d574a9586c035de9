"""The submission letter (tờ trình) of an award decision as DOCX (nominations/submission_letter.py), and as PDF where
LibreOffice is installed (workflows/pdf.py), for whoever may view the decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from competition.scoping import scope
from workflows.pdf import PDF_MIME, PdfConversionFailed, PdfUnavailable, docx_to_pdf, pdf_available

from .models import AwardDecision
from .submission_letter import submission_letter_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _decision(request, pk) -> AwardDecision:
    """Same permission as the decision's page: the decision within the user's scope (404 otherwise)."""
    return get_object_or_404(scope(request.user, AwardDecision.objects.all()), pk=pk)


def _attachment(content: bytes, mime: str, decision: AwardDecision, suffix: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    name = f"to-trinh-quyet-dinh-{decision.number or 'du-thao'}-{decision.pk}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def decision_submission_letter(request, pk):
    decision = _decision(request, pk)
    return _attachment(submission_letter_docx(decision), DOCX, decision, "docx")


@login_required
def decision_submission_letter_pdf(request, pk):
    """The letter's DOCX rendered by LibreOffice: 404 where it is not installed; on a failed conversion, a message
    on the decision's page."""
    decision = _decision(request, pk)
    if not pdf_available():
        raise Http404
    try:
        content = docx_to_pdf(submission_letter_docx(decision))
    except PdfUnavailable as exc:
        raise Http404 from exc
    except PdfConversionFailed:
        messages.error(
            request,
            _(
                "Không tạo được bản PDF của tờ trình (LibreOffice báo lỗi hoặc quá thời gian). "
                "Hãy tải bản Word (.docx) hoặc thử lại sau."
            ),
        )
        return redirect("nominations:decision_detail", pk)
    return _attachment(content, PDF_MIME, decision, "pdf")
