"""The BOM of a ranked option: its totals are the option's, text is never a formula, and the
file opens in openpyxl and converts with headless LibreOffice."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from tests.conftest import require
from workbench.baskets import Lot, LotComponent
from workbench.bom import build_bom, support_label
from workbench.io.bom_xlsx import write_bom

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def _bom(hosts=6, licences=None, model="PowerEdge R660"):
    lot = Lot(
        code="SMI1",
        description="Small Intel",
        model=model,
        components=(
            LotComponent(0, "Processor/socket", "2 x 5415+ (8C/16T 2.9Ghz)"),
            LotComponent(1, "RAM", "+64GB (4x 16GB)", "BLK4-RAM", 4),
            LotComponent(2, "@Remote admin", "-iDRAC9 Enterprise"),
        ),
    )
    option = {
        "vendor": "Dell",
        "lot": "SMI1",
        "model": model,
        "hosts": hosts,
        "unit_usd": 6492.13,
        "total_usd": 6492.13 * hosts + (licences or {}).get("unit_usd", 0),
        "total_eur": round(6492.13 / 1.1, 2) * hosts + (licences or {}).get("unit_eur", 0),
        "tier": "prosupport",
        "years": 3,
        "scenario": "policy",
    }
    trace = pd.DataFrame(
        {
            "step": ["Compute hosts", HOSTILE],
            "formula": ["ceil(120 / 25.6)", "-1+2"],
            "value": [5, 6],
            "unit": ["hosts", "hosts"],
        }
    )
    demand = pd.DataFrame({"Cluster": ["+Prod", "Dev"], "vCPUs": [100, 20]})
    return option, build_bom(
        option,
        lot,
        header=[("Import", HOSTILE), ("Clusters", "+Prod, Dev")],
        settings=[("vCPU:core ratio", "4.0"), ("Growth per year", "0.2")],
        trace=trace,
        demand=demand,
        licences=licences,
    )


def test_lines_and_totals_are_the_options():
    option, bom = _bom()
    assert bom.totals["usd"] == pytest.approx(option["total_usd"], abs=0.005)
    assert bom.totals["eur"] == pytest.approx(option["total_eur"], abs=0.005)
    server = bom.lines.iloc[0]
    assert server["quantity"] == 6 and server["support"] == "3-year ProSupport"
    # Components: quantities for all servers, priced in the server line.
    parts = bom.lines.iloc[1:]
    assert parts["quantity"].tolist() == [6, 24, 6] and parts["unit_usd"].isna().all()
    assert parts["part_number"].tolist() == ["", "BLK4-RAM", ""]


def test_licences_are_a_priced_line_of_their_own():
    licences = {"description": "Licences", "quantity": 1, "unit_usd": 1000.0, "unit_eur": 900.0}
    option, bom = _bom(licences=licences)
    assert bom.lines["line"].tolist()[-1] == "2"
    assert bom.totals["usd"] == pytest.approx(option["total_usd"], abs=0.005)
    assert bom.totals["eur"] == pytest.approx(option["total_eur"], abs=0.005)


def test_support_labels():
    assert support_label("prosupport_plus", 5) == "5-year ProSupport Plus"
    assert support_label("warranty", 1) == "1-year warranty"
    assert support_label("net", None) == "net price"


def test_the_file_opens_and_no_text_became_a_formula(tmp_path):
    option, bom = _bom(model=HOSTILE)
    path = write_bom(bom, tmp_path / "bom.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["BOM", "Settings and trace", "Demand per cluster"]
    formulas, texts = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                elif isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    texts.append(cell.value)
    assert formulas == []
    assert (
        HOSTILE in texts
        and "-1+2" in texts
        and "+Prod" in texts
        and "@Remote admin: -iDRAC9 Enterprise" in texts
    )
    sheet = book["BOM"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert bom.totals["usd"] in values and bom.totals["eur"] in values


def test_an_unwritable_target_is_a_plain_error(tmp_path):
    from workbench.errors import StoreUnavailableError

    _option, bom = _bom()
    with pytest.raises(StoreUnavailableError, match="cannot be written"):
        write_bom(bom, tmp_path / "missing-folder" / "bom.xlsx")


def test_the_file_converts_with_headless_libreoffice(tmp_path):
    soffice = shutil.which("soffice")
    require(soffice is not None, "LibreOffice (soffice) is not installed")
    _option, bom = _bom(hosts=4)
    path = write_bom(bom, tmp_path / "bom.xlsx")
    done = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "bom.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 2000
