from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from competition.data.demo import DEMO_PASSWORD
from competition.services.demo import seed_demo
from nominations.services.demo import seed_dossiers
from scoring.services.demo import seed_scoring


class Command(BaseCommand):
    help = _(
        "Nạp dữ liệu trình diễn: đơn vị tỉnh Thái Nguyên, tài khoản mỗi vai trò, phong trào “Bình dân học AI” và "
        "hồ sơ đề nghị khen thưởng ở mọi bước."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help=_("ngày mà phong trào đang diễn ra (YYYY-MM-DD); mặc định hôm nay"))

    def handle(self, *args, **options):
        as_of = None
        if options.get("as_of"):
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    _("Ngày “%(v)s” không đúng dạng YYYY-MM-DD, ví dụ 2025-09-15.") % {"v": options["as_of"]}
                ) from None
        result = seed_demo(as_of)
        campaign = result["campaign"]
        # Each later app adds its part of the demo here, after the campaign exists.
        scored = seed_scoring(campaign) if result["campaign_created"] else None
        dossiers = seed_dossiers(campaign, result["as_of"])
        self.stdout.write(
            _("Đơn vị: %(new)s mới (%(n)s xã, phường của tỉnh).")
            % {"new": result["units"]["created"], "n": result["units"]["localities"]}
        )
        self.stdout.write(
            (
                _("%(c)s: đã tạo và phát động ngày %(d)s (%(rs)s).")
                if result["campaign_created"]
                else _("%(c)s: đã có, giữ nguyên (phát động ngày %(d)s, %(rs)s).")
            )
            % {"c": campaign.name, "d": campaign.start_date.strftime("%d/%m/%Y"), "rs": campaign.rule_set}
        )
        if scored:
            self.stdout.write(
                _("Chấm điểm: %(f)s phiếu đã chốt, %(s)s chờ chấm, %(d)s đơn vị đang tự chấm.")
                % {"f": scored["finalized"], "s": scored["submitted"], "d": scored["draft"]}
            )
        self.stdout.write(_("Hồ sơ đề nghị khen thưởng: %(n)s mới, ở mọi bước của quy trình.") % {"n": dossiers})
        self.stdout.write("")
        self.stdout.write(_("Tài khoản trình diễn (mật khẩu chung: %(p)s):") % {"p": DEMO_PASSWORD})
        width = max(len(u) for u, _r, _unit in result["users"])
        for username, role, unit in result["users"]:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}")
