"""The scoring part of the demo: the QĐ 987 scoring tables, and the wards' cluster scored at every step — most
wards finalized and published (so the ranking shows), one waiting for an assessor, one still self-scoring; two
individuals of the demo ward finalized. Everything goes through the services (and so through the door)."""

from __future__ import annotations

import random
from decimal import Decimal

from accounts.models import User
from competition.data import demo as competition_demo
from competition.models import Campaign, Cluster, Membership
from workflows import SYSTEM

from ..enums import CriterionKind, Formula, Subject
from . import scorecards as services
from .tables import seed_demo_tables

DRAFT_WARD = "05710"  # Linh Sơn: still self-scoring (its clerk sees it in the inbox)
WAITING_WARD_INDEX = 3  # one ward waits for the board officer's assessment
PEOPLE = [
    ("Nguyễn Thị Hồng Nhung", "Công chức Văn hóa - Xã hội", True, False),
    ("Đỗ Minh Quân", "Phó Chủ tịch UBND phường", False, True),
]


def _values(loaded, rng: random.Random, spread: float) -> list[dict]:
    """Plausible entries for every leaf criterion entered by hand (automatic ones come from the indicators)."""
    rows = []
    for spec in loaded.spec.leaves:
        if spec.automatic:
            continue
        if spec.kind == CriterionKind.PENALTY:  # a penalty is the exception: one ward in eight or so
            value = "1" if rng.random() < 0.12 else "0"
        elif spec.formula == Formula.FIXED:
            value = "1" if rng.random() < 0.9 else "0"
        elif spec.formula == Formula.CAPPED:
            per = spec.per_item or Decimal(1)
            ceiling = min(spec.base, spec.cap) if spec.cap is not None else spec.base
            most = int(ceiling / per)
            value = str(rng.randint(most // 2, most))
        else:
            share = min(1.0, max(0.0, rng.uniform(0.86 - spread, 1.0)))
            value = str((spec.base * Decimal(str(round(share, 2)))).quantize(Decimal("0.5")))
        rows.append(
            {"criterion": spec.pk, "value": value, "note": "Văn bản lưu tại đơn vị" if spec.evidence_required else ""}
        )
    return rows


def _clerk(unit):
    membership = (
        Membership.objects.filter(unit=unit, user__role="unit_clerk", user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else SYSTEM


def seed_scoring(campaign: Campaign) -> dict[str, int]:
    """Tables from the QĐ 987 template, and the wards' cluster scored (see the module docstring)."""
    officer = User.objects.get(username="canbo.snv")
    assessors = [officer, User.objects.get(username="canbo.khcn")]
    tables = {t.subject: t for t in seed_demo_tables(campaign, actor=officer)}
    collective = tables[Subject.COLLECTIVE]
    loaded = services.load_table(collective)
    wards = list(Cluster.objects.get(code=competition_demo.CLUSTER_WARDS[0]).units.order_by("code"))
    counts = {"finalized": 0, "submitted": 0, "draft": 0}
    for index, ward in enumerate(wards):
        rng = random.Random(f"score:{ward.code}")
        clerk = _clerk(ward)
        card = services.start_scorecard(
            collective, unit=ward, actor=clerk, women_percent=Decimal(rng.choice([48, 55, 62, 71, 74]))
        )
        services.save_self_scores(card, _values(loaded, rng, 0.0), actor=clerk)
        if ward.code == DRAFT_WARD:
            counts["draft"] += 1
            continue
        services.submit_scorecard(card, actor=clerk)
        services.assign_assessors(card, assessors, actor=officer)
        for assessment in card.assessments.select_related("assessor"):
            if index == WAITING_WARD_INDEX and assessment.assessor == officer:
                continue
            services.save_assessment(assessment, _values(loaded, rng, 0.1), actor=assessment.assessor)
            services.submit_assessment(assessment, actor=assessment.assessor)
        if index == WAITING_WARD_INDEX:
            counts["submitted"] += 1
            continue
        services.finalize(card, actor=officer)
        services.publish(card, actor=officer)
        counts["finalized"] += 1
    individual = tables.get(Subject.INDIVIDUAL)
    if individual is not None:
        ward = next(w for w in wards if w.code == competition_demo.DEMO_LOCALITIES[0])
        person_table = services.load_table(individual)
        for name, position, female, leader in PEOPLE:
            rng = random.Random(f"score:{name}")
            clerk = _clerk(ward)
            card = services.start_scorecard(
                individual,
                unit=ward,
                actor=clerk,
                person={"name": name, "position": position, "is_female": female, "is_leader": leader},
            )
            services.save_self_scores(card, _values(person_table, rng, 0.0), actor=clerk)
            services.submit_scorecard(card, actor=clerk)
            services.assign_assessors(card, assessors, actor=officer)
            for assessment in card.assessments.select_related("assessor"):
                services.save_assessment(assessment, _values(person_table, rng, 0.1), actor=assessment.assessor)
                services.submit_assessment(assessment, actor=assessment.assessor)
            services.finalize(card, actor=officer)
            counts["finalized"] += 1
    return counts
