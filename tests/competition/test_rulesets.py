"""Rule sets as dated data: the seed, the administrator's edits and confirmations, and what blocks signing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from competition.enums import SubjectKind
from competition.models import AwardType, BaseSalary, RequiredDocument, RuleSet
from competition.services.rulesets import (
    add_base_salary,
    base_salary_on,
    blocking_unconfirmed,
    confirm_value,
    copy_rule_set,
    rule_set_in_force,
    seed_rule_sets,
    unconfirmed_values,
    update_value,
)
from workflows import SYSTEM
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    seed_rule_sets(actor=SYSTEM)
    return {rs.code: rs for rs in RuleSet.objects.all()}


def award(code: str, award_code: str) -> AwardType:
    return AwardType.objects.get(rule_set__code=code, code=award_code)


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-sequence").first()


def listed(obj, field: str) -> bool:
    return any(row["object"] == obj and row["field"] == field for row in unconfirmed_values())


# --- Seed ---------------------------------------------------------------------------------------------------------


def test_seed_creates_the_two_rule_sets_with_their_values(seeded):
    nd98, nd152 = seeded["nd98-2023"], seeded["nd152-2025"]
    assert nd98.valid_to == date(2025, 7, 1) and nd152.valid_from == date(2025, 7, 1) and nd152.valid_to is None
    assert "Luật Thi đua, khen thưởng số 06/2022/QH15" in nd152.legal_basis
    assert "152/2025/NĐ-CP" in nd152.legal_basis and "15/2025/TT-BNV" in nd152.legal_basis
    assert nd98.appraisal_working_days == 20 and "appraisal_working_days" in nd98.unconfirmed
    assert nd152.council_quorum == Decimal("0.6667") and "council_quorum" in nd152.unconfirmed
    assert nd152.is_confirmed("money_rounding") and not nd98.is_confirmed("money_rounding")
    assert set(nd152.award_types.values_list("code", flat=True)) == {
        "bang_khen_tinh",
        "giay_khen_so",
        "giay_khen_xa",
        "co_thi_dua_tinh",
    }

    bk152 = award("nd152-2025", "bang_khen_tinh")
    assert (bk152.coefficient_individual, bk152.coefficient_collective, bk152.coefficient_household) == (
        Decimal("1.5"),
        Decimal("3.0"),
        Decimal("2.25"),
    )
    assert bk152.is_confirmed("coefficient_individual") and not bk152.is_confirmed("vote_threshold")
    gkx152 = award("nd152-2025", "giay_khen_xa")
    assert gkx152.coefficient_household == Decimal("0.45") and gkx152.fully_confirmed is False
    assert gkx152.is_confirmed("coefficient_individual")

    gkx98 = award("nd98-2023", "giay_khen_xa")
    assert gkx98.coefficient_individual == Decimal("0.15") and gkx98.coefficient_household is None
    assert {"coefficient_individual", "coefficient_collective", "coefficient_household"} <= set(gkx98.unconfirmed)
    co = award("nd152-2025", "co_thi_dua_tinh")
    assert co.min_campaign_months == 36 and co.thematic_only and co.coefficient_collective is None
    assert "coefficient_collective" in co.unconfirmed

    # Law Art. 84: submission letter, one achievement report per nominee, council minutes (+ certification).
    docs = RequiredDocument.objects.filter(award_type=bk152)
    assert set(docs.values_list("code", flat=True)) == {
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "van_ban_xac_nhan",
    }
    assert docs.get(code="bao_cao_thanh_tich").per_nominee
    assert all(
        not d.is_confirmed("name") for d in RequiredDocument.objects.filter(award_type__rule_set__code="nd98-2023")
    )

    assert list(BaseSalary.objects.order_by("valid_from").values_list("amount", flat=True)) == [
        1_800_000,
        2_340_000,
        2_530_000,
    ]
    assert all(s.fully_confirmed for s in BaseSalary.objects.all())


def test_seed_twice_changes_nothing(seeded):
    events = AuditEvent.objects.count()
    assert events == 1 and last_event("competition.ruleset.seed") is not None
    counts = (RuleSet.objects.count(), AwardType.objects.count(), RequiredDocument.objects.count())
    assert seed_rule_sets(actor=SYSTEM) == {
        "rule_sets": 0,
        "award_types": 0,
        "required_documents": 0,
        "base_salaries": 0,
    }
    assert (RuleSet.objects.count(), AwardType.objects.count(), RequiredDocument.objects.count()) == counts
    assert AuditEvent.objects.count() == events


def test_seed_never_overwrites_what_the_administrator_edited_or_confirmed(seeded, admin_user):
    bk98 = award("nd98-2023", "bang_khen_tinh")
    update_value(bk98, "coefficient_individual", "1,2", actor=admin_user)
    confirm_value(seeded["nd152-2025"], "council_quorum", actor=admin_user)
    salary = BaseSalary.objects.get(valid_from=date(2026, 7, 1))
    update_value(salary, "amount", "2.600.000", actor=admin_user)
    BaseSalary.objects.filter(valid_from=date(2023, 7, 1)).delete()  # a missing row is created again

    result = seed_rule_sets(actor=SYSTEM)

    assert result["base_salaries"] == 1 and result["award_types"] == 0
    bk98.refresh_from_db()
    assert bk98.coefficient_individual == Decimal("1.2")
    assert RuleSet.objects.get(code="nd152-2025").is_confirmed("council_quorum")
    salary.refresh_from_db()
    assert salary.amount == 2_600_000 and not salary.is_confirmed("amount")


def test_seed_completes_an_existing_rule_set_without_touching_it(rule_set):
    # The conftest's rule set has the code "nd152-2025" and one award type with its own values.
    rule_set.appraisal_working_days = 15
    rule_set.save()
    seed_rule_sets(actor=SYSTEM)
    rule_set.refresh_from_db()
    assert rule_set.appraisal_working_days == 15 and rule_set.unconfirmed == []
    assert rule_set.award_types.count() == 4


def test_seed_rules_command(db, capsys):
    call_command("seed_rules")
    call_command("seed_rules")
    assert RuleSet.objects.count() == 2
    out = capsys.readouterr().out
    assert "Đã tạo 2 bộ quy định" in out and "Đã tạo 0 bộ quy định" in out


# --- Which rule set, which salary -------------------------------------------------------------------------------


def test_rule_set_in_force_changes_on_1_july_2025(seeded):
    assert rule_set_in_force(date(2025, 6, 30)).code == "nd98-2023"
    assert rule_set_in_force(date(2025, 7, 1)).code == "nd152-2025"
    assert rule_set_in_force(date(2030, 1, 1)).code == "nd152-2025"
    assert base_salary_on(date(2026, 6, 30)).amount == 2_340_000
    assert base_salary_on(date(2026, 7, 1)).amount == 2_530_000


# --- What blocks signing ------------------------------------------------------------------------------------------


def test_blocking_unconfirmed_is_empty_when_every_money_value_is_confirmed(seeded):
    nd152 = seeded["nd152-2025"]
    for kind in SubjectKind.values:
        assert blocking_unconfirmed(nd152, "bang_khen_tinh", kind, date(2025, 9, 1)) == []
    assert blocking_unconfirmed(nd152, "giay_khen_xa", SubjectKind.INDIVIDUAL, date(2026, 7, 1)) == []


def test_blocking_unconfirmed_names_each_unconfirmed_value(seeded, admin_user):
    nd98 = seeded["nd98-2023"]
    problems = blocking_unconfirmed(nd98, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2025, 3, 1))
    assert len(problems) == 2
    assert "hệ số tiền thưởng cá nhân" in problems[0].lower() and "chưa được xác nhận" in problems[0]
    assert "làm tròn" in problems[1]

    confirm_value(award("nd98-2023", "bang_khen_tinh"), "coefficient_individual", actor=admin_user)
    confirm_value(nd98, "money_rounding", actor=admin_user)
    assert blocking_unconfirmed(nd98, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2025, 3, 1)) == []

    # Unknown household coefficient under NĐ 98, no coefficient for the Cờ thi đua: nothing to sign from.
    household = blocking_unconfirmed(nd98, "bang_khen_tinh", SubjectKind.HOUSEHOLD, date(2025, 3, 1))
    assert household and "Chưa có hệ số tiền thưởng hộ gia đình" in household[0]
    assert blocking_unconfirmed(seeded["nd152-2025"], "co_thi_dua_tinh", SubjectKind.COLLECTIVE, date(2025, 9, 1))
    assert "không có" in blocking_unconfirmed(nd98, "khong_co", SubjectKind.INDIVIDUAL, date(2025, 3, 1))[0]


def test_blocking_unconfirmed_follows_the_base_salary_of_the_decision_date(seeded, admin_user):
    nd152 = seeded["nd152-2025"]
    before_any = blocking_unconfirmed(nd152, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2023, 1, 1))
    assert before_any == ["Chưa có mức lương cơ sở áp dụng ngày 01/01/2023: hãy thêm mức lương cơ sở."]
    add_base_salary(amount="2.800.000", valid_from=date(2027, 7, 1), legal_basis="Nghị định số …", actor=admin_user)
    assert blocking_unconfirmed(nd152, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2027, 6, 30)) == []
    later = blocking_unconfirmed(nd152, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2027, 7, 1))
    assert len(later) == 1 and "Mức lương cơ sở" in later[0]


# --- Editing and confirming ---------------------------------------------------------------------------------------


def test_edit_leaves_the_value_unconfirmed_and_is_audited(seeded, admin_user):
    bk152 = award("nd152-2025", "bang_khen_tinh")
    update_value(bk152, "coefficient_individual", "1,6", actor=admin_user)
    bk152.refresh_from_db()
    assert bk152.coefficient_individual == Decimal("1.6") and not bk152.is_confirmed("coefficient_individual")
    event = last_event("competition.ruleset.value_edit")
    assert event.actor == admin_user and event.object_id == str(bk152.pk)
    assert event.payload["field"] == "coefficient_individual"
    assert (event.payload["old"], event.payload["new"], event.payload["confirmed"]) == ("1.5", "1.6", False)

    confirm_value(bk152, "coefficient_individual", actor=admin_user)
    bk152.refresh_from_db()
    assert bk152.is_confirmed("coefficient_individual")
    event = last_event("competition.ruleset.value_confirm")
    assert event.payload == {"model": "awardtype", "field": "coefficient_individual", "old": "1.6", "new": "1.6"}

    with pytest.raises(ValidationError, match="đã được xác nhận"):
        confirm_value(bk152, "coefficient_individual", actor=admin_user)


def test_edit_with_confirm_ticked_confirms_at_once(seeded, admin_user):
    nd98 = seeded["nd98-2023"]
    update_value(nd98, "appraisal_working_days", "15", actor=admin_user, confirm=True)
    nd98.refresh_from_db()
    assert nd98.appraisal_working_days == 15 and nd98.is_confirmed("appraisal_working_days")
    assert last_event("competition.ruleset.value_edit").payload["confirmed"] is True
    # The same value again without the tick changes nothing and records nothing.
    events = AuditEvent.objects.count()
    update_value(nd98, "appraisal_working_days", "15", actor=admin_user)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("council_quorum", "2/3", Decimal("0.6667")),
        ("council_attendance", "80%", Decimal("0.8")),
        ("council_attendance", "0,75", Decimal("0.75")),
        ("money_rounding", "100.000", 100_000),
        ("valid_to", "01/07/2030", date(2030, 7, 1)),
        ("valid_to", "", None),
    ],
)
def test_values_are_parsed_the_vietnamese_way(seeded, admin_user, field, raw, expected):
    nd152 = seeded["nd152-2025"]
    update_value(nd152, field, raw, actor=admin_user)
    nd152.refresh_from_db()
    assert getattr(nd152, field) == expected


@pytest.mark.parametrize(
    ("model", "field", "raw", "message"),
    [
        (RuleSet, "council_quorum", "1,5", "không quá 1"),
        (RuleSet, "council_quorum", "0", "lớn hơn 0"),
        (RuleSet, "appraisal_working_days", "0", "lớn hơn 0"),
        (RuleSet, "appraisal_working_days", "1.5", "số nguyên"),
        (RuleSet, "valid_to", "30/02/2026", "ngày/tháng/năm"),
        (RuleSet, "name", "", "không được để trống"),
        (RuleSet, "code", "x", "không sửa được"),
        (AwardType, "coefficient_individual", "-1", "lớn hơn 0"),
        (AwardType, "coefficient_individual", "abc", "phải là một số"),
        (AwardType, "coefficient_individual", "1,2345", "tối đa 3 chữ số thập phân"),
        (AwardType, "vote_base", "moi_nguoi", "phải là một trong"),
    ],
)
def test_invalid_values_are_refused_with_a_vietnamese_message(seeded, admin_user, model, field, raw, message):
    obj = model.objects.filter(**({"code": "nd152-2025"} if model is RuleSet else {"code": "bang_khen_tinh"})).first()
    with pytest.raises(ValidationError, match=message):
        update_value(obj, field, raw, actor=admin_user)


def test_a_value_cannot_be_confirmed_while_empty(seeded, admin_user):
    co = award("nd152-2025", "co_thi_dua_tinh")
    with pytest.raises(ValidationError, match="để trống"):
        confirm_value(co, "coefficient_collective", actor=admin_user)
    with pytest.raises(ValidationError, match="để trống"):
        update_value(co, "coefficient_collective", "", actor=admin_user, confirm=True)


def test_rule_set_periods_may_not_overlap(seeded, admin_user):
    nd98 = seeded["nd98-2023"]
    with pytest.raises(ValidationError, match="trùng với bộ quy định"):
        update_value(nd98, "valid_to", "2025-08-01", actor=admin_user)
    with pytest.raises(ValidationError, match="phải sau ngày bắt đầu"):
        update_value(nd98, "valid_to", "2023-01-01", actor=admin_user)
    nd98.refresh_from_db()
    assert nd98.valid_to == date(2025, 7, 1)


# --- Base salary and new rule sets ------------------------------------------------------------------------------


def test_add_base_salary(seeded, admin_user):
    salary = add_base_salary(
        amount="2.800.000", valid_from="01/07/2027", legal_basis="Nghị định số 1/2027/NĐ-CP", actor=admin_user
    )
    assert salary.amount == 2_800_000 and not salary.is_confirmed("amount")
    assert base_salary_on(date(2027, 7, 1)) == salary and base_salary_on(date(2027, 6, 30)).amount == 2_530_000
    event = last_event("competition.basesalary.add")
    assert (event.payload["field"], event.payload["old"], event.payload["new"]) == ("amount", 2_530_000, 2_800_000)
    with pytest.raises(ValidationError, match="Đã có mức lương cơ sở"):
        add_base_salary(amount=1, valid_from=date(2027, 7, 1), legal_basis="x", actor=admin_user)
    with pytest.raises(ValidationError, match="lớn hơn 0"):
        add_base_salary(amount="0", valid_from=date(2028, 7, 1), legal_basis="x", actor=admin_user)


def test_copy_rule_set_closes_the_source_and_starts_unconfirmed(seeded, admin_user):
    nd152 = seeded["nd152-2025"]
    new = copy_rule_set(
        nd152, code="nd200-2027", name="NĐ 200/2027/NĐ-CP", valid_from=date(2027, 1, 1), actor=admin_user
    )
    nd152.refresh_from_db()
    assert nd152.valid_to == date(2027, 1, 1) and new.valid_to is None
    assert rule_set_in_force(date(2026, 12, 31)) == nd152 and rule_set_in_force(date(2027, 1, 1)) == new
    assert new.award_types.count() == 4 and RequiredDocument.objects.filter(award_type__rule_set=new).count() == 14
    bk = new.award_types.get(code="bang_khen_tinh")
    assert bk.coefficient_individual == Decimal("1.5") and set(AwardType.CONFIRMABLE) <= set(bk.unconfirmed)
    assert set(RuleSet.CONFIRMABLE) <= set(new.unconfirmed)
    assert blocking_unconfirmed(new, "bang_khen_tinh", SubjectKind.INDIVIDUAL, date(2027, 3, 1))
    assert last_event("competition.ruleset.copy").payload["source"] == "nd152-2025"
    closed = last_event("competition.ruleset.value_edit")
    assert closed.object_id == str(nd152.pk) and closed.payload["new"] == "2027-01-01"


def test_copy_rule_set_refuses_overlap_and_bad_input(seeded, admin_user):
    nd98, nd152 = seeded["nd98-2023"], seeded["nd152-2025"]
    with pytest.raises(ValidationError, match="trùng với bộ quy định"):
        copy_rule_set(nd98, code="nd98-bis", name="Bản sao", valid_from=date(2025, 3, 1), actor=admin_user)
    nd98.refresh_from_db()
    assert nd98.valid_to == date(2025, 7, 1) and not RuleSet.objects.filter(code="nd98-bis").exists()
    with pytest.raises(ValidationError, match="Đã có bộ quy định mã"):
        copy_rule_set(nd152, code="nd98-2023", name="x", valid_from=date(2027, 1, 1), actor=admin_user)
    with pytest.raises(ValidationError, match="phải bắt đầu sau"):
        copy_rule_set(nd152, code="moi", name="x", valid_from=date(2025, 7, 1), actor=admin_user)
    with pytest.raises(ValidationError, match="chữ thường không dấu"):
        copy_rule_set(nd152, code="Mã mới", name="x", valid_from=date(2027, 1, 1), actor=admin_user)


# --- Pages ----------------------------------------------------------------------------------------------------------


def value_url(name: str, obj, field: str) -> str:
    return reverse(f"competition:{name}", args=[obj._meta.model_name, obj.pk, field])


def test_unconfirmed_page_shows_a_value_until_it_is_confirmed(seeded, admin_user, client):
    client.force_login(admin_user)
    bk98 = award("nd98-2023", "bang_khen_tinh")
    page = client.get(reverse("competition:unconfirmed_values"))
    assert page.status_code == 200
    assert any(r["object"] == bk98 and r["field"] == "coefficient_individual" for r in page.context["rows"])
    confirm = value_url("ruleset_value_confirm", bk98, "coefficient_individual")
    assert confirm in page.content.decode()
    assert "tiền thưởng cá nhân: không ký được quyết định" in page.content.decode()

    response = client.post(confirm, {"next": reverse("competition:unconfirmed_values")})
    assert response.status_code == 302 and response.url == reverse("competition:unconfirmed_values")
    page = client.get(reverse("competition:unconfirmed_values"))
    assert not any(r["object"] == bk98 and r["field"] == "coefficient_individual" for r in page.context["rows"])
    assert confirm not in page.content.decode()
    assert last_event("competition.ruleset.value_confirm").actor == admin_user


def test_edit_page_saves_and_leaves_unconfirmed_unless_ticked(seeded, admin_user, client):
    client.force_login(admin_user)
    gk = award("nd152-2025", "giay_khen_so")
    url = value_url("ruleset_value_edit", gk, "coefficient_individual")
    form = client.get(url)
    assert form.status_code == 200 and 'value="0.3"' in form.content.decode()

    response = client.post(url, {"value": "0,35"})
    assert response.status_code == 302 and response.url == reverse("competition:ruleset_detail", args=[gk.rule_set_id])
    gk.refresh_from_db()
    assert gk.coefficient_individual == Decimal("0.35") and listed(gk, "coefficient_individual")
    event = last_event("competition.ruleset.value_edit")
    assert (event.payload["old"], event.payload["new"]) == ("0.3", "0.35")

    client.post(url, {"value": "0,35", "confirm": "on"})
    gk.refresh_from_db()
    assert gk.is_confirmed("coefficient_individual") and not listed(gk, "coefficient_individual")

    refused = client.post(url, {"value": "không biết"})
    assert refused.status_code == 200 and "phải là một số" in refused.content.decode()


def test_rule_set_pages_render_for_the_administrator(seeded, admin_user, client):
    client.force_login(admin_user)
    nd152 = seeded["nd152-2025"]
    listing = client.get(reverse("competition:ruleset_list"))
    assert listing.status_code == 200 and "NĐ 152/2025/NĐ-CP" in listing.content.decode()
    assert reverse("competition:ruleset_copy", args=[nd152.pk]) in listing.content.decode()
    detail = client.get(reverse("competition:ruleset_detail", args=[nd152.pk])).content.decode()
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in detail and "66,67%" in detail
    assert value_url("ruleset_value_edit", nd152, "council_quorum") in detail
    assert client.get(reverse("competition:base_salary_list")).status_code == 200
    assert client.get(reverse("competition:ruleset_copy", args=[nd152.pk])).status_code == 200
    # The home page's link to the unconfirmed values now resolves.
    assert reverse("competition:unconfirmed_values") in client.get(reverse("home")).content.decode()


def test_base_salary_and_copy_pages(seeded, admin_user, client):
    client.force_login(admin_user)
    url = reverse("competition:base_salary_list")
    response = client.post(
        url, {"amount": "2.800.000", "valid_from": "2027-07-01", "legal_basis": "NĐ 1/2027/NĐ-CP", "confirm": "on"}
    )
    assert response.status_code == 302
    assert base_salary_on(date(2027, 7, 1)).amount == 2_800_000 and base_salary_on(date(2027, 7, 1)).fully_confirmed
    again = client.post(url, {"amount": "2.900.000", "valid_from": "2027-07-01", "legal_basis": "x"})
    assert again.status_code == 200 and "Đã có mức lương cơ sở" in again.content.decode()

    nd98 = seeded["nd98-2023"]
    copy_url = reverse("competition:ruleset_copy", args=[nd98.pk])
    overlap = client.post(
        copy_url, {"code": "nd98-bis", "name": "Bản sao", "valid_from": "2025-03-01", "legal_basis": "Luật"}
    )
    assert overlap.status_code == 200 and "trùng với bộ quy định" in overlap.content.decode()
    nd152 = seeded["nd152-2025"]
    created = client.post(
        reverse("competition:ruleset_copy", args=[nd152.pk]),
        {"code": "nd200-2027", "name": "NĐ 200/2027", "valid_from": "2027-01-01", "legal_basis": "Luật\nNĐ 200"},
    )
    new = RuleSet.objects.get(code="nd200-2027")
    assert created.status_code == 302 and created.url == reverse("competition:ruleset_detail", args=[new.pk])


def test_board_officer_reads_but_cannot_change(seeded, board_officer, client):
    client.force_login(board_officer)
    nd152 = seeded["nd152-2025"]
    bk = award("nd152-2025", "bang_khen_tinh")
    for url in (
        reverse("competition:ruleset_list"),
        reverse("competition:ruleset_detail", args=[nd152.pk]),
        reverse("competition:unconfirmed_values"),
        reverse("competition:base_salary_list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/rules/value/" not in response.content.decode()  # no edit or confirm controls
    assert client.get(value_url("ruleset_value_edit", bk, "coefficient_individual")).status_code == 403
    assert (
        client.post(value_url("ruleset_value_edit", bk, "coefficient_individual"), {"value": "9"}).status_code == 403
    )
    assert client.post(value_url("ruleset_value_confirm", bk, "vote_threshold")).status_code == 403
    assert client.get(reverse("competition:ruleset_copy", args=[nd152.pk])).status_code == 403
    salary = {"amount": "1", "valid_from": "2030-01-01", "legal_basis": "x"}
    assert client.post(reverse("competition:base_salary_list"), salary).status_code == 403
    bk.refresh_from_db()
    assert bk.coefficient_individual == Decimal("1.5") and not bk.is_confirmed("vote_threshold")
    assert not BaseSalary.objects.filter(valid_from=date(2030, 1, 1)).exists()


def test_auditor_reads_rule_sets(seeded, auditor, client):
    client.force_login(auditor)
    assert client.get(reverse("competition:ruleset_list")).status_code == 200
    assert client.get(reverse("competition:unconfirmed_values")).status_code == 200


def test_unit_clerk_is_refused_every_rule_set_page(seeded, clerk_a, client):
    client.force_login(clerk_a)
    nd152 = seeded["nd152-2025"]
    bk = award("nd152-2025", "bang_khen_tinh")
    for url in (
        reverse("competition:ruleset_list"),
        reverse("competition:ruleset_detail", args=[nd152.pk]),
        reverse("competition:unconfirmed_values"),
        reverse("competition:base_salary_list"),
        reverse("competition:ruleset_copy", args=[nd152.pk]),
        value_url("ruleset_value_edit", bk, "coefficient_individual"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(value_url("ruleset_value_confirm", bk, "vote_threshold")).status_code == 403


def test_unknown_model_or_field_is_not_found(seeded, admin_user, client):
    client.force_login(admin_user)
    nd152 = seeded["nd152-2025"]
    assert client.get(f"/rules/value/user/{admin_user.pk}/password/").status_code == 404
    assert client.get(value_url("ruleset_value_edit", nd152, "code")).status_code == 404
    assert client.get(f"/rules/value/ruleset/{nd152.pk}/khong_co/").status_code == 404


def test_next_parameter_cannot_leave_the_site(seeded, admin_user, client):
    client.force_login(admin_user)
    bk = award("nd152-2025", "bang_khen_tinh")
    response = client.post(value_url("ruleset_value_confirm", bk, "vote_threshold"), {"next": "https://example.com/"})
    assert response.url == reverse("competition:ruleset_detail", args=[bk.rule_set_id])
