from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .audit import head
from .models import AuditEvent, Notification
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
