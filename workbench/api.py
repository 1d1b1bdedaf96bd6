"""The analyst-facing facade: ``ws = workbench.open()``, then ``ws.projects`` ...

Each method is one user action and runs as one unit of work on the store, so a notebook
kernel and any number of dashboard kernels can share an on-disk store.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import projects as project_rules
from workbench.projects import Project
from workbench.settings import Settings
from workbench.store import Store, migrate, pending
from workbench.store import projects as project_records
from workbench.store.connection import file_system_error

if TYPE_CHECKING:
    import pandas as pd

    from workbench.rvtools_api import RVToolsImports
    from workbench.store.backup import BackupSummary


class Projects:
    """Projects: create, list with filters, get, update, delete (the seed's first five)."""

    def __init__(self, store: Store, imports: Callable[[], RVToolsImports]):
        self._store = store
        self._imports = imports  # called when needed: the RVTools side is heavy to import

    def create(
        self,
        name: str,
        project_type: str,
        *,
        description: str | None = None,
        status: str = "planning",
        priority: str = "medium",
        start_date: Any = None,
        target_end_date: Any = None,
        actual_end_date: Any = None,
        progress_percentage: int = 0,
        created_by: str | None = None,
        assigned_team: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Project:
        """Create a project.

        Parameters
        ----------
        name : str
            Unique, 1-200 characters.
        project_type : {'vmware_migration', 'lifecycle_planning', 'new_solution', 'hardware_refresh'}
        start_date, target_end_date, actual_end_date : date, datetime or 'YYYY-MM-DD', optional
            Calendar dates; ends may not be before the start.
        progress_percentage : int
            0 to 100 (percent).

        Raises
        ------
        InvalidInputError
            A field breaks its rule.
        ConflictError
            The name is taken.
        """
        values = project_rules.validate_new(
            dict(
                name=name,
                project_type=project_type,
                description=description,
                status=status,
                priority=priority,
                start_date=start_date,
                target_end_date=target_end_date,
                actual_end_date=actual_end_date,
                progress_percentage=progress_percentage,
                created_by=created_by,
                assigned_team=assigned_team,
                metadata=metadata,
            )
        )
        with self._store.unit_of_work() as session:
            return project_rules.from_record(project_records.create(session, values))

    def list(self, **filters: Any) -> list[Project]:
        """Projects matching the filters, by start date then name.

        Parameters
        ----------
        status, project_type, priority : str or list of str, optional
            Keep projects with one of these values.
        starts_from, starts_until : date, optional
            Inclusive bounds on ``start_date``.
        ends_from, ends_until : date, optional
            Inclusive bounds on ``target_end_date``.
        text : str, optional
            Case-insensitive substring of the name or description.
        """
        where = project_rules.validate_filter(**filters)
        with self._store.unit_of_work() as session:
            return [project_rules.from_record(r) for r in project_records.select(session, where)]

    def frame(self, **filters: Any) -> pd.DataFrame:
        """:meth:`list` as a DataFrame; columns as in :func:`workbench.projects.projects_frame`."""
        return project_rules.projects_frame(self.list(**filters))

    def get(self, project: str | Project) -> Project:
        """The project named by ``project``; :class:`NotFoundError` if none.

        Everywhere a project is asked for: a :class:`Project` or ``"project:<id>"`` names it
        by id, any other text by name (trimmed, ignoring case). A name never reaches another
        project's id.
        """
        with self._store.unit_of_work() as session:
            return project_rules.from_record(project_records.find(session, project))

    def update(self, project: str | Project, **changes: Any) -> Project:
        """Change fields of a project; ``None`` clears an optional field.

        Raises
        ------
        NotFoundError, InvalidInputError, ConflictError
        """
        with self._store.unit_of_work() as session:
            current = project_rules.from_record(project_records.find(session, project))
            patch = project_rules.validate_changes(current, changes)
            if not patch:
                return current
            return project_rules.from_record(project_records.update(session, current.id, patch))

    def delete(self, project: str | Project) -> None:
        """Delete a project and what it owns (workflows, RVTools imports, documents).

        Raises
        ------
        NotFoundError
            No such project.
        ConflictError
            Servers are still allocated to it, or procurement requests point at it.
        """
        with self._store.unit_of_work() as session:
            current = project_records.find(session, project)
            owned = self._imports().ids_of_project(current["id"])
            project_records.delete(session, current["id"], current["name"])
        self._imports().discard_files(owned)  # the records went with the project

    def count(self) -> int:
        """How many projects are stored."""
        with self._store.unit_of_work() as session:
            return project_records.count(session)


class Workbench:
    """An opened workbench: settings, the store and one attribute per domain."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.projects = Projects(store, imports=lambda: self.rvtools)

    @cached_property
    def rvtools(self) -> RVToolsImports:
        """RVTools imports of projects (imported on first use: pandas, pyarrow, the reader)."""
        from workbench.rvtools_api import RVToolsImports

        return RVToolsImports(self.store, self.settings)

    def load_demo(self, *, if_empty: bool = False) -> int:
        """Store the generated demo projects and a generated RVTools export; return how many
        projects were created.

        With ``if_empty``, do nothing when any project exists already. The export (about
        300 VMs, see :func:`workbench.demo.synthetic_rvtools`) goes into the first VMware
        migration project unless it already has an import.
        """
        from workbench.demo import demo_projects, write_synthetic_rvtools

        if if_empty and self.projects.count():
            return 0
        specs = demo_projects()
        with self.store.unit_of_work():
            existing = {p.name for p in self.projects.list()}
            new = [spec for spec in specs if spec["name"] not in existing]
            for spec in new:
                self.projects.create(**spec)
        target = next(s["name"] for s in specs if s["project_type"] == "vmware_migration")
        if not self.rvtools.list(target):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "RVTools_export_demo.xlsx"
                write_synthetic_rvtools(path, 300)
                self.rvtools.upload(target, path, imported_by="demo", progress=False)
        return len(new)

    def backup(self, path: str | Path) -> BackupSummary:
        """Write every record and every data file into one archive, with checksums.

        Taken inside one unit of work, so dashboards writing at the same time cannot tear
        it. See :func:`workbench.store.backup.backup`.

        Raises
        ------
        StoreUnavailableError
            The archive cannot be written.
        """
        from workbench.store.backup import backup

        return backup(self.store, self.settings.home, Path(path))

    def restore(self, path: str | Path, *, force: bool = False) -> BackupSummary:
        """Bring back a backup's records and files into this store, all or nothing.

        Parameters
        ----------
        force : bool
            Replace what the store holds; without it a store with any record or data file
            is refused.

        Raises
        ------
        ImportRejectedError
            The archive is damaged or not a workbench backup; nothing was touched.
        ConflictError
            The store is not empty and ``force`` is not given.
        SchemaError
            The backup's schema does not fit this workbench or store.
        """
        from workbench.store.backup import restore

        return restore(self.store, self.settings.home, Path(path), force=force)

    def migrate(self) -> list[str]:
        """Apply pending schema migrations; return their names."""
        return migrate(self.store)

    def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied."""
        return [m.name for m in pending(self.store)]

    def close(self) -> None:
        """Release a kept connection (mem://, servers); harmless otherwise."""
        self.store.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workbench store={self.store.url!r}>"


def open_workbench(
    url: str | None = None, *, home: str | None = None, apply_migrations: bool = True
) -> Workbench:
    """Open the workbench on a store.

    Parameters
    ----------
    url : str, optional
        Store URL (``surrealkv://PATH``, ``mem://``, ``ws://HOST:PORT``); default from
        ``WORKBENCH_DB``, else ``surrealkv://<data directory>/store``.
    home : str, optional
        Data directory; default from ``WORKBENCH_HOME``, else the user's data directory.
    apply_migrations : bool
        Bring the schema up to date first (default). Applying none is a no-op.
    """
    settings = Settings.from_env(db_url=url, home=home)
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_system_error(settings.home, exc) from exc
    workbench = Workbench(settings, Store(settings))
    if apply_migrations:
        workbench.migrate()
    return workbench
