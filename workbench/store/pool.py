"""Hardware pool records: ``server_inventory``, bookings (``hardware_pool_status``),
``procurement_request`` and the ``pool_journal``. Every value is bound.

A booking is written in one transaction that first looks for an overlapping booking of the
same server and throws if there is one, then writes the booking, brings the server's status
in line with what covers today, and journals both. Because the transaction also writes the
server record, two kernels booking the same server at once cannot both commit on a shared
server store; on an embedded store the unit of work's file lock orders them anyway.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workbench.errors import ConflictError, NotFoundError
from workbench.store.connection import RecordID, Session, record_id

SERVER_SELECT = """
SELECT *, hardware_model_id.lot_code AS lot_code, hardware_model_id.model AS lot_model,
    hardware_model_id.basket.name AS basket_name, hardware_model_id.cpu_model AS lot_cpu_model,
    hardware_model_id.cpu_sockets AS lot_sockets,
    hardware_model_id.cores_per_socket AS lot_cores_per_socket,
    hardware_model_id.memory_gib AS lot_memory_gib
FROM server_inventory
"""
BOOKING_SELECT = """
SELECT *, server_id.server_name AS server_name, reservation_project.name AS project_name,
    workflow_id.name AS workflow_name
FROM hardware_pool_status
"""

# The status a server's bookings give it today, unless set by hand to maintenance or
# decommissioned; the current booking's project, workflow and window go on the server.
_SYNC = """
FOR $server IN $servers {
    LET $before = (SELECT status, allocated_to_project FROM ONLY $server);
    LET $now = (SELECT kind, reservation_project, workflow_id, available_from, available_until
        FROM hardware_pool_status WHERE server_id = $server AND available_from <= $today
        AND available_until > $today LIMIT 1)[0];
    LET $status = IF $before.status IN ['maintenance', 'decommissioned'] { $before.status }
        ELSE IF $now = NONE { 'available' }
        ELSE IF $now.kind = 'allocation' { 'allocated' }
        ELSE { 'reserved' };
    UPDATE $server SET status = $status, allocated_to_project = $now.reservation_project,
        allocated_to_workflow = $now.workflow_id, allocation_start = $now.available_from,
        allocation_end = $now.available_until;
    IF $before.status != $status {
        CREATE pool_journal CONTENT {
            subject: $server, action: 'status follows bookings', changed_by: $by,
            before: { status: $before.status }, after: { status: $status }
        };
    };
};
"""

_BOOK = """
FOR $b IN $bookings {
    LET $server = (SELECT status, server_name FROM ONLY $b.values.server_id);
    IF $server = NONE { THROW 'workbench-invalid:No server ' + <string> $b.values.server_id + '.'; };
    IF $server.status = 'decommissioned' {
        THROW 'workbench-conflict:' + $server.server_name + ' is decommissioned: it cannot be booked.';
    };
    LET $clash = (SELECT kind, available_from, available_until, reservation_project.name AS project
        FROM hardware_pool_status WHERE server_id = $b.values.server_id AND id != $b.id
        AND available_from < $b.values.available_until
        AND available_until > $b.values.available_from
        AND available_until > available_from
        AND $b.values.available_until > $b.values.available_from LIMIT 1)[0];
    IF $clash != NONE {
        THROW 'workbench-conflict:' + $server.server_name + ' is already booked from '
            + time::format($clash.available_from, '%Y-%m-%d') + ' to '
            + time::format($clash.available_until, '%Y-%m-%d') + ' (' + $clash.kind
            + ' for ' + $clash.project + '), which overlaps '
            + time::format($b.values.available_from, '%Y-%m-%d') + ' to '
            + time::format($b.values.available_until, '%Y-%m-%d') + '.';
    };
    LET $before = (SELECT * OMIT id FROM ONLY $b.id);
    UPSERT $b.id CONTENT $b.values;
    CREATE pool_journal CONTENT {
        subject: $b.id, action: $b.action, changed_by: $by, reason: $b.reason,
        before: $before, after: $b.values
    };
};
"""


def _key(value: Any) -> Any:
    return value.id if isinstance(value, RecordID) else value


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name, value in row.items():
        if isinstance(value, RecordID):
            out[name] = f"{value.table_name}:{value.id}"
    return out


# -- servers -------------------------------------------------------------------------------


def servers(session: Session) -> list[dict[str, Any]]:
    """Every server, with its lot's code and model (``lot_code``, ``lot_model``)."""
    return [_plain(r) for r in session.one(SERVER_SELECT + " ORDER BY name_key")]


def find_server(session: Session, ref: str) -> dict[str, Any]:
    """A server by ``server_inventory:<id>``, or by name, serial number or asset tag
    (ignoring case); :class:`NotFoundError` if none, :class:`ConflictError` if several."""
    if ref.startswith("server_inventory:"):
        rows = session.one(
            SERVER_SELECT + " WHERE id = $id", {"id": record_id("server_inventory", ref)}
        )
    else:
        rows = session.one(
            SERVER_SELECT
            + " WHERE name_key = $key OR string::lowercase(serial_number ?? '') = $key"
            + " OR string::lowercase(asset_tag ?? '') = $key",
            {"key": ref.strip().lower()},
        )
    if not rows:
        raise NotFoundError(f"No server named {ref!r} (by name, serial number, asset tag or id).")
    if len(rows) > 1:
        raise ConflictError(
            f"{ref!r} names several servers (a name of one is the serial or tag of another); "
            "use the id (server_inventory:...)."
        )
    return _plain(rows[0])


def write_servers(
    session: Session,
    rows: list[tuple[str | None, dict[str, Any]]],
    *,
    by: str | None,
    action: str,
    reason: str | None = None,
) -> list[str]:
    """Create (key None) or merge into servers, journaled, in one transaction; their ids.

    Raises
    ------
    ConflictError
        A name, serial number or asset tag already used by another server.
    """
    import secrets

    keys = [key or secrets.token_hex(10) for key, _ in rows]
    params_rows = [
        {"id": record_id("server_inventory", k), "new": key is None, "values": values}
        for k, (key, values) in zip(keys, rows, strict=True)
    ]
    sql = """
    FOR $row IN $rows {
        IF $row.new {
            CREATE $row.id CONTENT $row.values;
            CREATE pool_journal CONTENT {
                subject: $row.id, action: $action, changed_by: $by, reason: $reason,
                after: $row.values
            };
        } ELSE {
            LET $before = (SELECT * OMIT id FROM ONLY $row.id);
            IF $before = NONE { THROW 'workbench-invalid:No server ' + <string> $row.id + '.'; };
            UPDATE $row.id MERGE $row.values;
            CREATE pool_journal CONTENT {
                subject: $row.id, action: $action, changed_by: $by, reason: $reason,
                before: $before, after: $row.values
            };
        };
    };
    """
    try:
        session.transaction(
            sql, {"rows": params_rows, "by": by, "action": action, "reason": reason}
        )
    except ConflictError as exc:
        index = getattr(exc, "index", "")
        what = {
            "idx_server_name_key": "name",
            "idx_server_serial": "serial number",
            "idx_server_serial_key": "serial number",
            "idx_server_asset_tag": "asset tag",
            "idx_server_asset_tag_key": "asset tag",
        }.get(index)
        if what:
            raise ConflictError(
                f"Another server already has that {what} ({exc}); names, serial numbers and "
                "asset tags are unique."
            ) from exc
        raise
    return [f"server_inventory:{k}" for k in keys]


def delete_server(session: Session, key: str, *, by: str | None, reason: str | None) -> None:
    """Delete a server and its bookings (journaled)."""
    session.transaction(
        """
        LET $before = (SELECT * OMIT id FROM ONLY $id);
        DELETE hardware_pool_status WHERE server_id = $id;
        DELETE $id;
        CREATE pool_journal CONTENT {
            subject: $id, action: 'deleted', changed_by: $by, reason: $reason, before: $before
        };
        """,
        {"id": record_id("server_inventory", key), "by": by, "reason": reason},
    )


def sync_status(session: Session, server_keys: list[str], today: date, by: str | None) -> None:
    """Bring the servers' status in line with the bookings covering ``today``."""
    session.transaction(
        _SYNC,
        {
            "servers": [record_id("server_inventory", k) for k in server_keys],
            "today": today,
            "by": by,
        },
    )


def covering(
    session: Session, day: date, servers: list[str] | None = None
) -> dict[str, tuple[str, date]]:
    """The booking covering ``day`` of every server (or of the ``servers`` given: a few
    each through its index), as ``server_inventory:<id>`` -> (kind, its first day): compact
    rows, no record-link lookups."""
    if servers is None or len(servers) > 250:  # then one scan beats the lookups
        rows = session.one(
            "SELECT VALUE [record::id(server_id), kind, available_from] FROM hardware_pool_status"
            " WHERE available_from <= $day AND available_until > $day",
            {"day": day},
        )
        if servers is not None:
            wanted = {k.removeprefix("server_inventory:") for k in servers}
            rows = [row for row in rows if row[0] in wanted]
    elif servers:
        rows = session.one(
            "RETURN $ids.map(|$s| (SELECT VALUE [record::id(server_id), kind, available_from]"
            " FROM hardware_pool_status WHERE server_id = $s AND available_from <= $day"
            " AND available_until > $day LIMIT 1)[0]).filter(|$b| $b != NONE)",
            {"day": day, "ids": [record_id("server_inventory", k) for k in servers]},
        )
    else:
        rows = []
    return {f"server_inventory:{key}": (kind, start.date()) for key, kind, start in rows}


# Compact reads for the forecast and availability over thousands of servers and bookings:
# lists of plain values (record keys as text, days as Unix seconds) and no record-link
# lookups, which is what decoding the SDK's answer costs least (benchmarks/pool.py). A
# WHERE comparing fields with values only lets the engine filter a record before decoding
# it (EXPLAIN: pre_decode_filter); one comparing two fields (available_until >
# available_from) makes it decode every record, twice the time, so that test goes in the
# projection or to the rules.

SERVERS_BY_ID = SERVER_SELECT.replace("FROM server_inventory", "FROM $ids") + " ORDER BY name_key"


def server_states(session: Session) -> list[list[Any]]:
    """Every server as [key, status, model, lot key, end of life, allocation start,
    procurement date] (the model given in its specifications; days as Unix seconds or
    None)."""
    return session.one(
        "SELECT VALUE [record::id(id), status, specifications.model,"
        " IF hardware_model_id != NONE THEN record::id(hardware_model_id) END,"
        " IF end_of_life != NONE THEN time::unix(end_of_life) END,"
        " IF allocation_start != NONE THEN time::unix(allocation_start) END,"
        " IF procurement_date != NONE THEN time::unix(procurement_date) END]"
        " FROM server_inventory"
    )


def lot_models(session: Session) -> dict[str, str | None]:
    """Basket lot key -> its model."""
    return dict(session.one("SELECT VALUE [record::id(id), model] FROM hardware_lot"))


def booking_spans(session: Session) -> list[list[Any]]:
    """Every booking as [server key, kind, first day, end day] (Unix seconds; the end
    exclusive, the same day as the first for a booking released before it began)."""
    return session.one(
        "SELECT VALUE [record::id(server_id), kind, time::unix(available_from),"
        " time::unix(available_until)] FROM hardware_pool_status"
    )


def busy_servers(session: Session, start: date, end: date) -> set[str]:
    """Keys of the servers with a booking overlapping [start, end) (an empty window, of a
    booking released before it began, overlaps nothing)."""
    keys = session.one(
        "SELECT VALUE IF available_until > available_from THEN record::id(server_id) END"
        " FROM hardware_pool_status WHERE available_from < $end AND available_until > $start",
        {"start": start, "end": end},
    )
    return {key for key in keys if key is not None}


def free_candidates(session: Session, end: date) -> list[str]:
    """Keys of the servers that may be free until ``end``: neither in maintenance nor
    decommissioned, and not at the end of their life before it (the rules of
    :func:`workbench.pool.free_servers` decide the rest)."""
    return session.one(
        "SELECT VALUE record::id(id) FROM server_inventory"
        " WHERE status NOT IN ['maintenance', 'decommissioned']"
        " AND (end_of_life = NONE OR end_of_life >= $end)",
        {"end": end},
    )


def servers_by_id(session: Session, ids: list[str]) -> list[dict[str, Any]]:
    """The servers of ``ids`` (``server_inventory:<id>``), as :func:`servers` gives them."""
    if not ids:
        return []
    rows = session.one(SERVERS_BY_ID, {"ids": [record_id("server_inventory", i) for i in ids]})
    return [_plain(r) for r in rows]


# -- bookings ------------------------------------------------------------------------------


def bookings(
    session: Session, *, server: str | None = None, project: str | None = None
) -> list[dict[str, Any]]:
    """Bookings, all or of one server / project, by server then start."""
    where, params = [], {}
    if server:
        where.append("server_id = $server")
        params["server"] = record_id("server_inventory", server)
    if project:
        where.append("reservation_project = $project")
        params["project"] = record_id("project", project)
    sql = BOOKING_SELECT + (" WHERE " + " AND ".join(where) if where else "")
    rows = session.one(sql + " ORDER BY server_name, available_from", params)
    return [_plain(r) for r in rows]


def _by_id(session: Session, select: str, table: str, key: str, what: str) -> dict[str, Any]:
    rows = session.one(select + " WHERE id = $id", {"id": record_id(table, key)})
    if not rows:
        raise NotFoundError(f"No {what} with id {key!r}.")
    return _plain(rows[0])


def booking(session: Session, key: str) -> dict[str, Any]:
    """One booking; :class:`NotFoundError` if none."""
    return _by_id(session, BOOKING_SELECT, "hardware_pool_status", key, "booking")


def write_bookings(
    session: Session,
    items: list[tuple[str | None, dict[str, Any], str, str | None]],
    *,
    today: date,
    by: str | None,
) -> list[str]:
    """Write bookings (new when the key is None) and sync their servers, all or nothing.

    Parameters
    ----------
    items : list of (key, values, action, reason)
        ``values``: server_id, reservation_project, workflow_id, kind, available_from,
        available_until, reservation_notes, released_at, created_by.

    Raises
    ------
    ConflictError
        A window overlaps another booking of its server (named in the message), or the
        server is decommissioned.
    """
    import secrets

    rows, keys, touched = [], [], []
    for key, values, action, reason in items:
        key = key or secrets.token_hex(10)
        keys.append(key)
        content = dict(values)
        content["server_id"] = record_id("server_inventory", values["server_id"])
        content["reservation_project"] = record_id("project", values["reservation_project"])
        if values.get("workflow_id"):
            content["workflow_id"] = record_id("workflow", values["workflow_id"])
        rows.append(
            {
                "id": record_id("hardware_pool_status", key),
                "values": content,
                "action": action,
                "reason": reason,
            }
        )
        if values["server_id"] not in touched:
            touched.append(values["server_id"])
    session.transaction(
        _BOOK + _SYNC,
        {
            "bookings": rows,
            "servers": [record_id("server_inventory", k) for k in touched],
            "today": today,
            "by": by,
        },
    )
    return [f"hardware_pool_status:{k}" for k in keys]


# -- journal -------------------------------------------------------------------------------


def journal(
    session: Session, subject: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Journal entries, newest first."""
    if subject:
        table, _, key = subject.partition(":")
        rows = session.one(
            "SELECT * FROM pool_journal WHERE subject = $subject ORDER BY changed_at DESC LIMIT $limit",
            {"subject": record_id(table, key), "limit": limit},
        )
    else:
        rows = session.one(
            "SELECT * FROM pool_journal ORDER BY changed_at DESC LIMIT $limit", {"limit": limit}
        )
    return [_plain(r) for r in rows]


# -- procurement ---------------------------------------------------------------------------

REQUEST_SELECT = """
SELECT *, project_id.name AS project_name, workflow_id.name AS workflow_name
FROM procurement_request
"""


def requests(session: Session, project: str | None = None) -> list[dict[str, Any]]:
    """Procurement requests, all or of one project, oldest first."""
    if project:
        rows = session.one(
            REQUEST_SELECT + " WHERE project_id = $project ORDER BY created_at",
            {"project": record_id("project", project)},
        )
    else:
        rows = session.one(REQUEST_SELECT + " ORDER BY created_at")
    return [_plain(r) for r in rows]


def request(session: Session, key: str) -> dict[str, Any]:
    """One request; :class:`NotFoundError` if none."""
    return _by_id(session, REQUEST_SELECT, "procurement_request", key, "procurement request")


def write_request(
    session: Session,
    key: str | None,
    values: dict[str, Any],
    *,
    action: str,
    by: str | None,
    expected_status: str | None = None,
    new_servers: list[dict[str, Any]] | None = None,
) -> str:
    """Create or change a request (and create delivered servers), journaled, in one
    transaction. ``expected_status``: the status the stored request must still have (a
    change decided on a stale read is refused). Returns the request id."""
    import secrets

    key = key or secrets.token_hex(10)
    rid = record_id("procurement_request", key)
    content = dict(values)
    if "project_id" in content:
        content["project_id"] = record_id("project", content["project_id"])
    if content.get("workflow_id"):
        content["workflow_id"] = record_id("workflow", content["workflow_id"])
    servers_rows = []
    for row in new_servers or ():
        row = dict(row, procurement_id=rid)
        if row.get("hardware_model_id"):
            row["hardware_model_id"] = record_id("hardware_lot", row["hardware_model_id"])
        servers_rows.append(row)
    try:
        session.transaction(
            """
            LET $before = (SELECT * OMIT id FROM ONLY $id);
            IF $expected != NONE AND $before.status != $expected {
                THROW 'workbench-conflict:The request changed meanwhile (it is now '
                    + ($before.status ?? 'gone') + '); look again.';
            };
            IF $before = NONE { CREATE $id CONTENT $values; } ELSE { UPDATE $id MERGE $values; };
            CREATE pool_journal CONTENT {
                subject: $id, action: $action, changed_by: $by, before: $before, after: $values
            };
            FOR $server IN $servers {
                LET $made = CREATE ONLY server_inventory CONTENT $server;
                CREATE pool_journal CONTENT {
                    subject: $made.id, action: 'delivered', changed_by: $by, after: $server
                };
            };
            """,
            {
                "id": rid,
                "values": content,
                "expected": expected_status,
                "action": action,
                "by": by,
                "servers": servers_rows,
            },
        )
    except ConflictError as exc:
        if getattr(exc, "index", "").startswith(
            ("idx_server_name", "idx_server_serial", "idx_server_asset")
        ):
            raise ConflictError(
                f"A delivered server's name, serial number or asset tag is already in the pool ({exc})."
            ) from exc
        raise
    return f"procurement_request:{key}"


def delete_request(session: Session, key: str, *, by: str | None, expected_status: str) -> None:
    """Delete a request (journaled), if its status is still ``expected_status``."""
    session.transaction(
        """
        LET $before = (SELECT * OMIT id FROM ONLY $id);
        IF $before.status != $expected {
            THROW 'workbench-conflict:The request changed meanwhile (it is now '
                + ($before.status ?? 'gone') + '); look again.';
        };
        DELETE $id;
        CREATE pool_journal CONTENT {
            subject: $id, action: 'deleted', changed_by: $by, before: $before
        };
        """,
        {"id": record_id("procurement_request", key), "by": by, "expected": expected_status},
    )
