"""RVTools imports as the workbench keeps them: the record, its summaries and the analysis.

Pure: builds what the store keeps from an :class:`~workbench.io.rvtools.RVToolsExport`
and turns stored records back into dataclasses. The facade (``ws.rvtools``) does the I/O.
"""

from __future__ import annotations

import hashlib
import math
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import capacity, risks
from workbench.errors import InvalidInputError
from workbench.io.rvtools import QualityReport, RVToolsExport

IMPORT_STATUSES = ("processing", "completed", "failed")
FRAME_COLUMNS = [
    "id",
    "project_id",
    "filename",
    "processing_status",
    "import_date",
    "imported_by",
    "rvtools_version",
    "total_vms",
    "total_hosts",
    "total_clusters",
    "selected_clusters",
    "error_message",
]


def json_clean(value: Any) -> Any:
    """Plain JSON types: numpy scalars to Python, NaN/NA to None, timestamps to ISO text."""
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class RVToolsImport:
    """One stored import (the ``rvtools_import`` record).

    Attributes
    ----------
    total_vms : int or None
        VMs that are not templates. ``total_hosts``: vHost rows; ``total_clusters``:
        distinct cluster names.
    selected_clusters : list of str
        Clusters chosen for sizing; empty means all.
    raw_data_path : str or None
        Folder holding the original file and the Parquet tables.
    """

    id: str
    project_id: str
    filename: str
    file_size: int
    processing_status: str
    import_date: datetime | None = None
    imported_by: str | None = None
    error_message: str | None = None
    rvtools_version: str | None = None
    file_sha256: str | None = None
    total_vms: int | None = None
    total_hosts: int | None = None
    total_clusters: int | None = None
    selected_clusters: list[str] = field(default_factory=list)
    raw_data_path: str | None = None
    environment_summary: dict[str, Any] = field(default_factory=dict)
    clusters_data: list[dict[str, Any]] = field(default_factory=list)
    capacity_analysis: dict[str, Any] = field(default_factory=dict)
    hardware_recommendations: list[dict[str, Any]] = field(default_factory=list)
    data_quality: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> RVToolsImport:
        """From a stored record (ids already plain strings)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in row.items() if k in names and v is not None})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return json_clean(asdict(self))


def imports_frame(imports: list[RVToolsImport]) -> pd.DataFrame:
    """Imports as a table; columns :data:`FRAME_COLUMNS`."""
    return pd.DataFrame(
        [{c: getattr(i, c) for c in FRAME_COLUMNS} for i in imports], columns=FRAME_COLUMNS
    )


def check_clusters(export: RVToolsExport, names: list[str]) -> list[str]:
    """Validate a cluster selection against the export; return it de-duplicated, sorted.

    Raises
    ------
    InvalidInputError
        A name is not a cluster of this export.
    """
    if isinstance(names, str):
        names = [names]
    known = set(capacity.inventory_totals(export)["per_cluster"])
    chosen = sorted({str(n) for n in names})
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise InvalidInputError(
            f"No cluster named {', '.join(map(repr, unknown))} in this import; "
            f"clusters are: {', '.join(repr(k) for k in sorted(known))}."
        )
    return chosen


def capacity_analysis(
    export: RVToolsExport,
    selected: list[str],
    as_of: date | None = None,
    *,
    derived: Derived | None = None,
) -> dict[str, Any]:
    """What the store keeps as ``capacity_analysis`` for a selection (empty = all clusters).

    ``derived``, :func:`derive` of this export for ``as_of`` when already computed, saves
    computing its parts again.

    Returns
    -------
    dict
        ``selected`` (names), ``clusters`` (rows of :func:`capacity.cluster_capacity`),
        ``totals`` (sums of supply and demand over the selection: hosts, cores,
        memory_mib, vms, vcpus, vram_mib, provisioned_mib, in_use_mib and their ``_on``
        forms; datastores shared by selected clusters counted once), ``risks`` ({check id:
        VMs hit in the selection}).
    """
    if derived is not None and not selected:
        frame = derived.clusters
    else:
        frame = capacity.cluster_capacity(export, selected or None)
    summed = [
        c
        for c in frame.columns
        if c not in ("cluster", "vcenter")
        and not c.startswith(("vcpu_per", "vram_per", "n1_vcpu", "largest", "datastore"))
    ]
    totals = {c: frame[c].sum() for c in summed}
    totals.update(capacity.storage_seen_by(export, selected or None))
    report = derived.risks if derived is not None else risks.assess(export, as_of=as_of)
    if selected:
        report = report.for_clusters(selected)
    return json_clean(
        {
            "selected": list(selected),
            "clusters": frame.to_dict(orient="records"),
            "totals": totals,
            "risks": report.counts(),
        }
    )


def summaries(export: RVToolsExport, derived: Derived | None = None) -> dict[str, Any]:
    """The fields an import record gets when it completes.

    ``derived`` (:func:`derive` of this export) saves computing its parts again; without it
    risks are judged as of today.
    """
    derived = derived or derive(export, date.today())
    summary = derived.summary
    # Everything selected: its rows are every cluster.
    analysis = capacity_analysis(export, [], derived.as_of, derived=derived)
    return json_clean(
        {
            "total_vms": summary["vms"],
            "total_hosts": summary["hosts"],
            "total_clusters": summary["clusters"],
            "rvtools_version": export.meta["rvtools_version"],
            "environment_summary": summary,
            "clusters_data": analysis["clusters"],
            "capacity_analysis": analysis,
            "data_quality": _quality_summary(export.quality),
        }
    )


def _quality_summary(quality: QualityReport) -> dict[str, Any]:
    full = quality.to_dict()
    # The per-column lists of absent columns can be long on trimmed files; keep counts here
    # (quality.json beside the Parquet tables has everything).
    full["missing_columns"] = {sheet: len(cols) for sheet, cols in full["missing_columns"].items()}
    return full


@dataclass
class RVToolsAnalysis:
    """Everything the notebooks and dashboards show for one import.

    Attributes
    ----------
    record : RVToolsImport
    summary : dict
        :func:`workbench.capacity.environment_summary`.
    clusters : pandas.DataFrame
        Every cluster, columns :data:`workbench.capacity.CLUSTER_COLUMNS`.
    selected : list of str
        The stored selection (empty = all).
    capacity : pandas.DataFrame
        ``clusters`` restricted to the selection.
    risks : workbench.risks.RiskReport
        Risks of VMs in the selection.
    quality : workbench.io.rvtools.QualityReport
    all_risks : workbench.risks.RiskReport
        Risks of every VM (to re-select without re-reading).
    """

    record: RVToolsImport
    summary: dict[str, Any]
    clusters: pd.DataFrame
    selected: list[str]
    capacity: pd.DataFrame
    risks: risks.RiskReport
    quality: QualityReport
    all_risks: risks.RiskReport


# The tables of a Derived, as kept on disk.
DERIVED_FRAMES = ["clusters", "risk_checks", "risk_hits"]


@dataclass(frozen=True)
class Derived:
    """What an analysis derives from an export's tables for one as-of day.

    Kept beside the tables (see :func:`derived_key`), so a stored import is analysed without
    reading its tables or running its checks again.

    Attributes
    ----------
    as_of : date
        The day end-of-support risks were judged against.
    summary : dict
        :func:`workbench.capacity.environment_summary`, JSON-ready.
    clusters : pandas.DataFrame
        Every cluster, columns :data:`workbench.capacity.CLUSTER_COLUMNS`.
    risks : workbench.risks.RiskReport
        Risks of every VM.
    """

    as_of: date
    summary: dict[str, Any]
    clusters: pd.DataFrame
    risks: risks.RiskReport

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables to keep, by name (:data:`DERIVED_FRAMES`; see :meth:`from_kept`)."""
        tables = [self.clusters, self.risks.checks, self.risks.hits]
        return dict(zip(DERIVED_FRAMES, tables, strict=True))

    @classmethod
    def from_kept(
        cls, as_of: date, summary: dict[str, Any], frames: dict[str, pd.DataFrame]
    ) -> Derived:
        """Back from :meth:`frames` and the summary."""
        report = risks.RiskReport(checks=frames["risk_checks"], hits=frames["risk_hits"])
        return cls(as_of=as_of, summary=summary, clusters=frames["clusters"], risks=report)


def derive(export: RVToolsExport, as_of: date | None = None) -> Derived:
    """Summary, per-cluster capacity and every VM's risks of ``export`` (default: today)."""
    as_of = as_of or date.today()
    return Derived(
        as_of=as_of,
        summary=json_clean(capacity.environment_summary(export)),
        clusters=capacity.cluster_capacity(export),
        risks=risks.assess(export, as_of=as_of),
    )


_code_version: str | None = None


def derived_key(as_of: date) -> str:
    """Name of what :func:`derive` gives for ``as_of``, with this version of the code.

    The code's part is a digest of the modules that derive (capacity, risks, this one), so
    an upgrade that changes a check or a figure never serves what the old code derived.
    """
    global _code_version
    if _code_version is None:
        digest = hashlib.sha256()
        for module in (capacity, risks, sys.modules[__name__]):
            digest.update(Path(module.__file__).read_bytes())
        _code_version = digest.hexdigest()[:16]
    return f"{as_of.isoformat()}-{_code_version}"


def analyse(record: RVToolsImport, derived: Derived, quality: QualityReport) -> RVToolsAnalysis:
    """The analysis of a stored import, with its stored cluster selection applied."""
    clusters, everything = derived.clusters, derived.risks
    selected = list(record.selected_clusters)
    chosen, report = clusters, everything
    if selected:
        chosen = clusters[clusters["cluster"].isin(selected)].reset_index(drop=True)
        report = everything.for_clusters(selected)
    return RVToolsAnalysis(
        record=record,
        summary=derived.summary,
        clusters=clusters,
        selected=selected,
        capacity=chosen,
        risks=report,
        quality=quality,
        all_risks=everything,
    )
