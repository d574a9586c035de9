"""Unit plans (kế hoạch của đơn vị): drafting with the signed document, submission, acceptance or return.

The unit clerk starts the plan (:func:`start_plan`) and saves its number, date, document and adopted indicators
(:func:`save_plan_draft`) while it is a draft or returned → submits it (:func:`submit_plan`; a version is kept with
what changed since the previous submission; lateness against the campaign's plan deadline is stored at the first
submission) → a board officer accepts it (:func:`accept_plan`) or returns it with a reason (:func:`return_plan`).

Every change of state goes through the door (``workflows.transition``), which also completes the matching task of
the UnitPlan flow (competition/flows.py); every other change is audited here. Refusals raise ``TransitionRefused``
/ ``TransitionForbidden`` with a Vietnamese message and change nothing.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from workflows import audit, flowsync, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.notifications import notify
from workflows.uploads import zip_problem

from ..flows import UnitPlanFlow
from ..models import Campaign, PlanState, Unit, UnitPlan, UnitPlanVersion
from ..rules import PLAN_ISSUED, PLAN_OPEN_FOR_CHANGES, PLANNING_CAMPAIGN_STATES
from ..scoping import user_unit

PDF, DOCX = "pdf", "docx"
KIND_LABELS = {PDF: "PDF", DOCX: "DOCX"}


# --- Who is told ---------------------------------------------------------------------------------------------


def reviewers() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.BOARD_OFFICER))


def unit_people(plan: UnitPlan) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role__in=[Role.UNIT_CLERK, Role.UNIT_HEAD], membership__unit_id=plan.unit_id
        )
    )


def _url(plan: UnitPlan) -> str:
    try:
        return reverse("competition:plan_detail", args=[plan.pk])
    except NoReverseMatch:
        return ""


def _notify(users, *, event, key: str, title: str, body: str, plan: UnitPlan) -> None:
    notify(users, key=f"{key}:{plan.pk}:{event.sequence}", title=title, body=body, url=_url(plan), target=plan)


# --- Guards --------------------------------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def _locked(plan: UnitPlan) -> UnitPlan:
    manager = UnitPlan.objects.select_related("campaign", "unit")
    if connection.features.has_select_for_update:
        manager = manager.select_for_update(of=("self",))
    return manager.get(pk=plan.pk)


# --- The document: checked by its content, not its name ------------------------------------------------------


def _read(document, name: str) -> bytes:
    limit = settings.THIDUA_MAX_UPLOAD_BYTES
    size = getattr(document, "size", None)
    if size is not None and size > limit:
        raise TransitionRefused(_too_big(name, size, limit))
    if hasattr(document, "seek"):
        document.seek(0)
    content = document.read(limit + 1)
    if len(content) > limit:
        raise TransitionRefused(_too_big(name, len(content), limit))
    if not content:
        raise TransitionRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    return content


def _too_big(name: str, size: int, limit: int) -> str:
    return _("Tệp “%(name)s” quá lớn (%(size)s MB): tối đa %(limit)s MB.") % {
        "name": name,
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{limit / 1024 / 1024:.0f}",
    }


def document_kind(content: bytes) -> str | None:
    """``"pdf"`` or ``"docx"`` from the bytes themselves, or None: a PDF starts with ``%PDF-``; a DOCX is a zip
    archive holding ``word/document.xml``."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
    return None


def check_document(document) -> tuple[str, bytes, str]:
    """Read and check an uploaded plan document. Returns (file name, content, kind). Refuses, naming the file, one
    that is empty or too large (``THIDUA_MAX_UPLOAD_BYTES``), whose content is neither PDF nor DOCX whatever its
    name says, or whose name's extension contradicts its content."""
    name = PurePath(getattr(document, "name", "") or "ke-hoach").name
    content = _read(document, name)
    problem = zip_problem(content, name)
    if problem:
        raise TransitionRefused(problem)
    kind = document_kind(content)
    if kind is None:
        raise TransitionRefused(
            _("Tệp “%(name)s” không phải văn bản PDF hoặc Word (DOCX): nội dung tệp không đúng định dạng.")
            % {"name": name}
        )
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix != kind:
        raise TransitionRefused(
            _("Tệp “%(name)s” có đuôi “.%(suffix)s” nhưng nội dung là %(kind)s: hãy đặt lại tên tệp cho đúng.")
            % {"name": name, "suffix": suffix or "?", "kind": KIND_LABELS[kind]}
        )
    return name, content, kind


# --- Drafting ------------------------------------------------------------------------------------------------


def start_plan(campaign: Campaign, *, unit: Unit, actor) -> UnitPlan:
    """Start the plan of ``unit`` in ``campaign`` (a draft) and its UnitPlan flow (the ``submit`` task waits for the
    unit's clerks). Checks: the actor is a clerk of ``unit`` whose unit takes part in the launched campaign; the unit
    has no plan yet in this campaign. Side effects: one ``UnitPlan``; the flow's process and task; one audit event
    ``competition.unitplan.create``."""
    if not _is_system(actor):
        own = user_unit(actor)
        if own is None or own.pk != unit.pk or not actor.has_perm("competition.add_unitplan", campaign):
            raise TransitionForbidden(
                _("Chỉ cán bộ thi đua của “%(unit)s” được lập kế hoạch của đơn vị trong phong trào “%(c)s”.")
                % {"unit": unit, "c": campaign}
            )
    if campaign.state not in PLANNING_CAMPAIGN_STATES:
        raise TransitionRefused(
            _("Phong trào “%(c)s” đang ở trạng thái “%(s)s”: không nhận kế hoạch của đơn vị.")
            % {"c": campaign, "s": campaign.get_state_display()}
        )
    if not campaign.enrolments.filter(unit=unit).exists():
        raise TransitionRefused(
            _("Đơn vị “%(unit)s” không tham gia phong trào “%(c)s”.") % {"unit": unit, "c": campaign}
        )
    if UnitPlan.objects.filter(campaign=campaign, unit=unit).exists():
        raise TransitionRefused(
            _("“%(unit)s” đã có kế hoạch trong phong trào “%(c)s”.") % {"unit": unit, "c": campaign}
        )
    with transaction.atomic():
        plan = UnitPlan.objects.create(campaign=campaign, unit=unit, created_by=None if _is_system(actor) else actor)
        audit.record(
            actor=actor,
            action="competition.unitplan.create",
            obj=plan,
            to_state=plan.state,
            payload={"field": "state", "campaign": campaign.code, "unit": unit.code},
        )
        flowsync.start_process(UnitPlanFlow, plan, actor)
    return plan


def _clean_codes(plan: UnitPlan, adopted_codes) -> list[str]:
    codes = [str(c).strip() for c in (adopted_codes or []) if str(c).strip()]
    known = list(plan.campaign.indicators.values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise TransitionRefused(
            _("Chỉ tiêu “%(codes)s” không thuộc phong trào “%(c)s”.")
            % {"codes": ", ".join(unknown), "c": plan.campaign}
        )
    chosen = set(codes)
    return [c for c in known if c in chosen]  # the campaign's order, no repeats


def save_plan_draft(
    plan: UnitPlan, *, actor, number: str, date: date | None, document=None, adopted_codes=()
) -> UnitPlan:
    """Save the plan's number, date, adopted indicator codes and, when given, a new document, while the plan is a
    draft or returned. The document is checked by its content (:func:`check_document`) and stored under
    ``plans/``; its name, size and SHA-256 are kept. Side effects: the plan's fields (and the file); one audit
    event ``competition.unitplan.save`` with what was saved (the file's name and hash, not its content)."""
    number = " ".join((number or "").split())
    if not _is_system(actor) and not actor.has_perm("competition.change_unitplan", plan):
        raise TransitionForbidden(
            _("Chỉ cán bộ thi đua của “%(unit)s” được sửa kế hoạch khi đang soạn hoặc bị trả lại.")
            % {"unit": plan.unit}
        )
    checked = check_document(document) if document else None
    with transaction.atomic():
        fresh = _locked(plan)
        if fresh.state not in PLAN_OPEN_FOR_CHANGES:
            raise TransitionRefused(
                _("Kế hoạch đang ở trạng thái “%(s)s”: chỉ sửa được khi đang soạn hoặc bị trả lại.")
                % {"s": fresh.get_state_display()}
            )
        fresh.number = number
        fresh.date = date
        fresh.adopted_codes = _clean_codes(fresh, adopted_codes)
        fields = ["number", "date", "adopted_codes"]
        if checked is not None:
            name, content, _kind = checked
            fresh.document.save(name, ContentFile(content), save=False)
            fresh.document_name = name
            fresh.document_size = len(content)
            fresh.document_sha256 = hashlib.sha256(content).hexdigest()
            fields += ["document", "document_name", "document_size", "document_sha256"]
        fresh.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="competition.unitplan.save",
            obj=fresh,
            payload={
                "number": fresh.number,
                "date": fresh.date.isoformat() if fresh.date else "",
                "adopted_codes": fresh.adopted_codes,
                "file_name": fresh.document_name,
                "sha256": fresh.document_sha256,
            },
        )
    _copy(fresh, plan)
    return plan


def _copy(source: UnitPlan, target: UnitPlan) -> None:
    if source is target:
        return
    for f in source._meta.concrete_fields:
        if f.attname != "state":
            setattr(target, f.attname, getattr(source, f.attname))
    target.__dict__["state"] = source.state
    target._update_initial_state()


# --- Versions ------------------------------------------------------------------------------------------------


def describe_changes(previous: UnitPlanVersion | None, plan: UnitPlan) -> str:
    """What changed from the previous submission, one sentence a line, in Vietnamese."""
    if previous is None:
        return _("Gửi lần đầu.")
    lines = []
    if previous.number != plan.number:
        lines.append(_("Số kế hoạch: %(a)s → %(b)s.") % {"a": previous.number, "b": plan.number})
    if previous.date != plan.date:
        lines.append(
            _("Ngày ban hành: %(a)s → %(b)s.")
            % {"a": previous.date.strftime("%d/%m/%Y"), "b": plan.date.strftime("%d/%m/%Y")}
        )
    if previous.sha256 != plan.document_sha256:
        if previous.file_name == plan.document_name:
            lines.append(_("Thay nội dung tệp “%(name)s”.") % {"name": plan.document_name})
        else:
            lines.append(_("Thay tệp: %(a)s → %(b)s.") % {"a": previous.file_name, "b": plan.document_name})
    before, after = set(previous.adopted_codes or []), set(plan.adopted_codes or [])
    added = [c for c in plan.adopted_codes if c not in before]
    removed = [c for c in previous.adopted_codes if c not in after]
    if added:
        lines.append(_("Thêm chỉ tiêu: %(codes)s.") % {"codes": ", ".join(added)})
    if removed:
        lines.append(_("Bỏ chỉ tiêu: %(codes)s.") % {"codes": ", ".join(removed)})
    return "\n".join(lines) or _("Không thay đổi so với lần gửi trước.")


# --- Through the door ----------------------------------------------------------------------------------------


def submit_plan(plan: UnitPlan, *, actor, at: datetime | None = None) -> UnitPlan:
    """The unit clerk submits the plan (draft or returned → submitted) through the door. A version is kept (number,
    date, file name and hash, adopted codes, what changed since the previous one); the plan is marked late when its
    first submission comes after the campaign's plan deadline. Side effects: the door's transition, audit event
    (with the version and its changes) and task completion (the flow moves to ``review``); the version row; a
    notification to the board officers."""
    at = at or timezone.now()
    local_at = timezone.localtime(at) if timezone.is_aware(at) else at

    def keep_version(record: UnitPlan, event) -> None:
        previous = record.versions.order_by("-version").first()
        deadline = record.campaign.plan_deadline
        UnitPlanVersion.objects.create(
            plan=record,
            version=(previous.version + 1) if previous else 1,
            number=record.number,
            date=record.date,
            document=record.document.name,
            file_name=record.document_name,
            sha256=record.document_sha256,
            adopted_codes=list(record.adopted_codes or []),
            changes=describe_changes(previous, record),
            late=bool(deadline and local_at.date() > deadline),
            submitted_at=at,
            submitted_by=None if _is_system(actor) else actor,
        )
        _notify(
            reviewers(),
            event=event,
            key="plan-submitted",
            title=_("Kế hoạch chờ xem xét: %(unit)s") % {"unit": record.unit},
            body=_("%(unit)s đã gửi kế hoạch số %(n)s (phong trào “%(c)s”).")
            % {"unit": record.unit, "n": record.number, "c": record.campaign},
            plan=record,
        )

    payload = {"file_name": plan.document_name, "sha256": plan.document_sha256}
    return transition(plan, "submit", actor=actor, at=local_at, payload=payload, after=keep_version)


def accept_plan(plan: UnitPlan, *, actor, at: datetime | None = None) -> UnitPlan:
    """A board officer accepts the submitted plan (submitted → accepted) through the door; the flow ends.
    Side effects: the door's transition, audit event and task completion; a notification to the unit."""

    def tell_unit(record: UnitPlan, event) -> None:
        _notify(
            unit_people(record),
            event=event,
            key="plan-accepted",
            title=_("Kế hoạch đã được chấp nhận: %(c)s") % {"c": record.campaign},
            body=_("Kế hoạch số %(n)s của %(unit)s đã được chấp nhận.") % {"n": record.number, "unit": record.unit},
            plan=record,
        )

    return transition(plan, "accept", actor=actor, at=at or timezone.now(), after=tell_unit)


def return_plan(plan: UnitPlan, *, actor, reason: str) -> UnitPlan:
    """A board officer returns the submitted plan (submitted → returned) with a reason, which is required; the flow
    goes back to ``submit``. Side effects: the door's transition (the reason on the plan and in the audit event)
    and task completion; a notification with the reason to the unit's clerks and head."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Hãy ghi lý do trả lại và nội dung đơn vị cần hoàn thiện."))

    def tell_unit(record: UnitPlan, event) -> None:
        _notify(
            unit_people(record),
            event=event,
            key="plan-returned",
            title=_("Kế hoạch bị trả lại: %(c)s") % {"c": record.campaign},
            body=_("Lý do, nội dung cần hoàn thiện: %(r)s") % {"r": reason},
            plan=record,
        )

    return transition(plan, "send_back", actor=actor, reason=reason, after=tell_unit)


# --- The board's table ---------------------------------------------------------------------------------------


def plan_status(campaign: Campaign, enrolments) -> list[dict]:
    """One row per enrolled unit (``enrolments``, already scoped): its plan, or None when missing. Two queries."""
    plans = {p.unit_id: p for p in UnitPlan.objects.filter(campaign=campaign)}
    return [{"unit": e.unit, "plan": plans.get(e.unit_id)} for e in enrolments]


def plan_summary(rows: list[dict]) -> dict:
    """Counts of :func:`plan_status` rows: per state (and ``missing``), late ones, issued ones (``PLAN_ISSUED``)
    and the issue rate in percent (to 0.1), against the target of 100%."""
    from ..models.progress import percent_of

    counts = dict.fromkeys(PlanState.values, 0)
    counts["missing"] = 0
    late = 0
    for row in rows:
        plan = row["plan"]
        counts[plan.state if plan else "missing"] += 1
        late += bool(plan and plan.late)
    issued = sum(counts[state] for state in PLAN_ISSUED)
    return {
        "counts": counts,
        "late": late,
        "total": len(rows),
        "issued": issued,
        "rate": percent_of(issued, len(rows)),
    }


def plan_status_xlsx(campaign: Campaign, rows: list[dict]) -> bytes:
    """The plan-status table as XLSX (through the one export helper): the totals, each cluster, then each unit
    with its plan's state, number and date, submission time and lateness. No side effects."""
    from workflows.exports import Styled, xlsx_bytes

    from ..models import Cluster

    def pct(value):
        return float(value) if value is not None else None

    summary = plan_summary(rows)
    states = dict(PlanState.choices)
    header = [_("Phạm vi"), _("Đã ban hành, gửi"), _("Tổng số đơn vị"), _("Tỷ lệ (%)"), _("Mục tiêu (%)")]
    out: list[list] = [
        [Styled(_("Tình hình ban hành kế hoạch — %(c)s") % {"c": campaign.name}, bold=True)],
        [_("Hạn ban hành"), campaign.plan_deadline.strftime("%d/%m/%Y") if campaign.plan_deadline else ""],
        [],
        [Styled(h, bold=True) for h in header],
        [_("Toàn bộ"), summary["issued"], summary["total"], pct(summary["rate"]), 100],
    ]
    unit_ids = [row["unit"].pk for row in rows]
    memberships: dict[int, list[str]] = {}
    for cluster_name, unit_id in Cluster.units.through.objects.filter(unit_id__in=unit_ids).values_list(
        "cluster__name", "unit_id"
    ):
        memberships.setdefault(unit_id, []).append(cluster_name)
    by_cluster: dict[str, list[dict]] = {}
    for row in rows:
        for name in memberships.get(row["unit"].pk, []):
            by_cluster.setdefault(name, []).append(row)
    for name in sorted(by_cluster):
        part = plan_summary(by_cluster[name])
        out.append([name, part["issued"], part["total"], pct(part["rate"]), 100])
    out += [
        [],
        [
            Styled(h, bold=True)
            for h in (
                _("Mã đơn vị"),
                _("Đơn vị"),
                _("Cụm, khối"),
                _("Trạng thái"),
                _("Số, ký hiệu"),
                _("Ngày ban hành"),
                _("Gửi lúc"),
                _("Quá hạn"),
            )
        ],
    ]
    for row in rows:
        unit, plan = row["unit"], row["plan"]
        out.append(
            [
                unit.code,
                unit.name,
                ", ".join(memberships.get(unit.pk, [])),
                str(states[plan.state]) if plan else _("Chưa có"),
                plan.number if plan else "",
                plan.date.strftime("%d/%m/%Y") if plan and plan.date else "",
                timezone.localtime(plan.submitted_at).strftime("%d/%m/%Y %H:%M") if plan and plan.submitted_at else "",
                _("Có") if plan and plan.late else "",
            ]
        )
    return xlsx_bytes(out, sheet_title=_("Kế hoạch"), column_widths=[14, 40, 30, 18, 18, 14, 18, 10])


STATUS_ORDER = (PlanState.SUBMITTED, PlanState.RETURNED, PlanState.DRAFT, PlanState.ACCEPTED)


# --- The inbox -----------------------------------------------------------------------------------------------


def inbox_items(user) -> list:
    """Plans waiting for ``user`` (registered with ``workflows.inbox``): for a board officer the plans to review,
    for a unit clerk the plans returned to (or still drafted by) the unit. Read from viewflow's open tasks, narrowed
    by the scoping function and each task's own permission (the one the door checks). Two queries."""
    from viewflow.workflow import STATUS
    from viewflow.workflow.models import Task

    from workflows.inbox import InboxItem

    from ..scoping import scope

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    visible = scope(user, UnitPlan.objects.all()).values("pk")
    tasks = (
        Task.objects.filter(
            process__flow_class=UnitPlanFlow,
            flow_task_type="HUMAN",
            status__in=(STATUS.NEW, STATUS.ASSIGNED),
            process__unitplanprocess__plan__in=visible,
        )
        .select_related("process__unitplanprocess__plan__campaign", "process__unitplanprocess__plan__unit")
        .defer(*Campaign.deferred_texts("process__unitplanprocess__plan__campaign__"))
        .order_by("created", "pk")
    )
    rows = []
    for task in tasks:
        plan = task.process.unitplanprocess.plan
        if task.owner_id is not None and task.owner_id != user.pk:
            continue
        if task.owner_permission and not user.has_perm(task.owner_permission, plan):
            continue
        step = str(task.flow_task.task_title)
        if plan.state == PlanState.RETURNED:
            step = _("Hoàn thiện kế hoạch bị trả lại")
        rows.append(
            InboxItem(title=str(plan), step=step, url=_url(plan), since=task.created, detail=str(plan.campaign))
        )
    rows.extend(_plans_to_start(user))
    return rows


def _plans_to_start(user) -> list:
    """For a unit clerk: each running campaign the unit takes part in and has no plan for yet (the plan and its
    flow start when the clerk first saves it, so launching a campaign for 3,321 units stays instant). One query."""
    from workflows.inbox import InboxItem

    unit = user_unit(user) if getattr(user, "role", None) == Role.UNIT_CLERK else None
    if unit is None:
        return []
    campaigns = (
        Campaign.objects.filter(enrolments__unit=unit, state__in=PLANNING_CAMPAIGN_STATES)
        .exclude(unit_plans__unit=unit)
        .order_by("launched_at", "pk")
    )
    return [
        InboxItem(
            title=str(campaign),
            step=_("Lập và gửi kế hoạch của đơn vị"),
            url=reverse("competition:plan_mine", args=[campaign.pk]),
            since=campaign.launched_at,
            detail=_("Hạn: %(d)s") % {"d": campaign.plan_deadline.strftime("%d/%m/%Y")}
            if campaign.plan_deadline
            else "",
        )
        for campaign in campaigns
    ]
