"""``manage.py import_indicators CAMPAIGN PATH [--dry-run] [--user USERNAME]``: import indicator values."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from competition.models import Campaign
from competition.services.indicator_import import import_indicators
from workflows import SYSTEM


class Command(BaseCommand):
    help = _(
        "Nhập số liệu chỉ tiêu của nhiều đơn vị từ tệp XLSX hoặc CSV (theo tệp mẫu của phong trào). "
        "Có lỗi thì không ghi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help=_("Mã phong trào (hoặc số hiệu trong hệ thống)"))
        parser.add_argument("path", help=_("Tệp .xlsx hoặc .csv"))
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ kiểm tra và đếm, không ghi."))
        parser.add_argument("--user", help=_("Tên đăng nhập của người nhập (ghi vào nhật ký); mặc định: system."))

    def handle(self, *args, campaign, path, dry_run=False, user=None, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None and campaign.isdigit():
            found = Campaign.objects.filter(pk=int(campaign)).first()
        if found is None:
            raise CommandError(_("Không có phong trào mã “%(c)s”.") % {"c": campaign})
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("Không có tài khoản “%(u)s” đang hoạt động.") % {"u": user})
        result = import_indicators(found, path, actor=actor, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                _("Không ghi gì: tệp có %(n)s lỗi. Sửa các dòng trên rồi nhập lại.") % {"n": len(result.errors)}
            )
        summary = _(
            "%(rows)s dòng: %(new)s giá trị mới, %(updated)s thay đổi, %(unchanged)s không đổi, %(skipped)s dòng để "
            "trống."
        ) % {
            "rows": result.rows,
            "new": result.new,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        }
        if dry_run:
            summary = _("Chạy thử, chưa ghi: %(s)s") % {"s": summary}
        self.stdout.write(self.style.SUCCESS(summary))
