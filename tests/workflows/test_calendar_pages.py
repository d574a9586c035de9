"""The board's working-day calendar page: national holidays, and the overrides it adds and removes."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from workflows.calendar import add_override, is_working_day, national_holidays, remove_override
from workflows.models import AuditEvent, WorkdayOverride

pytestmark = pytest.mark.django_db

URL = reverse("workflows:calendar")


def test_page_lists_the_years_holidays_in_vietnamese(board_officer, client):
    client.force_login(board_officer)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200 and response.context["year"] == 2026
    html = response.content.decode()
    assert "Tết Nguyên Đán" in html and "Quốc khánh" in html
    assert any(h["date"] == date(2026, 2, 17) for h in response.context["holidays"])
    assert national_holidays(2026)[0][0] == date(2026, 1, 1)


def test_an_invalid_year_shows_the_current_one(board_officer, client):
    client.force_login(board_officer)
    response = client.get(URL, {"year": "năm nay"})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year


def test_adding_and_removing_an_override_changes_working_days(board_officer, client):
    client.force_login(board_officer)
    friday = date(2026, 1, 2)
    assert is_working_day(friday)

    response = client.post(f"{URL}?year=2026", {"date": "2026-01-02", "kind": "off", "note": "Nghỉ bù Tết Dương lịch"})
    assert response.status_code == 302 and response.url == f"{URL}?year=2026"
    assert not is_working_day(friday)
    override = WorkdayOverride.objects.get(date=friday)
    event = AuditEvent.objects.filter(action="workflows.calendar.add").get()
    assert event.actor == board_officer and event.payload["old"] is None and event.payload["new"] == "off"

    page = client.get(URL, {"year": 2026}).content.decode()
    assert "Nghỉ bù Tết Dương lịch" in page
    assert reverse("workflows:calendar_override_delete", args=[override.pk]) in page

    response = client.post(reverse("workflows:calendar_override_delete", args=[override.pk]))
    assert response.status_code == 302 and response.url == f"{URL}?year=2026"
    assert is_working_day(friday) and not WorkdayOverride.objects.exists()
    event = AuditEvent.objects.filter(action="workflows.calendar.remove").get()
    assert (event.payload["old"], event.payload["new"], event.payload["date"]) == ("off", None, "2026-01-02")


def test_a_make_up_saturday_becomes_a_working_day(board_officer, client):
    client.force_login(board_officer)
    saturday = date(2026, 1, 10)
    assert not is_working_day(saturday)
    client.post(URL, {"date": "2026-01-10", "kind": "work", "note": "Làm bù"})
    assert is_working_day(saturday)


def test_pointless_or_duplicate_overrides_are_refused(board_officer, client):
    client.force_login(board_officer)
    weekday = client.post(URL, {"date": "2026-01-05", "kind": "work"})
    assert weekday.status_code == 200 and "vốn đã là ngày làm việc" in weekday.content.decode()
    tet = client.post(URL, {"date": "2026-02-17", "kind": "off"})
    assert "vốn đã là ngày nghỉ" in tet.content.decode()
    add_override(date(2026, 1, 2), WorkdayOverride.Kind.DAY_OFF, actor=board_officer)
    again = client.post(URL, {"date": "2026-01-02", "kind": "off"})
    assert "đã được điều chỉnh" in again.content.decode()
    assert WorkdayOverride.objects.count() == 1


def test_a_holiday_can_be_made_a_working_day_and_back(board_officer):
    tet = date(2026, 2, 17)
    override = add_override(tet, WorkdayOverride.Kind.WORKING_DAY, "thử", actor=board_officer)
    assert is_working_day(tet)
    remove_override(override, actor=board_officer)
    assert not is_working_day(tet)


def test_unit_clerk_may_not_use_the_calendar(clerk_a, client):
    client.force_login(clerk_a)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"date": "2026-01-02", "kind": "off"}).status_code == 403
    override = WorkdayOverride.objects.create(date=date(2026, 1, 2), kind=WorkdayOverride.Kind.DAY_OFF)
    assert client.post(reverse("workflows:calendar_override_delete", args=[override.pk])).status_code == 403
    assert WorkdayOverride.objects.filter(pk=override.pk).exists() and not is_working_day(date(2026, 1, 2))


def test_the_menu_shows_the_calendar_to_the_board(board_officer, client):
    client.force_login(board_officer)
    assert URL in client.get(reverse("home")).content.decode()
