"""Stand-ins (người làm thay): the board's page to name one while an officer is away, and to cancel one. Thin: the
rules are in workflows/assignments.py."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .assignments import cancel_stand_in, family_of, name_stand_in, visible_stand_ins
from .forms import CancelStandInForm, StandInForm
from .web import perform, require_perm


def _choices(user):
    """Whom the user may name a stand-in for (themselves; the board's head: anyone of the family), and who may
    stand in (the family, the user included)."""
    users = get_user_model().objects.filter(is_active=True)
    family = Q(pk__in=family_of(user).values("pk")) | Q(pk=user.pk)
    everyone = users.filter(family).order_by("full_name", "username")
    absent = everyone if user.has_perm("workflows.change_standin") else users.filter(pk=user.pk)
    return absent, everyone


def _status(record, today) -> tuple[str, str]:
    if record.cancelled_at is not None:
        return "cancelled", _("Đã huỷ")
    if record.ends_on < today:
        return "ended", _("Đã kết thúc")
    if record.starts_on > today:
        return "upcoming", _("Sắp tới")
    return "active", _("Đang làm thay")


@login_required
def standin_list(request):
    require_perm(request.user, "workflows.view_standin")
    user = request.user
    absent_choices, stand_in_choices = _choices(user)
    today = timezone.localdate()
    form = StandInForm(
        request.POST or None,
        absent_choices=absent_choices,
        stand_in_choices=stand_in_choices,
        initial={"absent": user.pk, "starts_on": today, "ends_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if perform(
            request,
            lambda: name_stand_in(
                data["absent"],
                data["stand_in"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                actor=user,
            ),
            success=_("Đã cử %(s)s làm thay %(a)s từ %(f)s đến %(t)s.")
            % {
                "s": data["stand_in"],
                "a": data["absent"],
                "f": data["starts_on"].strftime("%d/%m/%Y"),
                "t": data["ends_on"].strftime("%d/%m/%Y"),
            },
        ):
            return redirect("workflows:standin_list")
    show = request.GET.get("show", "")
    records = visible_stand_ins(user)
    if show != "all":
        records = records.filter(cancelled_at__isnull=True, ends_on__gte=today)
    rows = list(records[:200])
    for record in rows:
        record.status, record.status_label = _status(record, today)
        record.can_cancel = record.status in ("active", "upcoming") and user.has_perm(
            "workflows.change_standin", record
        )
    return render(
        request,
        "workflows/standin_list.html",
        {"rows": rows, "form": form, "cancel_form": CancelStandInForm(), "show": show},
    )


@login_required
@require_POST
def standin_cancel(request, pk):
    require_perm(request.user, "workflows.view_standin")
    record = get_object_or_404(visible_stand_ins(request.user), pk=pk)
    form = CancelStandInForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    perform(
        request,
        lambda: cancel_stand_in(record, actor=request.user, reason=reason),
        success=_("Đã huỷ việc %(s)s làm thay %(a)s.") % {"s": record.stand_in, "a": record.absent},
    )
    return redirect("workflows:standin_list")
