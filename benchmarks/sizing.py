"""Sizing speed: rank 36 lots x 2 scenarios (with the placement check) for 20,000 VMs.

Method: one synthetic 20,000-VM export (``workbench.demo``), read once; a lots frame of 36
generated lots (three price tiers each) built here. Timed, best of 5 in this process:
the demand computation alone (the baseline) and the whole ranking (demand + recommend).
Prints both and their ratio; the goal is <= 2 s for the ranking on a 2-core machine.

Run: ``.venv/bin/python benchmarks/sizing.py [VMS]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from workbench import sizing
from workbench.baskets import LOT_COLUMNS
from workbench.demo import write_synthetic_rvtools
from workbench.io.rvtools import read_rvtools


def lots_frame(count: int = 36) -> pd.DataFrame:
    """``count`` lots in two vendors' baskets, cores 16-128, RAM 256-2048 GiB, every other
    lot with data disks, three price tiers each (net, 3-year and 5-year support)."""
    rows = []
    cpus = [("Intel", "2 x 6430", 32), ("Intel", "2 x 8462Y+", 32), ("AMD", "2 x 9354", 32)]
    for n in range(count):
        vendor = "Dell" if n % 2 else "Lenovo"
        cpu_vendor, cpu_model, per_cpu = cpus[n % 3]
        per_cpu = [8, 16, 24, 32, 48, 64][n % 6]
        ram = [256, 512, 768, 1024, 1536, 2048][(n // 6) % 6]
        raw = [0.0, 15.36, 30.72, 61.44][n % 4]
        base = 8000 + per_cpu * 300 + ram * 9 + raw * 400
        for tier, years, hardware, usd in (
            ("net", None, True, base),
            ("prosupport", 3, True, base * 1.12),
            ("prosupport", 5, True, base * 1.2),
        ):
            rows.append(
                {
                    "basket_id": "",
                    "vendor": vendor,
                    "basket": f"{vendor} 2025-Q3",
                    "quarter": "2025-Q3",
                    "lot": f"L{n:02d}",
                    "model": f"Model {n}",
                    "category": "medium",
                    "form_factor": "1U",
                    "cpu_vendor": cpu_vendor,
                    "cpu_model": cpu_model,
                    "sockets": 2,
                    "cores_per_cpu": per_cpu,
                    "cores": 2 * per_cpu,
                    "ram_gib": ram,
                    "data_disks": "",
                    "raw_tb": raw or None,
                    "nics": "",
                    "tier": tier,
                    "years": years,
                    "includes_hardware": hardware,
                    "usd": usd,
                    "eur": usd * 0.86,
                    "warnings": "",
                }
            )
    frame = pd.DataFrame(rows, columns=LOT_COLUMNS)
    for column in ("sockets", "cores_per_cpu", "cores", "ram_gib", "years"):
        frame[column] = frame[column].astype("Int64")
    return frame


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    vms = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    lots = lots_frame()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.xlsx"
        write_synthetic_rvtools(path, vms, seed=11)
        export = read_rvtools(path)
    settings = sizing.SizingSettings()
    baseline = best(lambda: sizing.demand(export, settings=settings))
    need = sizing.demand(export, settings=settings)
    whole = best(lambda: sizing.recommend(sizing.demand(export, settings=settings), lots, settings))
    vsan = sizing.SizingSettings(storage="esa_raid5")
    whole_vsan = best(lambda: sizing.recommend(sizing.demand(export, settings=vsan), lots, vsan))
    result = sizing.recommend(need, lots, settings)
    options = len(result.options)
    print(
        f"{need.vms:,} VMs in scope, {lots['lot'].nunique()} lots x 2 scenarios = {options} options"
    )
    print(f"demand alone (baseline):         {baseline * 1000:8.1f} ms")
    print(
        f"whole ranking, external storage: {whole * 1000:8.1f} ms  ({whole / baseline:.1f}x baseline)"
    )
    print(
        f"whole ranking, vSAN ESA RAID-5:  {whole_vsan * 1000:8.1f} ms  ({whole_vsan / baseline:.1f}x baseline)"
    )
    print(f"goal: <= 2000 ms  -> {'met' if max(whole, whole_vsan) <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
