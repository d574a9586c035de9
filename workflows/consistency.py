"""Checks that a record's stored state agrees with the last transition on the audit trail, and with the open
tasks of its viewflow flow (:func:`workflows.flowsync.check_agreement`)."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils.translation import gettext as _

from . import flowsync
from .models import AuditEvent


def check_states() -> list[str]:
    """Every record that went through the door must still be in the state its last transition left it in, and
    every record driven by a flow must have the open tasks its state calls for (``verify_audit`` runs both)."""
    problems: list[str] = []
    last = (
        AuditEvent.objects.exclude(to_state="")
        .values("content_type_id", "object_id")
        .annotate(seq=Max("sequence"))
        .values_list("seq", flat=True)
    )
    events = AuditEvent.objects.filter(sequence__in=list(last)).order_by("sequence")
    for event in events.iterator(chunk_size=500):
        try:
            field = json.loads(event.body).get("payload", {}).get("field")
        except ValueError:
            continue
        model = ContentType.objects.get_for_id(event.content_type_id).model_class()
        if not field or model is None:
            continue
        current = model._default_manager.filter(pk=event.object_id).values_list(field, flat=True).first()
        if current is None:
            problems.append(
                _("%(obj)s (#%(seq)s): bản ghi không còn tồn tại.") % {"obj": event.object_repr, "seq": event.sequence}
            )
        elif str(current) != event.to_state:
            problems.append(
                _("%(obj)s: trạng thái đang lưu “%(cur)s” khác với nhật ký “%(log)s” (#%(seq)s).")
                % {"obj": event.object_repr, "cur": current, "log": event.to_state, "seq": event.sequence}
            )
    problems.extend(flowsync.check_agreement())
    return problems
