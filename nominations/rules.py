"""Object permissions of the nominations app (rules predicates); the door checks ``<app>.<transition>_<model>``."""

import rules
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from accounts.rules import (
    is_auditor,
    is_board,
    is_board_officer,
    is_chairman_office,
    is_coordinator,
    is_council_member,
    is_unit_clerk,
    is_unit_head,
)
from competition.enums import Authority, CampaignState
from competition.rules import sees
from competition.scoping import can_see, provincial_q, user_unit

from .enums import CouncilSessionState, DossierState

# === Dossiers: who acts on each step of the Dossier flow (nominations/flows.py) ===============================
# Each task of the flow is assigned by the same permission the door checks for the matching transition, so an
# inbox shows exactly what the door will accept. Acting permissions are object permissions: without an object
# they are false (viewflow's ``can_assign`` falls back to an object-less check).

OPEN_FOR_CHANGES = (DossierState.DRAFT, DossierState.RETURNED)
NOMINATING_CAMPAIGN_STATES = (CampaignState.LAUNCHED, CampaignState.SUMMARIZING)


def _dossier_of(obj):
    """A Dossier, or the dossier of a Nominee (views ask about either)."""
    return getattr(obj, "dossier", None) if hasattr(obj, "dossier_id") else obj


def decided_by_province(dossier) -> bool:
    """Bằng khen of the provincial Chairman: its deciding unit is the province (the root of the unit tree); a
    Giấy khen is decided by a commune or department (nominations.services.dossiers.deciding_unit_for)."""
    return dossier.deciding_unit.parent_id is None


def _own_unit_pk(user):
    unit = user_unit(user)
    return unit.pk if unit is not None else None


@rules.predicate
def has_dossier(user, obj) -> bool:
    return obj is not None and _dossier_of(obj) is not None


@rules.predicate
def of_proposing_unit(user, obj) -> bool:
    return _own_unit_pk(user) == _dossier_of(obj).unit_id


@rules.predicate
def of_deciding_unit(user, obj) -> bool:
    return _own_unit_pk(user) == _dossier_of(obj).deciding_unit_id


@rules.predicate
def for_the_chairman(user, obj) -> bool:
    return decided_by_province(_dossier_of(obj))


@rules.predicate
def open_for_changes(user, obj) -> bool:
    return _dossier_of(obj).state in OPEN_FOR_CHANGES


@rules.predicate
def may_nominate_in(user, campaign) -> bool:
    """A clerk's unit takes part in ``campaign`` (launched, not yet closed); without a campaign: any clerk."""
    if campaign is None:
        return True
    unit = user_unit(user)
    return (
        unit is not None
        and campaign.state in NOMINATING_CAMPAIGN_STATES
        and campaign.enrolments.filter(unit=unit).exists()
    )


@rules.predicate
def sees_dossier_process(user, process) -> bool:
    return process is None or can_see(user, process.dossier)


submits_dossier = has_dossier & is_unit_head & of_proposing_unit
# Receiving, returning and appraising: the board for the Chairman's Bằng khen; the deciding unit's own emulation
# office (its clerks) for a Giấy khen.
handles_dossier = has_dossier & (
    (is_board_officer & for_the_chairman) | (is_unit_clerk & of_deciding_unit & ~for_the_chairman)
)
# Deciding: the Chairman's office for Bằng khen; the head of the deciding unit for a Giấy khen.
decides_dossier = has_dossier & (
    (is_chairman_office & for_the_chairman) | (is_unit_head & of_deciding_unit & ~for_the_chairman)
)

rules.add_perm("nominations.add_dossier", is_unit_clerk & may_nominate_in)
rules.add_perm("nominations.change_dossier", has_dossier & is_unit_clerk & of_proposing_unit & open_for_changes)
rules.add_perm("nominations.view_dossier", sees)
rules.add_perm("nominations.submit_dossier", submits_dossier)
rules.add_perm("nominations.receive_dossier", handles_dossier)
rules.add_perm("nominations.send_back_dossier", handles_dossier)
rules.add_perm("nominations.send_back_in_appraisal_dossier", handles_dossier)
rules.add_perm("nominations.appraise_dossier", handles_dossier)
rules.add_perm("nominations.appraise_nominee", handles_dossier)
rules.add_perm("nominations.decide_dossier", decides_dossier)
rules.add_perm("nominations.council_review_dossier", handles_dossier)
rules.add_perm("nominations.view_nominee", sees)
# viewflow's own pages (not mounted) would ask for this one.
rules.add_perm("nominations.view_dossierprocess", sees_dossier_process)


def dossiers_acted_on(user, perm: str, prefix: str = "", *, provinces: list[int] | None = None) -> Q:
    """The SQL twin of the acting permissions above: the condition on Dossier fields (behind ``prefix``, e.g.
    ``"process__dossierprocess__dossier__"``) that holds exactly where ``user.has_perm(perm, dossier)`` does. The
    inbox counts and pages thousands of waiting dossiers with it in the database instead of asking each one.
    tests/nominations/test_inbox.py checks both agree for every role on dossiers in every state; a permission of
    the flow without its twin here is an error, not a silent empty inbox. ``provinces``: the root units' pks, when
    the caller has them already (``competition.scoping.root_unit_ids``)."""

    def q(**conditions) -> Q:
        return Q(**{prefix + name: value for name, value in conditions.items()})

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return q(pk__in=[])
    if user.is_superuser:
        return Q()  # Django grants a superuser every permission
    own = _own_unit_pk(user)
    province = provincial_q(prefix, provinces)
    nothing = q(pk__in=[])
    if perm == "nominations.submit_dossier":
        return q(unit_id=own) if is_unit_head(user) and own else nothing
    if perm in HANDLING_PERMISSIONS:
        if is_board_officer(user):
            return province
        return (q(deciding_unit_id=own) & ~province) if is_unit_clerk(user) and own else nothing
    if perm == "nominations.decide_dossier":
        if is_chairman_office(user):
            return province
        return (q(deciding_unit_id=own) & ~province) if is_unit_head(user) and own else nothing
    raise ImproperlyConfigured(f"{perm}: no SQL twin in nominations.rules.dossiers_acted_on")


HANDLING_PERMISSIONS = frozenset(
    {
        "nominations.receive_dossier",
        "nominations.send_back_dossier",
        "nominations.send_back_in_appraisal_dossier",
        "nominations.appraise_dossier",
        "nominations.council_review_dossier",
    }
)

# === Award decisions: drafting, issue details, signing ==========================================================
# Bằng khen of the provincial Chairman: the board (which prepares the submission) or the Chairman's office drafts,
# the Chairman's office signs. A unit's own Giấy khen: the deciding unit's own clerks draft, its head signs — the
# same people who decide the dossier (``decides_dossier`` above), since signing decides every dossier at once.


def _decision_for_the_chairman(decision) -> bool:
    return decision.authority == Authority.PROVINCIAL_CHAIRMAN


@rules.predicate
def may_draft_decision(user, obj=None) -> bool:
    """``obj`` is an AwardDecision or an appraised Dossier it would cover."""
    if obj is None:
        return False
    if hasattr(obj, "authority"):
        for_chairman, deciding_unit_id = _decision_for_the_chairman(obj), obj.issuing_unit_id
    else:
        for_chairman, deciding_unit_id = decided_by_province(obj), obj.deciding_unit_id
    if for_chairman:
        return is_board(user) or is_chairman_office(user)
    return is_unit_clerk(user) and _own_unit_pk(user) == deciding_unit_id


@rules.predicate
def may_sign_decision(user, decision=None) -> bool:
    if decision is None:
        return False
    if _decision_for_the_chairman(decision):
        return is_chairman_office(user)
    return is_unit_head(user) and _own_unit_pk(user) == decision.issuing_unit_id


rules.add_perm("nominations.add_awarddecision", may_draft_decision)
rules.add_perm("nominations.change_awarddecision", may_draft_decision | may_sign_decision)
rules.add_perm("nominations.sign_awarddecision", may_sign_decision)


@rules.predicate
def may_upload_signed(user, decision=None) -> bool:
    """The signed PDF comes back from whoever signs, or, for the Chairman's decisions, from the board."""
    if decision is None:
        return False
    return may_sign_decision(user, decision) or (_decision_for_the_chairman(decision) and is_board(user))


rules.add_perm("nominations.upload_signed_awarddecision", may_upload_signed)
rules.add_perm("nominations.view_awarddecision", sees)

# === Award history and holds (issue 6): the board keeps the register of awards and places and lifts holds =======
# The register and the holds hold personal data and discipline matters (domain rule 16): the board only.

rules.add_perm("nominations.view_awardrecord", is_board)
rules.add_perm("nominations.import_awardrecord", is_board)
rules.add_perm("nominations.view_nomineehold", is_board)
rules.add_perm("nominations.add_nomineehold", is_board)
rules.add_perm("nominations.lift_nomineehold", is_board)

# === Campaign quotas (domain rule 11): the board sets each award form's quotas and priorities; the board, the
# coordinating department (which co-monitors and co-summarises the campaign) and auditors (everything, read-only:
# architecture principle 7) read them and what is used.

rules.add_perm("nominations.view_nominationquota", is_board | is_coordinator | is_auditor)
rules.add_perm("nominations.change_nominationquota", is_board)

# === Council sessions (domain rule 8): the appraising office is the council's secretariat; members vote ==========
# The province's council (Bằng khen of the Chairman): the board's officers prepare, open and close the session; a
# commune's or department's own council: that unit's clerks. Members are the users listed on the session.


@rules.predicate
def is_session_secretariat(user, session=None) -> bool:
    if session is None:
        return False
    if session.deciding_unit.parent_id is None:
        return is_board_officer(user)
    return is_unit_clerk(user) and _own_unit_pk(user) == session.deciding_unit_id


@rules.predicate
def is_session_member(user, session=None) -> bool:
    return session is not None and session.members.filter(user_id=user.pk).exists()


@rules.predicate
def may_add_session(user, deciding_unit=None) -> bool:
    """``deciding_unit``: the unit whose council meets (the province, or a commune or department)."""
    if deciding_unit is None:
        return is_board_officer(user) or is_unit_clerk(user)
    if deciding_unit.parent_id is None:
        return is_board_officer(user)
    return is_unit_clerk(user) and _own_unit_pk(user) == deciding_unit.pk


rules.add_perm("nominations.add_councilsession", may_add_session)
rules.add_perm("nominations.change_councilsession", is_session_secretariat)
rules.add_perm("nominations.open_voting_councilsession", is_session_secretariat)
rules.add_perm("nominations.close_councilsession", is_session_secretariat)
rules.add_perm("nominations.vote_councilsession", is_session_member)


# Auditors read every session too (principle 7: everything, read-only); the pages never show how a member voted.
@rules.predicate
def is_closed_province_session(user, session=None) -> bool:
    """The Chairman's office reads the results and minutes of the province's council it submits for signature."""
    return (
        session is not None and session.deciding_unit.parent_id is None and session.state == CouncilSessionState.CLOSED
    )


rules.add_perm(
    "nominations.view_councilsession",
    is_session_secretariat
    | is_session_member
    | is_board
    | is_auditor
    | (is_chairman_office & is_closed_province_session),
)
# The list of sessions in the menu: whoever prepares, sits on or reads sessions (each sees the sessions in scope).
rules.add_perm("nominations.list_councilsession", is_board | is_unit_clerk | is_council_member | is_auditor)

# === The campaign summary (tổng kết) and the yearly statistics of awards (issue 7, item 7) =======================
# The summary of a campaign: the board, which summarises it, and the coordinating department, which co-summarises
# (domain step 15); auditors read it. A unit never sees it: it aggregates every unit of the campaign.
# The yearly statistics for the Ministry of Home Affairs cover every campaign and every unit's own decisions: the
# board compiles them and keeps the template; auditors read them.

rules.add_perm("nominations.view_summary_campaign", is_board | is_coordinator | is_auditor)
rules.add_perm("nominations.view_statistics", is_board | is_auditor)
rules.add_perm("nominations.change_statisticstemplate", is_board)


# === Payment, the emulation fund, publication and revocation (issue 7) =========================================
# The money of the Chairman's awards comes from the provincial fund the board manages; a unit's own Giấy khen from
# the unit's fund, kept by its clerks and head. A revocation is proposed by whoever prepares decisions of that
# authority and decided by whoever signs them (the awarding authority, Law 06/2022 Art. 93).


def _decision_of(obj):
    """The AwardDecision behind ``obj``: a decision, an award line or a revocation."""
    if hasattr(obj, "award"):  # a Revocation
        obj = obj.award
    return getattr(obj, "decision", obj)


@rules.predicate
def manages_fund(user, obj=None) -> bool:
    """``obj``: a Unit (the fund holder), an AwardDecision, an Award or a Revocation."""
    if obj is None:
        return False
    if hasattr(obj, "kind") and hasattr(obj, "path"):  # a Unit
        unit_pk, for_chairman = obj.pk, obj.kind == "province"
    else:
        decision = _decision_of(obj)
        unit_pk, for_chairman = decision.issuing_unit_id, _decision_for_the_chairman(decision)
    if for_chairman:
        return is_board(user)
    return (is_unit_clerk(user) or is_unit_head(user)) and _own_unit_pk(user) == unit_pk


@rules.predicate
def may_propose_revocation(user, obj=None) -> bool:
    return obj is not None and may_draft_decision(user, _decision_of(obj))


@rules.predicate
def may_decide_revocation(user, obj=None) -> bool:
    return obj is not None and may_sign_decision(user, _decision_of(obj))


rules.add_perm("nominations.view_payments_awarddecision", manages_fund | is_auditor)
for _name in ("pay", "claim_back", "cancel_payment", "recover"):
    rules.add_perm(f"nominations.{_name}_award", manages_fund)
rules.add_perm("nominations.view_fundentry", manages_fund | is_auditor)
rules.add_perm("nominations.add_fundentry", manages_fund)
rules.add_perm("nominations.publish_awarddecision", may_upload_signed)
rules.add_perm("nominations.add_revocation", may_propose_revocation)
rules.add_perm("nominations.withdraw_revocation", may_propose_revocation)
rules.add_perm("nominations.change_revocation", may_decide_revocation | may_propose_revocation)
rules.add_perm("nominations.decide_revocation", may_decide_revocation)
rules.add_perm("nominations.complete_revocation", manages_fund)
rules.add_perm(
    "nominations.view_revocation", may_propose_revocation | may_decide_revocation | manages_fund | is_auditor
)
rules.add_perm("nominations.change_awardreviewflag", is_board)
# Object-less: whether the menu shows the pages (each row is still checked against its object).
rules.add_perm("nominations.view_revocation_list", is_board | is_chairman_office | is_auditor | is_unit_head)
rules.add_perm("nominations.view_fund", is_board | is_auditor | is_unit_clerk | is_unit_head)


# === Personal data of nominees (domain rule 16, Decree 13/2023/NĐ-CP): birth date, ID number, gender ============
# Shown only to those who need them (object: a Nominee or its Dossier): the board, which appraises and checks
# duplicates, and the proposing unit's clerks and head, who entered them. Not the auditor, council members, the
# Chairman's office or the coordinating department.
rules.add_perm(
    "nominations.view_personal_data_nominee",
    has_dossier & (is_board | ((is_unit_clerk | is_unit_head) & of_proposing_unit)),
)
