"""PDF through headless LibreOffice, and PNG previews of PDF pages through PDFium.

:func:`convert_to_pdf` runs ``soffice --convert-to pdf`` on a copy of the document in a
private temporary folder, with a LibreOffice profile of its own (``-env:UserInstallation``):
a profile is locked by the instance using it, so a shared one would make concurrent
conversions, or a person's open LibreOffice, collide or hand the work to the wrong
instance. LibreOffice runs in its own process group, which is killed whole when it ends
or times out (``soffice`` is a launcher that starts ``soffice.bin``; killing the launcher
alone would leave the converter running). Its temporary files go into the same folder (``TMPDIR``), and
the folder is removed whatever happens.

LibreOffice converts almost anything it is given: bytes that are not a Word file come out
as a PDF of their text. The container is therefore checked first (a zip with the parts an
Office Open XML or OpenDocument file has, an OLE2 file for the old binary formats).

PDFium is not thread-safe, so every call into it holds one lock.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from workbench.errors import ConversionError, InvalidInputError

EXECUTABLES = ("soffice", "libreoffice")
"""Names LibreOffice's command goes by, tried in this order."""

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUFFIXES = {
    ".docx": "ooxml",
    ".xlsx": "ooxml",
    ".pptx": "ooxml",
    ".odt": "odf",
    ".ods": "odf",
    ".odp": "odf",
    ".doc": "ole2",
    ".xls": "ole2",
    ".ppt": "ole2",
    ".rtf": "rtf",
}
"""Document types :func:`convert_to_pdf` takes, by suffix, with the container each must be."""

MAX_PAGES = 100
"""Pages :func:`pdf_pages_png` renders at most in one call."""

# PDFium keeps global state and is not thread-safe (pypdfium2's documentation).
_PDFIUM = threading.Lock()


def libreoffice() -> str | None:
    """LibreOffice's command-line executable.

    Returns
    -------
    str or None
        The path of ``soffice`` (or ``libreoffice``) found on ``PATH``; None when
        LibreOffice is not installed.
    """
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_pdf(data: bytes, suffix: str = ".docx", timeout: float = 180.0) -> bytes:
    """A document converted to PDF by headless LibreOffice.

    Parameters
    ----------
    data : bytes
        The document: Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt),
        OpenDocument (.odt, .ods, .odp) or RTF. A workbook prints every sheet.
    suffix : str
        The document's type, one of :data:`SUFFIXES` (any case).
    timeout : float
        Seconds LibreOffice may take, start-up included (1.2-2 s for a small document
        here, about 4 s the first time after boot); past it LibreOffice is killed.

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    ConversionError
        LibreOffice is not installed, timed out, failed, or wrote no PDF, or ``data`` is not
        a document of the type ``suffix`` names. Nothing is left behind in any case.
    InvalidInputError
        ``data`` is not bytes, ``suffix`` is not one of :data:`SUFFIXES`, or ``timeout`` is
        not a positive number.
    """
    data = _bytes(data, "document")
    if not isinstance(suffix, str) or suffix.lower() not in SUFFIXES:
        raise InvalidInputError(
            f"Cannot convert {suffix!r} documents; one of {', '.join(SUFFIXES)} is needed."
        )
    suffix = suffix.lower()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InvalidInputError(
            f"The timeout must be a positive number of seconds; got {timeout!r}."
        )
    _check_container(data, suffix)
    executable = libreoffice()
    if executable is None:
        raise ConversionError(
            "LibreOffice is not installed (no soffice command), so no PDF can be made."
        )
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-") as folder:
        root = Path(folder)
        source = root / f"document{suffix}"
        source.write_bytes(data)
        (root / "out").mkdir()
        (root / "tmp").mkdir()
        command = [
            executable,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(root / "out"),
            str(source),
        ]
        env = dict(os.environ, TMPDIR=str(root / "tmp"))  # its temporary files die with ours
        output = _run(command, timeout, env, root / "output.log")
        target = root / "out" / "document.pdf"
        if not target.is_file():
            detail = _last_line(output)
            raise ConversionError(
                f"LibreOffice made no PDF of the {suffix} document"
                + (f": {detail}" if detail else ".")
            )
        pdf = target.read_bytes()
    if not pdf.startswith(b"%PDF"):
        raise ConversionError(
            f"LibreOffice wrote something that is not a PDF for the {suffix} document."
        )
    return pdf


def page_count(pdf: bytes) -> int:
    """Pages in a PDF.

    Parameters
    ----------
    pdf : bytes

    Returns
    -------
    int
        At least 1 (PDFium refuses a PDF without pages).

    Raises
    ------
    ConversionError
        The PDF is damaged, encrypted or not a PDF.
    InvalidInputError
        ``pdf`` is not bytes.
    """
    pdf = _bytes(pdf, "PDF")
    with _PDFIUM:
        document = _open(pdf)
        try:
            return len(document)
        finally:
            document.close()


def pdf_pages_png(pdf: bytes, pages: int = 2, width_px: int = 800) -> list[bytes]:
    """PNG previews of a PDF's first pages.

    Parameters
    ----------
    pdf : bytes
    pages : int
        How many pages from the first (1 to :data:`MAX_PAGES`); a shorter PDF gives all
        of its pages.
    width_px : int
        Width of each image in pixels (16 to 10,000); the height keeps the page's
        proportions (an A4 page 800 px wide is 1,131 px high).

    Returns
    -------
    list of bytes
        One PNG (RGB, white background, no metadata) per page, in page order.

    Raises
    ------
    ConversionError
        The PDF is damaged, encrypted or not a PDF, or a page cannot be drawn.
    InvalidInputError
        ``pdf`` is not bytes, or ``pages`` or ``width_px`` is out of range.
    """
    pdf = _bytes(pdf, "PDF")
    _whole(pages, "pages", 1, MAX_PAGES)
    _whole(width_px, "width_px", 16, 10_000)
    import pypdfium2 as pdfium

    images = []
    with _PDFIUM:
        document = _open(pdf)
        try:
            for index in range(min(pages, len(document))):
                page = document[index]
                try:
                    width = page.get_width()  # PDF points
                    if not width > 0:
                        raise ConversionError(f"Page {index + 1} of the PDF has no width.")
                    bitmap = page.render(
                        scale=width_px / width, fill_color=(255, 255, 255, 255), rev_byteorder=True
                    )
                    picture = bitmap.to_pil().convert("RGB")  # a copy: safe past close()
                    bitmap.close()
                except pdfium.PdfiumError as error:
                    raise ConversionError(
                        f"Page {index + 1} of the PDF cannot be drawn: {error}"
                    ) from error
                finally:
                    page.close()
                images.append(picture)
        finally:
            document.close()
    return [_png(picture, width_px) for picture in images]


# -- helpers --------------------------------------------------------------------------------


def _bytes(data: Any, what: str) -> bytes:
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if not isinstance(data, bytes):
        raise InvalidInputError(f"The {what} must be bytes; got {type(data).__name__}.")
    return data


def _whole(value: Any, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInputError(
            f"{name} must be a whole number from {low:,} to {high:,}; got {value!r}."
        )


def _check_container(data: bytes, suffix: str) -> None:
    """Refuse bytes that are not a document of ``suffix``'s type (LibreOffice would print
    them as text rather than fail)."""
    kind = SUFFIXES[suffix]
    wrong = f"The {suffix} document is not a valid {suffix} file"
    if kind == "ole2" and not data.startswith(_OLE2):
        raise ConversionError(f"{wrong} (not an OLE2 compound file).")
    if kind == "rtf" and not data.lstrip()[:5] == b"{\\rtf":
        raise ConversionError(f"{wrong} (no RTF header).")
    if kind not in ("ooxml", "odf"):
        return
    if not data.startswith(_ZIP):
        raise ConversionError(f"{wrong} (not a zip container).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip()  # CRC of every part
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise ConversionError(f"{wrong} (damaged zip container: {error}).") from error
    if damaged is not None:
        raise ConversionError(f"{wrong} (its part {damaged} is damaged).")
    needed = "[Content_Types].xml" if kind == "ooxml" else "content.xml"
    if needed not in names:
        raise ConversionError(f"{wrong} (no {needed} part).")


def _run(command: list[str], timeout: float, env: dict[str, str], log: Path) -> str:
    """Run ``command`` in a process group of its own, its output going to ``log``; return
    that output. The whole group is killed once the command ends or times out, so nothing
    it started outlives the call."""
    deadline = time.monotonic() + timeout
    try:
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group, killed whole below
            )
    except OSError as error:
        raise ConversionError(
            f"LibreOffice could not be started: {error.strerror or error}."
        ) from error
    finished = False
    try:
        # Wait without reaping (WNOWAIT): while the launcher is an unreaped zombie its
        # group id cannot be handed to another process, so the kill below hits only ours.
        while not finished:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            try:
                finished = os.waitid(os.P_PID, process.pid, flags) is not None
            except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): it has ended
                finished = True
            left = deadline - time.monotonic()
            if not finished and left <= 0:
                break
            if not finished:
                time.sleep(min(0.05, left))
    finally:  # a timeout, a KeyboardInterrupt, or done: a helper it started may still run
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    if not finished:
        raise ConversionError(
            f"LibreOffice took longer than {timeout:g} s to convert the document and was stopped."
        )
    text = log.read_bytes().decode("utf-8", "replace")
    if process.returncode != 0:
        detail = _last_line(text)
        raise ConversionError(
            f"LibreOffice failed (exit code {process.returncode})"
            + (f": {detail}" if detail else ".")
        )
    return text


def _last_line(output: str) -> str:
    """The last line of LibreOffice's output that says something, on one line (its noise
    about Java is left out)."""
    lines = [
        " ".join(line.split())
        for line in output.splitlines()
        if line.strip() and "javaldx" not in line and not line.startswith("convert ")
    ]
    return lines[-1][:200] if lines else ""


def _open(pdf: bytes):
    """A PDFium document of ``pdf``; the caller holds :data:`_PDFIUM` and closes it."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise ConversionError(f"The PDF is damaged or cannot be read: {error}") from error


def _png(picture, width_px: int) -> bytes:
    # The scale rounds to whole pixels; the width asked for is the width given.
    if picture.width != width_px:
        height = max(1, round(picture.height * width_px / picture.width))
        picture = picture.resize((width_px, height))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
