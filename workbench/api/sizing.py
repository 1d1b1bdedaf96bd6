"""``ws.sizing``: size an RVTools import against the stored baskets, keep the ranking with
the import, and write the BOM of a chosen option.

Each method is one user action and runs as one unit of work on the store (reading the
import's tables and ranking happen outside it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import sizing as rules
from workbench.bom import Bom, build_bom
from workbench.errors import InvalidInputError, NotFoundError
from workbench.formatting import label
from workbench.store import Store
from workbench.store import rvtools as import_records

if TYPE_CHECKING:
    from workbench.api.baskets import Baskets
    from workbench.api.rvtools import RVToolsImports

# The import keeps this many rankings, newest first (hardware_recommendations).
KEPT_RECOMMENDATIONS = 5
# Setting names in words, for the BOM and the dashboard.
SETTING_LABELS = {
    "include_powered_off": "Powered-off VMs counted",
    "storage_basis": "Storage basis",
    "growth": "Growth per year",
    "years": "Growth horizon (years)",
    "cpu_ratio": "vCPU:core ratio",
    "target_utilisation": "Target utilisation",
    "reserve_cores": "Hypervisor reserve (cores per host)",
    "reserve_ram_gib": "Hypervisor reserve (GiB per host)",
    "memory_overcommit": "Memory overcommit",
    "cpu_generation": "CPU generation normalised",
    "count_smt": "Hyper-threads counted as half a core",
    "ha_failures": "Host failures tolerated",
    "min_hosts": "Minimum hosts",
    "storage": "Storage",
    "slack": "vSAN slack space",
    "dedupe": "Deduplication and compression",
    "esa_overhead": "vSAN ESA overhead",
    "rebuild_reserve_hosts": "Rebuild reserve (hosts)",
    "support_tier": "Support tier",
    "support_years": "Support term (years)",
    "windows_price_per_core_year": "Windows Server, USD per core and year",
    "vmware_price_per_core_year": "VMware, USD per core and year",
}


@dataclass(frozen=True)
class SizingInputs:
    """What a ranking reads from the store: the import (its id and selected clusters), its
    tables and the lots. A dashboard keeps them to re-rank on each setting without reading
    the store again (see :meth:`Sizing.prepare`)."""

    import_id: str
    selected_clusters: tuple[str, ...]
    export: Any
    lots: pd.DataFrame


class Sizing:
    """Sizing of RVTools imports against the stored baskets."""

    def __init__(
        self,
        store: Store,
        rvtools: Callable[[], RVToolsImports],
        baskets: Callable[[], Baskets],
    ):
        self._store = store
        self._rvtools = rvtools
        self._baskets = baskets

    def settings(self, **settings: Any) -> rules.SizingSettings:
        """Validated settings (unknown names refused, in words)."""
        known = set(rules.SizingSettings.__dataclass_fields__)
        unknown = sorted(set(settings) - known)
        if unknown:
            raise InvalidInputError(
                f"Unknown sizing setting(s): {', '.join(unknown)}. "
                f"Known: {', '.join(sorted(known - {'cpu_benchmarks'}))}."
            )
        return rules.SizingSettings(**settings).validate()

    def lots(self, baskets: list[str] | None = None) -> pd.DataFrame:
        """The lots to rank: every stored basket's, or those of ``baskets`` (ids or names).

        Raises
        ------
        NotFoundError
            No basket is stored, or one named is not.
        """
        store = self._baskets()
        if baskets:
            frames = [store.lots(basket=b) for b in baskets]
            lots = pd.concat(frames, ignore_index=True)
        else:
            lots = store.lots()
        if lots.empty:
            raise NotFoundError(
                "No hardware basket is stored: import one first (workbench basket import FILE)."
            )
        return lots

    def prepare(self, import_id: str, baskets: list[str] | None = None) -> SizingInputs:
        """Read what ranking the import against the baskets needs, once.

        Raises
        ------
        NotFoundError
            No such import or basket.
        """
        imports = self._rvtools()
        record = imports.get(import_id)
        return SizingInputs(
            import_id=record.id,
            selected_clusters=tuple(record.selected_clusters),
            export=imports.export(import_id),
            lots=self.lots(baskets),
        )

    def recommend(
        self,
        import_id: str,
        baskets: list[str] | None = None,
        *,
        keep: bool = True,
        inputs: SizingInputs | None = None,
        **settings: Any,
    ) -> rules.Recommendation:
        """Rank every lot of the baskets for the import's selected clusters.

        Parameters
        ----------
        import_id : str
            A completed RVTools import; its stored cluster selection is sized (all
            clusters when none is stored).
        baskets : list of str, optional
            Basket ids or names (default: every stored basket).
        keep : bool
            Store the ranking with its settings in the import's
            ``hardware_recommendations`` (newest first, the last
            :data:`KEPT_RECOMMENDATIONS`).
        inputs : SizingInputs, optional
            From :meth:`prepare` for this import and these baskets (default: read now).
        **settings
            :class:`workbench.sizing.SizingSettings` fields.

        Returns
        -------
        workbench.sizing.Recommendation
            ``options`` (one row per scenario and lot, ranked by total cost), ``trace``.

        Raises
        ------
        NotFoundError
            No such import or basket.
        InvalidInputError
            A setting breaks its rule.
        """
        chosen = self.settings(**settings)
        if inputs is None:
            inputs = self.prepare(import_id, baskets)
        lots = inputs.lots
        demand = rules.demand(inputs.export, list(inputs.selected_clusters) or None, chosen)
        result = rules.recommend(demand, lots, chosen)
        # Which stored basket each option comes from (names may repeat across vendors).
        ids = lots.drop_duplicates(["vendor", "basket"]).set_index(["vendor", "basket"])
        result.options["basket_id"] = [
            ids["basket_id"].get((v, b), "")
            for v, b in zip(result.options["vendor"], result.options["basket"], strict=True)
        ]
        if keep:
            entry = dict(
                result.to_json(),
                computed_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
                baskets=sorted(set(lots["basket_id"])),
            )
            with self._store.unit_of_work() as session:
                current = import_records.find(session, inputs.import_id)
                kept = [entry, *(current.get("hardware_recommendations") or [])]
                import_records.update(
                    session,
                    inputs.import_id,
                    {"hardware_recommendations": kept[:KEPT_RECOMMENDATIONS]},
                )
        return result

    def latest(self, import_id: str) -> rules.Recommendation | None:
        """The newest ranking kept with the import, or None."""
        record = self._rvtools().get(import_id)
        if not record.hardware_recommendations:
            return None
        return rules.Recommendation.from_json(record.hardware_recommendations[0])

    def bom(
        self,
        import_id: str,
        vendor: str,
        lot: str,
        *,
        scenario: str = "policy",
        recommendation: rules.Recommendation | None = None,
    ) -> Bom:
        """The bill of materials of one ranked option.

        Uses ``recommendation``, else the newest ranking kept with the import, else ranks
        with the default settings (and keeps that).

        Raises
        ------
        NotFoundError
            No option for that vendor, lot and scenario, or the option is not feasible.
        """
        result = recommendation or self.latest(import_id) or self.recommend(import_id)
        options = result.options
        match = options[
            (options["vendor"].str.casefold() == vendor.strip().casefold())
            & (options["lot"].str.casefold() == lot.strip().casefold())
            & (options["scenario"] == scenario)
        ]
        if match.empty:
            offered = sorted(
                {f"{v} {c}" for v, c in zip(options["vendor"], options["lot"], strict=True)}
            )
            raise NotFoundError(
                f"No {scenario!r} option for {vendor} {lot}. Ranked: {', '.join(offered)}."
            )
        option = match.iloc[0].to_dict()
        if not option["feasible"]:
            raise NotFoundError(f"{vendor} {lot} cannot carry this demand: {option['reason']}")
        basket = self._baskets().get(option.get("basket_id") or option["basket"])
        [chosen_lot] = [x for x in basket.lots if x.code.casefold() == option["lot"].casefold()]
        record = self._rvtools().get(import_id)
        analysis = self._rvtools().analysis(import_id)
        trace = result.trace
        steps = trace[
            (trace["scenario"] == scenario)
            & (trace["vendor"] == option["vendor"])
            & (trace["lot"] == option["lot"])
            & (trace["tier"].fillna("") == (option.get("tier") or ""))
        ][["step", "formula", "value", "unit"]]
        header = [
            ("Import", f"{record.filename} ({record.id})"),
            ("Clusters", ", ".join(record.selected_clusters) or "all"),
            ("Vendor", basket.vendor),
            ("Basket", f"{basket.name} ({basket.quarter})"),
            ("Valid until", basket.valid_until.isoformat() if basket.valid_until else "not stated"),
            (
                "EUR rate",
                f"{basket.exchange_rate} ({'EUR = USD / rate' if basket.exchange_rate_convention == 'usd_per_eur' else 'EUR = USD x rate'})",
            ),
            ("Scenario", label(scenario)),
        ]
        settings = [
            (SETTING_LABELS.get(name, name), _setting_text(value))
            for name, value in result.settings.items()
            if name in SETTING_LABELS
        ]
        licences = None
        licence_usd = float(option.get("licence_usd") or 0.0)
        if licence_usd:
            rate = float(option["total_eur"]) / float(option["total_usd"])
            licences = {
                "description": "Licences over the support term (see the trace)",
                "quantity": 1,
                "unit_usd": licence_usd,
                "unit_eur": round(licence_usd * rate, 2),
            }
        return build_bom(
            option,
            chosen_lot,
            header=header,
            settings=settings,
            trace=steps.reset_index(drop=True),
            demand=_demand_table(analysis.capacity),
            licences=licences,
        )

    def export_bom(
        self,
        import_id: str,
        vendor: str,
        lot: str,
        path: str | Path,
        *,
        scenario: str = "policy",
        recommendation: rules.Recommendation | None = None,
    ) -> Path:
        """Write the BOM of one ranked option to ``path`` (.xlsx); see :meth:`bom`."""
        from workbench.io.bom_xlsx import write_bom

        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            raise InvalidInputError(f"A BOM is written as .xlsx, not {target.name}.")
        document = self.bom(
            import_id, vendor, lot, scenario=scenario, recommendation=recommendation
        )
        return write_bom(document, target)


def _setting_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "not set"
    return str(value)


def _demand_table(capacity: pd.DataFrame) -> pd.DataFrame:
    """Per-cluster demand of the sized selection, in words and units."""
    columns = {
        "cluster": "Cluster",
        "vms": "VMs",
        "vms_on": "Powered-on VMs",
        "vcpus": "vCPUs",
        "vram_mib": "vRAM (GiB)",
        "provisioned_mib": "Provisioned (GiB)",
        "in_use_mib": "In use (GiB)",
        "hosts": "Hosts today",
        "cores": "Cores today",
    }
    shown = capacity[[c for c in columns if c in capacity.columns]].copy()
    for column in ("vram_mib", "provisioned_mib", "in_use_mib"):
        if column in shown:
            shown[column] = (shown[column] / 1024).round(1)
    return shown.rename(columns=columns)


__all__ = ["KEPT_RECOMMENDATIONS", "SETTING_LABELS", "Sizing"]
