"""Personal data (Decree 13/2023/NĐ-CP on personal data protection; domain rule 16): every reading of it by a
person is recorded, once per record and request, in ``PersonalDataAccess``. The engine names records through
content types only, so any app can record what it shows."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import PersonalDataAccess


def record_access(user, objects: Iterable[models.Model], *, fields: Iterable[str], purpose: str) -> int:
    """Record that ``user`` read ``fields`` of each of ``objects`` through ``purpose`` (e.g. "api:dossier").
    One insert for all of them. Returns how many rows were written (0 for no object or no field)."""
    objects = [o for o in objects if o is not None and o.pk is not None]
    fields = sorted(set(fields))
    if not objects or not fields:
        return 0
    user_pk = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    label = user.get_username() if user_pk else "anonymous"
    types = ContentType.objects.get_for_models(*{type(o) for o in objects})
    rows = [
        PersonalDataAccess(
            user_id=user_pk,
            user_label=label,
            content_type=types[type(o)],
            object_id=str(o.pk),
            fields=fields,
            purpose=purpose[:100],
        )
        for o in objects
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
