"""Factories for every test: one place, built through the models (services are what the tests exercise)."""

from datetime import date
from decimal import Decimal

import factory

from accounts.enums import Role
from accounts.models import User
from competition.enums import Authority, UnitKind
from competition.models import AwardType, BaseSalary, Campaign, Indicator, Membership, RuleSet, Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    kind = UnitKind.COMMUNE
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.UNIT_CLERK
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-nghiem-1")

    @factory.post_generation
    def unit(self, create, extracted, **kwargs):
        if create and extracted is not None:
            Membership.objects.create(user=self, unit=extracted)
        if create:
            self.save()


class RuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleSet

    code = factory.Sequence(lambda n: f"rs{n}")
    name = "NĐ 152/2025/NĐ-CP và TT 15/2025/TT-BNV"
    legal_basis = "Luật Thi đua, khen thưởng số 06/2022/QH15"
    valid_from = date(2025, 7, 1)
    appraisal_working_days = 20


class AwardTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardType

    rule_set = factory.SubFactory(RuleSetFactory)
    code = "bang_khen_tinh"
    name = "Bằng khen của Chủ tịch UBND tỉnh"
    authority = Authority.PROVINCIAL_CHAIRMAN
    coefficient_individual = Decimal("1.5")
    coefficient_collective = Decimal("3.0")
    coefficient_household = Decimal("2.25")


class BaseSalaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseSalary

    amount = 2_340_000
    valid_from = date(2024, 7, 1)
    legal_basis = "NĐ 73/2024/NĐ-CP"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"phong-trao-{n}")
    name = factory.Sequence(lambda n: f"Phong trào thử nghiệm {n}")
    issuing_body = "Ủy ban nhân dân tỉnh Thái Nguyên"
    start_date = date(2025, 7, 1)
    end_date = date(2025, 12, 31)
    plan_deadline = date(2025, 8, 15)
    award_type_codes = factory.LazyFunction(lambda: ["bang_khen_tinh"])


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"CT{n}")
    name = "Tỷ lệ địa phương ban hành kế hoạch"
    numerator_label = "Số địa phương đã ban hành"
    denominator_label = "Tổng số địa phương"
    target_percent = Decimal("100")


# --- Nominations: dossiers, nominees, and appraised dossiers for award-decision tests --------------------------


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nominations.Dossier"

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    deciding_unit = factory.LazyAttribute(lambda o: o.unit.parent or o.unit)
    award_type_code = "bang_khen_tinh"
    title = factory.Sequence(lambda n: f"Hồ sơ đề nghị khen thưởng {n}")


class NomineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nominations.Nominee"

    dossier = factory.SubFactory(DossierFactory)
    kind = "individual"
    name = factory.Sequence(lambda n: f"Trần Thị {n}")
    position = "Chuyên viên"
    work_unit = factory.LazyAttribute(lambda o: o.dossier.unit.name)
    canonical_key = factory.LazyAttribute(lambda o: o.name.lower())


def make_proposed_dossier(*, nominees, rule_set, submitted_at=None, rejected=(), **dossier_fields):
    """A dossier moved through the door (system actor) past appraisal and the council to ``proposed`` (ready for a
    decision): ``nominees`` are (kind, name) pairs or dicts of Nominee fields, every one accepted at appraisal and
    approved by the council except the names in ``rejected``. ``submitted_at`` (a datetime)
    is recorded as the submission time; the dossier pins ``rule_set`` at submission."""
    from django.utils import timezone

    from nominations.enums import AppraisalResult
    from nominations.flows import DossierFlow
    from nominations.services.demo import fill_composition
    from workflows import SYSTEM, flowsync, transition

    dossier = DossierFactory(**dossier_fields)
    flowsync.start_process(DossierFlow, dossier, SYSTEM)  # as create_dossier does: the flow follows the record
    for order, spec in enumerate(nominees, start=1):
        fields = dict(zip(("kind", "name"), spec, strict=True)) if isinstance(spec, tuple) else dict(spec)
        NomineeFactory(dossier=dossier, order=order, **fields)
    at = submitted_at or timezone.now()
    # Complete, as the gate before receipt requires (domain rule 7): a Word file for every required document.
    if dossier.rule_set_id is None:
        dossier.rule_set = rule_set
        dossier.save(update_fields=["rule_set"])
    fill_composition(dossier, actor=SYSTEM)
    transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=at)
    transition(dossier, "receive", actor=SYSTEM, at=at)
    for nominee in dossier.nominees.all():
        nominee.appraisal_result = AppraisalResult.REJECTED if nominee.name in rejected else AppraisalResult.ACCEPTED
        nominee.save(update_fields=["appraisal_result"])
    transition(dossier, "appraise", actor=SYSTEM, at=at)
    # The council (domain rule 8) approves every nominee the appraisal proposed.
    dossier.nominees.filter(appraisal_result=AppraisalResult.ACCEPTED).update(council_result="approved")
    transition(dossier, "council_review", actor=SYSTEM, at=at)
    return dossier


# --- The Dossier flow (nominations/flows.py): a launched campaign with both award forms and a user per role ------


class GiayKhenXaFactory(AwardTypeFactory):
    code = "giay_khen_xa"
    name = "Giấy khen của Chủ tịch UBND xã, phường"
    authority = Authority.COMMUNE_CHAIRMAN
    coefficient_individual = Decimal("0.3")
    coefficient_collective = Decimal("0.6")
    coefficient_household = Decimal("0.45")


class NomineeDataFactory(factory.DictFactory):
    """Keyword arguments of ``nominations.services.dossiers.add_nominee`` for an individual."""

    kind = "individual"
    name = factory.Sequence(lambda n: f"Lê Thị Thu {n}")
    gender = "female"
    birth_date = factory.Sequence(lambda n: date.fromordinal(date(1980, 1, 1).toordinal() + n))
    position = "Chuyên viên"
    work_unit = "UBND phường"


def make_nomination_world(*, rule_set, campaign, board_officer, units, launch_on=date(2025, 7, 15)):
    """Everything the Dossier flow needs around ``campaign`` (a draft with ``units`` enrolled): the Giấy khen form
    in ``rule_set``, a head for each unit, the Chairman's office; the campaign (with both forms) launched through
    the door. Returns a namespace: ``campaign``, ``heads`` (by unit code), ``chairman_office``."""
    from types import SimpleNamespace

    from competition.services.campaigns import launch_campaign

    GiayKhenXaFactory(rule_set=rule_set)
    campaign.award_type_codes = ["bang_khen_tinh", "giay_khen_xa"]
    campaign.save(update_fields=["award_type_codes"])
    heads = {u.code: UserFactory(username=f"thutruong.{u.code}", role=Role.UNIT_HEAD, unit=u) for u in units}
    province = units[0].parent
    chairman_office = UserFactory(username="vanphong.ubnd", role=Role.CHAIRMAN_OFFICE, unit=province)
    launch_campaign(campaign, actor=board_officer, on=launch_on)
    campaign.refresh_from_db()
    return SimpleNamespace(campaign=campaign, heads=heads, chairman_office=chairman_office)


def pass_council(dossiers, *, secretary, votes="yes", members=3):
    """Take appraised ``dossiers`` through one session of their council with the real services: ``members`` council
    members, all present, each voting ``votes`` on every nominee; the session closes and the dossiers are proposed
    (or not, per nominee, when the votes fall short of the threshold). Returns the session."""
    from django.utils import timezone

    from nominations.enums import Attendance
    from nominations.services.demo import run_council

    dossiers = list(dossiers)
    people = [
        UserFactory(role=Role.COUNCIL_MEMBER, unit=dossiers[0].deciding_unit, full_name=f"Thành viên {i}")
        for i in range(members)
    ]
    return run_council(
        dossiers,
        secretary=secretary,
        members=[(p, "Ủy viên", i == 0, Attendance.PRESENT) for i, p in enumerate(people)],
        title="Phiên họp thử",
        held_on=timezone.localdate(),
        votes=votes,
        conclusion="",
    )


def dossier_at_step(campaign, unit, clerk, head, office, code="bang_khen_tinh", *, steps=0, title=None):
    """A dossier of ``unit`` with one nominee, taken through the real services ``steps`` steps: 1 submitted (by
    ``head``), 2 received, 3 appraised (by ``office``: the board for Bằng khen, the unit's clerk for its own Giấy
    khen), 4 proposed by a council session."""
    from nominations.enums import AppraisalResult
    from nominations.services import dossiers as services

    d = services.create_dossier(
        campaign, unit=unit, award_type_code=code, title=title or f"Hồ sơ của {unit}", actor=clerk
    )
    services.add_nominee(d, actor=clerk, **NomineeDataFactory())
    if steps >= 1:
        services.submit_dossier(d, actor=head)
    if steps >= 2:
        services.receive_dossier(d, actor=office)
    if steps >= 3:
        for nominee in d.nominees.all():
            services.appraise_nominee(nominee, actor=office, result=AppraisalResult.ACCEPTED)
        services.complete_appraisal(d, actor=office)
    if steps >= 4:
        pass_council([d], secretary=office)
    return d
