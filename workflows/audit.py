"""Appending to and verifying the hash-chained audit trail (architecture principle 5)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .datacache import forget_version
from .models import GENESIS_HASH, AuditEvent, ChainHead


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or getattr(actor, "is_system", False):
        return None, "system"
    return actor.pk, actor.get_username()


def _lock_head() -> ChainHead:
    head, _created = ChainHead.objects.get_or_create(pk=1)
    if connection.features.has_select_for_update:
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction, after the record's own lock.

    Side effects: locks and advances the chain head; inserts one ``AuditEvent``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflows.audit.record must be called inside transaction.atomic()")
    head = _lock_head()
    actor_id, actor_label = _actor_fields(actor)
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True) if obj is not None else None
    event = AuditEvent(
        sequence=head.sequence + 1,
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        content_type=content_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        from_state=from_state or "",
        to_state=to_state or "",
        prev_hash=head.hash,
    )
    # Round-trip the payload through JSON once so the body holds exactly what a reader will parse.
    body_payload = json.loads(canonical_json(payload or {}))
    event.body = canonical_json(_body_fields(event, body_payload))
    event.hash = _digest(event.body)
    event.save(force_insert=True)
    # A record edit leaves the outline where it is (see RECORD_EDITS); every other event moves it too.
    outline = {} if action in RECORD_EDITS else {"outline_sequence": event.sequence, "outline_hash": event.hash}
    ChainHead.objects.filter(pk=1).update(sequence=event.sequence, hash=event.hash, **outline)
    forget_version()
    return event


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _body_fields(event: AuditEvent, payload: dict) -> dict:
    ct = event.content_type
    return {
        "sequence": event.sequence,
        "time": _timestamp(event.created_at),
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": f"{ct.app_label}.{ct.model}" if ct else "",
        "object_type_id": ct.pk if ct else None,
        "object_id": event.object_id,
        "object": event.object_repr,
        "from": event.from_state,
        "to": event.to_state,
        "payload": payload,
        "prev_hash": event.prev_hash,
    }


def head() -> ChainHead:
    """The current head of the chain (sequence and hash), as printed on decisions."""
    return ChainHead.objects.get_or_create(pk=1)[0]


@dataclass
class Problem:
    sequence: int | None
    message: str

    def __str__(self) -> str:
        return f"#{self.sequence}: {self.message}" if self.sequence is not None else self.message


def _raw_rows() -> Iterator[tuple]:
    """Read the audit rows as the database stores them, bypassing model conversion that could hide a change."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = [
        "sequence",
        "created_at",
        "actor_id",
        "actor_label",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "from_state",
        "to_state",
        "body",
        "prev_hash",
        "hash",
    ]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {table} ORDER BY {connection.ops.quote_name('sequence')}")  # noqa: S608
        while rows := cursor.fetchmany(2000):
            for row in rows:
                yield dict(zip(columns, row, strict=True))


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify_chain(*, expected_head: str | None = None) -> list[Problem]:
    """Recompute the whole chain. Returns the problems found (empty when the trail is intact)."""
    problems: list[Problem] = []
    content_types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    last_hash = GENESIS_HASH
    last_sequence = 0
    for row in _raw_rows():
        seq = row["sequence"]
        if seq != expected_sequence:
            problems.append(Problem(seq, _("thiếu sự kiện: mong đợi số thứ tự %(n)s.") % {"n": expected_sequence}))
        expected_sequence = seq + 1
        body = row["body"]
        if _digest(body) != row["hash"]:
            problems.append(Problem(seq, _("mã băm không khớp với nội dung (nội dung đã bị sửa).")))
        if row["prev_hash"] != prev_hash:
            problems.append(Problem(seq, _("không nối với sự kiện trước (mã băm trước không khớp).")))
        try:
            data = json.loads(body)
        except ValueError:
            problems.append(Problem(seq, _("nội dung không phải JSON hợp lệ.")))
            data = {}
        if canonical_json(data) != body:
            problems.append(Problem(seq, _("nội dung không ở dạng chuẩn hoá.")))
        expected = {
            "sequence": seq,
            "actor_id": row["actor_id"],
            "actor": row["actor_label"],
            "action": row["action"],
            "object_type_id": row["content_type_id"],
            "object_type": content_types.get(row["content_type_id"], "") if row["content_type_id"] else "",
            "object_id": row["object_id"],
            "object": row["object_repr"],
            "from": row["from_state"],
            "to": row["to_state"],
            "prev_hash": row["prev_hash"],
        }
        for key, value in expected.items():
            if data.get(key) != value:
                problems.append(Problem(seq, _("cột “%(col)s” khác với nội dung đã băm.") % {"col": key}))
        try:
            if _timestamp(_as_datetime(row["created_at"])) != data.get("time"):
                problems.append(Problem(seq, _("thời điểm khác với nội dung đã băm.")))
        except (TypeError, ValueError):
            problems.append(Problem(seq, _("thời điểm không đọc được.")))
        prev_hash = row["hash"]
        last_hash, last_sequence = row["hash"], seq
    stored_head = ChainHead.objects.filter(pk=1).first()
    if stored_head and (stored_head.sequence != last_sequence or stored_head.hash != last_hash):
        problems.append(
            Problem(
                None,
                _("đầu chuỗi ghi #%(hs)s nhưng sự kiện cuối là #%(ls)s: có sự kiện cuối đã bị xoá.")
                % {"hs": stored_head.sequence, "ls": last_sequence},
            )
        )
    if expected_head and expected_head != last_hash:
        if AuditEvent.objects.filter(hash=expected_head).exists():
            pass  # the expected head is an earlier point of an intact chain: nothing was cut after it
        else:
            problems.append(Problem(None, _("mã băm đầu chuỗi %(h)s không có trong chuỗi.") % {"h": expected_head}))
    return problems


def events_for(obj: models.Model):
    """The timeline of one record, oldest first."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")


# Record edits: the actions that change only the inside of the record their event is recorded on (a dossier's
# nominees and files), which nothing but that record's own page shows: no list, inbox, dashboard or menu, and no
# other record's page. They move the chain's head but not its outline (ChainHead.outline_*), so the values the data
# cache keys by the outline (workflows/datacache.py) stay kept. Registered by each app in its AppConfig.ready();
# an action left out only costs the cache (every event not listed moves the outline).
RECORD_EDITS: set[str] = set()


def register_record_edits(actions) -> None:
    RECORD_EDITS.update(actions)


# Human names of audit actions, registered by each app in its AppConfig.ready(); transitions are named by the
# ``label`` of their ``@transition``.
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    from django.apps import apps

    parts = action.split(".")
    if len(parts) == 3:
        try:
            model = apps.get_model(parts[0], parts[1])
        except LookupError:
            return action
        method = getattr(model, parts[2], None)
        if method is not None and hasattr(method, "_django_fsm"):
            from .door import transition_label

            return transition_label(method)
    return action
