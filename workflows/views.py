from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .audit import head
from .calendar import add_override, national_holidays, remove_override
from .forms import WorkdayOverrideForm
from .models import AuditEvent, Notification, WorkdayOverride
from .web import require_perm


@login_required
def notification_list(request):
    # A user's notifications are their own: the recipient is the scope.
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "workflows/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "workflows:notifications")


@login_required
def audit_log(request):
    require_perm(request.user, "workflows.view_auditevent")
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__icontains=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "workflows/audit_log.html", {"page": page, "head": head(), "action": action})


# --- The working-day calendar: the board keeps each year's swapped days off and make-up working days ---------

CALENDAR_PERM = "workflows.change_workdayoverride"


def _calendar_year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


def _calendar_url(year: int) -> str:
    return f"{reverse('workflows:calendar')}?year={year}"


@login_required
def calendar(request):
    require_perm(request.user, CALENDAR_PERM)
    year = _calendar_year(request.GET.get("year"))
    form = WorkdayOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            override = add_override(data["date"], data["kind"], data["note"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm: %(o)s.") % {"o": override})
            return redirect(_calendar_url(override.date.year))
    overrides = list(WorkdayOverride.objects.filter(date__year=year))
    by_date = {o.date: o for o in overrides}
    holidays = [{"date": day, "name": name, "override": by_date.get(day)} for day, name in national_holidays(year)]
    return render(
        request,
        "workflows/calendar.html",
        {"year": year, "holidays": holidays, "overrides": overrides, "form": form},
    )


@login_required
@require_POST
def calendar_override_delete(request, pk):
    require_perm(request.user, CALENDAR_PERM)
    override = get_object_or_404(WorkdayOverride, pk=pk)
    label, year = str(override), override.date.year
    remove_override(override, actor=request.user)
    messages.success(request, _("Đã xoá: %(o)s.") % {"o": label})
    return redirect(_calendar_url(year))
