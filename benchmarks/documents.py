"""Document generation speed: an HLD with a 2,000-row VM table, ours against the naive loop.

Both write the same table (VM, power state, cluster, host, OS, vCPUs, RAM, provisioned;
2,000 rows of generated VMs) into the workbench's own HLD template and save the .docx:

ours
    ``workbench.io.docx_writer.render_docx``: the whole HLD content (properties, fields,
    placeholders, sections) with the VM table built as one XML string and parsed once.
naive
    python-docx as its documentation shows it: ``add_table`` then ``add_row()`` per VM and
    ``cell.text = ...`` per cell, which walks the table's XML on every access (quadratic).

Medians of ``--repeat`` runs, measured in the same run, and the ratio naive / ours.
Goals: ours >= 10x faster than the naive loop, and <= 5 s.

    python benchmarks/documents.py [--rows 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLUMNS = ["VM", "Power", "Cluster", "Host", "OS", "vCPUs", "RAM", "Provisioned"]


def _rows(count: int) -> list[list[str]]:
    rng = random.Random(12)
    oses = [
        "Microsoft Windows Server 2019 (64-bit)",
        "Red Hat Enterprise Linux 8 (64-bit)",
        "Ubuntu Linux (64-bit)",
    ]
    return [
        [
            f"vm-{n:05d}-app",
            rng.choice(["poweredOn", "poweredOn", "poweredOff"]),
            f"Cluster-{n % 6 + 1:02d}",
            f"esx{n % 40 + 1:02d}.example.net",
            rng.choice(oses),
            str(rng.choice([2, 4, 8, 16])),
            f"{rng.choice([4, 8, 16, 32])} GiB",
            f"{rng.randint(40, 4000)} GiB",
        ]
        for n in range(count)
    ]


def _inputs(rows: list[list[str]]) -> dict:
    from workbench.documents import table

    return {
        "project": {"name": "Benchmark"},
        "document": {
            "version": "1",
            "date": "2026-11-29",
            "generated_at": "2026-11-29T10:00:00",
            "author": "bench",
            "status": "draft",
            "reference": "WB-BENCH-HLD-v1",
            "customer": "Benchmark customer",
        },
        "introduction": {"paragraphs": ["A benchmark document."]},
        "vms": {"tables": [table(COLUMNS, rows, "Virtual machines")]},
    }


def ours(template: bytes, rows: list[list[str]]) -> bytes:
    from workbench.documents import build_content
    from workbench.io.docx_writer import render_docx

    content = build_content("LLD", _inputs(rows))  # the LLD is the type with a VM table
    return render_docx(template, content, {}, datetime(2026, 11, 29, 10, 0))


def naive(template: bytes, rows: list[list[str]]) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(template))
    document.add_heading("Virtual machines", level=1)
    grid = document.add_table(rows=1, cols=len(COLUMNS))
    for cell, name in zip(grid.rows[0].cells, COLUMNS, strict=True):
        cell.text = name
    for row in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _median(function, repeat: int, *args) -> tuple[float, bytes]:
    times, result = [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import docx

    from workbench.io.default_templates import default_template

    template = default_template("LLD")
    rows = _rows(args.rows)
    ours_s, ours_doc = _median(ours, args.repeat, template, rows)
    naive_s, naive_doc = _median(naive, args.repeat, template, rows)
    for name, data in (("ours", ours_doc), ("naive", naive_doc)):
        tables = docx.Document(io.BytesIO(data)).tables
        assert any(len(t.rows) == args.rows + 1 for t in tables), f"{name}: the VM table is missing"
    ratio = naive_s / ours_s
    print(f"HLD/LLD with a {args.rows:,}-row VM table, medians of {args.repeat}:")
    print(f"  ours (bulk XML)          {ours_s * 1000:8.0f} ms  ({len(ours_doc) / 1024:,.0f} KiB)")
    print(
        f"  naive python-docx loop   {naive_s * 1000:8.0f} ms  ({len(naive_doc) / 1024:,.0f} KiB)"
    )
    print(f"  naive / ours             {ratio:8.1f}x   (goal >= 10x; ours <= 5 s)")
    met = ratio >= 10 and ours_s <= 5
    print("  goals met" if met else "  GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
