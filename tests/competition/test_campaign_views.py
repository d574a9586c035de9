"""The board authors a campaign in the web app: content, indicators, participants, launch."""

import pytest
from django.urls import reverse

from competition.enums import CampaignState
from competition.models import Campaign
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

FORM = {
    "code": "chuyen-doi-so-2026",
    "name": "Phong trào thi đua Chuyển đổi số năm 2026",
    "level": "provincial",
    "is_thematic": "on",
    "issuing_body": "Ủy ban nhân dân tỉnh Thái Nguyên",
    "plan_number": "12/KH-UBND",
    "plan_date": "2026-01-05",
    "award_type_codes": ["bang_khen_tinh"],
    "start_date": "2026-01-05",
    "end_date": "2026-12-31",
    "plan_deadline": "2026-02-15",
}


def _indicators(**rows):
    data = {"ind-TOTAL_FORMS": "2", "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "1000"}
    data.update(rows)
    return data


def test_board_officer_authors_and_launches(client, board_officer, rule_set, commune_a, commune_b, clerk_a):
    client.force_login(board_officer)
    response = client.post(reverse("competition:campaign_create"), FORM)
    campaign = Campaign.objects.get(code="chuyen-doi-so-2026")
    assert response.url == reverse("competition:campaign_indicators", args=[campaign.pk])
    response = client.post(
        reverse("competition:campaign_indicators", args=[campaign.pk]),
        _indicators(
            **{
                "ind-0-code": "1",
                "ind-0-name": "Xã, phường ban hành kế hoạch",
                "ind-0-numerator_label": "Đã ban hành",
                "ind-0-denominator_label": "Tổng số",
                "ind-0-target_percent": "100",
                "ind-1-code": "1.1",
                "ind-1-name": "Trong đó đúng hạn",
                "ind-1-numerator_label": "Đúng hạn",
                "ind-1-denominator_label": "Đã ban hành",
                "ind-1-target_percent": "90",
                "ind-1-parent_code": "1",
            }
        ),
    )
    assert response.status_code == 302
    assert campaign.indicators.get(code="1.1").parent.code == "1"
    response = client.post(reverse("competition:campaign_participants", args=[campaign.pk]), {"kinds": ["ward"]})
    assert response.status_code == 302
    assert set(campaign.units.all()) == {commune_a, commune_b}
    detail = client.get(reverse("competition:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Phát động" in detail
    # The campaign is in 2026 but the test rule set is in force from 1/7/2025: launching today pins it.
    client.post(reverse("competition:campaign_transition", args=[campaign.pk, "launch"]))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED
    client.force_login(clerk_a)
    assert FORM["name"] in client.get(reverse("home")).content.decode()


def test_bad_form_input_gets_vietnamese_messages_and_writes_nothing(client, board_officer, rule_set):
    client.force_login(board_officer)
    bad = {**FORM, "end_date": "2025-12-31", "plan_deadline": "2027-01-01"}
    page = client.post(reverse("competition:campaign_create"), bad).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu" in page
    assert "nằm ngoài thời gian phong trào" in page
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.exists()


def test_indicator_with_unknown_parent_is_refused(client, board_officer, draft_campaign):
    client.force_login(board_officer)
    page = client.post(
        reverse("competition:campaign_indicators", args=[draft_campaign.pk]),
        _indicators(
            **{
                "ind-0-code": "2",
                "ind-0-name": "X",
                "ind-0-numerator_label": "a",
                "ind-0-denominator_label": "b",
                "ind-0-target_percent": "50",
                "ind-0-parent_code": "9",
            }
        ),
    ).content.decode()
    assert "phải đứng trước nó" in page
    assert list(draft_campaign.indicators.values_list("code", flat=True)) == ["1"]


def test_launch_refusal_is_shown_not_raised(client, board_officer, rule_set):
    from ..factories import CampaignFactory

    campaign = CampaignFactory(award_type_codes=[])
    client.force_login(board_officer)
    response = client.post(reverse("competition:campaign_transition", args=[campaign.pk, "launch"]), follow=True)
    text = response.content.decode()
    assert "Chưa chọn đơn vị tham gia" in text
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_launched_campaign_cannot_be_edited(client, board_officer, draft_campaign):
    from datetime import date

    from competition.services.campaigns import launch_campaign

    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    client.force_login(board_officer)
    assert client.get(reverse("competition:campaign_edit", args=[draft_campaign.pk])).status_code == 403


def test_pages_render_in_english_too(client, board_officer, draft_campaign):
    client.force_login(board_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("competition:campaign_detail", args=[draft_campaign.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()
    assert "Indicators" in page.content.decode()


def test_clerk_home_shows_the_campaigns_total_units(client, draft_campaign, board_officer, clerk_a):
    from datetime import date

    from competition.services.campaigns import launch_campaign

    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    client.force_login(clerk_a)
    response = client.get(reverse("home"))
    assert [c.n_units for c in response.context["campaigns"]] == [2]
