"""The guides built strictly with the screenshots the browser tests just took (issue 9): what CI runs after the
SQLite run (scripts/test.sh, part "guide"). A missing screenshot, link or anchor, a page outside the navigation, a
picture no test takes or a step the browser tests walk that no guide shows fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from ..conftest import skip_or_fail
from .test_guide import load_docs_script

pytestmark = [pytest.mark.guide]

ROOT = Path(settings.BASE_DIR)


def test_the_guides_build_strictly_with_every_screenshot(capsys):
    docs = load_docs_script()
    screenshots = docs.DEFAULT_SCREENSHOTS
    taken = docs.screenshots_taken()
    missing = sorted(name for name in taken if not (screenshots / f"{name}.png").exists())
    if missing:
        skip_or_fail(
            f"the browser tests have not taken {len(missing)} screenshot(s) ({', '.join(missing[:5])}…): run "
            "`bash scripts/test.sh sqlite` first"
        )
    out = ROOT / "test-artifacts" / "guide"
    code = docs.build(out=out, screenshots=screenshots, strict=True)
    assert code == 0, capsys.readouterr().err
    site = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert {"index.html", "huong-dan/van-thu-don-vi.html", "quan-tri.html", "en/operations.html"} <= site
    assert "api-reference.html" in site and "/api/v1/dossiers/" in (out / "api-reference.html").read_text()
    for name in taken:
        assert (out / "screenshots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_a_broken_anchor_fails_the_strict_build(tmp_path, capsys):
    import shutil

    docs = load_docs_script()
    if not all((docs.DEFAULT_SCREENSHOTS / f"{n}.png").exists() for n in docs.screenshots_taken()):
        skip_or_fail("the browser tests have not taken the screenshots: run `bash scripts/test.sh sqlite` first")
    shutil.copytree(docs.DOCS, tmp_path / "docs")
    index = tmp_path / "docs" / "index.md"
    index.write_text(index.read_text() + "\n[x](huong-dan/index.md#khong-co-muc-nay)\n")
    docs.DOCS = tmp_path / "docs"
    assert docs.build(out=tmp_path / "site", screenshots=docs.DEFAULT_SCREENSHOTS, strict=True) == 1
    assert "khong-co-muc-nay" in capsys.readouterr().err
