"""The demo data set: Thái Nguyên's units, one user per role, and the "Bình dân học AI" campaign in progress."""

from __future__ import annotations

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
    return {"units": units, "users": users, "campaign": campaign, "campaign_created": created, "as_of": as_of}
