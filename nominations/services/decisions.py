"""Award decisions (quyết định khen thưởng): drafting from the dossiers the council proposed, issue details,
signing.

The path (domain steps 12-13, rule 13): the board (or, for a unit's own Giấy khen, the unit's emulation office)
drafts a decision from the dossiers the council proposed (services/council.py) → the number, date, signer and the
board's submission letter are entered (the number allocated from the issuing body's register when the product keeps
it) and the money is computed for the decision date → the signer signs: the decision becomes ``signed`` and every
dossier ``decided``, in one transaction through the door.

Refusals are ``TransitionRefused`` (Vietnamese message and every reason) or ``TransitionForbidden``; the views'
``workflows.web.perform`` turns them into messages.

**Symbols.** The symbol (ký hiệu) of a new decision is, in order: the ``symbol`` argument; the setting
``NOMINATIONS_DECISION_SYMBOLS`` (``{unit code: symbol}``); the symbol of the unit's register when the product
keeps one (below; the register of the most recent year); "QĐ-UBND" for a people's committee (province, commune,
ward); otherwise "QĐ-" + the initials of the unit's name ("Sở Nội vụ" → "QĐ-SNV").

**Registers.** The product keeps the register (sổ đăng ký văn bản) of an issuing unit and symbol when the
administrator has created a ``DecisionRegister`` row for that unit and symbol, for any year: from then on the
numbers of that unit and symbol are allocated here (the row of a new year is created at its first number, from 1)
and cannot be typed in. Without a row, the number is entered at issuance and refused when already used in that
year and symbol. Allocation locks the register row (``select_for_update``); a number is never handed out twice.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.enums import LOCALITY_KINDS, SubjectKind, UnitKind
from competition.models import Unit
from competition.scoping import user_unit
from workflows import audit
from workflows import transition as door_transition
from workflows.exceptions import TransitionForbidden, TransitionRefused

from ..enums import (
    ISSUED_DECISION_STATES,
    AppraisalResult,
    CouncilResult,
    DecisionState,
    DossierState,
    SignerAuthority,
)
from ..models import Award, AwardDecision, DecisionRegister, Dossier, Nominee
from .codes import new_code
from .history import record_decision_awards
from .money import MoneyTable

# Annex groups in their order: I. Tập thể, II. Cá nhân, then III. Hộ gia đình when there are households (their
# money level differs from a collective's, NĐ 152 Art. 50-54, so they are listed apart rather than mixed in I).
GROUP_ORDER = (SubjectKind.COLLECTIVE, SubjectKind.INDIVIDUAL, SubjectKind.HOUSEHOLD)
GROUP_LABELS = {
    SubjectKind.COLLECTIVE: "Tập thể",
    SubjectKind.INDIVIDUAL: "Cá nhân",
    SubjectKind.HOUSEHOLD: "Hộ gia đình",
}

# A people's committee issues under "ỦY BAN NHÂN DÂN <tỉnh/xã/phường …>" and the symbol "QĐ-UBND".
COMMITTEE_KINDS = frozenset({UnitKind.PROVINCE, *LOCALITY_KINDS})
COMMITTEE_SYMBOL = "QĐ-UBND"
# The head's title when the unit's own ``head_title`` is empty.
HEAD_TITLES = {
    UnitKind.PROVINCE: "Chủ tịch",
    UnitKind.COMMUNE: "Chủ tịch",
    UnitKind.WARD: "Chủ tịch",
    UnitKind.DEPARTMENT: "Giám đốc",
    UnitKind.ORGANISATION: "Thủ trưởng",
    UnitKind.ENTERPRISE: "Giám đốc",
    UnitKind.BODY: "Trưởng",
}
# Words left out of a unit's initials ("Sở Khoa học và Công nghệ" → "SKHCN").
NAME_CONNECTORS = frozenset({"và", "các", "của"})
DEFAULT_RECIPIENTS = ("Như Điều 3", "Lưu: VT")
# Type names of the documents a campaign plan may be (by the start of its symbol), for the "Căn cứ" line.
DOCUMENT_TYPES = {
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "CT": "Chỉ thị",
    "HD": "Hướng dẫn",
    "NQ": "Nghị quyết",
    "TB": "Thông báo",
    "CV": "Công văn",
}


# --- Names of units, as a decision writes them ----------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def body_name(unit: Unit) -> str:
    """The issuing body's name: "Ủy ban nhân dân tỉnh Thái Nguyên" for the province (a commune, a ward), the
    unit's own name otherwise ("Sở Nội vụ")."""
    if unit.kind in COMMITTEE_KINDS:
        return f"Ủy ban nhân dân {_lower_first(unit.name)}"
    return unit.name


def head_title(unit: Unit) -> str:
    """The title of the unit's head: its ``head_title``, or by kind ("Chủ tịch", "Giám đốc" …)."""
    return unit.head_title or HEAD_TITLES.get(unit.kind, "Thủ trưởng")


def authority_name(unit: Unit) -> str:
    """Who decides, in words: "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên", "Giám đốc Sở Nội vụ"."""
    return f"{head_title(unit)} {body_name(unit)}"


def header_lines(unit: Unit) -> list[tuple[str, bool]]:
    """The issuing body block (NĐ 30/2020 Art. 8), upper case, as (text, bold): a people's committee on two bold
    lines ("ỦY BAN NHÂN DÂN" / "TỈNH THÁI NGUYÊN"); another unit under its superior body's name (not bold)."""
    if unit.kind in COMMITTEE_KINDS:
        return [("ỦY BAN NHÂN DÂN", True), (unit.name.upper(), True)]
    lines = []
    if unit.parent is not None:
        lines.append((body_name(unit.parent).upper(), False))
    lines.append((unit.name.upper(), True))
    return lines


def place_name(unit: Unit) -> str:
    """The place (địa danh) of the date line: the name of the nearest province, commune or ward at or above the
    unit, without its kind ("Tỉnh Thái Nguyên" → "Thái Nguyên")."""
    current = unit
    while current is not None and current.kind not in COMMITTEE_KINDS:
        current = current.parent
    current = current or unit
    name = current.name
    label = str(UnitKind(current.kind).label) if current.kind in UnitKind.values else ""
    if label and name.lower().startswith(label.lower() + " "):
        name = name[len(label) + 1 :]
    return name


def _ascii_initial(word: str) -> str:
    first = word[:1].replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFD", first)[:1].upper()


def default_symbol(unit: Unit) -> str:
    """The symbol of a new decision of ``unit`` (see the module's docstring)."""
    configured = getattr(settings, "NOMINATIONS_DECISION_SYMBOLS", {}) or {}
    if unit.code in configured:
        return configured[unit.code]
    register = DecisionRegister.objects.filter(issuing_unit=unit).order_by("-year", "symbol").first()
    if register is not None:
        return register.symbol
    if unit.kind in COMMITTEE_KINDS:
        return COMMITTEE_SYMBOL
    words = [w for w in unit.name.replace(",", " ").replace("-", " ").split() if w.lower() not in NAME_CONNECTORS]
    return "QĐ-" + "".join(_ascii_initial(w) for w in words)


# --- The register ---------------------------------------------------------------------------------------------


def keeps_register(unit: Unit, symbol: str) -> bool:
    """Whether the product keeps the register of ``unit`` for ``symbol`` (a row exists, for any year)."""
    return DecisionRegister.objects.filter(issuing_unit=unit, symbol=symbol).exists()


def allocate_number(unit: Unit, symbol: str, year: int) -> int:
    """The next number of the register of ``unit``, ``symbol`` and ``year``, taken under the register's row lock.

    Must run inside the caller's transaction (the number is used in it). Side effects: creates the year's row
    when missing; advances ``last_number``. A number already held by a decision (typed in before the register
    was kept) is skipped. Raises ``TransitionRefused`` when the product does not keep this register.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside transaction.atomic()")
    if not keeps_register(unit, symbol):
        raise TransitionRefused(
            _("Phần mềm không giữ sổ đăng ký văn bản ký hiệu %(symbol)s của %(unit)s: hãy nhập số quyết định.")
            % {"symbol": symbol, "unit": unit}
        )
    DecisionRegister.objects.get_or_create(issuing_unit=unit, symbol=symbol, year=year)
    register = DecisionRegister.objects.select_for_update().get(issuing_unit=unit, symbol=symbol, year=year)
    used = AwardDecision.objects.filter(issuing_unit=unit, symbol=symbol, year=year)
    number = register.last_number + 1
    while used.filter(number=number).exists():
        number += 1
    register.last_number = number
    register.save(update_fields=["last_number"])
    return number


# --- Texts of the decision that come from data ----------------------------------------------------------------


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def proposing_unit(decision: AwardDecision) -> Unit | None:
    """The body whose head proposes the award (and signs the submission letter): the unit of whoever appraised the
    decision's dossiers (the last appraisal by a person), else of the person who drafted the decision; a body
    within a unit stands for its unit (the Ban Thi đua - Khen thưởng for Sở Nội vụ) unless that unit is the issuing
    body itself. ``None`` when it is the issuing body."""
    unit = _appraiser_unit(decision)
    if unit is None and decision.created_by_id:
        unit = user_unit(decision.created_by)
    while (
        unit is not None
        and unit.kind == UnitKind.BODY
        and unit.parent_id
        and unit.parent_id != decision.issuing_unit_id
    ):
        unit = unit.parent
    if unit is None or unit.pk == decision.issuing_unit_id:
        return None
    return unit


def _appraiser_unit(decision: AwardDecision) -> Unit | None:
    from django.contrib.contenttypes.models import ContentType

    from workflows.models import AuditEvent

    ids = [str(pk) for pk in decision.dossiers.values_list("pk", flat=True)]
    event = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Dossier),
            object_id__in=ids,
            action="nominations.dossier.appraise",
            actor__isnull=False,
        )
        .select_related("actor")
        .order_by("-sequence")
        .first()
    )
    return user_unit(event.actor) if event else None


def proposer_text(decision: AwardDecision) -> str:
    """Who proposes, in words: "Giám đốc Sở Nội vụ"; for a unit's own award without a separate office, its
    emulation and rewards council ("Hội đồng Thi đua - Khen thưởng phường Phan Đình Phùng")."""
    unit = proposing_unit(decision)
    if unit is not None:
        return f"{head_title(unit)} {unit.name}"
    issuing = decision.issuing_unit
    name = _lower_first(issuing.name) if issuing.kind in COMMITTEE_KINDS else issuing.name
    return f"Hội đồng Thi đua - Khen thưởng {name}"


def _plan_line(campaign) -> str | None:
    if not campaign.plan_number:
        return None
    symbol = campaign.plan_number.split("/", 1)[1] if "/" in campaign.plan_number else ""
    kind = DOCUMENT_TYPES.get(symbol.split("-", 1)[0].upper(), "Văn bản")
    parts = [f"Căn cứ {kind} số {campaign.plan_number}"]
    if campaign.plan_date:
        parts.append(f"ngày {_day(campaign.plan_date)}")
    if campaign.issuing_body:
        parts.append(f"của {campaign.issuing_body}")
    if campaign.plan_summary:
        parts.append(_lower_first(campaign.plan_summary.strip().rstrip(";.")))
    return " ".join(parts) + ";"


def legal_bases(decision: AwardDecision) -> list[str]:
    """The "Căn cứ" paragraphs, in order: each line of the rule set's ``legal_basis``; the campaign's plan
    (number, date, issuer, summary); "Theo đề nghị của … tại Tờ trình số … ngày …." (without the letter when
    none is entered). Every one but the last ends with ";"."""
    lines = [
        f"Căn cứ {line.strip().rstrip(';.')};" for line in decision.rule_set.legal_basis.splitlines() if line.strip()
    ]
    plan = _plan_line(decision.campaign)
    if plan:
        lines.append(plan)
    proposal = f"Theo đề nghị của {proposer_text(decision)}"
    if decision.submission_letter_number:
        proposal += f" tại Tờ trình số {decision.submission_letter_number}"
        if decision.submission_letter_date:
            proposal += f" ngày {_day(decision.submission_letter_date)}"
    lines.append(proposal + ".")
    return lines


def recipient_lines(decision: AwardDecision) -> list[str]:
    """Nơi nhận, one per line, punctuated as a decision prints them ("- Như Điều 3;" … "- Lưu: VT.")."""
    items = [line.strip().lstrip("-").strip().rstrip(";.") for line in decision.recipients.splitlines()]
    items = [i for i in items if i]
    return [f"- {item}{'.' if n == len(items) - 1 else ';'}" for n, item in enumerate(items)]


# --- Permissions ----------------------------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


def _require(actor, perm: str, obj, message: str) -> None:
    if not _is_system(actor) and not actor.has_perm(perm, obj):
        raise TransitionForbidden(message)


def _real_user(actor):
    return None if _is_system(actor) or getattr(actor, "pk", None) is None else actor


# --- Drafting -------------------------------------------------------------------------------------------------


def _distinct(values, label: str, what: str, problems: list[str]) -> None:
    names = sorted({str(v) if v is not None else _("(chưa có)") for v in values})
    if len(names) > 1:
        problems.append(
            _("Các hồ sơ thuộc nhiều %(label)s khác nhau (%(names)s): mỗi quyết định chỉ cho một %(what)s.")
            % {"label": label, "names": "; ".join(names), "what": what}
        )


def _line_order(nominee: Nominee) -> tuple:
    return (GROUP_ORDER.index(nominee.subject_kind), nominee.dossier_id, nominee.order, nominee.pk)


def draft_decision(dossiers, *, actor, issuing_unit=None, symbol=None, place=None) -> AwardDecision:
    """A draft award decision from ``dossiers`` reviewed by the council (proposed), of one campaign, one award type,
    one rule set and one deciding unit, with one annex line (Award) per nominee accepted at appraisal and approved
    by the council: collectives, then individuals, then households, each in dossier order. Money is computed for
    today as a preview; ``set_issue_details`` computes it again for the decision date.

    ``issuing_unit`` defaults to (and must be) the dossiers' deciding unit; ``symbol`` to :func:`default_symbol`;
    ``place`` to :func:`place_name`. Permission: ``nominations.add_awarddecision`` on each dossier.
    Side effects: one ``AwardDecision`` (draft) and its ``Award`` rows; the dossiers point to it; one audit event
    ``nominations.awarddecision.draft``. Raises ``TransitionRefused`` with every reason, ``TransitionForbidden``.
    """
    ids = sorted({d.pk for d in dossiers})
    if not ids:
        raise TransitionRefused(_("Hãy chọn ít nhất một hồ sơ đã thẩm định."))
    with transaction.atomic():
        rows = list(
            Dossier.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("campaign", "deciding_unit", "rule_set", "unit", "decision")
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise TransitionRefused(_("Có hồ sơ không còn tồn tại: hãy tải lại trang."))
        for dossier in rows:
            _require(
                actor,
                "nominations.add_awarddecision",
                dossier,
                _("Bạn không có quyền lập quyết định khen thưởng cho hồ sơ “%(d)s”.") % {"d": dossier},
            )
        problems: list[str] = []
        for dossier in rows:
            if dossier.state != DossierState.PROPOSED:
                problems.append(
                    _("Hồ sơ “%(d)s” đang ở trạng thái “%(state)s”: chỉ lập quyết định từ hồ sơ đã qua Hội đồng.")
                    % {"d": dossier, "state": dossier.get_state_display()}
                )
            if dossier.decision_id is not None:
                problems.append(
                    _("Hồ sơ “%(d)s” đã thuộc quyết định “%(decision)s”.")
                    % {"d": dossier, "decision": dossier.decision}
                )
            if dossier.rule_set_id is None:
                problems.append(_("Hồ sơ “%(d)s” chưa cố định bộ quy định (chưa gửi).") % {"d": dossier})
        _distinct([d.campaign for d in rows], _("phong trào"), _("phong trào"), problems)
        _distinct([d.award_type_code for d in rows], _("hình thức khen thưởng"), _("hình thức"), problems)
        _distinct([d.rule_set for d in rows], _("bộ quy định"), _("bộ quy định"), problems)
        _distinct([d.deciding_unit for d in rows], _("cấp quyết định"), _("cấp quyết định"), problems)
        if problems:
            raise TransitionRefused(_("Chưa lập được dự thảo quyết định:"), reasons=problems)

        first = rows[0]
        campaign, rule_set, deciding = first.campaign, first.rule_set, first.deciding_unit
        issuing_unit = issuing_unit or deciding
        if issuing_unit.pk != deciding.pk:
            raise TransitionRefused(
                _("Cơ quan ban hành (%(unit)s) phải là cấp quyết định của các hồ sơ (%(deciding)s).")
                % {"unit": issuing_unit, "deciding": deciding}
            )
        award_type = rule_set.award_types.filter(code=first.award_type_code).first()
        if award_type is None:
            raise TransitionRefused(
                _("Hình thức “%(code)s” không có trong bộ quy định “%(rs)s”.")
                % {"code": first.award_type_code, "rs": rule_set}
            )
        # Proposed by the appraisal and approved by the council's vote (domain rule 8).
        accepted_nominees = Nominee.objects.filter(
            dossier_id__in=ids, appraisal_result=AppraisalResult.ACCEPTED, council_result=CouncilResult.APPROVED
        )
        nominees = list(accepted_nominees)
        unit_names = {d.pk: d.unit.name for d in rows}
        accepted = Counter(n.dossier_id for n in nominees)
        problems = [
            _("Hồ sơ “%(d)s” không có người, tập thể nào được thẩm định và Hội đồng đề nghị khen thưởng.") % {"d": d}
            for d in rows
            if not accepted[d.pk]
        ]
        taken = list(Award.objects.filter(nominee__in=accepted_nominees).select_related("decision")[:5])
        problems += [
            _("“%(name)s” đã có trong quyết định “%(decision)s”.") % {"name": a.name, "decision": a.decision}
            for a in taken
        ]
        if problems:
            raise TransitionRefused(_("Chưa lập được dự thảo quyết định:"), reasons=problems)

        nominees.sort(key=_line_order)
        today = timezone.localdate()
        money = MoneyTable(award_type, rule_set, today)
        decision = AwardDecision.objects.create(
            campaign=campaign,
            issuing_unit=issuing_unit,
            authority=award_type.authority,
            award_type=award_type,
            rule_set=rule_set,
            symbol=(symbol or "").strip() or default_symbol(issuing_unit),
            place=(place or "").strip() or place_name(issuing_unit),
            recipients="\n".join(DEFAULT_RECIPIENTS),
            created_by=_real_user(actor),
        )
        awards = []
        for order, nominee in enumerate(nominees, start=1):
            line = money[nominee.subject_kind]
            awards.append(
                Award(
                    decision=decision,
                    nominee=nominee,
                    subject_kind=nominee.subject_kind,
                    name=nominee.name,
                    title_and_unit=nominee.title_and_unit or unit_names[nominee.dossier_id],
                    coefficient=line.coefficient,
                    base_salary=line.base_salary,
                    amount=line.amount,
                    order=order,
                )
            )
        Award.objects.bulk_create(awards, batch_size=1000)
        Dossier.objects.filter(pk__in=ids).update(decision=decision)
        audit.record(
            actor=actor,
            action="nominations.awarddecision.draft",
            obj=decision,
            payload={
                "dossiers": ids,
                "lines": len(awards),
                "total": sum(a.amount for a in awards),
                "money_date": today.isoformat(),
                "symbol": decision.symbol,
            },
        )
    return decision


# --- Issue details --------------------------------------------------------------------------------------------


def _recompute_money(decision: AwardDecision, on_date: date) -> int:
    """Set every line's coefficient, base salary and amount for ``on_date`` (one UPDATE per subject kind: every
    line of a kind gets the same money); returns the total."""
    money = MoneyTable(decision.award_type, decision.rule_set, on_date)
    total = 0
    for kind, count in Counter(decision.awards.values_list("subject_kind", flat=True)).items():
        line = money[kind]
        decision.awards.filter(subject_kind=kind).update(
            coefficient=line.coefficient, base_salary=line.base_salary, amount=line.amount
        )
        total += line.amount * count
    return total


def _number_taken(decision: AwardDecision, number: int, year: int) -> AwardDecision | None:
    return (
        AwardDecision.objects.filter(
            issuing_unit_id=decision.issuing_unit_id, symbol=decision.symbol, year=year, number=number
        )
        .exclude(pk=decision.pk)
        .first()
    )


def _taken_message(number: int, symbol: str, year: int, other: AwardDecision) -> str:
    return _(
        "Số %(number)s/%(symbol)s năm %(year)s đã được dùng cho một quyết định khác (mã #%(pk)s, %(state)s, "
        "phong trào “%(campaign)s”): mỗi số chỉ dùng một lần trong năm, hãy nhập số khác."
    ) % {
        "number": number,
        "symbol": symbol,
        "year": year,
        "pk": other.pk,
        "state": other.get_state_display(),
        "campaign": other.campaign,
    }


def set_issue_details(
    decision: AwardDecision,
    *,
    actor,
    number: int | None = None,
    issued_on: date,
    signer_name: str,
    signer_authority: str,
    submission_letter_number: str = "",
    submission_letter_date: date | None = None,
    recipients: str | None = None,
) -> AwardDecision:
    """Enter the number, date, signer and the board's submission letter of a draft decision, and compute its money
    again for the decision date ``issued_on`` (domain rule 10).

    The number is allocated from the register when the product keeps it (a number already allocated in the same
    year is kept), otherwise ``number`` is required and must be unused in that year and symbol (domain rule 13).
    ``recipients`` (Nơi nhận, one per line) is kept when ``None``; a blank one restores the default ("Như Điều 3",
    "Lưu: VT"). Permission: ``nominations.change_awarddecision``.
    Side effects: saves the decision and its lines; may advance a register; one audit event
    ``nominations.awarddecision.issue_details``. Raises ``TransitionRefused`` (every reason), ``TransitionForbidden``.
    """
    _require(
        actor,
        "nominations.change_awarddecision",
        decision,
        _("Bạn không có quyền sửa quyết định “%(d)s”.") % {"d": decision},
    )
    with transaction.atomic():
        fresh = (
            AwardDecision.objects.select_for_update(of=("self",))
            .select_related("issuing_unit", "award_type", "rule_set", "campaign")
            .get(pk=decision.pk)
        )
        if fresh.state != DecisionState.DRAFT:
            raise TransitionRefused(
                _("Quyết định “%(d)s” đã ký: không sửa được số, ngày ký, người ký.") % {"d": fresh}
            )
        signer_name = (signer_name or "").strip()
        letter_number = (submission_letter_number or "").strip()
        problems = []
        if not issued_on:
            problems.append(_("Hãy nhập ngày ký quyết định."))
        if not signer_name:
            problems.append(_("Hãy nhập họ tên người ký."))
        if signer_authority not in SignerAuthority.values:
            problems.append(_("Thẩm quyền ký không hợp lệ: chọn người đứng đầu ký hoặc cấp phó ký thay."))
        if bool(letter_number) != bool(submission_letter_date):
            problems.append(_("Hãy nhập cả số và ngày của tờ trình (hoặc để trống cả hai)."))
        if submission_letter_date and issued_on and submission_letter_date > issued_on:
            problems.append(
                _("Ngày tờ trình (%(letter)s) sau ngày ký quyết định (%(day)s).")
                % {"letter": _day(submission_letter_date), "day": _day(issued_on)}
            )
        if number is not None and number != "" and int(number) < 1:
            problems.append(_("Số quyết định phải là số nguyên dương."))
        if problems:
            raise TransitionRefused(_("Chưa lưu được số, ngày ký của quyết định:"), reasons=problems)

        year = issued_on.year
        number = int(number) if number not in (None, "") else None
        allocated = False
        if keeps_register(fresh.issuing_unit, fresh.symbol):
            kept = fresh.number if fresh.number and fresh.year == year else None
            if number is not None and number != kept:
                raise TransitionRefused(
                    _(
                        "%(unit)s giữ sổ đăng ký văn bản ký hiệu %(symbol)s trên phần mềm: số quyết định được cấp "
                        "tự động theo sổ, không nhập tay. Hãy để trống ô số."
                    )
                    % {"unit": fresh.issuing_unit, "symbol": fresh.symbol}
                )
            if kept is None:
                number = allocate_number(fresh.issuing_unit, fresh.symbol, year)
                allocated = True
            else:
                number = kept
        else:
            if number is None:
                raise TransitionRefused(
                    _(
                        "Hãy nhập số quyết định: phần mềm không giữ sổ đăng ký văn bản ký hiệu %(symbol)s của "
                        "%(unit)s, số lấy theo sổ của văn thư."
                    )
                    % {"symbol": fresh.symbol, "unit": fresh.issuing_unit}
                )
            other = _number_taken(fresh, number, year)
            if other is not None:
                raise TransitionRefused(_taken_message(number, fresh.symbol, year, other))

        fresh.number, fresh.year, fresh.issued_on = number, year, issued_on
        fresh.signer_name, fresh.signer_authority = signer_name, signer_authority
        fresh.submission_letter_number, fresh.submission_letter_date = letter_number, submission_letter_date
        if recipients is not None:
            fresh.recipients = recipients.strip() or "\n".join(DEFAULT_RECIPIENTS)
        try:
            with transaction.atomic():
                fresh.save()
        except IntegrityError:
            raise TransitionRefused(
                _("Số %(number)s/%(symbol)s năm %(year)s vừa được dùng cho quyết định khác: hãy nhập số khác.")
                % {"number": number, "symbol": fresh.symbol, "year": year}
            ) from None
        total = _recompute_money(fresh, issued_on)
        audit.record(
            actor=actor,
            action="nominations.awarddecision.issue_details",
            obj=fresh,
            payload={
                "number": number,
                "symbol": fresh.symbol,
                "year": year,
                "issued_on": issued_on.isoformat(),
                "allocated": allocated,
                "signer_authority": signer_authority,
                "submission_letter": letter_number,
                "total": total,
            },
        )
    decision.refresh_from_db()
    return fresh


# --- Signing --------------------------------------------------------------------------------------------------


def signing_problems(decision: AwardDecision) -> list[str]:
    """Every reason ``decision`` cannot be signed now (empty: it can): no number or date, no signer, no line,
    money built on an unconfirmed or missing value, or money computed for another date (or before a value
    changed). No side effects."""
    problems = []
    if not decision.number or not decision.issued_on:
        problems.append(_("Chưa có số và ngày ký của quyết định: hãy nhập số, ngày ký và người ký trước khi ký."))
    if not decision.signer_name:
        problems.append(_("Chưa có họ tên người ký."))
    awards = list(decision.awards.all())
    if not awards:
        problems.append(_("Quyết định chưa có người, tập thể được khen thưởng."))
    if not decision.issued_on or not awards:
        return problems
    money = MoneyTable(decision.award_type, decision.rule_set, decision.issued_on)
    stale = 0
    for kind in GROUP_ORDER:
        lines = [a for a in awards if a.subject_kind == kind]
        if not lines:
            continue
        line = money[kind]
        for message in line.blocking:
            if message not in problems:
                problems.append(message)
        stale += sum(
            1
            for a in lines
            if (a.coefficient, a.base_salary, a.amount) != (line.coefficient, line.base_salary, line.amount)
        )
    if stale:
        problems.append(
            _(
                "Tiền thưởng của %(n)s dòng không được tính theo ngày ký %(day)s hoặc giá trị đã thay đổi sau khi "
                "tính: hãy lưu lại số, ngày ký để tính lại."
            )
            % {"n": stale, "day": _day(decision.issued_on)}
        )
    return problems


def sign_decision(decision: AwardDecision, *, actor) -> AwardDecision:
    """Sign ``decision``: refused with every reason of :func:`signing_problems` (nothing changes then); otherwise
    in one transaction the door's ``sign`` on the decision (with the audit chain's head hash, printed on the
    document) and ``decide`` on each of its dossiers.

    Permission: ``nominations.sign_awarddecision`` (and ``nominations.decide_dossier``, checked by the door).
    Side effects: the decision ``signed``; its dossiers ``decided``; audit events of each transition; every line
    entered in the register of awards (``history.record_decision_awards``).
    Raises ``TransitionRefused``, ``TransitionForbidden``, ``ConflictError``.
    """
    _require(
        actor,
        "nominations.sign_awarddecision",
        decision,
        _("Bạn không có quyền ký quyết định “%(d)s”.") % {"d": decision},
    )
    with transaction.atomic():
        fresh = (
            AwardDecision.objects.select_for_update(of=("self",))
            .select_related("award_type", "rule_set")
            .get(pk=decision.pk)
        )
        # Lock the dossiers before the door takes the chain head (record locks first, always in that order).
        dossiers = list(Dossier.objects.select_for_update().filter(decision=fresh).order_by("pk"))
        if fresh.state != DecisionState.DRAFT:
            raise TransitionRefused(_("Quyết định “%(d)s” đã được ký.") % {"d": fresh})
        problems = signing_problems(fresh)
        if problems:
            raise TransitionRefused(_("Chưa ký được quyết định “%(d)s”:") % {"d": fresh}, reasons=problems)
        at = timezone.now()
        door_transition(fresh, "sign", actor=actor, at=at, head_hash=audit.head().hash, code=new_code())
        # Each line gets the code printed on its certificate and read back by the public verification page.
        awards = list(fresh.awards.only("pk"))
        for award in awards:
            award.certificate_code = new_code()
        Award.objects.bulk_update(awards, ["certificate_code"], batch_size=1000)
        for dossier in dossiers:
            door_transition(dossier, "decide", actor=actor, at=at)
        # Every line of the signed decision enters the register of awards, once (issue 6, item 3).
        record_decision_awards(fresh)
    decision.refresh_from_db()
    return decision


# --- The signed PDF, uploaded back (issue 7): frozen and hashed into the audit trail ----------------------------


def current_signed_scan(decision: AwardDecision):
    """The signed PDF in force: the latest upload (earlier ones stay, superseded, with their audit events)."""
    return decision.signed_scans.order_by("-uploaded_at", "-pk").first()


def upload_signed_pdf(decision: AwardDecision, upload, *, actor, reason: str = ""):
    """Upload the signed decision as a PDF after signing (the signer's office, or the board for the Chairman's
    decisions). The file is checked by content (a readable PDF, within the size limit), stored once and never
    changed; its SHA-256 goes into the audit event ``nominations.awarddecision.signed_pdf``. Replacing it needs a
    reason and is a new row and a new audited event; the earlier file stays.

    Raises ``TransitionRefused`` (not signed yet, not a readable PDF, a replacement without a reason or with the
    same file) or ``TransitionForbidden``.
    """
    import hashlib

    from django.core.files.base import ContentFile

    from competition.services.plans import PDF, check_document

    from ..models import SignedDecisionScan
    from .composition import readable_problem

    reason = (reason or "").strip()
    _require(
        actor,
        "nominations.upload_signed_awarddecision",
        decision,
        _("Bạn không có quyền tải lên bản đã ký của quyết định “%(d)s”.") % {"d": decision},
    )
    name, content, kind = check_document(upload)
    if kind != PDF:
        raise TransitionRefused(_("Tệp “%(name)s” không phải PDF: bản quyết định đã ký phải là PDF.") % {"name": name})
    problem = readable_problem(name, content, kind)
    if problem:
        raise TransitionRefused(problem)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        locked = AwardDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.state not in ISSUED_DECISION_STATES:
            raise TransitionRefused(
                _("Quyết định “%(d)s” chưa ký: chỉ tải lên bản đã ký sau khi ký trên phần mềm.") % {"d": locked}
            )
        previous = current_signed_scan(locked)
        if previous is not None and previous.sha256 == digest:
            raise TransitionRefused(_("Tệp này giống hệt bản đã ký đang lưu: không có gì để thay."))
        if previous is not None and not reason:
            raise TransitionRefused(
                _("Quyết định đã có bản đã ký (%(name)s, %(day)s): hãy ghi lý do thay thế.")
                % {"name": previous.name, "day": timezone.localtime(previous.uploaded_at).strftime("%d/%m/%Y %H:%M")}
            )
        scan = SignedDecisionScan(
            decision=locked,
            name=name,
            size=len(content),
            sha256=digest,
            reason=reason,
            uploaded_by=_real_user(actor),
            uploaded_at=timezone.now(),
        )
        scan.file.save(name, ContentFile(content), save=False)
        scan.save()
        audit.record(
            actor=actor,
            action="nominations.awarddecision.signed_pdf",
            obj=locked,
            payload={
                "scan": scan.pk,
                "name": name,
                "size": scan.size,
                "sha256": digest,
                "replaces": previous.sha256 if previous else "",
                "reason": reason,
            },
        )
    return scan


def verify_signed_pdf(decision: AwardDecision) -> list[str]:
    """Every stored signed PDF of ``decision`` still has the SHA-256 its row and its audit event recorded; returns
    the problems (empty when intact)."""
    import hashlib

    from workflows.models import AuditEvent

    events = {
        e.payload.get("scan"): e.payload.get("sha256")
        for e in AuditEvent.objects.filter(action="nominations.awarddecision.signed_pdf", object_id=str(decision.pk))
    }
    problems = []
    for scan in decision.signed_scans.all():
        try:
            with scan.file.open("rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:
            problems.append(_("Mất tệp “%(name)s” của bản đã ký.") % {"name": scan.name})
            continue
        if digest != scan.sha256 or events.get(scan.pk) != scan.sha256:
            problems.append(
                _("Bản đã ký “%(name)s” không còn khớp mã băm đã ghi trong nhật ký: tệp đã bị thay đổi.")
                % {"name": scan.name}
            )
    return problems
