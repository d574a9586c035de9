"""The demo's dossiers: one left at each step of the Dossier flow, so that every acting role has work waiting."""

from __future__ import annotations

from datetime import date

from accounts.enums import Role
from accounts.models import User
from competition.data import demo
from competition.models import Campaign, Unit

from ..enums import AppraisalResult
from ..models import Dossier
from . import dossiers as services


def _user(unit: Unit, role: str) -> User:
    """The demo's clerk or head of ``unit``, or a sibling account created for it."""
    user = User.objects.filter(membership__unit=unit, role=role, is_active=True).order_by("pk").first()
    if user is None:
        prefix = "vanthu" if role == Role.UNIT_CLERK else "truong"
        user = User(username=f"{prefix}.{unit.code.lower()}", full_name=f"{unit.name}", role=role)
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
        from competition.models import Membership

        Membership.objects.create(user=user, unit=unit)
    return user


def seed_dossiers(campaign: Campaign, as_of: date) -> int:
    """Create the demo dossiers of ``campaign`` that do not exist yet (by title); returns how many were made."""
    officer = User.objects.get(username="canbo.snv")
    made = 0
    for unit_code, award, title, state, nominees in demo.DEMO_DOSSIERS:
        if Dossier.objects.filter(campaign=campaign, title=title).exists():
            continue
        unit = Unit.objects.get(code=unit_code)
        clerk, head = _user(unit, Role.UNIT_CLERK), _user(unit, Role.UNIT_HEAD)
        dossier = services.create_dossier(campaign, unit=unit, award_type_code=award, title=title, actor=clerk)
        for kind, name, gender, born, position in nominees:
            services.add_nominee(
                dossier,
                actor=clerk,
                kind=kind,
                name=name,
                gender=gender,
                birth_date=born,
                position=position,
                work_unit=unit.name,
                achievement="Tích cực triển khai chương trình “Bình dân học AI”.",
            )
        made += 1
        if state == "draft":
            continue
        services.submit_dossier(dossier, actor=head, on=as_of)
        if state == "submitted":
            continue
        # Who handles it: the board for the Chairman's Bằng khen, the deciding unit's own clerk for a Giấy khen.
        handler = officer if dossier.deciding_unit.parent_id is None else _user(dossier.deciding_unit, Role.UNIT_CLERK)
        if state == "returned":
            services.return_dossier(dossier, actor=handler, reason=demo.DEMO_RETURN_REASON)
            continue
        services.receive_dossier(dossier, actor=handler)
        if state == "received":
            continue
        for nominee in dossier.nominees.all():
            services.appraise_nominee(nominee, actor=handler, result=AppraisalResult.ACCEPTED)
        services.complete_appraisal(dossier, actor=handler)
    return made
