"""Views of the scoring app: scorecards. The unit's self-scoring page, the assessor's queue and scoring page, the
board's comparison page (assignments, settlements, finalisation, publication, reopening), the campaign's list of
scorecards, the assessors' severity report, evidence files and the DOCX for signing.

Thin: every record is read through the scoping function, every rule is in ``scoring/services/scorecards.py``, every
change of state goes through the door there; refusals become messages (``workflows.web.perform``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import UNIT_ROLES
from accounts.models import User
from competition.models import Campaign, Unit
from competition.scoping import scope, user_unit
from workflows.audit import events_for
from workflows.door import allowed_transitions, transition_label
from workflows.web import perform, require_perm, stored_file_response

from ..enums import AssessmentState, Formula, ScorecardState, Subject
from ..models import Assessment, CriterionResult, Scorecard, ScoreEntry, ScoringTable
from ..services import scorecards as services
from ..services.documents import scorecard_docx as build_docx

BOARD_ACTIONS = ("send_back", "finalize", "publish", "reopen")
NEEDS_REASON = ("send_back", "reopen")


def _scorecard(request, pk) -> Scorecard:
    queryset = Scorecard.objects.select_related("table__campaign", "unit")
    return get_object_or_404(scope(request.user, queryset), pk=pk)


def _campaign(request, pk) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)


def _id(raw) -> int:
    """A posted id, or 0 (matches nothing) when it is not a number."""
    return int(raw) if raw and str(raw).isdigit() else 0


def _actions(scorecard, user) -> list[tuple[str, str, bool]]:
    """(transition, label, needs a reason) the user may perform now."""
    return [
        (name, transition_label(getattr(scorecard, name)), name in NEEDS_REASON)
        for name in allowed_transitions(scorecard, user)
    ]


# --- The campaign's list ----------------------------------------------------------------------------------------


@login_required
def scorecard_list(request, pk):
    """The campaign's scorecards (as far as the user may see them) with state, self total, final total and class,
    filterable by state; forms to start a scorecard for those who may."""
    campaign = _campaign(request, pk)
    user = request.user
    scorecards = scope(user, Scorecard.objects.filter(table__campaign=campaign))
    state = request.GET.get("state", "")
    if state in ScorecardState.values:
        scorecards = scorecards.filter(state=state)
    else:
        state = ""
    rows = services.scorecard_rows(scorecards)
    tables = list(campaign.scoring_tables.all())
    running = campaign.state in services.SCORING_CAMPAIGN_STATES
    own = user_unit(user) if getattr(user, "role", None) in UNIT_ROLES else None
    board = user.has_perm("scoring.start_scorecard", None) and own is None
    units = []
    if running and board:
        units = list(scope(user, Unit.objects.filter(enrolments__campaign=campaign, dissolved_on__isnull=True)))
    own_started = set()
    if own is not None:
        own_started = set(
            Scorecard.objects.filter(table__campaign=campaign, unit=own, person_name="").values_list(
                "table_id", flat=True
            )
        )
    starts = []
    if running:
        enrolled = own is not None and campaign.enrolments.filter(unit=own).exists()
        for table in tables:
            if own is not None and enrolled and user.has_perm("scoring.start_scorecard", own):
                if table.subject == Subject.INDIVIDUAL or table.pk not in own_started:
                    starts.append({"table": table, "unit": own})
            elif board and units:
                starts.append({"table": table, "unit": None})
    return render(
        request,
        "scoring/scorecard_list.html",
        {
            "campaign": campaign,
            "rows": rows,
            "states": ScorecardState.choices,
            "state": state,
            "starts": starts,
            "units": units,
            "can_compare": user.has_perm("scoring.compare_scorecard"),
            "tables": tables,
        },
    )


@login_required
@require_POST
def scorecard_start(request, pk):
    """Start a scorecard: a unit user for their own unit (a collective, or one of its people); the board for any
    enrolled unit."""
    campaign = _campaign(request, pk)
    table = get_object_or_404(ScoringTable, pk=_id(request.POST.get("table")), campaign=campaign)
    own = user_unit(request.user) if getattr(request.user, "role", None) in UNIT_ROLES else None
    if own is not None:
        unit = own
    else:
        unit = get_object_or_404(scope(request.user, Unit.objects.all()), pk=_id(request.POST.get("unit")))
    person = None
    if table.subject == Subject.INDIVIDUAL:
        person = {
            "name": request.POST.get("person_name", ""),
            "position": request.POST.get("person_position", ""),
            "is_female": bool(request.POST.get("person_is_female")),
            "is_leader": bool(request.POST.get("person_is_leader")),
        }
    created = {}

    def start():
        created["scorecard"] = services.start_scorecard(
            table, unit=unit, actor=request.user, person=person, women_percent=request.POST.get("women_percent")
        )

    if perform(request, start, success=_("Đã lập phiếu chấm điểm. Hãy tự chấm từng tiêu chí rồi nộp phiếu.")):
        return redirect("scoring:scorecard_detail", created["scorecard"].pk)
    return redirect("scoring:scorecard_list", campaign.pk)


# --- The unit's self-scoring page -----------------------------------------------------------------------------


def _input_value(row) -> str:
    value = row.value
    if value is None or row.automatic:
        return ""
    if row.spec.formula == Formula.FIXED:
        return "1" if value > 0 else "0"
    return services.format_points(value)


@login_required
def scorecard_detail(request, pk):
    """The unit's page: one row per criterion with its guidance, base points, the input its formula asks for,
    evidence (a file or a note); automatic criteria with their data source; the totals and provisional class. Once
    finalized: the board's points, the total, the class and the DOCX."""
    scorecard = _scorecard(request, pk)
    user = request.user
    campaign = scorecard.table.campaign
    can_edit = (
        scorecard.state == ScorecardState.DRAFT
        and campaign.state in services.SCORING_CAMPAIGN_STATES
        and user.has_perm("scoring.change_scorecard", scorecard)
    )
    errors: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST":
        require_perm(user, "scoring.change_scorecard", scorecard)
        current = services.sheet(scorecard)
        posted = request.POST
        rows = []
        for row in current.leaves:
            pk_ = row.spec.pk
            data = {
                "criterion": pk_,
                "note": posted.get(f"n-{pk_}", ""),
                "evidence": request.FILES.get(f"f-{pk_}"),
                "remove_evidence": bool(posted.get(f"r-{pk_}")),
            }
            if not row.automatic:
                data["value"] = posted.get(f"v-{pk_}", "")
            rows.append(data)
        extra = {}
        if scorecard.table.subject == Subject.COLLECTIVE:
            extra["women_percent"] = posted.get("women_percent", "")
        caught = {}

        def save():
            try:
                services.save_self_scores(scorecard, rows, actor=user, **extra)
            except services.ScoringRefused as exc:
                caught["errors"] = exc.errors
                raise

        saved = perform(request, save, success=_("Đã lưu điểm tự chấm."))
        errors = caught.get("errors", {})
        if saved:
            if posted.get("and_submit"):
                perform(
                    request,
                    lambda: services.submit_scorecard(scorecard, actor=user),
                    success=_("Đã nộp phiếu tự chấm."),
                )
            return redirect("scoring:scorecard_detail", scorecard.pk)
    frozen = scorecard.state in services.FROZEN_STATES
    if frozen:
        compared = services.comparison(scorecard)
        current = compared.sheet
        board = compared.board_points
    else:
        compared = None
        current = services.sheet(scorecard)
        board = {}
    lines = []
    for row in current.rows:
        pk_ = row.spec.pk
        lines.append(
            {
                "row": row,
                "value": posted.get(f"v-{pk_}", "") if posted is not None else _input_value(row),
                "note": posted.get(f"n-{pk_}", "")
                if posted is not None
                else (row.entry.evidence_note if row.entry else ""),
                "errors": errors.get(row.code, []),
                "board": board.get(pk_) if frozen and not row.is_group else None,
                "group_board": compared.totals.by_code.get(row.code)
                if frozen and row.is_group and compared.totals
                else None,
            }
        )
    actions = [a for a in _actions(scorecard, user) if a[0] not in BOARD_ACTIONS]
    return render(
        request,
        "scoring/scorecard_detail.html",
        {
            "scorecard": scorecard,
            "campaign": campaign,
            "sheet": current,
            "lines": lines,
            "form_errors": errors.get("", []),
            "can_edit": can_edit,
            "actions": actions,
            "frozen": frozen,
            "compared": compared,
            "women_percent": posted.get("women_percent", "")
            if posted is not None
            else services.format_points(scorecard.women_percent),
            "can_compare": user.has_perm("scoring.compare_scorecard", scorecard),
            "events": events_for(scorecard),
        },
    )


@login_required
def scorecard_evidence(request, pk, criterion_pk):
    """An evidence file, for whoever may see the scorecard."""
    scorecard = _scorecard(request, pk)
    entry = get_object_or_404(ScoreEntry, scorecard=scorecard, criterion_id=criterion_pk)
    return stored_file_response(entry.evidence, entry.evidence_name)


@login_required
def scorecard_docx(request, pk):
    """The finalized scorecard as DOCX for signing."""
    scorecard = _scorecard(request, pk)
    if scorecard.state not in services.FROZEN_STATES:
        raise Http404
    response = HttpResponse(
        build_docx(scorecard),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="phieu-cham-diem-{scorecard.pk}.docx"'
    return response


# --- The board's comparison page ------------------------------------------------------------------------------


@login_required
def scorecard_compare(request, pk):
    """Self scores vs each assessor vs the combined result; flagged criteria with a settle form; the assignment
    form; the board's transitions."""
    scorecard = _scorecard(request, pk)
    user = request.user
    require_perm(user, "scoring.compare_scorecard", scorecard)
    compared = services.comparison(scorecard)
    can_assign = scorecard.state == ScorecardState.SUBMITTED and user.has_perm("scoring.assign_scorecard", scorecard)
    can_settle = scorecard.state == ScorecardState.SUBMITTED and user.has_perm("scoring.settle_scorecard", scorecard)
    return render(
        request,
        "scoring/scorecard_compare.html",
        {
            "scorecard": scorecard,
            "campaign": scorecard.table.campaign,
            "compared": compared,
            "lines": compared.lines(),
            "candidates": services.candidates(scorecard) if can_assign else [],
            "can_assign": can_assign,
            "can_settle": can_settle,
            "actions": [a for a in _actions(scorecard, user) if a[0] in BOARD_ACTIONS],
            "frozen": scorecard.state in services.FROZEN_STATES,
            "events": events_for(scorecard),
        },
    )


@login_required
@require_POST
def scorecard_assign(request, pk):
    scorecard = _scorecard(request, pk)
    require_perm(request.user, "scoring.assign_scorecard", scorecard)
    ids = [int(v) for v in request.POST.getlist("assessor") if v.isdigit()]
    users = list(User.objects.filter(pk__in=ids))
    if not users:
        messages.error(request, _("Hãy chọn thành viên chấm."))
    else:
        perform(
            request,
            lambda: services.assign_assessors(scorecard, users, actor=request.user),
            success=_("Đã phân công thành viên chấm."),
        )
    return redirect("scoring:scorecard_compare", scorecard.pk)


@login_required
@require_POST
def scorecard_settle(request, pk, criterion_pk):
    scorecard = _scorecard(request, pk)
    require_perm(request.user, "scoring.settle_scorecard", scorecard)
    result = get_object_or_404(
        CriterionResult.objects.select_related("scorecard"), scorecard=scorecard, criterion_id=criterion_pk
    )
    perform(
        request,
        lambda: services.settle(
            result, request.POST.get("points", ""), request.POST.get("reason", ""), actor=request.user
        ),
        success=_("Đã ghi điểm Ban quyết định."),
    )
    return redirect("scoring:scorecard_compare", scorecard.pk)


@login_required
@require_POST
def scorecard_transition(request, pk, name):
    scorecard = _scorecard(request, pk)
    user = request.user
    reason = request.POST.get("reason", "")
    steps = {
        "submit": lambda: services.submit_scorecard(scorecard, actor=user),
        "send_back": lambda: services.send_back(scorecard, reason, actor=user),
        "finalize": lambda: services.finalize(scorecard, actor=user),
        "publish": lambda: services.publish(scorecard, actor=user),
        "reopen": lambda: services.reopen(scorecard, reason, actor=user),
    }
    if name not in steps:
        raise Http404
    label = transition_label(getattr(scorecard, name))
    perform(request, steps[name], success=_("%(action)s: thành công.") % {"action": label})
    if name == "submit" or not user.has_perm("scoring.compare_scorecard", scorecard):
        return redirect("scoring:scorecard_detail", scorecard.pk)
    return redirect("scoring:scorecard_compare", scorecard.pk)


@login_required
def scorecard_severity(request, pk):
    """Per assessor: their mean deviation from the board's points on one table, per criterion and overall."""
    table = get_object_or_404(
        ScoringTable.objects.select_related("campaign"),
        pk=pk,
        campaign__in=scope(request.user, Campaign.objects.all()),
    )
    require_perm(request.user, "scoring.compare_scorecard")
    report = services.severity_report(table)
    codes = [c.code for c in services.load_table(table).spec.leaves if not c.automatic]
    rows = [{"item": item, "cells": [item.by_criterion.get(code) for code in codes]} for item in report]
    return render(
        request,
        "scoring/scorecard_severity.html",
        {"table": table, "campaign": table.campaign, "codes": codes, "rows": rows},
    )


# --- Assessors ---------------------------------------------------------------------------------------------------


@login_required
def assessment_queue(request):
    """The assessor's assessments, open ones first."""
    return render(
        request, "scoring/assessment_queue.html", {"assessments": list(services.assessment_queue(request.user))}
    )


@login_required
def assessment_detail(request, pk):
    """The assessor's scoring page: the unit's self score and evidence next to the assessor's input."""
    visible = scope(request.user, Scorecard.objects.all()).values("pk")
    queryset = Assessment.objects.select_related("scorecard__table__campaign", "scorecard__unit", "assessor")
    assessment = get_object_or_404(scope(request.user, queryset).filter(scorecard__in=visible), pk=pk)
    user = request.user
    require_perm(user, "scoring.view_assessment", assessment)
    scorecard = assessment.scorecard
    can_edit = (
        assessment.state == AssessmentState.DRAFT
        and scorecard.state == ScorecardState.SUBMITTED
        and user.has_perm("scoring.change_assessment", assessment)
    )
    errors: dict[str, list[str]] = {}
    posted = None
    current = services.sheet(scorecard)
    if request.method == "POST":
        require_perm(user, "scoring.change_assessment", assessment)
        posted = request.POST
        rows = [
            {
                "criterion": r.spec.pk,
                "value": posted.get(f"v-{r.spec.pk}", ""),
                "note": posted.get(f"n-{r.spec.pk}", ""),
            }
            for r in current.leaves
            if not r.automatic
        ]
        caught = {}

        def save():
            try:
                services.save_assessment(assessment, rows, actor=user)
            except services.ScoringRefused as exc:
                caught["errors"] = exc.errors
                raise

        saved = perform(request, save, success=_("Đã lưu điểm chấm."))
        errors = caught.get("errors", {})
        if saved:
            if posted.get("and_submit"):
                perform(
                    request,
                    lambda: services.submit_assessment(assessment, actor=user),
                    success=_("Đã chấm xong phiếu này."),
                )
            return redirect("scoring:assessment_detail", assessment.pk)
    entries = {e.criterion_id: e for e in assessment.entries.all()}
    lines = []
    for row in current.rows:
        pk_ = row.spec.pk
        entry = entries.get(pk_)
        if posted is not None:
            value, note = posted.get(f"v-{pk_}", ""), posted.get(f"n-{pk_}", "")
        else:
            value = ""
            if entry is not None and entry.value is not None:
                if row.spec.formula == Formula.FIXED:
                    value = "1" if entry.value > 0 else "0"
                else:
                    value = services.format_points(entry.value)
            note = entry.note if entry else ""
        lines.append(
            {
                "row": row,
                "entry": entry,
                "value": value,
                "note": note,
                "errors": errors.get(row.code, []),
                "self_value": _input_value(row),
            }
        )
    return render(
        request,
        "scoring/assessment_detail.html",
        {
            "assessment": assessment,
            "scorecard": scorecard,
            "campaign": scorecard.table.campaign,
            "sheet": current,
            "lines": lines,
            "form_errors": errors.get("", []),
            "can_edit": can_edit,
            "can_compare": user.has_perm("scoring.compare_scorecard", scorecard),
        },
    )


urlpatterns = [
    path("campaigns/<int:pk>/scorecards/", scorecard_list, name="scorecard_list"),
    path("campaigns/<int:pk>/scorecards/start/", scorecard_start, name="scorecard_start"),
    path("scorecards/<int:pk>/", scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/compare/", scorecard_compare, name="scorecard_compare"),
    path("scorecards/<int:pk>/assign/", scorecard_assign, name="scorecard_assign"),
    path("scorecards/<int:pk>/settle/<int:criterion_pk>/", scorecard_settle, name="scorecard_settle"),
    path("scorecards/<int:pk>/do/<slug:name>/", scorecard_transition, name="scorecard_transition"),
    path("scorecards/<int:pk>/docx/", scorecard_docx, name="scorecard_docx"),
    path("scorecards/<int:pk>/evidence/<int:criterion_pk>/", scorecard_evidence, name="scorecard_evidence"),
    path("tables/<int:pk>/severity/", scorecard_severity, name="scorecard_severity"),
    path("assessments/", assessment_queue, name="assessment_queue"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
]
