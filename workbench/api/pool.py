"""``ws.pool``: the hardware pool. Servers (add, import, update, status, maintenance),
bookings over time (allocate, release, extend) that never overlap, availability, the weekly
forecast against demand, lifecycle alerts and book values, and the journal of changes.

Each method is one user action and runs as one unit of work on the store. Servers are named
by ``server_inventory:<id>``, or by name, serial number or asset tag; bookings by
``hardware_pool_status:<id>``; projects as everywhere (name, or ``project:<id>``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import lifecycle
from workbench import pool as rules
from workbench.errors import ConflictError, InvalidInputError, NotFoundError
from workbench.pool import Booking, ImportDiff, Server
from workbench.projects import parse_date, stored_date
from workbench.store import Store
from workbench.store import pool as records
from workbench.store import projects as project_records
from workbench.store.connection import Session, record_id
from workbench.text import clean_text

if TYPE_CHECKING:
    from workbench.api.rvtools import RVToolsImports


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, Server, Booking)):
        return [value]
    return list(value)


def who(by: Any) -> str:
    """Who makes a change: ``by`` when given, else the user running the workbench."""
    import getpass

    name = clean_text(by, "who", required=False, max_length=200)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown user"


class Pool:
    """The hardware pool: servers, bookings, availability, forecast, lifecycle."""

    def __init__(
        self,
        store: Store,
        today: Callable[[], date] = date.today,
        rvtools: Callable[[], RVToolsImports] | None = None,
    ):
        self._store = store
        self._today = today
        self._rvtools = rvtools

    # -- servers -------------------------------------------------------------------------

    def _server(self, session: Session, server: Any) -> dict[str, Any]:
        if isinstance(server, Server):
            server = server.id
        if not isinstance(server, str):
            raise InvalidInputError(
                f"A server is named by its name, serial number, asset tag or id; got {server!r}."
            )
        ref = clean_text(server, "server", required=True)
        return records.find_server(session, ref)

    def _lot(self, session: Session, value: Any) -> str | None:
        """A hardware_lot id from an id or a lot code (unique across stored baskets)."""
        if value is None:
            return None
        text = clean_text(str(value), "basket lot", required=True)
        if text.startswith("hardware_lot:"):
            found = session.one(
                "SELECT VALUE id FROM ONLY $id", {"id": record_id("hardware_lot", text)}
            )
            if not found:
                raise NotFoundError(f"No basket lot with id {text}.")
            return text[len("hardware_lot:") :]
        rows = session.one(
            "SELECT VALUE id FROM hardware_lot WHERE string::lowercase(lot_code) = $code",
            {"code": text.lower()},
        )
        if not rows:
            raise NotFoundError(f"No basket lot with code {text!r}.")
        if len(rows) > 1:
            raise ConflictError(
                f"Lot code {text!r} is in several baskets; give the lot's id (hardware_lot:...)."
            )
        return rows[0].id

    def _values(self, session: Session, checked: dict[str, Any]) -> dict[str, Any]:
        values = dict(checked)
        if "hardware_model_id" in values:
            lot = self._lot(session, values["hardware_model_id"])
            values["hardware_model_id"] = None if lot is None else record_id("hardware_lot", lot)
        return values

    def add(self, server_name: str, *, by: str | None = None, **fields: Any) -> Server:
        """Add a server to the pool.

        Parameters
        ----------
        server_name : str
            Unique (ignoring case).
        **fields
            Any of :data:`workbench.pool.SERVER_FIELDS`: ``serial_number`` and
            ``asset_tag`` (unique), ``hardware_model_id`` (a lot id or lot code),
            ``location``, ``condition``, dates (``procurement_date``, ``warranty_start``,
            ``warranty_end``, ``end_of_life``), ``purchase_price`` and ``salvage_value``
            (in ``currency``), ``life_years``, ``depreciation_method``,
            ``depreciation_rate``, and the specs ``vendor``, ``model``, ``cpu_model``,
            ``sockets``, ``cores`` (per server), ``memory_gib`` (GiB).

        Raises
        ------
        InvalidInputError, NotFoundError (lot), ConflictError (name, serial or tag taken)
        """
        checked = rules.validate_server({"server_name": server_name, **fields})
        actor = who(by)
        with self._store.unit_of_work() as session:
            values = self._values(session, checked)
            values["source"] = "manual"
            [server_id] = records.write_servers(session, [(None, values)], by=actor, action="added")
            return rules.server_from_record(records.find_server(session, server_id))

    def get(self, server: str | Server) -> Server:
        """One server; :class:`NotFoundError` if none."""
        today = self._today()
        with self._store.unit_of_work() as session:
            row = self._server(session, server)
            if _stale([row], records.covering(session, today, [row["id"]])):
                records.sync_status(session, [row["id"]], today, by="workbench")
                row = records.find_server(session, row["id"])
            return rules.server_from_record(row)

    def list(self, **filters: Any) -> list[Server]:
        """Servers by name, with their status as of today.

        Parameters
        ----------
        model, lot, location, condition, status : str, optional
            ``model``/``lot``: case-insensitive part of the model or lot code.
        min_cores : int, optional
        min_memory_gib : float, optional
        """
        with self._store.unit_of_work() as session:
            rows = self._synced_rows(session)
        servers = [rules.server_from_record(r) for r in rows]
        if not filters:
            return servers
        frame = rules.filter_servers(rules.servers_frame(servers), **filters)
        keep = set(frame["id"])
        return [s for s in servers if s.id in keep]

    def frame(self, **filters: Any) -> pd.DataFrame:
        """:meth:`list` as a DataFrame (columns :data:`workbench.pool.SERVER_COLUMNS`)."""
        servers = self.list(**filters)
        return rules.servers_frame(servers, self._project_names(servers))

    def _project_names(self, servers: Iterable[Server]) -> dict[str, str]:
        wanted = {s.allocated_to_project for s in servers if s.allocated_to_project}
        if not wanted:
            return {}
        with self._store.unit_of_work() as session:
            rows = session.one("SELECT id, name FROM project")
        names = {f"project:{r['id'].id}": r["name"] for r in rows}
        return {k: names.get(k, k) for k in wanted}

    def _synced_rows(self, session: Session) -> list[dict[str, Any]]:
        """Every server row, after bringing any status that time has overtaken (a booking
        began or ended since it was last written) in line with today's bookings."""
        rows = records.servers(session)
        today = self._today()
        stale = _stale(rows, records.covering(session, today))
        if stale:
            records.sync_status(session, stale, today, by="workbench")
            rows = records.servers(session)
        return rows

    def update(self, server: str | Server, *, by: str | None = None, **changes: Any) -> Server:
        """Change fields of a server (the fields of :meth:`add`); ``None`` clears one.

        Raises
        ------
        InvalidInputError, NotFoundError, ConflictError
        """
        checked = rules.validate_server(changes, partial=True)
        if not checked:
            raise InvalidInputError("Nothing to change: give at least one field.")
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._server(session, server)
            values = self._values(session, checked)
            if "specifications" in values:
                values["specifications"] = {
                    **(row.get("specifications") or {}),
                    **values["specifications"],
                }
            records.write_servers(session, [(row["id"], values)], by=actor, action="updated")
            return rules.server_from_record(records.find_server(session, row["id"]))

    def set_status(
        self, server: str | Server, status: str, reason: str, *, by: str | None = None
    ) -> Server:
        """Change a server's status by hand along :data:`workbench.pool.TRANSITIONS`
        (to maintenance, back to available, or decommissioned), with a reason.

        Raises
        ------
        InvalidInputError
            A change the table does not allow, or no reason.
        ConflictError
            Decommissioning a server booked from today on (release its bookings first).
        """
        actor = who(by)
        today = self._today()
        with self._store.unit_of_work() as session:
            row = self._server(session, server)
            target, why = rules.check_status_change(row["status"], status, reason)
            if target == "decommissioned":
                ahead = _ahead(session, row["id"], today)
                if ahead:
                    first = rules.booking_from_record(ahead[0])
                    raise ConflictError(
                        f"{row['server_name']} is booked until {first.end} ({first.kind} for "
                        f"{first.project_name}); release its bookings before decommissioning it."
                    )
            records.write_servers(
                session, [(row["id"], {"status": target})], by=actor, action="status", reason=why
            )
            if target == "available":
                records.sync_status(session, [row["id"]], today, by=actor)
            return rules.server_from_record(records.find_server(session, row["id"]))

    def add_maintenance(
        self,
        server: str | Server,
        description: str,
        *,
        on: Any = None,
        cost: Any = None,
        by: str | None = None,
    ) -> Server:
        """Add an entry to a server's maintenance history (``on`` defaults to today;
        ``cost`` in the server's currency)."""
        text = clean_text(description, "description", required=True, max_length=2000)
        day = parse_date(on, "date") or self._today()
        amount = rules.money(cost, "cost")
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._server(session, server)
            entry = {"date": day, "description": text, "cost": amount, "by": actor}
            history = [*(row.get("maintenance_history") or []), entry]
            records.write_servers(
                session,
                [(row["id"], {"maintenance_history": history})],
                by=actor,
                action="maintenance",
                reason=text,
            )
            return rules.server_from_record(records.find_server(session, row["id"]))

    def delete(
        self,
        server: str | Server,
        *,
        by: str | None = None,
        reason: str | None = None,
        force: bool = False,
    ) -> None:
        """Delete a server and its past bookings.

        Raises
        ------
        ConflictError
            It is booked from today on (give ``force`` to delete those bookings too).
        """
        actor = who(by)
        today = self._today()
        with self._store.unit_of_work() as session:
            row = self._server(session, server)
            ahead = _ahead(session, row["id"], today)
            if ahead and not force:
                raise ConflictError(
                    f"{row['server_name']} has {len(ahead)} booking(s) from today on; release "
                    "them first or delete with force."
                )
            records.delete_server(
                session, row["id"], by=actor, reason=clean_text(reason, "reason", required=False)
            )

    # -- imports -------------------------------------------------------------------------

    def import_file(
        self, path: str | Path, *, dry_run: bool = False, by: str | None = None
    ) -> ImportDiff:
        """Add or update servers from a CSV or xlsx file (columns named as the fields of
        :meth:`add`; see :mod:`workbench.io.inventory`).

        A row matches a stored server by serial number, else asset tag, else name; matched
        servers get the file's non-blank values, others are added. Importing the same file
        again changes nothing. With ``dry_run`` nothing is stored and the diff says what
        would change. All rows are checked before anything is written: one bad row refuses
        the file, naming its row.

        Raises
        ------
        ImportRejectedError
            An unreadable or hostile file, or no server_name column.
        InvalidInputError
            A row breaks a rule (the row number is given); names repeated in the file.
        """
        from workbench.io.inventory import read_inventory

        rows, warnings = read_inventory(path)
        checked = []
        for row in rows:
            number = row.pop("_row")
            given = {k: v for k, v in row.items() if not rules._blank(v)}
            try:
                checked.append((number, rules.validate_server(given, partial=True)))
            except InvalidInputError as exc:
                raise InvalidInputError(f"Row {number}: {exc}") from None
            if not checked[-1][1].get("server_name"):
                raise InvalidInputError(f"Row {number}: the server name is blank.")
        return self._merge(checked, warnings, dry_run=dry_run, by=by, source="file")

    def import_hosts(
        self,
        import_id: str,
        *,
        location: str | None = None,
        dry_run: bool = False,
        by: str | None = None,
    ) -> ImportDiff:
        """Add the ESXi hosts of an RVTools import to the pool (from its vHost sheet):
        name, serial number (service tag), vendor, model, CPU model, sockets, cores, memory;
        the cluster (or ``location``) as location; linked to a basket lot when a stored lot
        has the same model. Hosts already in the pool (same serial or name) are updated,
        so importing again changes nothing. Hosts that are themselves virtual machines (a
        vSAN witness appliance) are left out, with a warning.

        Raises
        ------
        NotFoundError
            No such import, or it holds no hosts.
        """
        if self._rvtools is None:
            raise InvalidInputError("This pool has no RVTools section to read hosts from.")
        hosts = self._rvtools().tables(import_id, ["vHost"]).get("vHost")
        if hosts is None or len(hosts) == 0:
            raise NotFoundError(f"The import {import_id} holds no hosts (vHost sheet).")
        where = clean_text(location, "location", required=False)
        rows = []
        skipped: list[str] = []
        seen: set[str] = set()
        for number, host in enumerate(hosts.to_dict("records"), start=1):
            name = _first(host, "host")
            if not name or name.lower() in seen:
                continue
            seen.add(name.lower())
            if rules.is_virtual_host(_first(host, "vendor"), _first(host, "model")):
                skipped.append(
                    f"{name} is a virtual machine ({_first(host, 'model')}), such as a vSAN "
                    "witness appliance, not a physical server; left out."
                )
                continue
            memory_mib = _first(host, "memory_mib")
            values = {
                "server_name": name,
                "serial_number": _first(host, "serial_number", "service_tag"),
                "vendor": _first(host, "vendor"),
                "model": _first(host, "model"),
                "cpu_model": _first(host, "cpu_model"),
                "sockets": _first(host, "cpu_sockets"),
                "cores": _first(host, "cpu_cores"),
                "memory_gib": round(float(memory_mib) / 1024, 1)
                if _number_like(memory_mib)
                else None,
                "location": where or _first(host, "cluster", "datacenter"),
            }
            given = {k: v for k, v in values.items() if v is not None and not rules._blank(v)}
            try:
                rows.append((number, rules.validate_server(given, partial=True)))
            except InvalidInputError as exc:
                raise InvalidInputError(f"Host {name}: {exc}") from None
        return self._merge(rows, skipped, dry_run=dry_run, by=by, source="rvtools", link_lots=True)

    def _merge(
        self,
        rows: list[tuple[int, dict[str, Any]]],
        warnings: list[str],
        *,
        dry_run: bool,
        by: Any,
        source: str,
        link_lots: bool = False,
    ) -> ImportDiff:
        diff = ImportDiff(warnings=list(warnings), dry_run=dry_run)
        actor = who(by)
        names = [values["server_name"].lower() for _, values in rows]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InvalidInputError(
                f"The file names these servers more than once: {', '.join(repeated[:10])}."
            )
        with self._store.unit_of_work() as session:
            stored = records.servers(session)
            by_serial = {r["serial_number"].lower(): r for r in stored if r.get("serial_number")}
            by_tag = {r["asset_tag"].lower(): r for r in stored if r.get("asset_tag")}
            by_name = {r["name_key"]: r for r in stored}
            lots_by_model = {}
            if link_lots:
                # Newest basket first, then lot code: a model sold in several lots or
                # quarters links to the newest basket's first lot of it.
                lots = session.one(
                    "SELECT id, model, lot_code, basket.quarter AS quarter FROM hardware_lot "
                    "WHERE model != NONE ORDER BY quarter DESC, lot_code"
                )
                for lot in lots:
                    lots_by_model.setdefault(rules.model_key(lot["model"]), []).append(lot["id"])
            writes = []
            for number, values in rows:
                match = (
                    by_serial.get((values.get("serial_number") or "").lower())
                    or by_tag.get((values.get("asset_tag") or "").lower())
                    or by_name.get(values["server_name"].lower())
                )
                if "hardware_model_id" in values:
                    try:
                        values = self._values(session, values)
                    except (NotFoundError, ConflictError) as exc:
                        raise InvalidInputError(f"Row {number}: {exc}") from None
                elif link_lots:
                    model = rules.model_key((values.get("specifications") or {}).get("model"))
                    candidates = lots_by_model.get(model, []) if model else []
                    if candidates and (match is None or not match.get("hardware_model_id")):
                        values = {**values, "hardware_model_id": candidates[0]}
                if match is None:
                    values = {
                        "condition": "new",
                        "currency": "USD",
                        "life_years": 5,
                        "depreciation_method": "straight_line",
                        **values,
                        "source": source,
                    }
                    diff.added.append(values["server_name"])
                    writes.append((None, values))
                    continue
                changes = _changes(match, values)
                if changes:
                    diff.changed.append(match["server_name"])
                    diff.changes[match["server_name"]] = changes
                    patch = dict(values)
                    if "specifications" in patch:
                        patch["specifications"] = {
                            **(match.get("specifications") or {}),
                            **patch["specifications"],
                        }
                    writes.append((match["id"], patch))
                else:
                    diff.unchanged.append(match["server_name"])
            if writes and not dry_run:
                records.write_servers(session, writes, by=actor, action=f"imported ({source})")
        return diff

    # -- bookings ------------------------------------------------------------------------

    def allocate(
        self,
        servers: Any,
        project: Any,
        start: Any,
        end: Any,
        workflow: Any = None,
        notes: str | None = None,
        kind: str = "allocation",
        *,
        by: str | None = None,
    ) -> list[Booking]:
        """Book servers for a project over the half-open window [start, end).

        All servers or none: if any of them has a booking (allocation or reservation) that
        overlaps the window, nothing is stored and :class:`ConflictError` names the clash.
        The check runs inside the transaction that writes the bookings, so two kernels
        booking at once cannot both win. A server's status follows the booking covering
        today ('allocated' or 'reserved').

        Parameters
        ----------
        servers : str, Server or list of them
        project : str or Project
        start, end : date or 'YYYY-MM-DD'
            ``end`` is exclusive: the server is free again on that day.
        workflow : str, optional
            A workflow of the project (its name, or ``workflow:<id>``).
        kind : {'allocation', 'reservation'}

        Raises
        ------
        InvalidInputError, NotFoundError, ConflictError
        """
        first, last = rules.window(start, end)
        if kind not in rules.BOOKING_KINDS:
            raise InvalidInputError(f"A booking is an allocation or a reservation; got {kind!r}.")
        text = clean_text(notes, "notes", required=False, max_length=2000)
        actor = who(by)
        wanted = _as_list(servers)
        if not wanted:
            raise InvalidInputError("Name at least one server to book.")
        with self._store.unit_of_work() as session:
            project_row = project_records.find(session, project)
            workflow_key = self._workflow(session, project_row, workflow)
            rows = []
            for server in wanted:
                row = self._server(session, server)
                if row["id"] not in rows:
                    rows.append(row["id"])
            items = [
                (
                    None,
                    {
                        "server_id": server_id,
                        "reservation_project": project_row["id"],
                        "workflow_id": workflow_key,
                        "kind": kind,
                        "available_from": first,
                        "available_until": last,
                        "reservation_notes": text,
                        "created_by": actor,
                    },
                    "booked",
                    None,
                )
                for server_id in rows
            ]
            ids = records.write_bookings(session, items, today=self._today(), by=actor)
            return [rules.booking_from_record(records.booking(session, i)) for i in ids]

    def _workflow(self, session: Session, project_row: dict[str, Any], workflow: Any) -> str | None:
        if workflow is None:
            return None
        if hasattr(workflow, "id") and hasattr(workflow, "project_id"):
            workflow = "workflow:" + workflow.id
        text = clean_text(workflow, "workflow", required=True)
        project_id = (
            "project:" + project_row["id"]
            if not str(project_row["id"]).startswith("project:")
            else project_row["id"]
        )
        if text.lower().startswith("workflow:"):
            row = session.one(
                "SELECT id, project_id FROM ONLY $id",
                {"id": record_id("workflow", text[len("workflow:") :])},
            )
        else:
            found = session.one(
                "SELECT id, project_id FROM workflow WHERE project_id = $project AND name_key = $key",
                {"project": record_id("project", project_id), "key": text.lower()},
            )
            row = found[0] if found else None
        if not row or f"project:{row['project_id'].id}" != project_id:
            raise NotFoundError(f"No workflow {text!r} in project {project_row['name']!r}.")
        return str(row["id"].id)

    def _booking(self, session: Session, booking: Any) -> dict[str, Any]:
        if isinstance(booking, Booking):
            booking = booking.id
        text = clean_text(booking, "booking", required=True)
        return records.booking(session, text)

    def release(self, bookings: Any, *, on: Any = None, by: str | None = None) -> list[Booking]:
        """End bookings early: from ``on`` (default today) the servers are free. A booking
        not started by then is cancelled (its window becomes empty); one already over is
        left as it was.

        Raises
        ------
        NotFoundError, InvalidInputError
        """
        day = parse_date(on, "date") or self._today()
        actor = who(by)
        wanted = _as_list(bookings)
        if not wanted:
            raise InvalidInputError("Name at least one booking to release.")
        with self._store.unit_of_work() as session:
            items, ids = [], []
            for booking in wanted:
                row = self._booking(session, booking)
                ids.append(row["id"])
                start, end = stored_date(row["available_from"]), stored_date(row["available_until"])
                if end <= day:
                    continue
                values = _booking_values(row)
                values["available_until"] = max(start, day)
                values["released_at"] = day
                items.append((row["id"].split(":", 1)[1], values, "released", None))
            if items:
                records.write_bookings(session, items, today=self._today(), by=actor)
            return [rules.booking_from_record(records.booking(session, i)) for i in ids]

    def extend(self, booking: Any, end: Any, *, by: str | None = None) -> Booking:
        """Move a booking's end to ``end`` (later or earlier, after its start); a clash with
        another booking of the server raises :class:`ConflictError` and changes nothing."""
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._booking(session, booking)
            first, last = rules.window(stored_date(row["available_from"]), end)
            values = _booking_values(row)
            values["available_until"] = last
            key = row["id"].split(":", 1)[1]
            records.write_bookings(
                session, [(key, values, "extended", None)], today=self._today(), by=actor
            )
            return rules.booking_from_record(records.booking(session, row["id"]))

    def bookings(self, *, server: Any = None, project: Any = None) -> pd.DataFrame:
        """Bookings, all or of one server / project, by server then start (columns
        :data:`workbench.pool.BOOKING_COLUMNS`)."""
        with self._store.unit_of_work() as session:
            server_key = self._server(session, server)["id"] if server is not None else None
            project_key = (
                project_records.find(session, project)["id"] if project is not None else None
            )
            rows = records.bookings(session, server=server_key, project=project_key)
        return rules.bookings_frame([rules.booking_from_record(r) for r in rows])

    def availability(self, start: Any, end: Any, **filters: Any) -> pd.DataFrame:
        """Servers free for the whole window [start, end), with their record ``id``.

        Parameters
        ----------
        start, end : date or 'YYYY-MM-DD'
        model, lot, location, condition : str, optional
        min_cores : int, optional
        min_memory_gib : float, optional

        Returns
        -------
        pandas.DataFrame
            :data:`workbench.pool.SERVER_COLUMNS` of the free servers, by name.
        """
        first, last = rules.window(start, end)
        today = self._today()
        with self._store.unit_of_work() as session:
            # The store narrows the servers down to those with no booking overlapping the
            # window, neither set aside nor past their end of life; only those are read
            # whole (and re-synced when stale), and the rules decide the rest.
            busy = records.busy_servers(session, first, last)
            ids = [
                f"server_inventory:{key}"
                for key in records.free_candidates(session, last)
                if key not in busy
            ]
            rows = records.servers_by_id(session, ids)
            stale = _stale(rows, records.covering(session, today, ids))
            if stale:
                records.sync_status(session, stale, today, by="workbench")
                rows = records.servers_by_id(session, ids)
        servers = rules.servers_frame([rules.server_from_record(r) for r in rows])
        return rules.free_servers(servers, _spans_frame([]), first, last, **filters)

    # -- forecast ------------------------------------------------------------------------

    def demand(self) -> pd.DataFrame:
        """What the projects' workflows need beyond the servers already booked for them
        (see :func:`workbench.pool.workflow_demand`), plus, for a project whose workflows ask for nothing, the hosts of the cheapest
        feasible option of its newest stored sizing, from its first migration wave or
        commissioning (else its start).

        Returns
        -------
        pandas.DataFrame
            ``project``, ``workflow``, ``group``, ``servers``, ``start``, ``end``, ``basis``.
        """
        with self._store.unit_of_work() as session:
            projects = session.one(
                "SELECT id, name, start_date, target_end_date, scheduled_end_date, status FROM project"
            )
            workflows = session.one(
                "SELECT id, project_id, name, workflow_type, status, start_date, hardware_requirements "
                "FROM workflow"
            )
            # Servers, not bookings: one server booked twice for a workflow serves it once.
            booked = session.one(
                "SELECT VALUE [record::id(workflow_id), record::id(server_id)] FROM hardware_pool_status "
                "WHERE workflow_id != NONE AND available_until > available_from"
            )
            sizings = session.one(
                "SELECT project_id, import_date, hardware_recommendations[0].options AS options "
                "FROM rvtools_import WHERE array::len(hardware_recommendations ?? []) > 0 "
                "ORDER BY import_date DESC"
            )
        sources: list[rules.DemandSource] = []
        servers_of: dict[Any, set] = {}
        for workflow_key, server_key in booked:
            servers_of.setdefault(workflow_key, set()).add(server_key)
        served = {key: len(keys) for key, keys in servers_of.items()}
        by_project: dict[Any, list[dict]] = {}
        for w in workflows:
            by_project.setdefault(w["project_id"].id, []).append(w)
        sizing_of: dict[Any, list] = {}
        for s in sizings:
            sizing_of.setdefault(s["project_id"].id, s.get("options") or [])
        for p in projects:
            if p.get("status") in ("completed", "cancelled"):
                continue
            last = stored_date(p.get("scheduled_end_date") or p.get("target_end_date"))
            # The project's end is its last working day; the forecast's ends are exclusive.
            end = None if last is None else last + timedelta(days=1)
            found = [
                d
                for w in by_project.get(p["id"].id, [])
                if (d := rules.workflow_demand(w, p["name"], end, served.get(w["id"].id, 0)))
                is not None
            ]
            if not found and sizing_of.get(p["id"].id):
                found = _sizing_demand(
                    p, by_project.get(p["id"].id, []), sizing_of[p["id"].id], end
                )
            sources.extend(found)
        return rules.demand_frame(sources)

    def _deliveries(self) -> pd.DataFrame:
        with self._store.unit_of_work() as session:
            rows = session.one(
                "SELECT status, expected_delivery, hardware_items FROM procurement_request "
                "WHERE status IN $open",
                {"open": list(rules.EXPECTED_STATUSES)},
            )
            lot_models = {
                f"hardware_lot:{r['id'].id}": r.get("model") or r.get("lot_code")
                for r in session.one("SELECT id, model, lot_code FROM hardware_lot")
            }
        out = []
        for row in rows:
            expected = stored_date(row.get("expected_delivery"))
            if expected is None:
                continue
            for line in rules.lines_from_record(row.get("hardware_items") or []):
                if line.outstanding > 0:
                    group = line.model or lot_models.get(line.lot or "") or "(model not given)"
                    out.append({"group": group, "expected": expected, "quantity": line.outstanding})
        frame = pd.DataFrame(out, columns=["group", "expected", "quantity"])
        frame["expected"] = pd.to_datetime(frame["expected"])
        return frame

    def forecast(self, weeks: int = 26, start: Any = None) -> pd.DataFrame:
        """Weekly availability against demand for ``weeks`` weeks from the week of
        ``start`` (default today), per model and for all models (see
        :func:`workbench.pool.forecast` for the columns)."""
        first = parse_date(start, "start") or self._today()
        with self._store.unit_of_work() as session:  # the reads below share it
            servers, bookings = self._forecast_frames(session)
            deliveries, demand = self._deliveries(), self.demand()
        return rules.forecast(servers, bookings, deliveries, demand, first, weeks)

    def _forecast_frames(self, session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Servers (``id``, ``group``, ``status``, ``end_of_life``, ``procurement_date``) and bookings
        (:func:`_spans_frame`) for the forecast, read compactly, after re-syncing the
        statuses time has overtaken."""
        today = self._today()
        spans = _spans_frame(records.booking_spans(session))
        on = pd.Timestamp(today)
        now = spans[(spans["start"] <= on) & (spans["end"] > on)]
        covering = {
            s: (k, t.date())
            for s, k, t in zip(now["server_id"], now["kind"], now["start"], strict=True)
        }
        columns = [
            "key",
            "status",
            "model",
            "lot",
            "end_of_life",
            "allocation_start",
            "procurement_date",
        ]
        for _ in range(2):
            states = pd.DataFrame(records.server_states(session), columns=columns)
            states["id"] = "server_inventory:" + states["key"].astype(str)
            started = pd.to_datetime(states["allocation_start"], unit="s")
            rows = [
                {"id": i, "status": s, "allocation_start": None if pd.isna(t) else t.date()}
                for i, s, t in zip(states["id"], states["status"], started, strict=True)
            ]
            stale = _stale(rows, covering)
            if not stale:
                break
            records.sync_status(session, stale, today, by="workbench")
        lots = records.lot_models(session)
        # As Server.group: the lot's model, else the model given, else "(model not given)".
        group = states["lot"].map(lots).astype(object)
        group = group.where(group.notna(), states["model"])
        states["group"] = group.where(group.notna(), "(model not given)")
        for name in ("end_of_life", "procurement_date"):
            states[name] = pd.to_datetime(states[name], unit="s")
        return states[["id", "group", "status", "end_of_life", "procurement_date"]], spans

    def shortfalls(self, weeks: int = 26, start: Any = None) -> pd.DataFrame:
        """Models short of servers in the forecast: ``model``, ``first_week``, ``largest``,
        ``weeks_short``."""
        return rules.shortfalls(self.forecast(weeks, start))

    # -- lifecycle -----------------------------------------------------------------------

    def alerts(self, as_of: Any = None) -> pd.DataFrame:
        """Warranty-end and end-of-life alerts at 180/90/30 days and expired, on ``as_of``
        (default today), for servers not decommissioned (columns of
        :func:`workbench.lifecycle.alerts`, plus ``location``)."""
        day = parse_date(as_of, "as of") or self._today()
        with self._store.unit_of_work() as session:
            rows = self._synced_rows(session)
        servers = rules.servers_frame([rules.server_from_record(r) for r in rows])
        live = servers[servers["status"] != "decommissioned"]
        frame = lifecycle.alerts(live[["id", "server_name", "warranty_end", "end_of_life"]], day)
        locations = dict(zip(live["id"], live["location"], strict=True))
        frame["location"] = frame["id"].map(locations)
        return frame

    def book_values(self, as_of: Any = None) -> pd.DataFrame:
        """Each priced server's book value on ``as_of`` (default today); columns of
        :func:`workbench.pool.book_values`."""
        day = parse_date(as_of, "as of") or self._today()
        with self._store.unit_of_work() as session:
            server_rows = records.servers(session)
            booking_rows = records.bookings(session)
        covering = {}
        for b in booking_rows:
            if stored_date(b["available_from"]) <= day < stored_date(b["available_until"]):
                covering[b["server_id"]] = b.get("project_name")
        servers = rules.servers_frame([rules.server_from_record(r) for r in server_rows])
        servers["project"] = servers["id"].map(covering)
        return rules.book_values(servers, day)

    def book_value_totals(self, by: str = "location", as_of: Any = None) -> pd.DataFrame:
        """Book value totals per ``by`` ('location' or 'project') and currency."""
        return rules.book_value_totals(self.book_values(as_of), by)

    def journal(self, subject: Any = None, limit: int = 1000) -> pd.DataFrame:
        """Changes to servers, bookings and requests, newest first: ``changed_at``,
        ``changed_by``, ``action``, ``subject``, ``reason``, ``before``, ``after``."""
        if isinstance(subject, (Server, Booking)):
            subject = subject.id
        with self._store.unit_of_work() as session:
            if isinstance(subject, str) and not subject.startswith(
                ("server_inventory:", "hardware_pool_status:", "procurement_request:")
            ):
                subject = self._server(session, subject)["id"]
            rows = records.journal(session, subject, limit)
        columns = ["changed_at", "changed_by", "action", "subject", "reason", "before", "after"]
        return pd.DataFrame(rows, columns=columns)


def _spans_frame(spans: list[list[Any]]) -> pd.DataFrame:
    """Bookings read compactly (:func:`workbench.store.pool.booking_spans`) as the frame the
    forecast and availability rules take: ``server_id``, ``kind``, ``start``, ``end``."""
    frame = pd.DataFrame(spans, columns=["server_id", "kind", "start", "end"])
    frame["server_id"] = "server_inventory:" + frame["server_id"].astype(str)
    frame["start"] = pd.to_datetime(frame["start"], unit="s")
    frame["end"] = pd.to_datetime(frame["end"], unit="s")
    return frame


def _stale(rows: list[dict[str, Any]], covering: dict[str, tuple[str, date]]) -> list[str]:
    """Ids of the servers whose stored status or current booking is not the one covering
    today (``covering``: server id -> (kind, first day)): time moved past a booking's start
    or end since they were written. Maintenance and decommissioned are set by hand and
    stay, but their current booking follows too."""
    stale = []
    for row in rows:
        kind, start = covering.get(row["id"], (None, None))
        status = rules.BOOKED_STATUS[kind] if kind else "available"
        if row["status"] in ("maintenance", "decommissioned"):
            status = row["status"]
        if status != row["status"] or start != stored_date(row.get("allocation_start")):
            stale.append(row["id"])
    return stale


def _ahead(session: Session, server_id: str, today: date) -> list[dict[str, Any]]:
    """The server's bookings holding it from ``today`` on (an empty window holds nothing)."""
    return [
        b
        for b in records.bookings(session, server=server_id)
        if stored_date(b["available_until"]) > max(today, stored_date(b["available_from"]))
    ]


def _booking_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "server_id": row["server_id"],
        "reservation_project": row["reservation_project"],
        "workflow_id": row.get("workflow_id"),
        "kind": row.get("kind") or "allocation",
        "available_from": stored_date(row["available_from"]),
        "available_until": stored_date(row["available_until"]),
        "reservation_notes": row.get("reservation_notes"),
        "released_at": stored_date(row.get("released_at")),
        "created_by": row.get("created_by"),
    }


def _first(row: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value is not None and not (isinstance(value, float) and value != value):
            if isinstance(value, str) and not value.strip():
                continue
            return value.strip() if isinstance(value, str) else value
    return None


def _number_like(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _changes(stored: dict[str, Any], values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs from the stored one: field -> (before, after)."""
    out = {}
    for name, value in values.items():
        if name == "specifications":
            before_specs = stored.get("specifications") or {}
            for key, new in value.items():
                if new is not None and before_specs.get(key) != new:
                    out[key] = (before_specs.get(key), new)
            continue
        before = stored.get(name)
        if hasattr(before, "date") and callable(before.date):
            before = before.date()
        if name == "hardware_model_id" and value is not None:
            before = str(before).split(":", 1)[-1] if before else None
            value = str(value.id if hasattr(value, "id") else value).split(":", 1)[-1]
        if before is not None and value is not None:
            try:
                same = type(value)(before) == value
            except (TypeError, ValueError, ArithmeticError):
                same = before == value
        else:
            same = before == value
        if value is not None and not same:
            out[name] = (before, value)
    return out


def _sizing_demand(
    project: dict[str, Any],
    workflows: list[dict[str, Any]],
    options: list[dict[str, Any]],
    end: date | None,
) -> list[rules.DemandSource]:
    best = [
        o
        for o in options
        if o.get("scenario") == "policy" and o.get("rank") == 1 and o.get("feasible")
    ]
    if not best:
        return []
    option = best[0]
    starts = sorted(
        stored_date(w["start_date"])
        for w in workflows
        if w.get("workflow_type") in ("migration_wave", "commissioning") and w.get("start_date")
    )
    start = starts[0] if starts else stored_date(project.get("start_date"))
    if start is None or not option.get("hosts"):
        return []
    return [
        rules.DemandSource(
            project=project["name"],
            workflow=None,
            group=str(option.get("model") or option.get("lot") or rules.ALL_MODELS),
            servers=int(option["hosts"]),
            start=start,
            end=end,
            basis=f"sizing: {option.get('vendor')} {option.get('lot')}",
        )
    ]
