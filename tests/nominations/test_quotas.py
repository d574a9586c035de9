"""The campaign's quotas and priorities (domain rule 11), its required classification (rule 12) and the award form
against the campaign (rule 2), through the real services: submission by the unit head, acceptance and completion
of the appraisal by the board, and the board's page that sets them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from competition.enums import CampaignLevel, CampaignState, UnitKind
from competition.models import AwardType, Campaign, Enrolment
from nominations.enums import AppraisalResult, DossierState
from nominations.models import NominationQuota
from nominations.services import dossiers as services
from nominations.services import quotas
from scoring.enums import ScorecardState, Subject
from scoring.models import ClassThreshold, Scorecard, ScoringTable
from workflows.audit import action_label, verify_chain
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ..factories import NomineeDataFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BANG_KHEN = "bang_khen_tinh"
QUOTA_ACTION = "nominations.nominationquota.set"


def set_quota(world, actor, code=BANG_KHEN, **values):
    return quotas.set_quota(world.campaign, code, actor=actor, **values)


def draft(world, unit, clerk, *, people=0, direct=0, collectives=(), code=BANG_KHEN, **people_fields):
    """A draft dossier of ``unit`` with ``people`` individuals (the first ``direct`` doing direct work) and a
    collective per unit of ``collectives``."""
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code=code, title=f"Hồ sơ của {unit}", actor=clerk
    )
    for i in range(people):
        fields = NomineeDataFactory(direct_worker=i < direct)
        fields.update(people_fields)
        services.add_nominee(dossier, actor=clerk, **fields)
    for body in collectives:
        services.add_nominee(dossier, actor=clerk, kind="collective", name=body.name, collective_unit=body)
    return dossier


def refusal(action) -> str:
    with pytest.raises(TransitionRefused) as refused:
        action()
    return str(refused.value)


def received(world, dossier, head, board_officer):
    services.submit_dossier(dossier, actor=head)
    return services.receive_dossier(dossier, actor=board_officer)


def accept(nominee, board_officer):
    return services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)


def bodies(parent, n, prefix="Tổ dân phố"):
    return [UnitFactory(name=f"{prefix} {i}", kind=UnitKind.BODY, parent=parent) for i in range(1, n + 1)]


# --- Per unit, at submission (domain rule 11) ----------------------------------------------------------------------


def test_unit_individual_cap_exactly_reached_passes_one_more_is_refused(
    world, commune_a, clerk_a, head_a, board_officer
):
    """Domain rule 11 (quotas set by the campaign, basis: the campaign's plan in NominationQuota.basis): a unit
    proposing exactly its cap of individuals submits; one more, in another dossier of the same form, is refused and
    told how many to drop. Drafts do not count."""
    set_quota(world, board_officer, max_per_unit_individual=3, basis="Kế hoạch số 12/KH-UBND, mục IV")
    draft(world, commune_a, clerk_a, people=5)  # a draft of the unit: not counted
    first = draft(world, commune_a, clerk_a, people=3)
    services.submit_dossier(first, actor=head_a)
    assert first.state == DossierState.SUBMITTED
    second = draft(world, commune_a, clerk_a, people=1)
    message = refusal(lambda: services.submit_dossier(second, actor=head_a))
    assert "đề nghị 4 cá nhân" in message and "tối đa 3 theo Kế hoạch số 12/KH-UBND, mục IV" in message
    assert "hồ sơ này 1, các hồ sơ khác đã gửi 3" in message and "hãy bỏ bớt 1 cá nhân" in message
    second.refresh_from_db()
    assert second.state == DossierState.DRAFT


def test_a_returned_dossier_counts_while_it_is_resubmitted(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 11: the unit's count is this dossier plus its other dossiers that left the unit, a returned one
    included (it comes back), whatever the order of resubmission."""
    set_quota(world, board_officer, max_per_unit_individual=3)
    first = draft(world, commune_a, clerk_a, people=2)
    services.submit_dossier(first, actor=head_a)
    services.return_dossier(first, actor=board_officer, reason="Bổ sung báo cáo thành tích.")
    second = draft(world, commune_a, clerk_a, people=1)
    services.submit_dossier(second, actor=head_a)  # 2 (returned) + 1 = 3: at the cap
    services.add_nominee(first, actor=clerk_a, **NomineeDataFactory())
    message = refusal(lambda: services.submit_dossier(first, actor=head_a))
    assert "đề nghị 4 cá nhân" in message and "hồ sơ này 3, các hồ sơ khác đã gửi 1" in message
    first.refresh_from_db()
    assert first.state == DossierState.RETURNED


def test_unit_collective_cap_and_other_units_do_not_count(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer
):
    """Domain rule 11: at most ``max_per_unit_collective`` collectives per unit; another unit's collectives are its
    own business."""
    set_quota(world, board_officer, max_per_unit_collective=2)
    theirs = draft(world, commune_b, clerk_b, collectives=bodies(commune_b, 2, "Tổ dân phố B"))
    services.submit_dossier(theirs, actor=head_b)
    mine = draft(world, commune_a, clerk_a, collectives=bodies(commune_a, 2))
    services.submit_dossier(mine, actor=head_a)
    more = draft(world, commune_a, clerk_a, collectives=[UnitFactory(name="Trường Mầm non Hoa Sen", parent=commune_a)])
    message = refusal(lambda: services.submit_dossier(more, actor=head_a))
    assert "đề nghị 3 tập thể" in message and "tối đa 2" in message and "hãy bỏ bớt 1 tập thể" in message


def test_unit_direct_worker_share_exactly_at_the_minimum_passes(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer
):
    """Law 06/2022/QH15 Art. 5 and NĐ 152/2025 (priority to people doing direct work, non-leaders), domain rule 11:
    among a unit's proposed individuals, at least ``min_direct_worker_share`` percent do direct work; exactly the
    minimum passes, below it the unit is told how many non-leaders it needs."""
    set_quota(world, board_officer, min_direct_worker_share="50", basis="Hướng dẫn số 5/HD-SNV")
    at_minimum = draft(world, commune_a, clerk_a, people=2, direct=1)
    services.submit_dossier(at_minimum, actor=head_a)
    below = draft(world, commune_b, clerk_b, people=3, direct=1)
    message = refusal(lambda: services.submit_dossier(below, actor=head_b))
    assert "trong 3 cá nhân" in message and "có 1 người trực tiếp lao động, công tác (33,33%)" in message
    assert "tối thiểu 50% theo Hướng dẫn số 5/HD-SNV" in message and "06/2022/QH15" in message
    assert "cần ít nhất 2 người không giữ chức vụ lãnh đạo" in message and "hãy thay 1 người" in message


def test_the_unit_share_counts_its_other_dossiers(world, commune_a, clerk_a, head_a, board_officer):
    """Law 06/2022/QH15 Art. 5, domain rule 11: the share is over the unit's individuals across its dossiers of the
    form that left the unit, not one dossier alone."""
    set_quota(world, board_officer, min_direct_worker_share="50")
    services.submit_dossier(draft(world, commune_a, clerk_a, people=2, direct=2), actor=head_a)
    leaders = draft(world, commune_a, clerk_a, people=2, direct=0)
    services.submit_dossier(leaders, actor=head_a)  # 2 of 4: exactly 50 %
    one_more = draft(world, commune_a, clerk_a, people=1, direct=0)
    message = refusal(lambda: services.submit_dossier(one_more, actor=head_a))
    assert "trong 5 cá nhân" in message and "cần ít nhất 3 người" in message


def test_without_a_quota_nothing_is_limited(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 11: quotas are the campaign's own; a form without one (or with empty fields) is not limited."""
    set_quota(world, board_officer, basis="Kế hoạch phát động")  # a row with every limit empty
    services.submit_dossier(draft(world, commune_a, clerk_a, people=6), actor=head_a)
    services.submit_dossier(draft(world, commune_a, clerk_a, people=1, code="giay_khen_xa"), actor=head_a)


# --- Classification required (domain rule 12) ----------------------------------------------------------------------


@pytest.fixture
def tables(world):
    """A collective and an individual scoring table of the campaign, with the 2025 example's classes."""
    made = {}
    for subject in (Subject.COLLECTIVE, Subject.INDIVIDUAL):
        table = ScoringTable.objects.create(campaign=world.campaign, subject=subject, name=f"Bảng điểm {subject}")
        for code, label, minimum in (
            ("xuat_sac", "Xuất sắc", 95),
            ("tot", "Tốt", 85),
            ("hoan_thanh", "Hoàn thành", 75),
            ("khong_hoan_thanh", "Không hoàn thành", 0),
        ):
            ClassThreshold.objects.create(table=table, code=code, label=label, min_total=Decimal(minimum))
        made[subject] = table
    return made


def scored(table, unit, classification, *, person_name="", state=ScorecardState.FINALIZED):
    card = Scorecard.objects.create(table=table, unit=unit, person_name=person_name)
    Scorecard.objects.filter(pk=card.pk).update(state=state, classification=classification, final_total=Decimal(90))
    return card


def test_required_classes_name_the_nominee_their_class_and_the_classes_required(
    world, tables, commune_a, clerk_a, head_a, board_officer
):
    """Domain rule 12 (the campaign's classification, basis NominationQuota.basis): a collective of the unit tree
    and, with an individual table, a person need a finalized or published scorecard with a required class; the
    person is found by the canonical name (domain rule 3: hòa = hoà)."""
    set_quota(world, board_officer, required_classes=["xuat_sac", "tot"], basis="Kế hoạch phát động, mục IV")
    school = UnitFactory(name="Trường Tiểu học Đồng Quang", kind=UnitKind.BODY, parent=commune_a)
    ward_body = UnitFactory(name="Tổ dân phố 7", kind=UnitKind.BODY, parent=commune_a)
    scored(tables[Subject.COLLECTIVE], commune_a, "tot", state=ScorecardState.PUBLISHED)
    scored(tables[Subject.COLLECTIVE], school, "hoan_thanh")
    scored(tables[Subject.COLLECTIVE], ward_body, "xuat_sac", state=ScorecardState.SUBMITTED)  # not finalized
    scored(tables[Subject.INDIVIDUAL], commune_a, "xuat_sac", person_name="Nguyễn Thị Hoà")
    dossier = draft(world, commune_a, clerk_a, collectives=[commune_a, school, ward_body])
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="nguyễn thị hòa"))
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Lò Văn Pảng"))
    services.add_nominee(dossier, actor=clerk_a, kind="collective", name="Chi hội Phụ nữ", work_unit="Phường")
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a)
    reasons = refused.value.reasons
    assert len(reasons) == 3, reasons  # the ward (Tốt), Ms Hoà (Xuất sắc) and the unlinked collective pass
    school_msg, body_msg, person_msg = reasons
    assert school_msg.startswith("Xếp loại thi đua của “Trường Tiểu học Đồng Quang”: Hoàn thành;")
    assert "cần xếp loại “Xuất sắc”, “Tốt” theo Kế hoạch phát động, mục IV" in school_msg
    assert "“Tổ dân phố 7”: chưa được chấm điểm, xếp loại" in body_msg
    assert "“Lò Văn Pảng”: chưa được chấm điểm, xếp loại" in person_msg and "hãy bỏ “Lò Văn Pảng”" in person_msg


def test_without_an_individual_table_people_are_not_checked(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 12: a class can only be required of subjects the campaign scores."""
    table = ScoringTable.objects.create(campaign=world.campaign, subject=Subject.COLLECTIVE, name="Tập thể")
    ClassThreshold.objects.create(table=table, code="tot", label="Tốt", min_total=Decimal(85))
    set_quota(world, board_officer, required_classes="tot")
    scored(table, commune_a, "tot")
    dossier = draft(world, commune_a, clerk_a, people=1, collectives=[commune_a])
    services.submit_dossier(dossier, actor=head_a)
    assert dossier.state == DossierState.SUBMITTED


# --- The award form against the campaign (domain rule 2) -----------------------------------------------------------


def test_the_award_form_needs_a_campaign_long_enough(world, commune_a, clerk_a, head_a):
    """Domain rule 2 (NĐ 152/2025 via the rule set's AwardType.min_campaign_months): a campaign of exactly the
    minimum duration passes; a shorter one is refused, with the basis and what to do."""
    assert world.campaign.duration_months == 6
    award = AwardType.objects.get(rule_set=world.campaign.rule_set, code=BANG_KHEN)
    AwardType.objects.filter(pk=award.pk).update(min_campaign_months=6, legal_reference="Điều 74 Luật 06/2022/QH15")
    services.submit_dossier(draft(world, commune_a, clerk_a, people=1), actor=head_a)
    AwardType.objects.filter(pk=award.pk).update(min_campaign_months=7)
    message = refusal(lambda: services.submit_dossier(draft(world, commune_a, clerk_a, people=1), actor=head_a))
    assert "(Điều 74 Luật 06/2022/QH15)" in message and "ít nhất 7 tháng; phong trào này 6 tháng" in message
    assert "Hãy lập hồ sơ với một hình thức khen thưởng khác" in message


def test_a_thematic_award_needs_a_thematic_campaign_of_its_level(world, commune_a, clerk_a, head_a):
    """Domain rule 2 (provincial Cờ thi đua: a thematic campaign launched by the province): a thematic-only form is
    refused for a campaign that is not thematic, or launched at another level."""
    AwardType.objects.filter(rule_set=world.campaign.rule_set, code=BANG_KHEN).update(thematic_only=True)
    Campaign.objects.filter(pk=world.campaign.pk).update(is_thematic=False)
    world.campaign.refresh_from_db()
    message = refusal(lambda: services.submit_dossier(draft(world, commune_a, clerk_a, people=1), actor=head_a))
    assert "chỉ dành cho phong trào theo chuyên đề" in message
    Campaign.objects.filter(pk=world.campaign.pk).update(is_thematic=True, level=CampaignLevel.COMMUNE)
    world.campaign.refresh_from_db()
    message = refusal(lambda: services.submit_dossier(draft(world, commune_a, clerk_a, people=1), actor=head_a))
    assert "do cấp tỉnh phát động; phong trào này do cấp xã phát động" in message
    Campaign.objects.filter(pk=world.campaign.pk).update(level=CampaignLevel.PROVINCIAL)
    world.campaign.refresh_from_db()
    services.submit_dossier(draft(world, commune_a, clerk_a, people=1), actor=head_a)


# --- Campaign-wide, when the board accepts a nominee ----------------------------------------------------------------


def test_campaign_individual_cap_exactly_reached_passes_one_more_is_refused(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer
):
    """Domain rule 11 (a 2025 provincial example: Bằng khen to at most 5 % of individuals; here a count, basis
    NominationQuota.basis): the board accepts up to ``max_campaign_individual`` individuals across the campaign;
    the next is refused with the cap, how many are proposed and the basis; re-accepting one already counted, or
    accepting after a rejection frees a place, passes."""
    set_quota(world, board_officer, max_campaign_individual=2, basis="Công văn số 45/SNV-TĐKT")
    mine = received(world, draft(world, commune_a, clerk_a, people=2), head_a, board_officer)
    theirs = received(world, draft(world, commune_b, clerk_b, people=1), head_b, board_officer)
    a1, a2 = mine.nominees.order_by("pk")
    (b1,) = theirs.nominees.all()
    accept(a1, board_officer)
    accept(b1, board_officer)  # 2 of 2
    accept(a1, board_officer)  # the same one again: still 2
    message = refusal(lambda: accept(a2, board_officer))
    assert f"Không đề nghị khen thưởng được “{a2.name}”" in message
    assert "tối đa 2 cá nhân theo Công văn số 45/SNV-TĐKT, đã đề nghị 2" in message
    a2.refresh_from_db()
    assert a2.appraisal_result == AppraisalResult.PENDING
    services.appraise_nominee(b1, actor=board_officer, result=AppraisalResult.REJECTED, note="Chưa tiêu biểu.")
    accept(a2, board_officer)


def test_campaign_collective_share_of_enrolled_units_rounds_down(
    world, commune_a, commune_b, clerk_a, head_a, board_officer, province
):
    """Domain rule 11 (a 2025 provincial example: Bằng khen to at most 10 % of collectives): the accepted
    collectives may not exceed the percent of the campaign's enrolled units, rounded down (at least one)."""
    for i in range(3):  # 5 enrolled units: 50 % → 2 collectives
        Enrolment.objects.create(campaign=world.campaign, unit=UnitFactory(parent=province, name=f"Xã Mới {i}"))
    set_quota(world, board_officer, max_campaign_collective_percent="50")
    dossier = received(
        world, draft(world, commune_a, clerk_a, collectives=bodies(commune_a, 3)), head_a, board_officer
    )
    first, second, third = dossier.nominees.order_by("pk")
    accept(first, board_officer)
    accept(second, board_officer)
    message = refusal(lambda: accept(third, board_officer))
    assert "tối đa 50% số đơn vị tham gia" in message and "tức 2 tập thể trên 5 đơn vị (làm tròn xuống)" in message
    assert "đã đề nghị 2" in message


@pytest.mark.parametrize(
    ("percent", "enrolled", "cap"),
    [(None, 10, None), ("10", 92, 9), ("10", 5, 1), ("50", 5, 2), ("100", 3, 3), ("0", 5, 0), ("10", 0, 0)],
)
def test_the_collective_cap_rounds_down_with_at_least_one(percent, enrolled, cap):
    """Domain rule 11: floor(percent × enrolled units / 100), at least one when the percent is above zero (the
    rounding of the scoring ranking's quota guidance); 0 % allows none."""
    assert quotas.collective_cap(Decimal(percent) if percent else None, enrolled) == cap


# --- Campaign-wide, when the board completes an appraisal ------------------------------------------------------------


def test_completion_needs_the_campaign_direct_worker_share(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer
):
    """Law 06/2022/QH15 Art. 5 and NĐ 152/2025 (priority to people doing direct work), domain rule 11: among the
    accepted individuals of the form's appraised and decided dossiers plus this one, the direct-work share must
    reach the minimum; exactly at it the appraisal completes, below it the board is told how many are missing."""
    first = received(world, draft(world, commune_a, clerk_a, people=2, direct=1), head_a, board_officer)
    second = received(world, draft(world, commune_b, clerk_b, people=1, direct=0), head_b, board_officer)
    set_quota(world, board_officer, min_direct_worker_share="50", basis="Kế hoạch phát động")
    for nominee in first.nominees.all():
        accept(nominee, board_officer)
    services.complete_appraisal(first, actor=board_officer)  # 1 of 2: exactly 50 %
    first.refresh_from_db()
    assert first.state == DossierState.APPRAISED
    (leader,) = second.nominees.all()
    accept(leader, board_officer)
    message = refusal(lambda: services.complete_appraisal(second, actor=board_officer))
    assert "trong 3 cá nhân" in message and "có 1 người trực tiếp lao động, công tác (33,33%)" in message
    assert "tối thiểu 50% theo Kế hoạch phát động" in message and "cần ít nhất 2 người, còn thiếu 1" in message
    second.refresh_from_db()
    assert second.state == DossierState.RECEIVED
    services.appraise_nominee(leader, actor=board_officer, result=AppraisalResult.REJECTED, note="Ưu tiên khác.")
    services.complete_appraisal(second, actor=board_officer)
    second.refresh_from_db()
    assert second.state == DossierState.APPRAISED


# --- Setting a quota ---------------------------------------------------------------------------------------------


def test_set_quota_writes_the_values_and_one_audit_event(world, board_officer):
    """Domain rules 11 and 15: the board sets a form's quota; one audit event with the old and new values; the
    same values again change nothing and write nothing."""
    events = AuditEvent.objects.filter(action=QUOTA_ACTION)
    quota = set_quota(
        world,
        board_officer,
        max_per_unit_individual="3",
        max_per_unit_collective=0,
        max_campaign_individual="",
        max_campaign_collective_percent="12,5",
        min_direct_worker_share="100%",
        basis="  Kế hoạch   số 12/KH-UBND ",
    )
    quota.refresh_from_db()
    assert (quota.max_per_unit_individual, quota.max_per_unit_collective, quota.max_campaign_individual) == (
        3,
        0,
        None,
    )
    assert quota.max_campaign_collective_percent == Decimal("12.50")
    assert quota.min_direct_worker_share == Decimal("100")
    assert quota.basis == "Kế hoạch số 12/KH-UBND"
    event = events.get()
    assert event.actor == board_officer and event.payload["changes"]["max_per_unit_individual"] == {
        "old": None,
        "new": 3,
    }
    assert event.payload["changes"]["max_campaign_collective_percent"]["new"] == "12.5"
    assert action_label(QUOTA_ACTION) == "Đặt chỉ tiêu khen thưởng của phong trào"
    set_quota(world, board_officer, max_per_unit_individual=3, basis="Kế hoạch số 12/KH-UBND")
    assert events.count() == 1 and verify_chain() == []


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"max_per_unit_individual": "-1"}, "max_per_unit_individual", "không được âm"),
        ({"max_campaign_individual": "ba"}, "max_campaign_individual", "phải là số nguyên"),
        ({"max_campaign_collective_percent": "100,5"}, "max_campaign_collective_percent", "từ 0 đến 100"),
        ({"min_direct_worker_share": "-5"}, "min_direct_worker_share", "từ 0 đến 100"),
        ({"min_direct_worker_share": "33,333"}, "min_direct_worker_share", "tối đa 2 chữ số thập phân"),
        ({"required_classes": ["xuat_sac", "gioi"]}, "required_classes", "Không có mức xếp loại “gioi”"),
    ],
)
def test_set_quota_refuses_bad_values_and_says_what_to_fix(world, tables, board_officer, values, field, expected):
    """Domain rule 11: counts are whole and not negative, percents from 0 to 100, classes are codes of the
    campaign's scoring tables; nothing is written."""
    with pytest.raises(ValidationError) as invalid:
        set_quota(world, board_officer, **values)
    assert expected in " ".join(invalid.value.message_dict[field])
    assert not NominationQuota.objects.exists() and not AuditEvent.objects.filter(action=QUOTA_ACTION).exists()


def test_required_classes_need_a_scoring_table(world, board_officer):
    """Domain rule 12: a campaign without scoring tables cannot require a class."""
    with pytest.raises(ValidationError) as invalid:
        set_quota(world, board_officer, required_classes=["tot"])
    assert "chưa có bảng chấm điểm" in invalid.value.message_dict["required_classes"][0]


def test_only_the_board_sets_quotas_of_the_campaigns_forms_while_it_runs(world, clerk_a, board_officer):
    """Domain rule 11: the board (Sở Nội vụ) sets the campaign's quotas; not for a form outside the campaign, not
    once the campaign is closed."""
    coordinator = UserFactory(role=Role.COORDINATOR)
    for actor in (clerk_a, coordinator):
        with pytest.raises(TransitionForbidden):
            set_quota(world, actor, max_per_unit_individual=1)
    assert "không thuộc các hình thức" in refusal(lambda: set_quota(world, board_officer, code="co_thi_dua_tinh"))
    Campaign.objects.filter(pk=world.campaign.pk).update(state=CampaignState.CLOSED)
    world.campaign.refresh_from_db()
    assert "đã kết thúc" in refusal(lambda: set_quota(world, board_officer, max_per_unit_individual=1))
    assert not NominationQuota.objects.exists()


# --- The summary -------------------------------------------------------------------------------------------------


def test_the_summary_counts_per_unit_and_campaign_in_a_fixed_number_of_queries(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer, province
):
    """Domain rule 11: the board sees per form the caps, what units proposed and what it accepted, and the
    direct-work shares, per unit and campaign-wide; the cost does not grow with the dossiers."""
    set_quota(world, board_officer, max_per_unit_individual=2, max_campaign_individual=1, min_direct_worker_share=50)
    mine = received(world, draft(world, commune_a, clerk_a, people=2, direct=1), head_a, board_officer)
    accept(mine.nominees.order_by("pk").first(), board_officer)
    draft(world, commune_a, clerk_a, people=3)  # a draft: not counted
    with CaptureQueriesContext(connection) as few:
        summaries = quotas.quota_summary(world.campaign)
    bang_khen, giay_khen = summaries
    assert (bang_khen.code, giay_khen.code) == (BANG_KHEN, "giay_khen_xa") and giay_khen.quota is None
    assert (bang_khen.proposed.individuals, bang_khen.accepted.individuals, bang_khen.accepted.direct) == (2, 1, 1)
    assert bang_khen.individual_full and not bang_khen.share_short
    (unit_a,) = bang_khen.units
    assert unit_a.unit == commune_a and unit_a.proposed.direct_share == 50 and not unit_a.over_individual
    for i in range(3):
        unit = UnitFactory(parent=province, name=f"Phường Thêm {i}")
        Enrolment.objects.create(campaign=world.campaign, unit=unit)
        clerk = UserFactory(role=Role.UNIT_CLERK, unit=unit)
        head = UserFactory(role=Role.UNIT_HEAD, unit=unit)
        services.submit_dossier(draft(world, unit, clerk, people=2, direct=1), actor=head)
    services.submit_dossier(
        draft(world, commune_b, clerk_b, people=1, direct=1, collectives=[commune_b]), actor=head_b
    )
    with CaptureQueriesContext(connection) as many:
        summaries = quotas.quota_summary(world.campaign)
    assert len(many) == len(few)
    assert summaries[0].proposed.individuals == 9 and len(summaries[0].units) == 5


# --- The board's page --------------------------------------------------------------------------------------------


def test_the_board_sees_the_quota_page_and_a_unit_clerk_does_not(world, board_officer, clerk_a, client):
    """Domain rule 11: the board and the coordinating department read the campaign's quotas; units do not."""
    url = reverse("nominations:quota_list", args=[world.campaign.pk])
    detail = reverse("competition:campaign_detail", args=[world.campaign.pk])
    set_quota(world, board_officer, max_per_unit_individual=3, basis="Kế hoạch số 12/KH-UBND")
    client.force_login(board_officer)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bằng khen của Chủ tịch UBND tỉnh" in text and "Kế hoạch số 12/KH-UBND" in text
    assert reverse("nominations:quota_edit", args=[world.campaign.pk, BANG_KHEN]) in text
    assert url in client.get(detail).content.decode()
    client.force_login(clerk_a)
    assert client.get(url).status_code == 403
    assert url not in client.get(detail).content.decode()
    edit = reverse("nominations:quota_edit", args=[world.campaign.pk, BANG_KHEN])
    assert client.post(edit, {"max_per_unit_individual": "9"}).status_code == 403
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    text = client.get(url).content.decode()
    assert "Bằng khen của Chủ tịch UBND tỉnh" in text and edit not in text
    assert client.get(edit).status_code == 403


def test_the_board_sets_a_quota_on_its_page(world, tables, board_officer, client):
    """Domain rules 11 and 12: the form posts the values to set_quota; a bad value comes back with the message next
    to its field and nothing is saved."""
    edit = reverse("nominations:quota_edit", args=[world.campaign.pk, BANG_KHEN])
    client.force_login(board_officer)
    form = client.get(edit).content.decode()
    assert 'value="xuat_sac"' in form and 'inputmode="decimal"' in form
    response = client.post(
        edit,
        {
            "max_per_unit_individual": "3",
            "max_campaign_collective_percent": "10",
            "min_direct_worker_share": "12,5",
            "required_classes": ["xuat_sac", "tot"],
            "basis": "Kế hoạch phát động, mục IV",
        },
    )
    assert response.status_code == 302 and response.url == reverse("nominations:quota_list", args=[world.campaign.pk])
    quota = NominationQuota.objects.get(campaign=world.campaign, award_type_code=BANG_KHEN)
    assert (quota.max_per_unit_individual, quota.min_direct_worker_share) == (3, Decimal("12.5"))
    assert quota.required_classes == ["xuat_sac", "tot"] and quota.basis == "Kế hoạch phát động, mục IV"
    assert 'value="12,5"' in client.get(edit).content.decode()
    bad = client.post(edit, {"max_per_unit_individual": "-2", "min_direct_worker_share": "150"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "không được âm" in text and "hãy nhập một số từ 0 đến 100" in text
    quota.refresh_from_db()
    assert quota.max_per_unit_individual == 3
    assert client.get(reverse("nominations:quota_edit", args=[world.campaign.pk, "khong_co"])).status_code == 404


def test_set_quota_accepts_the_edges(world, board_officer):
    """Domain rule 11: 0 and 100 percent and a count of zero are values, not errors."""
    quota = set_quota(world, board_officer, max_campaign_collective_percent=0, min_direct_worker_share="100")
    assert (quota.max_campaign_collective_percent, quota.min_direct_worker_share) == (Decimal(0), Decimal(100))


def test_a_giay_khen_quota_is_checked_for_the_commune_too(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 11: quotas are per award form; the Giấy khen's do not limit the Bằng khen."""
    set_quota(world, board_officer, code="giay_khen_xa", max_per_unit_individual=1)
    services.submit_dossier(draft(world, commune_a, clerk_a, people=2), actor=head_a)
    message = refusal(
        lambda: services.submit_dossier(draft(world, commune_a, clerk_a, people=2, code="giay_khen_xa"), actor=head_a)
    )
    assert "đề nghị 2 cá nhân" in message and "tối đa 1" in message


def test_no_quota_row_no_problem(world, commune_a, clerk_a):
    """Domain rule 11: a campaign that set no quota for the form limits nothing at any step."""
    dossier = draft(world, commune_a, clerk_a, people=1)
    nominee = dossier.nominees.get()
    assert quotas.submission_problems(dossier) == []
    assert quotas.acceptance_problems(nominee, dossier) == [] and quotas.completion_problems(dossier) == []
