"""The board at scale (issue 6, item 7): the filtered list of dossiers, bulk actions on every dossier of a filter,
and who handles each dossier (its ``assignee``, cán bộ thụ lý).

- **Filters** (:class:`DossierFilters`, :func:`filtered_dossiers`): campaign, state, award form, proposing unit (name
  or code), assignee (nobody, "mine" — with the dossiers of the people the user stands in for — or one officer),
  and the appraisal clock (overdue, due within N working days, not started). The list page and every bulk action
  build their queryset with the same function, always narrowed by the scoping function first.
- **Bulk actions** (:func:`bulk_apply`): ``receive`` through ``receive_dossier`` (the door), ``assign`` through
  :func:`assign_dossier`, ``export`` as one XLSX. Each dossier is its own transaction: a refusal is collected with
  its reason and the others are still done. Over ``THIDUA_BULK_BACKGROUND`` dossiers (default 200) the action runs
  as a django-q2 task that records its progress on a :class:`~nominations.models.BulkJob`
  (:func:`start_bulk`, :func:`run_job`).
- **Assignment**: the board's head assigns and reassigns a dossier of the board (the provincial Chairman's) to a
  board officer; an officer takes an unassigned one for themselves, and becomes its officer when they receive it
  (:func:`take_on_receipt`, called by ``receive_dossier``). viewflow's task of the dossier has no owner until the
  door completes it: the inbox and the reminders follow ``Dossier.assignee`` (and the officer's stand-ins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import BOARD_ROLES, Role
from accounts.models import User
from competition.models import AwardType
from competition.scoping import can_see, scope
from workflows import audit
from workflows.assignments import absent_for
from workflows.exceptions import ConflictError, TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent
from workflows.notifications import notify

from ..enums import DossierState
from ..models import BulkJob, Dossier
from ..rules import decided_by_province
from . import dossiers as dossier_services
from .clock import RUNNING_STATES, appraisal_clocks

PAGE_SIZE = 50
CHUNK = 500  # dossiers read (and clocks computed) at a time by a bulk action or an export
DEFAULT_WITHIN = 3  # working days, for "due within N days"
MAX_WITHIN = 60

CLOCK_OVERDUE, CLOCK_DUE, CLOCK_NOT_STARTED = "overdue", "due", "not_started"
CLOCK_CHOICES = (
    (CLOCK_OVERDUE, gettext_lazy("Quá hạn thẩm định")),
    (CLOCK_DUE, gettext_lazy("Sắp đến hạn thẩm định")),
    (CLOCK_NOT_STARTED, gettext_lazy("Chưa bắt đầu tính hạn (chưa tiếp nhận)")),
)
ASSIGNEE_NONE, ASSIGNEE_ME = "none", "me"

RECEIVE, ASSIGN, EXPORT = "receive", "assign", "export"
ACTION_CHOICES = (
    (RECEIVE, gettext_lazy("Tiếp nhận hồ sơ")),
    (ASSIGN, gettext_lazy("Phân công cán bộ thụ lý")),
    (EXPORT, gettext_lazy("Xuất danh sách (XLSX)")),
)
# Assigning a dossier makes sense from its submission until it is decided.
ASSIGNABLE_STATES = (DossierState.SUBMITTED, DossierState.RECEIVED, DossierState.RETURNED, DossierState.APPRAISED)

ACTION_LABELS = {
    "nominations.dossier.assign": gettext_lazy("Phân công cán bộ thụ lý"),
}

Progress = Callable[[int, int], None]  # (dossiers processed, total)


def background_threshold() -> int:
    return int(getattr(settings, "THIDUA_BULK_BACKGROUND", 200))


def refusals_kept() -> int:
    return int(getattr(settings, "THIDUA_BULK_REFUSALS_KEPT", 1000))


# --- Filters ---------------------------------------------------------------------------------------------------


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class DossierFilters:
    """The filter of the board's list, read from request parameters; an invalid value is ignored (no filter)."""

    campaign: int | None = None
    state: str = ""
    award: str = ""
    unit: str = ""
    assignee: str = ""  # "", "none", "me", or an officer's pk
    clock: str = ""  # "", "overdue", "due", "not_started"
    within: int = DEFAULT_WITHIN  # working days, with clock == "due"

    @classmethod
    def from_params(cls, params: Mapping) -> DossierFilters:
        def text(name: str, limit: int = 100) -> str:
            return str(params.get(name) or "").strip()[:limit]

        assignee = text("assignee", 20)
        if assignee not in (ASSIGNEE_NONE, ASSIGNEE_ME) and not assignee.isdigit():
            assignee = ""
        within = _int(text("within"))
        return cls(
            campaign=_int(text("campaign")),
            state=text("state") if text("state") in DossierState.values else "",
            award=text("award", 50),
            unit=text("unit"),
            assignee=assignee,
            clock=text("clock") if text("clock") in dict(CLOCK_CHOICES) else "",
            within=DEFAULT_WITHIN if within is None else max(0, min(within, MAX_WITHIN)),
        )

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as request parameters (for links, hidden fields and a background job)."""
        params = {
            "campaign": str(self.campaign) if self.campaign else "",
            "state": self.state,
            "award": self.award,
            "unit": self.unit,
            "assignee": self.assignee,
            "clock": self.clock,
            "within": str(self.within) if self.clock == CLOCK_DUE else "",
        }
        return {k: v for k, v in params.items() if v}

    @property
    def querystring(self) -> str:
        return urlencode(self.as_params())

    @property
    def any(self) -> bool:
        return bool(self.as_params())


def _as_filters(filters) -> DossierFilters:
    return filters if isinstance(filters, DossierFilters) else DossierFilters.from_params(filters or {})


def _unit_search(text: str) -> Q:
    # SQLite's LIKE folds ASCII only: also try the text as typed in title case ("phan đình phùng" → "Phan Đình
    # Phùng"); PostgreSQL folds every letter.
    q = Q(unit__code__istartswith=text)
    for variant in dict.fromkeys((text, text.lower(), text.title())):
        q |= Q(unit__name__icontains=variant)
    return q


def _never_started() -> Exists:
    """The dossier's clock never ran: the audit trail has no transition into a running state (domain rule 9)."""
    return Exists(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Dossier),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            to_state__in=RUNNING_STATES,
        )
    )


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clock_matches(queryset: QuerySet, filters: DossierFilters, today: date) -> list[int]:
    """The pks of the dossiers under appraisal whose clock is overdue, or due within ``filters.within`` working
    days (not overdue). Clocks are computed ``CHUNK`` dossiers at a time (a fixed number of queries each)."""
    candidates = list(queryset.filter(state__in=RUNNING_STATES).order_by().only("pk", "rule_set_id"))
    found = []
    for chunk in _chunks(candidates):
        for pk, clock in appraisal_clocks(chunk, today=today).items():
            if not clock.running:
                continue
            if (
                filters.clock == CLOCK_OVERDUE
                and clock.overdue
                or filters.clock == CLOCK_DUE
                and not clock.overdue
                and clock.remaining <= filters.within
            ):
                found.append(pk)
    return found


def filtered_dossiers(user, filters, *, today: date | None = None) -> QuerySet:
    """The dossiers ``user`` may see (the scoping function) that match ``filters`` (a :class:`DossierFilters` or
    request parameters), newest first. The list page and every bulk action use this one function. Queries: the
    scoping function's, one for "mine" (the people the user stands in for), and for a clock filter the clocks of
    the dossiers under appraisal; the queryset itself is lazy."""
    filters = _as_filters(filters)
    dossiers = scope(user, Dossier.objects.all())
    if filters.campaign:
        dossiers = dossiers.filter(campaign_id=filters.campaign)
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    if filters.award:
        dossiers = dossiers.filter(award_type_code=filters.award)
    if filters.unit:
        dossiers = dossiers.filter(_unit_search(filters.unit))
    if filters.assignee == ASSIGNEE_NONE:
        dossiers = dossiers.filter(assignee__isnull=True)
    elif filters.assignee == ASSIGNEE_ME:
        dossiers = dossiers.filter(assignee_id__in=[user.pk, *absent_for(user)])
    elif filters.assignee:
        dossiers = dossiers.filter(assignee_id=int(filters.assignee))
    if filters.clock == CLOCK_NOT_STARTED:
        dossiers = dossiers.exclude(_never_started())
    elif filters.clock in (CLOCK_OVERDUE, CLOCK_DUE):
        dossiers = dossiers.filter(pk__in=_clock_matches(dossiers, filters, today or timezone.localdate()))
    return dossiers


def board_officers() -> QuerySet:
    """The officers a dossier of the board can be assigned to."""
    return User.objects.filter(is_active=True, role=Role.BOARD_OFFICER).order_by("full_name", "username")


# --- Assignment ------------------------------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def _role(user) -> str | None:
    return getattr(user, "role", None) if getattr(user, "is_active", False) else None


def _state_refusal(dossier: Dossier) -> str | None:
    """Why nobody may assign ``dossier`` now (None: it can be assigned)."""
    if not decided_by_province(dossier):
        return _("Hồ sơ “%(d)s” do cấp cơ sở thẩm định, không do Ban Thi đua - Khen thưởng thụ lý.") % {"d": dossier}
    if dossier.state not in ASSIGNABLE_STATES:
        return _("Hồ sơ “%(d)s” đang ở trạng thái “%(s)s”: không phân công thụ lý được.") % {
            "d": dossier,
            "s": dossier.get_state_display(),
        }
    return None


def _permission_refusal(actor, dossier: Dossier, officer) -> str | None:
    """Why ``actor`` may not make ``officer`` (None: anyone) the officer of ``dossier`` (None: they may)."""
    if _is_system(actor):
        return None
    role = _role(actor)
    if role == Role.BOARD_HEAD:
        return None
    if role == Role.BOARD_OFFICER:
        if dossier.assignee_id not in (None, actor.pk):
            return _("Hồ sơ “%(d)s” đang do %(o)s thụ lý: chỉ lãnh đạo Sở được phân công lại.") % {
                "d": dossier,
                "o": dossier.assignee,
            }
        if officer is not None and officer.pk != actor.pk:
            return _("Chuyên viên chỉ nhận thụ lý hồ sơ cho chính mình; lãnh đạo Sở phân công cho người khác.")
        return None
    return _("Chỉ lãnh đạo Sở phân công thụ lý hồ sơ; chuyên viên nhận hồ sơ chưa có người thụ lý.")


def assignment_refusal(actor, dossier: Dossier, officer) -> str | None:
    """Why ``actor`` may not make ``officer`` the officer handling ``dossier`` (None: they may). No query when the
    dossier's deciding unit (and assignee) are loaded. The board's head assigns and reassigns; an officer only
    takes a dossier nobody handles yet, for themselves."""
    return _state_refusal(dossier) or _permission_refusal(actor, dossier, officer)


def can_take(user, dossier: Dossier) -> bool:
    """An officer may take ``dossier`` for themselves (the list's button). No query."""
    return (
        _role(user) == Role.BOARD_OFFICER
        and dossier.assignee_id is None
        and assignment_refusal(user, dossier, user) is None
    )


def can_reassign(user, dossier: Dossier) -> bool:
    """The board's head may assign ``dossier`` to any officer (the list's per-row form). No query."""
    return _role(user) == Role.BOARD_HEAD and assignment_refusal(user, dossier, None) is None


def _locked(dossier: Dossier) -> Dossier:
    manager = Dossier.objects.select_related("campaign", "unit", "deciding_unit", "assignee")
    if connection.features.has_select_for_update:
        manager = manager.select_for_update(of=("self",))
    return manager.get(pk=dossier.pk)


def _dossier_url(dossier: Dossier) -> str:
    try:
        return reverse("nominations:dossier_detail", args=[dossier.pk])
    except NoReverseMatch:
        return ""


def assign_dossier(dossier: Dossier, officer, *, actor, reason: str = "", notify_officer: bool = True) -> Dossier:
    """Make ``officer`` (an active board officer) the officer handling ``dossier`` (its ``assignee``).

    Checks (:func:`assignment_refusal`): the dossier is the board's (the provincial Chairman's) and between
    submission and decision; the actor sees it; the board's head may assign and reassign it to anyone, an officer
    may only take it for themselves while nobody handles it. Assigning it to its current officer changes nothing.

    Side effects (in one transaction, the dossier's row locked): ``Dossier.assignee``; one audit event
    ``nominations.dossier.assign`` (from, to, reason); a notification to the officer unless they assigned it to
    themselves (or ``notify_officer`` is false: a bulk assignment tells them once). Raises ``TransitionRefused``
    or ``TransitionForbidden``.
    """
    reason = (reason or "").strip()[:500]
    if officer is None or getattr(officer, "role", None) != Role.BOARD_OFFICER or not officer.is_active:
        raise TransitionRefused(
            _("Chỉ phân công hồ sơ cho chuyên viên Ban Thi đua - Khen thưởng đang làm việc; “%(o)s” không phải.")
            % {"o": officer or "—"}
        )
    with transaction.atomic():
        locked = _locked(dossier)
        if not _is_system(actor) and not can_see(actor, locked):
            raise TransitionForbidden(_("Bạn không có quyền xem hồ sơ “%(d)s”.") % {"d": locked})
        refusal = _state_refusal(locked)
        if refusal is not None:
            raise TransitionRefused(refusal)
        refusal = _permission_refusal(actor, locked, officer)
        if refusal is not None:
            raise TransitionForbidden(refusal)
        if locked.assignee_id == officer.pk:
            dossier.assignee = officer
            return locked
        previous = locked.assignee
        Dossier.objects.filter(pk=locked.pk).update(assignee=officer)
        locked.assignee = officer
        event = audit.record(
            actor=actor,
            action="nominations.dossier.assign",
            obj=locked,
            payload={
                "from": previous.get_username() if previous else None,
                "to": officer.get_username(),
                "reason": reason,
            },
        )
        if notify_officer and getattr(actor, "pk", None) != officer.pk:
            notify(
                [officer],
                key=f"dossier-assigned:{locked.pk}:{event.sequence}",
                title=_("Bạn được giao thụ lý hồ sơ “%(d)s”") % {"d": locked},
                body=_("Hồ sơ “%(d)s” của %(u)s (phong trào “%(c)s”).")
                % {"d": locked, "u": locked.unit, "c": locked.campaign}
                + (" " + _("Ghi chú: %(r)s") % {"r": reason} if reason else ""),
                url=_dossier_url(locked),
                target=locked,
            )
    dossier.assignee = officer
    return locked


def take_on_receipt(dossier: Dossier, actor) -> bool:
    """A board officer who receives a dossier of the board that nobody handles yet becomes its officer.

    Called by ``receive_dossier`` (nominations/services/dossiers.py) for the record the door just received, inside
    or after the door's transaction. Does nothing (returns False) for the system actor, anyone but an active board
    officer, a dossier not decided by the province, or one that already has an officer. Otherwise sets
    ``assignee`` (a conditional update: a concurrent assignment wins) and appends the audit event
    ``nominations.dossier.assign`` (``on_receipt``); returns True.
    """
    if _is_system(actor) or _role(actor) != Role.BOARD_OFFICER or dossier.assignee_id is not None:
        return False
    if not decided_by_province(dossier):
        return False
    with transaction.atomic():
        if not Dossier.objects.filter(pk=dossier.pk, assignee__isnull=True).update(assignee=actor):
            return False
        audit.record(
            actor=actor,
            action="nominations.dossier.assign",
            obj=dossier,
            payload={"from": None, "to": actor.get_username(), "on_receipt": True},
        )
    dossier.assignee = actor
    return True


# --- Bulk actions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    pk: int
    title: str
    reason: str


@dataclass
class BulkResult:
    """What a bulk action did: dossiers done, left as they were (already so), and refused (with the reason)."""

    action: str
    total: int = 0
    done: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    content: bytes | None = None  # the XLSX of an export

    @property
    def refused_count(self) -> int:
        return len(self.refused)

    def summary(self, *, shown: int = 5) -> str:
        return summary_text(self.action, self.done, self.unchanged, self.refused_count, self.refused[:shown])


def summary_text(action: str, done: int, unchanged: int, refused_count: int, refusals: Iterable) -> str:
    """ "Đã tiếp nhận 998 hồ sơ, không thực hiện 2: …" (``refusals``: the first few, as :class:`Refusal` or
    ``[pk, title, reason]``)."""
    if action == RECEIVE:
        text = _("Đã tiếp nhận %(n)s hồ sơ") % {"n": done}
    elif action == ASSIGN:
        text = _("Đã phân công %(n)s hồ sơ") % {"n": done}
        if unchanged:
            text += ", " + _("%(n)s hồ sơ đã do cán bộ này thụ lý từ trước") % {"n": unchanged}
    else:
        text = _("Đã xuất %(n)s hồ sơ") % {"n": done}
    if not refused_count:
        return text + "."
    reasons = [r.reason if isinstance(r, Refusal) else r[2] for r in refusals]
    text += ", " + _("không thực hiện %(n)s: %(reasons)s") % {"n": refused_count, "reasons": " ".join(reasons)}
    if refused_count > len(reasons):
        text += " " + _("(và %(n)s hồ sơ khác)") % {"n": refused_count - len(reasons)}
    return text


def _reason(exc: Exception) -> str:
    if isinstance(exc, TransitionRefused):
        return str(exc)
    if isinstance(exc, ConflictError):
        return exc.message
    return str(exc) or _("Bạn không có quyền thực hiện thao tác này.")


def _officer(options: Mapping):
    officer = options.get("officer")
    if officer is None or isinstance(officer, User):
        return officer
    return User.objects.filter(pk=_int(str(officer))).first()


def bulk_apply(action: str, filters, *, actor, progress: Progress | None = None, **options) -> BulkResult:
    """Apply ``action`` to every dossier ``actor`` sees that matches ``filters`` (:func:`filtered_dossiers`, run
    again now), oldest first, each in its own transaction:

    - ``receive``: ``receive_dossier`` through the door, where the actor may (the door checks state, conditions
      and permission); every refusal is kept with its reason and the rest is still done;
    - ``assign`` (options ``officer``: a user or pk, ``reason``): :func:`assign_dossier` on each; the officer is
      told once, at the end;
    - ``export``: the XLSX of the filtered list in ``result.content`` (nothing changes).

    ``progress(processed, total)`` is called as dossiers are processed (a background job's progress). Returns a
    :class:`BulkResult`.
    """
    if action not in dict(ACTION_CHOICES):
        raise ValueError(f"unknown bulk action {action!r}")
    today = timezone.localdate()
    queryset = filtered_dossiers(actor, filters, today=today)
    if action == EXPORT:
        rows = list(queryset.select_related("campaign", "unit", "assignee"))
        result = BulkResult(action, total=len(rows), done=len(rows))
        result.content = export_xlsx(rows, today=today)
        return result
    pks = sorted(queryset.values_list("pk", flat=True))
    result = BulkResult(action, total=len(pks))
    officer = _officer(options) if action == ASSIGN else None
    reason = str(options.get("reason") or "")
    if action == ASSIGN and (officer is None or officer.role != Role.BOARD_OFFICER or not officer.is_active):
        raise TransitionRefused(_("Hãy chọn chuyên viên Ban Thi đua - Khen thưởng được phân công."))
    processed = 0
    step = max(1, min(50, len(pks) // 100 or 1))
    for chunk in _chunks(pks):
        by_pk = Dossier.objects.select_related("campaign", "unit", "deciding_unit", "assignee").in_bulk(chunk)
        for pk in chunk:
            dossier = by_pk.get(pk)
            processed += 1
            if dossier is None:
                continue  # deleted meanwhile
            try:
                if action == RECEIVE:
                    dossier_services.receive_dossier(dossier, actor=actor)
                elif dossier.assignee_id == officer.pk:
                    result.unchanged += 1
                    continue
                else:
                    assign_dossier(dossier, officer, actor=actor, reason=reason, notify_officer=False)
            except (TransitionRefused, PermissionDenied, ConflictError) as exc:
                result.refused.append(Refusal(pk, dossier.title, _reason(exc)))
            else:
                result.done += 1
            finally:
                if progress is not None and (processed % step == 0 or processed == len(pks)):
                    progress(processed, len(pks))
    if action == ASSIGN and result.done and getattr(actor, "pk", None) != officer.pk:
        _tell_officer(officer, result.done, actor=actor)
    return result


def _tell_officer(officer, count: int, *, actor) -> None:
    try:
        url = reverse("nominations:dossier_list") + "?" + urlencode({"assignee": ASSIGNEE_ME})
    except NoReverseMatch:
        url = ""
    with transaction.atomic():
        notify(
            [officer],
            key=f"dossiers-assigned:{timezone.now():%Y%m%d%H%M%S%f}",
            title=_("Bạn được giao thụ lý %(n)s hồ sơ") % {"n": count},
            body=_("%(who)s đã phân công bạn thụ lý %(n)s hồ sơ đề nghị khen thưởng.") % {"who": actor, "n": count},
            url=url,
        )


# --- Background jobs -------------------------------------------------------------------------------------------


def start_bulk(action: str, filters, *, actor, **options) -> BulkResult | BulkJob:
    """Run ``action`` now when the filter matches at most :func:`background_threshold` dossiers (returns the
    :class:`BulkResult`); otherwise keep a :class:`BulkJob` and queue it as a django-q2 task after the current
    transaction commits (returns the job, ``queued``). An export always runs now (it changes nothing)."""
    filters = _as_filters(filters)
    if action == EXPORT:
        return bulk_apply(action, filters, actor=actor, **options)
    if action not in (RECEIVE, ASSIGN):
        raise ValueError(f"unknown bulk action {action!r}")
    total = filtered_dossiers(actor, filters).count()
    if total <= background_threshold():
        return bulk_apply(action, filters, actor=actor, **options)
    officer = options.get("officer")
    job = BulkJob.objects.create(
        action=action,
        filters=filters.as_params(),
        options={
            "officer": getattr(officer, "pk", officer),
            "reason": str(options.get("reason") or ""),
        },
        actor=None if _is_system(actor) else actor,
        total=total,
    )
    transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_id: int) -> None:
    from django_q.tasks import async_task

    from workflows.jobs import mark_queued

    mark_queued(BulkJob, job_id)
    async_task("nominations.tasks.run_bulk_job", job_id, task_name=f"bulk-dossiers-{job_id}")


def resume_stalled_jobs(now=None) -> int:
    """Queue again every bulk job still queued or running whose task was queued longer ago than the background
    task time limit allows (``workflows.jobs``): its worker died. A running job goes back to queued and runs over
    its filter again; the dossiers it already did are no longer in the filter or come out unchanged, so nothing is
    done twice. A job queued ``MAX_DELIVERIES`` times without finishing fails, and its author is told. Run every few
    minutes by the schedule ``thidua-resume-jobs``. Returns how many jobs were queued again."""
    from workflows import jobs

    count = 0
    unfinished = BulkJob.objects.filter(state__in=(BulkJob.State.QUEUED, BulkJob.State.RUNNING))
    for job in jobs.stalled(unfinished, now).select_related("actor").order_by("pk"):
        if jobs.exhausted(job):
            fail_job(
                job.pk,
                _(
                    "Tác vụ nền bị gián đoạn %(n)s lần (máy chủ khởi động lại hoặc thiếu bộ nhớ). Các hồ sơ đã xử lý "
                    "vẫn giữ kết quả; hãy lọc lại danh sách và chạy lại thao tác, hoặc báo quản trị hệ thống."
                )
                % {"n": job.deliveries},
            )
            if job.actor is not None:
                with transaction.atomic():
                    notify(
                        [job.actor],
                        key=f"bulk-job:{job.pk}:failed",
                        title=_("Bị lỗi: %(action)s") % {"action": job.get_action_display()},
                        body=BulkJob.objects.get(pk=job.pk).message,
                        url=job_url(job),
                    )
            continue
        if BulkJob.objects.filter(pk=job.pk, state__in=(BulkJob.State.QUEUED, BulkJob.State.RUNNING)).update(
            state=BulkJob.State.QUEUED
        ):
            _queue(job.pk)
            count += 1
    return count


def _job_progress(job_id: int) -> Progress:
    def report(done: int, total: int) -> None:
        BulkJob.objects.filter(pk=job_id).update(processed=done, total=total)

    return report


def run_job(job_id: int) -> BulkJob | None:
    """Run a queued :class:`BulkJob` (the django-q2 task): its progress is kept on the row as it goes, then the
    counts and the refusals (the first ``THIDUA_BULK_REFUSALS_KEPT``); the person who started it is told. A job
    already taken by another delivery of the task is left alone."""
    if not BulkJob.objects.filter(pk=job_id, state=BulkJob.State.QUEUED).update(
        state=BulkJob.State.RUNNING, started_at=timezone.now()
    ):
        return BulkJob.objects.filter(pk=job_id).first()
    job = BulkJob.objects.select_related("actor").get(pk=job_id)
    if job.actor is None:
        fail_job(job_id, _("Người thực hiện không còn tài khoản."))
        return BulkJob.objects.get(pk=job_id)

    with translation.override(settings.LANGUAGE_CODE):
        result = bulk_apply(job.action, job.filters, actor=job.actor, progress=_job_progress(job_id), **job.options)
        job.refresh_from_db()
        job.state = BulkJob.State.DONE
        job.total = result.total
        job.processed = result.total
        job.succeeded, job.unchanged, job.refused_count = result.done, result.unchanged, result.refused_count
        job.refusals = [[r.pk, r.title, r.reason] for r in result.refused[: refusals_kept()]]
        job.message = result.summary()
        job.finished_at = timezone.now()
        job.save()
        with transaction.atomic():
            notify(
                [job.actor],
                key=f"bulk-job:{job.pk}:done",
                title=_("Đã xong: %(action)s") % {"action": job.get_action_display()},
                body=job.message,
                url=job_url(job),
            )
    return job


def fail_job(job_id: int, message: str) -> None:
    BulkJob.objects.filter(pk=job_id).update(
        state=BulkJob.State.FAILED, message=message[:2000], finished_at=timezone.now()
    )


def job_url(job: BulkJob) -> str:
    try:
        return reverse("nominations:bulk_job", args=[job.pk])
    except NoReverseMatch:
        return ""


def visible_jobs(user) -> QuerySet:
    """The person who started a job sees it; the board's head sees every one."""
    jobs = BulkJob.objects.select_related("actor")
    if getattr(user, "is_superuser", False) or _role(user) == Role.BOARD_HEAD:
        return jobs
    return jobs.filter(actor_id=getattr(user, "pk", None))


def actions_for(user) -> list[tuple[str, str]]:
    """The bulk actions offered to ``user`` on the list (each dossier is still checked when it runs): export for
    everyone; receive for whoever receives dossiers (board officers, a deciding unit's clerks); assign for the
    board."""
    role = _role(user)
    offered = []
    for value, label in ACTION_CHOICES:
        if value == RECEIVE and role not in (Role.BOARD_OFFICER, Role.UNIT_CLERK):
            continue
        if value == ASSIGN and role not in BOARD_ROLES:
            continue
        offered.append((value, label))
    return offered


# --- Export ----------------------------------------------------------------------------------------------------


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def clock_text(clock) -> str:
    if clock is None or not clock.started:
        return ""
    if not clock.running:
        return _("dừng tính: đã dùng %(n)s/%(l)s ngày") % {"n": clock.used, "l": clock.limit}
    if clock.overdue:
        return _("quá hạn %(n)s ngày làm việc") % {"n": clock.late_by}
    return _("còn %(n)s ngày làm việc") % {"n": clock.remaining}


def export_xlsx(dossiers: list[Dossier], *, today: date | None = None) -> bytes:
    """The filtered list as one XLSX sheet (through ``workflows.exports.xlsx_bytes``): one row per dossier with
    its unit, campaign, award form, state, officer and appraisal clock. No personal data."""
    from workflows.exports import Styled, xlsx_bytes

    today = today or timezone.localdate()
    names = dict(
        # The newest rule set's name of each form comes last, and wins.
        AwardType.objects.filter(code__in={d.award_type_code for d in dossiers})
        .order_by("code", "rule_set__valid_from")
        .values_list("code", "name")
    )
    headers = [
        _("Mã hồ sơ"),
        _("Trích yếu"),
        _("Mã đơn vị"),
        _("Đơn vị đề nghị"),
        _("Phong trào"),
        _("Hình thức khen thưởng"),
        _("Trạng thái"),
        _("Cán bộ thụ lý"),
        _("Gửi lúc"),
        _("Tiếp nhận lúc"),
        _("Hạn thẩm định"),
        _("Thời hạn thẩm định"),
    ]
    moment = "dd/mm/yyyy hh:mm"

    def rows():
        yield [Styled(str(h), bold=True) for h in headers]
        for chunk in _chunks(dossiers):
            clocks = appraisal_clocks(chunk, today=today)
            for d in chunk:
                clock = clocks.get(d.pk)
                yield [
                    d.pk,
                    d.title,
                    Styled(d.unit.code, number_format="@"),
                    d.unit.name,
                    d.campaign.name,
                    names.get(d.award_type_code, d.award_type_code),
                    d.get_state_display(),
                    str(d.assignee) if d.assignee_id else "",
                    Styled(_local(d.submitted_at), number_format=moment),
                    Styled(_local(d.received_at), number_format=moment),
                    Styled(clock.due if clock and clock.due else None, number_format="dd/mm/yyyy"),
                    clock_text(clock),
                ]

    return xlsx_bytes(
        rows(), sheet_title=_("Hồ sơ đề nghị"), column_widths=[9, 50, 10, 32, 32, 28, 18, 24, 16, 16, 13, 26]
    )
