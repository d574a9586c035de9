"""The board's bulk receive on every filtered dossier (issue 6) against receiving the same number of dossiers one
by one with the service the dossier page's button calls, in the same run, on a SQLite file database.

    .venv/bin/python bench/bench_bulk_receive.py [N]

Three campaigns of N submitted dossiers each (one nominee, the composition of the seeded rule set complete). The
baseline calls ``receive_dossier`` in a loop over the first campaign's dossiers; ours runs
``board.bulk_apply("receive", {"campaign": …})`` over the second's: it re-runs the list's filter, receives each
dossier in its own transaction through the door (gate, timer, the officer taking it on) and reports progress.
Prints both times, the ratio (target ≤ 1.2: the filter and the bookkeeping cost little beside the door) and the
time per dossier; then the peak traced memory of the same bulk action over the third campaign (tracemalloc slows
the code it traces, so that run is not timed; cap 100 MB for 1,000 dossiers).
"""

from __future__ import annotations

import sys
import time

from _setup import django_on_temp_db, peak_mb

MEMORY_CAP_MB = 100


def build(n: int):
    from datetime import date

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from competition.enums import CampaignState, UnitKind
    from competition.models import Campaign, Enrolment, Membership, RuleSet, Unit
    from competition.services.rulesets import rule_set_in_force
    from nominations.flows import DossierFlow
    from nominations.models import Dossier, DossierDocument, Nominee
    from nominations.services.composition import required_documents
    from workflows import SYSTEM, flowsync, transition

    call_command("seed_rules", verbosity=0)
    rule_set: RuleSet = rule_set_in_force(timezone.localdate())
    province = Unit.objects.create(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board_unit = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = Unit.objects.create(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    officer = User.objects.create(username="canbo.snv", role=Role.BOARD_OFFICER)
    Membership.objects.create(user=officer, unit=board_unit)
    campaigns = []
    for code in ("a", "b", "c"):
        campaign = Campaign.objects.create(
            code=f"bench-{code}",
            name=f"Phong trào {code}",
            issuing_body="UBND tỉnh",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            award_type_codes=["bang_khen_tinh"],
            rule_set=rule_set,
            state=CampaignState.LAUNCHED,
        )
        Enrolment.objects.create(campaign=campaign, unit=ward)
        campaigns.append(campaign)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    now = timezone.now()
    result = []
    for campaign in campaigns:
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(
                    campaign=campaign,
                    unit=ward,
                    deciding_unit=province,
                    award_type_code="bang_khen_tinh",
                    title=f"Hồ sơ {i + 1}",
                    rule_set=rule_set,
                )
                for i in range(n)
            ]
        )
        nominees = Nominee.objects.bulk_create(
            [
                Nominee(dossier=d, kind="individual", name=f"Người {d.pk}", canonical_key=f"cn:{d.pk}", order=1)
                for d in dossiers
            ]
        )
        required = required_documents(dossiers[0])
        documents = []
        for dossier, nominee in zip(dossiers, nominees, strict=True):
            for doc in required:
                document = DossierDocument(
                    dossier=dossier,
                    code=doc.code,
                    nominee=nominee if doc.per_nominee else None,
                    name=f"{doc.code}.pdf",
                    kind="pdf",
                    size=len(pdf),
                    sha256="0" * 64,
                    uploaded_at=now,
                )
                document.file.save(f"{doc.code}.pdf", ContentFile(pdf), save=False)
                documents.append(document)
        DossierDocument.objects.bulk_create(documents)
        for dossier in dossiers:
            with transaction.atomic():
                flowsync.start_process(DossierFlow, dossier, SYSTEM)
            transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=now)
        result.append(dossiers)
    return officer, campaigns, result


def main(n: int) -> None:
    django_on_temp_db()
    from nominations.enums import DossierState
    from nominations.models import Dossier
    from nominations.services import board
    from nominations.services import dossiers as services

    started = time.perf_counter()
    officer, campaigns, (first, _second, _third) = build(n)
    print(f"built {3 * n} submitted dossiers in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    for dossier in first:
        services.receive_dossier(dossier, actor=officer)
    baseline = time.perf_counter() - started

    seen = []

    def bulk(campaign):
        return board.bulk_apply(
            "receive", {"campaign": str(campaign.pk)}, actor=officer, progress=lambda done, total: seen.append(done)
        )

    started = time.perf_counter()
    result = bulk(campaigns[1])
    ours = time.perf_counter() - started
    traced, peak = peak_mb(lambda: bulk(campaigns[2]))
    received = Dossier.objects.filter(state=DossierState.RECEIVED).count()
    assert result.done == n and traced.done == n and received == 3 * n, (result.summary(), received)
    print(f"baseline: receive_dossier in a loop, {n} dossiers: {baseline:.2f} s ({baseline / n * 1000:.1f} ms each)")
    print(f"ours: bulk_apply('receive') on the filter, {n} dossiers: {ours:.2f} s ({ours / n * 1000:.1f} ms each)")
    print(f"ratio ours/baseline: {ours / baseline:.2f} (target ≤ 1.2)")
    print(f"peak traced memory of the bulk action: {peak:.1f} MB (cap {MEMORY_CAP_MB} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
