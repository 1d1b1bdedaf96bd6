"""Hardware baskets: the SurrealQL for vendor, hardware_basket, hardware_lot and the tables
under it (components, prices, options) and basket_import. Every value is bound.

Record ids are derived from what identifies them (vendor name; vendor, quarter and basket
name; basket and lot code), so importing a basket again, or a corrected file of the same
basket, keeps every lot's id: ``server_inventory.hardware_model_id`` links stay valid.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from workbench.errors import NotFoundError
from workbench.store.connection import RecordID, Session, record_id

# One transaction: a basket is stored whole or not at all. Lots are upserted by id (a lot
# linked from the hardware pool cannot be deleted: ON DELETE REJECT fails the transaction
# when a replacement drops it); everything under the lots is written afresh.
# `$old_lots CONTAINS lot`, not `lot IN $old_lots`: with the compound unique index on
# (lot, position) the engine's DELETE ... WHERE lot IN $list deletes nothing.
_SAVE = """
UPSERT $vendor SET name = $vendor_name;
UPSERT $basket MERGE $basket_values;
DELETE hardware_lot_component WHERE $old_lots CONTAINS lot;
DELETE hardware_lot_price WHERE $old_lots CONTAINS lot;
DELETE hardware_option WHERE basket = $basket;
DELETE hardware_lot WHERE basket = $basket AND id NOT IN $lot_ids;
FOR $lot IN $lots { UPSERT $lot.id MERGE $lot.values; };
INSERT INTO hardware_lot_component $components;
INSERT INTO hardware_lot_price $prices;
INSERT INTO hardware_option $options;
CREATE basket_import CONTENT $history;
"""


def _key(*parts: str) -> str:
    text = "\x1f".join(p.strip().casefold() for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def vendor_key(vendor: str) -> str:
    """Record key of a vendor: its name, case and spacing aside."""
    return "v" + _key(vendor)


def basket_key(vendor: str, quarter: str, name: str) -> str:
    """Record key of a basket: vendor, quarter and name, case aside."""
    return "b" + _key(vendor, quarter, name)


def lot_key(basket: str, code: str) -> str:
    """Record key of a lot: its basket's key and the lot code (letters and digits kept)."""
    return f"{basket}_{re.sub(r'[^0-9A-Za-z]+', '_', code.strip())}"


def _plain(value: Any) -> Any:
    if isinstance(value, RecordID):
        return value.id
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def find_by_checksum(session: Session, sha256: str) -> dict[str, Any] | None:
    """The basket stored from a file with this SHA-256, if any."""
    rows = session.one(
        "SELECT *, vendor.name AS vendor_name FROM hardware_basket WHERE file_sha256 = $sha"
        " LIMIT 1",
        {"sha": sha256},
    )
    return _plain(rows[0]) if rows else None


def find(session: Session, key: str) -> dict[str, Any] | None:
    """The basket record with this key, or None."""
    row = session.one(
        "SELECT *, vendor.name AS vendor_name FROM ONLY $id",
        {"id": record_id("hardware_basket", key)},
    )
    return _plain(row) if row else None


def save(
    session: Session,
    *,
    vendor_name: str,
    key: str,
    basket: dict[str, Any],
    lots: list[dict[str, Any]],
    history: dict[str, Any],
) -> None:
    """Store a basket whole, replacing what was stored under the same key.

    ``lots``: ``{"key", "values", "components": [...], "prices": [...]}`` each (without
    record links; they are added here). ``basket["options"]`` is split out into rows.
    """
    basket_id = record_id("hardware_basket", key)
    vendor_id = record_id("vendor", vendor_key(vendor_name))
    values = {k: v for k, v in basket.items() if k != "options"}
    values["vendor"] = vendor_id
    old = session.one(
        "SELECT VALUE id FROM hardware_lot WHERE basket = $basket", {"basket": basket_id}
    )
    lot_rows, components, prices = [], [], []
    for lot in lots:
        lot_id = record_id("hardware_lot", lot["key"])
        lot_rows.append({"id": lot_id, "values": dict(lot["values"], basket=basket_id)})
        components += [dict(c, lot=lot_id) for c in lot["components"]]
        prices += [dict(p, lot=lot_id) for p in lot["prices"]]
    session.transaction(
        _SAVE,
        {
            "vendor": vendor_id,
            "vendor_name": vendor_name,
            "basket": basket_id,
            "basket_values": values,
            "old_lots": old or [],
            "lot_ids": [row["id"] for row in lot_rows],
            "lots": lot_rows,
            "components": components,
            "prices": prices,
            "options": [dict(o, basket=basket_id) for o in basket.get("options", [])],
            "history": dict(history, basket=basket_id, vendor_name=vendor_name),
        },
    )


def record_rejection(session: Session, history: dict[str, Any]) -> None:
    """Keep a refused or failed import in the history (no basket)."""
    session.one("CREATE basket_import CONTENT $history", {"history": history})


def list_baskets(session: Session) -> list[dict[str, Any]]:
    """Every basket with ``vendor_name``, ``lots_count``, ``options_count`` and
    ``lot_warnings_count`` (its lots' warnings); newest quarter first."""
    rows = session.one(
        "SELECT id, name, quarter, quotation, currency, valid_from, valid_until, exchange_rate,"
        " exchange_rate_convention, exchange_rate_valid_until, source_filename, layout,"
        " file_sha256, warnings, notes, created_at, updated_at, vendor.name AS vendor_name"
        " FROM hardware_basket ORDER BY quarter DESC, vendor_name, name"
    )
    lots = session.one("SELECT basket, specifications.warnings AS warnings FROM hardware_lot")
    options = session.one("SELECT basket, count() AS n FROM hardware_option GROUP BY basket")
    lot_counts: dict[str, int] = {}
    lot_warnings: dict[str, int] = {}
    for lot in lots:
        basket = _plain(lot["basket"])
        lot_counts[basket] = lot_counts.get(basket, 0) + 1
        lot_warnings[basket] = lot_warnings.get(basket, 0) + len(lot.get("warnings") or [])
    option_counts = {_plain(r["basket"]): r["n"] for r in options}
    out = []
    for row in rows:
        plain = _plain(row)
        plain["lots_count"] = lot_counts.get(plain["id"], 0)
        plain["options_count"] = option_counts.get(plain["id"], 0)
        plain["lot_warnings_count"] = lot_warnings.get(plain["id"], 0)
        out.append(plain)
    return out


def load(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    """Whole baskets: each record with ``vendor_name``, ``lots`` (each with ``components``
    and ``prices``, in stored order) and ``options``."""
    ids = [record_id("hardware_basket", k) for k in keys]
    baskets = session.one(
        "SELECT *, vendor.name AS vendor_name FROM hardware_basket WHERE id IN $ids", {"ids": ids}
    )
    lots = session.one(
        "SELECT * FROM hardware_lot WHERE basket IN $ids ORDER BY position, lot_code", {"ids": ids}
    )
    lot_ids = [lot["id"] for lot in lots]
    components = session.one(
        "SELECT * FROM hardware_lot_component WHERE lot IN $lots ORDER BY position",
        {"lots": lot_ids},
    )
    prices = session.one(
        "SELECT * FROM hardware_lot_price WHERE lot IN $lots ORDER BY position", {"lots": lot_ids}
    )
    options = session.one(
        "SELECT * FROM hardware_option WHERE basket IN $ids ORDER BY position", {"ids": ids}
    )
    by_lot: dict[str, dict[str, list]] = {
        _plain(lot["id"]): {"components": [], "prices": []} for lot in lots
    }
    for row in components:
        by_lot[_plain(row["lot"])]["components"].append(_plain(row))
    for row in prices:
        by_lot[_plain(row["lot"])]["prices"].append(_plain(row))
    out = {_plain(b["id"]): dict(_plain(b), lots=[], options=[]) for b in baskets}
    for lot in lots:
        plain = _plain(lot)
        out[plain["basket"]]["lots"].append(dict(plain, **by_lot[plain["id"]]))
    for option in options:
        plain = _plain(option)
        out[plain["basket"]]["options"].append(plain)
    return [out[k] for k in keys if k in out]


def delete(session: Session, key: str) -> None:
    """Delete a basket with its lots (a lot linked from the hardware pool refuses)."""
    basket_id = record_id("hardware_basket", key)
    if not session.one("SELECT VALUE id FROM ONLY $id", {"id": basket_id}):
        raise NotFoundError(f"No basket with id hardware_basket:{key}.")
    session.transaction("DELETE hardware_lot WHERE basket = $id; DELETE $id;", {"id": basket_id})


def history(session: Session) -> list[dict[str, Any]]:
    """Every basket import, newest first."""
    return _plain(session.one("SELECT * FROM basket_import ORDER BY imported_at DESC"))
