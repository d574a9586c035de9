"""Who does the work while someone is away: stand-ins (người làm thay).

An officer, or the board's head, names a stand-in for a period (``StandIn``, :func:`name_stand_in`). While it is in
force, the work assigned to the absent officer (dossiers they handle, their tasks) shows in the stand-in's inbox,
the stand-in may act on it with their own permissions, and every reminder or escalation meant for the absent
officer goes to the stand-in as well (:func:`with_stand_ins`, :func:`stand_ins_by_absent`). A stand-in can be
cancelled before it ends (:func:`cancel_stand_in`). Both are audited.

The engine imports no domain app: who may name a stand-in for whom is the object permission
``workflows.add_standin`` (on the absent user), who may cancel one ``workflows.change_standin`` (on the
``StandIn``), both ``rules`` predicates of the accounts app; who may stand in for a person (their role family, e.g.
the board) comes from the provider registered with :func:`register_family`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .exceptions import TransitionForbidden, TransitionRefused
from .models import StandIn
from .notifications import notify

# (user) → the users of the same role family (who may stand in for them), or None when they have none.
FamilyProvider = Callable[[object], QuerySet | None]
_family_provider: FamilyProvider | None = None


def register_family(provider: FamilyProvider) -> None:
    """Declare who may stand in for whom (a domain app's ``ready()``): ``provider(user)`` returns the queryset of
    users of ``user``'s role family, or None when nobody may stand in for them."""
    global _family_provider
    _family_provider = provider


def family_of(user) -> QuerySet:
    """The active users who may stand in for ``user`` (their role family, ``user`` excluded)."""
    users = get_user_model().objects
    family = _family_provider(user) if _family_provider is not None and user is not None else None
    if family is None:
        return users.none()
    return family.filter(is_active=True).exclude(pk=user.pk)


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


def stand_ins_by_absent(absent_ids: Iterable[int], *, on: date | None = None) -> dict[int, list]:
    """``{absent user pk: [their active stand-ins]}`` for many people at once (one query), for reminders that go to
    each dossier's officer."""
    ids = [pk for pk in dict.fromkeys(absent_ids) if pk is not None]
    found: dict[int, list] = {}
    if not ids:
        return found
    rows = (
        StandIn.objects.active(on)
        .filter(absent_id__in=ids, stand_in__is_active=True)
        .select_related("stand_in")
        .order_by("starts_on", "pk")
    )
    for row in rows:
        people = found.setdefault(row.absent_id, [])
        if all(p.pk != row.stand_in_id for p in people):
            people.append(row.stand_in)
    return found


def absent_for(user, *, on: date | None = None) -> list[int]:
    """The pks of the people ``user`` stands in for today (``on``)."""
    if user is None or not getattr(user, "pk", None):
        return []
    return list(StandIn.objects.active(on).filter(stand_in_id=user.pk).values_list("absent_id", flat=True))


# --- Naming and cancelling a stand-in --------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _overlapping(absent_id: int, starts_on: date, ends_on: date) -> QuerySet:
    return StandIn.objects.filter(
        absent_id=absent_id, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )


def _lock_user(user) -> None:
    """Serialise stand-ins of one absent person (PostgreSQL: the user's row; SQLite's IMMEDIATE transaction already
    holds the write lock)."""
    if connection.features.has_select_for_update:
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


def name_stand_in(absent, stand_in, *, starts_on: date, ends_on: date, reason: str = "", actor) -> StandIn:
    """``stand_in`` takes ``absent``'s work from ``starts_on`` to ``ends_on`` (both included).

    Checks: the actor is ``absent`` themselves or the board's head (``workflows.add_standin`` on ``absent``); the
    stand-in is another person, active, of the same role family (:func:`family_of`); the dates are in order and
    the period has not already ended; ``absent`` has no other stand-in (not cancelled) overlapping the period, and
    the stand-in is not away themselves then.

    Side effects: one ``StandIn``; one audit event ``workflows.standin.add``; a notification to the stand-in (and
    to the absent person when the head named it).
    """
    reason = (reason or "").strip()
    if absent is None or stand_in is None:
        raise TransitionRefused(_("Hãy chọn người vắng mặt và người làm thay."))
    if not _is_system(actor) and not actor.has_perm("workflows.add_standin", absent):
        raise TransitionForbidden(
            _("Chỉ người vắng mặt hoặc lãnh đạo Sở được cử người làm thay cho %(a)s.") % {"a": absent}
        )
    if stand_in.pk == absent.pk:
        raise TransitionRefused(_("Người làm thay phải là người khác với người vắng mặt."))
    if not stand_in.is_active:
        raise TransitionRefused(_("Tài khoản của %(s)s đã ngừng hoạt động: không làm thay được.") % {"s": stand_in})
    if not family_of(absent).filter(pk=stand_in.pk).exists():
        raise TransitionRefused(
            _("%(s)s không cùng bộ phận với %(a)s: không làm thay được.") % {"s": stand_in, "a": absent}
        )
    if starts_on is None or ends_on is None or starts_on > ends_on:
        raise TransitionRefused(_("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc."))
    if ends_on < timezone.localdate():
        raise TransitionRefused(_("Thời gian làm thay đã qua: hãy chọn ngày kết thúc từ hôm nay trở đi."))
    with transaction.atomic():
        _lock_user(absent)
        other = _overlapping(absent.pk, starts_on, ends_on).select_related("stand_in").first()
        if other is not None:
            raise TransitionRefused(
                _("%(a)s đã có người làm thay từ %(f)s đến %(t)s (%(s)s): hãy huỷ trước khi cử người khác.")
                % {"a": absent, "f": _day(other.starts_on), "t": _day(other.ends_on), "s": other.stand_in}
            )
        away = _overlapping(stand_in.pk, starts_on, ends_on).first()
        if away is not None:
            raise TransitionRefused(
                _("%(s)s cũng vắng mặt từ %(f)s đến %(t)s: hãy chọn người khác.")
                % {"s": stand_in, "f": _day(away.starts_on), "t": _day(away.ends_on)}
            )
        record = StandIn.objects.create(
            absent=absent,
            stand_in=stand_in,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason[:255],
            created_by=None if _is_system(actor) else actor,
        )
        audit.record(
            actor=actor,
            action="workflows.standin.add",
            obj=record,
            payload={
                "absent": absent.get_username(),
                "stand_in": stand_in.get_username(),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "reason": reason[:255],
            },
        )
        values = {"a": absent, "s": stand_in, "f": _day(starts_on), "t": _day(ends_on)}
        told = [stand_in] + ([absent] if getattr(actor, "pk", None) != absent.pk else [])
        notify(
            told,
            key=f"standin:{record.pk}:add",
            title=_("%(s)s làm thay %(a)s từ %(f)s đến %(t)s") % values,
            body=_(
                "Trong thời gian này, hồ sơ và việc được giao cho %(a)s hiện cả ở hộp việc của %(s)s; nhắc hạn, "
                "báo quá hạn gửi cả %(s)s."
            )
            % values,
            url=_url(),
            target=record,
        )
    return record


def cancel_stand_in(record: StandIn, *, actor, reason: str = "") -> StandIn:
    """End a stand-in before its last day (or before it starts): from now on, the absent person's work and
    reminders no longer go to the stand-in.

    Checks: the actor is the absent person, whoever named it, or the board's head (``workflows.change_standin``);
    it is not cancelled already and has not ended.

    Side effects: ``cancelled_at`` of the ``StandIn``; one audit event ``workflows.standin.cancel``; a notification
    to the stand-in.
    """
    reason = (reason or "").strip()
    if not _is_system(actor) and not actor.has_perm("workflows.change_standin", record):
        raise TransitionForbidden(_("Chỉ người vắng mặt, người đã cử hoặc lãnh đạo Sở được huỷ việc làm thay này."))
    with transaction.atomic():
        manager = StandIn.objects.select_related("absent", "stand_in")
        if connection.features.has_select_for_update:
            manager = manager.select_for_update(of=("self",))
        fresh = manager.get(pk=record.pk)
        if fresh.cancelled_at is not None:
            raise TransitionRefused(_("Việc làm thay này đã được huỷ trước đó."))
        if fresh.ends_on < timezone.localdate():
            raise TransitionRefused(_("Việc làm thay này đã kết thúc ngày %(t)s.") % {"t": _day(fresh.ends_on)})
        fresh.cancelled_at = timezone.now()
        fresh.save(update_fields=["cancelled_at"])
        audit.record(
            actor=actor,
            action="workflows.standin.cancel",
            obj=fresh,
            payload={
                "absent": fresh.absent.get_username(),
                "stand_in": fresh.stand_in.get_username(),
                "reason": reason[:255],
            },
        )
        values = {"a": fresh.absent, "s": fresh.stand_in}
        notify(
            [fresh.stand_in],
            key=f"standin:{fresh.pk}:cancel",
            title=_("Đã huỷ việc %(s)s làm thay %(a)s") % values,
            body=reason,
            url=_url(),
            target=fresh,
        )
    record.cancelled_at = fresh.cancelled_at
    return fresh


def visible_stand_ins(user) -> QuerySet:
    """The stand-ins a user may see on the page: the board's head every one; anyone else those where they are the
    absent person, the stand-in or whoever named it."""
    rows = StandIn.objects.select_related("absent", "stand_in", "created_by")
    if getattr(user, "is_superuser", False) or user.has_perm("workflows.change_standin"):
        return rows
    from django.db.models import Q

    return rows.filter(Q(absent=user) | Q(stand_in=user) | Q(created_by=user))


def _url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("workflows:standin_list")
    except NoReverseMatch:
        return ""
