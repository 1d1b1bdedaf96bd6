"""``ws.baskets``: vendor price lists (baskets) read from their files and kept in the store.

Each method is one user action and runs as one unit of work on the store.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import baskets as rules
from workbench.baskets import (
    Basket,
    BasketOption,
    DiskGroup,
    Lot,
    LotComponent,
    LotPrice,
    NicGroup,
)
from workbench.errors import ConflictError, ImportRejectedError, NotFoundError
from workbench.store import Store
from workbench.store import baskets as records
from workbench.text import clean_text

# Lot fields with a column of their own in hardware_lot; every other field of Lot goes
# into its `specifications` object.
_LOT_COLUMNS = {
    "code": "lot_code",
    "description": "description",
    "category": "category",
    "model": "model",
    "part_number": "part_number",
    "form_factor": "form_factor",
    "cpu_model": "cpu_model",
    "sockets": "cpu_sockets",
    "cores_per_cpu": "cores_per_socket",
    "ram_gib": "memory_gib",
    "raw_tb": "raw_storage_tb",
}
_LOT_NESTED = {"data_disks": DiskGroup, "cache_disks": DiskGroup, "nics": NicGroup}
_LOT_SKIPPED = {"prices", "components"}
# basket_import keeps at most this many warnings (the lots keep all of theirs).
MAX_HISTORY_WARNINGS = 200


@dataclass(frozen=True)
class BasketSummary:
    """A stored basket as listed.

    Attributes
    ----------
    id : str
        ``hardware_basket:<key>``.
    quarter : str
        ``YYYY-Qn``.
    exchange_rate, exchange_rate_convention
        The basket's own EUR/USD rate and convention (``usd_per_eur``: EUR = USD / rate;
        ``eur_per_usd``: EUR = USD x rate).
    warnings : int
        The basket's warnings and its lots'.
    imported : bool
        False when :meth:`Baskets.import_file` found the same file already stored (nothing
        was written).
    """

    id: str
    vendor: str
    name: str
    quarter: str
    lots: int
    options: int
    warnings: int
    valid_from: date | None
    valid_until: date | None
    exchange_rate: Decimal | None
    exchange_rate_convention: str | None
    source_filename: str | None
    imported: bool = True


class Baskets:
    """Vendor baskets: import a file, list, the lots as one frame, get, delete."""

    def __init__(self, store: Store):
        self._store = store

    # -- changes --------------------------------------------------------------------------

    def import_file(
        self, path: str | Path, *, imported_by: str | None = None, replace: bool = False
    ) -> BasketSummary:
        """Read a vendor basket file and store it whole.

        The same file again (same SHA-256) changes nothing. Another quarter, or another
        basket name, is another basket. A different file for a basket already stored (same
        vendor, quarter and name) is refused unless ``replace``: then its lots keep their
        ids (links from the hardware pool stay valid) and everything under them is
        replaced.

        Parameters
        ----------
        path : str or Path
            The vendor's ``.xlsx`` (Dell and Lenovo layouts; see ``workbench.io.baskets``).
        imported_by : str, optional
            Who imported it (free text).
        replace : bool
            Replace a stored basket of the same vendor, quarter and name.

        Raises
        ------
        ImportRejectedError
            Not a basket the reader knows, damaged or hostile; nothing was stored.
        ConflictError
            The basket is stored from another file and ``replace`` is not given, or a
            replacement drops a lot the hardware pool links to.
        """
        from workbench.io.baskets import read_basket

        source = Path(path)
        imported_by = clean_text(imported_by, "imported_by", required=False, max_length=200)
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            raise ImportRejectedError(f"There is no file at {source}.") from None
        except OSError as exc:
            raise ImportRejectedError(f"{source} cannot be read: {exc.strerror or exc}.") from None
        checksum = hashlib.sha256(data).hexdigest()
        with self._store.unit_of_work() as session:
            same = records.find_by_checksum(session, checksum)
        if same:
            return self._summary(self._one(same["id"]), imported=False)
        basket = read_basket(source)
        key = records.basket_key(basket.vendor, basket.quarter, basket.name)
        with self._store.unit_of_work() as session:
            existing = records.find(session, key)
            if existing and not replace:
                raise ConflictError(
                    f"{basket.vendor}'s basket {basket.name!r} for {basket.quarter} is already "
                    f"stored (from {existing.get('source_filename') or 'another file'}). "
                    "Import with replace to replace its lots and prices."
                )
            warnings = list(basket.warnings) + [
                f"{lot.code}: {w}" for lot in basket.lots for w in lot.warnings
            ]
            records.save(
                session,
                vendor_name=basket.vendor,
                key=key,
                basket=_basket_values(basket, source.name, checksum),
                lots=[_lot_values(key, lot, i) for i, lot in enumerate(basket.lots)],
                history={
                    "filename": source.name,
                    "file_size": len(data),
                    "sha256": checksum,
                    "imported_by": imported_by,
                    "status": "completed",
                    "lots_count": len(basket.lots),
                    "options_count": len(basket.options),
                    "warnings": warnings[:MAX_HISTORY_WARNINGS],
                },
            )
        return self._summary(self._one(key))

    def delete(self, basket: str) -> None:
        """Delete a basket and its lots.

        Raises
        ------
        NotFoundError
        ConflictError
            A lot of it is linked from the hardware pool.
        """
        with self._store.unit_of_work() as session:
            records.delete(session, self._key(session, basket))

    # -- reads ----------------------------------------------------------------------------

    def list(self) -> list[BasketSummary]:
        """Every stored basket, newest quarter first."""
        with self._store.unit_of_work() as session:
            rows = records.list_baskets(session)
        return [self._summary_of_row(row) for row in rows]

    def frame(self) -> pd.DataFrame:
        """:meth:`list` as a table; columns the fields of :class:`BasketSummary`."""
        columns = [f.name for f in dataclasses.fields(BasketSummary) if f.name != "imported"]
        return pd.DataFrame(
            [{c: getattr(s, c) for c in columns} for s in self.list()], columns=columns
        )

    def get(self, basket: str) -> Basket:
        """A stored basket whole: lots with components and prices, options, countries.

        Parameters
        ----------
        basket : str
            ``hardware_basket:<key>``, the key, or the basket's name (ignoring case; it
            must name one basket).
        """
        return self._one(basket)

    def lots(self, vendor: str | None = None, basket: str | None = None) -> pd.DataFrame:
        """Every lot of the stored baskets, one row per lot and price tier.

        Parameters
        ----------
        vendor : str, optional
            Only this vendor's baskets (name, ignoring case).
        basket : str, optional
            Only this basket (as in :meth:`get`).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`workbench.baskets.LOT_COLUMNS` and ``lot_id`` (the stored lot,
            ``hardware_lot:<key>``): money in ``usd`` and ``eur`` (the basket's own
            conversion), ``years`` the support term, ``cores`` per server, ``ram_gib`` in
            GiB, ``raw_tb`` in decimal TB.
        """
        with self._store.unit_of_work() as session:
            if basket is not None:
                keys = [self._key(session, basket)]
            else:
                rows = records.list_baskets(session)
                wanted = vendor.strip().casefold() if vendor else None
                keys = [
                    r["id"]
                    for r in rows
                    if wanted is None or (r.get("vendor_name") or "").casefold() == wanted
                ]
                if wanted and not keys:
                    known = sorted({r.get("vendor_name") or "" for r in rows})
                    raise NotFoundError(
                        f"No basket from vendor {vendor!r} (stored: {', '.join(known) or 'none'})."
                    )
            loaded = records.load(session, keys)
        frames = []
        for row in loaded:
            frame = rules.lots_frame(_basket(row), basket_id=f"hardware_basket:{row['id']}")
            # The stored lot's id, for links such as server_inventory.hardware_model_id.
            frame["lot_id"] = [
                f"hardware_lot:{records.lot_key(row['id'], c)}" for c in frame["lot"]
            ]
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=[*rules.LOT_COLUMNS, "lot_id"])
        return pd.concat(frames, ignore_index=True)

    def history(self) -> pd.DataFrame:
        """Every import of a basket file, newest first: ``filename``, ``status``,
        ``lots_count``, ``options_count``, ``warnings``, ``imported_by``, ``imported_at``."""
        with self._store.unit_of_work() as session:
            rows = records.history(session)
        columns = [
            "imported_at",
            "filename",
            "vendor_name",
            "status",
            "lots_count",
            "options_count",
            "warnings",
            "imported_by",
            "sha256",
        ]
        return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)

    # -- helpers --------------------------------------------------------------------------

    def _key(self, session, basket: str) -> str:
        text = str(basket).strip()
        key = text.removeprefix("hardware_basket:")
        if records.find(session, key):
            return key
        named = [
            r
            for r in records.list_baskets(session)
            if (r["name"] or "").casefold() == text.casefold()
        ]
        if len(named) == 1:
            return named[0]["id"]
        if named:
            choices = ", ".join(
                f"hardware_basket:{r['id']} ({r['vendor_name']} {r['quarter']})" for r in named
            )
            raise NotFoundError(f"Several baskets are named {text!r}; use an id: {choices}.")
        raise NotFoundError(f"No basket {text!r}. `workbench basket list` shows the stored ones.")

    def _one(self, basket: str) -> Basket:
        with self._store.unit_of_work() as session:
            [row] = records.load(session, [self._key(session, basket)])
        return _basket(row)

    def _summary(self, basket: Basket, imported: bool = True) -> BasketSummary:
        key = records.basket_key(basket.vendor, basket.quarter, basket.name)
        with self._store.unit_of_work() as session:
            row = records.find(session, key)
        return BasketSummary(
            id=f"hardware_basket:{key}",
            vendor=basket.vendor,
            name=basket.name,
            quarter=basket.quarter,
            lots=len(basket.lots),
            options=len(basket.options),
            warnings=len(basket.warnings) + sum(len(lot.warnings) for lot in basket.lots),
            valid_from=basket.valid_from,
            valid_until=basket.valid_until,
            exchange_rate=basket.exchange_rate,
            exchange_rate_convention=basket.exchange_rate_convention,
            source_filename=(row or {}).get("source_filename"),
            imported=imported,
        )

    @staticmethod
    def _summary_of_row(row: dict[str, Any]) -> BasketSummary:
        return BasketSummary(
            id=f"hardware_basket:{row['id']}",
            vendor=row.get("vendor_name") or "",
            name=row["name"],
            quarter=row["quarter"],
            lots=row["lots_count"],
            options=row["options_count"],
            warnings=len(row.get("warnings") or []) + row.get("lot_warnings_count", 0),
            valid_from=_day(row.get("valid_from")),
            valid_until=_day(row.get("valid_until")),
            exchange_rate=row.get("exchange_rate"),
            exchange_rate_convention=row.get("exchange_rate_convention"),
            source_filename=row.get("source_filename"),
        )


# -- between dataclasses and records -------------------------------------------------------


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _basket_values(basket: Basket, filename: str, checksum: str) -> dict[str, Any]:
    countries = basket.countries
    return {
        "name": basket.name,
        "quarter": basket.quarter,
        "quotation": basket.quotation,
        "currency": basket.currency,
        "valid_from": _moment(basket.valid_from),
        "valid_until": _moment(basket.valid_until),
        "exchange_rate": basket.exchange_rate,
        "exchange_rate_convention": basket.exchange_rate_convention,
        "exchange_rate_valid_until": _moment(basket.exchange_rate_valid_until),
        "source_filename": filename,
        "layout": basket.layout or None,
        "file_sha256": checksum,
        "warnings": list(basket.warnings),
        "countries": _json_ready(countries.to_dict(orient="records")) if len(countries) else [],
        "options": [
            dict(_option_values(o), position=position) for position, o in enumerate(basket.options)
        ],
    }


def _option_values(option: BasketOption) -> dict[str, Any]:
    return {f.name: getattr(option, f.name) for f in dataclasses.fields(BasketOption)}


def _price_tier(price: LotPrice) -> str:
    # Unique per lot in the store: the tier, its term, and whether hardware is included.
    tier = price.tier + (f"_{price.years}y" if price.years is not None else "")
    return tier if price.includes_hardware else tier + "_support_only"


def _lot_values(basket_key: str, lot: Lot, position: int) -> dict[str, Any]:
    values = {column: getattr(lot, name) for name, column in _LOT_COLUMNS.items()}
    values["position"] = position
    values["description"] = values["description"] or lot.code
    if lot.raw_tb is not None:
        values["raw_storage_tb"] = Decimal(str(lot.raw_tb))
    values["data_disks"] = rules.describe_disks(lot.data_disks) or None
    values["network"] = rules.describe_nics(lot.nics) or None
    values["specifications"] = _json_ready(
        {
            f.name: dataclasses.asdict(lot)[f.name]
            for f in dataclasses.fields(Lot)
            if f.name not in _LOT_COLUMNS and f.name not in _LOT_SKIPPED
        }
    )
    return {
        "key": records.lot_key(basket_key, lot.code),
        "values": values,
        "components": [dataclasses.asdict(c) for c in lot.components],
        "prices": [
            {
                "support_tier": _price_tier(p),
                "tier": p.tier,
                "position": position,
                "term_years": p.years,
                "includes_hardware": p.includes_hardware,
                "price_usd": p.usd,
                "price_eur": p.eur,
            }
            for position, p in enumerate(lot.prices)
        ],
    }


def _lot(row: dict[str, Any]) -> Lot:
    fields = {f.name for f in dataclasses.fields(Lot)}
    values: dict[str, Any] = {name: row.get(column) for name, column in _LOT_COLUMNS.items()}
    if values["raw_tb"] is not None:
        values["raw_tb"] = float(values["raw_tb"])
    for name, spec in (row.get("specifications") or {}).items():
        if name not in fields:
            continue  # written by a newer reader: ignored, never guessed
        if name in _LOT_NESTED:
            spec = tuple(_LOT_NESTED[name](**group) for group in spec or ())
        elif isinstance(spec, list):
            spec = tuple(spec)
        values[name] = spec
    values["components"] = tuple(
        LotComponent(
            position=c["position"],
            item=c["item"],
            specification=c.get("specification"),
            part_number=c.get("part_number"),
            quantity=c.get("quantity"),
        )
        for c in row["components"]
    )
    values["prices"] = tuple(
        LotPrice(
            tier=p.get("tier") or p["support_tier"],
            years=p.get("term_years"),
            includes_hardware=p["includes_hardware"],
            usd=p.get("price_usd"),
            eur=p.get("price_eur"),
        )
        for p in sorted(row["prices"], key=lambda p: p.get("position", 0))
    )
    return Lot(**values)


def _basket(row: dict[str, Any]) -> Basket:
    option_fields = {f.name for f in dataclasses.fields(BasketOption)}
    return Basket(
        vendor=row.get("vendor_name") or "",
        name=row["name"],
        quarter=row["quarter"],
        lots=tuple(_lot(lot) for lot in row["lots"]),
        quotation=row.get("quotation"),
        currency=row.get("currency") or "USD",
        valid_from=_day(row.get("valid_from")),
        valid_until=_day(row.get("valid_until")),
        exchange_rate=row.get("exchange_rate"),
        exchange_rate_convention=row.get("exchange_rate_convention"),
        exchange_rate_valid_until=_day(row.get("exchange_rate_valid_until")),
        options=tuple(
            BasketOption(**{k: v for k, v in o.items() if k in option_fields})
            for o in row["options"]
        ),
        countries=pd.DataFrame(row.get("countries") or []),
        warnings=tuple(row.get("warnings") or ()),
        layout=row.get("layout") or "",
    )
