"""Payment of award money and the emulation fund (issue 7 item 4; domain step 14).

- **Each award line has a payment state** (``Award.payment_state``): due → paid (the board, or the unit for its own
  Giấy khen, records the payment voucher and date) → to recover (the award was revoked after it was paid) →
  recovered. A line revoked before payment is cancelled instead. Every change goes through the door, one audit
  event per line.
- **The payment list** for the finance office: awardee, unit, amount, state and the total, as XLSX.
- **The fund** (quỹ thi đua, khen thưởng) of a body is its entries (allocations from the budget, contributions,
  other spending: ``FundEntry``) plus the payouts and recoveries of its own decisions. A year's balance is
  computed, never stored: opening (everything before the year) + income − payouts + recoveries − other spending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import Unit
from workflows import SYSTEM, audit
from workflows import transition as door_transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.exports import Styled, xlsx_bytes

from ..enums import ISSUED_DECISION_STATES, FundEntryKind, PaymentState
from ..models import Award, AwardDecision, FundEntry

INCOME_KINDS = (FundEntryKind.ALLOCATION, FundEntryKind.CONTRIBUTION)
MONEY_FORMAT = "#,##0"


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _require(actor, perm: str, obj, message: str) -> None:
    if getattr(actor, "is_system", False):
        return
    if not actor.has_perm(perm, obj):
        raise TransitionForbidden(message)


# --- Payments -------------------------------------------------------------------------------------------------


def record_payments(
    decision: AwardDecision, *, actor, paid_on: date, reference: str = "", award_ids=None
) -> list[Award]:
    """Record that the money of the lines ``award_ids`` of ``decision`` (every line still due when ``None``) was
    paid on ``paid_on`` under the voucher ``reference``.

    All or nothing: refused with every reason when the decision is not signed, the date is before the decision
    or in the future, or a chosen line is not due (paid already, cancelled, revoked). Permission:
    ``nominations.pay_award`` (the fund's manager). Side effects: the door's ``pay`` on each line (one audit event
    each). Returns the lines paid.
    """
    _require(
        actor,
        "nominations.pay_award",
        decision,
        _("Bạn không có quyền ghi nhận chi tiền thưởng của quyết định “%(d)s”.") % {"d": decision},
    )
    reference = (reference or "").strip()
    problems = []
    if decision.state not in ISSUED_DECISION_STATES:
        problems.append(_("Quyết định “%(d)s” chưa ký: chưa chi tiền thưởng được.") % {"d": decision})
    if not paid_on:
        problems.append(_("Hãy nhập ngày chi."))
    else:
        if decision.issued_on and paid_on < decision.issued_on:
            problems.append(
                _("Ngày chi %(day)s trước ngày ký quyết định (%(signed)s).")
                % {"day": _day(paid_on), "signed": _day(decision.issued_on)}
            )
        if paid_on > timezone.localdate():
            problems.append(_("Ngày chi %(day)s là ngày trong tương lai.") % {"day": _day(paid_on)})
    lines = decision.awards.all()
    if award_ids is not None:
        wanted = {int(pk) for pk in award_ids}
        lines = lines.filter(pk__in=wanted)
        found = {a.pk for a in lines}
        if wanted - found:
            problems.append(_("Có dòng không thuộc quyết định này: hãy tải lại trang."))
        for award in lines:
            if award.payment_state != PaymentState.DUE:
                problems.append(
                    _("“%(name)s”: không chi được vì khoản này đang “%(state)s”.")
                    % {"name": award.name, "state": award.get_payment_state_display()}
                )
    else:
        lines = lines.filter(payment_state=PaymentState.DUE)
    lines = list(lines.order_by("subject_kind", "order", "pk"))
    if not lines and not problems:
        problems.append(_("Không còn khoản nào chưa chi trong quyết định này."))
    if problems:
        raise TransitionRefused(_("Chưa ghi nhận được khoản chi:"), reasons=problems)
    with transaction.atomic():
        for award in lines:
            door_transition(
                award,
                "pay",
                actor=actor,
                paid_on=paid_on,
                reference=reference,
                payload={"amount": award.amount, "paid_on": paid_on.isoformat(), "reference": reference},
            )
    return lines


def record_recovery(award: Award, *, actor, recovered_on: date, reference: str = "") -> Award:
    """Record that the money of a revoked, paid ``award`` came back to the fund on ``recovered_on``.

    Permission: ``nominations.recover_award``. Side effects: the door's ``recover`` (one audit event). Raises
    ``TransitionRefused`` when the line is not waiting for recovery or the date is wrong.
    """
    problems = []
    if not recovered_on:
        problems.append(_("Hãy nhập ngày thu hồi tiền."))
    elif recovered_on > timezone.localdate():
        problems.append(_("Ngày thu hồi %(day)s là ngày trong tương lai.") % {"day": _day(recovered_on)})
    elif award.paid_on and recovered_on < award.paid_on:
        problems.append(
            _("Ngày thu hồi %(day)s trước ngày chi (%(paid)s).")
            % {"day": _day(recovered_on), "paid": _day(award.paid_on)}
        )
    if problems:
        raise TransitionRefused(_("Chưa ghi nhận được việc thu hồi tiền:"), reasons=problems)
    reference = (reference or "").strip()
    return door_transition(
        award,
        "recover",
        actor=actor,
        recovered_on=recovered_on,
        reference=reference,
        payload={"amount": award.amount, "recovered_on": recovered_on.isoformat(), "reference": reference},
    )


def settle_revoked(award: Award, *, revocation_pk: int) -> str:
    """The money side of a revocation decided for ``award``, inside the caller's transaction: a paid line must
    be recovered, a due line is cancelled. The system acts (the revocation's own event names who decided), so
    the signer needs no right over the fund. Returns the new payment state."""
    payload = {"revocation": revocation_pk}
    if award.payment_state == PaymentState.PAID:
        door_transition(award, "claim_back", actor=SYSTEM, payload=payload)
    elif award.payment_state == PaymentState.DUE:
        door_transition(award, "cancel_payment", actor=SYSTEM, payload=payload)
    award.refresh_from_db()
    return award.payment_state


@dataclass(frozen=True)
class PaymentSummary:
    lines: int
    total: int
    by_state: dict[str, tuple[int, int]]  # state → (lines, amount)

    def amount(self, state: str) -> int:
        return self.by_state.get(state, (0, 0))[1]

    def count(self, state: str) -> int:
        return self.by_state.get(state, (0, 0))[0]


def payment_summary(decision: AwardDecision) -> PaymentSummary:
    """Lines and money of ``decision`` per payment state, in one query."""
    rows = decision.awards.values("payment_state").annotate(n=Count("pk"), money=Sum("amount")).order_by()
    by_state = {r["payment_state"]: (r["n"], r["money"] or 0) for r in rows}
    return PaymentSummary(
        lines=sum(n for n, _m in by_state.values()),
        total=sum(m for _n, m in by_state.values()),
        by_state=by_state,
    )


PAYMENT_HEADER = (
    "STT",
    "Họ tên / tên tập thể",
    "Đối tượng",
    "Chức vụ, đơn vị",
    "Số tiền (đồng)",
    "Chi trả",
    "Ngày chi",
    "Chứng từ chi",
)


def payment_list_xlsx(decision: AwardDecision) -> bytes:
    """The payment list of ``decision`` for the finance office: one row per awardee with the unit, amount and
    state, then the total of the money due and paid (cancelled lines are listed at 0). Formulas escaped by the
    export helper. No side effects."""
    title = _("DANH SÁCH CHI TIỀN THƯỞNG")
    reference = _("Kèm theo Quyết định số %(ref)s ngày %(day)s của %(unit)s") % {
        "ref": decision,
        "day": _day(decision.issued_on) if decision.issued_on else "…",
        "unit": decision.issuing_unit,
    }
    header = [Styled(str(_(h)), bold=True) for h in PAYMENT_HEADER]

    def rows():
        yield [Styled(str(title), bold=True)]
        yield [str(reference)]
        yield [str(_("Hình thức: %(award)s") % {"award": decision.award_type})]
        yield []
        yield header
        total = 0
        for index, award in enumerate(
            decision.awards.order_by("subject_kind", "order", "pk").iterator(chunk_size=2000), start=1
        ):
            payable = award.payment_state != PaymentState.CANCELLED
            amount = award.amount if payable else 0
            total += amount
            yield [
                index,
                award.name,
                award.get_subject_kind_display(),
                award.title_and_unit,
                Styled(amount, number_format=MONEY_FORMAT),
                award.get_payment_state_display(),
                award.paid_on.strftime("%d/%m/%Y") if award.paid_on else "",
                award.payment_reference,
            ]
        total_label = Styled(str(_("Tổng cộng")), bold=True)
        yield ["", total_label, "", "", Styled(total, bold=True, number_format=MONEY_FORMAT)]

    return xlsx_bytes(rows(), sheet_title=str(_("Danh sách chi")), column_widths=(6, 32, 12, 44, 16, 18, 12, 20))


# --- The emulation fund ---------------------------------------------------------------------------------------


def add_fund_entry(
    unit: Unit,
    *,
    actor,
    kind: str,
    amount: int,
    entered_on: date,
    reference: str = "",
    note: str = "",
) -> FundEntry:
    """Enter an allocation, a contribution or an other spending of the fund of ``unit``, in the year of
    ``entered_on``. Permission: ``nominations.add_fundentry``. Side effects: one ``FundEntry``; one audit event
    ``nominations.fund.entry``. Raises ``TransitionRefused`` with every reason."""
    _require(
        actor,
        "nominations.add_fundentry",
        unit,
        _("Bạn không có quyền ghi sổ quỹ thi đua, khen thưởng của %(unit)s.") % {"unit": unit},
    )
    problems = []
    if kind not in FundEntryKind.values:
        problems.append(_("Loại khoản không hợp lệ: chọn trích lập, đóng góp hoặc chi khác."))
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        problems.append(_("Số tiền phải là số nguyên dương (đồng)."))
    if not entered_on:
        problems.append(_("Hãy nhập ngày của khoản thu, chi."))
    elif entered_on > timezone.localdate():
        problems.append(_("Ngày %(day)s là ngày trong tương lai.") % {"day": _day(entered_on)})
    if problems:
        raise TransitionRefused(_("Chưa ghi được vào sổ quỹ:"), reasons=problems)
    with transaction.atomic():
        entry = FundEntry.objects.create(
            unit=unit,
            year=entered_on.year,
            kind=kind,
            amount=amount,
            entered_on=entered_on,
            reference=(reference or "").strip(),
            note=(note or "").strip(),
            created_by=None if getattr(actor, "is_system", False) else actor,
        )
        audit.record(
            actor=actor,
            action="nominations.fund.entry",
            obj=entry,
            payload={"kind": kind, "amount": amount, "on": entered_on.isoformat(), "reference": entry.reference},
        )
    return entry


@dataclass(frozen=True)
class FundYear:
    """The fund of one body in one year, in đồng."""

    unit: Unit
    year: int
    opening: int
    allocations: int
    contributions: int
    payouts: int
    recovered: int
    spending: int
    due: int  # signed awards not paid yet: money the fund owes
    to_recover: int  # revoked awards whose paid money has not come back yet

    @property
    def income(self) -> int:
        return self.allocations + self.contributions

    @property
    def closing(self) -> int:
        return self.opening + self.income - self.payouts + self.recovered - self.spending

    @property
    def short(self) -> bool:
        """Whether what the fund still owes exceeds what it holds."""
        return self.closing < self.due


def _by_year(queryset, date_field: str, value_field: str) -> dict[int, int]:
    rows = queryset.annotate(y=ExtractYear(date_field)).values("y").annotate(total=Sum(value_field)).order_by("y")
    return {r["y"]: r["total"] or 0 for r in rows}


def _fund_awards(unit: Unit):
    return Award.objects.filter(decision__issuing_unit=unit, decision__state__in=ISSUED_DECISION_STATES)


def fund_years(unit: Unit) -> list[int]:
    """Every year the fund of ``unit`` moved (newest first), and the current year."""
    years = set(FundEntry.objects.filter(unit=unit).values_list("year", flat=True))
    awards = _fund_awards(unit)
    years |= set(_by_year(awards.filter(paid_on__isnull=False), "paid_on", "amount"))
    years |= set(_by_year(awards.filter(recovered_on__isnull=False), "recovered_on", "amount"))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def fund_year(unit: Unit, year: int) -> FundYear:
    """The balance of the fund of ``unit`` for ``year``: a handful of aggregate queries, whatever the volume."""
    entries = FundEntry.objects.filter(unit=unit, year__lte=year)
    by_kind: dict[tuple[int, str], int] = {}
    for row in entries.values("year", "kind").annotate(total=Sum("amount")).order_by():
        by_kind[(row["year"], row["kind"])] = row["total"] or 0
    awards = _fund_awards(unit)
    paid = _by_year(awards.filter(paid_on__isnull=False, paid_on__year__lte=year), "paid_on", "amount")
    back = _by_year(awards.filter(recovered_on__isnull=False, recovered_on__year__lte=year), "recovered_on", "amount")

    def kind_total(kind: str, *, before: bool) -> int:
        return sum(v for (y, k), v in by_kind.items() if k == kind and (y < year if before else y == year))

    opening = (
        sum(kind_total(k, before=True) for k in INCOME_KINDS)
        - kind_total(FundEntryKind.SPENDING, before=True)
        - sum(v for y, v in paid.items() if y < year)
        + sum(v for y, v in back.items() if y < year)
    )
    due = awards.filter(payment_state=PaymentState.DUE).aggregate(s=Sum("amount"))["s"] or 0
    to_recover = awards.filter(payment_state=PaymentState.TO_RECOVER).aggregate(s=Sum("amount"))["s"] or 0
    return FundYear(
        unit=unit,
        year=year,
        opening=opening,
        allocations=kind_total(FundEntryKind.ALLOCATION, before=False),
        contributions=kind_total(FundEntryKind.CONTRIBUTION, before=False),
        payouts=paid.get(year, 0),
        recovered=back.get(year, 0),
        spending=kind_total(FundEntryKind.SPENDING, before=False),
        due=due,
        to_recover=to_recover,
    )
