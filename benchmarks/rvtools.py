"""RVTools import speed and memory against the fastexcel floor.

For each input (../shared/data/rvtools/06_* when present, and a synthetic export generated
on the fly, 20,000 VMs by default) this prints two ratios, each against fastexcel reading
the same file:

time
    floor: ``fastexcel.read_excel(bytes)`` then every sheet of the file loaded into Arrow
    (``load_sheet(..., eager=True)``; a sheet whose column types fastexcel refuses to mix is
    loaded again as text, as the reader does). Nothing else: no checks, no types of ours,
    no DataFrames. The issue's reference number is this read.
    ours: the whole analysis an upload computes, from the path: ``read_rvtools`` (zip and
    geometry guards, typed canonical tables, quality report) then
    ``rvtools_imports.summaries`` (environment summary, capacity of every cluster, the 37
    risk checks, the quality summary). Median of ``--repeat`` runs each, interleaved.
    Goal: ours <= 2x the floor.

peak memory
    Each side runs once in its own fresh ``python`` subprocess; both first import the same
    modules (workbench with its reader and analysis, fastexcel, pandas, pyarrow and its
    Parquet writer), so the interpreter and libraries weigh the same on both sides. The peak
    is the child's ``VmHWM`` from /proc/self/status (its own high-water resident set, whole
    life; not ``ru_maxrss``, which Linux carries over from the parent across fork and exec,
    so a child started by a big parent would report the parent's peak). The floor child
    reads every sheet into Arrow as above and keeps the batches; the import child does what
    ``ws.rvtools.upload`` does apart from the store: read the file's bytes, parse them,
    compute the summaries and write the import folder (original file, Parquet tables,
    meta.json, quality.json) to a temporary directory. Goal: import <= 1.5x the floor.

stored analysis (synthetic export only)
    The export is uploaded into a throw-away store; then, ``--repeat`` times, a fresh
    process opens the workbench and times ``ws.rvtools.analysis(id)``, its first call (what a
    dashboard's kernel does), against reopening the import's VM table alone
    (``pandas.read_parquet`` of ``vInfo``). It also times the first analysis for another
    as-of day, which derives everything again from the tables. Goal: <= 0.5 s.

    python benchmarks/rvtools.py [--vms 20000] [--repeat 3] [--peers]

``--peers`` adds ``pandas.read_excel(engine="openpyxl")`` of the same sheets (what public
RVTools analysers do; slow: minutes on 20,000 VMs).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "rvtools"
IMPORTS = "import fastexcel, pandas, pyarrow, pyarrow.parquet, workbench.api.rvtools, workbench.io.rvtools_parquet"


def fastexcel_read(path: Path) -> list:
    """The floor: every sheet of the file into Arrow with fastexcel."""
    import fastexcel

    reader = fastexcel.read_excel(path.read_bytes())
    batches = []
    for name in reader.sheet_names:
        try:
            batches.append(reader.load_sheet(name, eager=True))
        except fastexcel.UnsupportedColumnTypeCombinationError:
            batches.append(reader.load_sheet(name, eager=True, dtypes="string"))
    return batches


def analysis(path: Path) -> dict:
    """Ours: what an upload computes, from the path."""
    from workbench import rvtools_imports
    from workbench.io.rvtools import read_rvtools

    return rvtools_imports.summaries(read_rvtools(path))


def import_without_store(path: Path, folder: Path) -> None:
    """What ``ws.rvtools.upload`` does apart from the store (see RVToolsImports.upload)."""
    from workbench import rvtools_imports
    from workbench.io import rvtools_parquet
    from workbench.io.rvtools import parse_named

    original = path.read_bytes()
    export = parse_named(path.name, original)
    rvtools_imports.summaries(export)
    (folder / "original").mkdir(parents=True)
    (folder / "original" / path.name).write_bytes(original)
    rvtools_parquet.write_export(export, folder)


def peers(path: Path) -> None:
    import pandas as pd

    from workbench.io.rvtools import find_sheets

    names = list(find_sheets(fastexcel_sheet_names(path)).values())
    pd.read_excel(path, sheet_name=names, engine="openpyxl")


def fastexcel_sheet_names(path: Path) -> list[str]:
    import fastexcel

    return fastexcel.read_excel(str(path)).sheet_names


def _stored_child(mode: str, home: Path, path: Path) -> None:
    import os

    os.environ["WORKBENCH_HOME"] = str(home)
    from datetime import date

    import pandas as pd

    import workbench

    ws = workbench.open()
    if mode == "upload":
        ws.projects.create("Benchmark", "vmware_migration")
        print(json.dumps({"id": ws.rvtools.upload("Benchmark", path, progress=False).id}))
        return
    [record] = ws.rvtools.list()
    started = time.perf_counter()
    pd.read_parquet(Path(record.raw_data_path) / "tables" / "vInfo.parquet")
    vm_table = time.perf_counter() - started
    started = time.perf_counter()
    ws.rvtools.analysis(record.id)
    kept = time.perf_counter() - started
    started = time.perf_counter()
    ws.rvtools.analysis(record.id, as_of=date(2031, 1, 1))
    again = time.perf_counter() - started
    ws.rvtools.analysis(record.id)  # today's analysis kept again, for the next round
    print(json.dumps({"vm_table": vm_table, "kept": kept, "again": again}))


def _run_stored_child(mode: str, home: Path, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--stored", mode, str(home), str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def stored_analysis(path: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        _run_stored_child("upload", Path(home), path)
        rounds = [_run_stored_child("analyse", Path(home), path) for _ in range(repeat)]
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    print(f"  stored import, fresh process: reopen the VM table {median['vm_table']:7.3f} s")
    print(
        f"  ws.rvtools.analysis(), first call {median['kept']:7.3f} s   "
        f"{median['kept'] / median['vm_table']:.1f}x the VM table's reopen (goal <= 0.5 s)"
    )
    print(f"  the same for another as-of day    {median['again']:7.3f} s   (derived again once)")


def _child(mode: str, path: Path) -> None:
    exec(IMPORTS)  # the same modules on both sides, before anything is measured
    if mode == "floor":
        fastexcel_read(path)
    else:
        with tempfile.TemporaryDirectory() as folder:
            import_without_store(path, Path(folder) / "import")
    print(json.dumps({"peak_mib": _high_water_mib()}))


def _high_water_mib() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def peak_mib(mode: str, path: Path) -> float:
    """Peak RSS (MiB) of one fresh subprocess doing ``mode`` on ``path``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def _medians(functions: dict, repeat: int) -> dict[str, float]:
    timings: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):  # interleaved, so a busy moment hits both sides alike
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def run(label: str, path: Path, repeat: int, with_peers: bool) -> None:
    analysis(path)  # warm imports and caches once
    times = _medians(
        {"floor": lambda: fastexcel_read(path), "ours": lambda: analysis(path)}, repeat
    )
    floor_mib, import_mib = peak_mib("floor", path), peak_mib("import", path)
    print(f"\n{label}: {path.name} ({path.stat().st_size / 2**20:.1f} MiB)")
    print(f"  fastexcel read, every sheet      {times['floor']:8.3f} s")
    print(
        f"  read + capacity + risks + quality {times['ours']:7.3f} s   "
        f"time ratio {times['ours'] / times['floor']:.2f}x the fastexcel read (goal <= 2x)"
    )
    print(
        f"  peak memory: fastexcel read {floor_mib:7.0f} MiB, import {import_mib:7.0f} MiB   "
        f"memory ratio {import_mib / floor_mib:.2f}x (goal <= 1.5x)"
    )
    if with_peers:
        slow = _medians({"peers": lambda: peers(path)}, 1)["peers"]
        print(
            f"  pandas + openpyxl                {slow:8.3f} s   {slow / times['ours']:5.2f}x slower than ours"
        )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]))
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--stored":
        _stored_child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vms", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", action="store_true", help="also time pandas + openpyxl")
    args = parser.parse_args()
    real = sorted(SHARED.glob("06_*.xlsx"))
    if real:
        run("real export", real[0], args.repeat, args.peers)
    else:
        print(f"(no {SHARED}/06_*.xlsx here: real-file case skipped)")
    from workbench.demo import write_synthetic_rvtools

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic_{args.vms}vm.xlsx"
        started = time.perf_counter()
        write_synthetic_rvtools(path, args.vms, seed=1)
        print(f"\n(generated {path.name} in {time.perf_counter() - started:.1f} s)")
        run("synthetic export", path, args.repeat, args.peers)
        stored_analysis(path, args.repeat)


if __name__ == "__main__":
    main()
