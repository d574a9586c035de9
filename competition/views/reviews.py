"""Interim reviews (sơ kết): the campaign's reviews and the scheduling form (board); one review with its roll-up,
its units and remarks (paged), its actions; the XLSX export."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.door import allowed_transitions
from workflows.web import perform, require_perm

from ..enums import ReviewState
from ..models import Campaign, InterimReview, InterimReviewUnit, ReportingPeriod
from ..scoping import scope
from ..services.reviews import (
    publish_review,
    review_rollup,
    review_units,
    review_xlsx,
    save_remarks,
    schedule_review,
    take_snapshot,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAGE_SIZE = 50


class ReviewForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Tên đợt sơ kết"), max_length=200, help_text=gettext_lazy("Ví dụ: Sơ kết 6 tháng năm 2026")
    )
    review_date = forms.DateField(label=gettext_lazy("Ngày sơ kết"), widget=DATE_INPUT)
    period = forms.ModelChoiceField(
        label=gettext_lazy("Kỳ báo cáo"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=gettext_lazy("Kỳ gần nhất đã bắt đầu vào ngày sơ kết"),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = campaign.periods.all()


def _campaign(request, pk) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)


def _visible_rows(user):
    return scope(user, InterimReviewUnit.objects.all())


def _review(request, pk) -> InterimReview:
    review = get_object_or_404(InterimReview.objects.select_related("campaign", "period"), pk=pk)
    _campaign(request, review.campaign_id)
    if request.user.has_perm("competition.view_interimreview", review):
        return review
    # a unit reads a published review, through its own rows
    if review.state == ReviewState.PUBLISHED and _visible_rows(request.user).filter(review=review).exists():
        return review
    raise Http404


@login_required
def review_list(request, pk):
    campaign = _campaign(request, pk)
    reviews = campaign.interim_reviews.select_related("period")
    if not request.user.has_perm("competition.view_interimreview"):
        reviews = reviews.filter(state=ReviewState.PUBLISHED, pk__in=_visible_rows(request.user).values("review_id"))
    can_add = request.user.has_perm("competition.add_interimreview", campaign)
    form = ReviewForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        require_perm(request.user, "competition.add_interimreview", campaign)
        if form.is_valid() and perform(
            request,
            lambda: schedule_review(campaign, actor=request.user, **form.cleaned_data),
            success=_("Đã lên lịch “%(t)s”.") % {"t": form.cleaned_data["title"]},
        ):
            return redirect("competition:review_list", campaign.pk)
    return render(
        request,
        "competition/review_list.html",
        {"campaign": campaign, "reviews": reviews, "form": form, "can_add": can_add},
    )


@login_required
def review_detail(request, pk):
    review = _review(request, pk)
    visible = _visible_rows(request.user)
    rows = Paginator(review_units(review, visible=visible), PAGE_SIZE).get_page(request.GET.get("page"))
    can_remark = review.state == ReviewState.TAKEN and request.user.has_perm(
        "competition.change_interimreview", review
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remarks":
            require_perm(request.user, "competition.change_interimreview", review)
            unit_remarks = {
                int(key.split("-", 1)[1]): value
                for key, value in request.POST.items()
                if key.startswith("remark-") and key.split("-", 1)[1].isdigit()
            }
            ok = perform(
                request,
                lambda: save_remarks(
                    review, remarks=request.POST.get("remarks"), unit_remarks=unit_remarks, actor=request.user
                ),
                success=_("Đã lưu nhận xét."),
            )
        elif action == "take":
            ok = perform(
                request, lambda: take_snapshot(review, actor=request.user), success=_("Đã chụp số liệu sơ kết.")
            )
        elif action == "publish":
            ok = perform(
                request, lambda: publish_review(review, actor=request.user), success=_("Đã công bố kết quả sơ kết.")
            )
        else:
            ok = False
        page = request.GET.get("page")
        target = redirect("competition:review_detail", review.pk)
        if ok and page:
            target["Location"] += f"?page={page}"
        return target
    return render(
        request,
        "competition/review_detail.html",
        {
            "campaign": review.campaign,
            "review": review,
            "rollup": review_rollup(review) if review.state != ReviewState.SCHEDULED else [],
            "rows": rows,
            "can_remark": can_remark,
            "actions": allowed_transitions(review, request.user),
            "is_board_reader": request.user.has_perm("competition.view_interimreview", review),
        },
    )


@login_required
def review_export(request, pk):
    review = _review(request, pk)
    if review.state == ReviewState.SCHEDULED:
        raise Http404
    data = review_xlsx(review, visible=_visible_rows(request.user))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="so-ket-{review.campaign.code}-{review.pk}.xlsx"'
    return response
