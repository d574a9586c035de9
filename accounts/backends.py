"""Signing in with a username and password: Django's ``ModelBackend``, without its permissions.

Every permission of this product is a ``rules`` predicate on the user's role, unit and the object (the ``rules.py`` of
each app, through ``rules.permissions.ObjectPermissionBackend``); django.contrib.auth's groups and per-user
permissions are not used. ``ModelBackend`` would still read both tables on every page that checks a permission (two
queries each time) to find them empty, so this backend grants none. A superuser keeps every permission: Django's
``PermissionsMixin`` answers for them before asking any backend.
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
