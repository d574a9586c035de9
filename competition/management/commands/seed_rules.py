from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows import SYSTEM

from ...services.rulesets import seed_rule_sets


class Command(BaseCommand):
    help = _(
        "Tạo các bộ quy định (căn cứ pháp lý), hình thức khen thưởng, thành phần hồ sơ và mức lương cơ sở ban đầu "
        "còn thiếu. Không sửa dòng đã có: chạy lại nhiều lần không thay đổi gì."
    )

    def handle(self, *args, **options):
        created = seed_rule_sets(actor=SYSTEM)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            _(
                "Đã tạo %(rule_sets)s bộ quy định, %(award_types)s hình thức khen thưởng, "
                "%(required_documents)s thành phần hồ sơ, %(base_salaries)s mức lương cơ sở."
            )
            % created
        )
