"""``manage.py api_token USERNAME [--rotate | --revoke]``: the integration API's token of a user (docs/api.md).

Without an option: print the user's token, creating it if there is none. ``--rotate``: replace it with a new one
(the old one stops working at once) and print it. ``--revoke``: delete it. Each creation, rotation and revocation
is an audit event (``accounts.api_token.create`` / ``rotate`` / ``revoke``) on the user, by the system actor; the
key itself is never written to the audit trail. Only the key goes to standard output (for scripts); messages go to
standard error.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from workflows import SYSTEM, audit


class Command(BaseCommand):
    help = gettext_lazy(
        "In mã truy cập API (token) của người dùng, cấp mới nếu chưa có; --rotate: cấp lại mã mới; --revoke: thu hồi."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--rotate", action="store_true", help=gettext_lazy("Thay mã đang dùng bằng mã mới (mã cũ hết hiệu lực).")
        )
        group.add_argument(
            "--revoke", action="store_true", help=gettext_lazy("Thu hồi mã: API từ chối mã này từ nay.")
        )

    def handle(self, *args, username: str, rotate: bool = False, revoke: bool = False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không có người dùng “%(username)s”.") % {"username": username})
        payload = {"username": user.get_username()}
        with transaction.atomic():
            existing = Token.objects.select_for_update().filter(user=user).first()
            if revoke:
                if existing is None:
                    self.stderr.write(_("“%(username)s” không có mã truy cập API.") % payload)
                    return
                existing.delete()
                audit.record(actor=SYSTEM, action="accounts.api_token.revoke", obj=user, payload=payload)
                self.stderr.write(_("Đã thu hồi mã truy cập API của “%(username)s”.") % payload)
                return
            if not user.is_active:
                raise CommandError(_("Tài khoản “%(username)s” đã bị khoá: không cấp mã truy cập API.") % payload)
            if existing is not None and not rotate:
                self.stdout.write(existing.key)
                return
            if existing is not None:
                existing.delete()
            token = Token.objects.create(user=user)
            action = "accounts.api_token.rotate" if existing is not None else "accounts.api_token.create"
            audit.record(actor=SYSTEM, action=action, obj=user, payload=payload)
        self.stdout.write(token.key)
        self.stderr.write(
            _("Đã cấp lại mã truy cập API của “%(username)s”.") % payload
            if existing is not None
            else _("Đã cấp mã truy cập API cho “%(username)s”.") % payload
        )
