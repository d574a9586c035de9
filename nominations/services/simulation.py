"""A whole campaign run headless through the same services as the web: launch, one dossier per unit, appraisal,
the Chairman's decision with its money, and the checks a province would make afterwards.

Used by ``manage.py simulate_campaign`` (and its bench). Every step goes through the services and so through the
door; the run checks its own results (counts, money total computed independently from the rule set and base
salary, the audit chain, and that every record agrees with its flow) and raises ``SimulationFailed`` otherwise.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from competition.enums import SubjectKind, UnitKind
from competition.models import Campaign, Membership, Unit
from competition.services.campaigns import launch_campaign, save_campaign, set_indicators, set_participants
from competition.services.demo import seed_units
from competition.services.rulesets import base_salary_on, rule_set_in_force
from workflows.audit import verify_chain
from workflows.consistency import check_states

from ..enums import (
    AppraisalResult,
    Attendance,
    FundEntryKind,
    NomineeKind,
    PaymentState,
    RevocationGround,
    SignerAuthority,
)
from ..models import DecisionRegister, DossierReturn, DossierVersion
from . import composition, decisions, dossiers, payments, publication, quotas, revocations
from .demo import fill_composition, run_council

AWARD = "bang_khen_tinh"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Kim", "Xuân", "Hoài"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hòa",
    "Khánh",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Oanh",
    "Phúc",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thúy",
    "Trung",
    "Tuấn",
    "Uyên",
    "Việt",
    "Yến",
]
POSITIONS = ["Công chức Văn hóa - Xã hội", "Chuyên viên", "Giáo viên", "Cán bộ Đoàn", "Trưởng thôn", "Y sĩ"]


class SimulationFailed(Exception):
    """The run did not end where it should; ``problems`` says how."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class SimulationResult:
    campaign: Campaign
    units: int
    dossiers: int
    nominees: int
    awardees: int
    rejected: int
    money_total: int
    expected_money_total: int
    decision_number: str
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    plans_accepted: int = 0
    plans_returned: int = 0
    plans_late: int = 0
    progress_values: int = 0
    interim_units: int = 0
    scored: int = 0
    ranked: int = 0
    dossiers_returned: int = 0
    paid: int = 0
    revoked: int = 0

    @property
    def dossiers_per_second(self) -> float:
        return self.dossiers / self.seconds if self.seconds else 0.0


def _user(username: str, role: str, unit: Unit, full_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, full_name=full_name)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, unit=unit)
    return user


def _units(n: int, province: Unit) -> list[Unit]:
    """The first ``n`` communes and wards of the province; synthetic ones beyond the real list."""
    real = list(
        Unit.objects.filter(
            kind__in=[UnitKind.COMMUNE, UnitKind.WARD],
            parent=province,
            dissolved_on__isnull=True,
            code__regex=r"^\d{5}$",
        ).order_by("code")[:n]
    )
    missing = n - len(real)
    if missing > 0:
        have = set(Unit.objects.filter(code__startswith="SIM-").values_list("code", flat=True))
        new = [
            Unit(
                code=f"SIM-{i:05d}",
                name=f"Xã Mô Phỏng {i}",
                kind=UnitKind.COMMUNE,
                parent=province,
                path=f"{province.path}SIM-{i:05d}/",
            )
            for i in range(1, missing + 1)
            if f"SIM-{i:05d}" not in have
        ]
        Unit.objects.bulk_create(new)
        real += list(Unit.objects.filter(code__startswith="SIM-").order_by("code")[:missing])
    return real


def _expected_amount(rule_set, on_date: date) -> int:
    """Money per individual Bằng khen, computed here from the rule set's numbers, independently of the service."""
    award = rule_set.award_types.get(code=AWARD)
    base = base_salary_on(on_date).amount
    step = Decimal(rule_set.money_rounding)
    return int((award.coefficient_individual * base / step).to_integral_value(rounding=ROUND_CEILING) * step)


def _names(rng: random.Random, count: int) -> list[tuple[str, date]]:
    seen: set[tuple[str, date]] = set()
    out = []
    while len(out) < count:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35))
        if (name, born) not in seen:
            seen.add((name, born))
            out.append((name, born))
    return out


def simulate(
    *, units: int, nominees_per_unit: int, seed: int, as_of: date | None = None, reject_every: int = 10
) -> SimulationResult:
    """Run one campaign end to end. Raises ``SimulationFailed`` when a check fails."""
    if units < 1 or nominees_per_unit < 1:
        raise SimulationFailed([_("Cần ít nhất 1 đơn vị và 1 người được đề nghị mỗi đơn vị.")])
    rng = random.Random(seed)
    as_of = as_of or timezone.localdate()
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = now - since
        return now

    call_command("seed_rules", verbosity=0)
    seed_units()
    province = Unit.objects.get(kind=UnitKind.PROVINCE, parent__isnull=True, code="19")
    board_unit = Unit.objects.get(code="TN-SNV")
    office_unit = Unit.objects.get(code="TN-VP")
    officer = _user("sim.canbo.snv", Role.BOARD_OFFICER, board_unit, "Chuyên viên mô phỏng")
    chairman_office = _user("sim.vp.ubnd", Role.CHAIRMAN_OFFICE, office_unit, "Văn phòng mô phỏng")
    chosen = _units(units, province)
    people = {
        u.pk: (
            _user(f"sim.vt.{u.code}", Role.UNIT_CLERK, u, f"Văn thư {u.name}"),
            _user(f"sim.tr.{u.code}", Role.UNIT_HEAD, u, f"Chủ tịch {u.name}"),
        )
        for u in chosen
    }
    launch_day = as_of - timedelta(days=200)
    if rule_set_in_force(launch_day) is None or rule_set_in_force(as_of) is None:
        raise SimulationFailed([_("Không có bộ quy định có hiệu lực cho ngày %(d)s.") % {"d": launch_day}])
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    with transaction.atomic():
        campaign = save_campaign(
            Campaign(
                code=f"mo-phong-{seed}-{stamp}",
                name=f"Phong trào mô phỏng (seed {seed}, {stamp})",
                issuing_body="Ủy ban nhân dân tỉnh Thái Nguyên",
                start_date=launch_day,
                end_date=as_of + timedelta(days=30),
                award_type_codes=[AWARD],
                plan_number="MP/KH-UBND",
                plan_date=launch_day,
            ),
            actor=officer,
        )
        set_indicators(
            campaign,
            [
                {
                    "code": "1",
                    "name": "Tỷ lệ đơn vị ban hành kế hoạch",
                    "numerator_label": "Đã ban hành",
                    "denominator_label": "Tổng số",
                    "target_percent": 100,
                }
            ],
            actor=officer,
        )
        set_participants(campaign, chosen, actor=officer)
    launch_campaign(
        campaign,
        actor=officer,
        on=launch_day,
        at=timezone.make_aware(datetime.combine(launch_day, datetime.min.time())),
    )
    t = lap("launch", started)
    execution = _execute(campaign, chosen, people, officer, rng, launch_day, as_of)
    t = lap("plans, progress, interim review", t)
    scoring = _score(campaign, chosen, people, officer, board_unit, rng)
    execution["problems"] += scoring.pop("problems")
    execution.update(scoring)
    t = lap("scoring and ranking", t)

    names = _names(rng, len(chosen) * nominees_per_unit)
    # The board's quota (domain rule 11): every unit proposes exactly as many individuals as it may.
    quotas.set_quota(
        campaign,
        AWARD,
        actor=officer,
        max_per_unit_individual=nominees_per_unit,
        basis="Mô phỏng: chỉ tiêu mỗi đơn vị",
    )
    made = []
    rejected = 0
    for i, unit in enumerate(chosen):
        clerk, head = people[unit.pk]
        dossier = dossiers.create_dossier(
            campaign,
            unit=unit,
            award_type_code=AWARD,
            actor=clerk,
            title=f"Đề nghị tặng Bằng khen cho cá nhân của {unit.name}",
        )
        for j in range(nominees_per_unit):
            name, born = names[i * nominees_per_unit + j]
            dossiers.add_nominee(
                dossier,
                actor=clerk,
                kind=NomineeKind.INDIVIDUAL,
                name=name,
                birth_date=born,
                gender=rng.choice(["female", "male"]),
                position=(position := rng.choice(POSITIONS)),
                work_unit=unit.name,
                direct_worker=position != "Trưởng thôn",
                achievement="Tích cực tham gia phong trào.",
            )
        fill_composition(dossier, actor=clerk)  # the completeness gate (domain rule 7)
        dossiers.submit_dossier(dossier, actor=head, on=as_of - timedelta(days=30))
        made.append(dossier)
    t = lap("draft and submit", t)
    returned = 0
    for i, dossier in enumerate(made):
        # Every RETURN_EVERY-th dossier is returned once for a better achievement report, at receipt or (the next
        # one) during appraisal; the clerk replaces the file and the head resubmits.
        if i % RETURN_EVERY in (0, 1):
            if i % RETURN_EVERY == 1:
                dossiers.receive_dossier(dossier, actor=officer)
            _return_and_resubmit(dossier, officer, *people[dossier.unit_id], on=as_of - timedelta(days=20))
            returned += 1
        dossiers.receive_dossier(dossier, actor=officer)
        for nominee in dossier.nominees.all():
            if reject_every and rng.randrange(reject_every) == 0:
                dossiers.appraise_nominee(
                    nominee, actor=officer, result=AppraisalResult.REJECTED, note="Thành tích chưa tiêu biểu."
                )
                rejected += 1
            else:
                dossiers.appraise_nominee(nominee, actor=officer, result=AppraisalResult.ACCEPTED)
        dossiers.complete_appraisal(dossier, actor=officer)
    t = lap("receive and appraise", t)
    # The province's council (domain rule 8): five members, one absent voting in writing; secret ballots; every
    # member approves every nominee, so the council passes all that the appraisal proposed.
    members = [_user(f"sim.hoidong{i}", Role.COUNCIL_MEMBER, board_unit, f"Thành viên Hội đồng {i}") for i in range(5)]
    run_council(
        made,
        secretary=officer,
        members=[
            (m, "Ủy viên", i == 0, Attendance.WRITTEN if i == 4 else Attendance.PRESENT) for i, m in enumerate(members)
        ],
        title=f"Phiên họp Hội đồng mô phỏng (seed {seed})",
        held_on=as_of,
        conclusion="Thống nhất đề nghị khen thưởng.",
    )
    t = lap("council", t)
    # The province keeps its register in the product, so reruns allocate fresh numbers and never collide.
    DecisionRegister.objects.get_or_create(
        issuing_unit=province, symbol=decisions.default_symbol(province), year=as_of.year
    )
    appraised = [d for d in made if d.nominees.filter(appraisal_result=AppraisalResult.ACCEPTED).exists()]
    decision = decisions.draft_decision(appraised, actor=chairman_office)
    decisions.set_issue_details(
        decision,
        actor=chairman_office,
        issued_on=as_of,
        signer_name="Người ký mô phỏng",
        signer_authority=SignerAuthority.DEPUTY,
        submission_letter_number=f"{seed}/TTr-SNV",
        submission_letter_date=as_of,
    )
    decisions.sign_decision(decision, actor=chairman_office)
    t = lap("decide", t)
    after = _after_signing(decision, officer, chairman_office, as_of)
    t = lap("after_signing", t)

    decision.refresh_from_db()
    awards = list(decision.awards.all())
    awardees = len(awards)
    nominees = len(chosen) * nominees_per_unit
    # Money uses the rule set each dossier pinned when it was submitted (not the campaign's, pinned at launch).
    per_person = _expected_amount(decision.rule_set, as_of)
    if {d.rule_set_id for d in campaign.dossiers.all()} != {decision.rule_set_id}:
        problems_rule_set = [f"dossiers pinned other rule sets than the decision's {decision.rule_set}"]
    else:
        problems_rule_set = []
    expected_total = (nominees - rejected) * per_person
    total = sum(a.amount for a in awards)
    problems = list(problems_rule_set)
    if len(made) != len(chosen):
        problems.append(f"dossiers {len(made)} != units {len(chosen)}")
    if awardees != nominees - rejected:
        problems.append(f"awardees {awardees} != accepted nominees {nominees - rejected}")
    if any(a.subject_kind != SubjectKind.INDIVIDUAL or a.amount != per_person for a in awards):
        problems.append(f"an awardee's money differs from {per_person}")
    if total != expected_total:
        problems.append(f"money total {total} != expected {expected_total}")
    versions = DossierVersion.objects.filter(dossier__in=made).count()
    if versions != len(made) + returned:
        problems.append(f"versions {versions} != submissions {len(made) + returned}")
    if DossierReturn.objects.filter(dossier__in=made, resolved_by_version__isnull=True).exists():
        problems.append("a return was not resolved by the resubmission")
    undecided = campaign.dossiers.exclude(state="decided").filter(pk__in=[d.pk for d in appraised]).count()
    if undecided:
        problems.append(f"{undecided} dossiers not decided")
    problems += after.pop("problems")
    problems += execution.pop("problems")
    problems += [str(p) for p in verify_chain()]
    problems += check_states()
    lap("checks", t)
    if problems:
        raise SimulationFailed(problems)
    return SimulationResult(
        campaign=campaign,
        units=len(chosen),
        dossiers=len(made),
        nominees=nominees,
        awardees=awardees,
        rejected=rejected,
        money_total=total,
        expected_money_total=expected_total,
        decision_number=str(decision),
        seconds=time.perf_counter() - started,
        steps=steps,
        dossiers_returned=returned,
        **after,
        **execution,
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _after_signing(decision, officer, chairman_office, as_of: date) -> dict:
    """What follows the signature, checked (issue 7): the signed PDF uploaded back and the decision published; the
    fund allocated and every line paid; the first line revoked by a numbered decision from the province's
    register, its money recovered and the revocation closed; the public verification of its certificate shows the
    revocation and no personal data. Payments need a date that has come: skipped when ``as_of`` is ahead."""
    problems: list[str] = []
    decisions.upload_signed_pdf(decision, SimpleUploadedFile("qd-da-ky.pdf", PDF), actor=officer)
    publication.publish_decision(decision, actor=officer)
    if as_of > timezone.localdate():
        return {"paid": 0, "revoked": 0, "problems": problems}
    province = decision.issuing_unit
    total = sum(decision.awards.values_list("amount", flat=True))
    before = payments.fund_year(province, as_of.year)
    payments.add_fund_entry(province, actor=officer, kind=FundEntryKind.ALLOCATION, amount=total, entered_on=as_of)
    paid = payments.record_payments(decision, actor=officer, paid_on=as_of, reference="UNC mô phỏng")
    first = decision.awards.order_by("subject_kind", "order", "pk").first()
    revocation = revocations.propose_revocation(
        first, actor=officer, ground=RevocationGround.FRAUD, detail="Mô phỏng: thành tích kê khai không đúng."
    )
    revocations.set_revocation_details(revocation, actor=chairman_office, issued_on=as_of, signer_name="Người ký")
    revocations.decide_revocation(revocation, actor=chairman_office)
    first.refresh_from_db()
    payments.record_recovery(first, actor=officer, recovered_on=as_of, reference="PT mô phỏng")
    revocations.complete_revocation(revocation, actor=officer, certificate_returned=True)
    after = payments.fund_year(province, as_of.year)
    if len(paid) != decision.awards.count():
        problems.append(f"paid {len(paid)} of {decision.awards.count()} lines")
    if after.closing - before.closing != first.amount:
        problems.append(f"fund moved by {after.closing - before.closing}, expected the recovered {first.amount}")
    first.refresh_from_db()
    if first.payment_state != PaymentState.RECOVERED:
        problems.append(f"revoked line is {first.payment_state}, not recovered")
    check = publication.verify_code(first.certificate_code)
    if check is None or not check.award.revoked:
        problems.append("the verification page does not show the revocation")
    elif any(hasattr(check.award, f) for f in ("birth_date", "gender", "id_number")):
        problems.append("the verification page carries personal data")
    return {"paid": len(paid), "revoked": 1, "problems": problems}


def _execute(campaign, chosen, people, officer, rng, launch_day: date, as_of: date) -> dict:
    """The campaign's execution, through the services: each clerk writes and sends the unit's plan (one in ten
    after the deadline; the board returns one in ten, which is completed and sent again; all end accepted); the
    clerks report the first period themselves, the board imports the second from a file; the interim review is
    taken between the two. Checks that the plan rate is 100%, that the roll-ups equal sums computed here, and that
    the review kept the first period's values."""
    import csv
    import io

    from django.core.files.base import ContentFile

    from competition.models import ProgressReport
    from competition.services import plans as plan_services
    from competition.services.indicator_import import import_indicators
    from competition.services.plans import plan_status, plan_summary
    from competition.services.progress import create_period, record_progress, rollup
    from competition.services.reviews import review_rollup, save_remarks, schedule_review, take_snapshot

    problems: list[str] = []
    deadline = launch_day + timedelta(days=30)
    campaign.__class__.objects.filter(pk=campaign.pk).update(plan_deadline=deadline)
    campaign.refresh_from_db()
    indicator = campaign.indicators.get()
    result = {"plans_accepted": 0, "plans_returned": 0, "plans_late": 0, "progress_values": 0, "interim_units": 0}
    for i, unit in enumerate(chosen):
        clerk, _head = people[unit.pk]
        plan = plan_services.start_plan(campaign, unit=unit, actor=clerk)
        plan_services.save_plan_draft(
            plan,
            actor=clerk,
            number=f"{i + 1}/KH-UBND",
            date=launch_day + timedelta(days=10),
            document=ContentFile(PDF, name="ke-hoach.pdf"),
            adopted_codes=["1"],
        )
        late = rng.randrange(10) == 0
        sent = deadline + timedelta(days=2) if late else launch_day + timedelta(days=12)
        plan = plan_services.submit_plan(
            plan, actor=clerk, at=timezone.make_aware(datetime.combine(sent, datetime.min.time()).replace(hour=9))
        )
        if rng.randrange(10) == 0:
            plan = plan_services.return_plan(plan, actor=officer, reason="Bổ sung lộ trình thực hiện.")
            plan_services.save_plan_draft(plan, actor=clerk, number=f"{i + 1}a/KH-UBND", date=plan.date)
            plan = plan_services.submit_plan(plan, actor=clerk)
            result["plans_returned"] += 1
        plan_services.accept_plan(plan, actor=officer)
        result["plans_late"] += plan.late
    summary = plan_summary(plan_status(campaign, campaign.enrolments.select_related("unit")))
    result["plans_accepted"] = summary["counts"]["accepted"]
    if summary["issued"] != len(chosen) or summary["rate"] != 100:
        problems.append(f"plan rate {summary['issued']}/{summary['total']} is not 100%")

    first = create_period(
        campaign,
        label="Kỳ 1",
        start=launch_day,
        end=launch_day + timedelta(days=59),
        due=launch_day + timedelta(days=69),
        actor=officer,
    )
    second = create_period(
        campaign,
        label="Kỳ 2",
        start=launch_day + timedelta(days=60),
        end=launch_day + timedelta(days=119),
        due=launch_day + timedelta(days=129),
        actor=officer,
    )
    expected = {first.pk: [0, 0], second.pk: [0, 0]}
    for unit in chosen:
        clerk, _head = people[unit.pk]
        d = rng.randint(1, 500)
        n = rng.randint(0, d)
        record_progress(unit, first, [{"indicator": indicator, "numerator": n, "denominator": d}], actor=clerk)
        expected[first.pk][0] += n
        expected[first.pk][1] += d
    review = schedule_review(
        campaign, title="Sơ kết mô phỏng", review_date=launch_day + timedelta(days=100), period=first, actor=officer
    )
    review = take_snapshot(review, actor=officer)
    save_remarks(review, remarks="Các đơn vị thực hiện đúng tiến độ.", unit_remarks={}, actor=officer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số"])
    for unit in chosen:
        d = rng.randint(1, 500)
        n = rng.randint(0, d)
        writer.writerow([unit.code, second.label, "1", n, d])
        expected[second.pk][0] += n
        expected[second.pk][1] += d
    imported = import_indicators(campaign, io.BytesIO(buffer.getvalue().encode()), actor=officer, filename="ky-2.csv")
    if not imported.ok or imported.new != len(chosen):
        problems.append(f"import of period 2: {imported.new} new, errors {imported.errors[:3]}")
    for period in (first, second):
        (item,) = rollup(campaign, period, by="province")
        got = [item.province.numerator, item.province.denominator]
        if got != expected[period.pk]:
            problems.append(f"roll-up of {period.label} {got} != {expected[period.pk]}")
    (kept,) = review_rollup(review)
    if [kept.province.numerator, kept.province.denominator] != expected[first.pk]:
        problems.append("the interim review did not keep the first period's values")
    result["progress_values"] = ProgressReport.objects.filter(period__campaign=campaign).count()
    result["interim_units"] = review.units.count()
    result["problems"] = problems
    return result


def _score(campaign, chosen, people, officer, board_unit, rng) -> dict:
    """Scoring through the services: a collective table (a manual criterion needing evidence, a ratio criterion
    on the campaign's indicator, a penalty), every unit self-scores and submits, two board assessors score, the
    board finalizes and publishes, the province-wide ranking is read. Checks each final total against the mean of
    the assessors' points computed here, and that the ranking orders the totals."""
    from decimal import Decimal

    from competition.models import ProgressReport
    from scoring.enums import CriterionKind, Formula, Subject
    from scoring.services import scorecards as cards
    from scoring.services.formulas import achieved_ratio, q
    from scoring.services.ranking import rank
    from scoring.services.tables import add_criterion, create_table

    problems: list[str] = []
    second = _user("sim.canbo2.snv", Role.BOARD_OFFICER, board_unit, "Chuyên viên mô phỏng 2")
    table = create_table(campaign, Subject.COLLECTIVE, actor=officer, name="Bảng điểm mô phỏng")
    indicator = campaign.indicators.get()
    manual = add_criterion(
        table, actor=officer, code="1", name="Tổ chức thực hiện", base_points=Decimal(70), evidence_required=True
    )
    add_criterion(
        table,
        actor=officer,
        code="2",
        name="Kết quả chỉ tiêu",
        base_points=Decimal(30),
        formula=Formula.RATIO,
        indicator=indicator,
    )
    penalty = add_criterion(
        table, actor=officer, code="P1", name="Vi phạm", base_points=Decimal(3), kind=CriterionKind.PENALTY
    )
    latest = {
        unit_id: (n, d)
        for unit_id, n, d in ProgressReport.objects.filter(period__campaign=campaign)
        .order_by("unit_id", "period__start")
        .values_list("unit_id", "numerator", "denominator")
    }
    expected: dict[int, Decimal] = {}
    for unit in chosen:
        clerk, _head = people[unit.pk]
        card = cards.start_scorecard(table, unit=unit, actor=clerk)
        cards.save_self_scores(
            card,
            [{"criterion": manual.pk, "value": "65", "note": "Báo cáo số 1"}, {"criterion": penalty.pk, "value": "0"}],
            actor=clerk,
        )
        cards.submit_scorecard(card, actor=clerk)
        cards.assign_assessors(card, [officer, second], actor=officer)
        given = []
        for assessment in card.assessments.select_related("assessor"):
            points = Decimal(rng.randint(40, 70))
            fine = Decimal(rng.choice([0, 0, 0, 1]))
            given.append((points, fine))
            cards.save_assessment(
                assessment,
                [{"criterion": manual.pk, "value": str(points)}, {"criterion": penalty.pk, "value": str(fine)}],
                actor=assessment.assessor,
            )
            cards.submit_assessment(assessment, actor=assessment.assessor)
        cards.finalize(card, actor=officer)
        cards.publish(card, actor=officer)
        n, d = latest.get(unit.pk, (None, None))
        auto = q(Decimal(30) * min(achieved_ratio(n, d, indicator.target_percent) or 0, Decimal(1)))
        mean_points = q(sum(p for p, _f in given) / len(given))
        mean_fine = q(sum(f for _p, f in given) / len(given))
        expected[card.pk] = q(max(mean_points + auto - mean_fine, Decimal(0)))
    rows = rank(table)
    totals = {r.scorecard_id: r.total for r in rows}
    wrong = [pk for pk, total in expected.items() if totals.get(pk) != total]
    if wrong:
        problems.append(f"{len(wrong)} final totals differ from the mean of the assessors (e.g. scorecard {wrong[0]})")
    ordered = [r.total for r in rows]
    if ordered != sorted(ordered, reverse=True):
        problems.append("the ranking does not order the totals")
    return {"scored": len(expected), "ranked": len(rows), "problems": problems}


RETURN_EVERY = 8


def _return_and_resubmit(dossier, officer, clerk, head, *, on) -> None:
    first = dossier.nominees.order_by("order", "pk").first()
    dossiers.return_dossier(
        dossier,
        actor=officer,
        items=[
            {
                "target": composition.target_of("bao_cao_thanh_tich", first.pk),
                "reason": "Báo cáo thành tích chưa đúng mẫu; bổ sung số liệu.",
            }
        ],
    )
    fill_composition(
        dossier, actor=clerk, only_missing=False, codes={"bao_cao_thanh_tich"}, note="Bổ sung số liệu kết quả."
    )
    dossiers.submit_dossier(dossier, actor=head, on=on)
