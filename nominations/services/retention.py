"""Retention of personal data (Decree 13/2023/NĐ-CP; domain rule 16: kept no longer than the records rules
require). ``THIDUA_PERSONAL_DATA_RETENTION_YEARS`` (default 10) after a dossier is closed, its nominees' birth
dates, ID numbers and gender are erased; so are those of holds lifted or expired that long ago.

- A dossier is closed when it was decided, or when its campaign ended without a decision on it.
- A purged nominee's canonical key, which holds the birth date in clear, becomes a one-way digest: it is only ever
  compared within its own campaign, long over.
- The register of awards (``AwardRecord``) is a permanent record (its keys feed the eligibility of later merit
  awards): it is left alone unless ``THIDUA_PURGE_AWARD_RECORDS`` is on. Which records rule applies to it is an
  open question of domain.md, hence the setting.
- Names, positions and units stay: they are printed in the published decisions.

``manage.py purge_personal_data [--dry-run]`` runs it; one audit event records the counts, never the data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows import audit

from ..enums import DossierState
from ..models import AwardRecord, Nominee, NomineeHold

PURGED_KEY_PREFIX = "x:"


@dataclass(frozen=True)
class PurgeResult:
    cutoff: date
    nominees: int
    holds: int
    records: int
    dry_run: bool


def retention_years() -> int:
    return int(getattr(settings, "THIDUA_PERSONAL_DATA_RETENTION_YEARS", 10))


def cutoff_date(today: date | None = None) -> date:
    """The day before which closed records lose their personal data."""
    today = today or timezone.localdate()
    years = retention_years()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _digest(key: str) -> str:
    return PURGED_KEY_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _holding_personal_data(queryset):
    return queryset.filter(Q(birth_date__isnull=False) | ~Q(id_number=""))


def purgeable_nominees(cutoff: date):
    start = timezone.make_aware(datetime.combine(cutoff, time.min))
    closed = Q(dossier__state=DossierState.DECIDED, dossier__decided_at__lt=start) | (
        ~Q(dossier__state=DossierState.DECIDED) & Q(dossier__campaign__end_date__lt=cutoff)
    )
    return Nominee.objects.filter(closed).filter(Q(birth_date__isnull=False) | ~Q(id_number="") | ~Q(gender=""))


def purgeable_holds(cutoff: date):
    start = timezone.make_aware(datetime.combine(cutoff, time.min))
    ended = Q(lifted_at__lt=start) | Q(until__lt=cutoff)
    return _holding_personal_data(NomineeHold.objects.filter(ended))


def purgeable_records(cutoff: date):
    if not getattr(settings, "THIDUA_PURGE_AWARD_RECORDS", False):
        return AwardRecord.objects.none()
    return _holding_personal_data(AwardRecord.objects.filter(year__lt=cutoff.year))


def purge_personal_data(*, actor, today: date | None = None, dry_run: bool = False) -> PurgeResult:
    """Erase the personal data past retention (see the module's docstring). Idempotent: a second run finds
    nothing. Side effects (not in a dry run): the rows updated; one audit event ``nominations.personal_data.purge``
    with the cutoff and the counts."""
    cutoff = cutoff_date(today)
    with transaction.atomic():
        nominees = list(purgeable_nominees(cutoff).only("pk", "canonical_key"))
        holds = list(purgeable_holds(cutoff).only("pk", "canonical_key"))
        records = list(purgeable_records(cutoff).only("pk"))
        result = PurgeResult(cutoff, len(nominees), len(holds), len(records), dry_run)
        if dry_run or not (nominees or holds or records):
            return result
        for nominee in nominees:
            if not nominee.canonical_key.startswith(PURGED_KEY_PREFIX):
                nominee.canonical_key = _digest(nominee.canonical_key)
            nominee.birth_date, nominee.id_number, nominee.gender = None, "", ""
        Nominee.objects.bulk_update(nominees, ["birth_date", "id_number", "gender", "canonical_key"], batch_size=1000)
        for hold in holds:
            if not hold.canonical_key.startswith(PURGED_KEY_PREFIX):
                hold.canonical_key = _digest(hold.canonical_key)
            hold.birth_date, hold.id_number = None, ""
        NomineeHold.objects.bulk_update(holds, ["birth_date", "id_number", "canonical_key"], batch_size=1000)
        AwardRecord.objects.filter(pk__in=[r.pk for r in records]).update(birth_date=None, id_number="")
        audit.record(
            actor=actor,
            action="nominations.personal_data.purge",
            obj=None,
            payload={
                "cutoff": cutoff.isoformat(),
                "retention_years": retention_years(),
                "nominees": len(nominees),
                "holds": len(holds),
                "records": len(records),
            },
        )
    return result
