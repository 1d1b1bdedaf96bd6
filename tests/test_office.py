"""PDF through headless LibreOffice, and PNG previews of PDF pages."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document
from docx.shared import Cm
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from PIL import Image

from tests.conftest import require
from workbench.errors import ConversionError, InvalidInputError
from workbench.io import office
from workbench.io.chart_images import gantt_png
from workbench.io.office import convert_to_pdf, libreoffice, page_count, pdf_pages_png


@pytest.fixture
def soffice() -> str:
    found = libreoffice()
    require(found is not None, "LibreOffice (soffice) is not installed")
    return found


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The conversions' temporary folders go here, so a test sees what is left behind and
    which processes still run on them."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def processes_on(folder: Path) -> list[str]:
    """Command lines of running processes that name ``folder``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if str(folder).encode() in command:
            found.append(command.replace(b"\0", b" ").decode(errors="replace")[:200])
    return found


def docx_bytes() -> bytes:
    """A small Word document: a heading, a table and an embedded PNG chart."""
    document = Document()
    document.add_heading("Capacity review Zanzibar", level=1)
    document.add_paragraph("Prepared by the infrastructure workbench.")
    table = document.add_table(rows=3, cols=2)
    for row, (name, hosts) in enumerate(
        [("Cluster", "Hosts"), ("Quokka-01", "4"), ("Wombat-02", "7")]
    ):
        table.cell(row, 0).text, table.cell(row, 1).text = name, hosts
    schedule = pd.DataFrame(
        {
            "name": ["Assessment", "Migration"],
            "start_date": [date(2026, 1, 5), date(2026, 1, 19)],
            "end_date": [date(2026, 1, 16), date(2026, 2, 27)],
            "critical": [True, False],
            "progress_percentage": [100, 20],
            "duration_days": [10, 30],
        }
    )
    chart = gantt_png(schedule, "Schedule", today=date(2026, 2, 2))
    document.add_picture(io.BytesIO(chart), width=Cm(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Bill of materials"
    sheet.append(["Lot", "Quantity", "Price"])
    sheet.append(["PowerEdge R760 Platypus", 4, 22064.5])
    sheet.column_dimensions["A"].width = 32  # else the PDF shows the cell cut at its edge
    second = book.create_sheet("Notes")
    second["A1"] = "Prices in USD, Echidna tier"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(texts)
    finally:
        document.close()


def images_in(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return sum(
            len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for page in document
        )
    finally:
        document.close()


def matplotlib_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` A4 pages, made without LibreOffice."""
    buffer = io.BytesIO()
    with PdfPages(buffer) as out:
        for number in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            figure.text(0.5, 0.5, f"Page {number + 1}", fontsize=40, ha="center")
            out.savefig(figure)
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    return picture.size


# -- conversion -------------------------------------------------------------------------------


def test_a_docx_becomes_a_pdf_with_its_text_table_and_image(soffice, private_tmp):
    pdf = convert_to_pdf(docx_bytes())
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) >= 1
    text = pdf_text(pdf)
    for words in ("Capacity review Zanzibar", "Quokka-01", "Wombat-02", "Hosts"):
        assert words in text
    assert images_in(pdf) >= 1
    previews = pdf_pages_png(pdf, pages=2, width_px=800)
    assert len(previews) == min(2, page_count(pdf))
    width, height = png_size(previews[0])
    assert width == 800 and 1.2 < height / width < 1.5  # a portrait page
    # Nothing left behind: no folder, no process.
    assert list(private_tmp.iterdir()) == [] and processes_on(private_tmp) == []


def test_an_xlsx_becomes_a_pdf_of_every_sheet(soffice, private_tmp):
    pdf = convert_to_pdf(xlsx_bytes(), suffix=".XLSX")
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 2
    text = pdf_text(pdf)
    assert "PowerEdge R760 Platypus" in text and "Echidna tier" in text
    assert list(private_tmp.iterdir()) == []


def test_two_conversions_at_once_do_not_collide(soffice, private_tmp):
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(lambda data: convert_to_pdf(data[0], data[1]),
                             [(docx_bytes(), ".docx"), (xlsx_bytes(), ".xlsx")]))  # fmt: skip
    assert "Quokka-01" in pdf_text(pdfs[0]) and "Platypus" in pdf_text(pdfs[1])
    assert list(private_tmp.iterdir()) == []


# 0.4 s: the launcher has started soffice.bin by then (seen here), which must die too.
@pytest.mark.parametrize("timeout", [0.01, 0.4])
def test_a_timeout_stops_libreoffice_and_leaves_nothing(soffice, private_tmp, timeout):
    with pytest.raises(ConversionError, match=f"longer than {timeout:g} s"):
        convert_to_pdf(docx_bytes(), timeout=timeout)
    assert processes_on(private_tmp) == []
    assert list(private_tmp.iterdir()) == []


def test_a_damaged_document_inside_a_sound_zip(soffice, private_tmp):
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for name in source.namelist():
            body = b"<<<not xml" if name == "word/document.xml" else source.read(name)
            archive.writestr(name, body)
    with pytest.raises(ConversionError, match="LibreOffice made no PDF of the .docx document"):
        convert_to_pdf(damaged.getvalue())
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "suffix", "reason"),
    [
        (os.urandom(4000), ".docx", "not a zip container"),
        (b"", ".docx", "not a zip container"),
        (b"Cluster;Hosts\nQuokka;4\n", ".xlsx", "not a zip container"),
        (b"PK\x03\x04" + os.urandom(500), ".docx", "damaged zip container"),
        ("zip without parts", ".docx", r"no \[Content_Types\].xml part"),
        (b"just text", ".doc", "not an OLE2 compound file"),
        (b"just text", ".rtf", "no RTF header"),
    ],
)
def test_garbage_is_refused_before_libreoffice_sees_it(data, suffix, reason, monkeypatch):
    if data == "zip without parts":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hello")
        data = buffer.getvalue()
    # LibreOffice would print garbage as text; it is never started for it.
    monkeypatch.setattr(office, "libreoffice", lambda: pytest.fail("LibreOffice was started"))
    with pytest.raises(ConversionError, match=reason):
        convert_to_pdf(data, suffix)


def test_without_libreoffice_there_is_a_plain_error(monkeypatch):
    monkeypatch.setattr(office, "libreoffice", lambda: None)
    with pytest.raises(ConversionError, match="LibreOffice is not installed") as caught:
        convert_to_pdf(docx_bytes())
    assert "\n" not in str(caught.value)


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_libreoffice_failing_or_writing_nothing_is_a_plain_error(
    tmp_path, private_tmp, monkeypatch
):
    failing = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 3")
    monkeypatch.setattr(office, "libreoffice", lambda: failing)
    with pytest.raises(
        ConversionError, match=r"failed \(exit code 3\): Error: source file could not"
    ):
        convert_to_pdf(docx_bytes())
    silent = _fake_soffice(tmp_path, "exit 0")
    monkeypatch.setattr(office, "libreoffice", lambda: silent)
    with pytest.raises(ConversionError, match="made no PDF"):
        convert_to_pdf(docx_bytes())
    assert list(private_tmp.iterdir()) == []


def test_what_libreoffice_is_given(tmp_path, private_tmp, monkeypatch):
    # A fake soffice records its arguments and writes a "PDF" where it is asked to.
    record = tmp_path / "args"
    fake = _fake_soffice(
        tmp_path,
        f'printf "%s\\n" "$@" > {record}\n'
        'out=""; prev=""\nfor a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\n'
        'printf "%%PDF-1.4 fake" > "$out/document.pdf"',
    )
    monkeypatch.setattr(office, "libreoffice", lambda: fake)
    assert convert_to_pdf(xlsx_bytes(), ".xlsx") == b"%PDF-1.4 fake"
    args = record.read_text().splitlines()
    assert args[:5] == ["--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault"]
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file:///"))
    assert str(private_tmp) in profile
    assert args[-5:-2] == ["--convert-to", "pdf", "--outdir"]
    assert args[-1].endswith("/document.xlsx")


def test_conversion_arguments_are_checked():
    with pytest.raises(InvalidInputError, match="bytes"):
        convert_to_pdf("text")
    with pytest.raises(InvalidInputError, match="'.pages'"):
        convert_to_pdf(b"", ".pages")
    with pytest.raises(InvalidInputError, match="timeout"):
        convert_to_pdf(docx_bytes(), timeout=0)


def test_libreoffice_is_found_on_the_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert libreoffice() is None
    fake = _fake_soffice(tmp_path, "exit 0")
    assert libreoffice() == fake


# -- previews -------------------------------------------------------------------------------


def test_previews_of_the_first_pages_at_the_width_asked():
    pdf = matplotlib_pdf(3)
    assert page_count(pdf) == 3
    previews = pdf_pages_png(pdf, pages=2, width_px=640)
    assert [png_size(p)[0] for p in previews] == [640, 640]
    assert png_size(previews[0])[1] == pytest.approx(640 * 297 / 210, abs=2)
    assert previews == pdf_pages_png(pdf, pages=2, width_px=640)  # the same bytes
    assert len(pdf_pages_png(pdf, pages=10)) == 3
    assert png_size(pdf_pages_png(pdf, pages=1, width_px=333)[0])[0] == 333


def test_previews_from_many_threads_share_pdfium_safely():
    pdf = matplotlib_pdf(2)
    alone = pdf_pages_png(pdf, pages=2, width_px=300)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _i: pdf_pages_png(pdf, pages=2, width_px=300), range(8)))
    assert all(result == alone for result in together)


@pytest.mark.parametrize(
    "damaged",
    [b"", b"not a pdf at all", b"%PDF-1.4\n" + os.urandom(300), "truncated"],
)
def test_a_damaged_pdf_is_a_conversion_error(damaged):
    if damaged == "truncated":
        damaged = matplotlib_pdf(1)[:200]
    with pytest.raises(ConversionError, match="PDF"):
        page_count(damaged)
    with pytest.raises(ConversionError, match="PDF"):
        pdf_pages_png(damaged)


def test_preview_arguments_are_checked():
    pdf = matplotlib_pdf(1)
    for pages in (0, -1, 1000, 1.5, True):
        with pytest.raises(InvalidInputError, match="pages"):
            pdf_pages_png(pdf, pages=pages)
    for width in (0, 5, 20_000, "800"):
        with pytest.raises(InvalidInputError, match="width_px"):
            pdf_pages_png(pdf, width_px=width)
    with pytest.raises(InvalidInputError, match="bytes"):
        page_count(None)
