"""Publication and public verification of award decisions (issue 7 item 5).

- **Publishing** a signed decision (the door's ``publish``, once its signed PDF is uploaded) lists it on the public
  page ``/cong-khai/``, with its awardees.
- **Verification by code**: every signed decision has a verification code, printed on the decision beside the
  audit chain's head hash, and every award line a certificate code, printed on the certificate with a QR code.
  Anyone can look a code up on ``/tra-cuu/``, published or not, and sees whether the award stands or was revoked
  (with the revocation decision).
- **No personal data** on public pages (domain rule 16, Decree 13/2023/NĐ-CP): the public rows are built here from
  an explicit list of fields: name, title and unit (as printed in the annex), award form, decision. Never birth
  dates, ID numbers or gender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from workflows import transition as door_transition

from ..enums import ISSUED_DECISION_STATES, DecisionState
from ..models import Award, AwardDecision, Revocation
from .codes import display_code, normalize_code
from .revocations import REVOKED_STATES


def publish_decision(decision: AwardDecision, *, actor) -> AwardDecision:
    """Publish a signed decision. Through the door (``publish``; condition: the signed PDF uploaded;
    permission ``nominations.publish_awarddecision``)."""
    return door_transition(decision, "publish", actor=actor, at=timezone.now())


@dataclass(frozen=True)
class PublicRevocation:
    reference: str
    issued_on: date | None
    ground: str


@dataclass(frozen=True)
class PublicAward:
    """One awardee as the public sees it."""

    name: str
    title_and_unit: str
    subject: str
    certificate_code: str
    revocation: PublicRevocation | None

    @property
    def revoked(self) -> bool:
        return self.revocation is not None


@dataclass(frozen=True)
class PublicDecision:
    reference: str
    issued_on: date | None
    issuing_body: str
    award_name: str
    campaign: str
    signer_name: str
    verification_code: str
    audit_head_hash: str
    published: bool
    lines: int
    revoked_lines: int


def _public_revocation(revocation: Revocation | None) -> PublicRevocation | None:
    if revocation is None:
        return None
    return PublicRevocation(
        reference=revocation.decision_reference, issued_on=revocation.issued_on, ground=revocation.get_ground_display()
    )


def _revoked_prefetch() -> Prefetch:
    return Prefetch(
        "revocations", queryset=Revocation.objects.filter(state__in=REVOKED_STATES), to_attr="revoked_list"
    )


def public_award(award: Award) -> PublicAward:
    revoked = getattr(award, "revoked_list", None)
    if revoked is None:
        revoked = list(award.revocations.filter(state__in=REVOKED_STATES))
    return PublicAward(
        name=award.name,
        title_and_unit=award.title_and_unit,
        subject=award.get_subject_kind_display(),
        certificate_code=display_code(award.certificate_code),
        revocation=_public_revocation(revoked[0] if revoked else None),
    )


def public_decision(decision: AwardDecision, *, revoked_lines: int | None = None) -> PublicDecision:
    if revoked_lines is None:
        revoked_lines = Revocation.objects.filter(award__decision=decision, state__in=REVOKED_STATES).count()
    return PublicDecision(
        reference=str(decision),
        issued_on=decision.issued_on,
        issuing_body=str(decision.issuing_unit),
        award_name=str(decision.award_type),
        campaign=str(decision.campaign),
        signer_name=decision.signer_name,
        verification_code=display_code(decision.verification_code),
        audit_head_hash=decision.audit_head_hash,
        published=decision.state == DecisionState.PUBLISHED,
        lines=getattr(decision, "line_count", None) or decision.awards.count(),
        revoked_lines=revoked_lines,
    )


def published_decisions(query: str = ""):
    """Published decisions, newest first, with their line and revoked-line counts (one query for the page)."""
    decisions = (
        AwardDecision.objects.filter(state=DecisionState.PUBLISHED)
        .select_related("issuing_unit", "award_type", "campaign")
        .annotate(
            line_count=Count("awards", distinct=True),
            revoked_count=Count(
                "awards__revocations", filter=Q(awards__revocations__state__in=REVOKED_STATES), distinct=True
            ),
        )
        .order_by("-issued_on", "-pk")
    )
    query = (query or "").strip()
    if query:
        number = query.split("/", 1)[0].strip()
        match = Q(campaign__name__icontains=query) | Q(award_type__name__icontains=query)
        if number.isdigit():
            match |= Q(number=int(number))
        decisions = decisions.filter(match)
    return decisions


def public_awards(decision: AwardDecision) -> list[PublicAward]:
    """Every line of ``decision`` as the public sees it, in annex order (two queries)."""
    awards = decision.awards.order_by("subject_kind", "order", "pk").prefetch_related(_revoked_prefetch())
    return [public_award(a) for a in awards]


@dataclass(frozen=True)
class Verification:
    """What a code verifies: a decision, or one certificate (``award``) of a decision."""

    decision: PublicDecision
    award: PublicAward | None = None


def verify_code(text: str) -> Verification | None:
    """The decision or certificate of the code in ``text`` (as typed or scanned), if it belongs to a signed
    decision; ``None`` otherwise (an unknown code and a draft's look the same to the public)."""
    code = normalize_code(text)
    if not code:
        return None
    issued = Q(state__in=ISSUED_DECISION_STATES)
    decision = (
        AwardDecision.objects.filter(issued, verification_code=code)
        .select_related("issuing_unit", "award_type", "campaign")
        .first()
    )
    if decision is not None:
        return Verification(decision=public_decision(decision))
    award = (
        Award.objects.filter(certificate_code=code, decision__state__in=ISSUED_DECISION_STATES)
        .select_related("decision__issuing_unit", "decision__award_type", "decision__campaign")
        .prefetch_related(_revoked_prefetch())
        .first()
    )
    if award is None:
        return None
    return Verification(decision=public_decision(award.decision), award=public_award(award))
