"""``workbench basket import | list | lots | delete`` on a store, as a consultant types them."""

from __future__ import annotations

import json

from tests.conftest import REAL_DELL, REAL_LENOVO
from workbench.demo_baskets import write_demo_basket


def test_import_again_list_lots_delete(run, tmp_path):
    demo = tmp_path / "Demo_basket.xlsx"
    write_demo_basket(demo)
    code, out, err = run("basket", "list")
    assert code == 0 and "No baskets" in out
    code, out, err = run("basket", "import", str(demo), "--by", "cli")
    assert code == 0 and "Stored Demo Systems" in out and "18 lots" in out, err
    code, out, _ = run("basket", "import", str(demo))
    assert code == 0 and "Already stored" in out and "nothing changed" in out

    code, out, _ = run("basket", "list", "--json")
    [listed] = json.loads(out)
    assert listed["vendor"] == "Demo Systems" and listed["lots"] == 18
    code, out, _ = run("basket", "list")
    assert code == 0 and listed["id"] in out and max(map(len, out.splitlines())) <= 120

    code, out, _ = run("basket", "lots", "--vendor", "demo systems", "--json")
    lots = json.loads(out)
    assert {row["lot"] for row in lots} == {row["lot"] for row in lots if row["usd"]}
    assert len({row["lot"] for row in lots}) == 18 and all(r["lot_id"] for r in lots)
    code, out, _ = run("basket", "lots")
    assert code == 0 and "HVA1" in out and max(map(len, out.splitlines())) <= 120

    code, out, err = run("basket", "delete", listed["id"])
    assert code == 0 and "Deleted Demo Systems" in out and "18 lots" in out
    code, out, _ = run("basket", "list")
    assert "No baskets" in out


def test_errors_are_plain_lines_with_exit_codes(run, tmp_path):
    code, _, err = run("basket", "import", str(tmp_path / "nothing.xlsx"))
    assert code == 6 and err.startswith("error: There is no file") and "Traceback" not in err
    not_a_basket = tmp_path / "notes.xlsx"
    not_a_basket.write_bytes(b"PK\x03\x04 not a workbook")
    code, _, err = run("basket", "import", str(not_a_basket))
    assert code == 6 and "Traceback" not in err
    code, _, err = run("basket", "delete", "hardware_basket:nosuch")
    assert code == 3 and "No basket" in err
    code, _, err = run("basket", "lots", "--vendor", "Nosuch")
    assert code == 3 and "No basket from vendor" in err


def test_both_real_baskets_side_by_side(run, real_baskets):
    for path in (REAL_DELL, REAL_LENOVO):
        code, out, err = run("basket", "import", str(path), "--json")
        assert code == 0 and json.loads(out)["imported"] and json.loads(out)["lots"] == 18, err
    code, out, _ = run("basket", "list", "--json")
    listed = {b["vendor"]: b for b in json.loads(out)}
    assert set(listed) == {"Dell", "Lenovo"}
    # The list counts the lots' warnings as the import did (Dell: warnings on 8 lots).
    assert listed["Dell"]["warnings"] >= 8
    code, out, _ = run("basket", "lots", "--vendor", "Lenovo")
    assert "warranty 3y" in out and "ThinkSystem" in out
    code, out, _ = run("basket", "lots", "--vendor", "Dell")
    assert "(support only)" in out
