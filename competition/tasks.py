"""Thin django-q2 entry points of the competition app: each loads its record and calls the service."""

import logging

from .models import IndicatorImport
from .services import indicator_import

log = logging.getLogger(__name__)


def _run(job_id: int, step) -> None:
    job = IndicatorImport.objects.select_related("campaign", "uploaded_by").filter(pk=job_id).first()
    if job is None:
        return
    try:
        step(job)
    except Exception as exc:  # the person sees the job failed instead of a bar that never moves
        log.exception("indicator import %s failed", job_id)
        indicator_import.fail_job(job_id, f"{type(exc).__name__}: {exc}")
        raise


def check_indicator_import(job_id: int) -> None:
    """Check a large uploaded file of indicator values (dry run) and keep the result on the job."""
    _run(job_id, indicator_import.check_import)


def write_indicator_import(job_id: int) -> None:
    """Write a large file of indicator values the person confirmed."""
    _run(job_id, indicator_import.write_import)


def take_due_reviews() -> int:
    """The daily schedule ``thidua-interim-reviews``: snapshot every interim review whose date has come."""
    from .services.reviews import take_due_reviews as take

    return len(take())


def forget_abandoned_imports() -> dict:
    """The daily schedule ``thidua-import-cleanup``: forget import files never confirmed. (Jobs whose task was lost
    with a worker that died are queued again every few minutes: ``indicator_import.resume_stalled_imports``, run by
    ``workflows.tasks.resume_stalled_jobs``.)"""
    return indicator_import.forget_abandoned_imports()
