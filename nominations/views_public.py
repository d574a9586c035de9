"""Public pages, open to anyone without logging in (issue 7 item 5): published decisions with their awardees, and
verification of a decision or certificate by its code. Only ``nominations.services.publication``'s public rows
reach these templates: no personal data (domain rule 16)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from .enums import DecisionState
from .models import AwardDecision
from .services import publication
from .services.codes import normalize_code


def public_decisions(request):
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(publication.published_decisions(query), 30).get_page(request.GET.get("page"))
    rows = [publication.public_decision(d, revoked_lines=d.revoked_count) for d in page]
    return render(request, "nominations/public_decisions.html", {"page": page, "rows": rows, "query": query})


def public_decision(request, code):
    normalized = normalize_code(code)
    decision = (
        AwardDecision.objects.filter(state=DecisionState.PUBLISHED, verification_code=normalized)
        .select_related("issuing_unit", "award_type", "campaign")
        .first()
        if normalized
        else None
    )
    if decision is None:
        raise Http404
    return render(
        request,
        "nominations/public_decision.html",
        {"decision": publication.public_decision(decision), "awards": publication.public_awards(decision)},
    )


def verify(request):
    """The verification form; a typed code goes to its result page."""
    typed = (request.GET.get("ma") or "").strip()[:40]
    if typed:
        code = normalize_code(typed)
        if code:
            return redirect("nominations:verify_code", code)
    return render(request, "nominations/verify.html", {"typed": typed, "code": "", "invalid": bool(typed)})


def verify_code(request, code):
    result = publication.verify_code(code)
    return render(
        request,
        "nominations/verify.html",
        {"result": result, "code": code, "typed": code, "not_found": result is None},
        status=200 if result is not None else 404,
    )
