"""simulate_campaign: the whole path headless, checking its own counts and money."""

import pytest
from django.core.management import CommandError, call_command

from nominations.models import AwardDecision, Dossier, Revocation

pytestmark = pytest.mark.django_db


def test_a_small_run_checks_itself_and_reruns_never_collide(capsys):
    call_command("simulate_campaign", units=3, nominees_per_unit=2, seed=7, as_of="2026-09-15")
    out = capsys.readouterr().out
    assert "hồ sơ: 3 (2 bị trả lại để bổ sung rồi gửi lại)" in out and "Nhật ký kiểm toán toàn vẹn" in out
    assert "Kế hoạch: 3 được chấp nhận" in out and "giá trị chỉ tiêu: 6" in out and "sơ kết: 3 đơn vị" in out
    assert "chấm điểm: 3 phiếu, xếp hạng 3" in out
    call_command("simulate_campaign", units=3, nominees_per_unit=2, seed=7, as_of="2026-09-15")
    assert Dossier.objects.count() == 6
    assert "Sau khi ký: công bố, chi trả 6 dòng; thu hồi 1 khen thưởng" in out
    # The province's register allocates, never reuses, and its award and revocation decisions share it.
    numbers = sorted(AwardDecision.objects.values_list("number", flat=True))
    revoking = sorted(Revocation.objects.values_list("number", flat=True))
    assert (numbers, revoking) == ([1, 3], [2, 4])
    # 2,530,000 × 1.5 = 3,795,000 → 3,800,000 per individual (NĐ 152 Art. 49, base salary from 01/7/2026).
    assert set(AwardDecision.objects.first().awards.values_list("amount", flat=True)) == {3_800_000}


def test_bad_arguments_fail_with_a_message():
    with pytest.raises(CommandError):
        call_command("simulate_campaign", units=0, nominees_per_unit=1)
    with pytest.raises(CommandError):
        call_command("simulate_campaign", units=1, nominees_per_unit=1, as_of="15/09/2026")
