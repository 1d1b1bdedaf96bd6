"""Fuzz the RVTools reader (xlsx and CSV paths) and the analysis behind an upload.

Runs for a number of minutes (``make fuzz MINUTES=5``), drawing inputs with Hypothesis
(generation only, no shrinking, no example database) from:

- xlsx: exports (synthetic ones made here, and the real ones in ../shared/data/rvtools when
  present) damaged at the byte level, at the XML level (cells moved far out, references in
  odd forms, tags cut or repeated, text where numbers belong) or at the cell level (one
  column rewritten as in tests/test_rvtools_mutations.py);
- CSV: single ``RVTools_tabvInfo.csv`` files and zips of CSV files, with random bodies,
  delimiters, quotes, encodings and byte damage.

Each input goes through ``parse_named`` (the upload's entry point) and, when read, through
``rvtools_imports.summaries``. Only the workbench's named errors (WorkbenchError) may
escape; anything else is an escape, saved under the folder printed at the end. Inputs
slower than 10 s are reported too. Not collected by pytest (the file name has no test_).

    python tests/fuzz/fuzz_rvtools.py --minutes 5
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from workbench import rvtools_imports  # noqa: E402
from workbench.demo import synthetic_rvtools  # noqa: E402
from workbench.errors import WorkbenchError  # noqa: E402
from workbench.io.rvtools import parse_named  # noqa: E402
from workbench.io.xlsx_writer import write_xlsx  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "rvtools"
SLOW_SECONDS = 10.0


def _xlsx(sheets) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def _bases() -> list[tuple[str, bytes]]:
    bases = [
        (f"synthetic-{n}.xlsx", _xlsx(synthetic_rvtools(n, seed=n).sheets)) for n in (3, 25, 120)
    ]
    if SHARED.is_dir():
        bases += [
            (p.name, p.read_bytes())
            for p in sorted(SHARED.glob("*.xlsx"))
            if p.stat().st_size < 800_000
        ]
    return bases


def _csv_files(vms: int, seed: int, delimiter: str) -> dict[str, str]:
    files = {}
    for sheet, (headers, rows) in synthetic_rvtools(vms, seed=seed).sheets.items():
        lines = [delimiter.join(map(str, headers))]
        lines += [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
        files[f"RVTools_tab{sheet}.csv"] = "\n".join(lines) + "\n"
    return files


BASES = _bases()
CSV_BASES = [_csv_files(12, 1, ","), _csv_files(30, 2, ";")]
PIECES = [
    ",",
    ";",
    '"',
    "\n",
    "\r\n",
    " ",
    "\t",
    "0",
    "7",
    ".",
    "-",
    "%",
    "True",
    "False",
    "yes",
    "poweredOn",
    "suspended",
    "vmx-",
    "inf",
    "nan",
    "1e308",
    "1e999",
    "-0",
    "1970/01/01 00:00:00",
    "2019-03-04T05:06:07Z",
    "2019-03-04T05:06:07+05:30",
    "31.12.2018 17:25",
    "4/4/2018 5:25:31 PM",
    "é",
    "\x00",
    "\ufeff",
    "x",
    "=SUM(A1)",
    "VM",
    "CPUs",
    "Memory",
    "Cluster",
    "Host",
    "vm-1",
    "vc",
]
CELL_VALUES = st.one_of(
    st.sampled_from(PIECES),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70).map(str),
    st.just("x" * 32_767),
)
XML_EDITS = [
    lambda x, r: x.replace(b'r="A2"', b'r="XFD1048576"', 1),
    lambda x, r: x.replace(b'r="B', b"r='B", r.randint(1, 50)),
    lambda x, r: x.replace(b'r="C', b'r = "CZ', r.randint(1, 50)),
    lambda x, r: x.replace(b'r="D', b'r="d', r.randint(1, 50)),
    lambda x, r: re.sub(rb' r="[A-Z]+\d+"', b"", x, count=r.randint(1, 80)),
    lambda x, r: x.replace(b"<row ", b'<row r="1048000" ', 1),
    lambda x, r: x.replace(
        b"</sheetData>", b"<row><c><v>1</v></c></row>" * r.randint(1, 60) + b"</sheetData>"
    ),
    lambda x, r: x[: r.randint(0, len(x))],
    lambda x, r: x.replace(b"<v>", b'<v t="e">#N/A', r.randint(1, 20)),
    lambda x, r: x.replace(b"</t>", b"</t></is></c><c>", 1),
    lambda x, r: x.replace(b'<c r="', b'<c t="b" r="', r.randint(1, 30)),
    lambda x, r: x.replace(b'<c r="', b'<c t="d" r="', r.randint(1, 30)),
    lambda x, r: x.replace(b"<v>", b"<v>9" * 1, r.randint(1, 30)),
    lambda x, r: x + x[r.randint(0, len(x)) :],
]


def _rezip(data: bytes, change, compression: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", compression) as zout:
        for name in zin.namelist():
            zout.writestr(name, change(name, zin.read(name)))
    return out.getvalue()


def _xlsx_input(data: st.DataObject) -> tuple[str, bytes]:
    name, base = data.draw(st.sampled_from(BASES), label="base")
    how = data.draw(st.sampled_from(["bytes", "xml", "cells"]), label="how")
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    if how == "bytes":
        damaged = bytearray(base)
        for _ in range(data.draw(st.integers(1, 30))):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        return name, bytes(damaged)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheets = [
            n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
    target = rng.choice(sheets)
    compression = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
    if how == "xml":
        edits = data.draw(
            st.lists(st.sampled_from(range(len(XML_EDITS))), min_size=1, max_size=3), label="edits"
        )

        def change(part: str, xml: bytes) -> bytes:
            if part != target:
                return xml
            for edit in edits:
                xml = XML_EDITS[edit](xml, rng)
            return xml

        return name, _rezip(base, change, compression)
    # cells: rewrite the text of some <v>/<t> values in one sheet
    values = data.draw(st.lists(CELL_VALUES, min_size=1, max_size=5), label="values")

    def cells(part: str, xml: bytes) -> bytes:
        if part != target:
            return xml
        pieces = re.split(rb"(<[vt][^>]*>[^<]*</[vt]>)", xml)
        for index in rng.sample(
            range(1, len(pieces), 2), min(len(pieces) // 2, rng.randint(1, 200))
        ):
            tag = pieces[index][:2]
            value = (
                str(rng.choice(values))
                .replace("&", "&amp;")
                .replace("<", "&lt;")
                .encode("utf-8", "replace")
            )
            pieces[index] = tag + b">" + value + b"</" + tag[1:] + b">"
        return b"".join(pieces)

    return name, _rezip(base, cells, compression)


def _csv_input(data: st.DataObject) -> tuple[str, bytes]:
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    kind = data.draw(st.sampled_from(["body", "export", "zip"]), label="csv kind")
    encoding = data.draw(
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), label="encoding"
    )
    if kind == "body":
        header = data.draw(
            st.sampled_from(
                [
                    "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,In Use MiB,Cluster,Host,Creation date,HW version\n",
                    "VM;Powerstate;Template;CPUs;Memory;PowerOn;Latency Sensitivity;Overall Cpu Readiness\n",
                    "vInfoVMName,vInfoCPUs,vInfoMemory\n",
                    "",
                ]
            ),
            label="header",
        )
        body = "".join(data.draw(st.lists(st.sampled_from(PIECES), max_size=200), label="body"))
        return "RVTools_tabvInfo.csv", (header + body).encode(encoding, "replace")
    files = dict(rng.choice(CSV_BASES))
    for _ in range(data.draw(st.integers(1, 20))):
        file = rng.choice(sorted(files))
        text = files[file]
        at = rng.randrange(len(text) + 1)
        files[file] = text[:at] + str(data.draw(CELL_VALUES)) + text[at + rng.randrange(0, 30) :]
    if kind == "export":
        return "RVTools_tabvInfo.csv", files["RVTools_tabvInfo.csv"].encode(encoding, "replace")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for file, text in files.items():
            archive.writestr(file, text.encode(encoding, "replace"))
    return "export.zip", out.getvalue()


def run(minutes: float, out: Path) -> int:
    ends = time.monotonic() + minutes * 60
    started = time.monotonic()
    stats = {"inputs": 0, "read": 0, "rejected": 0, "escapes": 0, "slow": 0}

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def batch(data):
        path = data.draw(st.sampled_from(["xlsx", "csv"]), label="path")
        name, payload = _xlsx_input(data) if path == "xlsx" else _csv_input(data)
        if time.monotonic() > ends:
            return  # drawn but not tried: the batch runs out quickly
        stats["inputs"] += 1
        began = time.monotonic()
        try:
            export = parse_named(name, payload)
            rvtools_imports.summaries(export)
            stats["read"] += 1
        except WorkbenchError:
            stats["rejected"] += 1
        except Exception:  # an escape: keep the input and the traceback, go on
            stats["escapes"] += 1
            digest = hashlib.sha256(payload).hexdigest()[:16]
            (out / f"{digest}-{name}").write_bytes(payload)
            (out / f"{digest}.txt").write_text(traceback.format_exc())
            print(
                f"ESCAPE {digest} {name}: {traceback.format_exc().strip().splitlines()[-1]}",
                flush=True,
            )
        if time.monotonic() - began > SLOW_SECONDS:
            stats["slow"] += 1
            print(f"slow input: {name}, {time.monotonic() - began:.1f} s", flush=True)

    while time.monotonic() < ends:
        batch()
    print(
        f"fuzz: {(time.monotonic() - started) / 60:.1f} minutes run, {stats['inputs']} inputs tried "
        f"({stats['read']} read, {stats['rejected']} rejected with a named error), "
        f"{stats['escapes']} escapes, {stats['slow']} slower than {SLOW_SECONDS:.0f} s"
        + (f"; escaping inputs in {out}" if stats["escapes"] else "")
    )
    return 1 if stats["escapes"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="rvtools-fuzz-"))
    sys.exit(run(args.minutes, out))


if __name__ == "__main__":
    main()
