"""Reading the values basket cells hold: money, dates, lot codes, CPU, memory, disks, NICs.

Every function returns what it could read and says in words what it could not (the
caller names the cell); nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from workbench.baskets import CENT, EUR_PER_USD, DiskGroup, NicGroup, to_eur

# Lot code families of the RFP (the same 18 codes for every vendor).
_FAMILIES = {
    "SM": "small",
    "ME": "medium",
    "HV": "heavy",
    "VE": "vsan_esa",
    "VO": "vsan_osa",
}
_SPECIAL = {"DHC1": "dense_compute", "DHC2": "management"}
LOT_CODE = re.compile(r"^\s*([A-Z]{3}\d)\b")
NOT_AVAILABLE = {"n/a", "na", "-", "n.a.", "not available"}


def lot_category(code: str) -> str:
    """The lot's category from its code family (SM*, ME*, HV*, VE*, VO*, DHC1, DHC2)."""
    return _SPECIAL.get(code) or _FAMILIES.get(code[:2], "other")


def money(value: Any) -> tuple[Decimal | None, str | None]:
    """A price cell as Decimal: numbers, or text such as ``"$6,492.13"``.

    Returns
    -------
    (amount, problem)
        ``(None, None)`` for an empty cell or "N/A" (the file's statement that there is no
        price); ``(None, text)`` for text that is not a price.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a price"
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, "is not a finite number"
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value), None
    text = " ".join(str(value).split())
    if not text or text.casefold() in NOT_AVAILABLE:
        return None, None
    cleaned = re.sub(r"^(US\$|USD|EUR|\$|€)\s*|\s*(USD|EUR|\$|€)$", "", text).replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None, f"{text!r} is not a price"
    if not amount.is_finite():
        return None, f"{text!r} is not a price"
    return amount, None


def cents(amount: Decimal | None) -> Decimal | None:
    """To the cent (prices are quoted to the cent; the files carry formula residue)."""
    return None if amount is None else amount.quantize(CENT)


def eur_disagrees(usd: Decimal, eur: Decimal, rate: Decimal, convention: str) -> bool:
    """Whether a stated EUR value differs from ``usd`` at the basket's rate by more than a
    cent per 1000 (USD), or half a cent (a value rounded to the cent is not a disagreement)."""
    computed = usd * rate if convention == EUR_PER_USD else usd / rate
    return abs(computed - eur) > max(abs(usd) * Decimal("0.00001"), Decimal("0.005"))


def eur_value(
    usd: Decimal | None,
    eur_cell: Any,
    rate: Decimal | None,
    convention: str | None,
    where: str,
    problems: list[str],
) -> Decimal | None:
    """The EUR price: the file's own when it has one (warning when it disagrees with the
    rate), else computed with the basket's rate and convention."""
    eur, problem = money(eur_cell)
    if problem:
        problems.append(f"{where}: {problem}; EUR computed from USD instead")
    if eur is None:
        return to_eur(usd, rate, convention)
    if usd is not None and rate and convention and eur_disagrees(usd, eur, rate, convention):
        expected = to_eur(usd, rate, convention)
        problems.append(
            f"{where}: EUR {cents(eur)} differs from USD {cents(usd)} at the basket's rate "
            f"({expected}); the file's EUR value is kept"
        )
    return cents(eur)


_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b")


def day_month_year(text: str | None) -> date | None:
    """The first d/m/y date in a text ("Until 02/05/25", "until 30/6/25", "01-05-2025").

    Both baskets are European documents and write day first (30/6/25 leaves no doubt).
    """
    if not text:
        return None
    match = _DMY.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    try:
        return date(year, month, day)
    except ValueError:
        return None


def as_date(value: Any) -> date | None:
    """A date cell (datetime, or d/m/y text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return day_month_year(str(value)) if value is not None else None


def quarter_of(day: date) -> str:
    """``YYYY-Qn`` of a day."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


_UPDATED = re.compile(r"last\s+updated:?\s*(\d{2})(\d{2})(\d{2})\b", re.IGNORECASE)
_QUARTER = re.compile(r"\b(20\d\d)\s*-?\s*Q([1-4])\b|\bQ([1-4])\s*-?\s*(20\d\d)\b", re.IGNORECASE)


def last_updated(texts: list[str]) -> date | None:
    """The day of a cover's "Last Updated: 020725" (ddmmyy: 2 July 2025; mmddyy would put it
    in February, before the file's own release date of April 2025)."""
    for text in texts:
        match = _UPDATED.search(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(2000 + year, month, day)
            except ValueError:
                return None
    return None


def stated_quarter(text: str) -> str | None:
    """``YYYY-Qn`` written in a text ("Basket 2025 Q2", "Q3 2025"), or None."""
    match = _QUARTER.search(text)
    if not match:
        return None
    year = match.group(1) or match.group(4)
    number = match.group(2) or match.group(3)
    return f"{year}-Q{number}"


# ---------------------------------------------------------------- specifications

_SOCKETS = re.compile(r"^\s*(\d+)\s*x\b", re.IGNORECASE)
_CORES = re.compile(r"\b(\d{1,3})\s*C(?:/\d+T|\b)", re.IGNORECASE)


def sockets_in(text: str) -> int | None:
    """``2`` from "2 x 8462Y 32C/64T"."""
    match = _SOCKETS.search(text)
    return int(match.group(1)) if match else None


def cores_in(text: str) -> int | None:
    """Cores per CPU stated in a text ("32C/64T", "16C"), or None."""
    match = _CORES.search(text)
    return int(match.group(1)) if match else None


_RAM_TOTAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(GB|TB)\b", re.IGNORECASE)
_RAM_MODULES = re.compile(r"\(\s*(\d+)\s*x\s*(\d+)\s*GB\s*\)", re.IGNORECASE)


def ram_gib(text: str) -> tuple[int | None, str | None]:
    """The stated total memory (GB as the vendors write it, binary in fact) of a text such
    as "512GB (16x 32GB)", and a note when the modules do not add up to it."""
    match = _RAM_TOTAL.search(text)
    if not match:
        return None, f"{text!r} states no memory total"
    total = float(match.group(1)) * (1024 if match.group(2).upper() == "TB" else 1)
    if not total.is_integer():
        return None, f"{text!r} states no whole memory total"
    note = None
    modules = _RAM_MODULES.search(text)
    if modules and int(modules.group(1)) * int(modules.group(2)) != total:
        added = int(modules.group(1)) * int(modules.group(2))
        note = (
            f"{text!r}: the modules add up to {added} GB, not the stated {int(total)} GB; "
            "the stated total is kept"
        )
    return int(total), note


_DISK = re.compile(
    r"(\d+)\s*x\s*(\d+(?:[.,]\d+)?)\s*([A-Za-z]{0,2})(?![A-Za-z])(.*)", re.IGNORECASE
)


def disk_kind(text: str) -> str | None:
    """NVMe, SSD or HDD from a disk description."""
    low = text.casefold()
    if "nvme" in low:
        return "NVMe"
    if "ssd" in low or "flash" in low:
        return "SSD"
    if re.search(r"\bhdd\b|\bsas\b|\bsata\b|rpm|\b\d+(?:\.\d)?k\b|hard drive", low):
        return "HDD"
    return None


def disk_groups(text: str) -> tuple[tuple[DiskGroup, ...], list[str]]:
    """Disk groups of a text such as "2x 960GB + 8x 1.6TB NVMe SSD".

    A size in GB smaller than 100 with decimals ("5 x 3.2GB NVMe") is read as TB, with a
    note: no data disk of 3.2 GB is sold, the same lot elsewhere says 3.2 TB. A part with
    no readable unit ("960B") is left out, with a note.
    """
    groups: list[DiskGroup] = []
    notes: list[str] = []
    whole_kind = {k for part in text.split("+") if (k := disk_kind(part))}
    for part in text.split("+"):
        part = part.strip()
        match = _DISK.search(part)
        if not match:
            if re.search(r"\d\s*x\s*\d", part, re.IGNORECASE):
                notes.append(f"{part!r} is not a disk count and size; left out")
            continue
        count = int(match.group(1))
        size = float(match.group(2).replace(",", "."))
        unit = match.group(3).upper()
        if unit == "TB":
            size_tb = size
        elif unit == "GB" and size < 100 and not size.is_integer():
            size_tb = size
            notes.append(f"{part!r} says GB but means TB (read as {size:g} TB)")
        elif unit == "GB":
            size_tb = size / 1000
        else:
            notes.append(f"{part!r} has no readable size unit; left out of the disks")
            continue
        kind = disk_kind(part) or (next(iter(whole_kind)) if len(whole_kind) == 1 else None)
        groups.append(DiskGroup(count, round(size_tb, 4), kind))
    return tuple(groups), notes


def raw_tb(groups: tuple[DiskGroup, ...]) -> float | None:
    """Sum of the groups' capacity (TB), None without groups."""
    if not groups:
        return None
    return round(sum(g.count * g.size_tb for g in groups), 4)


_NIC = re.compile(
    r"(\d+)\s*x\s*(?:(\d+(?:\.\d+)?)\s*/\s*)?(\d+(?:\.\d+)?)\s*G(?:b|B)(?:E|ps|it)?", re.IGNORECASE
)


def nic_groups(text: str) -> tuple[NicGroup, ...]:
    """Port groups of a text such as "2x 1GbE (RJ45) + 2x 10/25GbE SFP+" (a 10/25 port
    counts at its top speed)."""
    return tuple(NicGroup(int(m.group(1)), float(m.group(3))) for m in _NIC.finditer(text))


def snake(text: str) -> str:
    """A header as a snake_case column name."""
    words = re.sub(r"[^0-9a-zA-Z]+", " ", text).strip().lower().split()
    return "_".join(words)


def header_name(*texts: str | None) -> str:
    """The first non-empty header text, in snake_case."""
    return next((snake(t) for t in texts if t and snake(t)), "")


@dataclass
class Notes:
    """Warnings of one lot, each naming its cell."""

    items: list[str] = field(default_factory=list)

    def add(self, cell: str, text: str) -> None:
        self.items.append(f"{cell}: {text}")


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly these columns (object dtype: the files mix
    numbers and text in one column)."""
    return pd.DataFrame(rows, columns=columns, dtype=object)


def vendor_named(text: str | None) -> str | None:
    """ "Intel" or "AMD" when a text names exactly one of them as a word."""
    if not text:
        return None
    intel = bool(re.search(r"\b(intel|xeon)\b", text, re.IGNORECASE))
    amd = bool(re.search(r"\b(amd|epyc)\b", text, re.IGNORECASE))
    if intel == amd:
        return None
    return "Intel" if intel else "AMD"


def resolve_cpu(
    text: str, lot_text: str | None
) -> tuple[str | None, str | None, int | None, list[str]]:
    """(vendor, model number, cores per CPU, notes) of a processor text.

    The vendor is the one the processor text names, else the one the lot's own description
    names ("Intel - 2 Proc"), else none. Cores are the stated ones ("32C/64T"), else the
    table's for the model (:data:`workbench.cpu_models.CORES_PER_CPU`), else None with a
    note.
    """
    from workbench import cpu_models

    notes: list[str] = []
    model = cpu_models.cpu_model_number(text)
    vendor = vendor_named(text) or vendor_named(lot_text)
    cores = cores_in(text)
    if model is None:
        notes.append(f"{text!r} names no CPU model")
    if cores is None and model is not None:
        cores = cpu_models.cores_per_cpu(model)
        if cores is None:
            notes.append(
                f"{text!r} gives no core count and {model} is not in the CPU table; "
                "cores left empty"
            )
        elif model not in cpu_models.CORES_PER_CPU:
            notes.append(f"{text!r}: {model} read as {model}+ ({cores} cores), the only such model")
    elif cores is None:
        notes.append(f"{text!r} states no core count; cores per CPU left empty")
    return vendor, model, cores, notes


def read_cover(book) -> dict:
    """What a basket's "Cover" sheet states: ``title`` (its first line that is not the
    update stamp), ``quotation``, ``release`` (date), ``updated`` (the "Last Updated"
    day), ``texts`` (every text, for a stated quarter)."""
    found: dict = {}
    name = book.find("cover")
    if name is None:
        return found
    sheet = book.sheet(name)
    texts = [t for _, _, t in sheet.texts()]
    found["texts"] = texts
    found["updated"] = last_updated(texts)
    for (r, c), value in sorted(sheet.cells.items()):
        if not isinstance(value, str):
            continue
        label = value.casefold().strip()
        if label.startswith("quotation"):
            found["quotation"] = sheet.text(r, c + 1)
        elif label.startswith("release date"):
            found["release"] = as_date(sheet.value(r, c + 1))
        elif "title" not in found and not _UPDATED.search(value) and not label.endswith(":"):
            found["title"] = sheet.text(r, c)
    return found


def cover_quarter(cover: dict, warnings: list[str]) -> str:
    """``YYYY-Qn`` of the cover's "Last Updated" day, else a quarter a cover text states,
    else '' with a warning."""
    if cover.get("updated"):
        return quarter_of(cover["updated"])
    for text in cover.get("texts", []):
        if quarter := stated_quarter(text):
            return quarter
    warnings.append("The file states no quarter (no 'Last Updated' date, no 'YYYY Qn' text)")
    return ""
