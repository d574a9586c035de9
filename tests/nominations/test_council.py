"""The council session (Hội đồng Thi đua - Khen thưởng, domain rule 8) between appraisal and decision: quorum,
attendance and thresholds at their edges, who may vote and how often, the secrecy of the ballot, what closing does,
and the pages of the secretariat and of a member."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from competition.enums import VoteBase
from competition.models import AwardType, RuleSet
from nominations.enums import AppraisalResult, Attendance, CouncilResult, CouncilSessionState, DossierState, Vote
from nominations.models import BallotTally, CouncilMember, CouncilSession, Dossier
from nominations.services import council
from nominations.services import dossiers as services
from nominations.services.decisions import draft_decision
from nominations.services.inbox import inbox_items
from workflows.audit import verify_chain
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ..factories import NomineeDataFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime(2025, 9, 10, 9, 0))
HELD_ON = date(2025, 9, 20)
P, W, A = Attendance.PRESENT, Attendance.WRITTEN, Attendance.ABSENT


def appraised_dossier(world, unit, clerk, officer, *, names=("Nguyễn Thị Hoà", "Trần Văn Khoẻ")) -> Dossier:
    """A Bằng khen dossier of ``unit`` taken through the services to appraised, every nominee proposed."""
    dossier = services.create_dossier(
        world.campaign,
        unit=unit,
        award_type_code="bang_khen_tinh",
        title=f"Đề nghị tặng Bằng khen — {unit}",
        actor=clerk,
    )
    for name in names:
        services.add_nominee(dossier, actor=clerk, **NomineeDataFactory(name=name))
    services.submit_dossier(dossier, actor=world.heads[unit.code], on=date(2025, 9, 1), at=AT)
    services.receive_dossier(dossier, actor=officer, at=AT)
    for nominee in dossier.nominees.all():
        services.appraise_nominee(nominee, actor=officer, result=AppraisalResult.ACCEPTED)
    services.complete_appraisal(dossier, actor=officer, at=AT)
    dossier.refresh_from_db()
    return dossier


def members(n: int, unit) -> list:
    return [
        UserFactory(username=f"hoidong{i}", role=Role.COUNCIL_MEMBER, unit=unit, full_name=f"Ủy viên Hội đồng {i}")
        for i in range(n)
    ]


def prepared(dossiers, officer, attendances, province):
    """A draft session of ``dossiers`` with one member per ``attendances`` (the first chairs)."""
    session = council.create_session(dossiers, actor=officer, title="Phiên họp xét Bằng khen", held_on=HELD_ON)
    people = members(len(attendances), province)
    council.set_members(
        session,
        [(p, "Ủy viên", i == 0, a) for i, (p, a) in enumerate(zip(people, attendances, strict=True))],
        actor=officer,
    )
    return session, people


def fresh(session) -> CouncilSession:
    """The session read again (with its rule set), after a rule-set change made behind its back."""
    return CouncilSession.objects.select_related("rule_set").get(pk=session.pk)


def set_rules(rule_set, **fields) -> None:
    RuleSet.objects.filter(pk=rule_set.pk).update(**fields)


def set_award(rule_set, **fields) -> None:
    AwardType.objects.filter(rule_set=rule_set, code="bang_khen_tinh").update(**fields)


def vote_all(session, people, choice=Vote.YES) -> None:
    ballot = [n.pk for n in council.ballot_nominees(session)]
    for person in people:
        council.cast_ballot(session, actor=person, choices=dict.fromkeys(ballot, choice))


@pytest.fixture
def dossier(world, commune_a, clerk_a, board_officer):
    return appraised_dossier(world, commune_a, clerk_a, board_officer)


# --- Quorum, attendance, thresholds at their edges -----------------------------------------------------------------


def test_quorum_at_its_edge(dossier, board_officer, rule_set, province):
    """Domain rule 8; the quorum comes from the rule set (``council_quorum``, a share of all members): 2 of 3
    members present is 0.6666…, below 0.6667 (refused) and at or above 0.6666 (the vote opens)."""
    assert rule_set.council_quorum == Decimal("0.6667")
    session, _people = prepared([dossier], board_officer, [P, P, A], province)
    assert "2/3" in council.quorum_problem(session)
    with pytest.raises(TransitionRefused, match="Chưa đủ số thành viên để họp"):
        council.open_voting(session, actor=board_officer)
    assert fresh(session).state == CouncilSessionState.DRAFT

    set_rules(rule_set, council_quorum=Decimal("0.6666"))
    session = fresh(session)
    assert council.quorum_problem(session) is None
    council.open_voting(session, actor=board_officer)
    assert fresh(session).state == CouncilSessionState.VOTING


def test_attendance_at_its_edge(dossier, board_officer, rule_set, province):
    """Domain rule 8; the attendance comes from the rule set (``council_attendance``): 4 of 5 members voted is
    exactly 0.8 — refused at 0.8001, accepted at 0.8."""
    session, people = prepared([dossier], board_officer, [P] * 5, province)
    council.open_voting(session, actor=board_officer)
    vote_all(session, people[:4])
    set_rules(rule_set, council_attendance=Decimal("0.8001"))
    session = fresh(session)
    assert "4/5" in council.attendance_problem(session)
    with pytest.raises(TransitionRefused, match="Chưa đủ số thành viên tham gia biểu quyết"):
        council.close_session(session, actor=board_officer)
    assert fresh(session).state == CouncilSessionState.VOTING

    set_rules(rule_set, council_attendance=Decimal("0.8"))
    session = fresh(session)
    assert council.attendance_problem(session) is None
    council.close_session(session, actor=board_officer)
    assert fresh(session).state == CouncilSessionState.CLOSED


def test_threshold_at_its_edge_over_all_members(dossier, board_officer, rule_set, province):
    """NĐ 98/2023 Art. 30(7): a nominee is proposed when its "yes" votes reach the award form's threshold
    (``AwardType.vote_threshold`` 80 %) of all the members: 4 of 5 passes, 3 of 5 fails."""
    set_award(rule_set, vote_threshold=Decimal("0.8"), vote_base=VoteBase.ALL_MEMBERS)
    session, people = prepared([dossier], board_officer, [P] * 5, province)
    council.open_voting(session, actor=board_officer)
    first, second = council.ballot_nominees(session)
    # first: 4 yes, 1 no; second: 3 yes, 1 no, 1 abstain.
    plan = [(Vote.YES, Vote.YES)] * 3 + [(Vote.YES, Vote.NO), (Vote.NO, Vote.ABSTAIN)]
    for person, (a, b) in zip(people, plan, strict=True):
        council.cast_ballot(session, actor=person, choices={first.pk: a, second.pk: b})
    council.close_session(session, actor=board_officer)
    outcome = {r.nominee.pk: r for r in council.results(session)}
    assert (outcome[first.pk].yes, outcome[first.pk].no, outcome[first.pk].base) == (4, 1, 5)
    assert (outcome[second.pk].yes, outcome[second.pk].no, outcome[second.pk].abstain) == (3, 1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.council_result, second.council_result) == (CouncilResult.APPROVED, CouncilResult.NOT_APPROVED)


@pytest.mark.parametrize(
    ("vote_base", "expected"),
    [(VoteBase.ALL_MEMBERS, CouncilResult.NOT_APPROVED), (VoteBase.REVIEWING_MEMBERS, CouncilResult.APPROVED)],
)
def test_threshold_base_all_members_or_reviewing_members(
    dossier, board_officer, rule_set, province, vote_base, expected
):
    """NĐ 98/2023 Art. 30(7) and the award form's ``vote_base``: 6 members, 5 vote (one absent), 4 say yes —
    4/6 = 66,67 % of all members is below 80 %, 4/5 = 80 % of the members who voted reaches it."""
    set_award(rule_set, vote_threshold=Decimal("0.8"), vote_base=vote_base)
    session, people = prepared([dossier], board_officer, [P, P, P, P, P, A], province)
    council.open_voting(session, actor=board_officer)
    ballot = [n.pk for n in council.ballot_nominees(session)]
    for person, choice in zip(people[:5], [Vote.YES] * 4 + [Vote.ABSTAIN], strict=True):
        council.cast_ballot(session, actor=person, choices=dict.fromkeys(ballot, choice))
    council.close_session(session, actor=board_officer)
    rows = council.results(session)
    assert {r.base for r in rows} == {6 if vote_base == VoteBase.ALL_MEMBERS else 5}
    assert set(dossier.nominees.values_list("council_result", flat=True)) == {expected}


# --- Who votes, and how often --------------------------------------------------------------------------------------


def test_written_vote_of_an_absent_member_counts(dossier, board_officer, province):
    """Domain rule 8: a member absent from the meeting may vote in writing; the written vote counts towards the
    attendance and the tally like any other."""
    session, people = prepared([dossier], board_officer, [P, P, P, W], province)
    council.open_voting(session, actor=board_officer)
    vote_all(session, people)
    count = council.turnout(session)
    assert (count.present, count.written, count.voted) == (3, 1, 4)
    assert {r.yes for r in council.results(session)} == {4}
    events = AuditEvent.objects.filter(action="nominations.councilsession.vote")
    assert {e.payload["member"]: e.payload["written"] for e in events} == {p.username: p == people[3] for p in people}


def test_an_absent_member_cannot_vote(dossier, board_officer, province):
    """Domain rule 8: a member recorded absent, without a written vote, casts no ballot."""
    session, people = prepared([dossier], board_officer, [P, P, P, A], province)
    council.open_voting(session, actor=board_officer)
    with pytest.raises(TransitionRefused, match="vắng mặt"):
        vote_all(session, people[3:])
    assert not CouncilMember.objects.get(session=session, user=people[3]).has_voted
    assert set(BallotTally.objects.filter(session=session).values_list("yes", "no", "abstain")) == {(0, 0, 0)}


def test_a_member_votes_once_and_a_non_member_not_at_all(dossier, board_officer, province, clerk_b):
    """Domain rule 8: one secret ballot per member; whoever is not on the session's list cannot vote."""
    session, people = prepared([dossier], board_officer, [P, P, P], province)
    council.open_voting(session, actor=board_officer)
    vote_all(session, people[:1])
    with pytest.raises(TransitionRefused, match="mỗi thành viên một phiếu"):
        vote_all(session, people[:1])
    outsider = UserFactory(username="ngoai.hoidong", role=Role.COUNCIL_MEMBER, unit=province)
    for stranger in (outsider, clerk_b, board_officer):
        with pytest.raises(TransitionForbidden):
            vote_all(session, [stranger])
    assert {r.yes for r in council.results(session)} == {1}


def test_a_member_reads_the_dossiers_of_their_sessions_and_no_others(
    client, world, dossier, board_officer, province, commune_b, clerk_b
):
    """Architecture principle 7: a council member sees the dossiers of the sessions they sit on (to vote on them),
    their nominees and documents, and nothing else; never the nominees' personal data."""
    from competition.scoping import scope
    from nominations.models import DossierDocument, Nominee

    other = appraised_dossier(world, commune_b, clerk_b, board_officer, names=("Lê Văn Khác",))
    session, people = prepared([dossier], board_officer, [P, P, P], province)
    member, outsider = people[0], UserFactory(username="ngoai.hoidong", role=Role.COUNCIL_MEMBER, unit=province)
    assert list(scope(member, Dossier.objects.all())) == [dossier]
    assert set(scope(member, Nominee.objects.all())) == set(dossier.nominees.all())
    assert set(scope(member, DossierDocument.objects.all())) == set(DossierDocument.objects.filter(dossier=dossier))
    assert list(scope(member, CouncilSession.objects.all())) == [session]
    assert not scope(outsider, Dossier.objects.all()).exists() and not scope(outsider, Nominee.objects.all()).exists()
    assert not scope(outsider, CouncilSession.objects.all()).exists()
    assert not member.has_perm("nominations.view_personal_data_nominee", dossier.nominees.first())

    client.force_login(member)
    council.open_voting(session, actor=board_officer)
    ballot = client.get(reverse("nominations:council_ballot", args=[session.pk])).content.decode()
    assert reverse("nominations:dossier_detail", args=[dossier.pk]) in ballot
    page = client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))
    assert page.status_code == 200 and "Nguyễn Thị Hoà" in page.content.decode()
    assert client.get(reverse("nominations:dossier_detail", args=[other.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).status_code == 404


def test_the_chairmans_office_reads_the_closed_sessions_of_the_provinces_council(
    client, world, dossier, board_officer, province
):
    """What the Chairman signs comes with the council's result: the office reads the province's sessions once they
    are closed (results and minutes), never one still being prepared or voted."""
    session, people = prepared([dossier], board_officer, [P, P, P], province)
    office = world.chairman_office
    assert not office.has_perm("nominations.view_councilsession", session)
    council.open_voting(session, actor=board_officer)
    vote_all(session, people)
    assert not office.has_perm("nominations.view_councilsession", fresh(session))
    council.close_session(session, actor=board_officer)
    session = fresh(session)
    assert office.has_perm("nominations.view_councilsession", session)
    client.force_login(office)
    page = client.get(reverse("nominations:council_detail", args=[session.pk]))
    assert page.status_code == 200 and "Nguyễn Thị Hoà" in page.content.decode()
    assert client.get(reverse("nominations:council_list")).content.decode().count(session.title) >= 1
    assert not office.has_perm("nominations.vote_councilsession", session)


def test_a_ballot_missing_a_nominee_is_refused(dossier, board_officer, province):
    """Domain rule 8: the ballot has a choice for every nominee on it; an incomplete ballot changes nothing."""
    session, people = prepared([dossier], board_officer, [P, P, P], province)
    council.open_voting(session, actor=board_officer)
    first, second = council.ballot_nominees(session)
    with pytest.raises(TransitionRefused, match=second.name):
        council.cast_ballot(session, actor=people[0], choices={first.pk: Vote.YES})
    with pytest.raises(TransitionRefused):
        council.cast_ballot(session, actor=people[0], choices={first.pk: Vote.YES, second.pk: "maybe"})
    assert not CouncilMember.objects.get(session=session, user=people[0]).has_voted
    assert set(BallotTally.objects.filter(session=session).values_list("yes", "no", "abstain")) == {(0, 0, 0)}
    assert not AuditEvent.objects.filter(action="nominations.councilsession.vote").exists()


# --- Secrecy -------------------------------------------------------------------------------------------------------


def test_the_ballot_is_secret(dossier, board_officer, province):
    """Domain rule 8 (secret ballot): after the votes no table links a member to a choice — the counters hold no
    voter and no time, a member's row holds no time, and the audit events of the votes carry no choice."""
    session, people = prepared([dossier], board_officer, [P, P, P, W], province)
    council.open_voting(session, actor=board_officer)
    first, second = council.ballot_nominees(session)
    for person, choice in zip(people, [Vote.YES, Vote.NO, Vote.ABSTAIN, Vote.YES], strict=True):
        council.cast_ballot(session, actor=person, choices={first.pk: choice, second.pk: Vote.YES})

    assert [f.name for f in BallotTally._meta.concrete_fields] == ["id", "session", "nominee", "yes", "no", "abstain"]
    time_fields = (models.DateTimeField, models.DateField, models.TimeField)
    assert not [f.name for f in CouncilMember._meta.concrete_fields if isinstance(f, time_fields)]
    assert not [f.name for f in BallotTally._meta.concrete_fields if isinstance(f, time_fields)]
    # No model anywhere stores a vote choice as a value.
    vote_values = set(Vote.values)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            assert not (field.choices and vote_values <= {c[0] for c in field.choices}), (model, field.name)

    events = list(AuditEvent.objects.filter(action="nominations.councilsession.vote"))
    assert sorted(e.payload["member"] for e in events) == sorted(p.username for p in people)
    for event in events:
        assert set(event.payload) == {"member", "written"}
        assert not vote_values & {str(v) for v in event.payload.values()}
    assert (BallotTally.objects.get(nominee=first).yes, BallotTally.objects.get(nominee=second).yes) == (2, 4)
    assert verify_chain() == []


# --- Closing: results, the dossiers move on to the decision --------------------------------------------------------


def test_closing_records_results_and_moves_the_dossiers_to_the_decision(
    world, dossier, board_officer, rule_set, province
):
    """Domain rule 8; NĐ 98/2023 Art. 30(7) for the threshold: closing records each nominee's council result and
    moves the dossiers to "proposed"; the Chairman's office then sees "Quyết định khen thưởng" in its inbox, and
    the decision drafted afterwards leaves out whom the council did not approve."""
    set_award(rule_set, vote_threshold=Decimal("0.5001"), vote_base=VoteBase.REVIEWING_MEMBERS)
    session, people = prepared([dossier], board_officer, [P, P, P], province)
    council.open_voting(session, actor=board_officer)
    hoa, khoe = council.ballot_nominees(session)
    for person, against in zip(people, [False, True, True], strict=True):
        council.cast_ballot(session, actor=person, choices={hoa.pk: Vote.YES, khoe.pk: Vote.NO if against else "yes"})
    assert not [i for i in inbox_items(world.chairman_office) if i.title == dossier.title]

    council.close_session(session, actor=board_officer, conclusion="Hội đồng thống nhất kết quả bỏ phiếu.")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROPOSED
    assert dict(dossier.nominees.values_list("name", "council_result")) == {
        "Nguyễn Thị Hoà": CouncilResult.APPROVED,
        "Trần Văn Khoẻ": CouncilResult.NOT_APPROVED,
    }
    assert fresh(session).conclusion == "Hội đồng thống nhất kết quả bỏ phiếu."
    steps = [i.step for i in inbox_items(world.chairman_office) if i.title == dossier.title]
    assert steps == ["Quyết định khen thưởng"]

    decision = draft_decision([dossier], actor=world.chairman_office)
    assert list(decision.awards.values_list("name", flat=True)) == ["Nguyễn Thị Hoà"]
    assert verify_chain() == []


# --- The pages -----------------------------------------------------------------------------------------------------


def _docx_text(content: bytes) -> str:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(content))
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p")))


def test_the_council_through_the_pages(client, world, dossier, board_officer, clerk_b, province):
    """Domain rule 8; quorum and attendance from the rule set: the secretariat gathers the appraised dossier into a
    session, lists the members and opens the vote; a member finds the ballot in the inbox and votes on the ballot
    page; another unit's clerk sees nothing; the minutes are downloaded once the session is closed."""
    people = members(3, province)
    client.force_login(board_officer)
    assert reverse("nominations:council_list") in client.get(reverse("nominations:dossier_list")).content.decode()
    page = client.get(reverse("nominations:council_list")).content.decode()
    assert dossier.title in page
    response = client.post(
        reverse("nominations:council_list"),
        {"dossiers": [dossier.pk], "title": "Phiên họp tháng 9", "held_on": "2025-09-20", "place": "Phòng họp số 1"},
    )
    session = CouncilSession.objects.get()
    assert response.url == reverse("nominations:council_detail", args=[session.pk])
    assert (session.title, session.place, session.held_on) == ("Phiên họp tháng 9", "Phòng họp số 1", HELD_ON)
    detail = reverse("nominations:council_detail", args=[session.pk])
    page = client.get(detail).content.decode()
    assert "Lập danh sách thành viên dự họp" in page and "Mở bỏ phiếu" in page
    members_form = {"action": "members", "chair": "0"}
    for i, person in enumerate(people):
        members_form |= {f"user_{i}": person.username, f"title_{i}": "Ủy viên", f"attendance_{i}": P}
    members_form |= {"user_3": "", "title_3": "", "attendance_3": P}
    client.post(detail, members_form)
    assert [m.user for m in council.members_of(session)] == people
    assert CouncilMember.objects.get(session=session, user=people[0]).is_chair
    page = client.get(detail).content.decode()
    assert "Đủ điều kiện" in page
    client.post(detail, {"action": "open"})
    assert fresh(session).state == CouncilSessionState.VOTING
    dossier_page = client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Phiên họp Hội đồng" in dossier_page and detail in dossier_page

    # --- a member votes from the inbox -------------------------------------------------------------------------
    ballot = reverse("nominations:council_ballot", args=[session.pk])
    client.force_login(people[0])
    home = client.get(reverse("home")).content.decode()
    assert "Bỏ phiếu kín" in home and ballot in home
    page = client.get(ballot).content.decode()
    nominees = council.ballot_nominees(session)
    assert all(n.name in page for n in nominees) and 'type="radio"' in page
    # An incomplete ballot is refused, and shown again with the choice made.
    page = client.post(ballot, {f"vote_{nominees[0].pk}": Vote.NO}, follow=True).content.decode()
    assert "Phiếu chưa đủ" in page and not CouncilMember.objects.get(session=session, user=people[0]).has_voted
    response = client.post(ballot, {f"vote_{n.pk}": Vote.YES for n in nominees})
    assert response.status_code == 302
    page = client.get(ballot).content.decode()
    assert "Bạn đã bỏ phiếu" in page and 'type="radio"' not in page
    assert ballot not in client.get(reverse("home")).content.decode()
    for person in people[1:]:
        client.force_login(person)
        client.post(ballot, {f"vote_{n.pk}": Vote.YES for n in nominees})
    assert council.turnout(session).voted == 3

    # --- another unit's clerk sees nothing ---------------------------------------------------------------------
    client.force_login(clerk_b)
    minutes = reverse("nominations:council_minutes", args=[session.pk])
    for url in (detail, ballot, minutes):
        assert client.get(url).status_code == 404
    assert client.post(detail, {"action": "close"}).status_code == 404
    assert "Phiên họp tháng 9" not in client.get(reverse("nominations:council_list")).content.decode()

    # --- the secretariat closes; the results and the minutes -----------------------------------------------------
    client.force_login(board_officer)
    assert client.get(minutes).status_code == 404  # not before the session is closed
    client.post(detail, {"action": "close", "conclusion": "Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen."})
    assert fresh(session).state == CouncilSessionState.CLOSED
    page = client.get(detail).content.decode()
    assert "Kết quả bỏ phiếu kín" in page and "100%" in page and minutes in page
    response = client.get(minutes)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(response.content)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert nominees[0].name in text and people[0].full_name in text
    assert "Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen." in text
    client.force_login(people[1])
    assert client.get(minutes).status_code == 200
