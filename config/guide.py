"""The guides inside the web app: each page links to the section of the guide that explains it, for the reader's
role, and the app serves the built guide at /huong-dan/.

The guides are Markdown in docs/, built into a static site by ``scripts/docs.py`` (into ``THIDUA_GUIDE_DIR``,
var/guide/ by default). Which section a page links to is decided here, in one table per role guide: URL name →
the ``{#anchor}`` of a ``##`` section of that guide. A page a role's table does not name links to the top of that
role's guide. tests/docs/test_guide.py checks that every anchor named here exists in its page, and that every page
of the app a role may open (the permission matrix) is named in that role's table or deliberately left out.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.static import serve

from accounts.enums import Role

# The guide of each role (Markdown paths under docs/).
ROLE_PAGES = {
    Role.UNIT_CLERK: "huong-dan/van-thu-don-vi.md",
    Role.UNIT_HEAD: "huong-dan/thu-truong-don-vi.md",
    Role.BOARD_OFFICER: "huong-dan/can-bo-ban-tdkt.md",
    Role.BOARD_HEAD: "huong-dan/can-bo-ban-tdkt.md",
    Role.COORDINATOR: "huong-dan/so-phoi-hop.md",
    Role.COUNCIL_MEMBER: "huong-dan/thanh-vien-hoi-dong.md",
    Role.CHAIRMAN_OFFICE: "huong-dan/van-phong-ubnd.md",
    Role.AUDITOR: "huong-dan/kiem-tra.md",
    Role.ADMIN: "quan-tri.md",
}
PUBLIC_PAGE = "huong-dan/cong-khai.md"  # visitors without an account
INDEX_PAGE = "index.md"


def _same(anchor: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, anchor)


_CLERK_DOSSIERS = (
    "nominations:dossier_list",
    "nominations:dossier_create",
    "nominations:dossier_detail",
    "nominations:nominee_import",
)
_PROGRESS = (
    "competition:progress_periods",
    "competition:progress_entry",
    "competition:progress_board",
    "competition:indicator_import",
    "competition:indicator_import_job",
)
_CAMPAIGN = ("competition:campaign_list", "competition:campaign_detail", "competition:campaign_dashboard")
_INBOX = ("home", "workflows:inbox", "workflows:notifications")

ANCHORS: dict[str, dict[str, str]] = {
    "huong-dan/van-thu-don-vi.md": {
        **_same("dang-nhap", *_INBOX),
        **_same("ke-hoach", "competition:plan_mine", "competition:plan_detail"),
        **_same("bao-cao-tien-do", *_PROGRESS),
        **_same("tu-cham-diem", "scoring:scorecard_list", "scoring:scorecard_detail"),
        **_same("lap-ho-so", *_CLERK_DOSSIERS),
        **_same("bang-theo-doi", *_CAMPAIGN, "competition:review_list", "competition:review_detail"),
        **_same(
            "giay-khen-cua-don-vi",
            "nominations:council_list",
            "nominations:council_detail",
            "nominations:decision_list",
            "nominations:decision_create",
            "nominations:decision_detail",
        ),
        **_same("quy-thi-dua", "nominations:fund", "nominations:decision_payments"),
    },
    "huong-dan/thu-truong-don-vi.md": {
        **_same("dang-nhap", *_INBOX),
        **_same("gui-ho-so", "nominations:dossier_list", "nominations:dossier_detail"),
        **_same("ke-hoach", "competition:plan_mine", "competition:plan_detail"),
        **_same(
            "ky-quyet-dinh",
            "nominations:decision_list",
            "nominations:decision_detail",
            "nominations:decision_payments",
            "nominations:fund",
        ),
        **_same("bang-theo-doi", *_CAMPAIGN, *_PROGRESS, "scoring:scorecard_list", "scoring:scorecard_detail"),
    },
    "huong-dan/can-bo-ban-tdkt.md": {
        **_same("viec-cho-xu-ly", *_INBOX),
        **_same(
            "phong-trao",
            "competition:campaign_list",
            "competition:campaign_create",
            "competition:campaign_edit",
            "competition:campaign_indicators",
            "competition:campaign_participants",
            "competition:campaign_detail",
            "competition:unit_detail",
        ),
        **_same("ke-hoach-don-vi", "competition:plan_status", "competition:plan_detail"),
        **_same("tien-do", "competition:campaign_dashboard", *_PROGRESS),
        **_same("so-ket", "competition:review_list", "competition:review_detail"),
        **_same(
            "bang-diem",
            "scoring:table_list",
            "scoring:table_create",
            "scoring:table_detail",
            "scoring:table_settings",
            "scoring:table_criterion_add",
            "scoring:table_criterion_edit",
            "scoring:table_class_add",
            "scoring:table_class_edit",
            "scoring:table_tie_break_add",
            "scoring:table_import",
            "scoring:table_delete",
        ),
        **_same(
            "cham-diem",
            "scoring:scorecard_list",
            "scoring:scorecard_detail",
            "scoring:scorecard_assign",
            "scoring:scorecard_compare",
            "scoring:assessment_queue",
            "scoring:assessment_detail",
            "scoring:ranking_campaign",
            "scoring:ranking_table",
            "scoring:scorecard_severity",
        ),
        **_same(
            "tiep-nhan-ho-so",
            "nominations:dossier_list",
            "nominations:dossier_detail",
            "nominations:dossier_bulk",
            "nominations:bulk_job",
            "nominations:dossier_return",
        ),
        **_same("chi-tieu-khen-thuong", "nominations:quota_list", "nominations:quota_edit"),
        **_same("hoi-dong", "nominations:council_list", "nominations:council_detail"),
        **_same(
            "du-thao-quyet-dinh",
            "nominations:decision_list",
            "nominations:decision_create",
            "nominations:decision_detail",
            "nominations:decision_submission_letter",
        ),
        **_same(
            "cong-bo-chi-tra",
            "nominations:decision_payments",
            "nominations:decision_certificates",
            "nominations:fund",
            "nominations:signed_pdf_upload",
        ),
        **_same("thu-hoi", "nominations:revocation_list", "nominations:revocation_detail", "nominations:award_revoke"),
        **_same("tong-ket-thong-ke", "nominations:campaign_summary", "nominations:statistics"),
        **_same(
            "lich-su-khen-thuong",
            "nominations:history_list",
            "nominations:history_import",
            "nominations:hold_list",
            "nominations:hold_add",
        ),
        **_same("lam-thay", "workflows:standin_list"),
        **_same("lich-lam-viec", "workflows:calendar"),
    },
    "huong-dan/so-phoi-hop.md": {
        **_same("theo-doi-tien-do", *_CAMPAIGN, *_PROGRESS, "competition:review_list", "competition:review_detail"),
        **_same("chi-tieu", "nominations:quota_list"),
        **_same("tong-ket", "nominations:campaign_summary"),
    },
    "huong-dan/thanh-vien-hoi-dong.md": {
        **_same("bo-phieu", "home", "workflows:inbox", "nominations:council_ballot"),
        **_same("xem-ho-so", "nominations:dossier_detail", "nominations:dossier_list"),
        **_same("bien-ban", "nominations:council_list", "nominations:council_detail"),
    },
    "huong-dan/van-phong-ubnd.md": {
        **_same(
            "ho-so-trinh",
            "home",
            "workflows:inbox",
            "nominations:dossier_list",
            "nominations:dossier_detail",
            "nominations:council_list",
            "nominations:council_detail",
        ),
        **_same("du-thao", "nominations:decision_list", "nominations:decision_create", "nominations:decision_detail"),
        **_same("tai-ban-ky", "nominations:signed_pdf_upload"),
        **_same("thu-hoi", "nominations:revocation_list", "nominations:revocation_detail", "nominations:award_revoke"),
    },
    "huong-dan/kiem-tra.md": {
        **_same("nhat-ky", "workflows:audit_log"),
        **_same("xem-ho-so", "nominations:dossier_list", "nominations:dossier_detail"),
        **_same("hoi-dong", "nominations:council_list", "nominations:council_detail"),
        **_same("thong-ke", "nominations:statistics", "nominations:campaign_summary"),
    },
    "quan-tri.md": {
        **_same(
            "don-vi",
            "competition:unit_list",
            "competition:unit_detail",
            "competition:unit_import",
            "competition:cluster_list",
        ),
        **_same("tai-khoan", "competition:user_list", "competition:user_import"),
        **_same(
            "bo-quy-dinh",
            "competition:ruleset_list",
            "competition:ruleset_detail",
            "competition:ruleset_copy",
            "competition:ruleset_value_edit",
            "competition:unconfirmed_values",
            "competition:base_salary_list",
        ),
        **_same("mau-van-ban", "nominations:statistics"),
        **_same("lich", "workflows:calendar"),
    },
    PUBLIC_PAGE: {
        **_same("cong-khai", "nominations:public_decisions", "nominations:public_decision"),
        **_same("tra-cuu", "nominations:verify", "nominations:verify_code"),
    },
}


def guide_page_for(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC_PAGE
    if user.is_superuser and getattr(user, "role", None) not in ROLE_PAGES:
        return ROLE_PAGES[Role.ADMIN]
    return ROLE_PAGES.get(getattr(user, "role", None), INDEX_PAGE)


def guide_target(user, view_name: str | None) -> str:
    """The guide's Markdown path and anchor (``page.md#anchor``) for ``user`` on the page named ``view_name``."""
    page = guide_page_for(user)
    anchor = ANCHORS.get(page, {}).get(view_name or "")
    return f"{page}#{anchor}" if anchor else page


def guide_url(user, view_name: str | None) -> str:
    """The address of that section in the built guide (MkDocs writes ``page.md`` as ``page.html``)."""
    page, _sep, anchor = guide_target(user, view_name).partition("#")
    url = settings.THIDUA_GUIDE_URL + page.removesuffix(".md") + ".html"
    return f"{url}#{anchor}" if anchor else url


def guide_dir() -> Path:
    return Path(settings.THIDUA_GUIDE_DIR)


def serve_guide(request, path: str = ""):
    """The built guide, open to everyone (it holds no data). Its pages carry the theme's own scripts (search,
    navigation), inline ones included, so they get a policy of their own; the app's pages keep theirs."""
    root = guide_dir()
    path = path or "index.html"
    if path.endswith("/"):
        path += "index.html"
    if not (root / "index.html").exists():
        if path != "index.html":
            raise Http404
        return HttpResponse(
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>{title}</title><h1>{title}</h1>"
            "<p>{body}</p></html>".format(
                title=_("Hướng dẫn sử dụng"),
                body=_(
                    "Tài liệu hướng dẫn chưa được dựng trên máy chủ này. Quản trị hệ thống chạy: "
                    ".venv/bin/python scripts/docs.py"
                ),
            )
        )
    response = serve(request, path, document_root=str(root))
    response._csp_replace = {"script-src": ["'self'", "'unsafe-inline'"]}
    return response
