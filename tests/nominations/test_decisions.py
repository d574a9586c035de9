"""Award decisions: drafting from appraised dossiers, issue details (number, date, signer, money for the date),
signing through the door (domain rules 10 and 13; issue 3 items 2 and 4)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from accounts.enums import Role
from competition.models import BaseSalary
from competition.services.rulesets import add_base_salary, confirm_value
from nominations.enums import DecisionState, DossierState
from nominations.models import AwardDecision, DecisionRegister
from nominations.services.decisions import (
    allocate_number,
    default_symbol,
    draft_decision,
    legal_bases,
    place_name,
    recipient_lines,
    sign_decision,
    signing_problems,
)
from workflows import SYSTEM
from workflows.audit import events_for, head, verify_chain
from workflows.exceptions import TransitionRefused

from ..factories import UnitFactory, UserFactory
from ._decision_setup import build_world, drafted, issue, provincial_dossier, ward_dossier

TWO_COLLECTIVES_THREE_PEOPLE = [
    ("individual", "Nguyễn Thị Hoa"),
    ("collective", "Tổ Chuyển đổi số cộng đồng"),
    ("individual", "Lê Văn Bình"),
    ("household", "Hộ ông Hoàng Văn Sáu"),
    ("collective", "Trường Tiểu học Đội Cấn"),
    ("individual", "Phạm Minh Châu"),
]


@pytest.fixture
def world(db):
    return build_world()


def test_draft_lists_accepted_nominees_grouped_with_money_previewed(world):
    dossier = provincial_dossier(world, TWO_COLLECTIVES_THREE_PEOPLE, rejected={"Lê Văn Bình"})
    decision = drafted(world, dossier)
    assert decision.state == DecisionState.DRAFT and decision.number is None
    assert (decision.issuing_unit, decision.symbol, decision.place) == (world.province, "QĐ-UBND", "Thái Nguyên")
    assert decision.award_type.code == "bang_khen_tinh" and decision.rule_set == world.nd152
    lines = list(decision.awards.order_by("order").values_list("subject_kind", "name", "title_and_unit"))
    assert lines == [
        ("collective", "Tổ Chuyển đổi số cộng đồng", "Phường Phan Đình Phùng"),
        ("collective", "Trường Tiểu học Đội Cấn", "Phường Phan Đình Phùng"),
        ("individual", "Nguyễn Thị Hoa", "Chuyên viên, Phường Phan Đình Phùng"),
        ("individual", "Phạm Minh Châu", "Chuyên viên, Phường Phan Đình Phùng"),
        ("household", "Hộ ông Hoàng Văn Sáu", "Phường Phan Đình Phùng"),
    ]
    assert all(a.amount > 0 for a in decision.awards.all())
    dossier.refresh_from_db()
    assert dossier.decision == decision and dossier.state == DossierState.PROPOSED
    assert [e.action for e in events_for(decision)] == ["nominations.awarddecision.draft"]
    assert recipient_lines(decision) == ["- Như Điều 3;", "- Lưu: VT."]


def test_draft_refuses_mixing_campaigns_award_types_and_units_with_every_reason(world):
    one = provincial_dossier(world, [("individual", "A")])
    other_type = provincial_dossier(world, [("individual", "B")], award_type_code="giay_khen_xa")
    with pytest.raises(TransitionRefused) as refused:
        draft_decision([one, other_type], actor=SYSTEM)
    assert "hình thức khen thưởng" in str(refused.value)
    own = ward_dossier(world, [("individual", "C")])
    with pytest.raises(TransitionRefused) as refused:
        draft_decision([one, own], actor=SYSTEM)
    text = str(refused.value)
    assert "cấp quyết định" in text and "hình thức khen thưởng" in text
    old = provincial_dossier(world, [("individual", "D")], rule_set=world.nd98, submitted=date(2025, 6, 20))
    with pytest.raises(TransitionRefused, match="bộ quy định"):
        drafted(world, one, old)
    assert not AwardDecision.objects.exists()


def test_draft_refuses_dossiers_not_appraised_or_already_in_a_decision(world):
    from tests.factories import DossierFactory, NomineeFactory

    draft = DossierFactory(campaign=world.campaign, unit=world.ward, deciding_unit=world.province)
    NomineeFactory(dossier=draft)
    with pytest.raises(TransitionRefused, match="đã qua Hội đồng"):
        drafted(world, draft)
    done = provincial_dossier(world, [("individual", "A")])
    drafted(world, done)
    with pytest.raises(TransitionRefused, match="đã thuộc quyết định"):
        drafted(world, done)
    nobody = provincial_dossier(world, [("individual", "B")], rejected={"B"})
    with pytest.raises(TransitionRefused, match="không có người"):
        drafted(world, nobody)
    with pytest.raises(TransitionRefused):
        draft_decision([], actor=SYSTEM)


def test_the_board_or_the_chairmans_office_drafts_the_chairmans_bang_khen(world):
    dossier = provincial_dossier(world, [("individual", "A")])
    with pytest.raises(PermissionDenied):
        draft_decision([dossier], actor=world.ward_clerk)
    with pytest.raises(PermissionDenied):
        draft_decision([dossier], actor=world.ward_head)
    assert draft_decision([dossier], actor=world.chairman_office).awards.count() == 1


def test_the_proposer_is_the_appraising_body_whoever_drafts(world):
    from nominations.services.demo import fill_composition
    from tests.factories import DossierFactory, NomineeFactory
    from workflows import transition

    office = UnitFactory(code="TN-VP", name="Văn phòng Ủy ban nhân dân tỉnh", kind="department", parent=world.province)
    board_body = UnitFactory(code="TN-SNV-BTDKT", name="Ban Thi đua - Khen thưởng", kind="body", parent=world.board)
    officer = UserFactory(username="btdkt", role=Role.BOARD_OFFICER, unit=board_body)
    chairman_office = UserFactory(username="vp2", role=Role.CHAIRMAN_OFFICE, unit=office)
    dossier = DossierFactory(campaign=world.campaign, unit=world.ward, deciding_unit=world.province)
    NomineeFactory(dossier=dossier, appraisal_result="accepted")
    fill_composition(dossier, actor=SYSTEM)
    transition(dossier, "submit", actor=SYSTEM, rule_set=world.nd152, at=dossier.created_at)
    transition(dossier, "receive", actor=officer, at=dossier.created_at)
    transition(dossier, "appraise", actor=officer, at=dossier.created_at)
    dossier.nominees.update(council_result="approved")
    transition(dossier, "council_review", actor=officer, at=dossier.created_at)
    decision = draft_decision([dossier], actor=chairman_office)
    issue(decision, chairman_office)
    # The appraiser sits in the board's Ban Thi đua - Khen thưởng: the proposal is its department head's.
    assert legal_bases(decision)[-1].startswith("Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV")


def test_issue_details_recompute_money_for_the_decision_date(world):
    decision = drafted(world, provincial_dossier(world, [("individual", "A"), ("collective", "Tổ B")]))
    issue(decision, world.chairman_office, issued_on=date(2025, 9, 15))
    amounts = dict(decision.awards.values_list("subject_kind", "amount"))
    assert amounts == {"individual": 3_510_000, "collective": 7_020_000}
    issue(decision, world.chairman_office, issued_on=date(2026, 7, 2))
    assert dict(decision.awards.values_list("subject_kind", "amount")) == {
        "individual": 3_800_000,
        "collective": 7_590_000,
    }
    assert set(decision.awards.values_list("base_salary", flat=True)) == {2_530_000}
    assert (decision.number, decision.year, decision.issued_on) == (12, 2026, date(2026, 7, 2))
    assert str(decision) == "12/QĐ-UBND"
    issue(decision, world.chairman_office, recipients="- Như Điều 3;\nSở Nội vụ (Ban TĐKT)\nLưu: VT, NC.")
    assert recipient_lines(decision) == ["- Như Điều 3;", "- Sở Nội vụ (Ban TĐKT);", "- Lưu: VT, NC."]
    issue(decision, world.chairman_office, recipients="  ")
    assert recipient_lines(decision) == ["- Như Điều 3;", "- Lưu: VT."]


def test_nd98_dossier_decided_after_1_july_2025_cannot_be_signed_until_its_coefficients_are_confirmed(world):
    dossier = provincial_dossier(
        world, [("individual", "Nguyễn Thị Hoa")], rule_set=world.nd98, submitted=date(2025, 6, 20)
    )
    assert dossier.rule_set == world.nd98
    decision = drafted(world, dossier)
    issue(decision, world.chairman_office, issued_on=date(2025, 9, 15))
    chain_before = head().sequence

    with pytest.raises(TransitionRefused) as refused:
        sign_decision(decision, actor=world.chairman_office)
    reasons = refused.value.reasons
    assert any("hệ số tiền thưởng cá nhân" in r.lower() and "chưa được xác nhận" in r for r in reasons)
    assert any("làm tròn" in r for r in reasons)
    decision.refresh_from_db()
    dossier.refresh_from_db()
    assert decision.state == DecisionState.DRAFT and dossier.state == DossierState.PROPOSED
    assert head().sequence == chain_before  # nothing written

    confirm_value(world.award(world.nd98), "coefficient_individual", actor=SYSTEM)
    confirm_value(world.nd98, "money_rounding", actor=SYSTEM)
    assert signing_problems(decision) == []
    sign_decision(decision, actor=world.chairman_office)
    award = decision.awards.get()
    assert (award.coefficient, award.base_salary, award.amount) == (1, 2_340_000, 2_340_000)
    decision.refresh_from_db()
    dossier.refresh_from_db()
    assert decision.state == DecisionState.SIGNED and decision.signed_at is not None
    assert dossier.state == DossierState.DECIDED and dossier.decided_at == decision.signed_at
    assert verify_chain() == []


def test_signing_puts_the_chain_head_on_the_decision_and_decides_every_dossier(world):
    first = provincial_dossier(world, [("individual", "A")])
    second = provincial_dossier(world, [("collective", "Tổ B")])
    decision = drafted(world, first, second)
    issue(decision, world.chairman_office)
    with pytest.raises(PermissionDenied):
        sign_decision(decision, actor=world.board_officer)
    head_before = head().hash
    sign_decision(decision, actor=world.chairman_office)
    assert decision.state == DecisionState.SIGNED and decision.audit_head_hash == head_before
    assert {d.state for d in decision.dossiers.all()} == {DossierState.DECIDED}
    assert [e.action for e in events_for(decision)][-1] == "nominations.awarddecision.sign"
    with pytest.raises(TransitionRefused, match="đã được ký"):
        sign_decision(decision, actor=world.chairman_office)
    with pytest.raises(TransitionRefused, match="đã ký"):
        issue(decision, world.chairman_office, number=13)
    assert verify_chain() == []


def test_signing_is_refused_without_number_and_date_and_nothing_changes(world):
    dossier = provincial_dossier(world, [("individual", "A")])
    decision = drafted(world, dossier)
    chain_before = head().sequence
    with pytest.raises(TransitionRefused) as refused:
        sign_decision(decision, actor=world.chairman_office)
    assert "Chưa có số và ngày ký" in str(refused.value)
    assert "người ký" in str(refused.value)
    decision.refresh_from_db()
    dossier.refresh_from_db()
    assert (decision.state, dossier.state, head().sequence) == (
        DecisionState.DRAFT,
        DossierState.PROPOSED,
        chain_before,
    )


def test_money_computed_for_another_date_or_before_a_salary_change_cannot_be_signed(world):
    decision = drafted(world, provincial_dossier(world, [("individual", "A")]))
    issue(decision, world.chairman_office, issued_on=date(2025, 9, 15))
    # The board corrects the salary history after the money was computed: a new row in force on the date.
    add_base_salary(
        amount=2_400_000, valid_from=date(2025, 9, 1), legal_basis="Thử nghiệm", actor=SYSTEM, confirm=True
    )
    with pytest.raises(TransitionRefused) as refused:
        sign_decision(decision, actor=world.chairman_office)
    assert any("tính lại" in r for r in refused.value.reasons)
    issue(decision, world.chairman_office, issued_on=date(2025, 9, 15))
    assert decision.awards.get().amount == 3_600_000
    BaseSalary.objects.filter(valid_from=date(2025, 9, 1)).update(unconfirmed=["amount"])
    with pytest.raises(TransitionRefused, match="Mức lương cơ sở"):
        sign_decision(decision, actor=world.chairman_office)


def test_entered_numbers_are_unique_per_year_and_symbol(world):
    first = drafted(world, provincial_dossier(world, [("individual", "A")]))
    second = drafted(world, provincial_dossier(world, [("individual", "B")]))
    issue(first, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    with pytest.raises(TransitionRefused) as refused:
        issue(second, world.chairman_office, number=12, issued_on=date(2025, 12, 1))
    assert "12/QĐ-UBND năm 2025 đã được dùng" in str(refused.value)
    second.refresh_from_db()
    assert second.number is None
    issue(second, world.chairman_office, number=12, issued_on=date(2026, 1, 5))  # another year: allowed
    assert (second.number, second.year) == (12, 2026)
    issue(first, world.chairman_office, number=12, issued_on=date(2025, 9, 16))  # the same decision again: fine
    with pytest.raises(TransitionRefused, match="Hãy nhập số"):
        issue(first, world.chairman_office, number=None)


def test_issue_details_report_every_missing_value(world):
    decision = drafted(world, provincial_dossier(world, [("individual", "A")]))
    with pytest.raises(TransitionRefused) as refused:
        issue(decision, world.chairman_office, signer_name=" ", submission_letter_date=None, signer_authority="x")
    assert len(refused.value.reasons) == 3
    with pytest.raises(TransitionRefused, match="sau ngày ký"):
        issue(decision, world.chairman_office, submission_letter_date=date(2025, 9, 20))
    with pytest.raises(PermissionDenied):
        issue(decision, world.ward_clerk)


def test_register_kept_by_the_product_allocates_numbers_that_never_repeat(world):
    DecisionRegister.objects.create(issuing_unit=world.province, symbol="QĐ-UBND", year=2025, last_number=40)
    hand_entered = drafted(world, provincial_dossier(world, [("individual", "Z")]))
    # A number typed in before the register was kept (the register row was created afterwards in real life).
    AwardDecision.objects.filter(pk=hand_entered.pk).update(number=42, year=2025, issued_on=date(2025, 8, 1))
    decisions = [drafted(world, provincial_dossier(world, [("individual", f"N{i}")])) for i in range(4)]
    numbers = []
    for decision in decisions[:3]:
        issue(decision, world.chairman_office, number=None, issued_on=date(2025, 9, 15))
        numbers.append(decision.number)
    assert numbers == [41, 43, 44]  # 42 was taken by hand: skipped, never repeated
    issue(decisions[0], world.chairman_office, number=41, issued_on=date(2025, 9, 20))  # keeps its number
    assert decisions[0].number == 41
    with pytest.raises(TransitionRefused, match="cấp tự động"):
        issue(decisions[3], world.chairman_office, number=99, issued_on=date(2025, 9, 15))
    issue(decisions[3], world.chairman_office, number=None, issued_on=date(2026, 1, 2))
    assert (decisions[3].number, decisions[3].year) == (1, 2026)  # a new year starts its own row
    assert DecisionRegister.objects.get(issuing_unit=world.province, year=2025).last_number == 44
    assert DecisionRegister.objects.get(issuing_unit=world.province, year=2026).last_number == 1
    all_numbers = list(AwardDecision.objects.filter(year=2025).values_list("number", flat=True))
    assert len(all_numbers) == len(set(all_numbers))


def test_allocation_needs_a_kept_register(world):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(TransitionRefused, match="nhập số"):
        allocate_number(world.province, "QĐ-UBND", 2025)
    DecisionRegister.objects.create(issuing_unit=world.province, symbol="QĐ-UBND", year=2024)
    with transaction.atomic():
        assert [allocate_number(world.province, "QĐ-UBND", 2025) for _ in range(3)] == [1, 2, 3]


def test_symbols_places_and_legal_bases_come_from_the_data(world, settings):
    assert default_symbol(world.province) == "QĐ-UBND" and default_symbol(world.ward) == "QĐ-UBND"
    assert default_symbol(world.board) == "QĐ-SNV"
    assert default_symbol(UnitFactory(name="Sở Khoa học và Công nghệ", kind="department")) == "QĐ-SKHCN"
    settings.NOMINATIONS_DECISION_SYMBOLS = {"TN-SNV": "QĐ-SNV-TĐKT"}
    assert default_symbol(world.board) == "QĐ-SNV-TĐKT"
    assert place_name(world.ward) == "Phan Đình Phùng" and place_name(world.board) == "Thái Nguyên"

    decision = drafted(world, provincial_dossier(world, [("individual", "A")]))
    issue(decision, world.chairman_office)
    bases = legal_bases(decision)
    assert bases[0] == "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;"
    assert any(b.startswith("Căn cứ Nghị định số 152/2025/NĐ-CP") for b in bases)
    assert (
        "Căn cứ Quyết định số 987/QĐ-UBND ngày 31/03/2025 của Ủy ban nhân dân tỉnh Thái Nguyên ban hành Kế hoạch"
        in " ".join(bases)
    )
    assert bases[-1] == "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV ngày 10/09/2025."
    assert all(b.endswith(";") for b in bases[:-1])


def test_a_wards_own_giay_khen_follows_the_same_path_with_its_own_header_and_head(world):
    dossier = ward_dossier(world, [("individual", "Đỗ Thị Lan"), ("collective", "Tổ dân phố 5")])
    with pytest.raises(PermissionDenied):
        draft_decision([dossier], actor=world.board_officer)
    decision = draft_decision([dossier], actor=world.ward_clerk)
    assert (decision.issuing_unit, decision.symbol, decision.place) == (world.ward, "QĐ-UBND", "Phan Đình Phùng")
    assert decision.authority == "commune_chairman"
    issue(decision, world.ward_head, submission_letter_number="", submission_letter_date=None, signer_authority="head")
    assert dict(decision.awards.values_list("subject_kind", "amount")) == {
        "individual": 710_000,
        "collective": 1_410_000,
    }
    assert legal_bases(decision)[-1] == "Theo đề nghị của Hội đồng Thi đua - Khen thưởng phường Phan Đình Phùng."
    with pytest.raises(PermissionDenied):
        sign_decision(decision, actor=world.chairman_office)
    other_ward = UnitFactory(code="05710", name="Phường Linh Sơn", kind="ward", parent=world.province)
    other_head = UserFactory(username="chutich.ls", role=Role.UNIT_HEAD, unit=other_ward)
    with pytest.raises(PermissionDenied):
        sign_decision(decision, actor=other_head)
    sign_decision(decision, actor=world.ward_head)
    dossier.refresh_from_db()
    assert decision.state == DecisionState.SIGNED and dossier.state == DossierState.DECIDED
