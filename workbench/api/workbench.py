"""The opened workbench (``ws = workbench.open()``): settings, the store, one attribute per
section, and the whole-store actions (demo data, backup, restore, migrations)."""

from __future__ import annotations

import tempfile
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.api.projects import Projects
from workbench.settings import Settings
from workbench.store import Store, migrate, pending
from workbench.store.connection import file_system_error

if TYPE_CHECKING:
    from workbench.api.baskets import Baskets
    from workbench.api.pool import Pool
    from workbench.api.procurement import Procurement
    from workbench.api.rvtools import RVToolsImports
    from workbench.api.sizing import Sizing
    from workbench.api.workflows import Workflows
    from workbench.store.backup import BackupSummary


class Workbench:
    """An opened workbench: settings, the store and one attribute per domain."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.projects = Projects(
            store, imports=lambda: self.rvtools, workflows=lambda: self.workflows
        )

    @cached_property
    def workflows(self) -> Workflows:
        """Workflows of projects: their links, schedule and baselines."""
        from workbench.api.workflows import Workflows

        return Workflows(self.store, rvtools=lambda: self.rvtools, sizing=lambda: self.sizing)

    @cached_property
    def pool(self) -> Pool:
        """The hardware pool: servers, bookings, availability, forecast, lifecycle."""
        from workbench.api.pool import Pool

        return Pool(self.store, rvtools=lambda: self.rvtools)

    @cached_property
    def procurement(self) -> Procurement:
        """Procurement requests: requested, approved, ordered, delivered into the pool."""
        from workbench.api.procurement import Procurement

        return Procurement(self.store, pool=lambda: self.pool, workflows=lambda: self.workflows)

    @cached_property
    def rvtools(self) -> RVToolsImports:
        """RVTools imports of projects (imported on first use: pandas, pyarrow, the reader)."""
        from workbench.api.rvtools import RVToolsImports

        return RVToolsImports(self.store, self.settings)

    @cached_property
    def baskets(self) -> Baskets:
        """Vendor baskets (price lists of server lots)."""
        from workbench.api.baskets import Baskets

        return Baskets(self.store)

    @cached_property
    def sizing(self) -> Sizing:
        """Sizing of RVTools imports against the stored baskets, and BOMs."""
        from workbench.api.sizing import Sizing

        return Sizing(self.store, rvtools=lambda: self.rvtools, baskets=lambda: self.baskets)

    def load_demo(self, *, if_empty: bool = False) -> int:
        """Store the generated demo data; return how many projects were created.

        Demo projects, a generated RVTools export (about 300 VMs, see
        :func:`workbench.demo.synthetic_rvtools`) in the first VMware migration project
        unless it already has an import, a generated vendor basket (see
        :func:`workbench.demo_baskets.write_demo_basket`; importing it again changes
        nothing) and a ranking of its lots for that import when it has none. With
        ``if_empty``, do nothing when any project exists already.
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
        from workbench.demo_baskets import write_demo_basket

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "Demo_basket.xlsx"
            write_demo_basket(path)
            self.baskets.import_file(path, imported_by="demo")
        [demo_import] = self.rvtools.list(target)[:1]
        if not demo_import.hardware_recommendations:
            self.sizing.recommend(demo_import.id)
        self._demo_plans(target, demo_import.id)
        return len(new)

    def _demo_plans(self, migration: str, import_id: str) -> None:
        """Give each demo project without workflows a plan: its type's template set
        (working days where a project says so), waves from the demo import in the VMware
        migration, a start-to-finish link, progress as of today, and a baseline taken
        before a slip, so the portfolio has variance to show."""
        from datetime import date

        from workbench.errors import InvalidInputError

        today = date.today()
        for project in self.projects.list():
            if not project.metadata.get("demo") or self.workflows.list(project):
                continue
            if project.project_type in ("vmware_migration", "hardware_refresh"):
                project = self.projects.update(project, calendar="working")
            self.workflows.instantiate(project)
            if project.name == migration:
                self.workflows.create_waves(
                    project,
                    import_id,
                    group_by="folder",
                    max_vms=60,
                    vms_per_day=20,
                    replace_workflow="Migration waves",
                )
            if project.project_type == "hardware_refresh":
                # The old support contract runs until the workload move starts.
                self.workflows.add(
                    project,
                    "Old hardware support",
                    "lifecycle_planning",
                    duration_days=20,
                    depends_on=[{"workflow": "Workload move", "type": "SF", "lag_days": 0}],
                )
            self.workflows.save_baseline(project, "Plan of record")
            planned = self.workflows.list(project)
            slipping = next(
                (w for w in planned if w.workflow_type == "hardware_procurement"),
                next((w for w in planned if w.duration_days >= 10), None),
            )
            if slipping is not None:  # a late delivery or a longer design: some variance
                self.workflows.update(slipping, duration_days=slipping.duration_days + 5)
            for workflow in sorted(self.workflows.list(project), key=lambda w: w.end_date):
                if workflow.start_date > today:
                    continue
                done = workflow.end_date < today
                elapsed = (today - workflow.start_date).days + 1
                length = (workflow.end_date - workflow.start_date).days + 1
                progress = 100 if done else min(95, max(5, round(100 * elapsed / length)))
                try:
                    self.workflows.update(workflow, progress_percentage=progress)
                except InvalidInputError:  # a predecessor not done yet: nearly there
                    self.workflows.update(workflow, progress_percentage=90)
            # The project's own status follows its plan.
            statuses = {w.status for w in self.workflows.list(project)}
            finish = self.projects.get(project.ref).scheduled_end_date
            if statuses == {"completed"}:
                self.projects.update(project, status="completed", actual_end_date=finish)
            elif statuses & {"in_progress", "completed"}:
                self.projects.update(project, status="active", actual_end_date=None)
            else:
                self.projects.update(project, status="planning", actual_end_date=None)

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
