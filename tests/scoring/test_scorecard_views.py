"""The scorecard pages (issue 5, item 6): the unit's self-scoring page, the assessor's queue and page, the board's
comparison page and the campaign's list, through the test client; scoping (404) and permissions (403); the DOCX;
a query-count bound on the list."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Enrolment
from scoring.enums import AssessmentState, ScorecardState
from scoring.models import CriterionResult, Scorecard, ScoreEntry, ScoringTable
from scoring.services import scorecards as sc
from workflows.models import AuditEvent

from ..factories import UnitFactory, UserFactory
from .test_scorecards import PDF, assess, crit, pdf, submitted_card

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def head_a(commune_a):
    return UserFactory(role=Role.UNIT_HEAD, unit=commune_a, full_name="Chủ tịch phường")


@pytest.fixture
def card_a(table, commune_a, clerk_a):
    return sc.start_scorecard(table, unit=commune_a, actor=clerk_a)


def _self_post(table, **overrides):
    data = {
        f"v-{crit(table, '1.1').pk}": "18,5",
        f"n-{crit(table, '1.1').pk}": "",
        f"v-{crit(table, '1.2').pk}": "1",
        f"v-{crit(table, '4').pk}": "3",
        f"v-{crit(table, 'T1').pk}": "1",
        f"v-{crit(table, 'P1').pk}": "0",
        "women_percent": "72,5",
    }
    data.update(overrides)
    return data


# --- The unit's self-scoring page ------------------------------------------------------------------------------


def test_unit_self_scoring_page_saves_and_shows_totals(client, table, card_a, clerk_a):
    _login(client, clerk_a)
    url = reverse("scoring:scorecard_detail", args=[card_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ban hành kế hoạch" in html and "bắt buộc có minh chứng" in html
    assert "chưa có số liệu của đơn vị" in html  # automatic criteria, no progress reported yet
    assert 'name="viewport"' in html and "<script" not in html

    c11 = crit(table, "1.1")
    data = _self_post(table, **{f"f-{c11.pk}": pdf()})
    response = client.post(url, data)
    assert response.status_code == 302
    entry = ScoreEntry.objects.get(scorecard=card_a, criterion=c11)
    assert (entry.value, entry.points, entry.evidence_name) == (Decimal("18.5"), Decimal("18.5"), "minh-chung.pdf")
    card_a.refresh_from_db()
    assert card_a.women_percent == Decimal("72.5")
    # 18.5 + 20 + 0 + 0 + 6 = 44.5; bonus 1
    assert card_a.self_total == Decimal("45.5")
    page = client.get(url)
    html = page.content.decode()
    assert "45,5" in html and "Không hoàn thành" in html  # totals and provisional class, after save
    assert reverse("scoring:scorecard_evidence", args=[card_a.pk, c11.pk]) in html

    evidence = client.get(reverse("scoring:scorecard_evidence", args=[card_a.pk, c11.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PDF


def test_self_scoring_errors_are_shown_by_criterion_and_nothing_saved(client, table, card_a, clerk_a):
    _login(client, clerk_a)
    url = reverse("scoring:scorecard_detail", args=[card_a.pk])
    response = client.post(url, _self_post(table, **{f"v-{crit(table, '1.1').pk}": "99"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tiêu chí 1.1: 99 điểm vượt mức tối đa 20 điểm." in html
    assert 'value="99"' in html  # what was typed is kept
    assert not ScoreEntry.objects.filter(scorecard=card_a).exists()


def test_save_and_submit_from_the_page(client, table, card_a, clerk_a):
    _login(client, clerk_a)
    url = reverse("scoring:scorecard_detail", args=[card_a.pk])
    response = client.post(url, {**_self_post(table, **{f"n-{crit(table, '1.1').pk}": "KH số 12"}), "and_submit": "1"})
    assert response.status_code == 302
    card_a.refresh_from_db()
    assert card_a.state == ScorecardState.SUBMITTED
    html = client.get(url).content.decode()
    assert 'name="v-' not in html  # read-only once submitted


def test_clerk_of_another_unit_cannot_see_or_edit(client, table, card_a, clerk_b, head_a):
    _login(client, clerk_b)
    for name in ("scorecard_detail", "scorecard_compare", "scorecard_docx"):
        assert client.get(reverse(f"scoring:{name}", args=[card_a.pk])).status_code == 404
    assert client.post(reverse("scoring:scorecard_detail", args=[card_a.pk]), _self_post(table)).status_code == 404
    transition = reverse("scoring:scorecard_transition", args=[card_a.pk, "submit"])
    assert client.post(transition).status_code == 404
    evidence = reverse("scoring:scorecard_evidence", args=[card_a.pk, crit(table, "1.1").pk])
    assert client.get(evidence).status_code == 404
    listing = client.get(reverse("scoring:scorecard_list", args=[table.campaign_id]))
    assert listing.status_code == 200 and listing.context["rows"] == []

    # The unit's head sees the scorecard, but not the board's comparison; the board cannot self-score.
    _login(client, head_a)
    assert client.get(reverse("scoring:scorecard_detail", args=[card_a.pk])).status_code == 200
    assert client.get(reverse("scoring:scorecard_compare", args=[card_a.pk])).status_code == 403
    assert not ScoreEntry.objects.filter(scorecard=card_a).exists()


def test_board_cannot_post_self_scores(client, table, card_a, board_officer):
    _login(client, board_officer)
    response = client.post(reverse("scoring:scorecard_detail", args=[card_a.pk]), _self_post(table))
    assert response.status_code == 403
    assert not ScoreEntry.objects.filter(scorecard=card_a).exists()


def test_unit_starts_its_scorecard_from_the_list(client, table, commune_a, clerk_a):
    _login(client, clerk_a)
    url = reverse("scoring:scorecard_list", args=[table.campaign_id])
    html = client.get(url).content.decode()
    assert "Bắt đầu tự chấm điểm" in html
    response = client.post(reverse("scoring:scorecard_start", args=[table.campaign_id]), {"table": table.pk})
    card = Scorecard.objects.get(table=table, unit=commune_a)
    assert response.status_code == 302 and response["Location"] == reverse("scoring:scorecard_detail", args=[card.pk])
    assert "Bắt đầu tự chấm điểm" not in client.get(url).content.decode()


# --- The assessor ------------------------------------------------------------------------------------------------


def test_assessor_queue_and_scoring_page(
    client, table, commune_a, commune_b, clerk_a, clerk_b, board_officer, assessor_2
):
    card_a = submitted_card(table, commune_a, clerk_a)
    card_b = submitted_card(table, commune_b, clerk_b)
    for card in (card_a, card_b):
        sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assess(card_a, assessor_2, **{"1_1": "18", "1_2": "1", "4": "3"})
    _login(client, assessor_2)
    queue = client.get(reverse("scoring:assessment_queue"))
    assert queue.status_code == 200
    assert [a.scorecard for a in queue.context["assessments"]] == [card_b, card_a]  # open first

    mine = card_b.assessments.get(assessor=assessor_2)
    url = reverse("scoring:assessment_detail", args=[mine.pk])
    html = client.get(url).content.decode()
    assert "Đơn vị tự chấm" in html and "Văn bản số 12/KH" in html  # the unit's score and evidence beside the input
    data = {
        f"v-{crit(table, '1.1').pk}": "15",
        f"v-{crit(table, '1.2').pk}": "1",
        f"v-{crit(table, '4').pk}": "2",
        f"n-{crit(table, '1.1').pk}": "Kế hoạch ban hành muộn",
        "and_submit": "1",
    }
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.state == AssessmentState.SUBMITTED
    assert mine.entries.get(criterion__code="1.1").note == "Kế hoạch ban hành muộn"

    # Somebody else's assessment: readable by the board, not editable.
    other = card_b.assessments.get(assessor=board_officer)
    other_url = reverse("scoring:assessment_detail", args=[other.pk])
    assert client.get(other_url).status_code == 200
    assert client.post(other_url, data).status_code == 403
    _login(client, clerk_b)
    assert client.get(other_url).status_code == 404


# --- The board -----------------------------------------------------------------------------------------------------


def test_board_comparison_assign_settle_finalize_publish_and_docx(
    client, table, commune_a, clerk_a, board_officer, assessor_2, province
):
    ScoringTable.objects.filter(pk=table.pk).update(aggregation="consensus")
    table.refresh_from_db()
    card = submitted_card(table, commune_a, clerk_a)
    parent_user = UserFactory(role=Role.BOARD_HEAD, unit=province, full_name="Giám đốc tỉnh")
    _login(client, board_officer)
    url = reverse("scoring:scorecard_compare", args=[card.pk])
    page = client.get(url)
    assert page.status_code == 200
    candidates = {c.user: c for c in page.context["candidates"]}
    assert candidates[parent_user].conflict and candidates[assessor_2].conflict is None
    assert "cấp dưới" in page.content.decode()

    assign = reverse("scoring:scorecard_assign", args=[card.pk])
    client.post(assign, {"assessor": [board_officer.pk, parent_user.pk]})
    assert not card.assessments.exists()  # refused: conflict of interest
    client.post(assign, {"assessor": [board_officer.pk, assessor_2.pk]})
    assert card.assessments.count() == 2

    assess(card, board_officer, **{"1_1": "20", "1_2": "1", "4": "3", "T1": "1", "P1": "0"})
    assess(card, assessor_2, **{"1_1": "12", "1_2": "1", "4": "3", "T1": "1", "P1": "0"})
    html = client.get(url).content.decode()
    assert "cần Ban quyết định" in html
    finalize = reverse("scoring:scorecard_transition", args=[card.pk, "finalize"])
    client.post(finalize)
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED  # refused while 1.1 is flagged

    settle = reverse("scoring:scorecard_settle", args=[card.pk, crit(table, "1.1").pk])
    client.post(settle, {"points": "16", "reason": "Ban họp ngày 20/12"})
    assert CriterionResult.objects.get(scorecard=card, criterion__code="1.1").points == Decimal("16")
    assert reverse("scoring:scorecard_docx", args=[card.pk]) not in client.get(url).content.decode()
    assert client.get(reverse("scoring:scorecard_docx", args=[card.pk])).status_code == 404
    client.post(finalize)
    card.refresh_from_db()
    assert card.state == ScorecardState.FINALIZED
    # 16 + 20 + 0 + 0 + 6 = 42, bonus 1
    assert card.final_total == Decimal("43")

    html = client.get(url).content.decode()
    assert reverse("scoring:scorecard_transition", args=[card.pk, "publish"]) in html
    assert reverse("scoring:scorecard_transition", args=[card.pk, "reopen"]) in html
    response = client.get(reverse("scoring:scorecard_docx", args=[card.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "PHIẾU CHẤM ĐIỂM THI ĐUA" in text and "Xếp loại: Không hoàn thành" in text
    assert {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHƯỜNG PHAN ĐÌNH PHÙNG", "TỈNH THÁI NGUYÊN"} <= {
        line for c in cells for line in c.split("\n")
    }
    assert any("NGƯỜI CHẤM" in c for c in cells) and any("THỦ TRƯỞNG ĐƠN VỊ" in c for c in cells)
    criteria = document.tables[1]
    rows = [[c.text for c in row.cells] for row in criteria.rows]
    assert rows[0] == ["Mã", "Tiêu chí", "Điểm chuẩn", "Điểm tự chấm", "Điểm của Ban"]
    assert ["1.1", "Ban hành kế hoạch", "20", "18", "16"] in rows
    assert rows[-1][-2:] == ["45", "43"]

    client.post(reverse("scoring:scorecard_transition", args=[card.pk, "publish"]))
    card.refresh_from_db()
    assert card.state == ScorecardState.PUBLISHED
    _login(client, clerk_a)
    html = client.get(reverse("scoring:scorecard_detail", args=[card.pk])).content.decode()
    assert reverse("scoring:scorecard_docx", args=[card.pk]) in html and "43" in html
    assert client.get(reverse("scoring:scorecard_docx", args=[card.pk])).status_code == 200


def test_reopen_from_the_page_needs_a_reason(client, table, commune_a, clerk_a, board_officer, assessor_2):
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    for assessor in (board_officer, assessor_2):
        assess(card, assessor, **{"1_1": "18", "1_2": "1", "4": "3"})
    sc.finalize(card, actor=board_officer)
    _login(client, board_officer)
    reopen = reverse("scoring:scorecard_transition", args=[card.pk, "reopen"])
    response = client.post(reopen, {"reason": ""}, follow=True)
    assert "Hãy ghi lý do mở lại" in response.content.decode()
    card.refresh_from_db()
    assert card.state == ScorecardState.FINALIZED
    client.post(reopen, {"reason": "Khiếu nại của đơn vị"})
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED
    assert AuditEvent.objects.get(action="scoring.scorecard.reopen").payload["reason"] == "Khiếu nại của đơn vị"


def test_severity_page_for_the_board_only(client, table, board_officer, clerk_a):
    url = reverse("scoring:scorecard_severity", args=[table.pk])
    assert _login(client, board_officer).get(url).status_code == 200
    assert _login(client, clerk_a).get(url).status_code == 403


# --- The campaign's list -------------------------------------------------------------------------------------------


def _cards(table, province, board_officer, n):
    for i in range(n):
        unit = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
        Enrolment.objects.create(campaign=table.campaign, unit=unit)
        card = sc.start_scorecard(table, unit=unit, actor=board_officer)
        if i % 2:
            ScoreEntry.objects.create(scorecard=card, criterion=crit(table, "1.2"), value=1, points=20)


def _list_queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_board_list_filters_by_state_with_a_query_count_independent_of_size(
    client, table, trained_ind, province, commune_a, clerk_a, board_officer, assessor_2
):
    submitted_card(table, commune_a, clerk_a)
    _cards(table, province, board_officer, 2)
    _login(client, board_officer)
    url = reverse("scoring:scorecard_list", args=[table.campaign_id])
    small, response = _list_queries(client, url)
    assert len(response.context["rows"]) == 3
    _cards(table, province, board_officer, 12)
    large, response = _list_queries(client, url)
    assert len(response.context["rows"]) == 15
    assert large == small, f"{small} queries for 3 scorecards, {large} for 15"
    html = response.content.decode()
    assert "Phường Phan Đình Phùng" in html and "Đơn vị đang tự chấm" in html

    submitted = client.get(url, {"state": "submitted"})
    assert [r.scorecard.unit for r in submitted.context["rows"]] == [commune_a]
    row = submitted.context["rows"][0]
    assert row.self_total == Decimal("18") + 20 + 6 + 1  # automatic criteria: no data, 0
    assert client.get(url, {"state": "nonsense"}).context["state"] == ""


def test_board_starts_a_unit_scorecard_and_a_clerk_an_individual_one(
    client, table, running_campaign, commune_a, commune_b, clerk_a, board_officer
):
    individual = ScoringTable.objects.create(campaign=running_campaign, subject="individual", name="Bảng điểm cá nhân")
    individual.criteria.create(code="1", name="Sáng kiến", base_points=Decimal(100))
    start = reverse("scoring:scorecard_start", args=[running_campaign.pk])
    _login(client, board_officer)
    assert client.post(start, {"table": table.pk, "unit": "x"}).status_code == 404
    client.post(start, {"table": table.pk, "unit": commune_b.pk})
    assert Scorecard.objects.filter(table=table, unit=commune_b, person_name="").exists()

    _login(client, clerk_a)
    client.post(
        start, {"table": individual.pk, "unit": commune_b.pk, "person_name": "Trần Thị Mai", "person_is_female": "1"}
    )
    person = Scorecard.objects.get(table=individual)
    assert (person.unit, person.person_name, person.person_is_female) == (commune_a, "Trần Thị Mai", True)
    response = client.post(start, {"table": individual.pk, "person_name": ""}, follow=True)
    assert "họ và tên" in response.content.decode()
