"""Editing scoring tables (domain rule 12): a table per campaign and subject, its tree of criteria, its classes and
its tie-break cascade; the demo tables of QĐ 987.

Rules kept here (the arithmetic is in ``formulas.py``):

- only the board edits (``scoring.change_scoringtable``); a person without it gets ``PermissionDenied``;
- a table is locked once one of its scorecards has been submitted (any state but draft; submitting also sets
  ``locked_at``, ``services/scorecards.py``): every change is then refused with :class:`TableLocked`;
- every change is checked against the whole table, and refused with a ``ValidationError`` whose messages (in
  Vietnamese, keyed by the form field when it is the edited item's) say what to fix: base points above 0 (at most 2
  decimals); ratio and stepped criteria take an indicator of the table's campaign; steps have distinct thresholds
  from 0 to 1000 (% of the target reached) and points from 0 to the base points, more points for a higher step;
  a capped criterion has its points per item; penalties are the board's own finding (no evidence, no indicator);
  codes are unique; the parent is a criterion of the table of the same kind, not in the criterion's own branch; a
  criterion with children is a group (its points are its children's sum, capped at its base points, so it has no
  formula, evidence requirement or cap of its own; its children's bases may add up to more than its own); class
  thresholds are distinct with one at 0; a tie-break step on a criterion names a criterion of the table;
- every change appends one audit event ``scoring.table.<what>`` on the table, in the change's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from competition.models import Campaign, Indicator, ReportingPeriod
from workflows import audit
from workflows.exceptions import TransitionRefused

from ..data import demo
from ..enums import Aggregation, CriterionKind, Formula, ScorecardState, Subject, TieBreak
from ..models import ClassThreshold, Criterion, ScoringTable, TieBreakStep

CENT = Decimal("0.01")
MAX_POINTS = Decimal("1000")
MAX_STEP_PERCENT = Decimal("1000")
CODE_MAX = 20
NAME_MAX = 500
CODE_RE = re.compile(r"^[\w.\-]+$")
CLASS_CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
TEMPLATES = (demo.TEMPLATE_QD987,)


class TableLocked(TransitionRefused):
    """The table has submitted scorecards: its configuration can no longer change."""


# --- Numbers ------------------------------------------------------------------------------------------------


def parse_number(raw: object) -> Decimal:
    """A number as people type it (``2,5`` or ``2.5``) or as a spreadsheet stores it; raises ``ValueError`` with a
    Vietnamese message. A float read from a spreadsheet is rounded to 2 decimals when it is one in disguise
    (14.000000000000002)."""
    if isinstance(raw, bool):
        raise ValueError(_("Phải là một số, ví dụ 10 hoặc 2,5."))
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(value - rounded) < Decimal("1e-9"):
            value = rounded
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text:
            if "." in text:
                raise ValueError(_("Phải là một số, ví dụ 10 hoặc 2,5."))
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Phải là một số, ví dụ 10 hoặc 2,5.")) from None
    if not value.is_finite():
        raise ValueError(_("Phải là một số, ví dụ 10 hoặc 2,5."))
    try:
        exact = value == value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # 1e50: more digits than a score can have
        raise ValueError(_("Số quá lớn.")) from None
    if not exact:
        raise ValueError(_("Chỉ được có tối đa 2 chữ số thập phân."))
    return value


def fmt(value: Decimal | int | float | None) -> str:
    """A number the way the interface language writes it, without trailing zeros: 2.50 → "2,5", 20.00 → "20"."""
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def _json_number(value: Decimal) -> int | float:
    whole = int(value)
    return whole if value == whole else float(value)


Steps = tuple[tuple[Decimal, Decimal], ...]

STEP_RE = re.compile(r"^([^:]+?)\s*%?\s*:\s*(.+)$")


def parse_steps(text: str) -> Steps:
    """``"100:20; 80:14"`` (percent of the target reached: points; separated by ``;`` or new lines) → the steps,
    highest threshold first. Raises ``ValueError`` naming the part to fix."""
    steps = []
    for part in (p.strip() for p in re.split(r"[;\n]+", text or "")):
        if not part:
            continue
        match = STEP_RE.match(part)
        if not match:
            raise ValueError(
                _("Bậc “%(part)s” không đúng dạng “tỷ lệ đạt (%%): điểm”, ví dụ “100:20; 80:14; 50:8”.")
                % {"part": part}
            )
        try:
            threshold = parse_number(match[1].strip().rstrip("%").strip())
            points = parse_number(match[2].strip())
        except ValueError as exc:
            raise ValueError(_("Bậc “%(part)s”: %(error)s") % {"part": part, "error": exc}) from None
        steps.append((threshold, points))
    return tuple(sorted(steps, key=lambda s: s[0], reverse=True))


def format_steps(steps: Iterable[Sequence]) -> str:
    """The steps as the export and the forms write them: ``"100:20; 80:14"``."""
    ordered = sorted(((Decimal(str(t)), Decimal(str(p))) for t, p in steps or ()), key=lambda s: s[0], reverse=True)
    return "; ".join(f"{fmt(t)}:{fmt(p)}" for t, p in ordered)


def _steps_of(raw) -> Steps:
    return tuple(sorted(((Decimal(str(t)), Decimal(str(p))) for t, p in raw or ()), key=lambda s: s[0], reverse=True))


# --- Drafts and their checks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing to fix: on the criterion, class or tie-break step ``code`` (a tie-break's position; "" for the
    table), in ``field`` (a form field name; "" for none)."""

    code: str
    field: str
    message: str


@dataclass(frozen=True)
class CriterionDraft:
    """A criterion as it would be stored: what the checks, the services and the import share."""

    code: str
    name: str
    base_points: Decimal | None
    kind: str = CriterionKind.NORMAL
    formula: str = Formula.MANUAL
    parent_code: str = ""
    indicator: Indicator | None = None
    steps: Steps = ()
    points_per_item: Decimal | None = None
    cap: Decimal | None = None
    evidence_required: bool = False
    guidance: str = ""

    @classmethod
    def of(cls, criterion: Criterion, code_of: dict[int, str]) -> CriterionDraft:
        return cls(
            code=criterion.code,
            name=criterion.name,
            base_points=criterion.base_points,
            kind=criterion.kind,
            formula=criterion.formula,
            parent_code=code_of.get(criterion.parent_id, "") if criterion.parent_id else "",
            indicator=criterion.indicator,
            steps=_steps_of(criterion.steps),
            points_per_item=criterion.points_per_item,
            cap=criterion.cap,
            evidence_required=criterion.evidence_required,
            guidance=criterion.guidance,
        )

    def normalised(self) -> CriterionDraft:
        """Text trimmed; what the formula does not use dropped (an indicator only for ratio and stepped criteria,
        steps only for stepped ones, points per item only for capped ones)."""
        automatic = self.formula in (Formula.RATIO, Formula.STEPPED)
        return replace(
            self,
            code=(self.code or "").strip(),
            name=(self.name or "").strip(),
            parent_code=(self.parent_code or "").strip(),
            guidance=(self.guidance or "").strip(),
            indicator=self.indicator if automatic else None,
            steps=tuple(sorted(self.steps, key=lambda s: s[0], reverse=True))
            if self.formula == Formula.STEPPED
            else (),
            points_per_item=self.points_per_item if self.formula == Formula.CAPPED else None,
        )

    def key(self) -> tuple:
        """What must be equal for two drafts of one code to be the same criterion."""
        return (
            self.name,
            self.kind,
            self.base_points,
            self.formula,
            self.parent_code,
            self.indicator.pk if self.indicator else None,
            self.steps,
            self.points_per_item,
            self.cap,
            self.evidence_required,
            self.guidance,
        )

    def model_values(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "base_points": self.base_points,
            "formula": self.formula,
            "indicator": self.indicator,
            "steps": [[_json_number(t), _json_number(p)] for t, p in self.steps],
            "points_per_item": self.points_per_item,
            "cap": self.cap,
            "evidence_required": self.evidence_required,
            "guidance": self.guidance,
        }

    def audit_values(self) -> dict:
        values = self.model_values()
        values["indicator"] = self.indicator.code if self.indicator else ""
        values["parent"] = self.parent_code
        return values


def _decimal_problem(value: Decimal | None) -> str | None:
    if value is not None and value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        return _("Chỉ được có tối đa 2 chữ số thập phân.")
    return None


def _check_criterion(d: CriterionDraft, campaign_id: int, add: Callable[[str, str], None]) -> None:
    """The checks of one criterion on its own."""
    if not d.code:
        add("code", _("Hãy nhập mã tiêu chí, ví dụ 1, 1.2 hoặc T1."))
    elif len(d.code) > CODE_MAX:
        add("code", _("Mã tiêu chí dài quá %(n)s ký tự.") % {"n": CODE_MAX})
    elif not CODE_RE.match(d.code):
        add("code", _("Mã tiêu chí chỉ gồm chữ, số, dấu chấm, gạch ngang, gạch dưới, không có dấu cách (ví dụ 1.2)."))
    if not d.name:
        add("name", _("Hãy nhập tên tiêu chí."))
    elif len(d.name) > NAME_MAX:
        add(
            "name",
            _("Tên tiêu chí dài quá %(n)s ký tự; hãy rút gọn và ghi phần còn lại vào hướng dẫn chấm.")
            % {"n": NAME_MAX},
        )
    if d.kind not in CriterionKind.values:
        add("kind", _("Loại phải là một trong: %(c)s.") % {"c": "; ".join(str(x.label) for x in CriterionKind)})
    if d.formula not in Formula.values:
        add("formula", _("Cách tính phải là một trong: %(c)s.") % {"c": "; ".join(str(x.label) for x in Formula)})
    base = d.base_points
    if base is None:
        add("base_points", _("Hãy nhập điểm chuẩn (lớn hơn 0)."))
    elif base <= 0:
        add("base_points", _("Điểm chuẩn phải lớn hơn 0."))
    elif base > MAX_POINTS:
        add("base_points", _("Điểm chuẩn không được quá %(max)s.") % {"max": fmt(MAX_POINTS)})
    elif problem := _decimal_problem(base):
        add("base_points", problem)
    if d.formula in (Formula.RATIO, Formula.STEPPED):
        label = Formula(d.formula).label
        if d.kind == CriterionKind.PENALTY:
            add(
                "formula",
                _(
                    "Điểm trừ do Ban xác định, không tính tự động theo chỉ tiêu: hãy chọn cách tính “%(manual)s”, "
                    "“%(fixed)s” hoặc “%(capped)s”."
                )
                % {"manual": Formula.MANUAL.label, "fixed": Formula.FIXED.label, "capped": Formula.CAPPED.label},
            )
        if d.indicator is None:
            add(
                "indicator",
                _("Cách tính “%(f)s” lấy số liệu từ một chỉ tiêu: hãy chọn chỉ tiêu của phong trào.") % {"f": label},
            )
        elif d.indicator.campaign_id != campaign_id:
            add("indicator", _("Chỉ tiêu “%(i)s” không thuộc phong trào của bảng điểm này.") % {"i": d.indicator})
    if d.kind == CriterionKind.PENALTY and d.evidence_required:
        add(
            "evidence_required",
            _("Điểm trừ là kết luận của Ban, đơn vị không phải nộp minh chứng: bỏ chọn “bắt buộc có minh chứng”."),
        )
    if d.formula == Formula.STEPPED:
        _check_steps(d, add)
    if d.formula == Formula.CAPPED:
        if d.points_per_item is None:
            add(
                "points_per_item",
                _("Cách tính “%(f)s” cần số điểm mỗi lần, ví dụ 2.") % {"f": Formula.CAPPED.label},
            )
        elif d.points_per_item <= 0:
            add("points_per_item", _("Điểm mỗi lần phải lớn hơn 0."))
        elif problem := _decimal_problem(d.points_per_item):
            add("points_per_item", problem)
    if d.cap is not None:
        if d.cap <= 0:
            add("cap", _("Điểm tối đa phải lớn hơn 0; để trống nếu điểm chuẩn đã là mức tối đa."))
        elif problem := _decimal_problem(d.cap):
            add("cap", problem)


def _check_steps(d: CriterionDraft, add: Callable[[str, str], None]) -> None:
    if not d.steps:
        add(
            "steps",
            _(
                "Cách tính theo bậc cần ít nhất một bậc, dạng “tỷ lệ đạt so với mục tiêu (%%): điểm”, ví dụ "
                "“100:20; 80:14; 50:8”."
            ),
        )
        return
    seen: set[Decimal] = set()
    for threshold, points in d.steps:
        if not (0 <= threshold <= MAX_STEP_PERCENT):
            add(
                "steps",
                _("Bậc %(t)s%%: tỷ lệ đạt phải từ 0 đến %(max)s (%%).")
                % {"t": fmt(threshold), "max": fmt(MAX_STEP_PERCENT)},
            )
        if threshold in seen:
            add("steps", _("Có hai bậc cùng tỷ lệ %(t)s%%: mỗi bậc một tỷ lệ khác nhau.") % {"t": fmt(threshold)})
        seen.add(threshold)
        if points < 0:
            add("steps", _("Bậc %(t)s%%: điểm không được âm.") % {"t": fmt(threshold)})
        elif d.base_points is not None and points > d.base_points:
            add(
                "steps",
                _("Bậc %(t)s%%: %(p)s điểm vượt điểm chuẩn (%(b)s).")
                % {"t": fmt(threshold), "p": fmt(points), "b": fmt(d.base_points)},
            )
        for problem in filter(None, (_decimal_problem(threshold), _decimal_problem(points))):
            add("steps", _("Bậc %(t)s%%: %(e)s") % {"t": fmt(threshold), "e": problem})
    for (high_t, high_p), (low_t, low_p) in zip(d.steps, d.steps[1:], strict=False):
        if high_p < low_p:
            add(
                "steps",
                _(
                    "Bậc %(ht)s%% (%(hp)s điểm) được ít điểm hơn bậc thấp hơn %(lt)s%% (%(lp)s điểm): "
                    "bậc cao hơn phải được bằng hoặc nhiều điểm hơn."
                )
                % {"ht": fmt(high_t), "hp": fmt(high_p), "lt": fmt(low_t), "lp": fmt(low_p)},
            )


def check_criteria(drafts: Sequence[CriterionDraft], campaign_id: int) -> list[Problem]:
    """Every problem of a whole tree of (normalised) criteria, each on its criterion's code and field."""
    problems: list[Problem] = []
    by_code: dict[str, CriterionDraft] = {}
    for d in drafts:

        def add(name: str, message: str, code: str = d.code) -> None:
            problems.append(Problem(code, name, message))

        _check_criterion(d, campaign_id, add)
        if d.code and d.code in by_code:
            add("code", _("Mã “%(code)s” đã có trong bảng điểm: hãy dùng mã khác.") % {"code": d.code})
        else:
            by_code.setdefault(d.code, d)
    parents = {d.parent_code for d in drafts if d.parent_code}
    for d in by_code.values():
        if not d.parent_code:
            continue
        parent = by_code.get(d.parent_code)
        if d.parent_code == d.code:
            problems.append(Problem(d.code, "parent", _("Tiêu chí không thể là tiêu chí con của chính nó.")))
        elif parent is None:
            problems.append(
                Problem(d.code, "parent", _("Bảng điểm không có tiêu chí mã “%(p)s”.") % {"p": d.parent_code})
            )
        elif _in_cycle(d.code, by_code):
            problems.append(
                Problem(
                    d.code,
                    "parent",
                    _(
                        "Tiêu chí cha “%(p)s” lại nằm trong nhánh của tiêu chí này (vòng lặp): "
                        "hãy chọn tiêu chí cha khác."
                    )
                    % {"p": d.parent_code},
                )
            )
        elif parent.kind != d.kind and parent.kind in CriterionKind.values:
            problems.append(
                Problem(
                    d.code,
                    "kind",
                    _("Tiêu chí con phải cùng loại với tiêu chí cha “%(p)s” (%(k)s).")
                    % {"p": parent.code, "k": CriterionKind(parent.kind).label},
                )
            )
    for code in sorted(parents & set(by_code)):
        group = by_code[code]
        wrong = next(
            (
                name
                for name, bad in (
                    ("formula", group.formula != Formula.MANUAL),
                    ("evidence_required", group.evidence_required),
                    ("cap", group.cap is not None),
                )
                if bad
            ),
            None,
        )
        if wrong:
            problems.append(
                Problem(
                    code,
                    wrong,
                    _(
                        "Tiêu chí “%(code)s” có tiêu chí con nên là một nhóm: điểm của nhóm là tổng điểm các tiêu chí "
                        "con, tối đa bằng điểm chuẩn. Hãy để cách tính “%(manual)s”, bỏ minh chứng bắt buộc và điểm "
                        "tối đa của nhóm (khai ở từng tiêu chí con)."
                    )
                    % {"code": code, "manual": Formula.MANUAL.label},
                )
            )
    return problems


def _in_cycle(code: str, by_code: dict[str, CriterionDraft]) -> bool:
    """Whether following the parents up from ``code`` comes back to it."""
    seen: set[str] = set()
    current = by_code[code].parent_code
    while current and current not in seen:
        if current == code:
            return True
        seen.add(current)
        parent = by_code.get(current)
        current = parent.parent_code if parent else ""
    return False


@dataclass(frozen=True)
class ClassDraft:
    code: str
    label: str
    min_total: Decimal | None
    no_zero: bool = False
    max_penalty: Decimal | None = None

    @classmethod
    def of(cls, k: ClassThreshold) -> ClassDraft:
        return cls(k.code, k.label, k.min_total, k.no_zero, k.max_penalty)

    def normalised(self) -> ClassDraft:
        return replace(self, code=(self.code or "").strip(), label=(self.label or "").strip())

    def key(self) -> tuple:
        return (self.label, self.min_total, self.no_zero, self.max_penalty)

    def model_values(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "min_total": self.min_total,
            "no_zero": self.no_zero,
            "max_penalty": self.max_penalty,
        }


def check_classes(drafts: Sequence[ClassDraft]) -> list[Problem]:
    problems: list[Problem] = []
    codes: set[str] = set()
    labels: set[str] = set()
    thresholds: dict[Decimal, str] = {}
    for k in drafts:

        def add(name: str, message: str, code: str = k.code) -> None:
            problems.append(Problem(code, name, message))

        if not k.code:
            add("code", _("Hãy nhập mã mức xếp loại, ví dụ xuat_sac."))
        elif len(k.code) > 30 or not CLASS_CODE_RE.match(k.code):
            add(
                "code",
                _(
                    "Mã mức xếp loại chỉ gồm chữ không dấu, số, gạch ngang, gạch dưới (tối đa 30 ký tự), "
                    "ví dụ xuat_sac."
                ),
            )
        elif k.code in codes:
            add("code", _("Mã “%(code)s” đã có: hãy dùng mã khác.") % {"code": k.code})
        codes.add(k.code)
        if not k.label:
            add("label", _("Hãy nhập tên mức xếp loại, ví dụ Xuất sắc."))
        elif len(k.label) > 100:
            add("label", _("Tên mức xếp loại dài quá 100 ký tự."))
        elif k.label.lower() in labels:
            add("label", _("Đã có mức xếp loại “%(label)s”.") % {"label": k.label})
        labels.add(k.label.lower())
        if k.min_total is None:
            add("min_total", _("Hãy nhập tổng điểm thấp nhất của mức này (0 cho mức thấp nhất)."))
        elif k.min_total < 0:
            add("min_total", _("Tổng điểm từ không được âm."))
        elif k.min_total > MAX_POINTS:
            add("min_total", _("Tổng điểm từ không được quá %(max)s.") % {"max": fmt(MAX_POINTS)})
        elif problem := _decimal_problem(k.min_total):
            add("min_total", problem)
        elif k.min_total in thresholds:
            add(
                "min_total",
                _("Mức “%(other)s” đã dùng ngưỡng %(t)s điểm: mỗi mức một ngưỡng khác nhau.")
                % {"other": thresholds[k.min_total], "t": fmt(k.min_total)},
            )
        else:
            thresholds[k.min_total] = k.label
        if k.max_penalty is not None:
            if k.max_penalty < 0:
                add("max_penalty", _("Điểm trừ không quá: không được âm; để trống nếu không giới hạn."))
            elif problem := _decimal_problem(k.max_penalty):
                add("max_penalty", problem)
    if Decimal(0) not in thresholds and not any(p.field == "min_total" for p in problems):
        problems.append(
            Problem(
                "",
                "min_total",
                _(
                    "Phải có một mức xếp loại từ 0 điểm (ví dụ “Không hoàn thành”) để tổng điểm nào cũng được xếp "
                    "loại."
                ),
            )
        )
    return problems


@dataclass(frozen=True)
class TieBreakDraft:
    kind: str
    criterion_code: str = ""
    threshold: Decimal | None = None

    @classmethod
    def of(cls, step: TieBreakStep, code_of: dict[int, str]) -> TieBreakDraft:
        return cls(step.kind, code_of.get(step.criterion_id, "") if step.criterion_id else "", step.threshold)

    def normalised(self) -> TieBreakDraft:
        return replace(
            self,
            criterion_code=(self.criterion_code or "").strip() if self.kind == TieBreak.CRITERION else "",
            threshold=self.threshold if self.kind == TieBreak.WOMEN else None,
        )

    def key(self) -> tuple:
        return (self.kind, self.criterion_code, self.threshold)


def check_tie_breaks(drafts: Sequence[TieBreakDraft], subject: str, criterion_codes: Iterable[str]) -> list[Problem]:
    """The problems of a cascade; each on its position (1, 2, …)."""
    codes = set(criterion_codes)
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    for position, step in enumerate(drafts, start=1):

        def add(name: str, message: str, code: str = str(position)) -> None:
            problems.append(Problem(code, name, message))

        if step.kind not in TieBreak.values:
            add(
                "kind",
                _("Cách phân định phải là một trong: %(c)s.") % {"c": "; ".join(str(x.label) for x in TieBreak)},
            )
            continue
        if step.kind == TieBreak.CRITERION:
            if not step.criterion_code:
                add(
                    "criterion",
                    _("Bước “%(k)s” cần chọn một tiêu chí của bảng điểm.") % {"k": TieBreak.CRITERION.label},
                )
            elif step.criterion_code not in codes:
                add("criterion", _("Bảng điểm không có tiêu chí mã “%(c)s”.") % {"c": step.criterion_code})
        if step.kind == TieBreak.NON_LEADER and subject != Subject.INDIVIDUAL:
            add("kind", _("Bước “%(k)s” chỉ dùng cho bảng điểm cá nhân.") % {"k": TieBreak.NON_LEADER.label})
        if step.kind == TieBreak.WOMEN:
            if step.threshold is None:
                if subject == Subject.COLLECTIVE:
                    add("threshold", _("Hãy nhập ngưỡng tỷ lệ nữ của tập thể (%), ví dụ 70."))
            elif not (0 < step.threshold <= 100):
                add("threshold", _("Ngưỡng tỷ lệ nữ phải lớn hơn 0 và không quá 100 (%)."))
            elif problem := _decimal_problem(step.threshold):
                add("threshold", problem)
        identity = (step.kind, step.criterion_code)
        if identity in seen:
            add("kind", _("Bước này trùng với bước thứ %(n)s.") % {"n": seen[identity]})
        else:
            seen[identity] = position
    return problems


def raise_problems(before: Iterable[Problem], after: Iterable[Problem], code: str) -> None:
    """Refuse a change that brings problems: those of the edited item (``code``) keyed by field, the others as
    messages naming their item. Problems already there before the change are not blamed on it."""
    old = set(before)
    new = [p for p in after if p not in old]
    if not new:
        return
    errors: dict[str, list[str]] = {}
    for p in new:
        if p.code == code and p.field:
            errors.setdefault(p.field, []).append(p.message)
        elif p.code and p.code != code:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("“%(code)s”: %(message)s") % {"code": p.code, "message": p.message}
            )
        else:
            errors.setdefault(NON_FIELD_ERRORS, []).append(p.message)
    raise ValidationError(errors)


# --- Locking and permissions ---------------------------------------------------------------------------------


def is_locked(table: ScoringTable) -> bool:
    """Whether the table's configuration is frozen: ``locked_at`` set, or a scorecard already submitted."""
    return table.locked_at is not None or table.scorecards.exclude(state=ScorecardState.DRAFT).exists()


def _is_system(actor) -> bool:
    return actor is None or getattr(actor, "is_system", False)


def require_change(actor, obj=None) -> None:
    if not _is_system(actor) and not actor.has_perm("scoring.change_scoringtable", obj):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng được sửa bảng chấm điểm."))


def locked_message(table: ScoringTable) -> str:
    if table.locked_at is not None:
        return _(
            "Bảng điểm “%(t)s” đã khoá từ %(at)s vì đã có phiếu chấm được nộp: không sửa được tiêu chí, xếp loại hay "
            "cách phân định nữa."
        ) % {"t": table, "at": timezone.localtime(table.locked_at).strftime("%d/%m/%Y %H:%M")}
    return _(
        "Bảng điểm “%(t)s” đã có phiếu chấm được nộp nên đã khoá: không sửa được tiêu chí, xếp loại hay cách phân "
        "định nữa."
    ) % {"t": table}


def lock_for_edit(table: ScoringTable, actor) -> ScoringTable:
    """The table re-read for a change, inside the caller's transaction: the permission checked, its row locked
    (PostgreSQL), and the change refused with :class:`TableLocked` when it is locked."""
    require_change(actor, table)
    fresh = ScoringTable.objects.select_for_update().select_related("campaign").get(pk=table.pk)
    if is_locked(fresh):
        raise TableLocked(locked_message(fresh))
    return fresh


def _for_audit(value):
    """Payload values as a reader of the trail expects them: 12.50 → "12.5", a period by its label."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, ReportingPeriod):
        return value.label
    if isinstance(value, dict):
        return {key: _for_audit(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_for_audit(item) for item in value]
    return value


def _record(actor, action: str, table: ScoringTable, payload: dict) -> None:
    audit.record(actor=actor, action=action, obj=table, payload=_for_audit(payload))


# --- The table -----------------------------------------------------------------------------------------------


def default_name(subject: str) -> str:
    return _("Bảng chấm điểm %(subject)s") % {"subject": str(Subject(subject).label).lower()}


def _criterion_drafts(table: ScoringTable) -> list[CriterionDraft]:
    rows = list(table.criteria.select_related("indicator"))
    code_of = {c.pk: c.code for c in rows}
    return [CriterionDraft.of(c, code_of) for c in rows]


def _class_drafts(table: ScoringTable) -> list[ClassDraft]:
    return [ClassDraft.of(k) for k in table.classes.order_by("-min_total", "order", "pk")]


def _tie_break_drafts(table: ScoringTable) -> list[TieBreakDraft]:
    code_of = dict(table.criteria.values_list("pk", "code"))
    return [TieBreakDraft.of(s, code_of) for s in table.tie_breaks.order_by("order", "pk")]


@transaction.atomic
def create_table(campaign: Campaign, subject: str, *, actor, name: str = "", template: str = "") -> ScoringTable:
    """A new scoring table for ``campaign`` and ``subject``: empty (with the default classes and tie-breaks), or
    from ``template`` (``"qd987"``: the demo tables of QĐ 987, whose automatic criteria need the campaign's
    indicators of the same codes). Raises ``ValidationError`` (Vietnamese) when the campaign already has a table
    for the subject or the template does not fit. Side effects: the table with its criteria, classes and
    tie-breaks; one audit event ``scoring.table.create``."""
    require_change(actor, campaign)
    if subject not in Subject.values:
        raise ValidationError({"subject": _("Hãy chọn đối tượng chấm: tập thể hoặc cá nhân.")})
    if template and template not in TEMPLATES:
        raise ValidationError({"template": _("Không có mẫu bảng điểm “%(t)s”.") % {"t": template}})
    if ScoringTable.objects.filter(campaign=campaign, subject=subject).exists():
        raise ValidationError(
            {
                "subject": _("Phong trào đã có bảng chấm điểm %(s)s: hãy sửa bảng đó.")
                % {"s": str(Subject(subject).label).lower()}
            }
        )
    spec = demo.DEMO_TABLES[subject] if template else None
    name = (name or "").strip() or (spec["name"] if spec else default_name(subject))
    if len(name) > 255:
        raise ValidationError({"name": _("Tên bảng điểm dài quá 255 ký tự.")})
    classes = [ClassDraft(*row) for row in demo.DEFAULT_CLASSES]
    if spec:
        criteria = _template_drafts(campaign, spec)
        tie_breaks = [_default_step(kind, code) for kind, code in spec["tie_breaks"]]
    else:
        criteria = []
        tie_breaks = [_default_step(kind) for kind in demo.DEFAULT_TIE_BREAKS[subject]]
    problems = (
        check_criteria(criteria, campaign.pk)
        + check_classes(classes)
        + check_tie_breaks(tie_breaks, subject, [d.code for d in criteria])
    )
    raise_problems([], problems, code="\0")
    table = ScoringTable.objects.create(campaign=campaign, subject=subject, name=name)
    apply_criteria(table, criteria)
    apply_classes(table, classes)
    apply_tie_breaks(table, tie_breaks)
    _record(
        actor,
        "scoring.table.create",
        table,
        {"subject": subject, "template": template, "criteria": len(criteria), "name": name},
    )
    return table


def _default_step(kind: str, code: str = "") -> TieBreakDraft:
    return TieBreakDraft(kind, code, demo.WOMEN_THRESHOLD if kind == TieBreak.WOMEN else None).normalised()


def _template_drafts(campaign: Campaign, spec: dict) -> list[CriterionDraft]:
    indicators = {i.code: i for i in campaign.indicators.all()}
    missing = sorted({row[6] for row in spec["criteria"] if row[6] and row[6] not in indicators})
    if missing:
        raise ValidationError(
            {
                "template": _(
                    "Mẫu bảng điểm này tính tự động theo các chỉ tiêu mã %(codes)s nhưng phong trào chưa có: hãy thêm "
                    "chỉ tiêu, hoặc tạo bảng trống rồi nhập tiêu chí."
                )
                % {"codes": ", ".join(missing)}
            }
        )
    drafts = []
    for code, parent, name, kind, base, formula, ind, steps, per_item, cap, evidence, guidance in spec["criteria"]:
        drafts.append(
            CriterionDraft(
                code=code,
                name=name,
                base_points=Decimal(str(base)),
                kind=kind,
                formula=formula,
                parent_code=parent,
                indicator=indicators.get(ind) if ind else None,
                steps=_steps_of(steps),
                points_per_item=Decimal(str(per_item)) if per_item is not None else None,
                cap=Decimal(str(cap)) if cap is not None else None,
                evidence_required=evidence,
                guidance=guidance,
            ).normalised()
        )
    return drafts


CRITERION_MODEL_FIELDS = (
    "name",
    "kind",
    "base_points",
    "formula",
    "indicator",
    "steps",
    "points_per_item",
    "cap",
    "evidence_required",
    "guidance",
)

TABLE_FIELDS = (
    "name",
    "aggregation",
    "tolerance",
    "min_assessors",
    "bonus_cap",
    "penalty_cap",
    "quota_percent",
    "indicator_period",
)


def _check_settings(table: ScoringTable, values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = values["name"]
    if not name:
        add("name", _("Hãy nhập tên bảng điểm."))
    elif len(name) > 255:
        add("name", _("Tên bảng điểm dài quá 255 ký tự."))
    if values["aggregation"] not in Aggregation.values:
        add("aggregation", _("Hãy chọn cách tổng hợp điểm của Ban."))
    for key in ("tolerance", "bonus_cap", "penalty_cap"):
        value = values[key]
        if value is None:
            add(key, _("Không được để trống (nhập 0 nếu không dùng)."))
        elif value < 0:
            add(key, _("Không được âm."))
        elif value > MAX_POINTS:
            add(key, _("Không được quá %(max)s.") % {"max": fmt(MAX_POINTS)})
        elif problem := _decimal_problem(value):
            add(key, problem)
    if not isinstance(values["min_assessors"], int) or not 1 <= values["min_assessors"] <= 50:
        add("min_assessors", _("Số thành viên chấm tối thiểu phải từ 1 đến 50."))
    quota = values["quota_percent"]
    if quota is not None and (not 0 < quota <= 100 or _decimal_problem(quota)):
        add("quota_percent", _("Tỷ lệ tối đa phải lớn hơn 0 và không quá 100 (%), tối đa 2 chữ số thập phân."))
    period = values["indicator_period"]
    if period is not None and period.campaign_id != table.campaign_id:
        add("indicator_period", _("Kỳ báo cáo này không thuộc phong trào của bảng điểm."))
    return errors


@transaction.atomic
def update_table(table: ScoringTable, *, actor, **changes) -> ScoringTable:
    """Change the table's own settings (``TABLE_FIELDS``: name, aggregation, tolerance, min_assessors, bonus_cap,
    penalty_cap, quota_percent, indicator_period). Side effects: one audit event ``scoring.table.update`` with the
    old and new values (none when nothing changed)."""
    unknown = set(changes) - set(TABLE_FIELDS)
    if unknown:
        raise ValueError(f"not a table setting: {sorted(unknown)}")
    fresh = lock_for_edit(table, actor)
    values = {key: getattr(fresh, key) for key in TABLE_FIELDS}
    values.update(changes)
    if isinstance(values["name"], str):
        values["name"] = values["name"].strip()
    errors = _check_settings(fresh, values)
    if errors:
        raise ValidationError(errors)
    diff = {key: [getattr(fresh, key), values[key]] for key in TABLE_FIELDS if getattr(fresh, key) != values[key]}
    if not diff:
        return fresh
    for key in diff:
        setattr(fresh, key, values[key])
    fresh.save(update_fields=list(diff))
    _record(actor, "scoring.table.update", fresh, {"changes": diff})
    return fresh


# --- Criteria ------------------------------------------------------------------------------------------------

CRITERION_FIELDS = (
    "code",
    "name",
    "kind",
    "base_points",
    "formula",
    "parent",
    "indicator",
    "steps",
    "points_per_item",
    "cap",
    "evidence_required",
    "guidance",
    "order",
)


def _draft_with(base: CriterionDraft, changes: dict) -> CriterionDraft:
    values = {k: v for k, v in changes.items() if k not in ("parent", "order", "steps")}
    if "parent" in changes:
        parent = changes["parent"]
        values["parent_code"] = parent.code if parent is not None else ""
    if "steps" in changes:
        values["steps"] = _steps_of(changes["steps"])
    return replace(base, **values).normalised()


def _check_parent_table(table: ScoringTable, parent: Criterion | None) -> None:
    if parent is not None and parent.table_id != table.pk:
        raise ValidationError({"parent": _("Tiêu chí cha phải thuộc cùng bảng điểm.")})


@transaction.atomic
def add_criterion(
    table: ScoringTable,
    *,
    actor,
    code: str,
    name: str,
    base_points: Decimal | None,
    kind: str = CriterionKind.NORMAL,
    formula: str = Formula.MANUAL,
    parent: Criterion | None = None,
    indicator: Indicator | None = None,
    steps: Iterable[Sequence] = (),
    points_per_item: Decimal | None = None,
    cap: Decimal | None = None,
    evidence_required: bool = False,
    guidance: str = "",
    order: int | None = None,
) -> Criterion:
    """Add a criterion (under ``parent``, or at the top); it goes last unless ``order`` says otherwise. Raises
    ``ValidationError`` / ``TableLocked`` / ``PermissionDenied``. Side effects: the criterion; one audit event
    ``scoring.table.add_criterion``."""
    fresh = lock_for_edit(table, actor)
    _check_parent_table(fresh, parent)
    before = _criterion_drafts(fresh)
    draft = _draft_with(
        CriterionDraft(code=code, name=name, base_points=base_points),
        {
            "kind": kind,
            "formula": formula,
            "parent": parent,
            "indicator": indicator,
            "steps": steps,
            "points_per_item": points_per_item,
            "cap": cap,
            "evidence_required": evidence_required,
            "guidance": guidance,
        },
    )
    after = [*before, draft]
    raise_problems(check_criteria(before, fresh.campaign_id), check_criteria(after, fresh.campaign_id), draft.code)
    if order is None:
        order = max(fresh.criteria.values_list("order", flat=True), default=0) + 1
    criterion = Criterion.objects.create(table=fresh, parent=parent, order=order, **draft.model_values())
    _record(
        actor,
        "scoring.table.add_criterion",
        fresh,
        {"code": draft.code, "values": draft.audit_values()},
    )
    return criterion


@transaction.atomic
def update_criterion(criterion: Criterion, *, actor, **changes) -> Criterion:
    """Change a criterion (any of ``CRITERION_FIELDS``; ``parent`` a criterion of the same table or None). Side
    effects: one audit event ``scoring.table.update_criterion`` with the changed values (none when nothing
    changed)."""
    unknown = set(changes) - set(CRITERION_FIELDS)
    if unknown:
        raise ValueError(f"not a criterion field: {sorted(unknown)}")
    fresh = lock_for_edit(criterion.table, actor)
    current = Criterion.objects.select_related("indicator", "parent").get(pk=criterion.pk, table=fresh)
    _check_parent_table(fresh, changes.get("parent"))
    before = _criterion_drafts(fresh)
    old = next(d for d in before if d.code == current.code)
    draft = _draft_with(old, {k: v for k, v in changes.items() if k != "order"})
    after = []
    for d in before:
        if d.code == old.code:
            after.append(draft)
        elif d.parent_code == old.code and draft.code != old.code:
            after.append(replace(d, parent_code=draft.code))  # the children follow a renamed code
        else:
            after.append(d)
    raise_problems(check_criteria(before, fresh.campaign_id), check_criteria(after, fresh.campaign_id), draft.code)
    old_values, new_values = old.audit_values(), draft.audit_values()
    diff = {k: [old_values[k], new_values[k]] for k in new_values if old_values[k] != new_values[k]}
    if "order" in changes and changes["order"] != current.order:
        diff["order"] = [current.order, changes["order"]]
        current.order = changes["order"]
    if not diff:
        return current
    for key, value in draft.model_values().items():
        setattr(current, key, value)
    if "parent" in changes:
        current.parent = changes["parent"]
    current.save()
    _record(
        actor,
        "scoring.table.update_criterion",
        fresh,
        {"code": old.code, "changes": diff},
    )
    return current


def descendants(criterion: Criterion) -> list[Criterion]:
    """The criterion's sub-criteria, all levels down."""
    rows = list(criterion.table.criteria.all())
    found, frontier = [], [criterion.pk]
    while frontier:
        children = [c for c in rows if c.parent_id in frontier]
        found.extend(children)
        frontier = [c.pk for c in children]
    return found


@transaction.atomic
def delete_criterion(criterion: Criterion, *, actor) -> list[str]:
    """Delete a criterion with its sub-criteria (and the tie-break steps on them). Returns the deleted codes.
    Side effects: one audit event ``scoring.table.delete_criterion``."""
    fresh = lock_for_edit(criterion.table, actor)
    current = Criterion.objects.get(pk=criterion.pk, table=fresh)
    gone = [current, *descendants(current)]
    pks = [c.pk for c in gone]
    steps = list(fresh.tie_breaks.filter(criterion_id__in=pks).values_list("order", flat=True))
    fresh.criteria.filter(pk__in=pks).delete()
    codes = [c.code for c in gone]
    _record(
        actor,
        "scoring.table.delete_criterion",
        fresh,
        {"code": current.code, "deleted": codes, "tie_breaks_deleted": steps},
    )
    return codes


# --- Classes -------------------------------------------------------------------------------------------------

CLASS_FIELDS = ("code", "label", "min_total", "no_zero", "max_penalty")


@transaction.atomic
def add_class(
    table: ScoringTable,
    *,
    actor,
    code: str,
    label: str,
    min_total: Decimal | None,
    no_zero: bool = False,
    max_penalty: Decimal | None = None,
) -> ClassThreshold:
    """Add a class (xếp loại) reached from ``min_total``; ``no_zero`` and ``max_penalty`` are its downgrade rules.
    Side effects: one audit event ``scoring.table.add_class``."""
    fresh = lock_for_edit(table, actor)
    before = _class_drafts(fresh)
    draft = ClassDraft(code, label, min_total, no_zero, max_penalty).normalised()
    raise_problems(check_classes(before), check_classes([*before, draft]), draft.code)
    order = max(fresh.classes.values_list("order", flat=True), default=0) + 1
    threshold = ClassThreshold.objects.create(table=fresh, order=order, **draft.model_values())
    _record(
        actor,
        "scoring.table.add_class",
        fresh,
        {"code": draft.code, "values": draft.model_values()},
    )
    return threshold


@transaction.atomic
def update_class(threshold: ClassThreshold, *, actor, **changes) -> ClassThreshold:
    """Change a class (any of ``CLASS_FIELDS``). Side effects: one audit event ``scoring.table.update_class``
    (none when nothing changed)."""
    unknown = set(changes) - set(CLASS_FIELDS)
    if unknown:
        raise ValueError(f"not a class field: {sorted(unknown)}")
    fresh = lock_for_edit(threshold.table, actor)
    current = ClassThreshold.objects.get(pk=threshold.pk, table=fresh)
    before = _class_drafts(fresh)
    old = ClassDraft.of(current)
    draft = replace(old, **changes).normalised()
    after = [draft if d.code == old.code else d for d in before]
    raise_problems(check_classes(before), check_classes(after), draft.code)
    old_values, new_values = old.model_values(), draft.model_values()
    diff = {k: [old_values[k], new_values[k]] for k in new_values if old_values[k] != new_values[k]}
    if not diff:
        return current
    for key, value in new_values.items():
        setattr(current, key, value)
    current.save()
    _record(actor, "scoring.table.update_class", fresh, {"code": old.code, "changes": diff})
    return current


@transaction.atomic
def delete_class(threshold: ClassThreshold, *, actor) -> None:
    """Delete a class; the class from 0 points cannot go (every total must be classified). Side effects: one audit
    event ``scoring.table.delete_class``."""
    fresh = lock_for_edit(threshold.table, actor)
    current = ClassThreshold.objects.get(pk=threshold.pk, table=fresh)
    before = _class_drafts(fresh)
    after = [d for d in before if d.code != current.code]
    raise_problems(check_classes(before), check_classes(after), current.code)
    current.delete()
    _record(
        actor,
        "scoring.table.delete_class",
        fresh,
        {"code": current.code, "label": current.label},
    )


# --- Tie-breaks ----------------------------------------------------------------------------------------------


def _renumber(table: ScoringTable, steps: list[TieBreakStep]) -> None:
    for position, step in enumerate(steps, start=1):
        step.order = position
    TieBreakStep.objects.bulk_update(steps, ["order"])


@transaction.atomic
def add_tie_break(
    table: ScoringTable,
    *,
    actor,
    kind: str,
    criterion: Criterion | None = None,
    threshold: Decimal | None = None,
    position: int | None = None,
) -> TieBreakStep:
    """Add a step to the tie-break cascade, last or at ``position`` (1 = first). Side effects: one audit event
    ``scoring.table.add_tie_break``."""
    fresh = lock_for_edit(table, actor)
    if criterion is not None and criterion.table_id != fresh.pk:
        raise ValidationError({"criterion": _("Tiêu chí phải thuộc bảng điểm này.")})
    steps = list(fresh.tie_breaks.order_by("order", "pk"))
    before = _tie_break_drafts(fresh)
    draft = TieBreakDraft(kind, criterion.code if criterion else "", threshold).normalised()
    position = len(steps) + 1 if position is None else max(1, min(position, len(steps) + 1))
    after = [*before]
    after.insert(position - 1, draft)
    codes = list(fresh.criteria.values_list("code", flat=True))
    raise_problems(
        check_tie_breaks(before, fresh.subject, codes), check_tie_breaks(after, fresh.subject, codes), str(position)
    )
    step = TieBreakStep.objects.create(
        table=fresh,
        order=position,
        kind=draft.kind,
        criterion=criterion if draft.kind == TieBreak.CRITERION else None,
        threshold=draft.threshold,
    )
    steps.insert(position - 1, step)
    _renumber(fresh, steps)
    _record(
        actor,
        "scoring.table.add_tie_break",
        fresh,
        {
            "position": position,
            "kind": draft.kind,
            "criterion": draft.criterion_code,
            "threshold": draft.threshold,
        },
    )
    return step


@transaction.atomic
def move_tie_break(step: TieBreakStep, *, actor, position: int) -> TieBreakStep:
    """Move a step of the cascade to ``position`` (1 = first). Side effects: one audit event
    ``scoring.table.move_tie_break`` (none when it does not move)."""
    fresh = lock_for_edit(step.table, actor)
    steps = list(fresh.tie_breaks.order_by("order", "pk"))
    current = next(s for s in steps if s.pk == step.pk)
    old = steps.index(current) + 1
    position = max(1, min(position, len(steps)))
    if position == old:
        return current
    steps.remove(current)
    steps.insert(position - 1, current)
    _renumber(fresh, steps)
    _record(
        actor,
        "scoring.table.move_tie_break",
        fresh,
        {"kind": current.kind, "from": old, "to": position},
    )
    return current


@transaction.atomic
def delete_tie_break(step: TieBreakStep, *, actor) -> None:
    """Remove a step of the cascade. Side effects: one audit event ``scoring.table.delete_tie_break``."""
    fresh = lock_for_edit(step.table, actor)
    steps = list(fresh.tie_breaks.order_by("order", "pk"))
    current = next(s for s in steps if s.pk == step.pk)
    position = steps.index(current) + 1
    code = current.criterion.code if current.criterion_id else ""
    current.delete()
    steps.remove(current)
    _renumber(fresh, steps)
    _record(
        actor,
        "scoring.table.delete_tie_break",
        fresh,
        {"position": position, "kind": current.kind, "criterion": code},
    )


# --- Replacing a whole configuration (templates, the import) ---------------------------------------------------


@dataclass
class Changes:
    """What replacing a part of the table does (or did): counts of items new, changed, unchanged, deleted."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted)


def _sibling_ranks(items: Sequence[tuple[str, str]]) -> dict[str, int]:
    """(code, parent code) in display order → each code's position among its siblings."""
    counters: dict[str, int] = {}
    ranks = {}
    for code, parent in items:
        ranks[code] = counters.get(parent, 0)
        counters[parent] = ranks[code] + 1
    return ranks


def apply_criteria(table: ScoringTable, drafts: Sequence[CriterionDraft], *, write: bool = True) -> Changes:
    """Make the table's criteria exactly ``drafts`` (checked, normalised, in display order), matched by code: the
    codes kept keep their rows (and the scorecard entries on them). With ``write=False``, only count."""
    existing = {c.code: c for c in table.criteria.select_related("indicator").order_by("order", "pk")}
    code_of = {c.pk: c.code for c in existing.values()}
    old = {code: CriterionDraft.of(c, code_of) for code, c in existing.items()}
    old_rank = _sibling_ranks([(code, d.parent_code) for code, d in old.items()])
    new_rank = _sibling_ranks([(d.code, d.parent_code) for d in drafts])
    changes = Changes()
    for d in drafts:
        if d.code not in old:
            changes.new += 1
        elif old[d.code].key() == d.key() and old_rank[d.code] == new_rank[d.code]:
            changes.unchanged += 1
        else:
            changes.updated += 1
    wanted = {d.code for d in drafts}
    gone = [c.pk for code, c in existing.items() if code not in wanted]
    changes.deleted = len(gone)
    if not write or not changes.changed:
        return changes
    rows: dict[str, Criterion] = {}
    for position, d in enumerate(drafts, start=1):
        row = existing.get(d.code) or Criterion(table=table)
        for key, value in d.model_values().items():
            setattr(row, key, value)
        row.order = position
        if row.pk is None:
            row.parent = None
            row.save()
        rows[d.code] = row
    for d in drafts:
        rows[d.code].parent = rows[d.parent_code] if d.parent_code else None
    if rows:
        Criterion.objects.bulk_update(list(rows.values()), ["parent", "order", *CRITERION_MODEL_FIELDS])
    if gone:
        Criterion.objects.filter(pk__in=gone).delete()
    return changes


def apply_classes(table: ScoringTable, drafts: Sequence[ClassDraft], *, write: bool = True) -> Changes:
    """Make the table's classes exactly ``drafts`` (matched by code)."""
    existing = {k.code: k for k in table.classes.all()}
    changes = Changes()
    for d in drafts:
        if d.code not in existing:
            changes.new += 1
        elif ClassDraft.of(existing[d.code]).key() == d.key():
            changes.unchanged += 1
        else:
            changes.updated += 1
    gone = [k.pk for code, k in existing.items() if code not in {d.code for d in drafts}]
    changes.deleted = len(gone)
    if not write or not changes.changed:
        return changes
    if gone:
        ClassThreshold.objects.filter(pk__in=gone).delete()
    for position, d in enumerate(drafts, start=1):
        row = existing.get(d.code) or ClassThreshold(table=table)
        for key, value in d.model_values().items():
            setattr(row, key, value)
        row.order = position
        row.save()
    return changes


def apply_tie_breaks(table: ScoringTable, drafts: Sequence[TieBreakDraft], *, write: bool = True) -> Changes:
    """Make the table's cascade exactly ``drafts``, compared position by position (the criteria are in place)."""
    before = _tie_break_drafts(table)
    changes = Changes()
    for position, d in enumerate(drafts):
        if position >= len(before):
            changes.new += 1
        elif before[position].normalised().key() == d.key():
            changes.unchanged += 1
        else:
            changes.updated += 1
    changes.deleted = max(0, len(before) - len(drafts))
    if not write or not changes.changed:
        return changes
    pk_of = dict(table.criteria.values_list("code", "pk"))
    table.tie_breaks.all().delete()
    TieBreakStep.objects.bulk_create(
        TieBreakStep(
            table=table,
            order=position,
            kind=d.kind,
            criterion_id=pk_of.get(d.criterion_code) if d.criterion_code else None,
            threshold=d.threshold,
        )
        for position, d in enumerate(drafts, start=1)
    )
    return changes


# --- The demo ------------------------------------------------------------------------------------------------


def seed_demo_tables(campaign: Campaign, *, actor) -> list[ScoringTable]:
    """The QĐ 987 tables (collectives, individuals) for ``campaign``; a subject that already has a table keeps it
    as it is, so running it again changes nothing. Side effects: the tables created, one audit event each."""
    tables = []
    for subject in (Subject.COLLECTIVE, Subject.INDIVIDUAL):
        table = ScoringTable.objects.filter(campaign=campaign, subject=subject).first()
        if table is None:
            table = create_table(campaign, subject, actor=actor, template=demo.TEMPLATE_QD987)
        tables.append(table)
    return tables


# --- Reading a table -----------------------------------------------------------------------------------------


def points_ceiling(criterion: Criterion) -> Decimal:
    """The most points a (leaf) criterion can give: its base points, or its cap when lower."""
    if criterion.cap is not None and criterion.cap < criterion.base_points:
        return criterion.cap
    return criterion.base_points


def describe_formula(criterion: Criterion, *, is_group: bool = False) -> str:
    """The criterion's way of scoring, in words (Vietnamese)."""
    top = fmt(points_ceiling(criterion))
    if is_group:
        return _("Tổng điểm các tiêu chí con, tối đa %(base)s điểm.") % {"base": fmt(criterion.base_points)}
    indicator = criterion.indicator
    penalty = criterion.kind == CriterionKind.PENALTY
    if criterion.formula == Formula.MANUAL:
        text = (_("Ban trừ từ 0 đến %(max)s điểm.") if penalty else _("Người chấm cho từ 0 đến %(max)s điểm.")) % {
            "max": top
        }
    elif criterion.formula == Formula.FIXED:
        text = (
            _("Có vi phạm: trừ %(max)s điểm; không: 0 điểm.")
            if penalty
            else _("Đạt: %(max)s điểm; không đạt: 0 điểm.")
        ) % {"max": top}
    elif criterion.formula == Formula.RATIO:
        text = _(
            "Tỷ lệ đạt chỉ tiêu %(ind)s so với mục tiêu %(target)s%% (vượt mục tiêu tính như đạt) × %(base)s điểm, "
            "tối đa %(max)s điểm; chưa có số liệu: 0 điểm."
        ) % {
            "ind": indicator.code if indicator else "?",
            "target": fmt(indicator.target_percent) if indicator else "?",
            "base": fmt(criterion.base_points),
            "max": top,
        }
    elif criterion.formula == Formula.STEPPED:
        steps = "; ".join(
            _("từ %(t)s%% mục tiêu: %(p)s điểm") % {"t": fmt(t), "p": fmt(min(p, points_ceiling(criterion)))}
            for t, p in _steps_of(criterion.steps)
        )
        text = _(
            "Theo mức đạt chỉ tiêu %(ind)s (mục tiêu %(target)s%%): %(steps)s; thấp hơn hoặc chưa có số liệu: 0 điểm."
        ) % {
            "ind": indicator.code if indicator else "?",
            "target": fmt(indicator.target_percent) if indicator else "?",
            "steps": steps,
        }
    else:
        values = {"per": fmt(criterion.points_per_item), "max": top}
        if penalty:
            text = _("Trừ %(per)s điểm mỗi lần, tối đa %(max)s điểm.") % values
        else:
            text = _("%(per)s điểm mỗi lần (mỗi mục đếm được theo hướng dẫn), tối đa %(max)s điểm; số lẻ bỏ.") % values
    if criterion.evidence_required and criterion.kind != CriterionKind.PENALTY:
        text += " " + _("Bắt buộc có minh chứng: thiếu minh chứng thì 0 điểm.")
    return text


@dataclass
class TreeRow:
    criterion: Criterion
    depth: int
    is_group: bool
    description: str
    children_total: Decimal | None = None  # a group's children's base points, when more than its own
    children: list[TreeRow] = field(default_factory=list)


def criteria_tree(table: ScoringTable) -> list[TreeRow]:
    """The criteria in display order (each group followed by its children, by ``order``), with their depth and
    their formula in words."""
    rows = list(table.criteria.select_related("indicator").order_by("order", "pk"))
    children: dict[int | None, list[Criterion]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    out: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for c in children.get(parent_id, []):
            kids = children.get(c.pk, [])
            row = TreeRow(c, depth, bool(kids), describe_formula(c, is_group=bool(kids)))
            if kids:
                total = sum((k.base_points for k in kids), Decimal(0))
                row.children_total = total if total != c.base_points else None
            out.append(row)
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


@dataclass
class TableSummary:
    normal: Decimal
    bonus: Decimal
    penalty: Decimal
    locked: bool


def table_summary(table: ScoringTable) -> TableSummary:
    """The top-level base points of each kind (the normal ones should make 100) and whether the table is locked."""
    sums = {kind: Decimal(0) for kind in CriterionKind.values}
    for kind, base in table.criteria.filter(parent__isnull=True).values_list("kind", "base_points"):
        sums[kind] += base
    return TableSummary(
        sums[CriterionKind.NORMAL], sums[CriterionKind.BONUS], sums[CriterionKind.PENALTY], is_locked(table)
    )
