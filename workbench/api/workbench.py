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
    from workbench.api.documents import Documents, Templates
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

    @cached_property
    def templates(self) -> Templates:
        """Document templates: the workbench's own per type and registered ones."""
        from workbench.api.documents import Templates

        return Templates(self.store, self.settings)

    @cached_property
    def documents(self) -> Documents:
        """Documents generated from projects' data: versions, status, downloads, PDF."""
        from workbench.api.documents import Documents

        return Documents(self.store, self.settings, lambda: self)

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
        self._demo_pool(demo_import.id)
        self._demo_documents(target)
        return len(new)

    def _demo_documents(self, project: str) -> None:
        """One document of every type for the demo migration project (those it lacks): the
        HLD approved, the migration plan in review, the others drafts."""
        from workbench.documents import DOCUMENT_TYPES

        present = {d.document_type for d in self.documents.list(project)}
        for kind in DOCUMENT_TYPES:
            if kind in present:
                continue
            document = self.documents.generate(
                project, kind, by="demo", customer="Northwind Traders"
            )
            if kind in ("HLD", "migration_plan"):
                self.documents.set_status(document, "review", by="demo")
            if kind == "HLD":
                self.documents.approve(document, by="demo")

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

    def _demo_pool(self, import_id: str) -> None:
        """A hardware pool for the demo projects, unless the pool has servers already: the
        demo import's hosts (old, some near warranty end, one decommissioned), new stock of
        two demo lots, bookings across the projects (one covering today), workflows asking
        for servers (one model short), and procurement requests in every state."""
        from datetime import date, timedelta

        if self.pool.list():
            return
        today = date.today()

        def day(offset: int) -> date:
            return today + timedelta(days=offset)

        pool, buying = self.pool, self.procurement
        pool.import_hosts(import_id, by="demo")
        hosts = pool.list()
        for number, host in enumerate(hosts):
            # Bought five years ago; warranties end over the coming months (alerts).
            pool.update(
                host,
                by="demo",
                procurement_date=day(-5 * 365 + 30 * number),
                warranty_start=day(-5 * 365 + 30 * number),
                warranty_end=day(-40 + 25 * number),
                end_of_life=day(200 + 30 * number),
                purchase_price=18_500,
                salvage_value=1_000,
                condition="fair" if number < 6 else "good",
            )
        pool.set_status(
            hosts[-1], "decommissioned", "Migrated off in the Northwind project", by="demo"
        )
        pool.set_status(hosts[0], "maintenance", "Failed DIMM, replacement ordered", by="demo")
        pool.add_maintenance(hosts[0], "DIMM B2 replaced under warranty", on=day(-3), by="demo")
        stock = [
            ("hv", "HVA1", "Amsterdam DC1 / Row B", 8, -300, 19_125.61, 2, "declining_balance"),
            (
                "vdi",
                "SMI2",
                "Amsterdam DC1 / Row C",
                8,
                -3 * 365 + 75,
                9_850.00,
                1,
                "straight_line",
            ),
        ]
        for stem, lot, where, count, bought, price, sockets, method in stock:
            for number in range(1, count + 1):
                pool.add(
                    f"{stem}-node-{number:02d}",
                    by="demo",
                    serial_number=f"DMO{stem.upper()}{number:04d}",
                    asset_tag=f"AT-{stem.upper()}-{number:03d}",
                    hardware_model_id=lot,
                    location=where,
                    procurement_date=day(bought),
                    warranty_start=day(bought),
                    warranty_end=day(bought + 3 * 365),
                    purchase_price=price,
                    salvage_value=round(price * 0.05, 2),
                    depreciation_method=method,
                    sockets=sockets,
                )
        projects = {p.name.split()[0]: p for p in self.projects.list()}
        flows = {name: {w.name: w for w in self.workflows.list(p)} for name, p in projects.items()}
        tailspin, wingtip, adventure = (projects[n] for n in ("Tailspin", "Wingtip", "Adventure"))
        build = flows["Tailspin"]["Build and commissioning"]
        self.workflows.update(build, hardware_requirements={"servers": 8, "model": "DS-120"})
        commissioning = flows["Wingtip"]["Commissioning"]
        self.workflows.update(
            commissioning, hardware_requirements={"servers": 14, "model": "DS-325"}
        )
        refresh = flows["Adventure"]["Commissioning"]
        self.workflows.update(refresh, hardware_requirements={"servers": 4, "model": "DS-325"})
        vdi = [f"vdi-node-{n:02d}" for n in range(1, 9)]
        hv = [f"hv-node-{n:02d}" for n in range(1, 9)]
        # A proof-of-concept running now, then the VDI build; the others reserve ahead.
        pool.allocate(vdi[:2], tailspin, day(-10), day(30), notes="Proof of concept", by="demo")
        pool.allocate(vdi[2:6], tailspin, build.start_date, day(400), workflow=build, by="demo")
        pool.allocate(
            vdi[6:],
            tailspin,
            build.start_date,
            day(400),
            workflow=build,
            kind="reservation",
            by="demo",
        )
        wingtip_start = self.workflows.get(commissioning).start_date
        pool.allocate(
            hv[:6],
            wingtip,
            wingtip_start,
            day(3 * 365),
            workflow=commissioning,
            kind="reservation",
            by="demo",
        )
        adventure_start = self.workflows.get(refresh).start_date
        pool.allocate(
            hv[6:],
            adventure,
            adventure_start,
            day(3 * 365),
            workflow=refresh,
            kind="reservation",
            by="demo",
        )
        # Procurement in every state.
        buying.from_recommendation(
            wingtip, import_id, request_name="Wingtip Hyper-V hosts", by="demo"
        )
        lot = {row.lot_code: row.hardware_model_id for row in pool.list(model="DS-")}
        nodes = [{"model": "DS-325", "lot": lot["HVA1"], "quantity": 4, "unit_price": 19_125.61}]
        approved = buying.create(
            adventure,
            "vSAN ReadyNodes",
            nodes,
            vendor="Demo Systems",
            workflow="Hardware procurement",
            expected_delivery=day(150),
            delivery_location="Amsterdam DC1 / Row B",
            on=day(-12),
            by="demo",
        )
        buying.approve(approved, by="demo (budget owner)")
        late = buying.create(
            tailspin,
            "VDI expansion",
            [{"model": "DS-120", "lot": lot["SMI2"], "quantity": 4, "unit_price": 9_850}],
            vendor="Demo Systems",
            workflow="Hardware procurement",
            delivery_location="Amsterdam DC1 / Row C",
            on=day(-45),
            by="demo",
        )
        buying.approve(late, on=day(-40), by="demo (budget owner)")
        buying.order(
            late, "PO-2026-0412", on=day(-35), expected_delivery=day(-5), by="demo (purchasing)"
        )
        done = buying.create(
            projects["Contoso"],
            "Compute nodes",
            [{"model": "DS-325", "lot": lot["HVA1"], "quantity": 2, "unit_price": 18_900}],
            vendor="Demo Systems",
            delivery_location="Amsterdam DC1 / Row B",
            on=day(-130),
            by="demo",
        )
        buying.approve(done, on=day(-120), by="demo (budget owner)")
        buying.order(
            done, "PO-2026-0219", on=day(-110), expected_delivery=day(-60), by="demo (purchasing)"
        )
        buying.deliver(done, on=day(-62), by="demo (goods in)")
        part = buying.create(
            projects["Contoso"],
            "Spare nodes",
            [{"model": "DS-325", "lot": lot["HVA1"], "quantity": 2, "unit_price": 18_900}],
            vendor="Demo Systems",
            delivery_location="Amsterdam DC1 / Row B",
            on=day(-55),
            by="demo",
        )
        buying.approve(part, on=day(-50), by="demo (budget owner)")
        buying.order(
            part, "PO-2026-0388", on=day(-45), expected_delivery=day(20), by="demo (purchasing)"
        )
        buying.deliver(part, {1: 1}, on=day(-2), by="demo (goods in)")
        dropped = buying.create(
            projects["Fabrikam"],
            "Lab servers",
            [{"model": "DS-110", "quantity": 3, "unit_price": 6_200}],
            vendor="Demo Systems",
            on=day(-20),
            by="demo",
        )
        buying.cancel(dropped, "Budget moved to next year", by="demo (budget owner)")

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
