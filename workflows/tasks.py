"""Thin django-q2 entry points of the engine."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


def mail_notifications(ids: list[int]) -> int:
    """E-mail each notification once: ``emailed_at`` is set under a row lock, so a retried task skips it."""
    sent = 0
    for pk in ids:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if note is None or not note.recipient.email:
                continue
            body = note.body + (f"\n\n{note.url}" if note.url else "")
            send_mail(note.title, body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def send_reminders() -> dict:
    """The daily schedule ``thidua-reminders`` (created after ``migrate``): reminders before deadlines, overdue
    notices with escalation, and the board's digest. Safe to run more than once a day."""
    from .reminders import send_due_reminders

    return send_due_reminders()


def fire_workflow_timers() -> int:
    """The schedule ``thidua-workflow-timers`` (every few minutes, created after ``migrate``): fire the viewflow
    timers that are due (``.OnTimeout`` of a task, e.g. the end of a dossier's appraisal time limit). Each timer is
    fired once, under its flow's lock; returns how many fired."""
    from viewflow.workflow.timers import fire_due_timers

    return fire_due_timers()


def resume_stalled_jobs() -> int:
    """The schedule ``thidua-resume-jobs`` (every few minutes, created after ``migrate``): queue again the background
    jobs whose task was lost with a worker that died, or fail those lost too often (workflows/jobs.py). Returns how
    many were queued again."""
    import logging

    from django.utils import translation

    from .jobs import resume_all

    with translation.override(settings.LANGUAGE_CODE):  # the messages and notifications it writes
        resumed = resume_all()
    if resumed:
        logging.getLogger(__name__).warning("%s background job(s) lost with a worker were queued again", resumed)
    return resumed
