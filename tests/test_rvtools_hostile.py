"""Hostile input is refused quickly, with a clear message, and leaves nothing behind."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.files import rewrite_sheet1, xlsx_zip_bomb
from workbench.cli import main
from workbench.demo import synthetic_rvtools, write_synthetic_rvtools
from workbench.errors import ImportRejectedError
from workbench.io.rvtools import parse_rvtools, read_rvtools
from workbench.io.xlsx_writer import write_xlsx

LIMIT_SECONDS = 2.0


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.xlsx"
    write_synthetic_rvtools(path, 40)
    return path


def _far_cell(data: bytes) -> bytes:
    return data.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )


def _hostile_files(good: Path, folder: Path) -> dict[str, Path]:
    files = {}
    data = good.read_bytes()
    files["truncated"] = folder / "truncated.xlsx"
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["not a spreadsheet"] = folder / "notes.xlsx"
    files["not a spreadsheet"].write_bytes(b"\x7fELF" + bytes(range(256)) * 40)
    files["zip bomb"] = xlsx_zip_bomb(folder / "bomb.xlsx")
    files["cell at XFD1048576"] = rewrite_sheet1(good, folder / "far.xlsx", _far_cell)
    files["lying dimension hiding a far cell"] = rewrite_sheet1(
        good,
        folder / "lying.xlsx",
        lambda d: _far_cell(
            re.sub(rb"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>', d, count=1)
        ),
    )
    wide = (
        b'<row r="1">' + b"<c><v>1</v></c>" * 16_384 + b'</row><row r="5000"><c><v>1</v></c></row>'
    )
    files["cells without references"] = rewrite_sheet1(
        good, folder / "noref.xlsx", lambda d: d.replace(b"</sheetData>", wide + b"</sheetData>")
    )
    tall = b"".join(
        b'<row><c t="inlineStr"><is><t>%d</t></is></c></row>' % n for n in range(150_000)
    )
    files["rows without references"] = rewrite_sheet1(
        good,
        folder / "tall.xlsx",
        lambda d: d.replace(
            b"</sheetData>",
            tall + b'<row r="150002"><c r="KZ150002"><v>1</v></c></row></sheetData>',
        ),
    )
    no_vinfo = folder / "no_vinfo.xlsx"
    write_xlsx(no_vinfo, {"Sheet1": (["Name", "Value"], [["a", 1.0]])})
    files["xlsx without vInfo"] = no_vinfo
    files["empty"] = folder / "empty.xlsx"
    files["empty"].write_bytes(b"")
    files["old binary xls"] = folder / "old.xls"
    files["old binary xls"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return files


HOSTILE = [
    "truncated",
    "not a spreadsheet",
    "zip bomb",
    "cell at XFD1048576",
    "lying dimension hiding a far cell",
    "cells without references",
    "rows without references",
    "xlsx without vInfo",
    "empty",
    "old binary xls",
]


@pytest.fixture(scope="module")
def hostile(good_xlsx, tmp_path_factory) -> dict[str, Path]:
    return _hostile_files(good_xlsx, tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_file_is_rejected_quickly_and_nothing_is_stored(kind, hostile, ws):
    project = ws.projects.create("Target", "vmware_migration")
    started = time.perf_counter()
    with pytest.raises(ImportRejectedError) as caught:
        ws.rvtools.upload(project, hostile[kind], progress=False)
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT_SECONDS, f"{kind}: {elapsed:.2f} s"
    message = str(caught.value)
    assert message and "Traceback" not in message and len(message) < 400
    assert ws.rvtools.list() == []
    folder = ws.rvtools.folder
    assert not folder.exists() or not any(folder.iterdir())


def test_messages_say_what_is_wrong(hostile):
    expected = {
        "truncated": "truncated or damaged",
        "zip bomb": "zip bomb",
        "cell at XFD1048576": "far outside",
        "cells without references": "16,384 columns",
        "rows without references": "rows x 312 columns",
        "xlsx without vInfo": "no vInfo sheet",
        "empty": "empty",
        "old binary xls": ".xls",
    }
    for kind, words in expected.items():
        with pytest.raises(ImportRejectedError, match=re.escape(words)):
            read_rvtools(hostile[kind])


def test_cli_rejects_with_its_own_exit_code(hostile, capsys):
    assert main(["rvtools", "inspect", str(hostile["zip bomb"])]) == 6
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_a_lying_dimension_alone_is_ignored(good_xlsx, tmp_path):
    """The declared dimension is never trusted: one far too small or far too large changes
    nothing, because the reader goes by the cells."""
    expected = read_rvtools(good_xlsx)
    for ref in (b"A1:A1", b"A1:XFD1048576"):
        path = rewrite_sheet1(
            good_xlsx,
            tmp_path / f"dim-{ref.decode().replace(':', '-')}.xlsx",
            lambda d, ref=ref: d.replace(
                b"<sheetData>", b'<dimension ref="' + ref + b'"/><sheetData>', 1
            ),
        )
        started = time.perf_counter()
        export = read_rvtools(path)
        assert time.perf_counter() - started < LIMIT_SECONDS
        assert export.vms.equals(expected.vms)


def test_sheet_extent_places_cells_like_calamine():
    from workbench.io.spreadsheet import sheet_extent

    xml = b'<x:sheetData><x:row r="3"><x:c r="B3"/><x:c/><x:c/></x:row><x:row><x:c/></x:row></x:sheetData>'
    assert sheet_extent(xml) == (4, 4)
    assert sheet_extent(b'<row r="2"><c r="AA7"><v>1</v></c></row>') == (7, 27)


def test_csv_zip_bomb_is_rejected(tmp_path):
    path = tmp_path / "csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("RVTools_tabvInfo.csv", "w", force_zip64=True) as part:
            for _ in range(16):
                part.write(b"," * 2**24)
    with pytest.raises(ImportRejectedError, match="zip bomb"):
        read_rvtools(path)


def test_a_part_lying_about_its_size_is_caught(good_xlsx, tmp_path):
    """A zip whose directory understates a part's size: inflating stops at the declared
    size and the checksum fails, before calamine sees it."""
    data = bytearray(good_xlsx.read_bytes())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Patch the central directory's uncompressed size of sheet1 to 100 bytes.
    offset = data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02"))
    header = offset - 46
    assert data[header : header + 4] == b"PK\x01\x02" and info.file_size > 100
    data[header + 24 : header + 28] = (100).to_bytes(4, "little")
    path = tmp_path / "lying-size.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRejectedError, match="sheet1.xml' of the file is damaged"):
        read_rvtools(path)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_copies_are_read_or_rejected_never_anything_else(data):
    """Random byte changes in a valid export (compressed and stored): the reader either
    reads it or raises ImportRejectedError, quickly."""
    base = data.draw(st.sampled_from(_BASES))
    damaged = bytearray(base)
    for _ in range(data.draw(st.integers(1, 25))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    started = time.perf_counter()
    try:
        parse_rvtools(bytes(damaged))
    except ImportRejectedError as exc:
        assert str(exc)
    assert time.perf_counter() - started < LIMIT_SECONDS


def _bases() -> list[bytes]:
    buffer = io.BytesIO()
    write_xlsx(buffer, synthetic_rvtools(15, seed=9).sheets)
    compressed = buffer.getvalue()
    stored = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(compressed)) as zin,
        zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout,
    ):
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
    return [compressed, stored.getvalue()]


_BASES = _bases()


_CSV_HEADER = (
    "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,In Use MiB,Cluster,Host,Creation date,HW version,"
    "Latency Sensitivity,Overall Cpu Readiness\n"
)
_CSV_PIECES = st.sampled_from(
    [
        ",",
        ";",
        '"',
        "\n",
        " ",
        "0",
        "7",
        ".",
        "-",
        "%",
        "True",
        "False",
        "poweredOn",
        "suspended",
        "vmx-",
        "inf",
        "nan",
        "1e308",
        "1970/01/01 00:00:00",
        "4/4/2018 5:25:31 PM",
        "é",
        "\x00",
        "x",
    ]
)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(_CSV_PIECES, max_size=120).map("".join))
def test_any_csv_body_is_read_or_rejected(body):
    """Whatever the cells hold, a CSV vInfo is read (odd cells reported) or refused cleanly."""
    from workbench.io.rvtools import parse_csv_files

    try:
        export = parse_csv_files([("RVTools_tabvInfo.csv", (_CSV_HEADER + body).encode())])
    except ImportRejectedError:
        return
    assert export.vms["vm_key"].is_unique
    assert export.vms["vcpus"].dtype in ("Int64", "float64")


FAR_CELL_FORMS = {
    "single quotes": b"<c r='XFD1048576'><v>1</v></c>",
    "spaces around =": b'<c r = "XFD1048576"><v>1</v></c>',
    "a newline before r": b'<c\nr="XFD1048576"><v>1</v></c>',
    "lower case": b'<c r="xfd1048576"><v>1</v></c>',
    "r not first": b'<c t="n" r="XFD1048576"><v>1</v></c>',
    "another prefix": b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576"><x:v>1</x:v></x:c>',
    "a far row for a cell without reference": b'</row><row r="1048576"><c><v>1</v></c>',
}


@pytest.mark.parametrize("form", sorted(FAR_CELL_FORMS))
def test_a_far_cell_in_any_xml_form_is_refused_before_calamine(form, good_xlsx, tmp_path):
    """Regression: the cheap geometry test only knew `<c r="...` with double quotes, so a far
    cell written another way calamine accepts passed as 'plainly small' (and would have made
    calamine allocate billions of cells)."""
    cell = FAR_CELL_FORMS[form]
    path = rewrite_sheet1(
        good_xlsx,
        tmp_path / "far.xlsx",
        lambda d: d.replace(
            b"</row></sheetData>", b"</row><row>" + cell + b"</row></sheetData>", 1
        ),
    )
    started = time.perf_counter()
    with pytest.raises(ImportRejectedError, match="far outside"):
        read_rvtools(path)
    assert time.perf_counter() - started < LIMIT_SECONDS
