"""Certificates of a signed decision (issue 7 item 4): the print data per awardee and a print layout, each with the
certificate's code and a QR code to the public verification page.

The print layout is an HTML page (``templates/nominations/certificates.html``): one A4 landscape sheet per awardee,
laid out by CSS ``@page`` so that the browser prints it on the certificate paper; the print data is an XLSX for
print shops that merge it into their own artwork. Revoked lines are left out of both.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workflows.exports import Styled, xlsx_bytes

from .models import AwardDecision
from .services.codes import display_code
from .services.decisions import authority_name, head_title
from .services.revocations import REVOKED_STATES


def public_base_url(request=None) -> str:
    """Where the public reaches this site: ``THIDUA_PUBLIC_URL`` when set (the address printed on paper must not
    depend on who prints), otherwise the address of ``request``."""
    configured = (getattr(settings, "THIDUA_PUBLIC_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""


def verification_url(code: str, base_url: str) -> str:
    return base_url + reverse("nominations:verify_code", args=[code])


def qr_svg(url: str, *, scale: int = 3) -> SafeString:
    """The QR code of ``url`` as inline SVG (error correction M, no XML declaration), safe to put in a page."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return mark_safe(buffer.getvalue().decode("ascii"))  # noqa: S308 (segno's own output: no user text inside)


@dataclass(frozen=True)
class Certificate:
    name: str
    title_and_unit: str
    subject: str
    award_name: str
    authority: str
    signer_title: str
    signer_name: str
    decision_reference: str
    decision_date: date | None
    code: str
    url: str

    def qr(self) -> SafeString:
        return qr_svg(self.url)


def certificates(decision: AwardDecision, base_url: str) -> list[Certificate]:
    """The certificates of ``decision``: every line not revoked, in annex order (two queries)."""
    unit = decision.issuing_unit
    awards = (
        decision.awards.exclude(revocations__state__in=REVOKED_STATES)
        .order_by("subject_kind", "order", "pk")
        .distinct()
    )
    common = {
        "award_name": str(decision.award_type.name),
        "authority": authority_name(unit),
        "signer_title": head_title(unit),
        "signer_name": decision.signer_name,
        "decision_reference": str(decision),
        "decision_date": decision.issued_on,
    }
    return [
        Certificate(
            name=award.name,
            title_and_unit=award.title_and_unit,
            subject=award.get_subject_kind_display(),
            code=display_code(award.certificate_code),
            url=verification_url(award.certificate_code, base_url),
            **common,
        )
        for award in awards
    ]


PRINT_HEADER = (
    "STT",
    "Họ tên / tên tập thể",
    "Đối tượng",
    "Chức vụ, đơn vị",
    "Hình thức khen thưởng",
    "Cấp khen thưởng",
    "Số quyết định",
    "Ngày quyết định",
    "Người ký",
    "Mã giấy chứng nhận",
    "Địa chỉ tra cứu (mã QR)",
)


def certificates_xlsx(decision: AwardDecision, base_url: str) -> bytes:
    """The print data of every certificate of ``decision`` as XLSX (formulas escaped). No side effects."""

    def rows():
        yield [Styled(str(_(h)), bold=True) for h in PRINT_HEADER]
        for index, c in enumerate(certificates(decision, base_url), start=1):
            yield [
                index,
                c.name,
                c.subject,
                c.title_and_unit,
                c.award_name,
                c.authority,
                c.decision_reference,
                c.decision_date.strftime("%d/%m/%Y") if c.decision_date else "",
                c.signer_name,
                c.code,
                c.url,
            ]

    return xlsx_bytes(
        rows(), sheet_title=str(_("Dữ liệu in")), column_widths=(6, 30, 10, 40, 30, 36, 16, 14, 24, 18, 50)
    )
