"""The permission matrix's world, built once per module inside a transaction rolled back at the end; each request of
the matrix runs in a savepoint of its own, rolled back too (tests/security/test_permission_matrix.py)."""

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media(settings, matrix_media):
    """Overrides tests/conftest.py's per-test folder: the world's files are stored once per module."""
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, matrix_media):
    from django_q.conf import Conf

    from ._world import build_world

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=matrix_media,
            LANGUAGE_CODE="vi",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        translation.override("vi"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(Conf, "SYNC", True)
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)
