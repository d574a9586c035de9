"""Thin django-q2 entry points of the nominations app: each loads its record and calls the service."""

import logging

log = logging.getLogger(__name__)


def run_bulk_job(job_id: int) -> None:
    """A bulk action on the board's filtered list of dossiers, over the background threshold
    (nominations/services/board.py): its progress and result are kept on the ``BulkJob``."""
    from .services import board

    try:
        board.run_job(job_id)
    except Exception as exc:  # the person sees the job failed instead of a bar that never moves
        log.exception("bulk job %s failed", job_id)
        board.fail_job(job_id, f"{type(exc).__name__}: {exc}")
        raise
