import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .audit import head
from .calendar import add_override, national_holidays, remove_override
from .exports import escape_row, xlsx_bytes
from .forms import WorkdayOverrideForm
from .inbox import inbox_for
from .models import AuditEvent, Notification, WorkdayOverride
from .web import require_perm


@login_required
def notification_list(request):
    # A user's notifications are their own: the recipient is the scope.
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "workflows/notifications.html", {"page": page})


INBOX_PAGE_SIZE = 50


@login_required
def inbox(request):
    """Everything waiting for the user, oldest first, 50 to a page, by step or by words of the title or unit. Each
    provider scopes its own rows to the user (the inbox is always the user's own)."""
    step = request.GET.get("buoc", "")[:100]
    search = request.GET.get("q", "")[:200].strip()
    try:
        number = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        number = 1
    result = inbox_for(request.user, step=step, search=search, limit=number * INBOX_PAGE_SIZE)
    pages = max(1, -(-result.total // INBOX_PAGE_SIZE))
    if number > pages:
        number = pages
        result = inbox_for(request.user, step=step, search=search, limit=number * INBOX_PAGE_SIZE)
    rows = result.items[(number - 1) * INBOX_PAGE_SIZE :]
    query = urlencode({k: v for k, v in (("buoc", step), ("q", search)) if v})
    return render(
        request,
        "workflows/inbox.html",
        {
            "rows": rows,
            "result": result,
            "step": step,
            "search": search,
            "number": number,
            "pages": pages,
            "query": query,
        },
    )


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


AUDIT_EXPORT_HEADER = (
    "sequence",
    "time",
    "actor_id",
    "actor",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "object",
    "from_state",
    "to_state",
    "body",
    "prev_hash",
    "hash",
)


def _audit_rows(events):
    """The events as rows for inspectors: everything needed to recompute the chain (the canonical ``body``, the
    previous hash, the hash) beside the readable columns. Streams in chunks: constant memory."""
    yield AUDIT_EXPORT_HEADER
    for e in events.select_related("content_type").iterator(chunk_size=2000):
        yield (
            e.sequence,
            e.created_at.isoformat(),
            e.actor_id or "",
            e.actor_label,
            e.action,
            str(e.action_display),
            e.content_type.model if e.content_type_id else "",
            e.object_id,
            e.object_repr,
            e.from_state,
            e.to_state,
            e.body,
            e.prev_hash,
            e.hash,
        )


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_export(request, fmt):
    """The audit trail (filtered like the page: action, and ``since``/``until`` sequence numbers) as CSV, streamed,
    or XLSX. Every cell passes the formula escaping of ``workflows.exports``."""
    require_perm(request.user, "workflows.view_auditevent")
    events = AuditEvent.objects.order_by("sequence")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__icontains=action)
    for bound, lookup in (("since", "sequence__gte"), ("until", "sequence__lte")):
        value = request.GET.get(bound, "").strip()
        if value.isdigit():
            events = events.filter(**{lookup: int(value)})
    name = f"nhat-ky-kiem-toan-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        rows = (writer.writerow(escape_row(row)) for row in _audit_rows(events))
        response = StreamingHttpResponse(_with_bom(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(_audit_rows(events), sheet_title="audit"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _with_bom(rows):
    yield "\ufeff"  # so that Excel reads the diacritics
    yield from rows


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
