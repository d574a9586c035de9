"""Who does the work while someone is away: stand-ins (người làm thay).

An officer, or the board's head, names a stand-in for a period (``StandIn``). While it is in force, the work
assigned to the absent officer (dossiers they handle, their tasks) shows in the stand-in's inbox, the stand-in may
act on it with their own permissions, and every reminder or escalation meant for the absent officer goes to the
stand-in as well (:func:`with_stand_ins`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model

from .models import StandIn


def with_stand_ins(users: Iterable, *, on: date | None = None) -> list:
    """``users`` followed by the active stand-ins of any of them (each person once, order kept)."""
    users = [u for u in users if u is not None]
    seen = {u.pk for u in users}
    result = list(users)
    if not users:
        return result
    stand_in_ids = (
        StandIn.objects.active(on)
        .filter(absent_id__in=list(seen), stand_in__is_active=True)
        .values_list("stand_in_id", flat=True)
    )
    extra = [pk for pk in dict.fromkeys(stand_in_ids) if pk not in seen]
    if extra:
        by_pk = get_user_model().objects.in_bulk(extra)
        result.extend(by_pk[pk] for pk in extra if pk in by_pk)
    return result


def absent_for(user, *, on: date | None = None) -> list[int]:
    """The pks of the people ``user`` stands in for today (``on``)."""
    if user is None or not getattr(user, "pk", None):
        return []
    return list(StandIn.objects.active(on).filter(stand_in_id=user.pk).values_list("absent_id", flat=True))
