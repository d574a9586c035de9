"""``manage.py export_decision (ID | --latest) --format docx|xlsx|pdf --output PATH``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.pdf import PdfConversionFailed, PdfUnavailable, docx_to_pdf

from ...documents import decision_docx, decision_xlsx
from ...enums import DecisionState
from ...models import AwardDecision

# A command has time the web does not: a decision of thousands of lines takes LibreOffice minutes.
PDF_TIMEOUT_SECONDS = 3600


def decision_pdf(decision) -> bytes:
    return docx_to_pdf(decision_docx(decision), timeout=PDF_TIMEOUT_SECONDS)


RENDERERS = {"docx": decision_docx, "xlsx": decision_xlsx, "pdf": decision_pdf}


class Command(BaseCommand):
    help = _(
        "Xuất một quyết định khen thưởng ra tệp: DOCX theo thể thức Nghị định 30/2020/NĐ-CP kèm danh sách, hoặc "
        "danh sách dạng XLSX. Quyết định chưa ký vẫn xuất được, có dòng “DỰ THẢO”."
    )

    def add_arguments(self, parser):
        parser.add_argument("id", nargs="?", type=int, help=_("Mã (ID) của quyết định"))
        parser.add_argument(
            "--latest", action="store_true", help=_("Quyết định được lập gần nhất (dự thảo hoặc đã ký)")
        )
        parser.add_argument(
            "--format", choices=sorted(RENDERERS), default="docx", help=_("docx, xlsx hoặc pdf (cần LibreOffice)")
        )
        parser.add_argument("--output", required=True, help=_("Đường dẫn tệp sẽ ghi"))

    def handle(self, *args, **options):
        decision_id, latest = options["id"], options["latest"]
        if (decision_id is None) == (not latest):
            raise CommandError(_("Hãy cho biết mã (ID) của quyết định hoặc dùng --latest (chỉ một trong hai)."))
        if latest:
            decision = AwardDecision.objects.order_by("-created_at", "-id").first()
            if decision is None:
                raise CommandError(_("Chưa có quyết định khen thưởng nào để xuất."))
        else:
            decision = AwardDecision.objects.filter(pk=decision_id).first()
            if decision is None:
                raise CommandError(_("Không có quyết định khen thưởng nào có mã (ID) %(id)s.") % {"id": decision_id})
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(_("Thư mục “%(dir)s” không tồn tại.") % {"dir": output.parent})
        try:
            content = RENDERERS[options["format"]](decision)
        except PdfUnavailable:
            raise CommandError(_("Chưa cài LibreOffice (soffice): không tạo được PDF. Hãy xuất DOCX.")) from None
        except PdfConversionFailed as exc:
            raise CommandError(_("LibreOffice không tạo được PDF: %(error)s") % {"error": exc}) from None
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("Không ghi được tệp “%(path)s”: %(error)s") % {"path": output, "error": exc.strerror or exc}
            ) from None
        if options["verbosity"]:
            state = _(" (dự thảo, chưa ký)") if decision.state == DecisionState.DRAFT else ""
            self.stdout.write(
                _("Đã xuất quyết định %(decision)s%(state)s ra “%(path)s” (%(size)s byte).")
                % {"decision": decision, "state": state, "path": output, "size": len(content)}
            )
