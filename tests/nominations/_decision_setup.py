"""Shared set-up of the award-decision tests: the real seeded rule sets, the province, its board, a ward, the
users of each role, a campaign, and helpers to reach a signable decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.management import call_command
from django.utils import timezone

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import AwardType, Campaign, RuleSet, Unit
from nominations.services.decisions import draft_decision, set_issue_details

from ..factories import CampaignFactory, UnitFactory, UserFactory, make_proposed_dossier


@dataclass
class World:
    nd98: RuleSet
    nd152: RuleSet
    province: Unit
    board: Unit
    ward: Unit
    campaign: Campaign
    board_officer: object
    chairman_office: object
    ward_clerk: object
    ward_head: object

    def award(self, rule_set: RuleSet, code: str = "bang_khen_tinh") -> AwardType:
        return rule_set.award_types.get(code=code)


def build_world() -> World:
    call_command("seed_rules", verbosity=0)
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="TN-SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    campaign = CampaignFactory(
        name="Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên",
        plan_number="987/QĐ-UBND",
        plan_date=date(2025, 3, 31),
        plan_summary="Ban hành Kế hoạch tổ chức thực hiện Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên",
        start_date=date(2025, 3, 31),
        end_date=date(2026, 12, 31),
        plan_deadline=None,
        award_type_codes=["bang_khen_tinh", "giay_khen_xa"],
    )
    return World(
        nd98=RuleSet.objects.get(code="nd98-2023"),
        nd152=RuleSet.objects.get(code="nd152-2025"),
        province=province,
        board=board,
        ward=ward,
        campaign=campaign,
        board_officer=UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board),
        chairman_office=UserFactory(username="vp.ubnd", role=Role.CHAIRMAN_OFFICE, unit=province),
        ward_clerk=UserFactory(username="thidua.pdp", role=Role.UNIT_CLERK, unit=ward),
        ward_head=UserFactory(username="chutich.pdp", role=Role.UNIT_HEAD, unit=ward),
    )


def provincial_dossier(world: World, nominees, *, rule_set=None, submitted=None, **fields):
    """An appraised dossier of the ward for the Chairman's Bằng khen (decided by the province)."""
    submitted_at = timezone.make_aware(datetime.combine(submitted, datetime.min.time())) if submitted else None
    fields.setdefault("award_type_code", "bang_khen_tinh")
    return make_proposed_dossier(
        nominees=nominees,
        rule_set=rule_set or world.nd152,
        submitted_at=submitted_at,
        campaign=world.campaign,
        unit=world.ward,
        deciding_unit=world.province,
        **fields,
    )


def ward_dossier(world: World, nominees, **fields):
    """An appraised dossier for the ward chairman's own Giấy khen (decided by the ward itself)."""
    return make_proposed_dossier(
        nominees=nominees,
        rule_set=world.nd152,
        campaign=world.campaign,
        unit=world.ward,
        deciding_unit=world.ward,
        award_type_code="giay_khen_xa",
        **fields,
    )


def issue(decision, actor, *, number=12, issued_on=date(2025, 9, 15), **fields):
    fields.setdefault("signer_name", "Nguyễn Văn Phúc")
    fields.setdefault("signer_authority", "deputy")
    fields.setdefault("submission_letter_number", "45/TTr-SNV")
    fields.setdefault("submission_letter_date", date(2025, 9, 10))
    return set_issue_details(decision, actor=actor, number=number, issued_on=issued_on, **fields)


def drafted(world: World, *dossiers, actor=None):
    return draft_decision(list(dossiers), actor=actor or world.board_officer)
