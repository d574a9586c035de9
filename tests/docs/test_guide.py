"""The guides (issue 9): every section the app links to exists, every page a role may open links to its role's
guide, every screenshot the browser tests take is in a guide and every picture a guide shows is taken by a test,
every link resolves; the app serves the built guide.

The strict build with the real screenshots (MkDocs included) is tests/docs/test_build.py, run by scripts/test.sh
after the browser tests took them.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from config.guide import ANCHORS, PUBLIC_PAGE, ROLE_PAGES, guide_target, guide_url

from ..factories import UserFactory
from ..security.test_permission_matrix import MATRIX, specs_of

ROOT = Path(settings.BASE_DIR)
DOCS = ROOT / "docs"
ANCHOR_ID = re.compile(r"\{#([\w-]+)[^}]*\}")


def load_docs_script():
    spec = importlib.util.spec_from_file_location("thidua_docs", ROOT / "scripts" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def anchors_of(page: str) -> set[str]:
    return set(ANCHOR_ID.findall((DOCS / page).read_text(encoding="utf-8")))


def test_every_section_the_app_links_to_exists():
    missing = []
    for page, table in ANCHORS.items():
        if not (DOCS / page).exists():
            missing.append(f"docs/{page} does not exist")
            continue
        ids = anchors_of(page)
        missing += [f"docs/{page}: no section {{#{a}}} (linked from {n})" for n, a in table.items() if a not in ids]
    assert not missing, "\n".join(missing)


# Pages of the app that are files or actions, not pages a guide explains: downloads (DOCX, XLSX, PDF, CSV, the
# templates), and the guide itself.
NOT_PAGES = re.compile(r"(_docx|_xlsx|_pdf|_download|_template|_export\w*|_minutes|_document|_evidence|^guide)")
# Pages left to the top of the role's guide on purpose, with the reason.
TOP_OF_GUIDE = {
    "workflows:healthz": "the health endpoint of the operators (JSON), not a page",
    "workflows:notification_open": "opens a notification: a redirect to the page it is about",
    "nominations:public_decisions": "public pages: the visitors' guide, whatever the reader's role",
    "nominations:public_decision": "public pages: the visitors' guide",
    "nominations:verify": "public pages: the visitors' guide",
    "nominations:verify_code": "public pages: the visitors' guide",
}


def _get_pages() -> dict[str, tuple[set[str], set[str]]]:
    """URL name → (the roles that may open it with GET, the roles that may write through it), for the HTML pages
    of the web (not the API, not downloads, not POST-only actions)."""
    pages: dict[str, tuple[set[str], set[str]]] = {}
    for name in MATRIX:
        if name.startswith("api:") or NOT_PAGES.search(name.split(":")[-1]) or name in TOP_OF_GUIDE:
            continue
        for spec in specs_of(name):
            if spec.post is not None:
                continue  # POST-only: an action on a page the guide explains
            readers, writers = pages.setdefault(name, (set(), set()))
            readers.update(spec.allow, spec.allow_b or ())
            writers.update(spec.writers or (), spec.writers_b or ())
    return pages


def test_every_page_is_explained_by_a_guide_and_by_the_guide_of_who_works_on_it():
    """Every page of the app is named in some guide's table of config/guide.py, and in the table of each role
    that works on it (writes through its form), so the "Hướng dẫn" link lands on the section explaining it. A
    role that only reads a page another role works on gets the top of its own guide."""
    missing = []
    named = {name for table in ANCHORS.values() for name in table}
    for name, (readers, writers) in sorted(_get_pages().items()):
        if name not in named:
            missing.append(f"{name}: in no guide's table (readers: {', '.join(sorted(readers))})")
        for role in sorted(writers):
            page = ROLE_PAGES.get(Role(role))
            if page is not None and name not in ANCHORS.get(page, {}):
                missing.append(f"{name} — {role} works on it: add it to ANCHORS[{page!r}] in config/guide.py")
    assert not missing, f"{len(missing)} gap(s):\n" + "\n".join(missing)


def test_the_guides_pictures_and_links_are_all_there():
    """The checks of the build, on the Markdown: links and pictures resolve, every screenshot a browser test takes
    is in a role guide, every screenshot a guide shows is taken by a test (missing picture files become
    placeholders here; the strict build after the browser tests needs the real ones)."""
    docs = load_docs_script()
    assert docs.build(out=Path("/nonexistent"), screenshots=Path("/nonexistent"), strict=False, only_check=True) == 0
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "docs"
        shutil.copytree(DOCS, staging)
        (staging / docs.API_REFERENCE).write_text("# API\n")
        taken = docs.screenshots_taken()
        docs.stage_screenshots(staging, Path(tmp) / "none", taken, strict=False)
        assert docs.check(staging, taken) == []
        assert len(taken) >= 40


def test_a_picture_no_test_takes_or_a_step_no_guide_shows_is_reported(tmp_path):
    docs = load_docs_script()
    staging = tmp_path / "docs"
    (staging / "huong-dan").mkdir(parents=True)
    (staging / "huong-dan" / "a.md").write_text(
        "# A\n\n![x](../screenshots/khong-co.png)\n\n[B](b.md) [web](https://example.org) [top](#a)\n"
    )
    problems = docs.check(staging, {"buoc-thu": "tests/e2e/test_x.py"})
    assert any("khong-co" in p and "không do kiểm thử" in p for p in problems)
    assert any("“b.md” không tồn tại" in p for p in problems)
    assert any("buoc-thu" in p and "chưa có trong hướng dẫn" in p for p in problems)
    assert not any("example.org" in p for p in problems)


@pytest.mark.django_db
def test_each_page_links_to_the_section_for_the_readers_role(client, clerk_a, board_officer):
    client.force_login(clerk_a)
    html = client.get(reverse("nominations:dossier_list")).content.decode()
    assert 'href="/huong-dan/huong-dan/van-thu-don-vi.html#lap-ho-so" rel="help"' in html
    client.force_login(board_officer)
    html = client.get(reverse("nominations:dossier_list")).content.decode()
    assert 'href="/huong-dan/huong-dan/can-bo-ban-tdkt.html#tiep-nhan-ho-so" rel="help"' in html
    client.logout()
    html = client.get(reverse("nominations:verify")).content.decode()
    assert 'href="/huong-dan/huong-dan/cong-khai.html#tra-cuu"' in html
    admin = UserFactory(role=Role.ADMIN)
    assert guide_target(admin, "competition:unit_list") == "quan-tri.md#don-vi"
    assert guide_target(admin, "nominations:nonexistent") == "quan-tri.md"
    assert guide_url(None, "home") == "/huong-dan/" + PUBLIC_PAGE.removesuffix(".md") + ".html"


@pytest.mark.django_db
def test_the_app_serves_the_built_guide(client, settings, tmp_path):
    settings.THIDUA_GUIDE_DIR = tmp_path / "guide"
    page = client.get("/huong-dan/")
    assert page.status_code == 200 and "chưa được dựng" in page.content.decode()
    assert client.get("/huong-dan/huong-dan/a.html").status_code == 404
    (tmp_path / "guide" / "huong-dan").mkdir(parents=True)
    (tmp_path / "guide" / "index.html").write_text("<h1>Trang đầu</h1><script>var x = 1;</script>")
    (tmp_path / "guide" / "huong-dan" / "a.html").write_text("<h1>Văn thư</h1>")
    (tmp_path / "secret.txt").write_text("bí mật")
    page = client.get("/huong-dan/")
    assert page.status_code == 200 and "Trang đầu" in b"".join(page.streaming_content).decode()
    assert "'unsafe-inline'" in page["Content-Security-Policy"]  # the theme's scripts, on the guide only
    assert "Văn thư" in b"".join(client.get("/huong-dan/huong-dan/a.html").streaming_content).decode()
    for escape in ("/huong-dan/../secret.txt", "/huong-dan/%2e%2e/secret.txt", "/huong-dan/..%2fsecret.txt"):
        assert client.get(escape).status_code in (400, 404)
    policy = dict(part.strip().split(" ", 1) for part in client.get("/tra-cuu/")["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"  # the app's own pages keep theirs
