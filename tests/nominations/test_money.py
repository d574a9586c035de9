"""Award money (domain rule 10): coefficient of the dossier's rule set × the base salary on the decision date,
rounded up to the rule set's step; the examples of domain.md and issue 3, on the real seeded rule sets."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from competition.enums import SubjectKind
from competition.models import RuleSet
from competition.services.rulesets import confirm_value
from nominations.services.money import MoneyLine, award_amount, money_for
from workflows import SYSTEM

BEFORE_2026 = date(2025, 9, 15)  # base salary 2,340,000 (NĐ 73/2024)
AFTER_2026 = date(2026, 7, 15)  # base salary 2,530,000 (NĐ 161/2026)


@pytest.mark.parametrize(
    ("coefficient", "base", "expected"),
    [
        ("1.5", 2_340_000, 3_510_000),  # Bằng khen, individual: exact
        ("0.3", 2_340_000, 710_000),  # Giấy khen, individual: 702,000 rounded UP
        ("1.5", 2_530_000, 3_800_000),  # 3,795,000 → 3,800,000
        ("3.0", 2_530_000, 7_590_000),  # collective: exact
        ("0.3", 2_530_000, 760_000),  # 759,000 → 760,000
        ("2.25", 2_340_000, 5_270_000),  # household: 5,265,000 → 5,270,000
        ("0.15", 1_800_000, 270_000),  # already a multiple: unchanged
    ],
)
def test_award_amount_rounds_up_to_the_step(coefficient, base, expected):
    assert award_amount(Decimal(coefficient), base, 10_000) == expected


def test_award_amount_without_a_step_keeps_whole_dong():
    assert award_amount(Decimal("0.333"), 1_000_001, 0) == 333_001  # 333,000.333 → up


@pytest.fixture
def seeded(db):
    call_command("seed_rules", verbosity=0)
    return RuleSet.objects.get(code="nd98-2023"), RuleSet.objects.get(code="nd152-2025")


def test_bang_khen_and_giay_khen_at_the_2024_base_salary(seeded):
    _nd98, nd152 = seeded
    line = money_for(SubjectKind.INDIVIDUAL, "bang_khen_tinh", nd152, BEFORE_2026)
    assert line == MoneyLine(Decimal("1.5"), 2_340_000, 3_510_000, [])
    assert line.signable
    assert money_for(SubjectKind.INDIVIDUAL, "giay_khen_xa", nd152, BEFORE_2026).amount == 710_000
    assert money_for(SubjectKind.COLLECTIVE, "bang_khen_tinh", nd152, BEFORE_2026).amount == 7_020_000


def test_a_decision_dated_after_1_july_2026_uses_the_newer_base_salary(seeded):
    _nd98, nd152 = seeded
    award = nd152.award_types.get(code="bang_khen_tinh")  # an AwardType works as well as its code
    individual = money_for(SubjectKind.INDIVIDUAL, award, nd152, AFTER_2026)
    assert (individual.base_salary, individual.amount) == (2_530_000, 3_800_000)
    assert money_for(SubjectKind.COLLECTIVE, award, nd152, AFTER_2026).amount == 7_590_000
    assert money_for(SubjectKind.INDIVIDUAL, "giay_khen_xa", nd152, AFTER_2026).amount == 760_000
    # The day before, the 2024 salary is still in force.
    assert money_for(SubjectKind.INDIVIDUAL, award, nd152, date(2026, 6, 30)).amount == 3_510_000


def test_nd98_coefficients_block_until_confirmed_then_apply_to_the_decision_date_salary(seeded):
    nd98, _nd152 = seeded
    line = money_for(SubjectKind.INDIVIDUAL, "bang_khen_tinh", nd98, BEFORE_2026)
    assert (line.coefficient, line.base_salary, line.amount) == (Decimal("1.0"), 2_340_000, 2_340_000)
    assert not line.signable
    text = " ".join(line.blocking)
    assert "hệ số tiền thưởng cá nhân" in text.lower() and "chưa được xác nhận" in text
    assert "làm tròn" in text

    award = nd98.award_types.get(code="bang_khen_tinh")
    confirm_value(award, "coefficient_individual", actor=SYSTEM)
    confirm_value(nd98, "money_rounding", actor=SYSTEM)
    assert money_for(SubjectKind.INDIVIDUAL, "bang_khen_tinh", nd98, BEFORE_2026) == MoneyLine(
        Decimal("1.0"), 2_340_000, 2_340_000, []
    )
    # The NĐ 98 coefficient, times the salary in force on a decision date after 01/7/2026.
    assert money_for(SubjectKind.INDIVIDUAL, "bang_khen_tinh", nd98, AFTER_2026).amount == 2_530_000
    # The collective coefficient is still unconfirmed.
    assert not money_for(SubjectKind.COLLECTIVE, "bang_khen_tinh", nd98, BEFORE_2026).signable


def test_missing_values_give_no_money_and_block(seeded):
    nd98, nd152 = seeded
    household = money_for(SubjectKind.HOUSEHOLD, "bang_khen_tinh", nd98, BEFORE_2026)
    assert household.coefficient is None and household.amount == 0
    assert any("Chưa có" in m for m in household.blocking)
    before_any_salary = money_for(SubjectKind.INDIVIDUAL, "bang_khen_tinh", nd152, date(2020, 1, 1))
    assert before_any_salary.amount == 0 and before_any_salary.base_salary is None
    assert any("mức lương cơ sở" in m for m in before_any_salary.blocking)
    unknown = money_for(SubjectKind.INDIVIDUAL, "khong_co", nd152, BEFORE_2026)
    assert unknown.amount == 0 and unknown.blocking
    with pytest.raises(ValueError):
        money_for("team", "bang_khen_tinh", nd152, BEFORE_2026)


def test_no_legal_number_is_a_literal_in_the_money_code():
    import ast
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "nominations" / "services" / "money.py").read_text()
    numbers = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and type(node.value) in (int, float)
    }
    decimals = [
        n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Decimal"
    ]
    assert numbers <= {0, 1}
    assert all(not isinstance(arg, ast.Constant) or arg.value in (0, 1) for call in decimals for arg in call.args)
