"""The arithmetic of scoring (domain rule 12), in pure functions over a table loaded once: a criterion's points
from what was entered (or from indicator data), a scorecard's totals, its class. No database access here except
:func:`load_table`; everything is ``Decimal`` rounded to 0.01 (half up).

Formulas (``Criterion.formula``), each then capped at the criterion's ``cap`` (when set) and base points:

- ``manual``: the points entered, from 0 to the base points;
- ``fixed``: the base points when the criterion is met (value 1), else 0;
- ``ratio``: the base points × the achieved ratio of the linked indicator (the unit's percentage ÷ the target),
  at most 1;
- ``stepped``: the points of the highest step whose threshold (the achieved percentage of the target) is reached;
- ``capped``: the number of items entered (initiatives, models…) × the points per item, up to the cap.

A criterion that requires evidence scores 0 without it (bonus criteria too; penalties are the board's own finding
and need none). A group (a criterion with children) is the sum of its children, capped at its base points. Bonus
points are capped at the table's ``bonus_cap`` and penalty points at ``penalty_cap``; the total is normal + bonus -
penalty, never below 0. Classes: the highest class whose ``min_total`` is reached, moved down one class at a time
while a downgrade rule of the class applies (a leaf criterion at 0 when ``no_zero``, more penalty than
``max_penalty``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cached_property

from ..enums import CriterionKind, Formula

CENT = Decimal("0.01")
ZERO = Decimal("0")


def q(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionSpec:
    pk: int
    code: str
    kind: str
    base: Decimal
    formula: str
    evidence_required: bool
    parent_id: int | None
    indicator_id: int | None
    steps: tuple[tuple[Decimal, Decimal], ...] = ()
    per_item: Decimal | None = None
    cap: Decimal | None = None
    is_group: bool = False

    @property
    def automatic(self) -> bool:
        return self.formula in (Formula.RATIO, Formula.STEPPED)


@dataclass(frozen=True)
class ClassSpec:
    code: str
    label: str
    min_total: Decimal
    no_zero: bool = False
    max_penalty: Decimal | None = None


@dataclass(frozen=True)
class TableSpec:
    criteria: tuple[CriterionSpec, ...]
    classes: tuple[ClassSpec, ...]  # highest first
    bonus_cap: Decimal
    penalty_cap: Decimal
    groups: tuple[tuple[CriterionSpec, tuple[int, ...]], ...] = ()  # (group, its children's pks), deepest first

    @cached_property
    def leaves(self) -> tuple[CriterionSpec, ...]:
        return tuple(c for c in self.criteria if not c.is_group)

    @property
    def max_total(self) -> Decimal:
        """The highest total a scorecard can reach: the top-level normal criteria's base points plus the bonus cap."""
        top = sum((c.base for c in self.criteria if c.kind == CriterionKind.NORMAL and c.parent_id is None), ZERO)
        return q(top + self.bonus_cap)


def load_table(table) -> TableSpec:
    """Read a ``ScoringTable``'s criteria and classes once (two queries)."""
    rows = list(table.criteria.all())
    parents = {c.parent_id for c in rows if c.parent_id}
    criteria = tuple(
        CriterionSpec(
            pk=c.pk,
            code=c.code,
            kind=c.kind,
            base=q(c.base_points),
            formula=c.formula,
            evidence_required=c.evidence_required,
            parent_id=c.parent_id,
            indicator_id=c.indicator_id,
            steps=tuple(sorted(((Decimal(str(t)), Decimal(str(p))) for t, p in (c.steps or [])), reverse=True)),
            per_item=c.points_per_item,
            cap=c.cap,
            is_group=c.pk in parents,
        )
        for c in rows
    )
    classes = tuple(
        ClassSpec(k.code, k.label, q(k.min_total), k.no_zero, k.max_penalty)
        for k in sorted(table.classes.all(), key=lambda k: (-k.min_total, k.order))
    )
    return TableSpec(criteria, classes, q(table.bonus_cap), q(table.penalty_cap), group_order(criteria))


def group_order(criteria: tuple[CriterionSpec, ...]) -> tuple[tuple[CriterionSpec, tuple[int, ...]], ...]:
    """The groups with their children, deepest first (so a group's children are summed before the group)."""
    parent_of = {c.pk: c.parent_id for c in criteria}

    def depth(c: CriterionSpec) -> int:
        d, p = 0, c.parent_id
        while p:
            d, p = d + 1, parent_of.get(p)
        return d

    groups = sorted((c for c in criteria if c.is_group), key=depth, reverse=True)
    return tuple((g, tuple(c.pk for c in criteria if c.parent_id == g.pk)) for g in groups)


def achieved_ratio(numerator: int | None, denominator: int | None, target_percent) -> Decimal | None:
    """The unit's percentage ÷ the indicator's target (1 = the target reached); None without data."""
    if numerator is None or not denominator:
        return None
    target = Decimal(target_percent)
    if target <= 0:
        return Decimal(1)
    return Decimal(numerator) * 100 / Decimal(denominator) / target


def criterion_points(
    spec: CriterionSpec, value: Decimal | None, *, has_evidence: bool = True, achieved: Decimal | None = None
) -> Decimal:
    """The points of one criterion (see the module docstring). ``value``: what was entered; ``achieved``: the
    indicator's achieved ratio for automatic formulas."""
    if spec.is_group:
        raise ValueError("a group criterion has no points of its own")
    if spec.evidence_required and not has_evidence and spec.kind != CriterionKind.PENALTY:
        return ZERO
    value = Decimal(value) if value is not None else None
    if spec.formula == Formula.MANUAL:
        points = value if value is not None else ZERO
    elif spec.formula == Formula.FIXED:
        points = spec.base if value is not None and value > 0 else ZERO
    elif spec.formula == Formula.RATIO:
        points = spec.base * min(achieved, Decimal(1)) if achieved is not None else ZERO
    elif spec.formula == Formula.STEPPED:
        points = ZERO
        if achieved is not None:
            percent = achieved * 100
            for threshold, step_points in spec.steps:
                if percent >= threshold:
                    points = step_points
                    break
    elif spec.formula == Formula.CAPPED:
        items = value.to_integral_value(rounding=ROUND_FLOOR) if value is not None else ZERO
        points = items * (spec.per_item or ZERO)
    else:
        raise ValueError(spec.formula)
    ceiling = spec.base if spec.cap is None else min(spec.base, spec.cap)
    return q(min(max(points, ZERO), ceiling))


@dataclass
class Totals:
    normal: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    total: Decimal = ZERO
    zero_codes: list[str] = field(default_factory=list)  # leaf normal criteria at 0
    by_code: dict[str, Decimal] = field(default_factory=dict)  # every criterion, groups included


def totals(spec: TableSpec, points: Mapping[int, Decimal]) -> Totals:
    """Sum a scorecard's leaf points (``points``: criterion pk → points; a missing one counts 0)."""
    result = Totals()
    by_pk: dict[int, Decimal] = {c.pk: q(points.get(c.pk, ZERO)) for c in spec.leaves}
    # Groups, deepest first: the sum of their children, capped at their base points.
    for group, children in spec.groups:
        by_pk[group.pk] = q(min(sum((by_pk.get(k, ZERO) for k in children), ZERO), group.base))
    for c in spec.criteria:
        result.by_code[c.code] = by_pk[c.pk]
        if c.parent_id is not None:
            continue
        if c.kind == CriterionKind.NORMAL:
            result.normal += by_pk[c.pk]
        elif c.kind == CriterionKind.BONUS:
            result.bonus += by_pk[c.pk]
        else:
            result.penalty += by_pk[c.pk]
    result.zero_codes = [c.code for c in spec.leaves if c.kind == CriterionKind.NORMAL and by_pk[c.pk] == 0]
    result.bonus = q(min(result.bonus, spec.bonus_cap))
    result.penalty = q(min(result.penalty, spec.penalty_cap))
    result.normal = q(result.normal)
    result.total = q(max(result.normal + result.bonus - result.penalty, ZERO))
    return result


def classify(spec: TableSpec, result: Totals) -> str:
    """The class code of a scorecard's totals (``""`` when the table has no class reaching it)."""
    classes = list(spec.classes)
    index = next((i for i, k in enumerate(classes) if result.total >= k.min_total), None)
    if index is None:
        return ""
    while index < len(classes):
        k = classes[index]
        downgraded = (k.no_zero and result.zero_codes) or (
            k.max_penalty is not None and result.penalty > k.max_penalty
        )
        if not downgraded:
            return k.code
        index += 1
    return classes[-1].code
