"""The world of the permission matrix: one province with its board, two wards of the same kind (A, the own unit of
the unit roles, and B, the other unit), one user per role, and for each of A and B one object of every kind that a
URL of the project takes as a parameter, each at a state where the URL has something to show.

Built once per module through the services (real actors where a permission matters, the system actor where it
does not), inside a transaction the fixture rolls back (tests/security/conftest.py)."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Cluster, Enrolment, RuleSet, Unit
from competition.services import plans as plan_services
from competition.services.campaigns import launch_campaign
from competition.services.indicator_import import start_import
from competition.services.progress import create_period, record_progress
from competition.services.reviews import publish_review, save_remarks, schedule_review, take_snapshot
from nominations.enums import AppraisalResult, Attendance, SignerAuthority
from nominations.models import AwardRecord, AwardReviewFlag, BulkJob
from nominations.services import composition, decisions, payments, publication, revocations
from nominations.services import dossiers as dossier_services
from nominations.services import history as history_services
from nominations.services import statistics as stats_services
from nominations.services.demo import DOCX_TYPE, document_file, run_council
from scoring.enums import Subject, TieBreak
from scoring.services import scorecards as cards
from scoring.services import tables as table_services
from workflows.assignments import name_stand_in
from workflows.calendar import add_override
from workflows.models import Notification, WorkdayOverride

from ..factories import CampaignFactory, IndicatorFactory, NomineeDataFactory, UnitFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SIDES = ("A", "B")
# Markers written into the titles of each unit's records (dossiers, nominees, plans, reviews, tables, revocations):
# a page served to a user of A must never contain B's (test_permission_matrix checks every page it gets).
MARKERS = {"A": "RIENG-A", "B": "BIMAT-B"}
SECRET = MARKERS["B"]
# A second marker on the records that never reach the provincial Chairman (drafts, dossiers in appraisal, a unit's
# own Giấy khen, plans, reviews, scoring tables): no page of the Chairman's office or a council member shows it.
INTERNAL = "NOIBO"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@functools.cache
def docx_bytes() -> bytes:
    return document_file("Tài liệu", ["Ma trận quyền"], name="tai-lieu.docx").read()


def docx(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(), content_type=DOCX_TYPE)


def fill(dossier, actor) -> None:
    """``nominations.services.demo.fill_composition`` with one Word file made once (the gate before submission)."""
    for item in composition.composition(dossier):
        suffix = f"-{item.nominee.pk}" if item.nominee else ""
        upload = docx(f"{item.required.code}{suffix}.docx")
        composition.attach_document(dossier, code=item.required.code, upload=upload, actor=actor, nominee=item.nominee)


@dataclass
class Side:
    """The objects of one unit (A or B)."""

    unit: Unit
    clerk: object
    head: object
    spare_user: object  # an account of the unit for the administrator's pages
    campaign: Campaign  # launched; A: the main campaign (A and B enrolled); B: a campaign of B alone
    draft_campaign: Campaign  # a draft the unit takes part in
    period: object  # a reporting period of ``campaign``
    main_period: object  # the main campaign's period (the unit's progress entry)
    review: object  # a published interim review of ``campaign``
    table: object  # the scoring table of ``campaign`` with a criterion, a class and a tie-break
    criterion: object
    threshold: object
    tie_break: object
    plan: object  # the unit's plan in the main campaign, submitted with a document
    progress_report: object  # the unit's value of the main campaign's indicator in the main period
    indicator_job: object  # an indicator import uploaded by the unit's clerk
    scorecard: object  # the unit's collective scorecard, finalized, with evidence
    assessment: object  # the board officer's assessment of that scorecard
    draft_dossier: object  # a Bằng khen dossier being drafted, with a nominee and a document
    received_dossier: object  # received by the board, in appraisal
    proposed_dossier: object  # proposed by the council, in no decision yet
    decided_dossier: object  # Bằng khen of the Chairman, decided (signed decision below)
    own_dossier: object  # the unit's own Giấy khen, decided by its own head
    province_session: object  # the province's council session on ``decided_dossier`` (closed)
    own_session: object  # the unit's own council session on ``own_dossier`` (closed)
    chairman_decision: object  # signed and published, with its signed PDF
    own_decision: object  # the unit's own Giấy khen decision, signed
    draft_decision: object  # the Chairman's decision still in draft
    award: object  # a line of ``chairman_decision``
    revocation: object  # a proposed revocation of ``award``
    extra: dict = field(default_factory=dict)

    @property
    def nominee(self):
        return self.draft_dossier.nominees.order_by("pk").first()

    @property
    def document(self):
        return self.draft_dossier.documents.order_by("pk").first()

    @property
    def decided_document(self):
        return self.decided_dossier.documents.order_by("pk").first()

    @property
    def scan(self):
        return self.chairman_decision.signed_scans.order_by("pk").first()


@dataclass
class World:
    province: Unit
    board_unit: Unit
    users: dict  # role value → the user of that role (unit roles: of unit A)
    a: Side
    b: Side
    rule_set: RuleSet
    notifications: dict  # role value → a notification of that user
    other_notification: object  # a notification of B's clerk
    bulk_job: object
    stand_in: object
    override: object
    hold: object
    flag: object
    statistics_template: object
    extra: dict = field(default_factory=dict)

    def side(self, name: str) -> Side:
        return self.a if name == "A" else self.b


def _users(province, board_unit, office_unit, coordinating_unit, ward_a) -> dict:
    return {
        Role.ADMIN: UserFactory(username="mt.quantri", role=Role.ADMIN, unit=province),
        Role.UNIT_CLERK: UserFactory(username="mt.vanthu.a", role=Role.UNIT_CLERK, unit=ward_a),
        Role.UNIT_HEAD: UserFactory(username="mt.thutruong.a", role=Role.UNIT_HEAD, unit=ward_a),
        Role.BOARD_OFFICER: UserFactory(username="mt.canbo.snv", role=Role.BOARD_OFFICER, unit=board_unit),
        Role.BOARD_HEAD: UserFactory(username="mt.lanhdao.snv", role=Role.BOARD_HEAD, unit=board_unit),
        Role.COORDINATOR: UserFactory(username="mt.skhcn", role=Role.COORDINATOR, unit=coordinating_unit),
        Role.COUNCIL_MEMBER: UserFactory(username="mt.hoidong", role=Role.COUNCIL_MEMBER, unit=province),
        Role.CHAIRMAN_OFFICE: UserFactory(username="mt.vp.ubnd", role=Role.CHAIRMAN_OFFICE, unit=office_unit),
        Role.AUDITOR: UserFactory(username="mt.kiemtoan", role=Role.AUDITOR, unit=province),
    }


def _launched(code: str, units, officer, *, indicator_code="1") -> Campaign:
    campaign = CampaignFactory(
        code=code,
        name=f"Phong trào ma trận quyền {code}",
        start_date=date(2025, 7, 1),
        end_date=date(2026, 12, 31),
        plan_deadline=date(2025, 8, 15),
        award_type_codes=["bang_khen_tinh", "giay_khen_xa"],
    )
    IndicatorFactory(campaign=campaign, code=indicator_code, order=1, target_percent=Decimal("100"))
    for unit in units:
        Enrolment.objects.create(campaign=campaign, unit=unit)
    launch_campaign(campaign, actor=officer, on=date(2025, 7, 15))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED
    return campaign


def _draft_campaign(code: str, unit) -> Campaign:
    campaign = CampaignFactory(code=code, name=f"Dự thảo phong trào {code}", award_type_codes=["bang_khen_tinh"])
    IndicatorFactory(campaign=campaign, code="1")
    Enrolment.objects.create(campaign=campaign, unit=unit)
    return campaign


def _period(campaign, officer, label):
    return create_period(
        campaign, label=label, start=date(2025, 7, 1), end=date(2025, 9, 30), due=date(2025, 10, 10), actor=officer
    )


def _review(campaign, period, officer, title):
    review = schedule_review(campaign, title=title, review_date=date(2025, 10, 15), period=period, actor=officer)
    review = take_snapshot(review, actor=officer)
    save_remarks(review, remarks="Các đơn vị thực hiện đúng tiến độ.", unit_remarks={}, actor=officer)
    return publish_review(review, actor=officer)


def _table(campaign, officer, name):
    table = table_services.create_table(campaign, Subject.COLLECTIVE, actor=officer, name=name)
    criterion = table_services.add_criterion(
        table, actor=officer, code="1", name="Tổ chức thực hiện", base_points=Decimal(100), evidence_required=True
    )
    threshold = table_services.add_class(
        table,
        actor=officer,
        code="mt_dat",
        label="Đạt (ma trận)",
        min_total=Decimal(60),
        no_zero=False,
        max_penalty=None,
    )
    tie_break = table_services.add_tie_break(table, actor=officer, kind=TieBreak.CRITERION, criterion=criterion)
    return table, criterion, threshold, tie_break


def _dossier(campaign, unit, clerk, head, receiver, *, code, title, until):
    """A dossier of ``unit`` through the services: ``until`` one of draft, received, appraised."""
    dossier = dossier_services.create_dossier(campaign, unit=unit, award_type_code=code, title=title, actor=clerk)
    dossier_services.add_nominee(dossier, actor=clerk, **NomineeDataFactory(name=f"{title} — người đề nghị"))
    fill(dossier, clerk)
    if until == "draft":
        return dossier
    dossier_services.submit_dossier(dossier, actor=head)
    dossier_services.receive_dossier(dossier, actor=receiver)
    if until == "received":
        return dossier
    for nominee in dossier.nominees.all():
        dossier_services.appraise_nominee(nominee, actor=receiver, result=AppraisalResult.ACCEPTED)
    dossier_services.complete_appraisal(dossier, actor=receiver)
    dossier.refresh_from_db()
    return dossier


def _council(dossiers, secretary, members, title):
    session = run_council(
        dossiers,
        secretary=secretary,
        members=[(m, "Ủy viên", i == 0, Attendance.PRESENT) for i, m in enumerate(members)],
        title=title,
        held_on=timezone.localdate(),
    )
    for dossier in dossiers:
        dossier.refresh_from_db()
    return session


def _sign(dossiers, *, drafter, signer, number):
    decision = decisions.draft_decision(dossiers, actor=drafter)
    decisions.set_issue_details(
        decision,
        actor=signer,
        number=number,
        issued_on=timezone.localdate(),
        signer_name="Nguyễn Văn Ký",
        signer_authority=SignerAuthority.DEPUTY,
        submission_letter_number=f"{number}/TTr",
        submission_letter_date=timezone.localdate(),
    )
    return decisions.sign_decision(decision, actor=signer)


def _side(name, *, unit, clerk, head, campaign, main, main_period, users, council_members, number) -> Side:
    officer = users[Role.BOARD_OFFICER]
    chairman_office = users[Role.CHAIRMAN_OFFICE]
    marker = MARKERS[name]
    internal = f"{marker} {INTERNAL}"
    period = main_period if campaign == main else _period(campaign, officer, f"Quý III/2025 ({name})")
    review = _review(campaign, period, officer, f"Sơ kết {internal}")
    if campaign == main:
        table, criterion, threshold, tie_break = users["_main_table"]
    else:
        table, criterion, threshold, tie_break = _table(campaign, officer, f"Bảng điểm {internal}")

    # The unit's plan in the main campaign: submitted, with its document and first version.
    plan = plan_services.start_plan(main, unit=unit, actor=clerk)
    plan_services.save_plan_draft(
        plan,
        actor=clerk,
        number=f"{number}/KH-{marker}-{INTERNAL}",
        date=date(2025, 7, 20),
        document=ContentFile(PDF, name="ke-hoach.pdf"),
        adopted_codes=["1"],
    )
    plan = plan_services.submit_plan(plan, actor=clerk)
    (progress_report,) = record_progress(
        unit, main_period, [{"indicator": main.indicators.get().pk, "numerator": 1, "denominator": 2}], actor=clerk
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số"])
    writer.writerow([unit.code, main_period.label, "1", 2, 2])
    job = start_import(main, ContentFile(buffer.getvalue().encode(), name=f"chi-tieu-{marker}.csv"), actor=clerk)

    # Scoring in the main campaign's table: self-scored with evidence, two assessors, finalized.
    main_table, main_criterion, *_rest = users["_main_table"]
    scorecard = cards.start_scorecard(main_table, unit=unit, actor=clerk)
    cards.save_self_scores(
        scorecard, [{"criterion": main_criterion.pk, "value": "80", "evidence": pdf("minh-chung.pdf")}], actor=clerk
    )
    cards.submit_scorecard(scorecard, actor=clerk)
    cards.assign_assessors(scorecard, [officer, users["_officer2"]], actor=officer)
    for assessment in scorecard.assessments.select_related("assessor"):
        cards.save_assessment(assessment, [{"criterion": main_criterion.pk, "value": "75"}], actor=assessment.assessor)
        cards.submit_assessment(assessment, actor=assessment.assessor)
    scorecard = cards.finalize(scorecard, actor=officer)
    assessment = scorecard.assessments.get(assessor=officer)

    def dossier(code, title, until, receiver=officer):
        return _dossier(main, unit, clerk, head, receiver, code=code, title=title, until=until)

    draft = dossier("bang_khen_tinh", f"Hồ sơ đang soạn {internal}", "draft")
    received = dossier("bang_khen_tinh", f"Hồ sơ đang thẩm định {internal}", "received")
    decided = dossier("bang_khen_tinh", f"Hồ sơ Bằng khen {marker}", "appraised")
    proposed = dossier("bang_khen_tinh", f"Hồ sơ chờ quyết định {marker}", "appraised")
    in_draft = dossier("bang_khen_tinh", f"Hồ sơ trong dự thảo {marker}", "appraised")
    own = dossier("giay_khen_xa", f"Hồ sơ Giấy khen {internal}", "appraised", receiver=clerk)

    province_session = _council([decided, proposed, in_draft], officer, council_members, f"Phiên họp tỉnh {marker}")
    own_session = _council([own], clerk, users["_unit_council"], f"Phiên họp đơn vị {internal}")

    chairman_decision = _sign([decided], drafter=officer, signer=chairman_office, number=number)
    decisions.upload_signed_pdf(chairman_decision, pdf("qd-da-ky.pdf"), actor=officer)
    chairman_decision = publication.publish_decision(chairman_decision, actor=officer)
    own_decision = _sign([own], drafter=clerk, signer=head, number=number + 1)
    draft_decision = decisions.draft_decision([in_draft], actor=officer)
    # Numbered and dated, so that the Chairman's office could sign it: a refusal to anyone else is the permission's.
    decisions.set_issue_details(
        draft_decision,
        actor=chairman_office,
        number=number + 2,
        issued_on=timezone.localdate(),
        signer_name="Nguyễn Văn Ký",
        signer_authority=SignerAuthority.DEPUTY,
    )
    award = chairman_decision.awards.order_by("pk").first()
    revocation = revocations.propose_revocation(
        award, actor=officer, ground="fraud", detail=f"Thành tích kê khai không đúng {marker}."
    )
    for obj in (draft, received, decided, proposed, own):
        obj.refresh_from_db()
    return Side(
        unit=unit,
        clerk=clerk,
        head=head,
        spare_user=UserFactory(username=f"mt.du-phong.{name.lower()}", role=Role.UNIT_CLERK, unit=unit),
        campaign=campaign,
        draft_campaign=_draft_campaign(f"du-thao-{name.lower()}", unit),
        period=period,
        main_period=main_period,
        review=review,
        table=table,
        criterion=criterion,
        threshold=threshold,
        tie_break=tie_break,
        plan=plan,
        progress_report=progress_report,
        indicator_job=job,
        scorecard=scorecard,
        assessment=assessment,
        draft_dossier=draft,
        received_dossier=received,
        proposed_dossier=proposed,
        decided_dossier=decided,
        own_dossier=own,
        province_session=province_session,
        own_session=own_session,
        chairman_decision=chairman_decision,
        own_decision=own_decision,
        draft_decision=draft_decision,
        award=award,
        revocation=revocation,
    )


def build_world() -> World:
    call_command("seed_rules", verbosity=0)
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board_unit = UnitFactory(code="TN-SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    office_unit = UnitFactory(code="TN-VP", name="Văn phòng UBND tỉnh", kind=UnitKind.DEPARTMENT, parent=province)
    coordinating = UnitFactory(
        code="TN-SKHCN", name="Sở Khoa học và Công nghệ", kind=UnitKind.DEPARTMENT, parent=province
    )
    ward_a = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    ward_b = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    cluster = Cluster.objects.create(code="MT1", name="Cụm thi đua ma trận")
    cluster.units.add(ward_a, ward_b)
    users = _users(province, board_unit, office_unit, coordinating, ward_a)
    officer = users[Role.BOARD_OFFICER]
    clerk_b = UserFactory(username="mt.vanthu.b", role=Role.UNIT_CLERK, unit=ward_b)
    head_b = UserFactory(username="mt.thutruong.b", role=Role.UNIT_HEAD, unit=ward_b)
    officer2 = UserFactory(username="mt.canbo2.snv", role=Role.BOARD_OFFICER, unit=board_unit)
    others = [
        UserFactory(username=f"mt.hoidong{i}", role=Role.COUNCIL_MEMBER, unit=province, full_name=f"Ủy viên {i}")
        for i in range(1, 4)
    ]

    main = _launched("ma-tran-chung", [ward_a, ward_b], officer)
    b_only = _launched("ma-tran-rieng-b", [ward_b], officer)
    main_period = _period(main, officer, "Quý III/2025")
    main_table = _table(main, officer, "Bảng điểm tập thể chung")
    helpers = dict(users)
    helpers.update(_main_table=main_table, _officer2=officer2, _unit_council=others)

    a = _side(
        "A",
        unit=ward_a,
        clerk=users[Role.UNIT_CLERK],
        head=users[Role.UNIT_HEAD],
        campaign=main,
        main=main,
        main_period=main_period,
        users=helpers,
        council_members=[users[Role.COUNCIL_MEMBER], *others[:2]],
        number=101,
    )
    b = _side(
        "B",
        unit=ward_b,
        clerk=clerk_b,
        head=head_b,
        campaign=b_only,
        main=main,
        main_period=main_period,
        users=helpers,
        council_members=others,
        number=201,
    )

    notifications = {
        role: Notification.objects.create(recipient=user, key=f"ma-tran:{role}", title="Thông báo thử", url="/")
        for role, user in users.items()
    }
    other_notification = Notification.objects.create(
        recipient=clerk_b, key="ma-tran:b", title=f"Thông báo {SECRET}", url="/"
    )
    bulk_job = BulkJob.objects.create(
        action=BulkJob.Action.ASSIGN, actor=officer, state=BulkJob.State.DONE, total=1, processed=1, succeeded=1
    )
    stand_in = name_stand_in(
        officer2,
        users[Role.BOARD_HEAD],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="Đi công tác",
        actor=officer2,
    )
    override = add_override(date(2026, 12, 26), WorkdayOverride.Kind.WORKING_DAY, "Làm bù", actor=officer)
    hold = history_services.add_hold(
        actor=officer,
        kind="individual",
        name="Phạm Văn Tạm",
        reason="discipline",
        birth_date=date(1980, 1, 1),
    )
    flag = AwardReviewFlag.objects.create(
        record=AwardRecord.objects.filter(decision_number__isnull=False).order_by("pk").first()
        or AwardRecord.objects.order_by("pk").first(),
        revocation=a.revocation,
    )
    template = stats_services.upload_template(
        SimpleUploadedFile("mau.xlsx", stats_services.default_template_xlsx()), actor=officer, name="Mẫu thử"
    )
    payments.add_fund_entry(
        province, actor=officer, kind="allocation", amount=10_000_000, entered_on=timezone.localdate()
    )
    return World(
        province=province,
        board_unit=board_unit,
        users=users,
        a=a,
        b=b,
        rule_set=RuleSet.objects.get(code="nd152-2025"),
        notifications=notifications,
        other_notification=other_notification,
        bulk_job=bulk_job,
        stand_in=stand_in,
        override=override,
        hold=hold,
        flag=flag,
        statistics_template=template,
        extra={
            "cluster": cluster,
            "officer2": officer2,
            "clerk_b": clerk_b,
            "head_b": head_b,
            "main": SimpleNamespace(campaign=main, table=main_table[0]),
        },
    )
