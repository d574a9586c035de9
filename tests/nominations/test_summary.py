"""The campaign summary (tổng kết, issue 7 item 7): plans, indicator outcomes, scores and classes, awards by form,
unit and gender, money; the DOCX report with its charts, the XLSX with native charts and formula-escaped cells, the
page and who may see it, and query counts that do not grow with the number of awards and units.

Award decisions are produced by the real services (dossiers through the door, drafted, issued, signed); plans,
progress reports and finalized scorecards are written straight through the models (their own services are tested
on their own), as the ranking tests do."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.enums import Role
from competition.enums import CampaignState, PlanState, UnitKind
from competition.models import Campaign, Cluster, Enrolment, ProgressReport, ReportingPeriod, UnitPlan
from nominations.enums import RevocationGround, RevocationState
from nominations.models import Award, Revocation
from nominations.services.decisions import draft_decision, sign_decision
from nominations.services.summary import summary_for
from nominations.summary_documents import summary_docx, summary_xlsx
from scoring.enums import ScorecardState, Subject
from scoring.models import ClassThreshold, Scorecard, ScoringTable

from ..factories import IndicatorFactory, UnitFactory, UserFactory, make_proposed_dossier
from ._decision_setup import build_world, drafted, issue, provincial_dossier, ward_dossier

pytestmark = pytest.mark.django_db

D = Decimal
EVIL_COLLECTIVE = '=HYPERLINK("http://evil.example","Bấm vào đây")'
EVIL_UNIT = "+1 Phường Thử Nghiệm"
BK_INDIVIDUAL, BK_COLLECTIVE = 3_510_000, 7_020_000  # NĐ 152: 1.5 and 3.0 × 2,340,000 (issued 15/09/2025)
GK_INDIVIDUAL = 710_000  # 0.3 × 2,340,000 = 702,000, rounded up to 10,000


@dataclass
class Scene:
    world: object
    campaign: Campaign
    ward2: object
    decision: object
    own: object
    coordinator: object


def _person(name, gender, *, direct=False):
    return {"kind": "individual", "name": name, "gender": gender, "direct_worker": direct}


def _plans_progress_scores(campaign, units, *, accepted=(), numerators=None):
    """Plans (accepted for ``accepted`` units, submitted for the others), one started period with values of
    indicators "1" (target 100%) and "2" (target 50%), a collective scoring table with three classes and one
    finalized scorecard per unit (totals 96, 88, 88 …)."""
    one = IndicatorFactory(campaign=campaign, code="1", name="Tỷ lệ đơn vị ban hành kế hoạch", order=1)
    two = IndicatorFactory(campaign=campaign, code="2", name="Tỷ lệ cán bộ được học AI", target_percent=D(50), order=2)
    today = timezone.localdate()
    period = ReportingPeriod.objects.create(
        campaign=campaign, label="Kỳ tổng kết", start=today - timedelta(days=60), end=today, due=today
    )
    table = ScoringTable.objects.create(campaign=campaign, subject=Subject.COLLECTIVE, name="Bảng điểm tập thể")
    for code, label, minimum, order in (
        ("xuat_sac", "Xuất sắc", 95, 1),
        ("tot", "Tốt", 85, 2),
        ("ht", "Hoàn thành", 0, 3),
    ):
        ClassThreshold.objects.create(table=table, code=code, label=label, min_total=D(minimum), order=order)
    numerators = numerators or {}
    now = timezone.now()
    for n, unit in enumerate(units):
        Enrolment.objects.get_or_create(campaign=campaign, unit=unit)
        UnitPlan.objects.create(
            campaign=campaign, unit=unit, state=PlanState.ACCEPTED if unit in accepted else PlanState.SUBMITTED
        )
        first, second = numerators.get(unit.pk, (10, 5))
        ProgressReport.objects.create(
            period=period, unit=unit, indicator=one, numerator=first, denominator=10, reported_at=now
        )
        ProgressReport.objects.create(
            period=period, unit=unit, indicator=two, numerator=second, denominator=10, reported_at=now
        )
        total = D(96) if n == 0 else D(88)
        Scorecard.objects.create(
            table=table,
            unit=unit,
            state=ScorecardState.FINALIZED,
            final_total=total,
            classification="xuat_sac" if total >= 95 else "tot",
        )
    return table


@pytest.fixture
def scene(db):
    world = build_world()
    campaign = world.campaign
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SUMMARIZING)
    campaign.refresh_from_db()
    ward2 = UnitFactory(code="05710", name=EVIL_UNIT, kind=UnitKind.WARD, parent=world.province)
    cluster = Cluster.objects.create(code="C1", name="Cụm thi đua các phường")
    cluster.units.add(world.ward, ward2)
    _plans_progress_scores(
        campaign, [world.ward, ward2], accepted=[world.ward], numerators={world.ward.pk: (10, 5), ward2.pk: (8, 6)}
    )
    # The Chairman's Bằng khen: three nominees of the ward, two of the second ward (one of them a collective named
    # like a spreadsheet formula), in one decision signed on 15/09/2025.
    first = provincial_dossier(
        world,
        [
            _person("Nguyễn Thị Hoa", "female", direct=True),
            _person("Lê Văn Bình", "male"),
            ("collective", "Tổ Chuyển đổi số cộng đồng"),
        ],
    )
    second = make_proposed_dossier(
        nominees=[("collective", EVIL_COLLECTIVE), _person("Trần Thị Mai", "female")],
        rule_set=world.nd152,
        campaign=campaign,
        unit=ward2,
        deciding_unit=world.province,
        award_type_code="bang_khen_tinh",
    )
    decision = drafted(world, first, second)
    issue(decision, world.chairman_office)
    sign_decision(decision, actor=world.chairman_office)
    # The ward chairman's own Giấy khen: one woman.
    own_dossier = ward_dossier(world, [_person("Đỗ Thị Lan", "female")])
    own = draft_decision([own_dossier], actor=world.ward_clerk)
    issue(
        own,
        world.ward_head,
        number=3,
        signer_authority="head",
        submission_letter_number="",
        submission_letter_date=None,
    )
    sign_decision(own, actor=world.ward_head)
    # A draft decision never counts.
    drafted(world, provincial_dossier(world, [_person("Chưa Ký", "male")]))
    coordinator = UserFactory(
        username="sokhcn",
        role=Role.COORDINATOR,
        unit=UnitFactory(
            code="TN-KHCN", name="Sở Khoa học và Công nghệ", kind=UnitKind.DEPARTMENT, parent=world.province
        ),
    )
    return Scene(world, campaign, ward2, decision, own, coordinator)


def test_awards_by_form_subject_gender_unit_and_money_are_exact(scene):
    summary = summary_for(scene.campaign, scene.world.board_officer)
    awards = summary.awards
    by_type = {r.code: r for r in awards.by_type}
    assert list(by_type) == ["bang_khen_tinh", "giay_khen_xa"]
    bk, gk = by_type["bang_khen_tinh"], by_type["giay_khen_xa"]
    assert (bk.decisions, bk.counts, bk.female, bk.male, bk.direct_worker) == (
        1,
        {"collective": 2, "individual": 3, "household": 0},
        2,
        1,
        1,
    )
    assert bk.amounts == {"collective": 2 * BK_COLLECTIVE, "individual": 3 * BK_INDIVIDUAL, "household": 0}
    assert bk.amount == 24_570_000
    assert (gk.decisions, gk.total, gk.female, gk.amount) == (1, 1, 1, GK_INDIVIDUAL)
    assert (awards.decisions, awards.total, awards.individuals, awards.female, awards.male) == (2, 6, 4, 3, 1)
    assert awards.gender_unknown == 0 and awards.female_percent == D("75.0")
    assert awards.amount == 24_570_000 + GK_INDIVIDUAL == 25_280_000
    units = {r.name: r for r in awards.by_unit}
    ward = units[scene.world.ward.name]
    assert (ward.counts, ward.amount) == (
        {"collective": 1, "individual": 3, "household": 0},
        2 * BK_INDIVIDUAL + BK_COLLECTIVE + GK_INDIVIDUAL,
    )
    assert (units[EVIL_UNIT].total, units[EVIL_UNIT].amount) == (2, BK_COLLECTIVE + BK_INDIVIDUAL)
    assert [r.name for r in awards.by_unit] == [scene.world.ward.name, EVIL_UNIT]  # most awards first


def test_plans_indicators_and_scores_come_from_the_dashboard_and_the_ranking(scene):
    summary = summary_for(scene.campaign, scene.world.board_officer)
    plans = summary.plans
    assert (plans.enrolled, plans.counts[PlanState.ACCEPTED], plans.counts[PlanState.SUBMITTED]) == (2, 1, 1)
    assert (plans.rate.done, plans.rate.percent, plans.rate.meets) == (2, D("100.0"), True)
    assert [name for name, _share in plans.clusters] == ["Cụm thi đua các phường"]
    outcomes = {v.indicator.code: v for v in summary.indicators}
    one, two = outcomes["1"].rollup, outcomes["2"].rollup
    assert (one.province.numerator, one.province.denominator, one.province.percent, one.meets_target) == (
        18,
        20,
        D("90.0"),
        False,
    )
    assert (two.province.percent, two.meets_target) == (D("55.0"), True)
    assert summary.indicators_met == 1 and outcomes["1"].below.count == 1
    [scores] = summary.scores
    assert (scores.province.count, scores.province.average) == (2, D("92.00"))
    assert scores.class_counts() == [("Xuất sắc", 1), ("Tốt", 1), ("Hoàn thành", 0)]
    [cluster] = scores.clusters
    assert (cluster.name, cluster.count, cluster.average) == ("Cụm thi đua các phường", 2, D("92.00"))


def test_a_revoked_award_no_longer_counts(scene):
    award = Award.objects.get(name="Lê Văn Bình")
    Revocation.objects.create(
        award=award,
        ground=RevocationGround.FRAUD,
        detail="Kê khai không đúng",
        state=RevocationState.DECIDED,
        proposed_at=timezone.now(),
        issuing_unit=scene.world.province,
    )
    awards = summary_for(scene.campaign, scene.world.board_officer).awards
    assert (awards.individuals, awards.male, awards.amount) == (3, 0, 25_280_000 - BK_INDIVIDUAL)


def test_docx_report_in_the_house_style_with_headings_tables_and_charts(scene):
    summary = summary_for(scene.campaign, scene.world.board_officer)
    content = summary_docx(summary, issuing_unit=scene.world.board)
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("BÁO CÁO TỔNG KẾT PHONG TRÀO THI ĐUA “BÌNH DÂN HỌC AI”") for t in texts)
    for heading in (
        "I. TÌNH HÌNH BAN HÀNH KẾ HOẠCH",
        "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
        "III. KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI",
        "IV. KẾT QUẢ KHEN THƯỞNG",
    ):
        assert heading in texts
    assert any("Tổng số tiền thưởng: 25.280.000 đồng." in t for t in texts)
    header = " ".join(p.text for cell in document.tables[0].rows[0].cells for p in cell.paragraphs)
    assert "SỞ NỘI VỤ" in header and "/BC-SNV" in header and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert len(document.inline_shapes) >= 4  # plans, indicators, classes, awards by form, gender
    media = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("word/media/")]
    assert media and all(n.endswith(".png") for n in media)
    body = content.decode("latin-1")
    assert "Tổ Chuyển đổi số" not in body  # names of awardees are not listed in the report


def test_xlsx_has_one_sheet_per_section_with_native_charts_and_escaped_cells(scene):
    content = summary_xlsx(summary_for(scene.campaign, scene.world.board_officer))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        "Tổng kết",
        "Kế hoạch",
        "Chỉ tiêu",
        "Xếp loại",
        "Theo hình thức",
        "Theo đơn vị",
        "Theo giới tính",
        "Tiền thưởng",
        "Danh sách",
    ]
    for name in ("Kế hoạch", "Chỉ tiêu", "Xếp loại", "Theo hình thức", "Theo đơn vị", "Theo giới tính", "Tiền thưởng"):
        assert workbook[name]._charts, name
    kinds = {type(c).__name__ for ws in workbook.worksheets for c in ws._charts}
    assert kinds == {"BarChart", "PieChart"}
    forms = {row[0]: row for row in workbook["Theo hình thức"].iter_rows(min_row=3, values_only=True) if row[0]}
    bk = forms["Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"]
    assert bk[1:9] == (2, 3, 0, 2, 1, 5, 1, 24_570_000)
    assert forms["Tổng cộng"][8] == 25_280_000
    units = [row[0] for row in workbook["Theo đơn vị"].iter_rows(min_row=3, values_only=True)]
    assert "'" + EVIL_UNIT in units and EVIL_UNIT not in units
    names = [row[1] for row in workbook["Danh sách"].iter_rows(min_row=3, values_only=True)]
    assert "'" + EVIL_COLLECTIVE in names and EVIL_COLLECTIVE not in names
    assert "Chưa Ký" not in names and len(names) == 6
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_page_shows_the_figures_and_links_for_the_board_and_the_coordinating_department(client, scene):
    url = reverse("nominations:campaign_summary", args=[scene.campaign.pk])
    for user in (scene.world.board_officer, scene.coordinator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("nominations:campaign_summary_docx", args=[scene.campaign.pk]) in html
        assert reverse("nominations:campaign_summary_xlsx", args=[scene.campaign.pk]) in html
        assert "25.280.000" in html and "<svg" in html and "<script" not in html
        assert "&quot;" not in EVIL_UNIT and "+1 Phường Thử Nghiệm" in html
    docx = client.get(reverse("nominations:campaign_summary_docx", args=[scene.campaign.pk]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    header = " ".join(p.text for p in Document(io.BytesIO(docx.content)).tables[0].rows[0].cells[0].paragraphs)
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in header  # the coordinating department issues its own copy
    xlsx = client.get(reverse("nominations:campaign_summary_xlsx", args=[scene.campaign.pk]))
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content))["Kế hoạch"]._charts
    detail = client.get(reverse("competition:campaign_detail", args=[scene.campaign.pk]))
    assert reverse("nominations:campaign_summary", args=[scene.campaign.pk]) in detail.content.decode()


def test_units_never_see_the_summary(client, scene):
    for user in (scene.world.ward_clerk, scene.world.ward_head):
        client.force_login(user)
        for name in ("campaign_summary", "campaign_summary_docx", "campaign_summary_xlsx"):
            response = client.get(reverse(f"nominations:{name}", args=[scene.campaign.pk]))
            assert response.status_code in (403, 404), (user, name)
        detail = client.get(reverse("competition:campaign_detail", args=[scene.campaign.pk]))
        assert reverse("nominations:campaign_summary", args=[scene.campaign.pk]) not in detail.content.decode()
    client.logout()
    response = client.get(reverse("nominations:campaign_summary", args=[scene.campaign.pk]))
    assert response.status_code == 302


def _campaign_with(world, n_units: int, *, tag: str, number: int) -> Campaign:
    """A summarising campaign of ``n_units`` new wards in one cluster, each with a plan, progress, a scorecard and
    a Bằng khen dossier of three nominees, all in one signed decision."""
    from ..factories import CampaignFactory

    campaign = CampaignFactory(
        start_date=date(2025, 3, 31),
        end_date=date(2026, 12, 31),
        plan_deadline=None,
        award_type_codes=["bang_khen_tinh"],
    )
    units = [
        UnitFactory(code=f"{tag}{i:03d}", name=f"Phường {tag} {i}", kind=UnitKind.WARD, parent=world.province)
        for i in range(n_units)
    ]
    cluster = Cluster.objects.create(code=f"C-{tag}", name=f"Cụm {tag}")
    cluster.units.add(*units)
    _plans_progress_scores(campaign, units, accepted=units[::2])
    dossiers = [
        make_proposed_dossier(
            nominees=[
                _person(f"Nguyễn Thị {tag}{i}", "female"),
                _person(f"Lê Văn {tag}{i}", "male", direct=True),
                ("collective", f"Tổ {tag}{i}"),
            ],
            rule_set=world.nd152,
            campaign=campaign,
            unit=unit,
            deciding_unit=world.province,
        )
        for i, unit in enumerate(units)
    ]
    decision = draft_decision(dossiers, actor=world.board_officer)
    issue(decision, world.chairman_office, number=number)
    sign_decision(decision, actor=world.chairman_office)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SUMMARIZING)
    campaign.refresh_from_db()
    return campaign


def test_query_count_does_not_grow_with_the_number_of_awards_and_units(client, db):
    world = build_world()
    small = _campaign_with(world, 2, tag="S", number=21)
    large = _campaign_with(world, 6, tag="L", number=22)
    counts = {}
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            summary = summary_for(campaign, world.board_officer)
            summary_xlsx(summary)
        counts[campaign.pk] = len(ctx.captured_queries)
    assert summary.awards.total == 18 and summary.plans.enrolled == 6
    assert counts[small.pk] == counts[large.pk]
    client.force_login(world.board_officer)
    pages = {}
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("nominations:campaign_summary", args=[campaign.pk])).status_code == 200
        pages[campaign.pk] = len(ctx.captured_queries)
    assert pages[small.pk] == pages[large.pk] <= 40
