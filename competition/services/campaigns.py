"""Authoring and launching campaigns. Every change of state goes through the door."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import UNIT_ROLES
from workflows import audit, transition
from workflows.exceptions import TransitionRefused
from workflows.notifications import notify

from ..enums import CampaignState
from ..models import Campaign, Enrolment, Indicator, Membership, Unit
from .rulesets import award_form_problems, rule_set_in_force


def _ensure_draft(campaign: Campaign) -> None:
    if campaign.state != CampaignState.DRAFT:
        raise TransitionRefused(_("Phong trào “%(c)s” đã phát động: không sửa nội dung được nữa.") % {"c": campaign})


@transaction.atomic
def save_campaign(campaign: Campaign, *, actor, changed: Iterable[str] = ()) -> Campaign:
    """Create or update a draft campaign's content. Side effects: one audit event."""
    creating = campaign.pk is None
    if not creating:
        _ensure_draft(Campaign.objects.get(pk=campaign.pk))
    if creating and actor is not None and not getattr(actor, "is_system", False):
        campaign.created_by = actor
    campaign.save()
    audit.record(
        actor=actor,
        action="competition.campaign.create" if creating else "competition.campaign.edit",
        obj=campaign,
        payload={"fields": sorted(changed)} if changed else {},
    )
    return campaign


@transaction.atomic
def set_indicators(campaign: Campaign, rows: list[dict], *, actor) -> list[Indicator]:
    """Make ``rows`` (code, name, numerator_label, denominator_label, target_percent, parent_code, applies_to) the
    draft campaign's indicators, matched by code: an indicator kept keeps its identity (what refers to it, such as
    a scoring criterion, stays linked); one dropped is deleted, unless something still refers to it (then the
    whole change is refused, naming it). Side effects: one audit event."""
    from django.db.models import ProtectedError

    _ensure_draft(campaign)
    existing = {i.code: i for i in campaign.indicators.all()}
    wanted = [row["code"] for row in rows]
    by_code: dict[str, Indicator] = {}
    for order, row in enumerate(rows, start=1):
        indicator = existing.get(row["code"]) or Indicator(campaign=campaign, code=row["code"])
        indicator.name = row["name"]
        indicator.numerator_label = row.get("numerator_label", "")
        indicator.denominator_label = row.get("denominator_label", "")
        indicator.target_percent = row["target_percent"]
        indicator.applies_to = row.get("applies_to") or []
        indicator.parent = by_code.get(row.get("parent_code") or "")
        indicator.order = order
        indicator.save()
        by_code[indicator.code] = indicator
    for code, indicator in existing.items():
        if code in wanted:
            continue
        try:
            with transaction.atomic():
                indicator.delete()
        except ProtectedError:
            raise TransitionRefused(
                _("Chưa bỏ được chỉ tiêu %(c)s: bảng chấm điểm của phong trào đang dùng số liệu của chỉ tiêu này.")
                % {"c": code}
            ) from None
    audit.record(
        actor=actor,
        action="competition.campaign.indicators",
        obj=campaign,
        payload={"indicators": wanted},
    )
    return list(by_code.values())


@transaction.atomic
def set_participants(campaign: Campaign, units: Iterable[Unit], *, actor) -> int:
    """Make ``units`` the draft campaign's participants. Dissolved units are refused (domain rule 14)."""
    _ensure_draft(campaign)
    units = list(units)
    dissolved = [u for u in units if u.is_dissolved]
    if dissolved:
        raise TransitionRefused(
            _("Không thể chọn đơn vị đã giải thể, sáp nhập: %(units)s.")
            % {"units": ", ".join(f"{u.name} (→ {u.successor or '?'})" for u in dissolved)}
        )
    wanted = {u.pk for u in units}
    current = set(campaign.enrolments.values_list("unit_id", flat=True))
    campaign.enrolments.exclude(unit_id__in=wanted).delete()
    Enrolment.objects.bulk_create([Enrolment(campaign=campaign, unit_id=pk) for pk in wanted - current])
    audit.record(
        actor=actor,
        action="competition.campaign.participants",
        obj=campaign,
        payload={"added": len(wanted - current), "removed": len(current - wanted), "total": len(wanted)},
    )
    return len(wanted)


def launch_campaign(campaign: Campaign, *, actor, on: date | None = None, at: datetime | None = None) -> Campaign:
    """Launch a draft campaign (draft → launched) through the door.

    Pins the rule set in force on the launch date (``on``, default today) and checks the campaign's award forms
    against it (domain rule 2). Side effects: one audit event; a notification to every user of every participating
    unit, e-mailed after commit.
    """
    day = on or timezone.localdate()
    rule_set = rule_set_in_force(day)
    if rule_set is None:
        raise TransitionRefused(
            _("Không có bộ quy định nào có hiệu lực vào ngày %(d)s: hãy khai báo căn cứ pháp lý trước.")
            % {"d": day.strftime("%d/%m/%Y")}
        )
    problems = award_form_problems(
        rule_set, campaign.award_type_codes, duration_months=campaign.duration_months, thematic=campaign.is_thematic
    )
    if problems:
        raise TransitionRefused(_("Chưa thể phát động “%(c)s”:") % {"c": campaign}, reasons=problems)

    def notify_units(record: Campaign, event) -> None:
        users = [
            m.user
            for m in Membership.objects.select_related("user").filter(
                unit__enrolments__campaign=record, user__is_active=True, user__role__in=UNIT_ROLES
            )
        ]
        notify(
            users,
            key=f"campaign-launched:{record.pk}",
            title=_("Phát động phong trào: %(c)s") % {"c": record.name},
            body=_("Đơn vị của bạn tham gia phong trào “%(c)s”. Hạn ban hành kế hoạch: %(d)s.")
            % {"c": record.name, "d": record.plan_deadline.strftime("%d/%m/%Y") if record.plan_deadline else "—"},
            url=reverse("competition:campaign_detail", args=[record.pk]),
            target=record,
        )

    return transition(
        campaign,
        "launch",
        actor=actor,
        rule_set=rule_set,
        launched_at=at,
        after=notify_units,
        payload={"rule_set": rule_set.code, "launch_date": day.isoformat()},
    )
