"""``workbench pool ...``: the hardware pool on the command line, on a real on-disk store.

Dates lie in 2029-2031 (or are given with --on/--as-of/--start), so what "today" is does not
change what the commands print.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

import workbench

HEADER = "server_name,serial_number,location,vendor,model,cores,memory_gib,warranty_end,end_of_life,purchase_price,procurement_date\n"  # fmt: skip
ROWS = [
    "srv-a,SNA1,Rotterdam,Dell,R760,64,512,2029-01-31,,21000,2026-01-01",
    "srv-b,SNB1,Rotterdam,Dell,R760,64,512,2030-12-01,,21000.50,2026-01-01",
    "srv-c,SNC1,Utrecht,Dell,R760,32,256,2031-01-31,2030-06-01,,",
]


def _inventory(tmp_path, rows=ROWS):
    path = tmp_path / "inventory.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _pool(run, tmp_path):
    assert run("project", "create", "Move", "--type", "vmware_migration", "--start", "2030-01-07")[0] == 0  # fmt: skip
    assert run("project", "create", "Lab", "--type", "new_solution")[0] == 0
    code, out, err = run("pool", "import", str(_inventory(tmp_path)))
    assert (code, err) == (0, ""), err
    return out


def _one_line_error(result, code: int, message: str) -> None:
    got, out, err = result
    assert (got, out) == (code, ""), result
    assert err.startswith("error: ") and message in err, err
    assert err.count("\n") == 1, err


def test_import_dry_run_stores_nothing_and_importing_twice_changes_nothing(run, tmp_path):
    assert run("pool", "list") == (
        0,
        "No servers in the pool. Add one with: workbench pool add NAME, or import a file "
        "with: workbench pool import FILE\n",
        "",
    )
    path = _inventory(tmp_path)
    code, out, _ = run("pool", "import", str(path), "--dry-run")
    assert code == 0
    assert (
        out.splitlines()[0] == "Dry run, nothing stored: would add 3, would change 0, 0 unchanged."
    )
    assert "Would add: srv-a, srv-b, srv-c" in out
    assert run("pool", "list", "--json")[1] == "[]\n"

    code, out, _ = run("pool", "import", str(path))
    assert out.splitlines()[0] == f"Imported {str(path)!r}: added 3, changed 0, 0 unchanged."
    stored = run("pool", "list", "--json")[1]
    servers = json.loads(stored)
    assert [s["server_name"] for s in servers] == ["srv-a", "srv-b", "srv-c"]
    b = servers[1]
    assert (b["purchase_price"], b["warranty_end"], b["cores"], b["memory_gib"]) == (
        21000.5, "2030-12-01", 64, 512.0,
    )  # fmt: skip
    assert b["id"].startswith("server_inventory:") and b["status"] == "available"

    code, out, _ = run("pool", "import", str(path))
    assert out.splitlines()[0] == f"Imported {str(path)!r}: added 0, changed 0, 3 unchanged."
    assert run("pool", "list", "--json")[1] == stored

    changed = [ROWS[0], ROWS[1].replace("Rotterdam", "Utrecht").replace(",64,", ",96,"), ROWS[2]]
    _inventory(tmp_path, changed)
    code, out, _ = run("pool", "import", str(path), "--dry-run")
    assert (
        out.splitlines()[0] == "Dry run, nothing stored: would add 0, would change 1, 2 unchanged."
    )
    assert "  srv-b\n" in out
    assert "    Location: Rotterdam -> Utrecht\n" in out
    assert "    Cores: 64 -> 96\n" in out
    code, out, _ = run("pool", "import", str(path), "--dry-run", "--json")
    assert json.loads(out)["changes"] == {
        "srv-b": {
            "location": {"before": "Rotterdam", "after": "Utrecht"},
            "cores": {"before": 64, "after": 96},
        }
    }
    assert run("pool", "list", "--json")[1] == stored


def test_list_show_add_update_and_mistakes(run, tmp_path):
    _pool(run, tmp_path)
    code, out, _ = run("pool", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["Server", "Status", "Model", "Location", "Cores", "RAM", "GiB", "Booked", "for", "Free", "from"]  # fmt: skip
    assert lines[1].split() == ["srv-a", "Available", "R760", "Rotterdam", "64", "512"]
    assert lines[-1] == "3 servers: 3 available."
    code, out, _ = run("pool", "list", "--location", "utrecht", "--min-cores", "16")
    assert [line.split()[0] for line in out.splitlines()[1:-2]] == ["srv-c"]
    assert (
        run("pool", "list", "--min-memory-gib", "1024")[1] == "No server matches those filters.\n"
    )

    code, out, _ = run("pool", "show", "SNB1")
    assert "Serial number: SNB1" in out and "Memory: 512.0 GiB" in out
    assert "Purchase price: $21,000.50" in out
    assert "Source: an inventory file" in out
    assert "No bookings." in out and "No maintenance recorded." in out

    code, out, err = run("pool", "add", "srv-d", "--serial", "SND1", "--cores", "48", "--price", "9000", "--procurement-date", "2030-01-01", "--by", "ana")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("Added server 'srv-d' (server_inventory:")
    code, out, _ = run("pool", "update", "srv-d", "--location", "Cage 4", "--clear", "serial_number", "--json")  # fmt: skip
    assert (json.loads(out)["location"], json.loads(out)["serial_number"]) == ("Cage 4", None)
    code, out, _ = run("pool", "maintenance", "srv-d", "Fan replaced", "--on", "2030-02-01", "--cost", "120")  # fmt: skip
    assert out.splitlines()[0] == "Maintenance recorded for srv-d on 2030-02-01, cost $120.00: Fan replaced"  # fmt: skip
    code, out, _ = run("pool", "show", "srv-d", "--json")
    shown = json.loads(out)
    assert shown["maintenance_history"][0]["date"] == "2030-02-01"
    assert shown["maintenance_history"][0]["cost"] == 120.0 and shown["bookings"] == []

    code, out, _ = run("pool", "status", "srv-d", "maintenance", "--reason", "Failed DIMM")
    assert out == "srv-d was available and is now in maintenance: Failed DIMM\n"
    cases = [
        (("pool", "add", "srv-a"), 4, "srv-a"),
        (("pool", "add", "srv-e", "--cores", "many"), 2, "Cores must be a whole number"),
        (("pool", "show", "nothere"), 3, "No server named 'nothere'"),
        (("pool", "update", "srv-a"), 2, "Nothing to change"),
        (("pool", "status", "srv-d", "allocated", "--reason", "x"), 2, "through a booking"),
        (("pool", "list", "--status", "broken"), 2, "Unknown status broken"),
        (("pool", "import", str(tmp_path / "missing.csv")), 6, "missing.csv"),
    ]
    for args, expected, message in cases:
        _one_line_error(run(*args), expected, message)


def test_allocate_a_clash_release_extend_and_availability(run, tmp_path):
    _pool(run, tmp_path)
    code, out, err = run("pool", "allocate", "srv-a", "srv-b", "--project", "Move", "--start", "2030-01-01", "--end", "2030-03-01", "--notes", "PoC")  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Allocated 2 servers for 'Move' from 2030-01-01 until 2030-03-01 (free again that day)."  # fmt: skip
    assert lines[2].split()[1:] == ["srv-a", "Move", "Allocation", "2030-01-01", "2030-03-01", "upcoming", "PoC"]  # fmt: skip

    # All or none: srv-c is free, but srv-b clashes, so neither is booked.
    clash = run("pool", "allocate", "srv-c", "srv-b", "--project", "Lab", "--start", "2030-02-01", "--end", "2030-04-01", "--reservation")  # fmt: skip
    _one_line_error(
        clash,
        4,
        "srv-b is already booked from 2030-01-01 to 2030-03-01 (allocation for Move), which "
        "overlaps 2030-02-01 to 2030-04-01.",
    )
    assert run("pool", "bookings", "--server", "srv-c", "--json")[1] == "[]\n"
    assert run("pool", "bookings", "--project", "Lab")[1].startswith(
        "No bookings for that project."
    )

    booked = {b["server_name"]: b for b in json.loads(run("pool", "bookings", "--json")[1])}
    assert set(booked) == {"srv-a", "srv-b"}
    assert (booked["srv-a"]["start"], booked["srv-a"]["end"], booked["srv-a"]["days"]) == ("2030-01-01", "2030-03-01", 59)  # fmt: skip
    a, b = booked["srv-a"]["id"], booked["srv-b"]["id"]

    code, out, _ = run("pool", "release", a.split(":")[1], "--on", "2030-02-01")
    assert out == f"{a.split(':')[1]} (srv-a for Move): released, free from 2030-02-01 instead of 2030-03-01.\n"  # fmt: skip
    code, out, err = run("pool", "allocate", "srv-a", "--project", "Lab", "--start", "2030-02-01", "--end", "2030-04-01", "--reservation")  # fmt: skip
    assert (code, err) == (0, ""), err
    assert out.startswith("Reserved 1 server for 'Lab' from 2030-02-01 until 2030-04-01")
    lab = json.loads(run("pool", "bookings", "--project", "Lab", "--json")[1])[0]["id"]

    _one_line_error(run("pool", "extend", a, "--end", "2030-02-15"), 4, "srv-a is already booked from 2030-02-01 to 2030-04-01 (reservation for Lab)")  # fmt: skip
    code, out, _ = run("pool", "extend", b, "--end", "2030-05-01")
    assert out.endswith("(srv-b for Move): 2030-01-01 until 2030-05-01, free again that day.\n")
    code, out, _ = run("pool", "release", b, "--on", "2030-04-01", "--json")
    released = json.loads(out)
    assert [(r["id"], r["end"], r["released_at"]) for r in released] == [(b, "2030-04-01", "2030-04-01")]  # fmt: skip
    code, out, _ = run("pool", "release", lab, a, "--on", "2030-01-15")
    assert out.splitlines() == [
        f"{lab.split(':')[1]} (srv-a for Lab): cancelled, it had not begun by 2030-01-15.",
        f"{a.split(':')[1]} (srv-a for Move): released, free from 2030-01-15 instead of 2030-02-01.",
    ]  # fmt: skip
    code, out, _ = run("pool", "release", a, "--on", "2031-01-01")
    assert out.endswith("(srv-a for Move): had already ended on 2030-01-15; left as it was.\n")
    code, out, _ = run("pool", "bookings", "--server", "srv-a")
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["PoC", "cancelled"]
    _one_line_error(run("pool", "release", "nothere"), 3, "No booking with id 'nothere'.")

    code, out, _ = run("pool", "availability", "--start", "2030-02-01", "--end", "2030-03-01")
    assert out.splitlines()[0] == "2 servers free for the whole window from 2030-02-01 until 2030-03-01:"  # fmt: skip
    assert [line.split()[0] for line in out.splitlines()[2:4]] == ["srv-a", "srv-c"]
    assert out.splitlines()[-1] == "Per model: R760 (2)"
    code, out, _ = run("pool", "availability", "--start", "2030-02-01", "--end", "2030-03-01", "--min-cores", "64", "--json")  # fmt: skip
    assert [s["server_name"] for s in json.loads(out)] == ["srv-a"]
    assert run(
        "pool",
        "availability",
        "--start",
        "2030-02-01",
        "--end",
        "2030-03-01",
        "--location",
        "Nowhere",
    )[1] == (  # fmt: skip
        "No server matching those filters is free for the whole window from 2030-02-01 until 2030-03-01.\n"
    )
    _one_line_error(run("pool", "availability", "--start", "2030-03-01", "--end", "2030-02-01"), 2, "A booking ends after it starts")  # fmt: skip


def test_forecast_says_which_weeks_are_short(run, tmp_path):
    _pool(run, tmp_path)
    # Demand comes from workflows' hardware requirements, which the command line does not
    # set: give one through the facade, on the same store.
    with workbench.open(f"surrealkv://{tmp_path / 'store'}", home=str(tmp_path / "home")) as ws:
        ws.workflows.add("Move", "Build", "commissioning", duration_days=10,
                         hardware_requirements={"servers": 3, "model": "R760"})  # fmt: skip
    assert run("pool", "allocate", "srv-a", "srv-b", "--project", "Lab", "--start", "2030-01-14", "--end", "2030-01-28")[0] == 0  # fmt: skip

    code, out, _ = run("pool", "forecast", "--start", "2030-01-08", "--weeks", "5", "--json")
    plain = json.loads(out)
    assert (plain["start"], plain["weeks"]) == ("2030-01-07", 5)
    r760 = [row for row in plain["forecast"] if row["model"] == "R760"]
    assert [row["week"] for row in r760] == ["2030-01-07", "2030-01-14", "2030-01-21", "2030-01-28", "2030-02-04"]  # fmt: skip
    # Build needs 3 servers from 2030-01-07 to its finish (2030-01-16); Lab holds 2 of the
    # 3 in the weeks of 01-14 and 01-21.
    assert [
        (r["in_stock"], r["allocated"], r["available"], r["demand"], r["shortfall"]) for r in r760
    ] == [  # fmt: skip
        (3, 0, 3, 3, 0),
        (3, 2, 1, 3, 2),
        (3, 2, 1, 0, 0),
        (3, 0, 3, 0, 0),
        (3, 0, 3, 0, 0),
    ]
    assert {"model": "R760", "first_week": "2030-01-14", "largest": 2, "weeks_short": 1} in plain["shortfalls"]  # fmt: skip
    # (The demand's end is left out: it follows how the facade reads a project's end.)
    demand = [(d["project"], d["workflow"], d["servers"], d["start"]) for d in plain["demand"]]
    assert demand == [("Move", "Build", 3, "2030-01-07")]

    code, out, _ = run("pool", "forecast", "--start", "2030-01-08", "--weeks", "5", "--model", "r76")  # fmt: skip
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["Model", "Week", "of", "Weeks"]
    assert lines[3].split() == ["2030-01-14", "1", "3", "2", "0", "0", "0", "1", "3", "2"]
    # The last two weeks have the same figures: one row standing for two weeks.
    assert lines[5].split() == ["2030-01-28", "2", "3", "0", "0", "0", "0", "3", "0", "0"]
    assert len(lines) == 6 + 1 + 1 + 2 + 1 + 1 + 1, out
    assert "  R760: up to 2 servers short in 1 week, the week of 2030-01-14" in lines
    demand_line = "  Move / Build: 3 servers of R760 from 2030-01-07 until "
    assert [line for line in lines if line.startswith(demand_line)] == [lines[-1]]
    assert lines[-1].endswith(" (servers asked)")
    code, out, _ = run("pool", "forecast", "--start", "2030-01-08", "--weeks", "5", "--model", "r76", "--every-week")  # fmt: skip
    assert out.splitlines()[1].split()[:4] == ["Model", "Week", "of", "In"]
    assert [line.split()[-9] for line in out.splitlines()[2:7]] == ["2030-01-07", "2030-01-14", "2030-01-21", "2030-01-28", "2030-02-04"]  # fmt: skip

    code, out, _ = run("pool", "forecast", "--start", "2030-03-04", "--weeks", "2")
    assert "No week is short: the pool covers the known demand in all 2 weeks." in out
    _one_line_error(run("pool", "forecast", "--model", "nothing"), 3, "No model in the forecast matches 'nothing'; models: R760.")  # fmt: skip
    _one_line_error(run("pool", "forecast", "--weeks", "0"), 2, "Weeks must be a whole number from 1 to 520")  # fmt: skip


def test_alerts_and_book_values(run, tmp_path):
    _pool(run, tmp_path)
    code, out, _ = run("pool", "alerts", "--as-of", "2030-07-01")
    lines = out.splitlines()
    assert lines[0] == "Warranty and end-of-life alerts on 2030-07-01:"
    assert lines[2].split() == ["srv-a", "Warranty", "2029-01-31", "516", "days", "ago", "expired", "Rotterdam"]  # fmt: skip
    assert lines[3].split() == ["srv-c", "End", "of", "life", "2030-06-01", "30", "days", "ago", "expired", "Utrecht"]  # fmt: skip
    assert lines[4].split() == ["srv-b", "Warranty", "2030-12-01", "in", "153", "days", "within", "180", "days", "Rotterdam"]  # fmt: skip
    assert lines[-1] == "2 expired, 1 within 180 days."
    code, out, _ = run("pool", "alerts", "--as-of", "2030-07-01", "--json")
    assert [(a["server_name"], a["date"], a["days_left"]) for a in json.loads(out)] == [
        ("srv-a", "2029-01-31", -516),
        ("srv-c", "2030-06-01", -30),
        ("srv-b", "2030-12-01", 153),
    ]
    assert run("pool", "alerts", "--as-of", "2026-01-01")[1] == (
        "No warranty or end-of-life alerts on 2026-01-01: nothing ends within 180 days.\n"
    )

    code, out, _ = run("pool", "book-value", "--as-of", "2026-01-01", "--json")
    values = json.loads(out)
    assert [(v["server_name"], v["purchase_price"], v["book_value"]) for v in values] == [
        ("srv-a", 21000.0, 21000.0),
        ("srv-b", 21000.5, 21000.5),
    ]
    code, out, _ = run("pool", "book-value", "--as-of", "2026-01-01", "--by", "location")
    assert out.splitlines()[2].split() == ["Rotterdam", "2", "$42,000", "$42,000", "$0"]
    assert out.splitlines()[-1] == "Total USD: book value $42,000 of $42,000 paid."
    # Before the servers were bought they are no part of the books.
    code, out, _ = run("pool", "book-value", "--as-of", "2025-01-01")
    assert out == (
        "No book values on 2025-01-01: no server with a purchase price had been bought by then "
        "(a procurement or warranty start date on or before that day).\n"
    )


def test_help_loads_neither_pandas_nor_the_store():
    probe = (
        "import sys\n"
        "from workbench.cli import main\n"
        "for group in ('pool', 'procurement'):\n"
        "    try:\n"
        "        main([group, '--help'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'surrealdb') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "allocate" in done.stdout and "deliver" in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"


def test_json_ready_writes_dates_money_and_missing_values_plainly():
    from workbench.formatting import json_ready

    assert json_ready(
        {
            "price": Decimal("19125.61"),
            "day": pd.Timestamp("2030-01-07"),
            "moment": datetime(2030, 1, 7, 9, 30, tzinfo=UTC),
            "missing": [pd.NaT, float("nan"), pd.NA, None],
            "count": np.int64(3),
            "ratio": np.float64(0.5),
        }
    ) == {
        "price": 19125.61,
        "day": "2030-01-07",
        "moment": "2030-01-07T09:30:00+00:00",
        "missing": [None, None, None, None],
        "count": 3,
        "ratio": 0.5,
    }
