from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.audit import head, verify_chain
from workflows.consistency import check_states


class Command(BaseCommand):
    help = _("Kiểm tra toàn bộ chuỗi nhật ký kiểm toán; thoát với mã khác 0 nếu có chỗ hỏng.")

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", help=_("mã băm đầu chuỗi đã in trên một quyết định"))

    def handle(self, *args, **options):
        problems = [str(p) for p in verify_chain(expected_head=options.get("expect_head"))]
        problems += check_states()
        if problems:
            for p in problems:
                self.stderr.write(p)
            raise CommandError(_("Nhật ký kiểm toán KHÔNG toàn vẹn: %(n)s lỗi.") % {"n": len(problems)})
        h = head()
        self.stdout.write(
            _("Nhật ký kiểm toán toàn vẹn: %(n)s sự kiện, mã băm đầu chuỗi %(h)s.") % {"n": h.sequence, "h": h.hash}
        )
