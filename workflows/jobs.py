"""Background jobs whose task was lost with a worker: queue them again, a few times, then give up and say so.

A job row (an indicator import, a bulk action on dossiers) records when its task was last queued (``queued_at``) and
how many times (``deliveries``). With the Redis broker, a task a worker has taken is gone from the queue: if the
worker dies (a restart, the OOM killer, a deployment), nothing would ever run the job again. The schedule
``thidua-resume-jobs`` (every few minutes, created after ``migrate``) runs every resumer the domain apps registered
in their ``AppConfig.ready()``: each finds its jobs still running or queued longer than the task time limit allows
(django-q2's ``timeout``, plus a grace period) and queues them again, or, after :data:`MAX_DELIVERIES`, fails them
with a message that says what to do. Running a job twice must be harmless: each job's task guards itself (a state
taken under a row lock).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

# The task time limit is django-q2's ``timeout`` (Q_CLUSTER); past it plus this grace, a task still "running" is dead
# (django-q2 kills a worker that overruns it).
GRACE_SECONDS = 60
# A job queued this many times without finishing is failed rather than queued again: its task probably kills the
# worker (a file too large for the memory, for instance).
MAX_DELIVERIES = 3

_RESUMERS: list[Callable[[datetime], int]] = []


def register_resumer(resumer: Callable[[datetime], int]) -> None:
    """``resumer(now)`` queues again (or fails) the app's stalled jobs and returns how many it queued again."""
    if resumer not in _RESUMERS:
        _RESUMERS.append(resumer)


def resume_all(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(resumer(now) for resumer in _RESUMERS)


def cutoff(now: datetime | None = None) -> datetime:
    """Jobs queued before this moment and not finished have lost their task."""
    from django_q.conf import Conf

    return (now or timezone.now()) - timedelta(seconds=int(Conf.TIMEOUT or 600) + GRACE_SECONDS)


def stalled(queryset: QuerySet, now: datetime | None = None) -> QuerySet:
    """The jobs of ``queryset`` (already narrowed to unfinished states) queued before :func:`cutoff`; rows from before
    ``queued_at`` existed count from their creation."""
    limit = cutoff(now)
    return queryset.filter(Q(queued_at__lt=limit) | Q(queued_at__isnull=True, created_at__lt=limit))


def mark_queued(model, pk: int, now: datetime | None = None) -> None:
    """Record that the job's task was (re)queued now."""
    model.objects.filter(pk=pk).update(queued_at=now or timezone.now(), deliveries=F("deliveries") + 1)


def exhausted(job) -> bool:
    return job.deliveries >= MAX_DELIVERIES
