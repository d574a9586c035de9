"""``manage.py purge_personal_data [--dry-run]``: erase personal data past its retention period."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows import SYSTEM

from ...services.retention import purge_personal_data, retention_years


class Command(BaseCommand):
    help = _(
        "Xoá ngày sinh, số định danh, giới tính của người được đề nghị trong các hồ sơ đã kết thúc quá thời hạn lưu "
        "trữ (THIDUA_PERSONAL_DATA_RETENTION_YEARS năm) và của các lần tạm dừng xét đã hết. Chạy định kỳ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ đếm, không xoá"))

    def handle(self, *args, **options):
        result = purge_personal_data(actor=SYSTEM, dry_run=options["dry_run"])
        if result.dry_run:
            message = _(
                "Chạy thử: sẽ xoá dữ liệu cá nhân của %(n)s người được đề nghị, %(h)s lần tạm dừng xét, %(r)s dòng sổ "
                "khen thưởng (hồ sơ kết thúc trước %(d)s, thời hạn %(y)s năm)."
            )
        else:
            message = _(
                "Đã xoá dữ liệu cá nhân của %(n)s người được đề nghị, %(h)s lần tạm dừng xét, %(r)s dòng sổ khen "
                "thưởng (hồ sơ kết thúc trước %(d)s, thời hạn %(y)s năm)."
            )
        values = {"n": result.nominees, "h": result.holds, "r": result.records}
        values.update(d=result.cutoff.strftime("%d/%m/%Y"), y=retention_years())
        self.stdout.write(message % values)
