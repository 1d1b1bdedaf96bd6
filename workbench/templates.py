"""Workflow templates: reusable sets of workflows with durations and links.

A template makes one workflow; a *set* is the templates sharing a set name, in position
order, and is instantiated into a project in one change (its links follow the workflow
names within the set). The workbench ships a set for each project type
(:data:`SHIPPED`); templates stored in ``workflow_template`` with the same set name
replace a shipped set as a whole, and stored sets of any other name add to them. Pure:
the store keeps what these functions accept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from workbench import schedule as scheduling
from workbench.errors import InvalidInputError, NotFoundError
from workbench.projects import invalid
from workbench.text import clean_text, fold_name
from workbench.workflows import (
    WORKFLOW_TYPES,
    Plan,
    Workflow,
    WorkflowLink,
    apply_fields,
    clean_fields,
    dependency_type,
    new_key,
)


@dataclass(frozen=True)
class TemplateLink:
    """The template's workflow waits on the set's workflow named ``after``."""

    after: str
    type: str = "finish_to_start"
    lag_days: int = 0


@dataclass(frozen=True)
class WorkflowTemplate:
    """One template.

    Attributes
    ----------
    name : str
        Unique among templates (stored ones), e.g. "VMware migration: Design".
    template_set : str
        The set it belongs to (a project type for the shipped sets).
    workflow_name : str
        The name of the workflow it creates.
    links : tuple of TemplateLink
        Its predecessors within the set.
    shipped : bool
        Part of the workbench rather than the store.
    """

    name: str
    template_set: str
    position: int
    workflow_name: str
    workflow_type: str
    default_duration_days: int = 1
    description: str | None = None
    links: tuple[TemplateLink, ...] = ()
    shipped: bool = False
    id: str | None = None

    @property
    def required_dependencies(self) -> list[str]:
        """The seed's field: predecessors' workflow names."""
        return [link.after for link in self.links]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": f"workflow_template:{self.id}" if self.id else None,
            "name": self.name,
            "template_set": self.template_set,
            "position": self.position,
            "workflow_name": self.workflow_name,
            "workflow_type": self.workflow_type,
            "default_duration_days": self.default_duration_days,
            "description": self.description,
            "links": [link.__dict__ for link in self.links],
            "shipped": self.shipped,
        }


def _set(
    key: str, label: str, steps: list[tuple[str, str, int, str, list[tuple[str, str, int]]]]
) -> list[WorkflowTemplate]:
    return [
        WorkflowTemplate(
            name=f"{label}: {workflow_name}",
            template_set=key,
            position=position,
            workflow_name=workflow_name,
            workflow_type=kind,
            default_duration_days=days,
            description=description,
            links=tuple(TemplateLink(*link) for link in links),
            shipped=True,
        )
        for position, (workflow_name, kind, days, description, links) in enumerate(steps, 1)
    ]


FS, SS, FF = "finish_to_start", "start_to_start", "finish_to_finish"
SHIPPED: tuple[WorkflowTemplate, ...] = (
    *_set(
        "vmware_migration",
        "VMware migration",
        [
            ("Assessment", "assessment", 10,
             "Inventory (RVTools), dependencies, risks and scope of the estate to move.", []),
            ("Design", "design", 15,
             "Target platform design: sizing, HLD and LLD, network, migration approach.",
             [("Assessment", FS, 0)]),
            ("Hardware procurement", "hardware_procurement", 40,
             "Order the target hardware from the chosen basket lot, lead time included.",
             [("Design", SS, 10)]),
            ("Commissioning", "commissioning", 10,
             "Rack, cable, install and test the target clusters.",
             [("Hardware procurement", FS, 0), ("Design", FS, 0)]),
            ("Migration waves", "migration_wave", 20,
             "Move the workloads wave by wave (or plan waves from the RVTools import).",
             [("Commissioning", FS, 0)]),
            ("Decommissioning", "decommissioning", 10,
             "Retire the source hosts after a quiet week.", [("Migration waves", FS, 5)]),
        ],
    ),
    *_set(
        "hardware_refresh",
        "Hardware refresh",
        [
            ("Assessment", "assessment", 5,
             "Which hosts reach end of life or warranty, and what runs on them.", []),
            ("Design", "design", 10, "Size the replacement against the baskets.",
             [("Assessment", FS, 0)]),
            ("Hardware procurement", "hardware_procurement", 40,
             "Order and receive the replacement servers.", [("Design", FS, 0)]),
            ("Commissioning", "commissioning", 10,
             "Install the new hosts and join them to the clusters.",
             [("Hardware procurement", FS, 0)]),
            ("Workload move", "migration_wave", 10, "vMotion the workloads onto the new hosts.",
             [("Commissioning", FS, 0)]),
            ("Decommissioning", "decommissioning", 5, "Remove the old hosts; wipe and dispose.",
             [("Workload move", FF, 3)]),
        ],
    ),
    *_set(
        "lifecycle_planning",
        "Lifecycle planning",
        [
            ("Inventory review", "assessment", 10,
             "Hosts, support contracts and software versions in one list.", []),
            ("End-of-life analysis", "lifecycle_planning", 10,
             "Hardware, ESXi and guest OS end-of-support dates against the plan horizon.",
             [("Inventory review", SS, 5)]),
            ("Refresh roadmap", "lifecycle_planning", 10, "Which refresh when, with budgets per year.",
             [("End-of-life analysis", FS, 0)]),
            ("Budget approval", "other", 5, "The roadmap signed off.",
             [("Refresh roadmap", FS, 0)]),
        ],
    ),
    *_set(
        "new_solution",
        "New solution",
        [
            ("Requirements", "assessment", 10, "What the solution must do, for whom, at what scale.", []),
            ("Solution design", "design", 15, "Architecture, sizing and bill of materials.",
             [("Requirements", FS, 0)]),
            ("Hardware procurement", "hardware_procurement", 40,
             "Order once the bill of materials is stable.", [("Solution design", SS, 10)]),
            ("Build and commissioning", "commissioning", 15, "Build, configure and test.",
             [("Hardware procurement", FS, 0)]),
            ("Acceptance", "other", 5, "Acceptance tests with the users.",
             [("Build and commissioning", FS, 0)]),
            ("Go-live", "other", 0, "The solution in service (a milestone).",
             [("Acceptance", FS, 0)]),
        ],
    ),
)  # fmt: skip
"""The shipped sets, one per project type."""


def sets(stored: Iterable[WorkflowTemplate]) -> dict[str, list[WorkflowTemplate]]:
    """Every template set by name, in position order: stored sets, and the shipped sets
    no stored set of the same name replaces."""
    found: dict[str, list[WorkflowTemplate]] = {}
    for template in stored:
        found.setdefault(template.template_set, []).append(template)
    for template in SHIPPED:
        if template.template_set not in found or found[template.template_set][0].shipped:
            found.setdefault(template.template_set, []).append(template)
    return {
        name: sorted(items, key=lambda t: (t.position, t.workflow_name.casefold()))
        for name, items in sorted(found.items())
    }


def clean_template(values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked fields of a template to store.

    Raises
    ------
    InvalidInputError
    """
    known = {
        "name",
        "template_set",
        "position",
        "workflow_name",
        "workflow_type",
        "default_duration_days",
        "description",
        "links",
    }
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInputError(f"Unknown template field(s): {', '.join(unknown)}.")
    clean: dict[str, Any] = {}
    for key in ("name", "template_set", "workflow_name"):
        if key in values:
            clean[key] = clean_text(
                values[key], key.replace("_", " ").capitalize(), required=True, max_length=200
            )
    if "workflow_type" in values:
        if values["workflow_type"] not in WORKFLOW_TYPES:
            raise invalid(
                "workflow_type",
                f"Type must be one of {', '.join(WORKFLOW_TYPES)}; got {values['workflow_type']!r}.",
            )
        clean["workflow_type"] = values["workflow_type"]
    if "default_duration_days" in values:
        clean["default_duration_days"] = clean_fields(
            {"duration_days": values["default_duration_days"]}, changes=False
        )["duration_days"]
    if "position" in values:
        position = values["position"]
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise InvalidInputError(f"Position must be a whole number from 1; got {position!r}.")
        clean["position"] = position
    if "description" in values:
        clean["description"] = clean_text(
            values["description"], "Description", required=False, max_length=20_000, multiline=True
        )
    if "links" in values:
        clean["links"] = tuple(_template_link(item) for item in values["links"] or ())
    return clean


def _template_link(item: Any) -> TemplateLink:
    if isinstance(item, TemplateLink):
        return item
    if isinstance(item, str):
        item = {"after": item}
    if not isinstance(item, Mapping) or "after" not in item:
        raise InvalidInputError(
            f"A template link is a workflow name or {{after, type, lag_days}}; got {item!r}."
        )
    lag = item.get("lag_days", 0) or 0
    scheduling_lag = clean_fields({"lag_days": lag}, changes=False)["lag_days"]
    return TemplateLink(
        clean_text(item["after"], "Link", required=True, max_length=200),
        dependency_type(item.get("type") or "finish_to_start"),
        scheduling_lag,
    )


def check_set(templates: list[WorkflowTemplate]) -> None:
    """A set's workflow names are unique, its links name workflows of the set and make no
    loop.

    Raises
    ------
    InvalidInputError, ScheduleCycleError
    """
    names: dict[str, WorkflowTemplate] = {}
    for template in templates:
        key = fold_name(template.workflow_name)
        if key in names:
            raise InvalidInputError(
                f"Set {template.template_set!r} makes two workflows named "
                f"{template.workflow_name!r}."
            )
        names[key] = template
    links = []
    for template in templates:
        for link in template.links:
            if fold_name(link.after) not in names:
                raise InvalidInputError(
                    f"Template {template.name!r} follows {link.after!r}, which set "
                    f"{template.template_set!r} does not make."
                )
            links.append(
                scheduling.Link(
                    fold_name(link.after),
                    fold_name(template.workflow_name),
                    scheduling.LINK_CODES[link.type],
                    link.lag_days,
                )
            )
    tasks = [scheduling.Task(key, t.default_duration_days) for key, t in names.items()]
    try:
        scheduling.compute(tasks, links, scheduling.Calendar(date(2026, 1, 1)))
    except scheduling.ScheduleCycleError as exc:
        shown = [names[key].workflow_name for key in exc.loop]
        raise scheduling.ScheduleCycleError(
            f"Set {templates[0].template_set!r} loops: " + " -> ".join([*shown, shown[0]]) + ".",
            loop=shown,
        ) from None


def instantiate(
    plan: Plan,
    templates: list[WorkflowTemplate],
    *,
    after: Workflow | None = None,
    durations: Mapping[str, int] | None = None,
) -> list[str]:
    """Add a set's workflows and links to ``plan``; returns the new workflow keys in the
    set's order. ``after`` makes the set's first workflows (those with no predecessor in
    the set) follow that workflow, finish to start; ``durations`` overrides default
    durations by workflow name.

    Raises
    ------
    ConflictError
        (When the plan is checked) a workflow of that name already exists.
    """
    durations = {fold_name(k): v for k, v in (durations or {}).items()}
    made: dict[str, Workflow] = {}
    for template in templates:
        days = durations.get(fold_name(template.workflow_name), template.default_duration_days)
        clean = clean_fields(
            {
                "name": template.workflow_name,
                "workflow_type": template.workflow_type,
                "duration_days": days,
                "description": template.description,
            }
            if template.description
            else {
                "name": template.workflow_name,
                "workflow_type": template.workflow_type,
                "duration_days": days,
            },
            changes=False,
        )
        blank = Workflow(
            id=new_key(), project_id="", name=clean["name"], workflow_type=clean["workflow_type"]
        )
        workflow = apply_fields(blank, clean)
        workflow = replace(workflow, wizard_state={"template": template.name})
        made[fold_name(template.workflow_name)] = workflow
        plan.workflows[workflow.id] = workflow
    for template in templates:
        successor = made[fold_name(template.workflow_name)]
        for link in template.links:
            plan.links.append(
                WorkflowLink(made[fold_name(link.after)].id, successor.id, link.type, link.lag_days)
            )
        if after is not None and not template.links:
            plan.links.append(WorkflowLink(after.id, successor.id))
    unknown = set(durations) - set(made)
    if unknown:
        raise NotFoundError(
            "No workflow of the set is named " + ", ".join(sorted(unknown)) + " (durations)."
        )
    return [w.id for w in made.values()]


def from_record(row: Mapping[str, Any]) -> WorkflowTemplate:
    data = row.get("template_data") or {}
    return WorkflowTemplate(
        id=str(row["id"]),
        name=row["name"],
        template_set=data.get("set") or "custom",
        position=int(data.get("position") or 1),
        workflow_name=data.get("workflow_name") or row["name"],
        workflow_type=row["workflow_type"],
        default_duration_days=int(row.get("default_duration_days") or 0),
        description=row.get("description"),
        links=tuple(
            TemplateLink(
                link["after"], link.get("type") or "finish_to_start", int(link.get("lag_days") or 0)
            )
            for link in data.get("links") or ()
        ),
    )


def record_values(template: WorkflowTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "description": template.description,
        "workflow_type": template.workflow_type,
        "default_duration_days": template.default_duration_days,
        "required_dependencies": template.required_dependencies,
        "template_data": {
            "set": template.template_set,
            "position": template.position,
            "workflow_name": template.workflow_name,
            "links": [link.__dict__ for link in template.links],
        },
    }
