"""Thin views of what follows a signed decision (issue 7): payment and the fund, certificates, publication and
revocation. The rules live in ``nominations/services/payments.py``, ``publication.py`` and ``revocations.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import UNIT_ROLES
from competition.enums import UnitKind
from competition.models import Unit
from competition.scoping import scope, user_unit
from workflows.audit import events_for
from workflows.web import perform, require_perm

from .certificates import certificates, certificates_xlsx, public_base_url
from .enums import ISSUED_DECISION_STATES, PaymentState, RevocationState
from .forms import (
    FundEntryForm,
    PaymentForm,
    RecoveryForm,
    RevocationCompleteForm,
    RevocationDetailsForm,
    RevocationProposalForm,
)
from .models import Award, AwardReviewFlag, FundEntry, Revocation
from .services import payments, publication, revocations
from .services.codes import display_code
from .views import _decision

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _back(request, fallback: str, *args):
    """Where to go after a POST: the form's own ``next`` when it stays on this site, else ``fallback``."""
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return redirect(wanted)
    return redirect(fallback, *args)


def _issued_decision(request, pk):
    decision = _decision(request, pk)
    if decision.state not in ISSUED_DECISION_STATES:
        raise Http404
    return decision


# --- Payment --------------------------------------------------------------------------------------------------


@login_required
def decision_payments(request, pk):
    decision = _issued_decision(request, pk)
    require_perm(request.user, "nominations.view_payments_awarddecision", decision)
    can_pay = request.user.has_perm("nominations.pay_award", decision)
    if request.method == "POST":
        if not can_pay:
            raise PermissionDenied
        form = PaymentForm(request.POST)
        if form.is_valid():
            chosen = request.POST.getlist("award") or None
            perform(
                request,
                lambda: payments.record_payments(
                    decision,
                    actor=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                    award_ids=chosen,
                ),
                success=_("Đã ghi nhận khoản chi."),
            )
            return redirect("nominations:decision_payments", pk)
    else:
        form = PaymentForm()
    lines = Paginator(decision.awards.order_by("subject_kind", "order", "pk"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "nominations/decision_payments.html",
        {
            "decision": decision,
            "page": lines,
            "summary": payments.payment_summary(decision),
            "states": PaymentState,
            "form": form,
            "recovery_form": RecoveryForm(),
            "can_pay": can_pay,
            "can_recover": request.user.has_perm("nominations.recover_award", decision),
        },
    )


@login_required
def decision_payments_xlsx(request, pk):
    decision = _issued_decision(request, pk)
    require_perm(request.user, "nominations.view_payments_awarddecision", decision)
    return _xlsx(payments.payment_list_xlsx(decision), f"danh-sach-chi-{decision.number}-{decision.pk}.xlsx")


@login_required
@require_POST
def award_recover(request, pk):
    award = get_object_or_404(scope(request.user, Award.objects.select_related("decision")), pk=pk)
    require_perm(request.user, "nominations.recover_award", award)
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập ngày thu hồi tiền hợp lệ (ngày/tháng/năm)."))
    else:
        perform(
            request,
            lambda: payments.record_recovery(
                award,
                actor=request.user,
                recovered_on=form.cleaned_data["recovered_on"],
                reference=form.cleaned_data["reference"],
            ),
            success=_("Đã ghi nhận thu hồi tiền thưởng của “%(name)s”.") % {"name": award.name},
        )
    return _back(request, "nominations:decision_payments", award.decision_id)


# --- The fund -------------------------------------------------------------------------------------------------


def _fund_unit(request) -> Unit:
    wanted = request.GET.get("unit") or request.POST.get("unit")
    if wanted and not str(wanted).isdigit():
        raise Http404
    if wanted:
        unit = get_object_or_404(scope(request.user, Unit.objects.all()), pk=wanted)
    elif getattr(request.user, "role", None) in UNIT_ROLES:
        unit = user_unit(request.user)
    else:
        unit = Unit.objects.filter(kind=UnitKind.PROVINCE, parent__isnull=True).order_by("pk").first()
    if unit is None:
        raise Http404
    require_perm(request.user, "nominations.view_fundentry", unit)
    return unit


@login_required
def fund(request):
    unit = _fund_unit(request)
    years = payments.fund_years(unit)
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        raise Http404 from None
    if not 1900 <= year <= 9999:
        raise Http404
    can_add = request.user.has_perm("nominations.add_fundentry", unit)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        form = FundEntryForm(request.POST)
        if form.is_valid():
            ok = perform(
                request,
                lambda: payments.add_fund_entry(unit, actor=request.user, **form.cleaned_data),
                success=_("Đã ghi vào sổ quỹ."),
            )
            if ok:
                return redirect(f"{request.path}?unit={unit.pk}&year={form.cleaned_data['entered_on'].year}")
    else:
        form = FundEntryForm()
    return render(
        request,
        "nominations/fund.html",
        {
            "unit": unit,
            "year": year,
            "years": years,
            "balance": payments.fund_year(unit, year),
            "entries": FundEntry.objects.filter(unit=unit, year=year).select_related("created_by"),
            "form": form,
            "can_add": can_add,
        },
    )


# --- Certificates ---------------------------------------------------------------------------------------------


@login_required
def decision_certificates(request, pk):
    decision = _issued_decision(request, pk)
    require_perm(request.user, "nominations.view_payments_awarddecision", decision)
    return render(
        request,
        "nominations/certificates.html",
        {"decision": decision, "certificates": certificates(decision, public_base_url(request))},
    )


@login_required
def decision_certificates_xlsx(request, pk):
    decision = _issued_decision(request, pk)
    require_perm(request.user, "nominations.view_payments_awarddecision", decision)
    content = certificates_xlsx(decision, public_base_url(request))
    return _xlsx(content, f"giay-chung-nhan-{decision.number}-{decision.pk}.xlsx")


# --- Publication ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def decision_publish(request, pk):
    decision = _issued_decision(request, pk)
    require_perm(request.user, "nominations.publish_awarddecision", decision)
    perform(
        request,
        lambda: publication.publish_decision(decision, actor=request.user),
        success=_("Đã công bố quyết định “%(d)s”: mọi người tra cứu được bằng mã %(code)s.")
        % {"d": decision, "code": display_code(decision.verification_code)},
    )
    return redirect("nominations:decision_detail", pk)


# --- Revocation -----------------------------------------------------------------------------------------------


def _revocation(request, pk) -> Revocation:
    qs = Revocation.objects.select_related("award__decision__issuing_unit", "award__decision__award_type")
    revocation = get_object_or_404(scope(request.user, qs), pk=pk)
    require_perm(request.user, "nominations.view_revocation", revocation)
    return revocation


@login_required
def award_revoke(request, pk):
    award = get_object_or_404(
        scope(request.user, Award.objects.select_related("decision__issuing_unit", "decision__award_type")), pk=pk
    )
    require_perm(request.user, "nominations.add_revocation", award)
    if request.method == "POST":
        form = RevocationProposalForm(request.POST)
        if form.is_valid():
            created = []
            ok = perform(
                request,
                lambda: created.append(
                    revocations.propose_revocation(
                        award,
                        actor=request.user,
                        ground=form.cleaned_data["ground"],
                        detail=form.cleaned_data["detail"],
                    )
                ),
                success=_("Đã đề nghị thu hồi khen thưởng của “%(name)s”.") % {"name": award.name},
            )
            if ok:
                return redirect("nominations:revocation_detail", created[0].pk)
    else:
        form = RevocationProposalForm()
    return render(request, "nominations/revocation_propose.html", {"award": award, "form": form})


@login_required
def revocation_list(request):
    visible = scope(request.user, Revocation.objects.select_related("award__decision__award_type", "issuing_unit"))
    state = request.GET.get("state") or ""
    if state in RevocationState.values:
        visible = visible.filter(state=state)
    flags = []
    if request.user.has_perm("nominations.change_awardreviewflag"):
        flags = list(
            AwardReviewFlag.objects.filter(resolved_at__isnull=True).select_related(
                "record", "revocation__award__decision"
            )
        )
    return render(
        request,
        "nominations/revocation_list.html",
        {
            "page": Paginator(visible, 50).get_page(request.GET.get("page")),
            "state": state,
            "states": RevocationState.choices,
            "flags": flags,
        },
    )


@login_required
def revocation_detail(request, pk):
    revocation = _revocation(request, pk)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "details":
            require_perm(user, "nominations.change_revocation", revocation)
            form = RevocationDetailsForm(request.POST)
            if form.is_valid():
                perform(
                    request,
                    lambda: revocations.set_revocation_details(revocation, actor=user, **form.cleaned_data),
                    success=_("Đã lưu số, ngày ký của quyết định thu hồi."),
                )
            else:
                messages.error(request, _("Hãy nhập ngày ký (ngày/tháng/năm) và họ tên người ký."))
        elif action == "decide":
            perform(
                request,
                lambda: revocations.decide_revocation(revocation, actor=user),
                success=_("Đã ký quyết định thu hồi; khen thưởng đã được đánh dấu thu hồi."),
            )
        elif action == "withdraw":
            perform(
                request,
                lambda: revocations.withdraw_revocation(revocation, actor=user, reason=request.POST.get("reason", "")),
                success=_("Đã rút đề nghị thu hồi."),
            )
        elif action == "complete":
            form = RevocationCompleteForm(request.POST)
            form.is_valid()
            perform(
                request,
                lambda: revocations.complete_revocation(
                    revocation,
                    actor=user,
                    certificate_returned=form.cleaned_data.get("certificate_returned", False),
                    note=form.cleaned_data.get("note", ""),
                ),
                success=_("Đã hoàn tất việc thu hồi."),
            )
        else:
            raise Http404
        return redirect("nominations:revocation_detail", pk)
    award = revocation.award
    state = revocation.state
    return render(
        request,
        "nominations/revocation_detail.html",
        {
            "revocation": revocation,
            "award": award,
            "decision": award.decision,
            "details_form": RevocationDetailsForm(
                initial={
                    "number": revocation.number,
                    "issued_on": revocation.issued_on,
                    "signer_name": revocation.signer_name or award.decision.signer_name,
                }
            ),
            "complete_form": RevocationCompleteForm(),
            "recovery_form": RecoveryForm(),
            "can_change": state == RevocationState.PROPOSED
            and user.has_perm("nominations.change_revocation", revocation),
            "can_decide": state == RevocationState.PROPOSED
            and user.has_perm("nominations.decide_revocation", revocation),
            "can_withdraw": state == RevocationState.PROPOSED
            and user.has_perm("nominations.withdraw_revocation", revocation),
            "can_complete": state == RevocationState.DECIDED
            and user.has_perm("nominations.complete_revocation", revocation),
            "can_recover": award.payment_state == PaymentState.TO_RECOVER
            and user.has_perm("nominations.recover_award", award),
            "flags": revocation.flags.select_related("record", "resolved_by"),
            "can_resolve": user.has_perm("nominations.change_awardreviewflag"),
            "events": events_for(revocation),
        },
    )


@login_required
@require_POST
def flag_resolve(request, pk):
    flag = get_object_or_404(AwardReviewFlag, pk=pk)
    require_perm(request.user, "nominations.change_awardreviewflag", flag)
    perform(
        request,
        lambda: revocations.resolve_flag(flag, actor=request.user, resolution=request.POST.get("resolution", "")),
        success=_("Đã ghi kết quả xem xét."),
    )
    return _back(request, "nominations:revocation_list")
