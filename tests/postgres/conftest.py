"""The PostgreSQL smoke suite (marker ``postgres``).

How the server is started: ``scripts/test.sh`` starts a throwaway PostgreSQL server itself (``initdb`` and
``pg_ctl`` as the ``postgres`` user, since both refuse to run as root; a temporary folder; a free port on
127.0.0.1; ``fsync=off``) and a throwaway ``redis-server``, then runs a SEPARATE pytest session,
``pytest -m postgres``, with ``DATABASE_URL`` and ``REDIS_URL`` pointing at them. A separate session is needed
because pytest-django creates the test database once, at session start, from the settings, which read
``DATABASE_URL`` when they are imported: a fixture cannot switch one session from SQLite to PostgreSQL halfway.

So these tests run on whatever database the settings name. On anything but PostgreSQL they skip (on a laptop:
``pytest`` alone) or fail (``CI=true``); the SQLite run of ``scripts/test.sh`` deselects them with
``-m "not postgres"``. To run them by hand::

    bash scripts/test.sh postgres
    # or, with a server of your own whose user may create databases:
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/thidua .venv/bin/pytest -m postgres
"""

import pytest
from django.db import connection

from ..conftest import skip_or_fail


@pytest.fixture(autouse=True)
def _require_postgresql(request):
    if connection.vendor != "postgresql":
        skip_or_fail(
            f"the PostgreSQL smoke suite runs on PostgreSQL, and the database here is {connection.vendor}: "
            "run `bash scripts/test.sh postgres` (or pytest -m postgres with DATABASE_URL=postgres://…)"
        )
