"""The arithmetic of scoring (scoring/services/formulas.py): each formula at its edges, the caps, evidence, the
total and the classification; then properties over random tables and inputs (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.enums import CriterionKind, Formula
from scoring.services.formulas import (
    ClassSpec,
    CriterionSpec,
    TableSpec,
    Totals,
    achieved_ratio,
    classify,
    criterion_points,
    group_order,
    load_table,
    totals,
)

D = Decimal
NORMAL, BONUS, PENALTY = CriterionKind.NORMAL, CriterionKind.BONUS, CriterionKind.PENALTY


def leaf(pk=1, code="c", *, kind=NORMAL, base="10", formula=Formula.MANUAL, evidence=False, parent=None, **kw):
    return CriterionSpec(
        pk=pk,
        code=code,
        kind=kind,
        base=D(base),
        formula=formula,
        evidence_required=evidence,
        parent_id=parent,
        indicator_id=kw.pop("indicator_id", 7 if formula in (Formula.RATIO, Formula.STEPPED) else None),
        **kw,
    )


def table_of(criteria, classes=(), bonus_cap="3", penalty_cap="3"):
    criteria = tuple(criteria)
    return TableSpec(criteria, tuple(classes), D(bonus_cap), D(penalty_cap), group_order(criteria))


CLASSES = (
    ClassSpec("xuat_sac", "Xuất sắc", D(95), no_zero=True),
    ClassSpec("tot", "Tốt", D(85)),
    ClassSpec("hoan_thanh", "Hoàn thành", D(75)),
    ClassSpec("khong_hoan_thanh", "Không hoàn thành", D(0)),
)


# --- Each formula at its edges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "0"),
        ("-5", "0"),
        ("0", "0"),
        ("7.5", "7.5"),
        ("3.335", "3.34"),
        ("10", "10"),
        ("10.01", "10"),
        ("99", "10"),
    ],
)
def test_manual_is_clamped_to_zero_and_base(value, expected):
    assert criterion_points(leaf(), D(value) if value is not None else None) == D(expected)


def test_manual_is_clamped_to_the_cap_when_lower_than_base():
    assert criterion_points(leaf(cap=D(6)), D(8)) == D(6)
    assert criterion_points(leaf(cap=D(20)), D(15)) == D(10)


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("0", "0"), ("-1", "0"), ("1", "10"), ("0.5", "10")])
def test_fixed_is_all_or_nothing(value, expected):
    spec = leaf(formula=Formula.FIXED)
    assert criterion_points(spec, D(value) if value is not None else None) == D(expected)


def test_fixed_respects_a_lower_cap():
    assert criterion_points(leaf(formula=Formula.FIXED, cap=D(4)), D(1)) == D(4)


@pytest.mark.parametrize(
    ("achieved", "expected"),
    [(None, "0"), ("0", "0"), ("0.5", "15"), ("0.333", "9.99"), ("0.999", "29.97"), ("1", "30"), ("1.4", "30")],
)
def test_ratio_is_base_times_achieved_at_most_base(achieved, expected):
    spec = leaf(formula=Formula.RATIO, base="30")
    result = criterion_points(spec, D(99), achieved=D(achieved) if achieved is not None else None)
    assert result == D(expected)  # what was typed does not matter: the indicator decides


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "expected"),
    [
        (None, 10, 100, None),  # no data
        (5, 0, 100, None),  # nothing to divide by
        (5, None, 100, None),
        (0, 10, 100, D(0)),
        (40, 50, 80, D(1)),  # 80% of a target of 80%: reached exactly
        (64, 100, 80, D("0.8")),
        (90, 100, 100, D("0.9")),
        (3, 10, 0, D(1)),  # a target of 0 is always reached
    ],
)
def test_achieved_ratio(numerator, denominator, target, expected):
    assert achieved_ratio(numerator, denominator, D(target)) == expected


STEPS = ((D(100), D(20)), (D(80), D(14)), (D(50), D(8)))


@pytest.mark.parametrize(
    ("achieved", "expected"),
    [
        (None, "0"),
        ("0", "0"),
        ("0.4999", "0"),
        ("0.5", "8"),  # exactly at a threshold: that step
        ("0.7999", "8"),
        ("0.8", "14"),
        ("0.9999", "14"),
        ("1", "20"),
        ("2.5", "20"),
    ],
)
def test_stepped_takes_the_highest_step_reached(achieved, expected):
    spec = leaf(formula=Formula.STEPPED, base="20", steps=STEPS)
    assert criterion_points(spec, None, achieved=D(achieved) if achieved is not None else None) == D(expected)


def test_stepped_thresholds_reached_exactly_from_indicator_data():
    spec = leaf(formula=Formula.STEPPED, base="20", steps=STEPS)
    assert criterion_points(spec, None, achieved=achieved_ratio(4, 5, D(100))) == D(14)  # 80% exactly
    assert criterion_points(spec, None, achieved=achieved_ratio(40, 100, D(80))) == D(8)  # 50% of the target
    assert criterion_points(spec, None, achieved=achieved_ratio(39, 100, D(80))) == D(0)


def test_stepped_points_above_the_ceiling_are_capped():
    spec = leaf(formula=Formula.STEPPED, base="20", cap=D(15), steps=STEPS)
    assert criterion_points(spec, None, achieved=D(1)) == D(15)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (None, "0"),
        ("-3", "0"),
        ("0", "0"),
        ("0.99", "0"),
        ("1", "2"),
        ("4.9", "8"),
        ("5", "10"),
        ("6", "10"),
        ("40", "10"),
    ],
)
def test_capped_counts_whole_items_up_to_the_cap(items, expected):
    spec = leaf(formula=Formula.CAPPED, base="10", per_item=D(2), cap=D(10))
    assert criterion_points(spec, D(items) if items is not None else None) == D(expected)


def test_capped_stops_at_the_lower_of_cap_and_base():
    assert criterion_points(leaf(formula=Formula.CAPPED, base="10", per_item=D(4), cap=D(6)), D(2)) == D(6)
    assert criterion_points(leaf(formula=Formula.CAPPED, base="5", per_item=D("2.5"), cap=None), D(3)) == D(5)


@pytest.mark.parametrize(
    ("kind", "formula", "value", "achieved", "without", "with_"),
    [
        (NORMAL, Formula.MANUAL, "8", None, "0", "8"),
        (NORMAL, Formula.FIXED, "1", None, "0", "10"),
        (NORMAL, Formula.RATIO, None, "1", "0", "10"),
        (BONUS, Formula.MANUAL, "2", None, "0", "2"),
        (BONUS, Formula.CAPPED, "3", None, "0", "3"),
        (PENALTY, Formula.MANUAL, "2", None, "2", "2"),  # a penalty is the board's finding: no evidence needed
    ],
)
def test_missing_required_evidence_gives_zero_except_for_penalties(kind, formula, value, achieved, without, with_):
    spec = leaf(kind=kind, formula=formula, evidence=True, per_item=D(1) if formula == Formula.CAPPED else None)
    value = D(value) if value is not None else None
    achieved = D(achieved) if achieved is not None else None
    assert criterion_points(spec, value, has_evidence=False, achieved=achieved) == D(without)
    assert criterion_points(spec, value, has_evidence=True, achieved=achieved) == D(with_)


def test_a_group_has_no_points_of_its_own():
    with pytest.raises(ValueError):
        criterion_points(leaf(is_group=True), D(1))


# --- Totals ------------------------------------------------------------------------------------------------------


def test_a_group_is_the_sum_of_its_children_capped_at_its_base():
    group = leaf(1, "1", base="40", is_group=True)
    spec = table_of(
        [group, leaf(2, "1.1", base="30", parent=1), leaf(3, "1.2", base="30", parent=1), leaf(4, "2", base="60")]
    )
    result = totals(spec, {2: D(25), 3: D(20), 4: D(50)})
    assert result.by_code["1"] == D(40)  # 45 capped at 40
    assert result.normal == D(90)
    result = totals(spec, {2: D(10), 3: D(5), 4: D(50)})
    assert result.by_code["1"] == D(15)
    assert result.total == D(65)


def test_nested_groups_are_summed_deepest_first():
    spec = table_of(
        [
            leaf(1, "1", base="30", is_group=True),
            leaf(2, "1.1", base="20", parent=1, is_group=True),
            leaf(3, "1.1.1", base="15", parent=2),
            leaf(4, "1.1.2", base="15", parent=2),
            leaf(5, "1.2", base="20", parent=1),
        ]
    )
    result = totals(spec, {3: D(15), 4: D(15), 5: D(20)})
    assert result.by_code["1.1"] == D(20)
    assert result.by_code["1"] == D(30)
    assert result.total == D(30)


def test_bonus_and_penalty_are_capped_and_the_total_never_drops_below_zero():
    spec = table_of(
        [
            leaf(1, "1", base="100"),
            leaf(2, "T1", kind=BONUS, base="2"),
            leaf(3, "T2", kind=BONUS, base="2"),
            leaf(4, "P1", kind=PENALTY, base="3"),
            leaf(5, "P2", kind=PENALTY, base="3"),
        ]
    )
    result = totals(spec, {1: D(90), 2: D(2), 3: D(2), 4: D(3), 5: D(3)})
    assert (result.normal, result.bonus, result.penalty, result.total) == (D(90), D(3), D(3), D(90))
    result = totals(spec, {1: D(1), 4: D(3), 5: D(3)})
    assert result.total == D(0)
    assert spec.max_total == D(103)


def test_zero_codes_name_the_normal_leaves_at_zero():
    spec = table_of([leaf(1, "1", is_group=True), leaf(2, "1.1", parent=1), leaf(3, "2"), leaf(4, "T1", kind=BONUS)])
    assert totals(spec, {2: D(0), 3: D(5)}).zero_codes == ["1.1"]  # not the group, not the bonus


# --- Classification --------------------------------------------------------------------------------------------


def _class(total, zero_codes=(), penalty="0", classes=CLASSES):
    spec = table_of([], classes)
    return classify(spec, Totals(total=D(total), penalty=D(penalty), zero_codes=list(zero_codes)))


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("100", "xuat_sac"),
        ("95", "xuat_sac"),
        ("94.99", "tot"),
        ("85", "tot"),
        ("84.99", "hoan_thanh"),
        ("75", "hoan_thanh"),
        ("74.99", "khong_hoan_thanh"),
        ("0", "khong_hoan_thanh"),
    ],
)
def test_classes_by_threshold(total, expected):
    assert _class(total) == expected


def test_a_criterion_at_zero_downgrades_excellent():
    assert _class("98", zero_codes=["1.2"]) == "tot"
    assert _class("90", zero_codes=["1.2"]) == "tot"  # Tốt has no such rule


def test_downgrades_cascade_one_class_at_a_time():
    classes = (
        ClassSpec("a", "A", D(90), no_zero=True),
        ClassSpec("b", "B", D(80), no_zero=True),
        ClassSpec("c", "C", D(0)),
    )
    assert _class("95", zero_codes=["x"], classes=classes) == "c"
    assert _class("95", classes=classes) == "a"


def test_more_penalty_than_allowed_downgrades():
    classes = (ClassSpec("a", "A", D(90), max_penalty=D(1)), ClassSpec("b", "B", D(0)))
    assert _class("95", penalty="1", classes=classes) == "a"  # at the limit: allowed
    assert _class("95", penalty="1.5", classes=classes) == "b"


def test_no_class_reached():
    classes = (ClassSpec("a", "A", D(90)), ClassSpec("b", "B", D(50)))
    assert _class("49.99", classes=classes) == ""
    assert classify(table_of([]), Totals(total=D(80))) == ""


def test_load_table_reads_the_configuration(table):
    spec = load_table(table)
    by_code = {c.code: c for c in spec.criteria}
    assert by_code["1"].is_group and not by_code["1.1"].is_group
    assert by_code["3"].steps == ((D(100), D(20)), (D(80), D(14)), (D(50), D(8)))
    assert [k.code for k in spec.classes] == ["xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh"]
    assert spec.max_total == D(103)
    points = {
        by_code["1.1"].pk: criterion_points(by_code["1.1"], D(20), has_evidence=False),
        by_code["1.2"].pk: criterion_points(by_code["1.2"], D(1)),
        by_code["2"].pk: criterion_points(by_code["2"], None, achieved=D("0.9")),
        by_code["3"].pk: criterion_points(by_code["3"], None, achieved=D("0.9")),
        by_code["4"].pk: criterion_points(by_code["4"], D(7)),
    }
    result = totals(spec, points)
    assert result.total == D(20 + 27 + 14 + 10)
    assert result.zero_codes == ["1.1"]
    assert classify(spec, result) == "khong_hoan_thanh"


# --- Properties ---------------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)
points_st = st.decimals(min_value=D("0.01"), max_value=D(100), places=2, allow_nan=False, allow_infinity=False)
value_st = st.one_of(st.none(), st.decimals(min_value=D(-50), max_value=D(300), places=2, allow_nan=False))
achieved_st = st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D(3), places=4, allow_nan=False))


@st.composite
def leaf_fields(draw, kind=None):
    kind = kind or draw(st.sampled_from([NORMAL, NORMAL, BONUS, PENALTY]))
    base = draw(points_st)
    formulas = [Formula.MANUAL, Formula.FIXED, Formula.CAPPED]
    if kind != PENALTY:
        formulas += [Formula.RATIO, Formula.STEPPED]
    formula = draw(st.sampled_from(formulas))
    steps = ()
    if formula == Formula.STEPPED:
        thresholds = draw(st.lists(st.integers(0, 1000), min_size=1, max_size=4, unique=True))
        steps = tuple(
            sorted(
                ((D(t), draw(st.decimals(min_value=0, max_value=base, places=2))) for t in thresholds), reverse=True
            )
        )
    return {
        "kind": kind,
        "base": base,
        "formula": formula,
        "evidence_required": draw(st.booleans()),
        "steps": steps,
        "per_item": draw(points_st) if formula == Formula.CAPPED else None,
        "cap": draw(st.one_of(st.none(), points_st)),
    }


def _spec(pk, code, fields, parent=None, is_group=False):
    return CriterionSpec(
        pk=pk,
        code=code,
        parent_id=parent,
        indicator_id=1 if fields["formula"] in (Formula.RATIO, Formula.STEPPED) else None,
        is_group=is_group,
        **fields,
    )


@st.composite
def tables(draw):
    """A table of 1-6 top-level items, each a leaf or a group of 1-3 leaves of its kind; caps 0-10."""
    criteria = []
    pk = 0
    for top in range(draw(st.integers(1, 6))):
        pk += 1
        fields = draw(leaf_fields())
        children = draw(st.integers(0, 3))
        if children:
            group_pk = pk
            group = {**fields, "formula": Formula.MANUAL, "steps": (), "per_item": None, "cap": None}
            group["evidence_required"] = False
            criteria.append(_spec(group_pk, f"{top}", group, is_group=True))
            for child in range(children):
                pk += 1
                criteria.append(_spec(pk, f"{top}.{child}", draw(leaf_fields(kind=fields["kind"])), parent=group_pk))
        else:
            criteria.append(_spec(pk, f"{top}", fields))
    caps = st.decimals(min_value=0, max_value=10, places=2)
    return table_of(criteria, bonus_cap=draw(caps), penalty_cap=draw(caps))


def _ceiling(spec: CriterionSpec) -> Decimal:
    return spec.base if spec.cap is None else min(spec.base, spec.cap)


@PROPERTY_SETTINGS
@given(fields=leaf_fields(), value=value_st, evidence=st.booleans(), achieved=achieved_st)
def test_property_a_criterion_scores_between_zero_and_its_ceiling(fields, value, evidence, achieved):
    spec = _spec(1, "c", fields)
    points = criterion_points(spec, value, has_evidence=evidence, achieved=achieved)
    assert D(0) <= points <= _ceiling(spec)
    if spec.evidence_required and not evidence and spec.kind != PENALTY:
        assert points == 0


@PROPERTY_SETTINGS
@given(spec=tables(), data=st.data())
def test_property_totals_stay_within_bounds(spec, data):
    points = {
        c.pk: criterion_points(
            c, data.draw(value_st), has_evidence=data.draw(st.booleans()), achieved=data.draw(achieved_st)
        )
        for c in spec.leaves
    }
    result = totals(spec, points)
    for c in spec.criteria:
        assert D(0) <= result.by_code[c.code] <= _ceiling(c), c.code
    assert D(0) <= result.bonus <= spec.bonus_cap
    assert D(0) <= result.penalty <= spec.penalty_cap
    assert D(0) <= result.total <= spec.max_total


@st.composite
def class_lists(draw):
    """2-5 classes with distinct thresholds, one at 0, highest first; some with downgrade rules."""
    minimums = draw(st.lists(st.integers(1, 110), min_size=1, max_size=4, unique=True))
    classes = [
        ClassSpec(
            f"k{m}",
            f"K{m}",
            D(m),
            no_zero=draw(st.booleans()),
            max_penalty=draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=3, places=2))),
        )
        for m in sorted(minimums, reverse=True)
    ]
    return (*classes, ClassSpec("k0", "K0", D(0)))


@PROPERTY_SETTINGS
@given(
    classes=class_lists(),
    first=st.decimals(min_value=0, max_value=120, places=2),
    second=st.decimals(min_value=0, max_value=120, places=2),
)
def test_property_classification_is_monotone_in_the_total_without_downgrades(classes, first, second):
    """No criterion at zero and no penalty: no downgrade rule applies, so a higher total never gets a lower class."""
    spec = table_of([], classes)
    low, high = sorted((first, second))
    rank = [k.code for k in spec.classes]
    low_class = classify(spec, Totals(total=low))
    high_class = classify(spec, Totals(total=high))
    assert low_class and high_class
    assert rank.index(high_class) <= rank.index(low_class)


def test_a_number_too_large_for_a_score_is_refused_with_a_message():
    import pytest

    from scoring.services.tables import parse_number

    for raw in ("1e50", "1E+30", "9" * 40):
        with pytest.raises(ValueError, match="quá lớn"):
            parse_number(raw)
