"""Changes during a load run (``run.py --changes-per-minute N``): unit clerks at work while the others read.

Every ``--every`` seconds one of the plan's unit clerks, in turn, adds a person to one of their unit's draft
dossiers, or removes the one they added last time, through ``nominations.services.dossiers`` (the services the
pages call: the lock, the checks, the audit event). Each change is a record edit (``workflows.audit.RECORD_EDITS``):
it moves the audit chain's head, so every dossier page kept in the data cache (workflows/datacache.py) is computed
afresh at its next look, but not its outline, so the inboxes, dashboards and menus stay kept. This is what the pages
cost while the units fill in their dossiers rather than only read.

Runs in a process of its own with the environment of the web processes, until SIGTERM; one line per change,
``<epoch seconds> <action>``, to ``--log``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, required=True, help="seconds between two changes")
    parser.add_argument("--log", type=Path, required=True, help="where to write one line per change")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.enums import Role
    from accounts.models import User
    from competition.scoping import user_unit
    from nominations.enums import DossierState, NomineeKind
    from nominations.models import Dossier
    from nominations.services import dossiers as services

    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda _s, _f: stopping.update(now=True))

    desks = []  # (clerk, one of their unit's drafts)
    for clerk in User.objects.filter(role=Role.UNIT_CLERK, is_active=True).order_by("username"):
        unit = user_unit(clerk)
        draft = Dossier.objects.filter(unit=unit, state=DossierState.DRAFT).order_by("pk").first() if unit else None
        if draft is not None:
            desks.append((clerk, draft))
    if not desks:
        print("changes: no unit clerk has a draft dossier", file=sys.stderr)
        return 2
    added = {}  # dossier pk -> the nominee added there last
    born = itertools.count()
    with args.log.open("w") as log:
        for clerk, draft in itertools.cycle(desks):
            if stopping["now"]:
                break
            started = time.monotonic()
            if draft.pk in added:
                services.remove_nominee(added.pop(draft.pk), actor=clerk)
                action = "remove"
            else:
                n = next(born)
                added[draft.pk] = services.add_nominee(
                    draft,
                    actor=clerk,
                    kind=NomineeKind.INDIVIDUAL,
                    name=f"Người thử tải {n}",
                    birth_date=date(1970, 1, 1) + timedelta(days=n),
                    position="Chuyên viên",
                )
                action = "add"
            log.write(f"{time.time():.3f} {action}\n")
            log.flush()
            while not stopping["now"] and time.monotonic() - started < args.every:
                time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
