"""Dossier services: drafting checks, canonical names and duplicates, scoping, appraisal, inboxes."""

import unicodedata
from datetime import date

import pytest
from django.core import mail

from accounts.enums import Role
from competition.enums import Authority, CampaignState, UnitKind
from competition.models import Campaign, Enrolment, Unit
from competition.scoping import can_see, scope
from nominations.enums import AppraisalResult, DossierState
from nominations.models import Dossier, Nominee
from nominations.services import dossiers as services
from nominations.services.inbox import inbox_for, inbox_items
from workflows.audit import verify_chain
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent, Notification

from ..factories import AwardTypeFactory, NomineeDataFactory, UnitFactory, UserFactory, dossier_at_step

pytestmark = pytest.mark.django_db


def create(world, unit, clerk, code="bang_khen_tinh", **kwargs) -> Dossier:
    return services.create_dossier(
        world.campaign, unit=unit, award_type_code=code, title=f"Hồ sơ của {unit}", actor=clerk, **kwargs
    )


# --- Canonical names (domain rule 3) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("thúy", "thuý"),
        ("khỏe", "khoẻ"),
        ("Thủy", "Thuỷ"),
        ("Xòe", "Xoè"),
        ("Nguyễn Thị Hòa", "nguyễn   thị HOÀ"),
        ("Lưu Thúy Hòa", unicodedata.normalize("NFD", "Lưu Thuý Hoà")),
    ],
)
def test_old_and_new_tone_placement_give_one_name(old, new):
    assert services.canonical_name(old) == services.canonical_name(new)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Nguyễn Văn Hoàng", "nguyễn văn hoàng"),
        ("Trần Quý Quốc", "trần quý quốc"),
        ("Giữ Gìn", "giữ gìn"),
        ("Người Mười", "người mười"),
        ("Khuỷu Ngoài Khuya", "khuỷu ngoài khuya"),
        ("Của Mùa Nghĩa", "của mùa nghĩa"),
        ("Huỳnh Toản Thuý", "huỳnh toản thuý"),
        ("  Đỗ   Thị  Loan ", "đỗ thị loan"),
    ],
)
def test_tone_marks_stay_where_both_placements_agree(name, canonical):
    assert services.canonical_name(name) == canonical
    assert unicodedata.is_normalized("NFC", services.canonical_name(name))


def test_a_person_is_keyed_by_name_and_birth_date_or_id():
    key = services.canonical_key(kind="individual", name="Nguyễn Thị Hòa", birth_date=date(1985, 3, 12))
    assert key == services.canonical_key(kind="individual", name="nguyễn thị hoà", birth_date=date(1985, 3, 12))
    assert key != services.canonical_key(kind="individual", name="Nguyễn Thị Hòa", birth_date=date(1985, 3, 13))
    assert services.canonical_key(kind="individual", name="A", id_number="001185000123").endswith("id:001185000123")


# --- Drafting ----------------------------------------------------------------------------------------------------


def test_a_clerk_drafts_a_dossier_and_the_unit_head_has_it_waiting(world, commune_a, clerk_a, head_a, province):
    dossier = create(world, commune_a, clerk_a, letter_number="15/TTr-UBND", letter_date=date(2025, 9, 1))
    assert (dossier.state, dossier.unit, dossier.deciding_unit, dossier.created_by) == (
        DossierState.DRAFT,
        commune_a,
        province,
        clerk_a,
    )
    event = AuditEvent.objects.get(action="nominations.dossier.create")
    assert (
        event.actor == clerk_a
        and event.to_state == "draft"
        and event.action_display == "Lập hồ sơ đề nghị khen thưởng"
    )
    assert [i.dossier for i in inbox_for(head_a)] == [dossier]
    assert check_agreement(strict=True) == [] and verify_chain() == []


def test_dissolved_unit_cannot_nominate(world, commune_a, commune_b, clerk_a):
    Unit.objects.filter(pk=commune_a.pk).update(dissolved_on=date(2025, 7, 1), successor=commune_b)
    commune_a.refresh_from_db()
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        create(world, commune_a, clerk_a)
    assert "đã giải thể, sáp nhập" in str(refused.value) and "Phường Linh Sơn" in str(refused.value)
    assert not Dossier.objects.exists() and AuditEvent.objects.count() == events


def test_a_dissolved_collective_cannot_be_nominated(world, commune_a, commune_b, clerk_a):
    dossier = create(world, commune_a, clerk_a)
    body = UnitFactory(name="Tổ dân phố 3", kind=UnitKind.BODY, parent=commune_a, dissolved_on=date(2025, 7, 1))
    with pytest.raises(TransitionRefused) as refused:
        services.add_nominee(dossier, actor=clerk_a, kind="collective", name="Tổ dân phố 3", collective_unit=body)
    assert "Tổ dân phố 3" in str(refused.value) and "giải thể" in str(refused.value)
    assert not dossier.nominees.exists()


@pytest.mark.parametrize("problem", ["draft_campaign", "not_enrolled", "foreign_form"])
def test_drafting_checks_campaign_enrolment_and_form(world, commune_a, clerk_a, problem):
    code = "bang_khen_tinh"
    if problem == "draft_campaign":
        Campaign.objects.filter(pk=world.campaign.pk).update(state=CampaignState.DRAFT)
        world.campaign.refresh_from_db()
        expected = "chưa (hoặc không còn) nhận hồ sơ"
    elif problem == "not_enrolled":
        Enrolment.objects.filter(unit=commune_a).delete()
        expected = "không tham gia phong trào"
    else:
        AwardTypeFactory(rule_set=world.campaign.rule_set, code="co_thi_dua_tinh", name="Cờ thi đua")
        code = "co_thi_dua_tinh"
        expected = "không thuộc các hình thức của phong trào"
    with pytest.raises(TransitionRefused) as refused:
        create(world, commune_a, clerk_a, code=code)
    assert expected in str(refused.value)
    assert not Dossier.objects.exists()


def test_only_a_clerk_of_the_unit_drafts_for_it(world, commune_a, clerk_b, head_a, board_officer):
    for actor in (clerk_b, head_a, board_officer):
        with pytest.raises(TransitionForbidden):
            create(world, commune_a, actor)
    assert not Dossier.objects.exists()


def test_the_deciding_unit_follows_the_award_forms_authority(world, rule_set, province, commune_a, board_unit):
    body = UnitFactory(name="Văn phòng HĐND và UBND", kind=UnitKind.BODY, parent=commune_a)
    dept_body = UnitFactory(name="Văn phòng Sở", kind=UnitKind.BODY, parent=board_unit)
    assert services.deciding_unit_for(body, Authority.PROVINCIAL_CHAIRMAN) == province
    assert services.deciding_unit_for(body, Authority.COMMUNE_CHAIRMAN) == commune_a
    assert services.deciding_unit_for(commune_a, Authority.COMMUNE_CHAIRMAN) == commune_a
    assert services.deciding_unit_for(dept_body, Authority.DEPARTMENT_HEAD) == board_unit
    with pytest.raises(TransitionRefused) as refused:
        services.deciding_unit_for(dept_body, Authority.COMMUNE_CHAIRMAN)
    assert "Không xác định được cấp có thẩm quyền" in str(refused.value)


def test_a_body_within_a_commune_is_decided_by_the_commune(world, commune_a, head_a, clerk_a, board_officer):
    body = UnitFactory(name="Trường Mầm non Hoa Sen", kind=UnitKind.BODY, parent=commune_a)
    Enrolment.objects.create(campaign=world.campaign, unit=body)
    body_clerk = UserFactory(username="vanthu.truong", role=Role.UNIT_CLERK, unit=body)
    body_head = UserFactory(username="hieutruong", role=Role.UNIT_HEAD, unit=body)
    dossier = create(world, body, body_clerk, code="giay_khen_xa")
    services.add_nominee(dossier, actor=body_clerk, **NomineeDataFactory())
    assert dossier.deciding_unit == commune_a
    services.submit_dossier(dossier, actor=body_head)
    assert [i.dossier for i in inbox_for(clerk_a)] == [dossier]
    assert inbox_for(body_clerk) == [] and inbox_for(board_officer) == []
    services.receive_dossier(dossier, actor=clerk_a)
    assert check_agreement(strict=True) == []


# --- Nominees and duplicates -------------------------------------------------------------------------------------


def test_the_same_person_cannot_be_nominated_by_two_units(world, commune_a, commune_b, clerk_a, clerk_b):
    mine = create(world, commune_a, clerk_a)
    theirs = create(world, commune_b, clerk_b)
    services.add_nominee(
        mine, actor=clerk_a, **NomineeDataFactory(name="Nguyễn Thị Hoà", birth_date=date(1985, 3, 12))
    )
    events = AuditEvent.objects.count()
    with pytest.raises(services.DuplicateNominee) as duplicate:
        services.add_nominee(
            theirs, actor=clerk_b, **NomineeDataFactory(name="nguyễn  thị hòa", birth_date=date(1985, 3, 12))
        )
    message = str(duplicate.value)
    assert "đã được đề nghị trong phong trào này" in message
    assert f"“{mine.title}”" in message and "Phường Phan Đình Phùng" in message
    assert "1985" not in message  # no personal data in messages (domain rule 16)
    assert not theirs.nominees.exists() and AuditEvent.objects.count() == events
    # Another person of the same name is welcome; so is the same ID number only once.
    services.add_nominee(
        theirs, actor=clerk_b, **NomineeDataFactory(name="Nguyễn Thị Hòa", birth_date=date(1990, 1, 1))
    )
    services.add_nominee(theirs, actor=clerk_b, **NomineeDataFactory(name="Phạm Văn Tuấn", id_number="001090000001"))
    with pytest.raises(services.DuplicateNominee):
        services.add_nominee(mine, actor=clerk_a, **NomineeDataFactory(name="Phạm Tuấn", id_number="001090000001"))


def test_a_person_needs_a_birth_date_or_an_id(world, commune_a, clerk_a):
    dossier = create(world, commune_a, clerk_a)
    with pytest.raises(TransitionRefused) as refused:
        services.add_nominee(dossier, actor=clerk_a, kind="individual", name="Hà Văn Nam")
    assert "ngày sinh hoặc số định danh" in str(refused.value)


def test_nominees_change_only_while_the_dossier_is_with_its_unit(world, commune_a, clerk_a, clerk_b, head_a):
    dossier = create(world, commune_a, clerk_a)
    nominee = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Đinh Thị Thuỷ"))
    with pytest.raises(TransitionForbidden):
        services.add_nominee(dossier, actor=clerk_b, **NomineeDataFactory())
    services.update_nominee(nominee, actor=clerk_a, name="Đinh Thị Thúy", position="Tổ trưởng")
    assert nominee.name == "Đinh Thị Thúy" and nominee.canonical_key.startswith("cn:đinh thị thuý|")
    update = AuditEvent.objects.get(action="nominations.nominee.update")
    assert update.payload["fields"] == ["name", "position"]
    assert all(
        str(nominee.birth_date.year) not in e.body for e in AuditEvent.objects.filter(action__contains="nominee")
    )

    services.submit_dossier(dossier, actor=head_a)
    with pytest.raises(TransitionRefused) as refused:
        services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    assert "chỉ sửa được khi đang soạn hoặc bị trả lại" in str(refused.value)
    with pytest.raises(TransitionRefused):
        services.remove_nominee(nominee, actor=clerk_a)
    assert dossier.nominees.count() == 1


def test_a_returned_dossier_can_be_completed_and_resubmitted(world, commune_a, clerk_a, head_a, board_officer):
    dossier = create(world, commune_a, clerk_a)
    first = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 1))
    services.return_dossier(dossier, actor=board_officer, reason="Bổ sung báo cáo thành tích.")
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    services.remove_nominee(first, actor=clerk_a)
    assert not Nominee.objects.filter(pk=first.pk).exists()
    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 8))
    assert dossier.state == DossierState.SUBMITTED and dossier.nominees.count() == 1
    assert check_agreement(strict=True) == [] and verify_chain() == []


# --- Submission --------------------------------------------------------------------------------------------------


def test_submission_pins_the_rule_set_in_force_and_keeps_it(
    world, rule_set, commune_a, clerk_a, head_a, board_officer
):
    from ..factories import RuleSetFactory

    newer = RuleSetFactory(code="nd-2026", valid_from=date(2026, 1, 1))
    newer.award_types.create(code="bang_khen_tinh", name="Bằng khen", authority="provincial_chairman")
    dossier = create(world, commune_a, clerk_a)
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    services.submit_dossier(dossier, actor=head_a, on=date(2025, 12, 20))
    assert dossier.rule_set == rule_set
    services.return_dossier(dossier, actor=board_officer, reason="Thiếu biên bản.")
    services.submit_dossier(dossier, actor=head_a, on=date(2026, 1, 5))
    assert dossier.rule_set == rule_set  # filed under one rule set, finishes under it (domain rule 1)
    submits = AuditEvent.objects.filter(action="nominations.dossier.submit").order_by("sequence")
    assert [e.payload["rule_set"] for e in submits] == ["nd152-2025", "nd152-2025"]


def test_no_rule_set_in_force_no_submission(world, commune_a, clerk_a, head_a):
    dossier = create(world, commune_a, clerk_a)
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a, on=date(2024, 1, 1))
    assert "Không có bộ quy định nào có hiệu lực vào ngày 01/01/2024" in str(refused.value)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT


def test_notifications_reach_the_next_actors_by_mail_after_commit(
    world, commune_a, clerk_a, head_a, board_officer, django_capture_on_commit_callbacks
):
    dossier = create(world, commune_a, clerk_a)
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_dossier(dossier, actor=head_a)
    assert [m.to for m in mail.outbox] == [[board_officer.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_dossier(dossier, actor=board_officer, reason="Thiếu biên bản họp.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([clerk_a.email, head_a.email])
    assert all(
        "Thiếu biên bản họp." in n.body for n in Notification.objects.filter(key__startswith="dossier-returned")
    )


# --- Scoping and appraisal ---------------------------------------------------------------------------------------


def test_a_clerk_of_another_unit_neither_sees_nor_acts(world, commune_a, clerk_a, clerk_b, head_a, head_b):
    dossier = create(world, commune_a, clerk_a)
    nominee = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    assert list(scope(clerk_b, Dossier.objects.all())) == []
    assert not can_see(clerk_b, dossier) and not clerk_b.has_perm("nominations.view_dossier", dossier)
    assert can_see(clerk_a, dossier) and list(scope(clerk_b, Nominee.objects.all())) == []
    for attempt in (
        lambda: services.add_nominee(dossier, actor=clerk_b, **NomineeDataFactory()),
        lambda: services.update_nominee(nominee, actor=clerk_b, name="X"),
        lambda: services.remove_nominee(nominee, actor=clerk_b),
        lambda: services.submit_dossier(dossier, actor=head_b),
    ):
        with pytest.raises(TransitionForbidden):
            attempt()
    assert inbox_for(clerk_b) == [] and inbox_for(head_b) == []
    nominee.refresh_from_db()
    assert nominee.name != "X" and dossier.nominees.count() == 1


def test_appraisal_of_a_nominee(world, commune_a, clerk_a, head_a, board_officer):
    dossier = create(world, commune_a, clerk_a)
    nominee = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    services.submit_dossier(dossier, actor=head_a)
    with pytest.raises(TransitionRefused) as refused:
        services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)
    assert "Chỉ thẩm định khi hồ sơ đã được tiếp nhận" in str(refused.value)
    services.receive_dossier(dossier, actor=board_officer)
    with pytest.raises(TransitionRefused) as refused:
        services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.REJECTED)
    assert "phải ghi ý kiến thẩm định" in str(refused.value)
    with pytest.raises(TransitionForbidden):
        services.appraise_nominee(nominee, actor=clerk_a, result=AppraisalResult.ACCEPTED)
    with pytest.raises(TransitionRefused) as refused:
        services.complete_appraisal(dossier, actor=board_officer)
    assert "chưa có kết quả thẩm định" in str(refused.value)
    services.appraise_nominee(
        nominee, actor=board_officer, result=AppraisalResult.REJECTED, note="Chưa đủ tiêu chuẩn."
    )
    assert (nominee.appraisal_result, nominee.appraisal_note) == (AppraisalResult.REJECTED, "Chưa đủ tiêu chuẩn.")
    services.complete_appraisal(dossier, actor=board_officer)
    assert dossier.state == DossierState.APPRAISED
    assert check_agreement(strict=True) == [] and verify_chain() == []


# --- Inboxes -----------------------------------------------------------------------------------------------------


@pytest.fixture
def dossiers_in_every_step(world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer):
    """A's Bằng khen in draft, submitted, received and appraised; A's Giấy khen submitted; B's draft."""

    def dossier(unit, clerk, head, code="bang_khen_tinh", *, steps=0):
        office = board_officer if code == "bang_khen_tinh" else clerk
        return dossier_at_step(world.campaign, unit, clerk, head, office, code, steps=steps)

    return {
        "draft": dossier(commune_a, clerk_a, head_a),
        "submitted": dossier(commune_a, clerk_a, head_a, steps=1),
        "received": dossier(commune_a, clerk_a, head_a, steps=2),
        "appraised": dossier(commune_a, clerk_a, head_a, steps=3),
        "proposed": dossier(commune_a, clerk_a, head_a, steps=4),
        "giay_khen": dossier(commune_a, clerk_a, head_a, "giay_khen_xa", steps=1),
        "b_draft": dossier(commune_b, clerk_b, head_b),
    }


def waiting(user) -> list[tuple[int, str]]:
    return [(i.dossier.pk, i.node) for i in inbox_for(user)]


def test_each_role_sees_exactly_the_dossiers_waiting_for_it(
    dossiers_in_every_step, clerk_a, clerk_b, head_a, head_b, board_officer, auditor
):
    d = dossiers_in_every_step
    assert waiting(head_a) == [(d["draft"].pk, "submit")]
    assert waiting(head_b) == [(d["b_draft"].pk, "submit")]
    assert waiting(board_officer) == [
        (d["submitted"].pk, "receive"),
        (d["received"].pk, "appraise"),
        (d["appraised"].pk, "council"),
    ]
    assert waiting(clerk_a) == [(d["giay_khen"].pk, "receive")]  # the commune's own emulation office
    assert waiting(clerk_b) == [] and waiting(auditor) == []
    item = inbox_for(board_officer)[0]
    assert item.title == "Tiếp nhận hồ sơ" and item.since is not None
    row = inbox_items(board_officer)[0]
    assert row.step == "Tiếp nhận hồ sơ" and row.title == d["submitted"].title


def test_the_chairmans_office_sees_the_bang_khen_the_council_proposed(dossiers_in_every_step, world):
    assert waiting(world.chairman_office) == [(dossiers_in_every_step["proposed"].pk, "decide")]


def test_the_inbox_costs_the_same_few_queries_however_many_wait(
    dossiers_in_every_step, world, commune_a, clerk_a, head_a, board_officer, django_assert_max_num_queries, settings
):
    settings.THIDUA_DATA_CACHE = False  # what the inbox costs to compute (tests/nominations/test_cached_pages.py)
    for _ in range(5):
        d = create(world, commune_a, clerk_a)
        services.add_nominee(d, actor=clerk_a, **NomineeDataFactory())
        services.submit_dossier(d, actor=head_a)
    fresh = type(board_officer).objects.get(pk=board_officer.pk)  # no cached unit
    # The unit, the province's pk (the scope's, the permissions'), the people stood in for, the tasks.
    with django_assert_max_num_queries(5):
        items = inbox_for(fresh)
    assert len(items) == 8  # 5 new, and the submitted, received and appraised (council) ones
    fresh_head = type(head_a).objects.get(pk=head_a.pk)
    with django_assert_max_num_queries(5):
        assert len(inbox_for(fresh_head)) == 1
