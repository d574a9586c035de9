"""Every audit action written by the code has a Vietnamese label: the history on each page never shows a raw
action name such as ``nominations.document.attach``."""

import re
from pathlib import Path

from django.conf import settings

from workflows.audit import action_label

APPS = ("accounts", "competition", "nominations", "scoring", "workflows")
LITERAL = re.compile(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"')


def test_every_literal_audit_action_has_a_label():
    actions = set()
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            actions.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    assert len(actions) > 40
    assert sorted(a for a in actions if action_label(a) == a) == []
