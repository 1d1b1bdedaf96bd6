"""Guarded reading of untrusted spreadsheets: xlsx workbooks and zips of CSV files.

calamine (which fastexcel wraps, reading sheets straight into Arrow) reads fast but trusts
the file: a single cell at XFD1048576 makes it allocate a dense grid of 17 billion cells and
abort the process, and a zip bomb makes it inflate gigabytes. Everything here checks the
container first, so that hostile input ends in :class:`~workbench.errors.ImportRejectedError`
within a fraction of a second; no sheet reaches calamine before its geometry check passed.
"""

from __future__ import annotations

import csv
import io
import logging
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import fastexcel
import numpy as np
import pyarrow
import pyarrow.compute
from defusedxml import ElementTree

from workbench.errors import ImportRejectedError

# fastexcel logs a warning for every column that mixes types (read as text, as intended).
logging.getLogger("fastexcel").setLevel(logging.ERROR)

# What a damaged zip can raise while it is opened or inflated.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
)

MAX_FILE_BYTES = 512 * 2**20
"""Largest file accepted (bytes). A 20,000-VM RVTools export is about 40 MiB."""
MAX_MEMBER_BYTES = 1024 * 2**20
"""Largest inflated part of a zip (bytes)."""
MAX_TOTAL_BYTES = 3 * 1024 * 2**20
"""Largest sum of inflated parts (bytes)."""
MAX_RATIO = 150
"""Largest compression ratio of a part over 1 MiB; real xlsx sheets stay under 30."""
MAX_CELLS = 30_000_000
"""Largest grid (rows x columns) one sheet may span; calamine allocates it densely."""

_XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell tag that does not begin with a plain reference (<c r="...), or a reference that
# could stretch the grid (3+ letters, a column from HA (208) on, a row of 6+ digits, or
# anything but letters first), in any form XML allows (either quotes, spaces around "=",
# lower case, any attribute order, any namespace prefix: calamine reads them all). Without
# one, a sheet spans at most 99,999 x 208 cells (under MAX_CELLS); honest exports never
# match, so the exact measure rarely runs. Written for RE2 (Arrow's regex engine: linear
# time, and it runs without the GIL) and Python's re alike.
_LOOSE_CELL = r'<(?:[\w.-]+:)?c(?:>|/>|\s+(?:[^r\s]|r[^=]|r=[^"]))'
_FAR_CELL = (
    r"<(?:[\w.-]+:)?c(?:\s[^>]*?)?\sr\s*=\s*[\"']\s*(?i:[a-z]{3}|[h-z][a-z]|[a-z]{0,2}\d{6}|[^a-z])"
)
_ODD_CELL = f"{_LOOSE_CELL}|{_FAR_CELL}"
_LOOSE_RE = re.compile(_LOOSE_CELL.encode())
_CELL_REF = re.compile(rb'<(?:[\w.-]+:)?c\s+r="([A-Za-z]*)(\d*)"')
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\s*([A-Za-z]*)(\d*)")
_WINDOW = 8 * 2**20
"""Bytes of sheet XML scanned at a time while it inflates."""
_LONGEST_TAG = 2**16
"""A tag running longer than this across a window's end sends the sheet to the exact measure."""


def _measure(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of a sheet's grid as calamine would build it."""
    if _LOOSE_RE.search(xml):
        return sheet_extent(xml)
    # Every cell begins with its reference, so rows move nothing: the references alone
    # bound the grid.
    return _referenced_extent(xml)


def _referenced_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of a sheet whose cells all begin with references: the largest of them."""
    refs = _CELL_REF.findall(xml)
    if not refs:
        return 0, 0
    letters = {ref[0] for ref in refs}
    rows = {ref[1] for ref in refs}
    return max(int(r or 0) for r in rows), max(map(column_number, letters))


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of the grid calamine would build for a worksheet's XML."""
    row = col = max_row = max_col = 0
    for tag, attributes in _TAG.findall(xml):
        ref = _REF.search(attributes)
        if tag == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
            continue
        if ref and ref.group(1):
            col = column_number(ref.group(1))
            row = int(ref.group(2)) if ref.group(2) else row
        else:
            col += 1
        max_row = max(max_row, row)
        max_col = max(max_col, col)
    return max_row, max_col


def column_number(letters: bytes | str) -> int:
    """1-based column number of an A1-style column (``'A'`` -> 1, ``'XFD'`` -> 16384)."""
    number = 0
    for char in (letters if isinstance(letters, str) else letters.decode()).upper():
        number = number * 26 + ord(char) - 64
    return number


def _has_odd_cell(window: bytes) -> bool:
    """Whether :data:`_ODD_CELL` matches in ``window`` (RE2, zero-copy, GIL released)."""
    offsets = pyarrow.py_buffer(np.array([0, len(window)], dtype=np.int32))
    text = pyarrow.Array.from_buffers(
        pyarrow.binary(), 1, [None, offsets, pyarrow.py_buffer(window)]
    )
    return bool(pyarrow.compute.match_substring_regex(text, _ODD_CELL)[0].as_py())


def _plainly_small(archive: zipfile.ZipFile, part: str) -> bool:
    """True when a sheet's XML, streamed as it inflates, has no odd cell (see
    :data:`_ODD_CELL`): then its grid is small by construction. Reading to the end also
    checks the part's CRC. False means: measure it exactly."""
    try:
        with archive.open(part) as stream:
            tail = b""
            while chunk := stream.read(_WINDOW):
                window = tail + chunk
                if _has_odd_cell(window):
                    return False
                # Carry the last, possibly cut, tag into the next window.
                cut = window.rfind(b"<")
                if len(window) - max(cut, 0) > _LONGEST_TAG:
                    return False
                tail = window[max(cut, 0) :]
    except _ZIP_ERRORS as exc:
        raise ImportRejectedError(f"Part {part!r} of the file is damaged: {exc}") from None
    return True


def sniff(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    """Tell an xlsx workbook from a zip of CSV files from a single CSV file.

    Returns
    -------
    (kind, archive)
        ``kind`` is 'xlsx', 'csv-zip' or 'csv'; ``archive`` the checked zip (None for CSV),
        to hand to :class:`XlsxBook` or :func:`csv_members` rather than opening it again.

    Raises
    ------
    ImportRejectedError
        The bytes are none of these (empty, truncated zip, another binary format).
    """
    if not data:
        raise ImportRejectedError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejectedError(
            f"The file is {len(data) / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB."
        )
    if data[:4] == b"PK\x03\x04":
        archive = open_zip(data)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return "xlsx", archive
        if any(name.lower().endswith(".csv") for name in names):
            return "csv-zip", archive
        raise ImportRejectedError("The zip holds neither an xlsx workbook nor CSV files.")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejectedError(
            "This is an old binary Excel file (.xls); save it as .xlsx or export CSV files."
        )
    head = data[:4096]
    if b"\x00" in head.lstrip(b"\xff\xfe\xef\xbb\xbf") and not head.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        raise ImportRejectedError("The file is neither an xlsx workbook nor CSV text.")
    return "csv", None


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after checking it is whole and not a bomb.

    Raises
    ------
    ImportRejectedError
        Truncated or damaged archive, oversized or over-compressed parts.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise ImportRejectedError(
            f"The file is not a readable zip (truncated or damaged): {exc}"
        ) from None
    total = 0
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise ImportRejectedError(
                f"Part {member.filename!r} inflates to {member.file_size / 2**20:.0f} MiB; "
                "this looks like a zip bomb."
            )
        if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ImportRejectedError(
                f"Part {member.filename!r} is compressed {member.file_size // max(member.compress_size, 1)}:1; "
                "this looks like a zip bomb."
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise ImportRejectedError(
            f"The zip inflates to {total / 2**20:.0f} MiB; this looks like a zip bomb."
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """Inflate one part; zipfile stops at the declared size and checks the CRC, so a part
    that lies about its size is caught here rather than in calamine."""
    try:
        return archive.read(name)
    except _ZIP_ERRORS as exc:
        raise ImportRejectedError(f"Part {name!r} of the file is damaged: {exc}") from None


@dataclass
class RawSheet:
    """One sheet as read, before any typing: its header texts and its data columns.

    Attributes
    ----------
    headers : list of str
        The header row's texts, as written (a blank header is '').
    columns : list of pyarrow.Array
        One array per header, the data rows only. From xlsx, each column has the type
        fastexcel found for all its cells (double, string, bool, timestamp, ...; a column
        mixing types is string); from CSV, every column is text.
    """

    headers: list[str]
    columns: list[pyarrow.Array]

    @property
    def rows(self) -> int:
        """Data rows (header excluded)."""
        return len(self.columns[0]) if self.columns else 0


_UNNAMED = re.compile(r"__UNNAMED__\d+")
_ALIAS = re.compile(r"(.*)_(\d+)")


class XlsxBook:
    """An xlsx workbook checked part by part before fastexcel (calamine) reads a sheet."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile | None = None):
        self._data = data
        self._zip = archive or open_zip(data)
        self._parts = self._sheet_parts()  # inflates workbook.xml and its relations
        # Other parts calamine reads when it opens the workbook: inflate them once here, so
        # one that lies about its size fails our CRC check rather than inflating in calamine.
        for name in ("xl/sharedStrings.xml", "xl/styles.xml"):
            if name in self._zip.namelist():
                read_member(self._zip, name)
        self._book = None  # opened by the first parse, in the parser thread

    def _reader(self):
        if self._book is None:
            try:
                self._book = fastexcel.read_excel(self._data)
            except BaseException as exc:
                _calamine_failure(exc)
                raise ImportRejectedError(f"The workbook cannot be read: {_plain(exc)}") from None
        return self._book

    @property
    def sheet_names(self) -> list[str]:
        """Sheet names in workbook order."""
        return list(self._parts)

    def _sheet_parts(self) -> dict[str, str]:
        try:
            workbook = ElementTree.fromstring(read_member(self._zip, "xl/workbook.xml"))
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = ElementTree.fromstring(read_member(self._zip, rels_name))
        except ImportRejectedError:
            raise
        except Exception as exc:
            raise ImportRejectedError(f"The workbook's index is damaged: {exc}") from None
        targets = {
            rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")
        }
        parts: dict[str, str] = {}
        for sheet in workbook.iter(f"{_XLSX_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "")
            path = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            )
            parts[sheet.get("name", "")] = path
        return parts

    def check_sheet(self, name: str) -> None:
        """Refuse a sheet whose cells span more than :data:`MAX_CELLS`, whatever its
        ``<dimension>`` says (calamine ignores a lying dimension but not a far cell).

        Cheap tests first, on the sheet's XML as it inflates (never held whole): every cell
        starts with its reference, and no reference is far out. Only a sheet failing one of
        them is inflated whole and measured exactly, the way calamine places cells (a cell
        or row without a reference follows the previous one).
        """
        part = self._parts[name]
        if part not in self._zip.namelist():
            raise ImportRejectedError(f"Sheet {name!r} is listed but its part {part!r} is missing.")
        if _plainly_small(self._zip, part):
            return
        max_row, max_col = _measure(read_member(self._zip, part))
        if max_row * max_col > MAX_CELLS:
            raise ImportRejectedError(
                f"Sheet {name!r} spans {max_row:,} rows x {max_col:,} columns "
                f"(a cell far outside the data); refusing to read it."
            )

    def _parse(self, name: str) -> RawSheet:
        """Read one vetted sheet with fastexcel: every row's cells typed column by column
        (all rows sampled; a column mixing types comes as text)."""
        reader = self._reader()
        as_text: dict[str, str] = {}
        while True:
            try:
                batch = reader.load_sheet(
                    name,
                    header_row=0,
                    schema_sample_rows=None,
                    dtype_coercion="coerce",
                    dtypes=as_text or None,
                    eager=True,
                )
                break
            except BaseException as exc:
                _calamine_failure(exc)
                # fastexcel refuses some mixes (durations and text); read that column as text.
                column = _UNSUPPORTED_MIX.search(str(exc))
                if column is None or column.group(1) in as_text:
                    raise ImportRejectedError(
                        f"Sheet {name!r} cannot be read: {_plain(exc)}"
                    ) from None
                as_text[column.group(1)] = "string"
        names = batch.schema.names
        headers = self._headers(reader, name, names)
        columns = [batch.column(i) for i in range(batch.num_columns)]
        return RawSheet(headers, columns)

    @staticmethod
    def _headers(reader, name: str, names: list[str]) -> list[str]:
        """The header texts behind fastexcel's column names: it names a blank header
        ``__UNNAMED__<i>`` and a repeated one ``<name>_<n>``. Only when a name could be
        either a repeat or a header written that way is the header row read again."""
        headers: list[str] = []
        ambiguous = False
        for index, column in enumerate(names):
            if _UNNAMED.fullmatch(column):
                headers.append("")
                continue
            alias = _ALIAS.fullmatch(column)
            if alias and alias.group(1) in names[:index]:
                ambiguous = True
            headers.append(column)
        if ambiguous:
            try:
                row = reader.load_sheet(
                    name, header_row=None, n_rows=1, dtypes="string", eager=True
                )
            except BaseException as exc:
                _calamine_failure(exc)
                raise ImportRejectedError(f"Sheet {name!r} cannot be read: {_plain(exc)}") from None
            headers = [row.column(i)[0].as_py() or "" for i in range(row.num_columns)]
        return headers

    def iter_sheets(self, names: list[str]) -> Iterator[tuple[str, RawSheet]]:
        """``(name, sheet)`` of several sheets, in order, read ahead in two threads.

        A checker thread vets each sheet (:meth:`check_sheet`) while a parser thread lets
        fastexcel read the sheets already vetted; both inflate and parse without the GIL, so
        they overlap with whatever the caller does with the sheets it already has. No sheet
        is parsed before its check passed.
        """
        vetted = {name: threading.Event() for name in names}
        refused: dict[str, BaseException] = {}
        stop = threading.Event()
        ready: queue.Queue = queue.Queue(maxsize=1)

        def checker() -> None:
            for name in names:
                if stop.is_set():
                    break
                try:
                    self.check_sheet(name)
                except BaseException as exc:  # handed to the caller's thread
                    refused[name] = exc
                vetted[name].set()
                if name in refused:
                    break
            for event in vetted.values():
                event.set()

        def parser() -> None:
            try:
                self._reader()  # opening parses shared strings, vetted in __init__
            except BaseException as exc:
                ready.put((names[0] if names else "", None, exc))
                return
            for name in names:
                vetted[name].wait()
                if stop.is_set():
                    return
                try:
                    if name in refused:
                        raise refused[name]
                    ready.put((name, self._parse(name), None))
                except BaseException as exc:
                    ready.put((name, None, exc))
                    return

        threads = [
            threading.Thread(target=checker, daemon=True),
            threading.Thread(target=parser, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            for _ in names:
                name, sheet, error = ready.get()
                if error is not None:
                    raise error
                yield name, sheet
                sheet = None  # the caller has it; hold no reference while the next one is read
        finally:
            stop.set()
            for thread in threads:
                while thread.is_alive():
                    try:  # a parser blocked on a full queue needs room to see the stop
                        ready.get_nowait()
                    except queue.Empty:
                        pass
                    thread.join(0.002)


_UNSUPPORTED_MIX = re.compile(
    r"unsupported column type combination.*?could not determine dtype for column (.+?)\s*$", re.S
)


def _calamine_failure(exc: BaseException) -> None:
    """Let interrupts through; anything else from calamine (its own error types, or a Rust
    panic, which arrives as a BaseException) is a file we cannot read."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _plain(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(data: bytes) -> tuple[list[list[str]], str]:
    """Rows of a CSV file, comma or semicolon separated (whichever the header uses more).

    Returns
    -------
    (rows, delimiter)
    """
    text = decode_text(data)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRejectedError(f"The CSV text is malformed: {exc}") from None
    return rows, delimiter


def csv_sheet(data: bytes) -> RawSheet:
    """One CSV file as a :class:`RawSheet` of text columns; rows shorter or longer than the
    header are padded or cut to its width. In semicolon files a decimal comma (``12,5``)
    becomes a decimal point."""
    rows, delimiter = csv_rows(data)
    headers = [str(h) for h in rows[0]] if rows else []
    width = len(headers)
    body = rows[1:]
    if any(len(row) != width for row in body):
        body = [(row + [""] * width)[:width] for row in body]
    columns = (
        [
            pyarrow.array(list(values), type=pyarrow.large_string())
            for values in zip(*body, strict=True)
        ]
        if body
        else []
    )
    if not body:
        columns = [pyarrow.array([], type=pyarrow.large_string())] * width
    if delimiter == ";":
        columns = [
            pyarrow.compute.replace_substring_regex(
                column, pattern=r"^(-?\d+),(\d+)$", replacement=r"\1.\2"
            )
            for column in columns
        ]
    return RawSheet(headers, columns)


def csv_members(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every CSV file in a zip checked by :func:`open_zip`."""
    for member in archive.infolist():
        if member.filename.lower().endswith(".csv") and not member.is_dir():
            yield PurePosixPath(member.filename).name, read_member(archive, member.filename)
