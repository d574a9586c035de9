"""One bounded run of a real django-q2 worker (ORM broker, SQLite file): the launch e-mails are sent once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAUNCH = """
import django
django.setup()
from datetime import date
from django.core.management import call_command
from accounts.models import User
from competition.models import Campaign, Membership, Unit
from competition.services.campaigns import launch_campaign, save_campaign, set_indicators, set_participants
call_command("seed_rules", verbosity=0)
province = Unit.objects.create(code="19", name="Tỉnh", kind="province", path="/19/")
wards = [Unit.objects.create(code=f"0{i}", name=f"Phường {i}", kind="ward", parent=province, path=f"/19/0{i}/")
         for i in range(3)]
officer = User.objects.create(username="canbo", role="board_officer")
Membership.objects.create(user=officer, unit=province)
for i, ward in enumerate(wards):
    clerk = User.objects.create(username=f"vanthu{i}", email=f"vanthu{i}@example.org", role="unit_clerk")
    Membership.objects.create(user=clerk, unit=ward)
campaign = save_campaign(Campaign(code="c", name="Phong trào", issuing_body="UBND", start_date=date(2025, 8, 1),
                                  end_date=date(2025, 12, 31), award_type_codes=["bang_khen_tinh"]), actor=officer)
set_indicators(campaign, [{"code": "1", "name": "x", "target_percent": 100}], actor=officer)
set_participants(campaign, wards, actor=officer)
launch_campaign(campaign, actor=officer, on=date(2025, 8, 1))
print(3)
"""

COUNT_SENT = """
import django
django.setup()
from workflows.models import Notification
from django_q.models import Failure
print(Notification.objects.filter(emailed_at__isnull=False).count(), Failure.objects.count())
"""


def test_a_real_worker_mails_the_launch_notifications_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "THIDUA"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        THIDUA_VAR_DIR=str(tmp_path),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        Q_WORKERS="1",
    )

    def run(code: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().splitlines()[-1]

    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    expected = int(run(LAUNCH))
    assert expected > 0
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        sent = failures = 0
        while time.monotonic() < deadline:
            sent, failures = map(int, run(COUNT_SENT).split())
            if sent >= expected or failures:
                break
            time.sleep(2)
    finally:
        worker.terminate()  # the cluster's sentinel stops its own workers
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    assert failures == 0
    assert sent == expected
    mails = list((tmp_path / "mail").glob("*.log"))
    text = "".join(p.read_text() for p in mails)
    assert text.count("Subject:") == expected
