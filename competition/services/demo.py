"""The demo data set: Thái Nguyên's units, one user per role, and the "Bình dân học AI" campaign in progress."""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from datetime import date, datetime, time, timedelta

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from workflows import SYSTEM, audit

from ..data import demo
from ..enums import ClusterKind, UnitKind
from ..models import Campaign, Cluster, Membership, Unit
from .campaigns import launch_campaign, save_campaign, set_indicators, set_participants


def thai_nguyen_wards() -> list[tuple[str, str, str]]:
    """(code, name, kind) of the province's current communes and wards, from the ``vietnam-provinces`` package."""
    from vietnam_provinces import ProvinceCode, Ward

    rows = []
    for ward in Ward.iter_by_province(ProvinceCode.P_19):
        kind = UnitKind.WARD if ward.division_type.value == "phường" else UnitKind.COMMUNE
        rows.append((f"{ward.code.value:05d}", ward.name, kind))
    return sorted(rows)


def _slug(name: str) -> str:
    """ "Phường Phan Đình Phùng" → "phandinhphung" (for demo usernames)."""
    words = name.split()[1:]
    text = "".join(words).replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if c.isascii() and c.isalnum()).lower()


def _ensure_unit(code: str, name: str, kind: str, parent: Unit | None) -> tuple[Unit, bool]:
    unit = Unit.objects.filter(code=code).first()
    if unit:
        return unit, False
    unit = Unit(code=code, name=name, kind=kind, parent=parent)
    unit.path = unit.compute_path()
    unit.save()
    return unit, True


def _ensure_user(username: str, full_name: str, role: str, unit: Unit, position: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user:
        return user, False
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        position=position,
        email=f"{username}@demo.thainguyen.gov.vn",
    )
    user.set_password(demo.DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, unit=unit)
    return user, True


@transaction.atomic
def seed_units() -> dict[str, int]:
    """The province, its departments and organisations, its 92 communes and wards, and the demo clusters."""
    created = 0
    province, new = _ensure_unit(demo.PROVINCE["code"], demo.PROVINCE["name"], UnitKind.PROVINCE, None)
    created += new
    for code, name, kind in demo.DEPARTMENTS:
        created += _ensure_unit(code, name, kind, province)[1]
    for code, name, parent_code in demo.BODIES:
        created += _ensure_unit(code, name, UnitKind.BODY, Unit.objects.get(code=parent_code))[1]
    wards = thai_nguyen_wards()
    for code, name, kind in wards:
        created += _ensure_unit(code, name, kind, province)[1]
    for code, name, dissolved_on, successor_code in demo.DISSOLVED:
        unit, new = _ensure_unit(code, name, UnitKind.ORGANISATION, province)
        if new:
            unit.dissolved_on, unit.successor = dissolved_on, Unit.objects.get(code=successor_code)
            unit.save(update_fields=["dissolved_on", "successor"])
        created += new
    _seed_clusters(wards)
    if created:
        audit.record(actor=SYSTEM, action="competition.unit.seed_demo", payload={"created": created})
    return {"created": created, "localities": len(wards)}


def _seed_clusters(wards: list[tuple[str, str, str]]) -> None:
    def cluster(code: str, name: str, kind: str, codes: list[str]) -> None:
        obj, created = Cluster.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        if created:
            obj.units.set(Unit.objects.filter(code__in=codes))

    cluster(*demo.BLOC_DEPARTMENTS, ClusterKind.BLOC, [c for c, _n, k in demo.DEPARTMENTS if k == UnitKind.DEPARTMENT])
    cluster(*demo.CLUSTER_WARDS, ClusterKind.CLUSTER, [c for c, _n, k in wards if k == UnitKind.WARD])
    communes = [c for c, _n, k in wards if k == UnitKind.COMMUNE]
    size = -(-len(communes) // demo.COMMUNE_CLUSTERS)
    for i in range(demo.COMMUNE_CLUSTERS):
        roman = ["I", "II", "III", "IV", "V", "VI"][i]
        cluster(
            f"CUM-XA-{i + 1}",
            f"Cụm thi đua các xã số {roman}",
            ClusterKind.CLUSTER,
            communes[i * size : (i + 1) * size],
        )


@transaction.atomic
def seed_users() -> list[tuple[str, str, str]]:
    """One demo user per role, plus a clerk and a head for a few localities. Returns (username, role, unit)."""
    rows = []
    for username, full_name, role, unit_code, position in demo.PROVINCIAL_USERS:
        user, _new = _ensure_user(username, full_name, role, Unit.objects.get(code=unit_code), position)
        rows.append((user.username, user.get_role_display(), user.membership.unit.name))
    localities = list(Unit.objects.filter(code__in=demo.DEMO_LOCALITIES))
    localities += list(Unit.objects.filter(kind=UnitKind.COMMUNE).order_by("code")[: demo.DEMO_LOCALITY_COMMUNES])
    for unit in localities:
        slug = _slug(unit.name)
        for prefix, role, title, name in (
            ("vanthu", "unit_clerk", "Công chức Văn phòng - Thống kê", "Nguyễn Thị Ngọc"),
            ("truong", "unit_head", "Chủ tịch Ủy ban nhân dân", "Đinh Văn Tùng"),
        ):
            user, _new = _ensure_user(f"{prefix}.{slug}", f"{name} ({unit.name})", role, unit, title)
            rows.append((user.username, user.get_role_display(), unit.name))
    return rows


def shifted(day: date | None, offset: timedelta) -> date | None:
    return day + offset if day else None


def seed_campaign(as_of: date) -> tuple[Campaign, bool]:
    """The QĐ 987 campaign, with every date shifted so that it was launched ``DAYS_IN_PROGRESS`` days before
    ``as_of``; launched through the door by the demo board officer (which pins the rule set in force then)."""
    existing = Campaign.objects.filter(code=demo.CAMPAIGN["code"]).first()
    if existing:
        return existing, False
    officer = User.objects.get(username="canbo.snv")
    offset = (as_of - timedelta(days=demo.DAYS_IN_PROGRESS)) - demo.CAMPAIGN["start_date"]
    data = dict(demo.CAMPAIGN)
    for key, value in data.items():
        if isinstance(value, date):
            data[key] = shifted(value, offset)
    with transaction.atomic():
        campaign = save_campaign(Campaign(**data), actor=officer)
        set_indicators(campaign, demo.INDICATORS, actor=officer)
        participants = Unit.objects.filter(
            dissolved_on__isnull=True,
            kind__in=[UnitKind.COMMUNE, UnitKind.WARD, UnitKind.DEPARTMENT, UnitKind.ORGANISATION],
        )
        set_participants(campaign, participants, actor=officer)
    launch_day = campaign.start_date
    launched_at = timezone.make_aware(datetime.combine(launch_day, time(8, 0)))
    launch_campaign(campaign, actor=officer, on=launch_day, at=launched_at)
    campaign.refresh_from_db()
    return campaign, True


def seed_demo(as_of: date | None = None) -> dict:
    """Everything the demo needs; safe to run again (existing rows are left as they are)."""
    as_of = as_of or timezone.localdate()
    call_command("seed_rules", verbosity=0)
    units = seed_units()
    users = seed_users()
    campaign, created = seed_campaign(as_of)
    result = {"units": units, "users": users, "campaign": campaign, "campaign_created": created, "as_of": as_of}
    if created:  # plans, progress and the review come with the campaign; a second run leaves them as they are
        result["plans"] = seed_plans(campaign, as_of)
        result["progress"] = seed_progress(campaign, as_of)
        result["review"] = seed_review(campaign, as_of)
    return result


# --- Plans, progress and the interim review ---------------------------------------------------------------------

DEMO_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _local(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_plans(campaign: Campaign, as_of: date) -> dict[str, int]:
    """Every participating unit's plan at a step of the UnitPlan flow, through the services (as the system): most
    accepted, some late, some waiting for the board, a few drafting or not started; the demo users' units as
    ``DEMO_PLAN_STATES`` says (the other demo units have not started theirs, so their clerks see it in the inbox)."""
    from django.core.files.base import ContentFile

    from . import plans as plan_services

    demo_units = set(
        Membership.objects.filter(user__username__startswith="vanthu.").values_list("unit__code", flat=True)
    )
    units = list(campaign.units.order_by("code"))
    counts: dict[str, int] = {}
    deadline = campaign.plan_deadline or (campaign.start_date + timedelta(days=30))
    for index, unit in enumerate(units):
        if unit.code in demo.DEMO_PLAN_STATES:
            target = demo.DEMO_PLAN_STATES[unit.code]
        elif unit.code in demo_units:
            target = None
        else:
            target = demo.DEMO_PLAN_CYCLE[index % len(demo.DEMO_PLAN_CYCLE)]
        counts[str(target)] = counts.get(str(target), 0) + 1
        if target is None:
            continue
        plan = plan_services.start_plan(campaign, unit=unit, actor=SYSTEM)
        issued = campaign.start_date + timedelta(days=5 + index % 20)
        plan_services.save_plan_draft(
            plan,
            actor=SYSTEM,
            number=f"{index + 1:02d}/KH-{unit.code}",
            date=issued,
            document=ContentFile(DEMO_PDF, name=f"ke-hoach-{_slug('x ' + unit.name) or unit.code}.pdf"),
            adopted_codes=[i.code for i in campaign.indicators.all()],
        )
        if target == "draft":
            continue
        submitted = deadline + timedelta(days=3 + index % 5) if target == "late" else issued + timedelta(days=1)
        plan = plan_services.submit_plan(plan, actor=SYSTEM, at=_local(min(submitted, as_of)))
        if target == "returned":
            plan_services.return_plan(plan, actor=SYSTEM, reason=demo.DEMO_PLAN_RETURN_REASON)
        elif target in ("accepted", "late"):
            plan_services.accept_plan(plan, actor=SYSTEM, at=_local(min(submitted + timedelta(days=2), as_of), 15))
    return counts


def _quarters(start: date, as_of: date, last: date) -> list[tuple[str, date, date]]:
    """The calendar quarters from ``start`` that have begun by ``as_of``, clipped to ``start`` and ``last`` (the
    campaign's dates): (label, start, end)."""
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
    rows, day = [], start
    while day <= as_of:
        quarter = (day.month - 1) // 3 + 1
        end_month = quarter * 3
        end = (date(day.year + (end_month == 12), end_month % 12 + 1, 1)) - timedelta(days=1)
        rows.append((f"Quý {roman[quarter]}/{day.year}", day, min(end, last)))
        day = end + timedelta(days=1)
    return rows


def _demo_values(unit: Unit, indicators, step: int, plan_in: bool) -> dict[str, tuple[int, int]]:
    """Plausible values of one unit at the ``step``-th period (growing over the periods), the same on every run."""
    rng = random.Random(f"{unit.code}:{step}")
    base = random.Random(unit.code)  # sizes that do not change between periods
    staff = base.randint(25, 120) if unit.kind in (UnitKind.COMMUNE, UnitKind.WARD) else base.randint(60, 400)
    owners = base.randint(40, 600)
    workers = base.randint(4_000, 25_000)

    def part(total: int, share: float) -> int:
        return max(0, min(total, round(total * min(share + rng.uniform(-0.08, 0.08), 1.0))))

    values: dict[str, tuple[int, int]] = {"1": (1 if plan_in else 0, 1)}
    values["2"] = (1 if rng.random() < 0.55 + 0.3 * step else 0, 1)
    trained = part(staff, 0.35 + 0.3 * step)
    values["3"] = (trained, staff)
    values["3.1"] = (part(trained, 0.35 + 0.15 * step), trained)
    learned = part(owners, 0.2 + 0.25 * step)
    values["4"] = (learned, owners)
    values["4.1"] = (part(learned, 0.3 + 0.1 * step), learned)
    joined = part(workers, 0.2 + 0.3 * step)
    values["5"] = (joined, workers)
    values["5.1"] = (part(joined, 0.4 + 0.1 * step), joined)
    values["6"] = (1 if rng.random() < 0.35 + 0.3 * step else 0, 1)
    codes = {i.code for i in indicators}
    return {code: value for code, value in values.items() if code in codes}


def seed_progress(campaign: Campaign, as_of: date) -> dict[str, int]:
    """One reporting period per calendar quarter begun by ``as_of``, each imported by the board officer from a
    file through the import path (so the demo shows the imports too). Periods already due: nearly every unit
    reported; the current one: about half."""
    from django.core.files.base import ContentFile

    from .indicator_import import confirm_import, start_import
    from .progress import applies_to_unit, create_period

    officer = User.objects.get(username="canbo.snv")
    indicators = list(campaign.indicators.all())
    plans_in = set(campaign.unit_plans.filter(state__in=["submitted", "accepted"]).values_list("unit_id", flat=True))
    units = list(campaign.units.order_by("code"))
    result = {"periods": 0, "values": 0}
    for step, (label, start, end) in enumerate(_quarters(campaign.start_date, as_of, campaign.end_date)):
        period = create_period(
            campaign, label=label, start=start, end=end, due=end + timedelta(days=10), actor=officer
        )
        result["periods"] += 1
        share = 0.93 if period.due < as_of else 0.55
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số", "Minh chứng"])
        for unit in units:
            if random.Random(f"{unit.code}:{label}").random() >= share:
                continue
            values = _demo_values(unit, indicators, step, unit.pk in plans_in)
            for indicator in indicators:
                if applies_to_unit(indicator, unit) and indicator.code in values:
                    n, d = values[indicator.code]
                    writer.writerow([unit.code, unit.name, label, indicator.code, n, d, ""])
                    result["values"] += 1
        name = f"so-lieu-{_slug('x ' + label) or step}.csv"
        job = start_import(campaign, ContentFile(buffer.getvalue().encode("utf-8"), name=name), actor=officer)
        if job.state == "ready":
            confirm_import(job, actor=officer)
    return result


def seed_review(campaign: Campaign, as_of: date) -> str:
    """The interim review on the campaign's review date: taken and published with the board's remarks when that
    date has passed by ``as_of`` (and by today), scheduled otherwise. Returns its state."""
    from .reviews import publish_review, save_remarks, schedule_review, take_snapshot

    day = campaign.interim_review_date
    if day is None:
        return ""
    officer = User.objects.get(username="canbo.snv")
    period = campaign.periods.filter(due__lte=day).order_by("-start").first()
    review = schedule_review(campaign, title=demo.DEMO_REVIEW_TITLE, review_date=day, period=period, actor=officer)
    if day > min(as_of, timezone.localdate()) or not campaign.periods.exists():
        return review.state
    review = take_snapshot(review, actor=SYSTEM, at=_local(day, 17))
    behind = review.units.filter(plan_state="").select_related("unit")[:3]
    save_remarks(
        review,
        remarks=demo.DEMO_REVIEW_REMARKS,
        unit_remarks={
            row.pk: "Chưa ban hành kế hoạch: đề nghị khẩn trương ban hành và gửi Sở Nội vụ." for row in behind
        },
        actor=officer,
    )
    return publish_review(review, actor=officer).state
