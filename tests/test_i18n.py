"""The English catalog (locale/en/LC_MESSAGES/django.po): complete, consistent, current, and actually served.

Vietnamese is the source language: every msgid is the Vietnamese text, and English comes from this catalog.

* **Complete and consistent** — every entry has a translation (every plural form), no entry (nor the header) is
  ``fuzzy``, and the placeholders of each translation are those of its msgid (``%(name)s`` … for
  ``python-format`` entries; leading and trailing whitespace too).
* **Current** — a simplified staleness check that does not need xgettext: the msgids are extracted from the same
  source the ``makemessages`` command reads, and each must be in the catalog (and each catalog entry must still
  be in the source). Python: ``ast`` finds calls of ``_``, ``gettext``, ``gettext_lazy``, ``gettext_noop``,
  ``ngettext(_lazy)``, ``pgettext(_lazy)``, ``npgettext(_lazy)`` (plain names or attributes, e.g.
  ``translation.gettext``) whose message arguments are string literals. Templates: Django's own ``templatize``
  (the front end ``makemessages`` feeds to xgettext) turns ``{% trans %}``/``{% translate %}`` and
  ``{% blocktrans %}``/``{% blocktranslate %}`` (``count``, ``context``, ``trimmed``) into gettext calls.
  Limits: only ``SOURCE_DIRS`` and ``TEMPLATE_DIRS`` are read (``makemessages`` walks the whole project; the root
  ``manage.py`` holds no strings today); a message that is not a literal (a variable, an f-string, a string built
  at run time) is invisible here, as it is to xgettext; other aliases of the gettext functions are not
  recognised; JavaScript (``djangojs``) is not checked — the project has no JavaScript strings; ``templatize``
  is internal to Django (``django.utils.translation.template``): an upgrade may move it. When this test
  fails, run ``manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=test-artifacts --ignore=tests
  --ignore=bench --ignore=docs`` and translate what it adds (and drop no longer used entries).
* **Served** — the compiled catalog gives every msgid its translation, and the login page asked for in English
  (the ``set_language`` cookie) is in English. The ``.mo`` is compiled here when missing or older than the
  ``.po``, into the source tree, as ``scripts/bootstrap.sh`` does at install.
"""

import ast
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from .conftest import skip_or_fail

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

SOURCE_DIRS = ("accounts", "competition", "scoring", "nominations", "workflows", "config")
TEMPLATE_DIRS = ("templates",)
TEMPLATE_SUFFIXES = (".html", ".txt")


# --- A tiny .po reader ------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a plain msgstr; msgstr[n] otherwise
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    assert len(text) >= 2 and text[0] == text[-1] == '"', f"not a quoted PO string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Every entry of ``path``, the header (msgid "") included; obsolete (``#~``) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: str | None = None  # the keyword the current (continued) string belongs to
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword, index, value = match[1], match[2], _unquote(match[3])
            if keyword.startswith("msgstr"):
                target = f"msgstr{int(index or 0)}"
                entry.msgstr[int(index or 0)] = value
            else:
                target = keyword
                setattr(entry, keyword, value)
        elif line.startswith('"') and target is not None:
            value = _unquote(line)
            if target.startswith("msgstr"):
                entry.msgstr[int(target[6:])] += value
            else:
                setattr(entry, target, getattr(entry, target) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run manage.py makemessages -l en (see this module's docstring)"
    return parse_po(PO)


@pytest.fixture(scope="module")
def catalog(entries) -> list[Entry]:
    return [e for e in entries if e.msgid != "" or e.msgctxt is not None]


# --- (a) complete and consistent --------------------------------------------------------------------------

PYTHON_FORMAT = re.compile(r"%(?:\([^)]*\))?[#0+\- ]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
NAMED = re.compile(r"%\([^)]*\)[diouxXeEfFgGcrsa]")


def _placeholders(entry: Entry, text: str) -> list[str]:
    pattern = PYTHON_FORMAT if "python-format" in entry.flags else NAMED
    return sorted(pattern.findall(text))


def _edges(text: str) -> tuple[str, str]:
    return (text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :])


def test_the_header_is_english_with_two_plural_forms(entries):
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_message_is_translated_and_none_is_fuzzy(catalog):
    assert catalog, "the catalog has no messages"
    problems = []
    for e in catalog:
        where = f"line {e.line}: {e.msgid!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{where} is fuzzy")
        expected = [0, 1] if e.msgid_plural is not None else [0]
        if sorted(e.msgstr) != expected:
            problems.append(f"{where} has msgstr forms {sorted(e.msgstr)}, expected {expected}")
        if any(not text.strip() for text in e.msgstr.values()):
            problems.append(f"{where} has an empty translation")
    assert not problems, "\n".join(problems)


def test_translations_keep_placeholders_and_surrounding_whitespace(catalog):
    problems = []
    for e in catalog:
        sources = {0: e.msgid, 1: e.msgid_plural if e.msgid_plural is not None else e.msgid}
        for index, text in e.msgstr.items():
            source = sources.get(index, sources[1])
            if _placeholders(e, source) != _placeholders(e, text):
                problems.append(
                    f"line {e.line}: placeholders of {source!r} {_placeholders(e, source)} "
                    f"!= msgstr[{index}] {_placeholders(e, text)}"
                )
            if _edges(source) != _edges(text):
                problems.append(f"line {e.line}: leading/trailing whitespace of {source!r} differs in msgstr")
    assert not problems, "\n".join(problems)


# --- (b) current: the msgids of the source are the catalog's ----------------------------------------------


@dataclass(frozen=True)
class Found:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    where: str

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


# function name → positions of (context, singular, plural) among the arguments; None: not used
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _literal(args: list, index: int | None) -> str | None:
    if index is None or index >= len(args):
        return None
    node = args[index]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_messages(path: Path) -> list[Found]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        context, singular, plural = KEYWORDS[name]
        msgid = _literal(node.args, singular)
        if msgid is None or (context is not None and _literal(node.args, context) is None):
            continue  # not a literal: xgettext cannot see it either
        found.append(
            Found(
                _literal(node.args, context),
                msgid,
                _literal(node.args, plural),
                f"{path.relative_to(ROOT)}:{node.lineno}",
            )
        )
    return found


_STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_CALL = re.compile(rf"\b(gettext|ngettext|pgettext|npgettext|_)\(\s*((?:{_STRING}\s*,?\s*)+)")


def template_messages(path: Path) -> list[Found]:
    """``templatize`` writes gettext(u'…'), ngettext(u'…', u'…', count), pgettext(u'c', u'…'), _("…")."""
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = []
    for match in _CALL.finditer(text):
        strings = [ast.literal_eval(s) for s in re.findall(_STRING, match[2])]
        context, singular, plural = KEYWORDS[match[1]]
        line = text.count("\n", 0, match.start()) + 1
        found.append(
            Found(
                strings[context] if context is not None else None,
                strings[singular],
                strings[plural] if plural is not None and plural < len(strings) else None,
                f"{path.relative_to(ROOT)}:{line}",
            )
        )
    return found


def source_messages() -> list[Found]:
    found = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            found += python_messages(path)
    for folder in TEMPLATE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES:
                found += template_messages(path)
    return found


def test_the_extractor_sees_trans_blocktrans_and_python_calls():
    """Guards the staleness check itself: if it found nothing, it would pass for a wrong reason."""
    found = {f.msgid for f in source_messages()}
    assert "Đăng nhập" in found  # {% trans %} in registration/login.html
    assert "Xin chào, %(name)s" in found  # {% blocktrans with %} in competition/home.html
    assert "Tệp có %(n)s lỗi. Chưa ghi gì: sửa các dòng dưới đây trong tệp rồi tải lên lại." in found  # count
    assert "Tiếng Việt" in found  # gettext_lazy in config/settings.py


def test_every_message_of_the_source_is_in_the_catalog(catalog):
    by_key = {e.key: e for e in catalog}
    missing = []
    for f in source_messages():
        entry = by_key.get(f.key)
        if entry is None:
            missing.append(f"{f.where}: {f.msgid!r} is not in {PO.relative_to(ROOT)}")
        elif f.msgid_plural is not None and entry.msgid_plural != f.msgid_plural:
            missing.append(f"{f.where}: the plural {f.msgid_plural!r} is not the catalog's {entry.msgid_plural!r}")
    assert not missing, "the catalog is stale (see the module docstring):\n" + "\n".join(missing)


def test_every_message_of_the_catalog_is_still_used(catalog):
    used = {f.key for f in source_messages()}
    unused = [f"line {e.line}: {e.msgid!r}" for e in catalog if e.key not in used]
    assert not unused, "the catalog has entries the source no longer uses (run makemessages):\n" + "\n".join(unused)


# --- (c) served: the compiled catalog ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled() -> Path:
    """The .mo, compiled (into the source tree, as bootstrap does) when missing or older than the .po."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            skip_or_fail("msgfmt (Debian package gettext) is missing: cannot compile the English catalog")
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(ROOT)  # compilemessages also walks the working directory: never into .venv
            call_command(
                "compilemessages",
                locale=["en"],
                ignore_patterns=[".venv", "var", "node_modules", "test-artifacts"],
                verbosity=0,
                stdout=io.StringIO(),
            )
        assert MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime
    # Catalogs are cached per process: forget any loaded before the .mo was (re)built.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    import gettext as gettext_module

    gettext_module._translations.clear()  # Python's gettext caches each .mo by path: drop the stale one too
    return MO


def test_the_compiled_catalog_gives_every_translation(compiled, catalog):
    wrong = []
    with translation.override("en"):
        for e in catalog:
            if e.msgid_plural is not None:
                for n, index in ((1, 0), (2, 1)):
                    got = (
                        translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                        if e.msgctxt is not None
                        else translation.ngettext(e.msgid, e.msgid_plural, n)
                    )
                    if got != e.msgstr[index]:
                        wrong.append(f"line {e.line} (n={n}): {got!r} != {e.msgstr[index]!r}")
            else:
                got = (
                    translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else translation.gettext(e.msgid)
                )
                if got != e.msgstr[0]:
                    wrong.append(f"line {e.line}: {got!r} != {e.msgstr[0]!r}")
    assert not wrong, f"{MO.relative_to(ROOT)} is out of date (run compilemessages):\n" + "\n".join(wrong)


def test_the_login_page_is_in_english_with_the_language_cookie(compiled, catalog, client, db):
    english = {e.msgid: e.msgstr[0] for e in catalog if e.msgid_plural is None and e.msgctxt is None}
    assert english["Đăng nhập"] == "Log in"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for vietnamese in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Ngôn ngữ"):
        assert english[vietnamese] in page
        assert vietnamese not in page


def test_the_login_page_stays_vietnamese_without_the_cookie(compiled, client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Log in" not in page
