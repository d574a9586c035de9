"""Checks every uploaded Office file (DOCX, XLSX: zip archives) passes before anything opens it (issue 8 item 5).

A zip bomb is a small archive that inflates to gigabytes: a reader that trusts it (python-calamine, openpyxl,
python-docx) fills the memory of the web process. An archive is refused when, by its own directory:

- it holds more than ``THIDUA_ZIP_MAX_MEMBERS`` members (default 10,000);
- its members inflate to more than ``THIDUA_ZIP_MAX_INFLATED_BYTES`` in all (default 200 MB);
- one member inflates more than ``THIDUA_ZIP_MAX_RATIO`` times its compressed size (default 200; real spreadsheets
  compress about 5 to 20 times, an XML of one repeated character thousands of times) once it is over 1 MB.

Python's own ``zipfile`` never reads past a member's declared size, so an archive lying about its sizes cannot
inflate past them through it either.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

RATIO_FLOOR_BYTES = 1024 * 1024  # below this, any ratio is harmless (and tiny XML parts compress very well)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def zip_problem(content: bytes, filename: str) -> str | None:
    """Why the zip archive ``content`` (an uploaded DOCX or XLSX named ``filename``) must not be opened, in
    Vietnamese, or None when it looks sane or is not a zip archive at all (the caller's own format check says so).
    No side effects."""
    if not content.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a readable archive: the format check of the caller reports it
    max_members = _limit("THIDUA_ZIP_MAX_MEMBERS", 10_000)
    max_inflated = _limit("THIDUA_ZIP_MAX_INFLATED_BYTES", 200 * 1024 * 1024)
    max_ratio = _limit("THIDUA_ZIP_MAX_RATIO", 200)
    if len(members) > max_members:
        return _(
            "Tệp “%(f)s” có %(n)s thành phần, quá nhiều cho một tệp Office (tối đa %(max)s): không mở tệp này."
        ) % {
            "f": filename,
            "n": len(members),
            "max": max_members,
        }
    inflated = sum(m.file_size for m in members)
    if inflated > max_inflated:
        return _(
            "Tệp “%(f)s” khi giải nén lên tới %(mb)s MB (tối đa %(max)s MB): có thể là tệp độc hại (zip bomb), không "
            "mở tệp này. Hãy lưu lại bảng tính hoặc văn bản bằng Excel, Word hoặc LibreOffice rồi tải lên lại."
        ) % {"f": filename, "mb": inflated // (1024 * 1024), "max": max_inflated // (1024 * 1024)}
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > max_ratio * max(member.compress_size, 1):
            return _(
                "Tệp “%(f)s”: thành phần “%(part)s” nén bất thường (%(ratio)s lần): có thể là tệp độc hại (zip bomb), "
                "không mở tệp này."
            ) % {"f": filename, "part": member.filename, "ratio": member.file_size // max(member.compress_size, 1)}
    return None
