"""seed_demo leaves a dossier at each step of the Dossier flow: every acting role has work in its inbox."""

from datetime import date

import pytest
from django.core.management import call_command

from accounts.models import User
from nominations.models import AwardDecision, CouncilSession, Dossier, DossierReturn, NominationQuota
from nominations.services import composition, payments
from workflows.consistency import check_states
from workflows.flowsync import check_agreement
from workflows.inbox import items_for

pytestmark = pytest.mark.django_db


def test_every_acting_role_has_work_waiting():
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    steps = {
        username: {item.step for item in items_for(User.objects.get(username=username))}
        for username in ("vanthu.phandinhphung", "truong.phandinhphung", "truong.linhson", "canbo.snv", "vp.ubnd")
    }
    assert steps == {
        "vanthu.phandinhphung": {"Tiếp nhận hồ sơ"},  # the ward's own Giấy khen
        "truong.phandinhphung": {"Trình ký, gửi hồ sơ"},
        "truong.linhson": {"Trình ký, gửi hồ sơ", "Tự chấm điểm và nộp phiếu"},  # the returned one; self-scoring
        # + plans awaiting review, a scorecard to assess
        "canbo.snv": {
            "Tiếp nhận hồ sơ",
            "Thẩm định hồ sơ",
            "Hội đồng xét",  # the session still voting
            "Xem xét kế hoạch",
            "Chấm điểm phiếu được phân công",
        },
        "vp.ubnd": {"Quyết định khen thưởng"},
    }
    assert set(Dossier.objects.values_list("state", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "received",
        "appraised",  # in the council's session, still voting
        "proposed",  # the council has approved: the Chairman decides
        "decided",  # signed, published and mostly paid
    }
    assert check_agreement(strict=True) == [] and check_states() == []
    # The completeness gate (domain rule 7): every dossier that left its unit is complete; the draft still lacks
    # the council's minutes.
    for dossier in Dossier.objects.all():
        missing = composition.missing_documents(dossier)
        if dossier.state == "draft":
            assert len(missing) == 1 and "Biên bản họp xét" in missing[0]
        else:
            assert missing == []
    # A return at receipt with a reason per item, waiting for the unit; one during appraisal, answered by version 2.
    waiting = DossierReturn.objects.get(resolved_by_version__isnull=True)
    assert waiting.dossier.state == "returned" and len(waiting.items) >= 2
    answered = DossierReturn.objects.get(resolved_by_version__isnull=False)
    assert answered.from_state == "received" and answered.resolved_by_version.number == 2
    assert answered.dossier.state == "received"
    (change,) = answered.resolved_by_version.changes
    assert change["what"].startswith("Thay “Báo cáo thành tích") and "Phạm Minh Đức" in change["what"]
    # The council (domain rule 8): one session closed with every nominee approved, one voting, with two members yet
    # to vote (never recorded how anyone voted).
    *closed_sessions, voting = CouncilSession.objects.order_by("state", "pk")
    assert [c.state for c in closed_sessions] == ["closed", "closed"] and voting.state == "voting"
    for closed in closed_sessions:
        assert set(closed.dossiers.get().nominees.values_list("council_result", flat=True)) == {"approved"}
    assert sorted(voting.members.filter(has_voted=False).values_list("user__username", flat=True)) == [
        "hoidong",
        "hoidong4",
    ]
    # The board's quota for the Chairman's Bằng khen is set, and every submitted dossier met it.
    assert NominationQuota.objects.get().min_direct_worker_share == 50
    # The Chairman's decision on the decided dossier: signed, its PDF uploaded back, published; the fund allocated
    # for the year and every line but one paid.
    decision = AwardDecision.objects.get()
    assert (decision.state, decision.number, decision.issued_on) == ("published", 2150, date(2026, 3, 25))
    assert decision.verification_code and decision.signed_scans.count() == 1
    assert sorted(decision.awards.values_list("payment_state", flat=True)) == ["due", "paid", "paid"]
    fund = payments.fund_year(decision.issuing_unit, 2026)
    assert fund.allocations == 1_500_000_000 and fund.payouts > 0 and fund.due > 0
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    assert Dossier.objects.count() == 8 and AwardDecision.objects.count() == 1
