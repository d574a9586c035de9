"""The submission letter (tờ trình) of an award decision as DOCX (nominations/submission_letter.py), for whoever
may view the decision."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from competition.scoping import scope

from .models import AwardDecision
from .submission_letter import submission_letter_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def decision_submission_letter(request, pk):
    """Same permission as the decision's page: the decision within the user's scope (404 otherwise)."""
    decision = get_object_or_404(scope(request.user, AwardDecision.objects.all()), pk=pk)
    response = HttpResponse(submission_letter_docx(decision), content_type=DOCX)
    name = f"to-trinh-quyet-dinh-{decision.number or 'du-thao'}-{decision.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
