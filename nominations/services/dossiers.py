"""Nomination dossiers (hồ sơ đề nghị khen thưởng): drafting, nominees, submission, receipt, appraisal.

A unit clerk drafts a dossier and its nominees → the unit head submits it → the appraising office (the board for
the provincial Chairman's Bằng khen, the unit's own emulation office for a Giấy khen) receives it or returns it
with a reason → appraises each nominee → completes the appraisal; the decision (services/decisions.py) follows.

Every change of state goes through the door (``workflows.transition``), which also completes the matching task of
the Dossier flow (nominations/flows.py). Every other change is audited here. Refusals raise
``TransitionRefused`` / ``TransitionForbidden`` with a Vietnamese message and change nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from competition.enums import LOCALITY_KINDS, Authority, UnitKind
from competition.models import Campaign, Unit
from competition.scoping import user_unit
from competition.services.rulesets import rule_set_in_force
from workflows import audit, flowsync, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.notifications import notify

from ..enums import AppraisalResult, DossierState, NomineeKind
from ..flows import DossierFlow
from ..models import Dossier, Nominee
from ..rules import NOMINATING_CAMPAIGN_STATES, OPEN_FOR_CHANGES, decided_by_province
from . import composition, quotas, versions

NOMINEE_FIELDS = (
    "kind",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "position",
    "work_unit",
    "collective_unit",
    "direct_worker",
    "achievement",
    "order",
)
# Personal data (domain rule 16): never written to the audit trail or to messages.
PERSONAL_FIELDS = frozenset({"gender", "birth_date", "id_number"})


class DuplicateNominee(TransitionRefused):
    """The same person or collective is already nominated in this campaign (domain rule 3)."""

    def __init__(self, message: str, *, other: Nominee):
        super().__init__(message)
        self.other = other


# --- Canonical names and keys (domain rule 3) ------------------------------------------------------------------

# The five tone marks, as combining characters (NFD): huyền, sắc, ngã, hỏi, nặng.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
VOWELS = frozenset("aăâeêioôơuưy")
SHAPED_VOWELS = frozenset("ăâêôơư")
# Two-vowel endings whose tone the "new" placement puts on the second vowel (hoà, khoẻ, thuý), the "old" one on
# the first (hòa, khỏe, thúy).
SECOND_VOWEL_PAIRS = frozenset({"oa", "oe", "uy"})


def _tone_position(base: str) -> int | None:
    """Where the tone mark goes in a toneless syllable ``base`` (NFC, lower case), by the "new" placement."""
    start = next((i for i, ch in enumerate(base) if ch in VOWELS), None)
    if start is None:
        return None
    end = start
    while end < len(base) and base[end] in VOWELS:
        end += 1
    # "qu" and "gi" (before another vowel) are consonants: quý, quốc, giữ, gìn.
    if end - start > 1 and start > 0 and base[start - 1 : start + 1] in ("qu", "gi"):
        start += 1
    nucleus = base[start:end]
    shaped = [i for i, ch in enumerate(nucleus) if ch in SHAPED_VOWELS]
    if shaped:
        return start + shaped[-1]  # người, Nguyễn, quốc, mưa: on the shaped vowel (ơ of ươ)
    if len(nucleus) == 1:
        return start
    if end < len(base):
        return end - 1  # a final consonant follows: hoàng, huỳnh, toản
    if len(nucleus) >= 3:
        return start + 1  # ngoài, khuỷu, khuya
    return start + 1 if nucleus in SECOND_VOWEL_PAIRS else start  # hoà, thuý, khoẻ; but của, mùa, nghĩa


def _canonical_syllable(word: str) -> str:
    tone = ""
    letters = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONE_MARKS:
            tone = ch
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    if not tone:
        return base
    position = _tone_position(base)
    if position is None:
        return unicodedata.normalize("NFC", base + tone)
    return unicodedata.normalize("NFC", base[: position + 1] + tone + base[position + 1 :])


def canonical_name(name: str) -> str:
    """The name as compared for duplicates (domain rule 3): Unicode NFC, lower case, spaces collapsed, and the
    tone mark of every syllable placed by one rule, so that old and new placement agree (hoà = hòa, thuý = thúy,
    khoẻ = khỏe, Thủy = Thuỷ). Syllables are re-built from their letters and tone, so decomposed input (NFD) and
    composed input give the same key."""
    text = unicodedata.normalize("NFC", name or "").lower()
    words = re.split(r"\s+", text.strip())
    return " ".join(_canonical_syllable(w) for w in words if w)


def canonical_key(
    *,
    kind: str,
    name: str,
    birth_date: date | None = None,
    id_number: str = "",
    collective_unit: Unit | None = None,
    work_unit: str = "",
) -> str:
    """The stored key of a nominee: for a person (or a household's head), the canonical name with the birth date,
    or else the ID number; for a collective, its unit when it is one, or else its canonical name within its
    parent body (``work_unit``). At most 300 characters (longer keys end in a digest)."""
    who = canonical_name(name)
    if kind == NomineeKind.COLLECTIVE:
        key = f"tt:u{collective_unit.pk}" if collective_unit is not None else f"tt:{who}|{canonical_name(work_unit)}"
    else:
        prefix = "cn" if kind == NomineeKind.INDIVIDUAL else "hgd"
        if birth_date is not None:
            key = f"{prefix}:{who}|{birth_date.isoformat()}"
        elif id_number:
            key = f"{prefix}:{who}|id:{id_number.strip()}"
        else:
            key = f"{prefix}:{who}|{canonical_name(work_unit)}"
    if len(key) > 300:
        key = key[:235] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


# --- Who decides, who is told ---------------------------------------------------------------------------------


def _ancestors_nearest_first(unit: Unit) -> list[Unit]:
    """The unit and its ancestors, nearest first, from its materialised path (one query)."""
    codes = [c for c in unit.path.split("/") if c]
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    return [by_code[c] for c in reversed(codes) if c in by_code]


def deciding_unit_for(unit: Unit, authority: str) -> Unit:
    """Whose authority decides (domain rule 6): the province (the root of the unit tree) for the provincial
    Chairman; for a department head or a commune chairman, the proposing unit itself when it is a department
    (commune, ward), or else its nearest ancestor of that kind."""
    chain = _ancestors_nearest_first(unit)
    if authority == Authority.PROVINCIAL_CHAIRMAN:
        found = chain[-1] if chain and chain[-1].parent_id is None else None
    elif authority == Authority.DEPARTMENT_HEAD:
        found = next((u for u in chain if u.kind == UnitKind.DEPARTMENT), None)
    elif authority == Authority.COMMUNE_CHAIRMAN:
        found = next((u for u in chain if u.kind in LOCALITY_KINDS), None)
    else:
        found = None
    if found is None:
        raise TransitionRefused(
            _("Không xác định được cấp có thẩm quyền quyết định (%(authority)s) cho đơn vị “%(unit)s”.")
            % {"authority": Authority(authority).label if authority in Authority.values else authority, "unit": unit}
        )
    return found


def _users(unit_ids, roles) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role__in=list(roles), membership__unit_id__in=[u for u in unit_ids if u is not None]
        )
    )


def receivers_of(dossier: Dossier) -> list[User]:
    """Who receives and appraises ``dossier``: board officers for the Chairman's Bằng khen, else the clerks of the
    deciding unit (its own emulation office)."""
    if decided_by_province(dossier):
        return list(User.objects.filter(is_active=True, role=Role.BOARD_OFFICER))
    return _users([dossier.deciding_unit_id], [Role.UNIT_CLERK])


def deciders_of(dossier: Dossier) -> list[User]:
    """Who decides ``dossier``: the Chairman's office for Bằng khen, else the head of the deciding unit."""
    if decided_by_province(dossier):
        return list(User.objects.filter(is_active=True, role=Role.CHAIRMAN_OFFICE))
    return _users([dossier.deciding_unit_id], [Role.UNIT_HEAD])


def proposers_of(dossier: Dossier) -> list[User]:
    """The clerks and heads of the proposing unit."""
    return _users([dossier.unit_id], [Role.UNIT_CLERK, Role.UNIT_HEAD])


def _url(dossier: Dossier) -> str:
    try:
        return reverse("nominations:dossier_detail", args=[dossier.pk])
    except NoReverseMatch:
        return ""


def _notify(users, *, event, key: str, title: str, body: str, dossier: Dossier) -> None:
    notify(
        users, key=f"{key}:{dossier.pk}:{event.sequence}", title=title, body=body, url=_url(dossier), target=dossier
    )


# --- Guards ----------------------------------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def _require(actor, perm: str, obj, message: str) -> None:
    if not _is_system(actor) and not actor.has_perm(perm, obj):
        raise TransitionForbidden(message)


def _locked(dossier: Dossier) -> Dossier:
    manager = Dossier.objects.select_related("campaign", "unit", "deciding_unit")
    if connection.features.has_select_for_update:
        manager = manager.select_for_update(of=("self",))
    return manager.get(pk=dossier.pk)


def _require_changeable(dossier: Dossier, actor) -> None:
    """The dossier is still with its unit (draft or returned) and ``actor`` is its clerk."""
    if dossier.state not in OPEN_FOR_CHANGES:
        raise TransitionRefused(
            _("Hồ sơ “%(d)s” đang ở trạng thái “%(s)s”: chỉ sửa được khi đang soạn hoặc bị trả lại để bổ sung.")
            % {"d": dossier, "s": dossier.get_state_display()}
        )
    _require(
        actor,
        "nominations.change_dossier",
        dossier,
        _("Chỉ cán bộ thi đua của “%(unit)s” được sửa hồ sơ “%(d)s”.") % {"unit": dossier.unit, "d": dossier},
    )


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# --- Drafting --------------------------------------------------------------------------------------------------


def create_dossier(
    campaign: Campaign,
    *,
    unit: Unit,
    award_type_code: str,
    title: str,
    actor,
    letter_number: str = "",
    letter_date: date | None = None,
) -> Dossier:
    """Draft a dossier of ``unit`` for the award form ``award_type_code`` in ``campaign``, and start its flow.

    Checks: the actor is a clerk of ``unit`` (``nominations.add_dossier``); the campaign is launched (and not
    closed); ``unit`` takes part in it and is not dissolved (domain rule 14); the award form is one of the
    campaign's. The deciding unit follows from the form's authority in the campaign's rule set
    (:func:`deciding_unit_for`).

    Side effects: one ``Dossier`` (draft); the Dossier flow's process, start task and the open ``submit`` task
    (the unit head's inbox); one audit event ``nominations.dossier.create``.
    """
    title = (title or "").strip()
    if not title:
        raise TransitionRefused(_("Hãy ghi trích yếu của hồ sơ."))
    forbidden = TransitionForbidden(
        _("Chỉ cán bộ thi đua của “%(unit)s” được lập hồ sơ đề nghị của đơn vị trong phong trào “%(c)s”.")
        % {"unit": unit, "c": campaign}
    )
    if not _is_system(actor):
        own = user_unit(actor)
        if own is None or own.pk != unit.pk or not actor.has_perm("nominations.add_dossier"):
            raise forbidden
    if campaign.state not in NOMINATING_CAMPAIGN_STATES:
        raise TransitionRefused(
            _("Phong trào “%(c)s” đang ở trạng thái “%(s)s”: chưa (hoặc không còn) nhận hồ sơ đề nghị khen thưởng.")
            % {"c": campaign, "s": campaign.get_state_display()}
        )
    if unit.is_dissolved:
        raise TransitionRefused(
            _(
                "Đơn vị “%(unit)s” đã giải thể, sáp nhập từ %(day)s: không thể đề nghị khen thưởng; "
                "đơn vị kế thừa: %(s)s."
            )
            % {"unit": unit, "day": unit.dissolved_on.strftime("%d/%m/%Y"), "s": unit.successor or "—"}
        )
    if not campaign.enrolments.filter(unit=unit).exists():
        raise TransitionRefused(
            _("Đơn vị “%(unit)s” không tham gia phong trào “%(c)s”.") % {"unit": unit, "c": campaign}
        )
    award = (
        campaign.rule_set.award_types.filter(code=award_type_code).first()
        if campaign.rule_set_id and award_type_code in (campaign.award_type_codes or [])
        else None
    )
    if award is None:
        raise TransitionRefused(
            _("Hình thức khen thưởng “%(code)s” không thuộc các hình thức của phong trào “%(c)s”.")
            % {"code": award_type_code, "c": campaign}
        )
    deciding_unit = deciding_unit_for(unit, award.authority)
    if not _is_system(actor) and not actor.has_perm("nominations.add_dossier", campaign):
        raise forbidden
    with transaction.atomic():
        dossier = Dossier.objects.create(
            campaign=campaign,
            unit=unit,
            award_type_code=award.code,
            deciding_unit=deciding_unit,
            title=title,
            letter_number=letter_number or "",
            letter_date=letter_date,
            created_by=None if _is_system(actor) else actor,
        )
        audit.record(
            actor=actor,
            action="nominations.dossier.create",
            obj=dossier,
            to_state=dossier.state,
            payload={
                "field": "state",
                "campaign": campaign.code,
                "award_type": award.code,
                "deciding_unit": deciding_unit.code,
            },
        )
        flowsync.start_process(DossierFlow, dossier, actor)
    return dossier


def _clean_nominee_fields(fields: dict) -> dict:
    unknown = set(fields) - set(NOMINEE_FIELDS)
    if unknown:
        raise TypeError(f"unknown nominee fields: {sorted(unknown)}")
    cleaned = dict(fields)
    for name in ("name", "id_number", "position", "work_unit", "achievement", "gender"):
        if name in cleaned:
            cleaned[name] = re.sub(r"\s+", " ", str(cleaned[name] or "")).strip()
    return cleaned


def _validate_nominee(nominee: Nominee) -> None:
    if nominee.kind not in NomineeKind.values:
        raise TransitionRefused(_("Loại người được đề nghị không hợp lệ: “%(k)s”.") % {"k": nominee.kind})
    if not nominee.name:
        raise TransitionRefused(_("Hãy ghi họ tên (hoặc tên tập thể) của người được đề nghị."))
    if nominee.kind == NomineeKind.INDIVIDUAL and not nominee.birth_date and not nominee.id_number:
        raise TransitionRefused(
            _("“%(n)s”: cá nhân cần có ngày sinh hoặc số định danh để kiểm tra trùng lặp.") % {"n": nominee.name}
        )
    if nominee.collective_unit_id and nominee.collective_unit.is_dissolved:
        unit = nominee.collective_unit
        raise TransitionRefused(
            _("Tập thể “%(unit)s” đã giải thể, sáp nhập: không thể đề nghị khen thưởng; đơn vị kế thừa: %(s)s.")
            % {"unit": unit, "s": unit.successor or "—"}
        )


def _refuse_duplicate(nominee: Nominee, dossier: Dossier) -> None:
    """Domain rule 3: the same canonical key (or ID number) twice in one campaign, in any unit's dossier."""
    same = Q(canonical_key=nominee.canonical_key)
    if nominee.id_number:
        same |= Q(id_number=nominee.id_number)
    other = (
        Nominee.objects.filter(same, dossier__campaign_id=dossier.campaign_id)
        .exclude(pk=nominee.pk)
        .select_related("dossier__unit")
        .order_by("pk")
        .first()
    )
    if other is None:
        return
    if other.dossier_id == dossier.pk:
        message = _("“%(n)s” đã có trong hồ sơ này (“%(other)s”): mỗi người, tập thể chỉ được đề nghị một lần.") % {
            "n": nominee.name,
            "other": other.name,
        }
    else:
        message = _(
            "“%(n)s” đã được đề nghị trong phong trào này, tại hồ sơ “%(d)s” của %(unit)s: một thành tích chỉ được "
            "khen thưởng một lần, bằng một hình thức."
        ) % {"n": nominee.name, "d": other.dossier, "unit": other.dossier.unit}
    raise DuplicateNominee(message, other=other)


def _lock_campaign(campaign_id: int) -> None:
    """Serialise nominee changes within a campaign, so two units cannot add the same person at once."""
    if connection.features.has_select_for_update:
        Campaign.objects.select_for_update().filter(pk=campaign_id).exists()


def add_nominee(dossier: Dossier, *, actor, **fields) -> Nominee:
    """Add a person, collective or household to a dossier that is still with its unit (draft or returned).

    ``fields`` are Nominee fields (``NOMINEE_FIELDS``). Checks: the actor may change the dossier; a person has a
    birth date or an ID number; a collective's unit is not dissolved (domain rule 14); nobody with the same
    canonical key (or ID number) is nominated elsewhere in the campaign (domain rule 3, :class:`DuplicateNominee`).

    Side effects: one ``Nominee``; one audit event ``nominations.nominee.add`` on the dossier (no personal data).
    """
    cleaned = _clean_nominee_fields(fields)
    with transaction.atomic():
        locked = _locked(dossier)
        _require_changeable(locked, actor)
        _lock_campaign(locked.campaign_id)
        if "order" not in cleaned:
            cleaned["order"] = locked.nominees.count() + 1
        nominee = Nominee(dossier=locked, **cleaned)
        _check_and_save(nominee, locked)
        audit.record(
            actor=actor,
            action="nominations.nominee.add",
            obj=locked,
            payload={"nominee": nominee.pk, "name": nominee.name, "kind": nominee.kind},
        )
    return nominee


def _check_and_save(nominee: Nominee, dossier: Dossier) -> None:
    """Validate, key (domain rule 3) and refuse a duplicate in the campaign, an award of the same form already in
    the register for this campaign (Law 06/2022/QH15 Art. 5(2)(c)) or an active hold (NĐ 152/2025 Art. 4), then
    save."""
    from .history import refuse_ineligible

    _validate_nominee(nominee)
    nominee.canonical_key = _key_of(nominee)
    _refuse_duplicate(nominee, dossier)
    refuse_ineligible(nominee, dossier)
    nominee.save()


def _key_of(nominee: Nominee) -> str:
    return canonical_key(
        kind=nominee.kind,
        name=nominee.name,
        birth_date=nominee.birth_date,
        id_number=nominee.id_number,
        collective_unit=nominee.collective_unit,
        work_unit=nominee.work_unit,
    )


def update_nominee(nominee: Nominee, *, actor, **fields) -> Nominee:
    """Change a nominee of a dossier that is still with its unit; the same checks as :func:`add_nominee`.

    Side effects: the ``Nominee`` row (and its canonical key); one audit event ``nominations.nominee.update``
    naming the changed fields (never their personal values).
    """
    cleaned = _clean_nominee_fields(fields)
    with transaction.atomic():
        locked = _locked(nominee.dossier)
        _require_changeable(locked, actor)
        _lock_campaign(locked.campaign_id)
        fresh = Nominee.objects.get(pk=nominee.pk, dossier=locked)
        changed = sorted(k for k, v in cleaned.items() if getattr(fresh, k) != v)
        for name, value in cleaned.items():
            setattr(fresh, name, value)
        _check_and_save(fresh, locked)
        audit.record(
            actor=actor,
            action="nominations.nominee.update",
            obj=locked,
            payload={"nominee": fresh.pk, "name": fresh.name, "fields": changed},
        )
    nominee.refresh_from_db()
    return fresh


def remove_nominee(nominee: Nominee, *, actor) -> None:
    """Remove a nominee from a dossier that is still with its unit.

    Side effects: deletes the ``Nominee``; one audit event ``nominations.nominee.remove`` on the dossier.
    """
    with transaction.atomic():
        locked = _locked(nominee.dossier)
        _require_changeable(locked, actor)
        fresh = Nominee.objects.get(pk=nominee.pk, dossier=locked)
        payload = {"nominee": fresh.pk, "name": fresh.name, "kind": fresh.kind}
        fresh.delete()
        audit.record(actor=actor, action="nominations.nominee.remove", obj=locked, payload=payload)


# --- Through the door ------------------------------------------------------------------------------------------


def submit_dossier(dossier: Dossier, *, actor, on: date | None = None, at: datetime | None = None) -> Dossier:
    """The unit head submits the dossier (draft or returned → submitted) through the door.

    Pins the rule set in force on ``on`` (default today) at the first submission (domain rule 1); a resubmitted
    dossier keeps the rule set it was first filed under. Refused when no rule set is in force, when it lacks the
    dossier's award form, when the unit (or a collective nominee's unit) was dissolved meanwhile, or without
    nominees.

    Side effects: the door's transition, audit event and task completion (the flow moves to ``receive``); a
    notification to whoever receives it (board officers, or the deciding unit's clerks).
    """
    day = on or timezone.localdate()
    rule_set = dossier.rule_set or rule_set_in_force(day)
    if rule_set is None:
        raise TransitionRefused(
            _("Không có bộ quy định nào có hiệu lực vào ngày %(d)s: chưa gửi được hồ sơ.")
            % {"d": day.strftime("%d/%m/%Y")}
        )
    if not rule_set.award_types.filter(code=dossier.award_type_code).exists():
        raise TransitionRefused(
            _("Bộ quy định “%(rs)s” không có hình thức khen thưởng “%(code)s” của hồ sơ.")
            % {"rs": rule_set, "code": dossier.award_type_code}
        )
    dissolved = [dossier.unit] if dossier.unit.is_dissolved else []
    dissolved += [
        n.collective_unit
        for n in dossier.nominees.filter(collective_unit__dissolved_on__isnull=False).select_related("collective_unit")
    ]
    if dissolved:
        raise TransitionRefused(
            _("Không thể đề nghị khen thưởng đơn vị đã giải thể, sáp nhập: %(units)s.")
            % {"units": ", ".join(f"{u} (→ {u.successor or '?'})" for u in dissolved)}
        )
    # Award history and holds may have changed since the nominees were added (issue 6): check them again.
    from .history import eligibility_problems

    ineligible = [p for n in dossier.nominees.order_by("order", "pk") for p in eligibility_problems(n, dossier)]
    # Under the rule set the dossier is filed under: the campaign's quotas and priorities per unit, its required
    # classification, the award form against the campaign (issue 6), and the completeness gate (domain rule 7).
    pinned, dossier.rule_set = dossier.rule_set, rule_set
    try:
        ineligible += quotas.submission_problems(dossier)
        ineligible += composition.missing_documents(dossier)
    finally:
        dossier.rule_set = pinned
    if ineligible:
        raise TransitionRefused(_("Chưa gửi được hồ sơ “%(d)s”:") % {"d": dossier}, reasons=ineligible)
    moment = _now(at)

    def tell_receivers(record: Dossier, event) -> None:
        versions.record_version(record, actor=actor, at=moment)
        _notify(
            receivers_of(record),
            event=event,
            key="dossier-submitted",
            title=_("Hồ sơ đề nghị khen thưởng chờ tiếp nhận: %(d)s") % {"d": record},
            body=_("%(unit)s đã gửi hồ sơ “%(d)s” (phong trào “%(c)s”).")
            % {"unit": record.unit, "d": record, "c": record.campaign},
            dossier=record,
        )

    return transition(
        dossier,
        "submit",
        actor=actor,
        rule_set=rule_set,
        at=moment,
        after=tell_receivers,
        payload={"rule_set": rule_set.code},
    )


def receive_dossier(dossier: Dossier, *, actor, at: datetime | None = None) -> Dossier:
    """The appraising office receives a complete dossier (submitted → received) through the door; the appraisal
    clock starts.

    Side effects: the door's transition, audit event and task completion (the flow moves to ``appraise``); a
    notification to the proposing unit's clerks and head.
    """

    missing = composition.missing_documents(dossier)
    if missing:
        raise TransitionRefused(
            _("Chưa tiếp nhận được hồ sơ “%(d)s”: hồ sơ chưa đủ thành phần; hãy trả lại để bổ sung.") % {"d": dossier},
            reasons=missing,
        )

    def tell_unit(record: Dossier, event) -> None:
        from .board import take_on_receipt  # board.py imports this module

        take_on_receipt(record, actor)  # the officer who receives it handles it, unless someone already does
        _notify(
            proposers_of(record),
            event=event,
            key="dossier-received",
            title=_("Hồ sơ đã được tiếp nhận: %(d)s") % {"d": record},
            body=_("Hồ sơ “%(d)s” đã được tiếp nhận để thẩm định.") % {"d": record},
            dossier=record,
        )

    return transition(dossier, "receive", actor=actor, at=_now(at), after=tell_unit)


def return_items(dossier: Dossier, items) -> list[dict]:
    """Check the items of a return (``[{"target", "reason"}]``, as the form posts them) against the dossier: each
    target is one of its composition's items (``document:<code>`` or ``document:<code>:<nominee pk>``) or one of
    its nominees (``nominee:<pk>``); items without a reason are dropped. Returns them with their labels."""
    labels = {item.target: item.label for item in composition.composition(dossier)}
    labels.update({f"nominee:{pk}": name for pk, name in dossier.nominees.values_list("pk", "name")})
    cleaned = []
    for item in items or ():
        target = str(item.get("target", "")).strip()
        reason = re.sub(r"\s+", " ", str(item.get("reason", "") or "")).strip()
        if not reason:
            continue
        if target not in labels:
            raise TransitionRefused(_("Mục “%(t)s” không thuộc hồ sơ “%(d)s”.") % {"t": target, "d": dossier})
        cleaned.append({"target": target, "label": str(labels[target]), "reason": reason})
    return cleaned


def return_dossier(dossier: Dossier, *, actor, reason: str = "", items=()) -> Dossier:
    """The appraising office returns the dossier for supplementation, at receipt (submitted → returned) or during
    appraisal (received → returned), with a reason per item (``items``: a document, a nominee's document, a nominee;
    see :func:`return_items`) and/or a general reason; at least one is required. The appraisal clock stops; the
    opinions already given on nominees are kept (a nominee the unit then changes goes back to "not appraised").

    Side effects: the door's transition (the reasons on the dossier and in the audit event) and task completion
    (the flow goes back to ``submit``); one ``DossierReturn``; a notification with the reasons to the proposing
    unit's clerks and head.
    """
    from ..models import DossierReturn

    reason = (reason or "").strip()
    cleaned = return_items(dossier, items)
    if not reason and not cleaned:
        raise TransitionRefused(_("Hãy ghi lý do trả lại và nội dung đơn vị cần bổ sung."))
    summary = "\n".join(([reason] if reason else []) + [f"- {item['label']}: {item['reason']}" for item in cleaned])
    name = "send_back_in_appraisal" if dossier.state == DossierState.RECEIVED else "send_back"
    from_state = dossier.state

    def tell_unit(record: Dossier, event) -> None:
        DossierReturn.objects.create(
            dossier=record,
            number=record.returns.count() + 1,
            from_state=from_state,
            reason=reason,
            items=cleaned,
            returned_by=None if _is_system(actor) else actor,
            returned_at=event.created_at,
        )
        _notify(
            proposers_of(record),
            event=event,
            key="dossier-returned",
            title=_("Hồ sơ bị trả lại để bổ sung: %(d)s") % {"d": record},
            body=_("Lý do, nội dung cần bổ sung: %(r)s") % {"r": summary},
            dossier=record,
        )

    return transition(dossier, name, actor=actor, reason=summary, after=tell_unit, payload={"items": len(cleaned)})


def appraise_nominee(nominee: Nominee, *, actor, result: str, note: str = "") -> Nominee:
    """Record the appraisal opinion on one nominee of a received dossier: proposed for the award, or not (which
    needs a note). It can be changed until the appraisal is completed.

    Side effects: the nominee's result and note; one audit event ``nominations.nominee.appraise`` on the dossier.
    """
    note = (note or "").strip()
    if result not in (AppraisalResult.ACCEPTED, AppraisalResult.REJECTED):
        raise TransitionRefused(_("Kết quả thẩm định không hợp lệ: “%(r)s”.") % {"r": result})
    if result == AppraisalResult.REJECTED and not note:
        raise TransitionRefused(
            _("“%(n)s”: không đề nghị khen thưởng thì phải ghi ý kiến thẩm định (lý do).") % {"n": nominee.name}
        )
    with transaction.atomic():
        locked = _locked(nominee.dossier)
        if locked.state != DossierState.RECEIVED:
            raise TransitionRefused(
                _("Chỉ thẩm định khi hồ sơ đã được tiếp nhận; hồ sơ “%(d)s” đang ở trạng thái “%(s)s”.")
                % {"d": locked, "s": locked.get_state_display()}
            )
        _require(
            actor,
            "nominations.appraise_nominee",
            locked,
            _("Bạn không có quyền thẩm định hồ sơ “%(d)s”.") % {"d": locked},
        )
        fresh = Nominee.objects.get(pk=nominee.pk, dossier=locked)
        if result == AppraisalResult.ACCEPTED:
            # A hold placed (or an award registered) after submission: rejected or left pending, never proposed.
            from .history import eligibility_problems

            problems = eligibility_problems(fresh, locked) + quotas.acceptance_problems(fresh, locked)
            if problems:
                raise TransitionRefused(
                    _("Không đề nghị khen thưởng được “%(n)s”:") % {"n": fresh.name}, reasons=problems
                )
        fresh.appraisal_result = result
        fresh.appraisal_note = note
        fresh.save(update_fields=["appraisal_result", "appraisal_note"])
        audit.record(
            actor=actor,
            action="nominations.nominee.appraise",
            obj=locked,
            payload={"nominee": fresh.pk, "name": fresh.name, "result": result, "note": note},
        )
    nominee.refresh_from_db()
    return fresh


def complete_appraisal(dossier: Dossier, *, actor, at: datetime | None = None) -> Dossier:
    """The appraising office completes the appraisal (received → appraised) through the door, once every nominee
    has a result and the campaign's priorities hold (services/quotas.py).

    Side effects: the door's transition, audit event and task completion (the flow moves to ``council``: the same
    office takes the dossier to a session of its council, services/council.py).
    """
    problems = quotas.completion_problems(dossier)
    if problems:
        raise TransitionRefused(_("Chưa hoàn thành thẩm định được hồ sơ “%(d)s”:") % {"d": dossier}, reasons=problems)
    return transition(dossier, "appraise", actor=actor, at=_now(at))
