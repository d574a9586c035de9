"""In-app notifications, written in the caller's transaction, mailed after it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import Notification


def notify(
    recipients: Iterable,
    *,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    target: models.Model | None = None,
) -> list[int]:
    """Create one notification per recipient, keyed ``{key}:{user pk}`` so a repeat creates nothing.

    Side effects: inserts ``Notification`` rows (duplicates ignored); on commit, queues the e-mail task.
    Returns the ids of the notifications that are new.
    """
    ct = ContentType.objects.get_for_model(target) if target is not None else None
    users = {u.pk: u for u in recipients if u.pk is not None}
    keys = {f"{key}:{pk}": pk for pk in users}
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    rows = [
        Notification(
            recipient_id=pk,
            key=k,
            title=str(title)[:300],
            body=str(body),
            url=url,
            content_type=ct,
            object_id=str(target.pk) if target is not None else "",
        )
        for k, pk in keys.items()
        if k not in existing
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    new_ids = list(Notification.objects.filter(key__in=[r.key for r in rows]).values_list("pk", flat=True))
    if new_ids:
        transaction.on_commit(lambda: _queue_mail(new_ids))
    return new_ids


def _queue_mail(ids: list[int]) -> None:
    from django_q.tasks import async_task

    async_task("workflows.tasks.mail_notifications", ids, task_name=f"mail-notifications-{ids[0]}-{len(ids)}")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
