"""``manage.py import_units PATH [--dry-run] [--user USERNAME]``: import the organisation tree from a file."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from competition.services.units import import_units
from workflows import SYSTEM


class Command(BaseCommand):
    help = _("Nhập danh sách đơn vị từ tệp XLSX hoặc CSV (xem docs/import-units.md). Có lỗi thì không ghi gì.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Tệp .xlsx hoặc .csv"))
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ kiểm tra và đếm, không ghi."))
        parser.add_argument("--user", help=_("Tên đăng nhập của người nhập (ghi vào nhật ký); mặc định: system."))

    def handle(self, *args, path, dry_run=False, user=None, **options):
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("Không có tài khoản “%(u)s” đang hoạt động.") % {"u": user})
        result = import_units(path, actor=actor, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                _("Không ghi gì: tệp có %(n)s lỗi. Sửa các dòng trên rồi nhập lại.") % {"n": len(result.errors)}
            )
        summary = _("%(new)s đơn vị mới, %(updated)s cập nhật, %(unchanged)s không đổi.") % {
            "new": result.new,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            summary = _("Chạy thử, chưa ghi: %(s)s") % {"s": summary}
        self.stdout.write(self.style.SUCCESS(summary))
