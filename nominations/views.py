"""Thin views of the nomination path: dossiers, nominees, appraisal, award decisions and their documents."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import Campaign
from competition.scoping import scope, user_unit
from competition.views.imports import import_page
from scoring.services.ranking import guidance_for_unit
from workflows.audit import events_for
from workflows.datacache import cached
from workflows.door import allowed_transitions, transition_label
from workflows.pdf import PDF_MIME, PdfConversionFailed, PdfUnavailable, docx_to_pdf, pdf_available
from workflows.web import perform, require_perm

from .documents import decision_docx, decision_xlsx
from .enums import ISSUED_DECISION_STATES, DecisionState, DossierState, RevocationState
from .forms import AppraisalForm, DossierForm, HoldForm, IssueDetailsForm, LiftHoldForm, NomineeForm, ReasonForm
from .models import AwardDecision, AwardRecord, Dossier, NomineeHold, Revocation
from .services import composition
from .services import decisions as decision_services
from .services import dossiers as dossier_services
from .services import history as history_services
from .services.clock import appraisal_clock_from
from .services.codes import display_code

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dossier(request, pk) -> Dossier:
    qs = Dossier.objects.select_related("campaign", "unit", "deciding_unit", "rule_set", "decision").defer(
        *Campaign.deferred_texts("campaign__")
    )
    return get_object_or_404(scope(request.user, qs), pk=pk)


def _decision(request, pk) -> AwardDecision:
    qs = AwardDecision.objects.select_related("campaign", "issuing_unit", "award_type", "rule_set")
    return get_object_or_404(scope(request.user, qs), pk=pk)


@login_required
def dossier_create(request, campaign_pk):
    campaign = get_object_or_404(scope(request.user, Campaign.objects.all()), pk=campaign_pk)
    require_perm(request.user, "nominations.add_dossier", campaign)
    rule_set = campaign.rule_set
    award_choices = (
        [(a.code, a.name) for a in rule_set.award_types.filter(code__in=campaign.award_type_codes)] if rule_set else []
    )
    form = DossierForm(request.POST or None, award_choices=award_choices)
    if request.method == "POST" and form.is_valid():
        created = {}

        def create():
            created["dossier"] = dossier_services.create_dossier(
                campaign, unit=user_unit(request.user), actor=request.user, **form.cleaned_data
            )

        if perform(request, create, success=_("Đã tạo hồ sơ. Hãy thêm người, tập thể được đề nghị.")):
            return redirect("nominations:dossier_detail", created["dossier"].pk)
    # The unit's published ranking and the campaign's quota, to weigh whom to nominate (issue 5).
    unit = user_unit(request.user)
    guidance = guidance_for_unit(campaign, unit, published_only=True) if unit is not None else []
    return render(request, "nominations/dossier_form.html", {"form": form, "campaign": campaign, "guidance": guidance})


@login_required
def dossier_detail(request, pk):
    """The dossier, its nominees, composition, returns, versions and timeline, and what the reader may do with it.
    Both parts are kept in the data cache (workflows.datacache) until anything changes: what the dossier holds once
    for all its readers (without personal data), what the reader may do per reader. The scoping query runs on every
    request (404 for a dossier the reader may not see), and the forms are made afresh (their CSRF tokens belong to
    the request)."""
    dossier = _dossier(request, pk)
    user = request.user
    context = cached(f"dossier:{dossier.pk}", lambda: _dossier_contents(dossier))
    reader = cached(f"dossier-reader:{user.pk}:{dossier.pk}", lambda: _reader_part(user, dossier))
    for nominee in context["nominees"]:
        nominee.eligibility_problems = reader["problems"].get(nominee.pk, [])
    context.update(
        reader,
        dossier=dossier,
        max_upload_mb=settings.THIDUA_MAX_UPLOAD_BYTES // (1024 * 1024),
        # The forms only for whoever may use them (a form costs its fields' copies and their rendering).
        nominee_form=NomineeForm() if reader["can_edit"] else None,
        appraisal_choices=AppraisalForm.base_fields["result"].choices if reader["can_appraise"] else (),
    )
    return render(request, "nominations/dossier_detail.html", context)


def _dossier_contents(dossier: Dossier) -> dict:
    """What the dossier holds, the same for every reader. The nominees' personal data (birth date, ID number,
    gender, and the matching key made from the name and birth date) are left out: the page does not show them, and
    the cache does not keep them."""
    # (Explicit orders: the models' default orders go through the dossier, one join more for nothing.)
    nominees = list(dossier.nominees.defer(*dossier_services.PERSONAL_FIELDS, "canonical_key").order_by("order", "pk"))
    # The timeline, the composition (domain rule 7), the open return's reasons item by item, the versions sent
    # (issue 6); the people named, without their password hashes.
    events = list(events_for(dossier).defer("actor__password"))
    # A return is written by the transition to "returned" (services.dossiers.return_dossier): a dossier whose timeline
    # never reached that state has none, and most dossiers are spared the query.
    returns = (
        list(
            dossier.returns.select_related("returned_by", "resolved_by_version")
            .defer("returned_by__password")
            .order_by("number")
        )
        if any(event.to_state == DossierState.RETURNED for event in events)
        else []
    )
    open_return = next((r for r in reversed(returns) if r.resolved_by_version_id is None), None)
    asked = {item["target"]: item["reason"] for item in (open_return.items if open_return else [])}
    items = composition.composition(dossier, nominees=nominees)
    for item in items:
        item.asked = asked.get(item.target, "")
    for nominee in nominees:
        nominee.asked = asked.get(f"nominee:{nominee.pk}", "")
    versions = (
        list(dossier.versions.select_related("submitted_by").defer("submitted_by__password").order_by("-number"))
        if dossier.submitted_at  # a dossier never submitted has no version (one query less for the unit's drafts)
        else []
    )
    return {
        "award_type": composition.award_type_of(dossier),
        "items": items,
        "missing": [i for i in items if not i.present and i.required.mandatory],
        "open_return": open_return,
        "nominees": nominees,
        "clock": appraisal_clock_from(dossier, events),
        "council_session_name": str(dossier.council_session) if dossier.council_session_id else "",
        # The versions sent, the returns and the timeline hold no form: kept rendered.
        "record_html": render_to_string(
            "nominations/_dossier_record.html", {"versions": versions, "returns": returns, "events": events}
        ),
    }


def _reader_part(user, dossier: Dossier) -> dict:
    """What ``user`` may do with the dossier: the buttons, editing, appraising, and for whoever appraises (and the
    board) the holds and awards registered after submission (issue 6), by nominee."""
    actions = [(name, transition_label(getattr(dossier, name))) for name in allowed_transitions(dossier, user)]
    # Buttons only for the steps this page performs: "decide" is applied by signing the decision and
    # "council_review" by closing the council's session, never by a button of their own.
    actions = [(name, label) for name, label in actions if name in STEPS or name in RETURNS]
    can_appraise = user.has_perm("nominations.appraise_nominee", dossier) and dossier.state == DossierState.RECEIVED
    problems = {}
    if can_appraise or user.has_perm("nominations.view_nomineehold"):
        problems = history_services.eligibility_problems_by_nominee(dossier.nominees.order_by("order", "pk"), dossier)
    return {
        "actions": actions,
        "can_return": any(name in ("send_back", "send_back_in_appraisal") for name, _label in actions),
        "can_edit": user.has_perm("nominations.change_dossier", dossier),
        "can_appraise": can_appraise,
        "problems": problems,
    }


@login_required
@require_POST
def nominee_add(request, pk):
    dossier = _dossier(request, pk)
    require_perm(request.user, "nominations.change_dossier", dossier)
    form = NomineeForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: dossier_services.add_nominee(dossier, actor=request.user, **form.cleaned_data),
            success=_("Đã thêm %(name)s.") % {"name": form.cleaned_data["name"]},
        )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("nominations:dossier_detail", pk)


@login_required
@require_POST
def nominee_remove(request, pk, nominee_pk):
    dossier = _dossier(request, pk)
    nominee = get_object_or_404(dossier.nominees, pk=nominee_pk)
    require_perm(request.user, "nominations.change_dossier", dossier)
    perform(
        request,
        lambda: dossier_services.remove_nominee(nominee, actor=request.user),
        success=_("Đã bỏ %(name)s khỏi hồ sơ.") % {"name": nominee.name},
    )
    return redirect("nominations:dossier_detail", pk)


@login_required
@require_POST
def nominee_appraise(request, pk, nominee_pk):
    dossier = _dossier(request, pk)
    nominee = get_object_or_404(dossier.nominees, pk=nominee_pk)
    form = AppraisalForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: dossier_services.appraise_nominee(nominee, actor=request.user, **form.cleaned_data),
            success=_("Đã ghi kết quả thẩm định cho %(name)s.") % {"name": nominee.name},
        )
    return redirect("nominations:dossier_detail", pk)


RETURNS = ("send_back", "send_back_in_appraisal")
STEPS = {
    "submit": dossier_services.submit_dossier,
    "receive": dossier_services.receive_dossier,
    "appraise": dossier_services.complete_appraisal,
}


@login_required
@require_POST
def dossier_transition(request, pk, name):
    dossier = _dossier(request, pk)
    if name == "send_back":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Hãy ghi lý do trả lại và nội dung cần bổ sung."))
            return redirect("nominations:dossier_detail", pk)
        action = lambda: dossier_services.return_dossier(  # noqa: E731
            dossier, actor=request.user, reason=form.cleaned_data["reason"]
        )
    elif name in STEPS:
        action = lambda: STEPS[name](dossier, actor=request.user)  # noqa: E731
    else:
        raise Http404
    label = transition_label(getattr(dossier, name))
    perform(request, action, success=_("%(action)s: thành công.") % {"action": label})
    return redirect("nominations:dossier_detail", pk)


@login_required
def decision_list(request):
    decisions = scope(request.user, AwardDecision.objects.select_related("campaign", "issuing_unit", "award_type"))
    ready = scope(request.user, Dossier.objects.filter(state=DossierState.PROPOSED, decision__isnull=True))
    ready = [
        d
        for d in ready.select_related("campaign", "unit")
        if request.user.has_perm("nominations.add_awarddecision", d)
    ]
    return render(request, "nominations/decision_list.html", {"decisions": decisions[:500], "ready": ready})


@login_required
@require_POST
def decision_create(request):
    ids = request.POST.getlist("dossiers")
    dossiers = list(scope(request.user, Dossier.objects.filter(pk__in=ids, state=DossierState.PROPOSED)))
    if not dossiers:
        messages.error(request, _("Hãy chọn ít nhất một hồ sơ đã thẩm định."))
        return redirect("nominations:decision_list")
    for dossier in dossiers:
        require_perm(request.user, "nominations.add_awarddecision", dossier)
    created = {}

    def draft():
        created["decision"] = decision_services.draft_decision(dossiers, actor=request.user)

    if perform(request, draft, success=_("Đã lập dự thảo quyết định.")):
        return redirect("nominations:decision_detail", created["decision"].pk)
    return redirect("nominations:decision_list")


@login_required
def decision_detail(request, pk):
    decision = _decision(request, pk)
    can_change = request.user.has_perm("nominations.sign_awarddecision", decision) and decision.state == "draft"
    initial = {
        "number": decision.number,
        "issued_on": decision.issued_on,
        "signer_name": decision.signer_name,
        "signer_authority": decision.signer_authority,
        "submission_letter_number": decision.submission_letter_number,
        "submission_letter_date": decision.submission_letter_date,
        "recipients": decision.recipients,
    }
    form = IssueDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid() and perform(
            request,
            lambda: decision_services.set_issue_details(decision, actor=request.user, **form.cleaned_data),
            success=_("Đã lưu số, ngày ký và người ký."),
        ):
            return redirect("nominations:decision_detail", pk)
    # Each line with its live revocation, if any (one more query, not one per line).
    live = Revocation.objects.exclude(state=RevocationState.WITHDRAWN)
    awards = decision.awards.select_related("nominee").prefetch_related(
        Prefetch("revocations", queryset=live, to_attr="live_revocations")
    )
    issued = decision.state in ISSUED_DECISION_STATES
    user = request.user
    return render(
        request,
        "nominations/decision_detail.html",
        {
            "decision": decision,
            "awards": awards,
            "form": form,
            "can_change": can_change,
            # After signing (issue 7): payment, certificates, publication, revocation.
            "issued": issued,
            "verification_code": display_code(decision.verification_code),
            "can_see_payments": issued and user.has_perm("nominations.view_payments_awarddecision", decision),
            "can_publish": decision.state == DecisionState.SIGNED
            and user.has_perm("nominations.publish_awarddecision", decision),
            "can_revoke": issued and user.has_perm("nominations.add_revocation", decision),
            # The signed PDF, uploaded back after signing (frozen, hashed into the audit trail).
            "signed_scans": list(decision.signed_scans.select_related("uploaded_by")),
            "can_upload_signed": decision.state in ISSUED_DECISION_STATES
            and request.user.has_perm("nominations.upload_signed_awarddecision", decision),
            "total": sum(a.amount for a in awards),
            "events": events_for(decision),
            # PDF links only where LibreOffice is installed (workflows/pdf.py).
            "pdf_available": pdf_available(),
        },
    )


@login_required
@require_POST
def decision_sign(request, pk):
    decision = _decision(request, pk)
    perform(
        request,
        lambda: decision_services.sign_decision(decision, actor=request.user),
        success=_("Đã ký quyết định; các hồ sơ đã được cập nhật."),
    )
    return redirect("nominations:decision_detail", pk)


@login_required
def decision_download(request, pk, fmt):
    decision = _decision(request, pk)
    if fmt == "docx":
        content, mime = decision_docx(decision), DOCX
    elif fmt == "xlsx":
        content, mime = decision_xlsx(decision), XLSX
    elif fmt == "pdf":
        # The DOCX rendered by LibreOffice headless: a 404 where it is not installed, like an unknown format.
        if not pdf_available():
            raise Http404
        try:
            content, mime = docx_to_pdf(decision_docx(decision)), PDF_MIME
        except PdfUnavailable as exc:
            raise Http404 from exc
        except PdfConversionFailed:
            messages.error(
                request,
                _(
                    "Không tạo được bản PDF của quyết định (LibreOffice báo lỗi hoặc quá thời gian). "
                    "Hãy tải bản Word (.docx) hoặc thử lại sau."
                ),
            )
            return redirect("nominations:decision_detail", pk)
    else:
        raise Http404
    name = f"quyet-dinh-{decision.number or 'du-thao'}-{decision.pk}.{fmt}"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Award history (the register of awards) and holds: the board only (issue 6) ---------------------------------

HISTORY_IMPORT_SESSION_KEY = "nominations.history_import"


@login_required
def history_list(request):
    require_perm(request.user, "nominations.view_awardrecord")
    records = scope(request.user, AwardRecord.objects.select_related("campaign"))
    query = (request.GET.get("q") or "").strip()
    if query:
        records = records.filter(
            Q(canonical_key__contains=dossier_services.canonical_name(query))
            | Q(name__icontains=query)
            | Q(decision_number=query.split("/", 1)[0].strip())
        )
    return render(
        request,
        "nominations/history_list.html",
        {
            "records": records[:500],
            "query": query,
            "can_import": request.user.has_perm("nominations.import_awardrecord"),
            "can_see_holds": request.user.has_perm("nominations.view_nomineehold"),
        },
    )


@login_required
def history_import(request):
    require_perm(request.user, "nominations.import_awardrecord")

    def done(result, filename):
        messages.success(
            request,
            _("Đã nhập “%(f)s”: %(new)s khen thưởng mới, %(updated)s cập nhật, %(unchanged)s không đổi.")
            % {"f": filename, "new": result.new, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect("nominations:history_list")

    return import_page(
        request,
        key=HISTORY_IMPORT_SESSION_KEY,
        importer=history_services.import_award_history,
        template="nominations/history_import.html",
        context={"columns": history_services.HISTORY_COLUMNS, "max_bytes": settings.THIDUA_MAX_UPLOAD_BYTES},
        done=done,
    )


@login_required
def history_template(request):
    require_perm(request.user, "nominations.import_awardrecord")
    response = HttpResponse(history_services.award_history_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-so-theo-doi-khen-thuong.xlsx"'
    return response


@login_required
def hold_list(request):
    require_perm(request.user, "nominations.view_nomineehold")
    holds = scope(request.user, NomineeHold.objects.select_related("created_by", "lifted_by"))
    show = request.GET.get("show")
    if show != "all":
        holds = holds.active()
    return render(
        request,
        "nominations/hold_list.html",
        {
            "holds": holds[:500],
            "show": show,
            "form": HoldForm(initial={"since": timezone.localdate()}),
            "lift_form": LiftHoldForm(),
            "can_add": request.user.has_perm("nominations.add_nomineehold"),
            "can_lift": request.user.has_perm("nominations.lift_nomineehold"),
        },
    )


@login_required
@require_POST
def hold_add(request):
    require_perm(request.user, "nominations.add_nomineehold")
    form = HoldForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: history_services.add_hold(actor=request.user, **form.cleaned_data),
            success=_("Đã tạm dừng xét khen thưởng đối với %(name)s.") % {"name": form.cleaned_data["name"]},
        )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("nominations:hold_list")


@login_required
@require_POST
def hold_lift(request, pk):
    require_perm(request.user, "nominations.lift_nomineehold")
    hold = get_object_or_404(scope(request.user, NomineeHold.objects.all()), pk=pk)
    form = LiftHoldForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: history_services.lift_hold(hold, form.cleaned_data["reason"], actor=request.user),
            success=_("Đã gỡ tạm dừng xét khen thưởng đối với %(name)s.") % {"name": hold.name},
        )
    else:
        messages.error(request, _("Hãy ghi lý do gỡ tạm dừng xét khen thưởng."))
    return redirect("nominations:hold_list")
