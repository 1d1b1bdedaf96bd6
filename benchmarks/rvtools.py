"""RVTools reading speed: our reader + summary against the calamine floor and pandas+openpyxl.

For each input, in one run and on the same sheets:

- floor: python-calamine reading the sheets the workbench reads, cells to Python values,
  nothing else (no checks, no types, no DataFrames);
- ours: ``read_rvtools`` (container checks, typed canonical DataFrames, quality report)
  followed by ``environment_summary``; a second line adds ``cluster_capacity``;
- peers: ``pandas.read_excel(engine="openpyxl")`` of the same sheets (what public RVTools
  analysers do), untyped.

Inputs: ../shared/data/rvtools/06_* (when present) and a synthetic export generated on the
fly (20,000 VMs by default). Prints medians and the ratios ours/floor and peers/ours.

    python benchmarks/rvtools.py [--vms 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from workbench import capacity
from workbench.demo import write_synthetic_rvtools
from workbench.io.rvtools import find_sheets, read_rvtools

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "rvtools"


def _sheets(path: Path) -> list[str]:
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    return list(find_sheets(names).values())


def floor(path: Path, sheets: list[str]) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in sheets:
        book.get_sheet_by_name(name).to_python()


def ours(path: Path, _sheets: list[str]) -> None:
    capacity.environment_summary(read_rvtools(path))


def ours_with_clusters(path: Path, _sheets: list[str]) -> None:
    export = read_rvtools(path)
    capacity.environment_summary(export)
    capacity.cluster_capacity(export)


def peers(path: Path, sheets: list[str]) -> None:
    pd.read_excel(path, sheet_name=sheets, engine="openpyxl")


def _median(function, path: Path, sheets: list[str], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(path, sheets)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(label: str, path: Path, repeat: int, peer_repeat: int) -> None:
    sheets = _sheets(path)
    ours(path, sheets)  # warm imports and caches once
    base = _median(floor, path, sheets, repeat)
    mine = _median(ours, path, sheets, repeat)
    more = _median(ours_with_clusters, path, sheets, repeat)
    slow = _median(peers, path, sheets, peer_repeat)
    print(f"\n{label}: {path.name} ({path.stat().st_size / 2**20:.1f} MiB, {len(sheets)} sheets)")
    print(f"  calamine floor        {base:8.3f} s")
    print(f"  workbench + summary   {mine:8.3f} s   {mine / base:5.2f}x the floor   (goal <= 1.5x)")
    print(f"  ... + cluster capacity{more:8.3f} s   {more / base:5.2f}x the floor")
    print(f"  pandas + openpyxl     {slow:8.3f} s   {slow / mine:5.2f}x slower than ours (goal >= 8x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vms", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    real = sorted(SHARED.glob("06_*.xlsx"))
    if real:
        run("real export", real[0], args.repeat, args.repeat)
    else:
        print(f"(no {SHARED}/06_*.xlsx here: real-file case skipped)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic_{args.vms}vm.xlsx"
        started = time.perf_counter()
        write_synthetic_rvtools(path, args.vms, seed=1)
        print(f"\n(generated {path.name} in {time.perf_counter() - started:.1f} s)")
        run("synthetic export", path, args.repeat, 1)


if __name__ == "__main__":
    main()
