"""``ws.workflows``: a project's workflows, their links, their schedule and baselines.

Every change is one unit of work: the project's plan is read, changed in memory, checked
and scheduled, then the change, every date it moved and the project's roll-up (progress,
scheduled end) are written in one transaction. A change that would make a loop, break a
status rule or reuse a name is refused before anything is written.

Workflows are named by ``workflow:<id>`` anywhere, or by name within their project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench import templates as templating
from workbench import waves as waving
from workbench import workflows as rules
from workbench.errors import InvalidInputError
from workbench.projects import Project, stored_date
from workbench.schedule import Schedule
from workbench.store import Store
from workbench.store import projects as project_records
from workbench.store import workflows as workflow_records
from workbench.store.connection import Session
from workbench.templates import WorkflowTemplate
from workbench.text import clean_text
from workbench.waves import HostCapacity, WavePlan
from workbench.workflows import Plan, Workflow, WorkflowLink

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


class Workflows:
    """Workflows of projects: add, list, get, update, delete; links; schedule; baselines."""

    def __init__(
        self,
        store: Store,
        today: Callable[[], date] = date.today,
        rvtools: Callable[[], Any] | None = None,
        sizing: Callable[[], Any] | None = None,
    ):
        self._store = store
        self._today = today
        self._rvtools = rvtools  # the RVTools and sizing sections, for migration waves
        self._sizing = sizing

    # -- reading ---------------------------------------------------------------------------

    def list(self, project: str | Project) -> list[Workflow]:
        """A project's workflows in schedule order (start, end, name)."""
        with self._store.unit_of_work() as session:
            _row, plan = self._plan(session, project)
        return rules.ordered(plan)

    def frame(self, project: str | Project) -> pd.DataFrame:
        """:meth:`list` as a DataFrame; columns as in :func:`workbench.workflows.workflows_frame`."""
        with self._store.unit_of_work() as session:
            _row, plan = self._plan(session, project)
        return rules.workflows_frame(plan)

    def links(self, project: str | Project) -> pd.DataFrame:
        """A project's links, by successor then predecessor in schedule order.

        Returns
        -------
        pandas.DataFrame
            One row per link: ``predecessor``, ``successor`` (names), ``predecessor_id``,
            ``successor_id`` (``workflow:<id>``), ``type`` (FS, SS, FF, SF),
            ``link_type`` (the seed's name), ``lag_days`` (days of the project's calendar,
            negative for a lead).
        """
        import pandas as pd

        with self._store.unit_of_work() as session:
            _row, plan = self._plan(session, project)
        names = {key: w.name for key, w in plan.workflows.items()}
        place = {w.id: i for i, w in enumerate(rules.ordered(plan))}
        links = sorted(plan.links, key=lambda k: (place[k.successor], place[k.predecessor]))
        columns = [
            "predecessor",
            "successor",
            "predecessor_id",
            "successor_id",
            "type",
            "link_type",
            "lag_days",
        ]
        rows = [
            [
                names[link.predecessor],
                names[link.successor],
                rules.ID_PREFIX + link.predecessor,
                rules.ID_PREFIX + link.successor,
                link.code,
                link.link_type,
                link.lag_days,
            ]
            for link in links
        ]
        return pd.DataFrame(rows, columns=columns)

    def get(self, workflow: str | Workflow, project: str | Project | None = None) -> Workflow:
        """One workflow: by ``workflow:<id>`` (or a :class:`Workflow`), or by name within
        ``project``.

        Raises
        ------
        NotFoundError, InvalidInputError
        """
        with self._store.unit_of_work() as session:
            _row, plan = self._plan(session, self._project_of(session, workflow, project))
        return rules.resolve(plan, workflow)

    def schedule(self, project: str | Project) -> Schedule:
        """The project's schedule computed afresh from its stored workflows and links
        (task ids are workflow keys; :attr:`Schedule.tasks` in the stored order)."""
        with self._store.unit_of_work() as session:
            row, plan = self._plan(session, project)
        return rules.compute(rules.project_calendar(row, self._today()), plan)

    # -- changing --------------------------------------------------------------------------

    def add(
        self,
        project: str | Project,
        name: str,
        workflow_type: str,
        *,
        duration_days: int = rules.DEFAULT_DURATION_DAYS,
        description: str | None = None,
        status: str = "not_started",
        progress_percentage: int | None = None,
        assigned_to: Any = None,
        depends_on: Any = None,
        dependency_type: str = "finish_to_start",
        lag_days: int = 0,
        start_no_earlier_than: Any = None,
        finish_no_later_than: Any = None,
        hardware_requirements: dict[str, Any] | None = None,
        wizard_state: dict[str, Any] | None = None,
        **unknown: Any,
    ) -> Workflow:
        """Add a workflow to a project and schedule it.

        Parameters
        ----------
        name : str
            Unique within the project, ignoring case.
        workflow_type : str
            One of :data:`workbench.workflows.WORKFLOW_TYPES`.
        duration_days : int
            Days of the project's calendar (0 for a milestone; default 1).
        depends_on : list, optional
            Predecessors: workflows (name or ``workflow:<id>``) or mappings
            ``{"workflow", "type", "lag_days"}``; a bare workflow takes this workflow's
            ``dependency_type`` and ``lag_days``.
        dependency_type : str
            Default link type: finish_to_start (FS), start_to_start (SS),
            finish_to_finish (FF) or start_to_finish (SF).
        lag_days : int
            Default lag, days; negative for a lead.
        start_no_earlier_than, finish_no_later_than : date, optional
            One date constraint.
        status, progress_percentage
            Kept consistent: completed is 100 %.

        Raises
        ------
        InvalidInputError
            A field breaks its rule, an unknown predecessor, a status rule.
        ScheduleCycleError
            The dependencies would form a loop (the error lists it).
        ConflictError
            The project already has a workflow of that name.
        NotFoundError
            No such project or predecessor.
        """
        given = {
            "name": name,
            "workflow_type": workflow_type,
            "duration_days": duration_days,
            "description": description,
            "status": status,
            "assigned_to": assigned_to,
            "dependency_type": dependency_type,
            "lag_days": lag_days,
            "start_no_earlier_than": start_no_earlier_than,
            "finish_no_later_than": finish_no_later_than,
            "hardware_requirements": hardware_requirements,
            "wizard_state": wizard_state,
        }
        if progress_percentage is not None:
            given["progress_percentage"] = progress_percentage
        given = {k: v for k, v in given.items() if v is not None}
        clean = rules.clean_fields({**given, **unknown}, changes=False)  # unknown: refused

        def change(plan: Plan) -> str:
            blank = Workflow(
                id=rules.new_key(),
                project_id="",
                name=clean["name"],
                workflow_type=clean["workflow_type"],
            )
            workflow = rules.apply_fields(blank, clean)
            plan.workflows[workflow.id] = workflow
            for spec in _as_list(depends_on):
                plan.links.append(
                    rules.link_to(plan, workflow, spec, workflow.dependency_type, workflow.lag_days)
                )
            return workflow.id

        key, plan = self._change(project, change)
        return plan.workflows[key]

    def update(
        self,
        workflow: str | Workflow,
        project: str | Project | None = None,
        *,
        depends_on: Any = None,
        **changes: Any,
    ) -> Workflow:
        """Change fields of a workflow; ``None`` clears an optional one.

        ``depends_on``, when given, replaces the workflow's predecessors (an empty list
        removes them all). Dates move with the schedule; to pin one, give
        ``start_no_earlier_than`` or ``finish_no_later_than``.

        Raises
        ------
        NotFoundError, InvalidInputError, ScheduleCycleError, ConflictError
        """
        clean = rules.clean_fields(changes, changes=True)

        def change(plan: Plan) -> str:
            current = rules.resolve(plan, workflow)
            after = rules.apply_fields(current, clean)
            plan.workflows[current.id] = after
            if depends_on is not None:
                plan.links[:] = [link for link in plan.links if link.successor != current.id]
                for spec in _as_list(depends_on):
                    plan.links.append(
                        rules.link_to(plan, after, spec, after.dependency_type, after.lag_days)
                    )
            return current.id

        with self._store.unit_of_work() as session:
            owner = self._project_of(session, workflow, project)
            key, plan = self._change(owner, change)
        return plan.workflows[key]

    def delete(self, workflow: str | Workflow, project: str | Project | None = None) -> None:
        """Delete a workflow and its links; the rest of the plan is scheduled again.

        Raises
        ------
        NotFoundError
        """

        def change(plan: Plan) -> None:
            current = rules.resolve(plan, workflow)
            del plan.workflows[current.id]
            plan.links[:] = [
                link for link in plan.links if current.id not in (link.predecessor, link.successor)
            ]

        with self._store.unit_of_work() as session:
            self._change(self._project_of(session, workflow, project), change)

    def link(
        self,
        predecessor: str | Workflow,
        successor: str | Workflow,
        project: str | Project | None = None,
        *,
        type: str | None = None,
        lag_days: int | None = None,
    ) -> WorkflowLink:
        """Make ``successor`` depend on ``predecessor`` (replacing a link between them).

        ``type`` (FS, SS, FF, SF or the seed's names) and ``lag_days`` default to the
        successor's ``dependency_type`` and ``lag_days``.

        Raises
        ------
        NotFoundError, InvalidInputError, ScheduleCycleError
        """

        def change(plan: Plan) -> WorkflowLink:
            after = rules.resolve(plan, successor)
            before = rules.resolve(plan, predecessor)
            spec = {"workflow": before, "type": type, "lag_days": lag_days}
            made = rules.link_to(plan, after, spec, after.dependency_type, after.lag_days)
            plan.links[:] = [
                link
                for link in plan.links
                if (link.predecessor, link.successor) != (made.predecessor, made.successor)
            ]
            plan.links.append(made)
            return made

        with self._store.unit_of_work() as session:
            made, _plan = self._change(self._project_of(session, successor, project), change)
        return made

    def unlink(
        self,
        predecessor: str | Workflow,
        successor: str | Workflow,
        project: str | Project | None = None,
    ) -> None:
        """Remove the link between two workflows.

        Raises
        ------
        NotFoundError
            Either workflow, or the link, does not exist.
        """
        from workbench.errors import NotFoundError

        def change(plan: Plan) -> None:
            after = rules.resolve(plan, successor)
            before = rules.resolve(plan, predecessor)
            kept = [
                link
                for link in plan.links
                if (link.predecessor, link.successor) != (before.id, after.id)
            ]
            if len(kept) == len(plan.links):
                raise NotFoundError(f"“{after.name}” does not depend on “{before.name}”.")
            plan.links[:] = kept

        with self._store.unit_of_work() as session:
            self._change(self._project_of(session, successor, project), change)

    def replan(
        self, project: str | Project, project_changes: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Schedule a project again and store the dates, in one transaction with
        ``project_changes`` (validated project fields: its start, calendar, holidays).

        Returns
        -------
        dict
            The project's row after the change.
        """
        self._change(project, lambda plan: None, project_changes or {})
        with self._store.unit_of_work() as session:
            return project_records.find(session, project)

    # -- templates -------------------------------------------------------------------------

    def template_sets(self) -> dict[str, list[WorkflowTemplate]]:
        """Every template set by name (shipped ones unless a stored set replaces them),
        each in position order."""
        with self._store.unit_of_work() as session:
            stored = [templating.from_record(r) for r in workflow_records.templates(session)]
        return templating.sets(stored)

    def templates(self, template_set: str | None = None) -> pd.DataFrame:
        """Templates, by set then position.

        Returns
        -------
        pandas.DataFrame
            ``template_set``, ``position``, ``name``, ``workflow_name``, ``workflow_type``,
            ``default_duration_days``, ``depends_on`` (text: ``name (FS+2)``), ``shipped``
            (bool: part of the workbench, not yet changed in this store), ``description``.
        """
        import pandas as pd

        rows = []
        for name, items in self.template_sets().items():
            if template_set is not None and name != template_set:
                continue
            for t in items:
                rows.append(
                    {
                        "template_set": name,
                        "position": t.position,
                        "name": t.name,
                        "workflow_name": t.workflow_name,
                        "workflow_type": t.workflow_type,
                        "default_duration_days": t.default_duration_days,
                        "depends_on": ", ".join(
                            f"{link.after} ({rules.scheduling.LINK_CODES[link.type]}"
                            + (f"{link.lag_days:+d}" if link.lag_days else "")
                            + ")"
                            for link in t.links
                        ),
                        "shipped": t.shipped,
                        "description": t.description,
                    }
                )
        columns = [
            "template_set",
            "position",
            "name",
            "workflow_name",
            "workflow_type",
            "default_duration_days",
            "depends_on",
            "shipped",
            "description",
        ]
        return pd.DataFrame(rows, columns=columns)

    def save_template(
        self,
        name: str,
        template_set: str,
        workflow_type: str,
        *,
        workflow_name: str | None = None,
        default_duration_days: int = 1,
        description: str | None = None,
        depends_on: Any = (),
        position: int | None = None,
    ) -> WorkflowTemplate:
        """Create a template, or replace the one named ``name`` in that set.

        A change to a shipped set first copies it into the store, so the set keeps its
        other templates. ``depends_on`` names workflows of the set (``workflow_name``), or
        mappings ``{"after", "type", "lag_days"}``.

        Raises
        ------
        InvalidInputError, ScheduleCycleError, ConflictError
        """
        clean = templating.clean_template(
            {
                "name": name,
                "template_set": template_set,
                "workflow_type": workflow_type,
                "workflow_name": workflow_name or name,
                "default_duration_days": default_duration_days,
                "description": description,
                "links": list(depends_on or ()),
                **({"position": position} if position is not None else {}),
            }
        )

        def edit(items: list[WorkflowTemplate]) -> list[WorkflowTemplate]:
            kept = [t for t in items if t.name.casefold() != clean["name"].casefold()]
            place = clean.get("position") or next(
                (t.position for t in items if t.name.casefold() == clean["name"].casefold()),
                max((t.position for t in items), default=0) + 1,
            )
            return [*kept, WorkflowTemplate(**{**clean, "position": place})]

        saved = self._edit_set(clean["template_set"], edit)
        return next(t for t in saved if t.name == clean["name"])

    def delete_template(self, name: str) -> None:
        """Delete a template (a shipped one is deleted from this store's copy of its set).

        Raises
        ------
        NotFoundError
        """
        from workbench.errors import NotFoundError

        wanted = name.strip().casefold()
        owner = next(
            (
                set_name
                for set_name, items in self.template_sets().items()
                if any(t.name.casefold() == wanted for t in items)
            ),
            None,
        )
        if owner is None:
            raise NotFoundError(f"No template named {name!r}.")

        def edit(items: list[WorkflowTemplate]) -> list[WorkflowTemplate]:
            kept = [t for t in items if t.name.casefold() != wanted]
            if not kept:
                raise InvalidInputError(
                    f"{name!r} is the last template of set {owner!r}; a set keeps at least one."
                )
            return kept

        self._edit_set(owner, edit)

    def _edit_set(self, set_name: str, edit) -> list[WorkflowTemplate]:
        with self._store.unit_of_work() as session:
            stored = [templating.from_record(r) for r in workflow_records.templates(session)]
            current = templating.sets(stored).get(set_name, [])
            after = edit([replace(t, shipped=False, id=None) for t in current])
            if after:
                templating.check_set(after)
            workflow_records.save_templates(
                session,
                replace_set=set_name,
                rows=[templating.record_values(t) for t in after],
            )
        return after

    def instantiate(
        self,
        project: str | Project,
        template_set: str | None = None,
        *,
        after: str | Workflow | None = None,
        durations: dict[str, int] | None = None,
    ) -> list[Workflow]:
        """Add a template set's workflows, with their durations and links, to a project
        in one change (default set: the project's type).

        Parameters
        ----------
        after : workflow, optional
            The set's first workflows follow it (finish to start).
        durations : dict, optional
            Workflow name -> days, instead of the templates' defaults.

        Raises
        ------
        NotFoundError
            No such project, set or workflow.
        ConflictError
            The project already has a workflow of one of the set's names.
        """
        from workbench.errors import NotFoundError

        sets = self.template_sets()

        def change(plan: Plan) -> list[str]:
            return templating.instantiate(
                plan,
                sets[chosen],
                after=rules.resolve(plan, after) if after is not None else None,
                durations=durations,
            )

        with self._store.unit_of_work() as session:
            row = project_records.find(session, project)
            chosen = template_set or row["project_type"]
            if chosen not in sets:
                raise NotFoundError(
                    f"No template set named {chosen!r}; there are: {', '.join(sets)}."
                )
            keys, plan = self._change(project, change)
        return [plan.workflows[key] for key in keys]

    # -- migration waves -------------------------------------------------------------------

    def preview_waves(
        self,
        import_id: str,
        *,
        group_by: str = "cluster",
        max_vms: int | None = None,
        max_tb: float | None = None,
        include_powered_off: bool = True,
    ) -> WavePlan:
        """Waves for an RVTools import's selected clusters (all when none is selected),
        without storing anything.

        VMs in scope are those sizing counts: no templates, vCLS or SRM placeholders;
        powered-off VMs unless ``include_powered_off`` is False. ``group_by`` is any vInfo
        column (canonical name, or a custom attribute as its header reads); groups are never
        split. Each wave's ``hosts_needed`` uses the per-host capacity of the import's
        newest sizing (its cheapest feasible lot, policy scenario), or else the source
        hosts' average with the published sizing defaults.

        Raises
        ------
        NotFoundError, InvalidInputError
        """
        from workbench import sizing as sizing_rules

        imports = self._rvtools()
        record = imports.get(import_id)
        export = imports.export(import_id)
        vms = export.vms
        selected = list(record.selected_clusters)
        if selected:
            vms = vms[vms["cluster"].isin(selected)]
        out = (
            vms["is_template"].fillna(False)
            | vms["is_vcls"].fillna(False)
            | vms["is_srm_placeholder"].fillna(False)
        )
        if not include_powered_off:
            out |= ~vms["is_powered_on"].fillna(False)
        vms = vms[~out.astype(bool)]
        capacity = self._capacity(import_id, export, selected, sizing_rules)
        return waving.plan_waves(
            vms, group_by=group_by, max_vms=max_vms, max_tb=max_tb, capacity=capacity
        )

    def _capacity(self, import_id, export, selected, sizing_rules) -> HostCapacity | None:
        latest = self._sizing().latest(import_id) if self._sizing else None
        if latest is not None and not latest.options.empty:
            options = latest.options
            chosen = options[(options["scenario"] == "policy") & options["feasible"].astype(bool)]
            if not chosen.empty:
                best = chosen.sort_values("rank").iloc[0]
                return HostCapacity(
                    float(best["cpu_per_host"]),
                    float(best["ram_per_host_mib"]),
                    f"{best['vendor']} {best['lot']} {best['model']} (the newest sizing)",
                )
        settings = sizing_rules.SizingSettings()
        hosts = export.hosts
        if selected:
            hosts = hosts[hosts["cluster"].isin(selected)]
        supply = sizing_rules.host_supply(hosts)
        if supply.empty:
            return None
        cores = float(supply["cores"].mean())
        ram = float(supply["memory_mib"].mean())
        return HostCapacity(
            (cores - settings.reserve_cores) * settings.cpu_ratio * settings.target_utilisation,
            max(0.0, ram - settings.reserve_ram_gib * 1024)
            * settings.memory_overcommit
            * settings.target_utilisation,
            f"the source hosts' average ({cores:.0f} cores, {ram / 1024:.0f} GiB) at "
            f"{settings.cpu_ratio:g}:1 vCPU:core, {settings.target_utilisation:.0%} target",
        )

    def create_waves(
        self,
        project: str | Project,
        import_id: str,
        *,
        group_by: str = "cluster",
        max_vms: int | None = None,
        max_tb: float | None = None,
        include_powered_off: bool = True,
        days_per_wave: int = 5,
        vms_per_day: int | None = None,
        lag_days: int = 2,
        after: str | Workflow | None = None,
        replace_workflow: str | Workflow | None = None,
        name: str = "Wave",
    ) -> tuple[list[Workflow], WavePlan]:
        """Plan waves (see :meth:`preview_waves`) and add them to a project as
        ``migration_wave`` workflows "Wave 1", "Wave 2"..., each finishing ``lag_days``
        (days of the project's calendar) before the next starts, the first after ``after``.

        ``replace_workflow`` (e.g. the "Migration waves" step of a template) is replaced by
        the chain: its predecessors lead into the first wave and its successors follow the
        last, with their link types and lags. A wave lasts ``days_per_wave`` days, or
        ``ceil(VMs / vms_per_day)`` when ``vms_per_day`` is given.

        Waves made earlier from the same import are replaced, in the same change. Each
        wave keeps its VM list (``vm_list``) and ``hardware_requirements`` (vms, vcpus,
        memory_mib, storage_mib, hosts_needed, host_basis, clusters).

        Raises
        ------
        NotFoundError, InvalidInputError, ConflictError
        """
        if vms_per_day is not None and (
            isinstance(vms_per_day, bool) or not isinstance(vms_per_day, int) or vms_per_day < 1
        ):
            raise InvalidInputError(
                f"VMs per day must be a whole number from 1; got {vms_per_day!r}."
            )
        plan_of_waves = self.preview_waves(
            import_id,
            group_by=group_by,
            max_vms=max_vms,
            max_tb=max_tb,
            include_powered_off=include_powered_off,
        )
        source = {"import_id": import_id, "group_by": group_by}

        def change(plan: Plan) -> list[str]:
            # Waves planned before from this import, by number: a wave planned again keeps
            # its record (id, status, progress, people, links from outside, baseline).
            earlier = {
                (w.wizard_state.get("wave") or {}).get("number"): w
                for w in plan.workflows.values()
                if (w.wizard_state.get("wave") or {}).get("import_id") == import_id
            }
            earlier_ids = {w.id for w in earlier.values()}
            # The chain between earlier waves is made again below.
            plan.links[:] = [
                link
                for link in plan.links
                if not (link.predecessor in earlier_ids and link.successor in earlier_ids)
            ]
            gone = {
                w.id for n, w in earlier.items() if n not in {v.number for v in plan_of_waves.waves}
            }
            if replace_workflow is not None:
                gone.add(rules.resolve(plan, replace_workflow).id)
            anchor = rules.resolve(plan, after) if after is not None else None
            made: list[str] = []
            for wave in plan_of_waves.waves:
                days = days_per_wave
                if vms_per_day:
                    days = max(1, -(-wave.vm_count // vms_per_day))
                clean = rules.clean_fields(
                    {
                        "name": f"{name} {wave.number}",
                        "workflow_type": "migration_wave",
                        "duration_days": days,
                        "lag_days": lag_days,
                        "description": f"{wave.vm_count:,} VMs: " + ", ".join(wave.groups),
                        "hardware_requirements": wave.requirements(plan_of_waves.capacity),
                        "wizard_state": {"wave": {**source, "number": wave.number}},
                    },
                    changes=False,
                )
                kept = earlier.get(wave.number)
                if kept is not None:
                    fields = {k: v for k, v in clean.items() if k != "status"}
                    workflow = replace(kept, **fields, vm_list=wave.vms)
                else:
                    blank = Workflow(
                        id=rules.new_key(),
                        project_id="",
                        name=clean["name"],
                        workflow_type="migration_wave",
                    )
                    workflow = replace(rules.apply_fields(blank, clean), vm_list=wave.vms)
                if made:
                    plan.links.append(
                        WorkflowLink(made[-1], workflow.id, "finish_to_start", lag_days)
                    )
                elif anchor is not None and anchor.id not in gone:
                    plan.links.append(WorkflowLink(anchor.id, workflow.id))
                plan.workflows[workflow.id] = workflow
                made.append(workflow.id)
            _rewire(plan, gone, made[0], made[-1])
            return made

        keys, plan = self._change(project, change)
        return [plan.workflows[key] for key in keys], plan_of_waves

    # -- baselines -------------------------------------------------------------------------

    def save_baseline(self, project: str | Project, name: str) -> dict[str, Any]:
        """Keep every workflow's current dates under ``name`` (unique per project).

        Returns
        -------
        dict
            ``name``, ``created_at``, ``workflows`` (count), ``project_finish``.

        Raises
        ------
        ConflictError
            The project already has a baseline of that name.
        """
        name = clean_text(name, "Baseline name", required=True, max_length=200)
        with self._store.unit_of_work() as session:
            row, plan = self._plan(session, project)
            snapshot = [
                {
                    "workflow": key,
                    "name": w.name,
                    "start_date": w.start_date.isoformat() if w.start_date else None,
                    "end_date": w.end_date.isoformat() if w.end_date else None,
                    "duration_days": w.duration_days,
                }
                for key, w in plan.workflows.items()
            ]
            saved = workflow_records.save_baseline(
                session, row["id"], name, snapshot, row.get("scheduled_end_date")
            )
        return {
            "name": saved["name"],
            "created_at": saved["created_at"],
            "workflows": len(snapshot),
            "project_finish": stored_date(saved.get("project_finish")),
        }

    def baselines(self, project: str | Project) -> list[dict[str, Any]]:
        """A project's baselines, oldest first: ``name``, ``created_at``, ``workflows``
        (count), ``project_finish``."""
        with self._store.unit_of_work() as session:
            row = project_records.find(session, project)
            stored = workflow_records.baselines(session, row["id"])
        return [
            {
                "name": b["name"],
                "created_at": b["created_at"],
                "workflows": len(b.get("workflows") or ()),
                "project_finish": stored_date(b.get("project_finish")),
            }
            for b in stored
        ]

    def delete_baseline(self, project: str | Project, name: str) -> None:
        """Delete a baseline by name; :class:`NotFoundError` if there is none."""
        with self._store.unit_of_work() as session:
            row = project_records.find(session, project)
            workflow_records.delete_baseline(session, row["id"], name)

    def variance(self, project: str | Project, baseline: str | None = None) -> pd.DataFrame:
        """Each workflow's dates against a baseline (default: the latest).

        Returns
        -------
        pandas.DataFrame
            One row per workflow now in the plan, in schedule order: ``id``, ``name``,
            ``start_date``, ``end_date`` (now), ``baseline_start``, ``baseline_end``
            (datetime64; NaT for a workflow added since), ``start_variance_days``,
            ``finish_variance_days`` (calendar days, positive = later than the baseline;
            Int64, missing for a workflow added since), ``baseline`` (its name).

        Raises
        ------
        NotFoundError
            The project has no baseline (of that name).
        """
        import pandas as pd

        from workbench.errors import NotFoundError

        with self._store.unit_of_work() as session:
            row, plan = self._plan(session, project)
            stored = workflow_records.baselines(session, row["id"])
        if not stored:
            raise NotFoundError(f"Project “{row['name']}” has no baseline yet.")
        if baseline is None:
            chosen = stored[-1]
        else:
            wanted = baseline.strip().casefold()
            chosen = next((b for b in stored if b["name"].casefold() == wanted), None)
            if chosen is None:
                raise NotFoundError(f"Project “{row['name']}” has no baseline named {baseline!r}.")
        then = {item["workflow"]: item for item in chosen.get("workflows") or ()}
        rows = []
        for w in rules.ordered(plan):
            old = then.get(w.id, {})
            start, end = _parse_day(old.get("start_date")), _parse_day(old.get("end_date"))
            rows.append(
                {
                    "id": w.ref,
                    "name": w.name,
                    "start_date": w.start_date,
                    "end_date": w.end_date,
                    "baseline_start": start,
                    "baseline_end": end,
                    "start_variance_days": _difference(w.start_date, start),
                    "finish_variance_days": _difference(w.end_date, end),
                    "baseline": chosen["name"],
                }
            )
        frame = pd.DataFrame(
            rows,
            columns=[
                "id",
                "name",
                "start_date",
                "end_date",
                "baseline_start",
                "baseline_end",
                "start_variance_days",
                "finish_variance_days",
                "baseline",
            ],
        )
        for column in ("start_date", "end_date", "baseline_start", "baseline_end"):
            frame[column] = pd.to_datetime(frame[column])
        for column in ("start_variance_days", "finish_variance_days"):
            frame[column] = frame[column].astype("Int64")
        return frame

    # -- export ----------------------------------------------------------------------------

    def export_plan(
        self, project: str | Project, path: str | Path, *, baseline: str | None = None
    ) -> Path:
        """Write the project's plan for a project manager: ``.xlsx`` (plan, links, project)
        or ``.xml`` (MS Project XML, MSPDI: opens in MS Project and ProjectLibre), chosen by
        the file's suffix. The baseline (default: the latest, if any) goes along.

        Raises
        ------
        InvalidInputError
            Another suffix.
        NotFoundError
            No such project or baseline.
        StoreUnavailableError
            The file cannot be written.
        """
        from workbench.errors import NotFoundError
        from workbench.io.plan_export import write_mspdi, write_plan_xlsx

        target = Path(path)
        writers = {".xlsx": write_plan_xlsx, ".xml": write_mspdi}
        if target.suffix.lower() not in writers:
            raise InvalidInputError(
                f"{target.name}: a plan is written as .xlsx or as .xml (MS Project XML)."
            )
        with self._store.unit_of_work() as session:
            row = project_records.find(session, project)
        workflows = self.frame(project)
        links = self.links(project)
        variance = None
        try:
            variance = self.variance(project, baseline)
        except NotFoundError:
            if baseline is not None:
                raise
        facts = {
            "name": row["name"],
            "start_date": row.get("start_date"),
            "scheduled_end_date": row.get("scheduled_end_date"),
            "target_end_date": row.get("target_end_date"),
            "calendar": row.get("calendar") or "calendar",
            "holidays": row.get("holidays") or [],
            "weekend": row.get("weekend") if row.get("weekend") is not None else [5, 6],
        }
        return writers[target.suffix.lower()](target, facts, workflows, links, variance)

    # -- the plan --------------------------------------------------------------------------

    def _plan(self, session: Session, project: Any) -> tuple[dict[str, Any], Plan]:
        row = project_records.find(session, project)
        rows, link_rows = workflow_records.load(session, row["id"])
        plan = Plan(
            {r["id"]: rules.from_record(r) for r in rows},
            [rules.link_from_record(r) for r in link_rows],
        )
        # Schedule order everywhere (the store returns records in id order).
        plan.workflows = {w.id: w for w in rules.ordered(plan)}
        return row, plan

    def _project_of(self, session: Session, workflow: Any, project: Any) -> Any:
        """The project a workflow reference lives in."""
        if project is not None:
            return project
        if isinstance(workflow, Workflow):
            return "project:" + workflow.project_id
        if isinstance(workflow, str) and workflow.strip().casefold().startswith(rules.ID_PREFIX):
            key = workflow.strip()[len(rules.ID_PREFIX) :].strip()
            return "project:" + workflow_records.project_of(session, key)
        raise InvalidInputError(
            f"Name the workflow by workflow:<id>, or give its project along with its name "
            f"({workflow!r})."
        )

    def _change(
        self,
        project: Any,
        change: Callable[[Plan], T],
        project_changes: dict[str, Any] | None = None,
    ) -> tuple[T, Plan]:
        """Apply ``change`` to the project's plan, schedule it and write what moved
        (with ``project_changes`` to the project itself, in the same transaction)."""
        with self._store.unit_of_work() as session:
            row, before = self._plan(session, project)
            row = {**row, **(project_changes or {})}
            plan = Plan(dict(before.workflows), list(before.links))
            result = change(plan)
            plan.workflows = {
                key: replace(w, project_id=row["id"]) for key, w in plan.workflows.items()
            }
            rules.check_names(plan)
            rules.check_links(plan)
            rules.check_statuses(before, plan)
            calendar = rules.project_calendar(row, self._today())
            after = rules.scheduled(plan, rules.compute(calendar, plan))
            writes = [
                (key, rules.record_values(w), list(w.dependencies), w.created_at)
                for key, w in after.workflows.items()
                if before.workflows.get(key) != w
            ]
            deleted = [key for key in before.workflows if key not in after.workflows]
            relink = None
            if set(before.links) != set(after.links):
                relink = [asdict(link) for link in after.links]
            patch = {**(project_changes or {}), **self._roll_up(row, calendar, after)}
            if writes or deleted or relink is not None or patch:
                workflow_records.save(
                    session,
                    row["id"],
                    workflows=writes,
                    deleted=deleted,
                    links=relink,
                    project_patch=patch,
                )
        return result, after

    @staticmethod
    def _roll_up(row: dict[str, Any], calendar, plan: Plan) -> dict[str, Any]:
        """Project fields that follow its workflows: progress, scheduled end, a start."""
        patch: dict[str, Any] = {}
        progress = rules.rolled_up_progress(plan.workflows.values())
        if progress is not None and progress != row.get("progress_percentage"):
            patch["progress_percentage"] = progress
        ends = [w.end_date for w in plan.workflows.values() if w.end_date]
        finish = max(ends) if ends else None
        if finish != stored_date(row.get("scheduled_end_date")):
            patch["scheduled_end_date"] = finish
        if row.get("start_date") is None and plan.workflows:
            patch["start_date"] = calendar.start  # the schedule needs an anchor: keep it
        return patch


def _rewire(plan: Plan, old: set[str], first: str, last: str) -> None:
    """Remove the workflows ``old`` (a step or chain being replaced); links into them from
    outside now lead into ``first``, links out of them now leave from ``last``, with their
    types and lags. One link per pair: a link the plan already has wins."""
    kept: dict[tuple[str, str], WorkflowLink] = {}
    for link in plan.links:
        into, out_of = link.successor in old, link.predecessor in old
        if into and out_of:
            continue  # inside the old chain
        if into:
            link = replace(link, successor=first)
        elif out_of:
            link = replace(link, predecessor=last)
        kept.setdefault((link.predecessor, link.successor), link)
    plan.links[:] = list(kept.values())
    for key in old:
        del plan.workflows[key]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, Workflow, dict)):
        return [value]
    return list(value)


def _parse_day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _difference(now: date | None, then: date | None) -> int | None:
    return (now - then).days if now is not None and then is not None else None
