"""``ws.projects``: create, list with filters, get, update, delete (the seed's first five).

Each method is one user action and runs as one unit of work on the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workbench import projects as project_rules
from workbench.projects import Project
from workbench.store import Store
from workbench.store import projects as project_records

if TYPE_CHECKING:
    import pandas as pd

    from workbench.api.rvtools import RVToolsImports
    from workbench.api.workflows import Workflows


class Projects:
    """Projects: create, list with filters, get, update, delete (the seed's first five)."""

    def __init__(
        self,
        store: Store,
        imports: Callable[[], RVToolsImports],
        workflows: Callable[[], Workflows],
    ):
        self._store = store
        self._imports = imports  # called when needed: the RVTools side is heavy to import
        self._workflows = workflows

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
        calendar: str | None = None,
        holidays: Any = None,
        weekend: Any = None,
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
            0 to 100 (percent); once the project has workflows, rolled up from them.
        calendar : {'calendar', 'working'}, optional
            What a day of its workflows' schedule is (default: every day counts).
        holidays : list of date, optional
            Days off on a working-day calendar.
        weekend : list of int or day names, optional
            Days off every week on a working-day calendar (default Saturday and Sunday).

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
                calendar=calendar,
                holidays=holidays,
                weekend=weekend,
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

        A change to the start date, calendar, holidays or weekend schedules the project's
        workflows again, in the same transaction.

        Raises
        ------
        NotFoundError, InvalidInputError, ConflictError
        """
        with self._store.unit_of_work() as session:
            current = project_rules.from_record(project_records.find(session, project))
            patch = project_rules.validate_changes(current, changes)
            if not patch:
                return current
            if set(patch) & set(project_rules.SCHEDULE_FIELDS):
                if "start_date" in patch and patch["start_date"] is None:
                    if self._workflows().list(current):
                        raise project_rules.invalid(
                            "start_date",
                            f"The start date of “{current.name}” cannot be cleared: its "
                            "workflows' schedule starts from it. Give another date instead.",
                        )
                return project_rules.from_record(self._workflows().replan(current.ref, patch))
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
