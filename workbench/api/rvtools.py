"""``ws.rvtools``: import RVTools exports into a project and analyse them.

An import is all or nothing. The file is parsed before anything is stored, so a rejected
file leaves no trace. Its folder is written under a staging name and renamed into place
only when complete, and the record turns 'completed' last. When anything fails after the
record exists, the folder is removed and the record is marked 'failed' with the reason. A
process killed mid-import leaves a 'processing' record; the next call on this machine sees
that its worker is gone, removes its files and marks it failed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from workbench import capacity, risks
from workbench import rvtools_imports as rules
from workbench.errors import ImportRejectedError, NotFoundError, WorkbenchError
from workbench.io import rvtools_parquet
from workbench.io.rvtools import RVToolsExport, parse_named, read_rvtools
from workbench.io.spreadsheet import MAX_FILE_BYTES
from workbench.projects import Project
from workbench.rvtools_imports import RVToolsAnalysis, RVToolsImport
from workbench.settings import Settings
from workbench.store import Store
from workbench.store import projects as project_records
from workbench.store import rvtools as import_records
from workbench.text import clean_text

STAGING_PREFIX = ".staging-"
ORPHAN_GRACE_SECONDS = 600
"""How old a folder of an unknown import must be before it is deleted as an orphan."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RVToolsImports:
    """RVTools imports of projects: upload, list, get, select clusters, analyse, delete."""

    def __init__(self, store: Store, settings: Settings):
        self._store = store
        self.folder = settings.home / "rvtools"
        self._host = socket.gethostname()

    # -- upload -----------------------------------------------------------------------------

    def upload(
        self,
        project: str | Project,
        path: str | Path,
        *,
        imported_by: str | None = None,
        progress: bool = True,
        as_of: date | None = None,
    ) -> RVToolsImport:
        """Import an RVTools export into a project.

        Parameters
        ----------
        project : str or Project
            Project id or exact name.
        path : str or Path
            ``.xlsx``, a folder of RVTools CSV files, or a ``.zip`` of them.
        imported_by : str, optional
            Who imported it (free text).
        progress : bool
            Show a progress bar (tqdm; a widget in notebooks).
        as_of : date, optional
            Day against which end-of-support risks are judged (default: today).

        Returns
        -------
        RVToolsImport
            The completed import.

        Raises
        ------
        NotFoundError
            No such project.
        ImportRejectedError
            The file is not a readable RVTools export; nothing was stored.
        WorkbenchError
            Storing failed; the import is recorded as failed and no file is left behind.
        """
        source = Path(path)
        # Everything that can be refused without reading the file is, before a progress bar.
        imported_by = clean_text(imported_by, "imported_by", required=False, max_length=200)
        self.recover()
        with self._store.unit_of_work() as session:
            project_id = project_records.find(session, project)["id"]
        steps = tqdm(
            total=5, desc=f"Import {source.name}", unit="step", disable=not progress, leave=False
        )
        try:
            steps.set_postfix_str("reading")
            if source.is_dir():
                export = read_rvtools(source)
                original = b"".join(p.read_bytes() for p in sorted(source.glob("*.csv")))
            else:
                original = self._read_file(source)
                export = parse_named(source.name, original)  # the bytes parsed are the bytes kept
            steps.update()
            steps.set_postfix_str("analysing")
            derived = rules.derive(export, as_of)
            results = rules.summaries(export, derived)
            steps.update()
            checksum = hashlib.sha256(original).hexdigest()
            with self._store.unit_of_work() as session:
                earlier = import_records.same_file(session, project_id, checksum)
            if earlier:
                # Allowed (a re-import after a reader fix is legitimate), but worth saying.
                results["data_quality"]["warnings"].append(
                    f"The same file was already imported into this project as {earlier[0]['filename']} "
                    f"(import {earlier[0]['id']})."
                )
            values = {
                "filename": source.name,
                "file_size": len(original),
                "file_sha256": checksum,
                "imported_by": imported_by,
                "worker_host": self._host,
                "worker_pid": os.getpid(),
            }
            with self._store.unit_of_work() as session:
                record = import_records.create(session, project_id, values)
            key = record["id"]
            steps.set_postfix_str("writing tables")
            try:
                final = self._write_folder(key, source, original, export, derived)
                steps.update()
                with self._store.unit_of_work() as session:
                    done = import_records.complete(
                        session, key, dict(results, raw_data_path=str(final))
                    )
                steps.update()
            except BaseException as exc:
                self._discard(key)
                reason = (
                    str(exc) if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
                )
                try:
                    with self._store.unit_of_work() as session:
                        import_records.fail(session, key, reason or type(exc).__name__)
                except WorkbenchError:
                    pass  # the store is down; recover() fails the record later
                if isinstance(exc, WorkbenchError) or not isinstance(exc, Exception):
                    raise  # interrupts and exits go on as they are
                raise WorkbenchError(
                    f"Importing {source.name} failed while storing it: {reason}"
                ) from exc
            steps.update()
            return RVToolsImport.from_record(done)
        finally:
            steps.close()

    @staticmethod
    def _read_file(source: Path) -> bytes:
        try:
            if source.stat().st_size > MAX_FILE_BYTES:
                raise ImportRejectedError(
                    f"{source.name} is larger than {MAX_FILE_BYTES // 2**20} MiB."
                )
            return source.read_bytes()
        except FileNotFoundError:
            raise ImportRejectedError(f"There is no file at {source}.") from None
        except OSError as exc:
            raise ImportRejectedError(f"{source} cannot be read: {exc.strerror or exc}.") from None

    def _write_folder(
        self,
        key: str,
        source: Path,
        original: bytes,
        export: RVToolsExport,
        derived: rules.Derived,
    ) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = self.folder / f"{STAGING_PREFIX}{key}-{uuid.uuid4().hex[:8]}"
        final = self.folder / key
        staging.mkdir()
        original_dir = staging / "original"
        original_dir.mkdir()
        if source.is_dir():
            for file in sorted(source.glob("*.csv")):
                shutil.copyfile(file, original_dir / file.name)
        else:
            (original_dir / source.name).write_bytes(original)
        rvtools_parquet.write_export(export, staging)
        self._keep(staging, derived)
        os.replace(staging, final)
        return final

    def ids_of_project(self, project_id: str) -> list[str]:
        """Ids of a project's imports (within the caller's unit of work, if any)."""
        with self._store.unit_of_work() as session:
            return [r["id"] for r in import_records.select(session, project_id)]

    def discard_files(self, keys: list[str]) -> None:
        """Remove the folders of imports whose records are gone."""
        for key in keys:
            self._discard(key)

    def _discard(self, key: str) -> None:
        """Remove every folder of an import (staging or final)."""
        if not self.folder.is_dir():
            return
        for candidate in self.folder.iterdir():
            if candidate.name == key or candidate.name.startswith(f"{STAGING_PREFIX}{key}-"):
                shutil.rmtree(candidate, ignore_errors=True)

    def recover(self) -> list[str]:
        """Fail imports whose worker process on this machine is gone, and remove folders that
        belong to no live import. Runs before uploads and listings; returns the failed ids.

        The folder sweep runs inside the unit of work: on an embedded store no other process
        can create an import meanwhile, and an upload creates its record before its folder.
        On a shared server there is no such lock, so a folder of an unknown import is left
        alone while it is younger than :data:`ORPHAN_GRACE_SECONDS`.
        """
        failed = []
        with self._store.unit_of_work() as session:
            for row in import_records.processing_on(session, self._host):
                pid = row.get("worker_pid")
                if pid and pid != os.getpid() and not _pid_alive(pid):
                    import_records.fail(
                        session, row["id"], "Interrupted: the importing process stopped."
                    )
                    failed.append(
                        row["id"]
                    )  # its folders go in the sweep below, as a failed import's
            live = {r["id"]: r["processing_status"] for r in import_records.select(session)}
            if self.folder.is_dir():
                for candidate in self.folder.iterdir():
                    if self._orphan(candidate, live):
                        shutil.rmtree(candidate, ignore_errors=True)
        return failed

    @staticmethod
    def _orphan(folder: Path, live: dict[str, str]) -> bool:
        staging = folder.name.startswith(STAGING_PREFIX)
        key = folder.name.removeprefix(STAGING_PREFIX).rsplit("-", 1)[0] if staging else folder.name
        status = live.get(key)
        if status == "processing" or (status == "completed" and not staging):
            return False
        if status is None:
            try:
                age = time.time() - folder.stat().st_mtime
            except OSError:
                return False
            return age > ORPHAN_GRACE_SECONDS
        return True  # failed imports keep no files; a completed import keeps no staging folder

    # -- reading ----------------------------------------------------------------------------

    def list(self, project: str | Project | None = None) -> list[RVToolsImport]:
        """Imports of one project (id or name) or of all, newest first (after
        :meth:`recover`, so an import interrupted by a crash shows as failed)."""
        self.recover()
        with self._store.unit_of_work() as session:
            key = None
            if project is not None:
                key = project_records.find(session, project)["id"]
            return [RVToolsImport.from_record(r) for r in import_records.select(session, key)]

    def frame(self, project: str | Project | None = None) -> pd.DataFrame:
        """:meth:`list` as a DataFrame; columns :data:`workbench.rvtools_imports.FRAME_COLUMNS`."""
        return rules.imports_frame(self.list(project))

    def get(self, import_id: str) -> RVToolsImport:
        """One import; :class:`NotFoundError` if none."""
        with self._store.unit_of_work() as session:
            return RVToolsImport.from_record(import_records.find(session, import_id))

    def _completed(self, import_id: str) -> RVToolsImport:
        record = self.get(import_id)
        if record.processing_status != "completed" or not record.raw_data_path:
            raise NotFoundError(
                f"Import {import_id} is {record.processing_status}"
                + (f" ({record.error_message})" if record.error_message else "")
                + "; it has no tables."
            )
        return record

    def tables(self, import_id: str, sheets: list[str] | None = None) -> dict[str, pd.DataFrame]:
        """The canonical tables of a completed import, read from its Parquet files.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``{'vInfo': ..., 'vHost': ...}``; columns as in
            :class:`workbench.io.rvtools.RVToolsExport`.
        """
        return rvtools_parquet.read_tables(Path(self._completed(import_id).raw_data_path), sheets)

    def export(self, import_id: str) -> RVToolsExport:
        """The whole export of a completed import (tables, meta, quality), from Parquet."""
        return rvtools_parquet.read_export(Path(self._completed(import_id).raw_data_path))

    def analysis(self, import_id: str, as_of: date | None = None) -> RVToolsAnalysis:
        """Summary, per-cluster capacity, the selection's capacity and risks, data quality.

        ``as_of`` (default: today) is the day end-of-support risks are judged against. What
        is derived for a day is kept beside the import's tables, so only the first call of
        a day (or of a new version of the code) reads the tables and runs the checks.
        """
        record = self._completed(import_id)
        folder = Path(record.raw_data_path)
        as_of = as_of or date.today()
        key = rules.derived_key(as_of)
        kept = rvtools_parquet.read_derived(folder, key, rules.DERIVED_FRAMES)
        if kept is None:
            derived = rules.derive(rvtools_parquet.read_export(folder), as_of)
            self._keep(folder, derived)
        else:
            frames, summary = kept
            derived = rules.Derived.from_kept(as_of, summary, frames)
        return rules.analyse(record, derived, rvtools_parquet.read_quality(folder))

    @staticmethod
    def _keep(folder: Path, derived: rules.Derived) -> None:
        key = rules.derived_key(derived.as_of)
        rvtools_parquet.write_derived(folder, key, derived.frames(), derived.summary)

    # -- changes ----------------------------------------------------------------------------

    def select_clusters(
        self, import_id: str, names: list[str], as_of: date | None = None
    ) -> RVToolsImport:
        """Choose the clusters to size (empty list: all) and store their capacity analysis.

        Raises
        ------
        InvalidInputError
            A name is not a cluster of this import.
        """
        record = self._completed(import_id)
        export = rvtools_parquet.read_export(Path(record.raw_data_path))
        chosen = rules.check_clusters(export, names)
        analysis = rules.capacity_analysis(export, chosen, as_of)
        with self._store.unit_of_work() as session:
            row = import_records.update(
                session, record.id, {"selected_clusters": chosen, "capacity_analysis": analysis}
            )
        return RVToolsImport.from_record(row)

    def delete(self, import_id: str) -> None:
        """Delete an import and its files."""
        with self._store.unit_of_work() as session:
            import_records.find(session, import_id)
            import_records.delete(session, import_id)
        self._discard(import_id)


def inspect(path: str | Path, as_of: date | None = None) -> dict[str, Any]:
    """Totals, risk counts and warnings of an export, without a store.

    Returns
    -------
    dict
        :func:`workbench.capacity.inventory_totals` plus ``risks`` ({check id: VMs hit,
        or None when the file lacks what the check reads})
        and ``warnings`` (list of str).

    Raises
    ------
    ImportRejectedError
    """
    export = read_rvtools(path)
    totals = capacity.inventory_totals(export)
    totals["risks"] = risks.assess(export, as_of=as_of).counts()
    totals["warnings"] = list(export.quality.warnings)
    return rules.json_clean(totals)


__all__ = ["RVToolsImports", "inspect", "ImportRejectedError"]
