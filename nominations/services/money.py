"""Award money (domain rule 10, architecture principle 1).

Money = the coefficient of the dossier's rule set × the base salary in force on the decision date, rounded up to
the rule set's rounding step (NĐ 152/2025 Art. 49: 10,000 VND). Every number comes from the rule set and base
salary rows; none is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from competition.enums import SubjectKind
from competition.models import AwardType, RuleSet
from competition.services.rulesets import base_salary_on, blocking_unconfirmed


def award_amount(coefficient: Decimal, base_salary: int, rounding: int) -> int:
    """``coefficient`` × ``base_salary`` in đồng, rounded UP to a multiple of ``rounding`` (a rounding of 0 or
    less means whole đồng). Exact decimal arithmetic: 0.3 × 2,340,000 = 702,000 → 710,000 at a step of 10,000."""
    exact = Decimal(coefficient) * Decimal(base_salary)
    step = Decimal(rounding) if rounding and rounding > 0 else Decimal(1)
    return int((exact / step).to_integral_value(rounding=ROUND_CEILING) * step)


@dataclass(frozen=True)
class MoneyLine:
    """The money of one awardee: the values used and why it cannot be signed yet (empty ``blocking``: it can)."""

    coefficient: Decimal | None
    base_salary: int | None
    amount: int
    blocking: list[str] = field(default_factory=list)

    @property
    def signable(self) -> bool:
        return not self.blocking


def money_for(nominee_subject_kind: str, award_type: AwardType | str, rule_set: RuleSet, on_date: date) -> MoneyLine:
    """The money for one awardee of kind ``nominee_subject_kind`` (a ``SubjectKind``) with ``award_type`` (an
    ``AwardType`` or its code) under ``rule_set`` (the dossier's), on the decision date ``on_date``.

    A missing coefficient or base salary gives an amount of 0; ``blocking`` then says what is missing, and lists
    every unconfirmed value the computation uses (``competition.services.rulesets.blocking_unconfirmed``).
    No side effects. Raises ``ValueError`` for an unknown subject kind.
    """
    if nominee_subject_kind not in SubjectKind.values:
        raise ValueError(f"unknown subject kind: {nominee_subject_kind!r}")
    code = award_type if isinstance(award_type, str) else award_type.code
    # The stored values, not stale instances; the dossier's rule set decides the coefficient even when the caller
    # holds the award type of another rule set (the campaign's, say): the same code is looked up in ``rule_set``.
    rule_set = RuleSet.objects.get(pk=rule_set.pk)
    award = rule_set.award_types.filter(code=code).first()
    coefficient = award.coefficient_for(nominee_subject_kind) if award is not None else None
    salary = base_salary_on(on_date)
    base = salary.amount if salary is not None else None
    amount = award_amount(coefficient, base, rule_set.money_rounding) if coefficient is not None and base else 0
    blocking = [str(m) for m in blocking_unconfirmed(rule_set, code, nominee_subject_kind, on_date)]
    return MoneyLine(coefficient=coefficient, base_salary=base, amount=amount, blocking=blocking)


class MoneyTable:
    """``money_for`` of one decision (one rule set, award type and date) for each subject kind, computed once per
    kind: a decision with thousands of lines asks three times, not thousands."""

    def __init__(self, award_type: AwardType | str, rule_set: RuleSet, on_date: date):
        self.award_type, self.rule_set, self.on_date = award_type, rule_set, on_date
        self._lines: dict[str, MoneyLine] = {}

    def __getitem__(self, subject_kind: str) -> MoneyLine:
        if subject_kind not in self._lines:
            self._lines[subject_kind] = money_for(subject_kind, self.award_type, self.rule_set, self.on_date)
        return self._lines[subject_kind]
