"""Hostile and damaged basket files end in ImportRejectedError, quickly, with a plain message."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from workbench.cli import main
from workbench.demo_baskets import write_demo_basket
from workbench.errors import ImportRejectedError
from workbench.io.baskets import parse_basket, read_basket
from workbench.io.xlsx_writer import write_xlsx

PRICING = "xl/worksheets/sheet2.xml"  # the demo's "Demo Systems Lot Pricing"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_demo_basket(path)
    return path.read_bytes()


def _rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The same workbook with parts replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in change:
                continue
            target.writestr(info.filename, source.read(info.filename))
        for name, part in change.items():
            if part is not None:
                target.writestr(name, part)
    return out.getvalue()


def _part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def _far_cell(demo: bytes) -> bytes:
    xml = _part(demo, PRICING)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    return _rezip(demo, {PRICING: xml.replace(b"</sheetData>", far)})


def _zip_bomb(demo: bytes) -> bytes:
    return _rezip(demo, {"xl/media/padding.bin": b"\0" * (40 * 2**20)})


def _sheetless(demo: bytes) -> bytes:
    workbook = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
    )
    return _rezip(demo, {"xl/workbook.xml": workbook})


def _neither_layout(_demo: bytes) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, {"vInfo": (["VM", "Powerstate"], [["web01", "poweredOn"]])})
    return buffer.getvalue()


def _truncated(demo: bytes) -> bytes:
    return demo[: len(demo) // 2]


def _missing_sheet_part(demo: bytes) -> bytes:
    return _rezip(demo, {PRICING: None})


HOSTILE = {
    "empty": (lambda d: b"", "empty"),
    "not a zip": (lambda d: b"Lot;Price\nSMI1;100\n", "must be an .xlsx"),
    "random binary": (lambda d: bytes(range(256)) * 40, "neither"),
    "truncated zip": (_truncated, "not a readable zip"),
    "zip bomb": (_zip_bomb, "zip bomb"),
    "far cell XFD1048576": (_far_cell, "far outside"),
    "sheet-less workbook": (_sheetless, "no sheets"),
    "neither layout": (_neither_layout, "not a hardware basket"),
    "sheet part missing": (_missing_sheet_part, "missing"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_basket_is_rejected_quickly_with_a_plain_message(kind, demo):
    make, words = HOSTILE[kind]
    data = make(demo)
    started = time.perf_counter()
    with pytest.raises(ImportRejectedError) as caught:
        parse_basket("hostile.xlsx", data)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert words in message, message
    assert "Traceback" not in message and len(message) < 400


def test_the_untouched_demo_is_read(demo):
    # The hostile files above are this one, changed: it must itself be accepted.
    assert len(parse_basket("demo.xlsx", demo).lots) == 18


def test_a_lot_sheet_without_lots_is_rejected(demo):
    xml = _part(demo, PRICING)
    head, _, _ = xml.partition(b'<row r="5">')
    data = _rezip(demo, {PRICING: head + b"</sheetData></worksheet>"})
    with pytest.raises(ImportRejectedError, match="no lot"):
        parse_basket("empty.xlsx", data)


def test_too_many_rows_are_refused(demo):
    xml = _part(demo, PRICING)
    # A cell at row 99,999 passes the geometry check (a small grid) but not the row limit.
    far = b'<row r="99999"><c r="A99999"><v>1</v></c></row></sheetData>'
    data = _rezip(demo, {PRICING: xml.replace(b"</sheetData>", far)})
    started = time.perf_counter()
    with pytest.raises(ImportRejectedError, match="rows"):
        parse_basket("long.xlsx", data)
    assert time.perf_counter() - started < 5


def test_read_basket_paths(tmp_path):
    with pytest.raises(ImportRejectedError, match="no file"):
        read_basket(tmp_path / "missing.xlsx")
    with pytest.raises(ImportRejectedError, match="folder"):
        read_basket(tmp_path)


def test_cli_rejects_with_its_exit_code(tmp_path, demo, capsys):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_zip_bomb(demo))
    assert main(["basket", "inspect", str(path)]) == 6
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "zip bomb" in err and "Traceback" not in err


def test_an_unreadable_price_becomes_a_warning_naming_its_cell(demo):
    xml = _part(demo, PRICING)
    # The first lot's net price (E5) as text that is no price.
    start = xml.index(b'<c r="E5"')
    end = xml.index(b"</c>", start) + 4
    bad = b'<c r="E5" t="inlineStr"><is><t>call us</t></is></c>'
    basket = parse_basket("demo.xlsx", _rezip(demo, {PRICING: xml[:start] + bad + xml[end:]}))
    lot = basket.lots[0]
    net = next(p for p in lot.prices if p.tier == "net")
    assert net.usd is None
    assert any(w.startswith("E5:") and "call us" in w for w in lot.warnings)
    # The EUR of the file (F5) is kept though no USD can be compared with it.
    assert net.eur is not None
