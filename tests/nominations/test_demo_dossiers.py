"""seed_demo leaves a dossier at each step of the Dossier flow: every acting role has work in its inbox."""

import pytest
from django.core.management import call_command

from accounts.models import User
from nominations.models import Dossier
from workflows.consistency import check_states
from workflows.flowsync import check_agreement
from workflows.inbox import items_for

pytestmark = pytest.mark.django_db


def test_every_acting_role_has_work_waiting():
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    steps = {
        username: {item.step for item in items_for(User.objects.get(username=username))}
        for username in ("vanthu.phandinhphung", "truong.phandinhphung", "truong.linhson", "canbo.snv", "vp.ubnd")
    }
    assert steps == {
        "vanthu.phandinhphung": {"Tiếp nhận hồ sơ"},  # the ward's own Giấy khen
        "truong.phandinhphung": {"Trình ký, gửi hồ sơ"},
        "truong.linhson": {"Trình ký, gửi hồ sơ", "Tự chấm điểm và nộp phiếu"},  # the returned one; self-scoring
        # + plans awaiting review, a scorecard to assess
        "canbo.snv": {"Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Xem xét kế hoạch", "Chấm điểm phiếu được phân công"},
        "vp.ubnd": {"Quyết định khen thưởng"},
    }
    assert set(Dossier.objects.values_list("state", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "received",
        "appraised",
    }
    assert check_agreement(strict=True) == [] and check_states() == []
    call_command("seed_demo", as_of="2026-03-25", verbosity=0)
    assert Dossier.objects.count() == 6
