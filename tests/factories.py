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
