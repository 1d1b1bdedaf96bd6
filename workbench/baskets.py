"""Vendor hardware baskets: quarterly price lists of server lots, as the workbench keeps them.

Pure: dataclasses the basket readers (``workbench/io/baskets``) fill in and the store
keeps, and the lots as one DataFrame (:func:`lots_frame`), which sizing reads. Money is
``Decimal`` in the dataclasses (prices are quoted to the cent) and float in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# The two vendors of one RFP state the EUR/USD rate in opposite conventions.
EUR_PER_USD = "eur_per_usd"  # EUR = USD x rate (Lenovo: 0.8607)
USD_PER_EUR = "usd_per_eur"  # EUR = USD / rate (Dell: 1.1)
CONVENTIONS = (EUR_PER_USD, USD_PER_EUR)

LOT_CATEGORIES = (
    "small",
    "medium",
    "heavy",
    "vsan_esa",
    "vsan_osa",
    "dense_compute",
    "management",
    "other",
)
OPTION_CATEGORIES = ("cpu", "memory", "storage", "network", "service", "other")

CENT = Decimal("0.01")


def to_eur(usd: Decimal | None, rate: Decimal | None, convention: str | None) -> Decimal | None:
    """``usd`` in EUR with a basket's own rate and convention, to the cent."""
    if usd is None or rate is None or convention is None:
        return None
    eur = usd * rate if convention == EUR_PER_USD else usd / rate
    return eur.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LotPrice:
    """One price of a lot.

    Attributes
    ----------
    tier : str
        ``list``, ``net`` (hardware as configured), ``prosupport``, ``prosupport_plus``
        (Dell), ``warranty`` (Lenovo).
    years : int or None
        Support term in years (None for ``list`` and ``net``).
    includes_hardware : bool
        True: hardware plus support; False: the support uplift alone.
    usd, eur : Decimal or None
        As the basket states them; None where it says "N/A" or gives none.
    """

    tier: str
    years: int | None
    includes_hardware: bool
    usd: Decimal | None
    eur: Decimal | None


@dataclass(frozen=True)
class LotComponent:
    """One line of a lot: a Dell label/value row, or a Lenovo feature code with quantity."""

    position: int
    item: str
    specification: str | None = None
    part_number: str | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class DiskGroup:
    """``count`` disks of ``size_tb`` TB (decimal, as vendors state it); ``kind``: NVMe,
    SSD, HDD or None."""

    count: int
    size_tb: float
    kind: str | None = None


@dataclass(frozen=True)
class NicGroup:
    """``ports`` network ports at ``speed_gbps``."""

    ports: int
    speed_gbps: float


@dataclass(frozen=True)
class Lot:
    """A priced server configuration of a basket.

    Attributes
    ----------
    code : str
        The RFP's lot code (SMI1, HVA1, ...), shared by the vendors of one RFP.
    sockets, cores_per_cpu : int or None
        CPUs per server and cores per CPU (stated, else from
        :data:`workbench.cpu_models.CORES_PER_CPU`, else None with a warning).
    ram_gib : int or None
        The stated total memory.
    data_disks : tuple of DiskGroup
        Capacity disks (not boot, not cache); ``raw_tb`` is their sum.
    warnings : tuple of str
        What could not be read on this lot, in words; nothing is guessed.
    """

    code: str
    description: str
    category: str | None = None
    model: str | None = None
    part_number: str | None = None
    form_factor: str | None = None
    cpu_vendor: str | None = None
    cpu_model: str | None = None
    sockets: int | None = None
    cores_per_cpu: int | None = None
    ram_gib: int | None = None
    data_disks: tuple[DiskGroup, ...] = ()
    raw_tb: float | None = None
    cache_disks: tuple[DiskGroup, ...] = ()
    boot_disk: str | None = None
    nics: tuple[NicGroup, ...] = ()
    prices: tuple[LotPrice, ...] = ()
    components: tuple[LotComponent, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BasketOption:
    """An upgrade SKU or part offered beside the lots."""

    description: str
    category: str = "other"
    sku: str | None = None
    sku_type: str | None = None
    applies_to: str | None = None
    quantity: int | None = None
    list_price_usd: Decimal | None = None
    price_usd: Decimal | None = None
    price_eur: Decimal | None = None
    discount: Decimal | None = None


@dataclass(frozen=True)
class Basket:
    """One vendor's price list for one quarter, as read from its file.

    Attributes
    ----------
    quarter : str
        ``YYYY-Qn``.
    exchange_rate, exchange_rate_convention
        The basket's own EUR/USD rate and its convention (:data:`CONVENTIONS`).
    countries : pandas.DataFrame
        Per-country data where the file has it (columns as the file names them, in
        snake_case), else empty.
    warnings : tuple of str
        Basket-wide warnings (lots carry their own).
    """

    vendor: str
    name: str
    quarter: str
    lots: tuple[Lot, ...]
    quotation: str | None = None
    currency: str = "USD"
    valid_from: date | None = None
    valid_until: date | None = None
    exchange_rate: Decimal | None = None
    exchange_rate_convention: str | None = None
    exchange_rate_valid_until: date | None = None
    options: tuple[BasketOption, ...] = ()
    countries: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: tuple[str, ...] = ()
    layout: str = ""


# One row per lot and price tier: what ws.baskets.lots() returns and sizing reads.
LOT_COLUMNS = [
    "basket_id",  # the store's id ('' before storing)
    "vendor",
    "basket",
    "quarter",
    "lot",  # lot code
    "model",
    "category",
    "form_factor",
    "cpu_vendor",
    "cpu_model",
    "sockets",  # Int64
    "cores_per_cpu",  # Int64
    "cores",  # Int64: sockets x cores_per_cpu
    "ram_gib",  # Int64
    "data_disks",  # str: "16 x 3.84 TB NVMe"
    "raw_tb",  # float
    "nics",  # str: "2 x 25 GbE, 2 x 1 GbE"
    "tier",
    "years",  # Int64
    "includes_hardware",  # bool
    "usd",  # float
    "eur",  # float
    "warnings",  # str, "; "-joined
]


def describe_disks(groups: tuple[DiskGroup, ...] | list[DiskGroup]) -> str:
    """Disk groups as text: ``"2 x 0.96 TB NVMe, 8 x 1.6 TB NVMe"`` ('' without groups)."""
    return ", ".join(
        f"{g.count} x {g.size_tb:g} TB" + (f" {g.kind}" if g.kind else "") for g in groups
    )


def describe_nics(groups: tuple[NicGroup, ...] | list[NicGroup]) -> str:
    """Port groups as text, fastest first, ports of one speed added up:
    ``"4 x 25 GbE, 2 x 1 GbE"`` ('' without groups)."""
    ports: dict[float, int] = {}
    for group in groups:
        ports[group.speed_gbps] = ports.get(group.speed_gbps, 0) + group.ports
    return ", ".join(f"{n} x {speed:g} GbE" for speed, n in sorted(ports.items(), reverse=True))


def headline_price(lot: Lot) -> LotPrice | None:
    """The price to show for a lot in one line: the ``net`` tier (hardware as configured,
    Dell), else the hardware-including tier with the longest term that has a USD price
    (Lenovo: 3-year warranty, the only one vSAN lots have), else None."""
    net = next((p for p in lot.prices if p.tier == "net" and p.usd is not None), None)
    if net is not None:
        return net
    priced = [p for p in lot.prices if p.includes_hardware and p.usd is not None and p.years]
    return max(priced, key=lambda p: p.years, default=None)


def lots_frame(basket: Basket, basket_id: str = "") -> pd.DataFrame:
    """The lots of a basket, one row per lot and price tier (a lot without prices: one
    row with an empty tier).

    Parameters
    ----------
    basket : Basket
    basket_id : str
        The store's id of the basket ('' before storing).

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`LOT_COLUMNS`: ``basket_id``, ``vendor``, ``basket`` (name),
        ``quarter`` (``YYYY-Qn``), ``lot`` (code), ``model``, ``category``,
        ``form_factor``, ``cpu_vendor``, ``cpu_model`` (str); ``sockets``,
        ``cores_per_cpu``, ``cores`` (sockets x cores per CPU), ``ram_gib`` (GiB)
        (Int64); ``data_disks`` (str, "16 x 3.84 TB NVMe"); ``raw_tb`` (float, TB);
        ``nics`` (str, "4 x 25 GbE"); ``tier`` (str); ``years`` (Int64, support term);
        ``includes_hardware`` (bool); ``usd``, ``eur`` (float, money); ``warnings``
        (str, "; "-joined).
    """
    rows = []
    for lot in basket.lots:
        cores = (
            lot.sockets * lot.cores_per_cpu
            if lot.sockets is not None and lot.cores_per_cpu is not None
            else None
        )
        common = {
            "basket_id": basket_id,
            "vendor": basket.vendor,
            "basket": basket.name,
            "quarter": basket.quarter,
            "lot": lot.code,
            "model": lot.model,
            "category": lot.category,
            "form_factor": lot.form_factor,
            "cpu_vendor": lot.cpu_vendor,
            "cpu_model": lot.cpu_model,
            "sockets": lot.sockets,
            "cores_per_cpu": lot.cores_per_cpu,
            "cores": cores,
            "ram_gib": lot.ram_gib,
            "data_disks": describe_disks(lot.data_disks),
            "raw_tb": lot.raw_tb,
            "nics": describe_nics(lot.nics),
            "warnings": "; ".join(lot.warnings),
        }
        prices = lot.prices or (LotPrice("", None, False, None, None),)
        for price in prices:
            rows.append(
                common
                | {
                    "tier": price.tier or None,
                    "years": price.years,
                    "includes_hardware": bool(price.includes_hardware),
                    "usd": None if price.usd is None else float(price.usd),
                    "eur": None if price.eur is None else float(price.eur),
                }
            )
    frame = pd.DataFrame(rows, columns=LOT_COLUMNS)
    for column in ("sockets", "cores_per_cpu", "cores", "ram_gib", "years"):
        frame[column] = frame[column].astype("Int64")
    for column in ("raw_tb", "usd", "eur"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["includes_hardware"] = frame["includes_hardware"].astype(bool)
    for column in (
        "basket_id",
        "vendor",
        "basket",
        "quarter",
        "lot",
        "data_disks",
        "nics",
        "warnings",
    ):
        frame[column] = frame[column].astype(object)
    return frame
