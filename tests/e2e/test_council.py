"""In the browser (domain rule 8): a council member finds the secret ballot in the inbox, votes on a phone and sees
only that they have voted; the secretariat closes the session and reads the results.

The dossier and the session are built with the services (the pages of the secretariat are exercised in
tests/nominations/test_council.py); the ballot and the closing go through the pages a person uses.
"""

import re
from datetime import date

import pytest

from accounts.enums import Role
from nominations.enums import AppraisalResult, Attendance, CouncilResult, CouncilSessionState, DossierState, Vote
from nominations.models import CouncilSession
from nominations.services import council
from nominations.services import dossiers as services
from workflows.audit import verify_chain

from ..factories import NomineeDataFactory, UserFactory
from .conftest import PHONE, login, screenshot
from .test_dossier_path import _click_and_wait, _inbox, _page_width, nomination_world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e]

TITLE = "Đề nghị tặng Bằng khen cho cá nhân, tập thể phường Phan Đình Phùng"
SESSION = "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh tháng 3/2026"
PERSON = "Nguyễn Thị Hoà"
COLLECTIVE = "Tổ dân phố số 5"


@pytest.fixture
def voting(nomination_world):  # noqa: F811 (the fixture imported above)
    """An appraised dossier in a session open for voting: three members present, the first of them chairs."""
    world = nomination_world
    dossier = services.create_dossier(
        world.campaign, unit=world.ward, award_type_code="bang_khen_tinh", title=TITLE, actor=world.clerk
    )
    services.add_nominee(dossier, actor=world.clerk, **NomineeDataFactory(name=PERSON))
    services.add_nominee(
        dossier,
        actor=world.clerk,
        **NomineeDataFactory(kind="collective", name=COLLECTIVE, gender="", birth_date=None),
    )
    services.submit_dossier(dossier, actor=world.head, on=date(2026, 3, 2))
    services.receive_dossier(dossier, actor=world.officer)
    for nominee in dossier.nominees.all():
        services.appraise_nominee(nominee, actor=world.officer, result=AppraisalResult.ACCEPTED)
    services.complete_appraisal(dossier, actor=world.officer)
    session = council.create_session(
        [dossier], actor=world.officer, title=SESSION, held_on=date(2026, 3, 20), place="Phòng họp UBND tỉnh"
    )
    people = [
        UserFactory(username=f"hoidong.{n}", full_name=name, role=Role.COUNCIL_MEMBER, unit=world.province)
        for n, name in enumerate(("Đỗ Văn Chính", "Lý Thị Mai", "Vũ Quang Hải"))
    ]
    council.set_members(
        session,
        [(p, "Chủ tịch Hội đồng" if i == 0 else "Ủy viên", i == 0, Attendance.PRESENT) for i, p in enumerate(people)],
        actor=world.officer,
    )
    council.open_voting(session, actor=world.officer)
    world.dossier, world.session, world.members = dossier, session, people
    return world


def test_member_votes_on_a_phone_and_the_secretariat_closes(voting, new_page):
    from playwright.sync_api import expect

    world = voting
    session = world.session
    member = world.members[1]

    # --- the member, on a phone: the inbox, the ballot, the confirmation ------------------------------------------
    phone = new_page(PHONE)
    login(phone, member.username)
    row = _inbox(phone).locator("tr", has_text=SESSION)
    expect(row).to_contain_text("Bỏ phiếu kín")
    with phone.expect_navigation():
        row.get_by_role("link", name=SESSION).click()
    assert phone.url.endswith(f"/council/{session.pk}/ballot/")
    expect(phone.locator("h1")).to_have_text("Phiếu bầu kín")
    for name, choice in ((PERSON, "Đồng ý"), (COLLECTIVE, "Không đồng ý")):
        group = phone.locator("fieldset", has=phone.locator("legend", has_text=name))
        group.get_by_label(choice, exact=True).check()
    scroll_width, width = _page_width(phone)
    assert scroll_width <= width + 1, "the ballot scrolls sideways on a phone"
    screenshot(phone, "council-ballot-phone")
    _click_and_wait(phone, phone.get_by_role("button", name="Gửi phiếu"))
    expect(phone.locator("main")).to_contain_text("Bạn đã bỏ phiếu")
    expect(phone.locator("input[type=radio]")).to_have_count(0)
    expect(phone.locator("main")).not_to_contain_text("Không đồng ý")  # never how they voted
    phone.goto("/")
    expect(phone.locator("main")).not_to_contain_text(f"/council/{session.pk}/ballot/")
    expect(_inbox(phone).locator("tr", has_text=SESSION)).to_have_count(0)

    # The other two members vote (the services: their pages are the same).
    ballot = [n.pk for n in council.ballot_nominees(session)]
    for person in (world.members[0], world.members[2]):
        council.cast_ballot(session, actor=person, choices=dict.fromkeys(ballot, Vote.YES))

    # --- the secretariat closes the session and reads the results ----------------------------------------------
    officer = new_page()
    login(officer, world.officer.username)
    with officer.expect_navigation():
        officer.get_by_role("navigation").get_by_role("link", name="Hội đồng", exact=True).click()
    with officer.expect_navigation():
        officer.get_by_role("link", name=SESSION).click()
    expect(officer.locator("main")).to_contain_text("Đủ điều kiện")
    expect(officer.locator("main table", has_text="Đã bỏ phiếu")).to_contain_text("Lý Thị Mai")
    officer.get_by_label("Kết luận của phiên họp").fill("Hội đồng thống nhất đề nghị theo kết quả bỏ phiếu kín.")
    _click_and_wait(officer, officer.get_by_role("button", name="Kết thúc bỏ phiếu"))
    expect(officer.locator("h1 .badge")).to_have_text("Đã kết thúc, có kết quả")
    results = officer.locator("main table", has_text="Tỷ lệ đồng ý")
    expect(results.locator("tr", has_text=PERSON)).to_contain_text("100%")
    expect(results.locator("tr", has_text=PERSON)).to_contain_text("Đề nghị khen thưởng")
    expect(results.locator("tr", has_text=COLLECTIVE)).to_contain_text(re.compile(r"66,67%"))
    expect(officer.get_by_role("link", name="Tải biên bản họp (Word)")).to_be_visible()
    screenshot(officer, "council-results")

    session.refresh_from_db()
    world.dossier.refresh_from_db()
    assert session.state == CouncilSessionState.CLOSED
    assert world.dossier.state == DossierState.PROPOSED
    assert set(world.dossier.nominees.values_list("council_result", flat=True)) == {CouncilResult.APPROVED}
    assert CouncilSession.objects.count() == 1
    assert verify_chain() == []
