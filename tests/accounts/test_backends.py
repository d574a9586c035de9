"""Permissions come from the rules of each role only (accounts/backends.py): django.contrib.auth's groups and
per-user permissions grant nothing, and reading a page does not query them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_group_permission_grants_nothing(commune_a):
    clerk = UserFactory(role=Role.UNIT_CLERK, unit=commune_a)
    group = Group.objects.create(name="everything")
    group.permissions.set(Permission.objects.filter(codename__in=["view_auditevent", "manage_accounts"]))
    clerk.groups.add(group)
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert not clerk.has_perm("workflows.view_auditevent")
    assert clerk.get_all_permissions() == set()


def test_the_rules_and_the_superuser_still_decide(commune_a, board_officer):
    assert board_officer.has_perm("nominations.view_statistics")
    root = UserFactory(username="root", is_superuser=True, role=Role.ADMIN)
    assert root.has_perm("workflows.view_auditevent") and root.has_perm("anything.at_all")


def test_signing_in_with_a_password_still_works(client, commune_a):
    clerk = UserFactory(username="vanthu.x", role=Role.UNIT_CLERK, unit=commune_a)
    clerk.set_password("mat-khau-dung-1!")
    clerk.save()
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "vanthu.x", "password": "mat-khau-dung-1!"})
    assert response.status_code == 302 and not response["Location"].startswith("/login")


def test_a_page_does_not_read_the_permission_tables(client, commune_a):
    clerk = UserFactory(role=Role.UNIT_CLERK, unit=commune_a)
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("competition:campaign_list")).status_code == 200
    assert not any("auth_permission" in q["sql"] for q in ctx.captured_queries)
