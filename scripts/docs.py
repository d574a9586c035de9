"""Build the guides (docs/, mkdocs.yml) into a static site, with the screenshots the browser tests took.

    .venv/bin/python scripts/docs.py                     # into var/guide/ (the web app serves it at /huong-dan/)
    .venv/bin/python scripts/docs.py --strict --out DIR  # what CI runs: any missing picture, link or anchor fails
    .venv/bin/python scripts/docs.py --check             # only the checks, no build

Steps:
1. Stage a copy of docs/ in a temporary folder.
2. Add the screenshots: every ``screenshots/<name>.png`` a guide shows is taken by a browser test
   (``screenshot(page, "<name>")`` in tests/e2e/), which saves it to test-artifacts/screenshots/ (or
   ``--screenshots DIR``). A changed page changes its picture at the next test run.
3. Generate the API reference (``api-reference.md``) from the OpenAPI schema the API serves (drf-spectacular).
4. Check, before MkDocs runs: every picture and every link to a file of the guide exists; every screenshot a guide
   shows is one a browser test takes; every screenshot a browser test takes is shown in a guide (a path the tests
   walk that no guide explains is a gap). With ``--strict`` every problem fails the build; without it (the demo, on
   a machine where the browser tests never ran) a missing screenshot is replaced by a placeholder picture.
5. MkDocs (Material theme) builds the site, strict: broken links, anchors and pages outside the navigation fail.

Exit code 0 when the site is built (and, with --strict, nothing is missing), 1 otherwise; each problem is printed
with its file and what to fix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
E2E = ROOT / "tests" / "e2e"
DEFAULT_SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Where the web app looks for it (settings.THIDUA_GUIDE_DIR: THIDUA_GUIDE_DIR, else THIDUA_VAR_DIR/guide).
DEFAULT_OUT = Path(
    os.environ.get("THIDUA_GUIDE_DIR") or Path(os.environ.get("THIDUA_VAR_DIR") or ROOT / "var") / "guide"
)
API_REFERENCE = "api-reference.md"
# The folders whose pages explain the paths the browser tests walk (the role guides).
GUIDE_FOLDERS = ("huong-dan",)

SCREENSHOT_CALL = re.compile(r"""screenshot\(\s*\w+\s*,\s*["']([\w.-]+)["']""")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
PLACEHOLDER = """<svg xmlns="http://www.w3.org/2000/svg" width="960" height="200" viewBox="0 0 960 200">
<rect width="960" height="200" fill="#f5f7fa" stroke="#d9dee7"/>
<text x="480" y="92" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#5b6475">Ảnh màn hình
được tạo khi chạy bộ kiểm thử trình duyệt</text>
<text x="480" y="128" font-family="monospace" font-size="18" text-anchor="middle" fill="#5b6475">bash scripts/test.sh
rồi .venv/bin/python scripts/docs.py</text></svg>
"""


def screenshots_taken(e2e: Path = E2E) -> dict[str, str]:
    """The screenshots the browser tests take: name → the test file that takes it."""
    taken: dict[str, str] = {}
    for path in sorted(e2e.glob("test_*.py")):
        for name in SCREENSHOT_CALL.findall(path.read_text(encoding="utf-8")):
            taken.setdefault(name, str(path.relative_to(ROOT)))
    return taken


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.md"))


def _local(target: str) -> str | None:
    """The file part of a link target inside the guide, or None for a web address, a mail link or an anchor."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return None
    return target.split("#", 1)[0] or None


def screenshots_shown(root: Path) -> dict[str, list[str]]:
    """Screenshot name → the pages (relative to ``root``) that show it."""
    shown: dict[str, list[str]] = {}
    for page in pages(root):
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            local = _local(target)
            if local and "screenshots/" in local:
                name = Path(local).stem
                shown.setdefault(name, []).append(str(page.relative_to(root)))
    return shown


def check(staging: Path, taken: dict[str, str], *, guide_folders=GUIDE_FOLDERS) -> list[str]:
    """Every problem of the staged guide, one line each: missing pictures and files, screenshots no test takes,
    screenshots no guide shows."""
    problems = []
    for page in pages(staging):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(staging)
        for kind, pattern in (("ảnh", IMAGE), ("liên kết", LINK)):
            for target in pattern.findall(text):
                local = _local(target)
                if local is None:
                    continue
                if not (page.parent / local).resolve().exists():
                    problems.append(f"docs/{where}: {kind} tới “{target}” không tồn tại: sửa đường dẫn hoặc tạo tệp")
    shown = screenshots_shown(staging)
    for name, where in sorted(shown.items()):
        if name not in taken:
            problems.append(
                f"docs/{where[0]}: ảnh màn hình “{name}” không do kiểm thử trình duyệt nào chụp: thêm "
                f'screenshot(page, "{name}") vào tests/e2e/ hoặc bỏ ảnh khỏi hướng dẫn'
            )
    in_guides = {name for name, where in shown.items() if any(w.split(os.sep)[0] in guide_folders for w in where)}
    for name, test in sorted(taken.items()):
        if name not in in_guides:
            problems.append(
                f"{test}: ảnh màn hình “{name}” (một bước kiểm thử trình duyệt đi qua) chưa có trong hướng dẫn nào "
                f"dưới docs/{'|'.join(guide_folders)}/: mô tả bước đó kèm ảnh"
            )
    return problems


def stage_screenshots(staging: Path, source: Path, taken: dict[str, str], *, strict: bool) -> list[str]:
    """Copy the screenshots the guides show from ``source``; a missing one is a problem (strict) or a placeholder."""
    target = staging / "screenshots"
    target.mkdir(exist_ok=True)
    problems = []
    for name, where in sorted(screenshots_shown(staging).items()):
        picture = source / f"{name}.png"
        if picture.exists():
            shutil.copy2(picture, target / picture.name)
        elif strict:
            problems.append(
                f"docs/{where[0]}: ảnh màn hình “{name}.png” không có trong {source}: chạy kiểm thử trình duyệt "
                f"({taken.get(name, 'tests/e2e/')}) trước khi dựng tài liệu"
            )
        else:
            (target / f"{name}.png").write_text(PLACEHOLDER, encoding="utf-8")  # an SVG under the PNG's name
    return problems


def api_reference() -> str:
    """The API reference in Markdown, from the OpenAPI schema drf-spectacular generates for /api/v1/."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render_api_reference(schema)


def _type(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"danh sách {_type(schema.get('items', {}), components)}"
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return " | ".join(_type(s, components) for s in schema[key])
    kind = schema.get("type", "object")
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + ", ".join(f"`{v}`" for v in schema["enum"] if v not in (None, ""))
    return kind


def _cell(text) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def render_api_reference(schema: dict) -> str:
    components = schema.get("components", {}).get("schemas", {})
    info = schema.get("info", {})
    out = [
        "# Tra cứu API {#api-reference}",
        "",
        f"Sinh tự động từ lược đồ OpenAPI {schema.get('openapi', '')} của API ({_cell(info.get('title'))}, phiên bản "
        f"{_cell(info.get('version'))}) mỗi lần dựng tài liệu, nên luôn khớp với mã nguồn. Cách xác thực, phạm vi dữ "
        "liệu và ví dụ: [API tích hợp](api.md). Lược đồ máy đọc được: `/api/v1/schema/`.",
        "",
    ]
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            out += [f"## `{method.upper()} {path}`", ""]
            if operation.get("summary"):
                out += [_cell(operation["summary"]), ""]
            if operation.get("description"):
                out += [operation["description"].strip(), ""]
            parameters = operation.get("parameters", [])
            if parameters:
                out += ["| Tham số | Ở đâu | Kiểu | Bắt buộc | Mô tả |", "|---|---|---|---|---|"]
                for p in parameters:
                    out.append(
                        f"| `{p['name']}` | {p.get('in', '')} | {_cell(_type(p.get('schema', {}), components))} | "
                        f"{'có' if p.get('required') else 'không'} | {_cell(p.get('description'))} |"
                    )
                out.append("")
            body = operation.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                out += [f"Nội dung gửi (`{media}`): {_cell(_type(content.get('schema', {}), components))}", ""]
                break
            responses = operation.get("responses", {})
            if responses:
                out += ["| Mã trả về | Nội dung |", "|---|---|"]
                for code, response in responses.items():
                    content = next(iter(response.get("content", {}).values()), {})
                    shape = _type(content["schema"], components) if content.get("schema") else ""
                    out.append(f"| {code} | {_cell(response.get('description'))} {_cell(shape)} |")
                out.append("")
    out += ["## Các kiểu dữ liệu {#schemas}", ""]
    for name, component in sorted(components.items()):
        out += [f"### {name}", ""]
        if component.get("description"):
            out += [_cell(component["description"]), ""]
        properties = component.get("properties", {})
        if properties:
            required = set(component.get("required", []))
            out += ["| Trường | Kiểu | Bắt buộc | Chỉ đọc | Mô tả |", "|---|---|---|---|---|"]
            for field, spec in properties.items():
                out.append(
                    f"| `{field}` | {_cell(_type(spec, components))} | {'có' if field in required else 'không'} | "
                    f"{'có' if spec.get('readOnly') else ''} | {_cell(spec.get('description') or spec.get('title'))} |"
                )
            out.append("")
        elif component.get("enum"):
            out += [", ".join(f"`{v}`" for v in component["enum"] if v not in (None, "")), ""]
    return "\n".join(out) + "\n"


def build(*, out: Path, screenshots: Path, strict: bool, only_check: bool = False) -> int:
    taken = screenshots_taken()
    with tempfile.TemporaryDirectory(prefix="thidua-docs-") as tmp:
        staging = Path(tmp) / "docs"
        shutil.copytree(DOCS, staging, ignore=shutil.ignore_patterns("screenshots", API_REFERENCE))
        (staging / API_REFERENCE).write_text(api_reference(), encoding="utf-8")
        problems = stage_screenshots(staging, screenshots, taken, strict=strict)
        problems += check(staging, taken)
        for line in problems:
            print(f"[docs] {line}", file=sys.stderr)
        if problems and strict:
            print(f"[docs] FAILED: {len(problems)} problem(s)", file=sys.stderr)
            return 1
        if only_check:
            print(f"[docs] checked: {len(pages(staging))} pages, {len(taken)} screenshots taken by the browser tests")
            return 0
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, ConfigurationError

        try:
            config = load_config(
                config_file=str(ROOT / "mkdocs.yml"), docs_dir=str(staging), site_dir=str(out), strict=strict
            )
            mkdocs_build(config)
        except (Abort, ConfigurationError) as exc:
            print(f"[docs] FAILED: MkDocs: {exc}", file=sys.stderr)
            return 1
    print(f"[docs] built {out} ({len(taken)} screenshots taken by the browser tests)")
    (out / "build.json").write_text(json.dumps({"strict": strict, "problems": problems}, ensure_ascii=False))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the site's folder (default {DEFAULT_OUT})")
    parser.add_argument("--screenshots", type=Path, default=DEFAULT_SCREENSHOTS, help="where the tests saved them")
    parser.add_argument("--strict", action="store_true", help="fail on any missing picture, link or anchor (CI)")
    parser.add_argument("--check", action="store_true", help="only the checks (with --strict: fail on a problem)")
    args = parser.parse_args(argv)
    return build(out=args.out, screenshots=args.screenshots, strict=args.strict, only_check=args.check)


if __name__ == "__main__":
    sys.exit(main())
