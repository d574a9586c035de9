from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nominations.services.simulation import SimulationFailed, simulate


class Command(BaseCommand):
    help = _(
        "Chạy trọn một phong trào không cần giao diện, qua đúng các dịch vụ của ứng dụng web: phát động, mỗi đơn vị "
        "một hồ sơ, thẩm định, quyết định khen thưởng; tự kiểm tra kết quả."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help=_("số đơn vị đề nghị"))
        parser.add_argument("--nominees-per-unit", type=int, required=True, help=_("số người mỗi hồ sơ"))
        parser.add_argument("--seed", type=int, default=1, help=_("hạt giống ngẫu nhiên"))
        parser.add_argument("--as-of", help=_("ngày ký quyết định (YYYY-MM-DD); mặc định hôm nay"))

    def handle(self, *args, **options):
        as_of = None
        if options.get("as_of"):
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(_("Ngày “%(v)s” không đúng dạng YYYY-MM-DD.") % {"v": options["as_of"]}) from None
        try:
            result = simulate(
                units=options["units"],
                nominees_per_unit=options["nominees_per_unit"],
                seed=options["seed"],
                as_of=as_of,
            )
        except SimulationFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(_("Mô phỏng THẤT BẠI: %(n)s lỗi.") % {"n": len(exc.problems)}) from None
        money = f"{result.money_total:,}".replace(",", ".")
        self.stdout.write(_("Phong trào: %(c)s") % {"c": result.campaign.name})
        self.stdout.write(
            _(
                "Đơn vị: %(u)s · hồ sơ: %(d)s (%(ret)s bị trả lại để bổ sung rồi gửi lại) · được đề nghị: %(n)s · "
                "được khen thưởng: %(a)s · không đề nghị: %(r)s"
            )
            % {
                "u": result.units,
                "d": result.dossiers,
                "ret": result.dossiers_returned,
                "n": result.nominees,
                "a": result.awardees,
                "r": result.rejected,
            }
        )
        self.stdout.write(
            _(
                "Kế hoạch: %(a)s được chấp nhận (%(r)s bị trả lại rồi gửi lại, %(l)s gửi quá hạn) · giá trị chỉ tiêu: "
                "%(v)s · sơ kết: %(s)s đơn vị · chấm điểm: %(c)s phiếu, xếp hạng %(k)s"
            )
            % {
                "a": result.plans_accepted,
                "r": result.plans_returned,
                "l": result.plans_late,
                "v": result.progress_values,
                "s": result.interim_units,
                "c": result.scored,
                "k": result.ranked,
            }
        )
        self.stdout.write(
            _("Quyết định %(no)s: tổng tiền thưởng %(m)s đồng (đúng như tính độc lập từ bộ quy định).")
            % {"no": result.decision_number, "m": money}
        )
        self.stdout.write(
            _(
                "Sau khi ký: công bố, chi trả %(p)s dòng; thu hồi %(r)s khen thưởng (tiền đã thu về quỹ, trang tra "
                "cứu hiển thị thu hồi)."
            )
            % {"p": result.paid, "r": result.revoked}
        )
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.steps.items())
        self.stdout.write(
            _("Thời gian: %(s).1f giây (%(rate).1f hồ sơ/giây; %(steps)s). Nhật ký kiểm toán toàn vẹn.")
            % {"s": result.seconds, "rate": result.dossiers_per_second, "steps": steps}
        )
