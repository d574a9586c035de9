"""PDF copies of the DOCX documents the product renders (decision, submission letter, council minutes), made by
LibreOffice Writer headless where it is installed (Debian: ``libreoffice-writer-nogui``, installed by
scripts/bootstrap.sh). Where it is not, :func:`pdf_available` is False and the pages offer the DOCX only.

Each conversion runs in a fresh temporary directory with a private LibreOffice user profile inside it
(``-env:UserInstallation=file:///…``): two conversions never share a profile, whose lock would make the second one
fail or hand its file to the first's process, and running as root does not touch ``~/.config``. The input filter is
forced to Word 2007-365 (``--infilter``), so that bytes which are not a DOCX fail to load instead of being imported
as plain text. LibreOffice exits 0 even when it cannot load the file: success is a written file that starts with
``%PDF-``. Conversions are serialised within a process (one LibreOffice at a time: each takes a few hundred MB).

The engine's module: it imports no domain app and knows nothing of the documents it converts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

PDF_MIME = "application/pdf"
DOCX_FILTER = "MS Word 2007 XML"  # LibreOffice's import filter for .docx
_lock = threading.Lock()


class PdfUnavailable(RuntimeError):
    """LibreOffice (``soffice``) is not installed, or ``THIDUA_SOFFICE`` names a binary that does not exist."""


class PdfConversionFailed(RuntimeError):
    """LibreOffice ran but gave no PDF: non-zero exit, timeout, unreadable input, or no (or no valid) output."""


def soffice_path() -> str | None:
    """The LibreOffice binary: ``settings.THIDUA_SOFFICE`` when set (a name on PATH or a path; nothing else is
    tried then), otherwise ``soffice`` or ``libreoffice`` on PATH; None when there is none."""
    configured = getattr(settings, "THIDUA_SOFFICE", "")
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether :func:`docx_to_pdf` can run here (the pages offer PDF links only then)."""
    return soffice_path() is not None


def docx_to_pdf(content: bytes, *, timeout: int = 120) -> bytes:
    """The PDF rendering of the DOCX ``content``. ``timeout`` (seconds) bounds the wait for the lock and the run
    of LibreOffice, which is killed (its whole process group) when it is exceeded.

    Raises :class:`PdfUnavailable` when LibreOffice is not installed, :class:`PdfConversionFailed` otherwise."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("LibreOffice (soffice) is not installed; set THIDUA_SOFFICE or install it")
    if not _lock.acquire(timeout=timeout):
        raise PdfConversionFailed(f"another PDF conversion still runs after {timeout} s")
    try:
        with tempfile.TemporaryDirectory(prefix="thidua-pdf-") as tmp:
            work = Path(tmp)
            source, outdir = work / "document.docx", work / "out"
            source.write_bytes(content)
            command = [
                binary,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"--infilter={DOCX_FILTER}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(source),
            ]
            returncode, output = _run(command, cwd=work, timeout=timeout)
            result = outdir / "document.pdf"
            pdf = result.read_bytes() if result.is_file() else b""
    finally:
        _lock.release()
    if returncode != 0:
        raise _failed(f"LibreOffice exited with status {returncode}", output)
    if not pdf:
        raise _failed("LibreOffice wrote no PDF (the input is not a readable DOCX?)", output)
    if not pdf.startswith(b"%PDF-"):
        raise _failed("LibreOffice's output is not a PDF", output)
    return pdf


def _run(command: list[str], *, cwd: Path, timeout: int) -> tuple[int, str]:
    """Run ``command`` in a session of its own (``soffice`` is a script that starts ``soffice.bin``): on timeout
    the whole process group is killed, not only the script. Returns the exit status and the merged output."""
    env = {**os.environ, "HOME": str(cwd)}  # nothing of the real home: the profile lives in ``cwd`` too
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise PdfConversionFailed(f"LibreOffice cannot start ({command[0]}): {exc}") from exc
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise _failed(f"LibreOffice did not finish within {timeout} s", "") from exc
    return process.returncode, output.decode("utf-8", "replace").strip()


def _failed(reason: str, output: str) -> PdfConversionFailed:
    message = f"{reason}: {output}" if output else reason
    logger.warning("PDF conversion failed: %s", message)
    return PdfConversionFailed(message)
