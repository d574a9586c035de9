"""Quotas and priorities of a campaign's awards (domain rule 11), the scoring classification a campaign may require
(rule 12), and the campaign's duration and level against the award form (rule 2): the checks made when a unit
submits a dossier, when the board proposes a nominee and when it completes an appraisal.

The campaign's own numbers are data (``NominationQuota``, one per campaign and award form), set by the board.
"""

from __future__ import annotations

from ..models import Dossier, Nominee


def submission_problems(dossier: Dossier) -> list[str]:
    """Why the unit cannot submit ``dossier`` under the campaign's quotas and priorities (per unit), the
    classification it requires and the award form's conditions; empty when nothing stands in the way."""
    return []


def acceptance_problems(nominee: Nominee, dossier: Dossier) -> list[str]:
    """Why the board cannot propose ``nominee`` (accept it at appraisal) under the campaign-wide quotas."""
    return []


def completion_problems(dossier: Dossier) -> list[str]:
    """Why the board cannot complete the appraisal of ``dossier`` (campaign-wide priorities, e.g. the minimum
    share of individuals doing direct work among those proposed)."""
    return []
