"""Dell's layout: one "Lot Pricing" sheet of label/value rows under each lot's price row.

Detected by content: a sheet named "... Lot Pricing" whose header row (within its first 10
rows) has "Lot Description", "Item" and "Specification" in columns A-C. The vendor is the
sheet name's prefix ("Dell Lot Pricing" -> "Dell"), so the demo basket, which uses this
layout under its own name, reads as its own vendor.

Cells (1-based, as Excel shows them): E1/F1 "Currencies" / "Until dd/mm/yy"; E2/F2 the
EUR/USD rate (EUR = USD / rate); header row 4: A lot description, B item, C
specification, D list price, E net USD, F net EUR, G-J prices with support (hardware
included, USD), L-S support alone as USD/EUR pairs. A lot starts on a row whose column A
holds "<CODE> - ..." (B "Server"); the label/value rows below it (A empty) are its
components, up to the next lot.
"""

from __future__ import annotations

import re
from decimal import Decimal

from workbench.baskets import (
    USD_PER_EUR,
    Basket,
    BasketOption,
    Lot,
    LotComponent,
    LotPrice,
    to_eur,
)
from workbench.io.baskets import _parse as p
from workbench.io.baskets._workbook import BasketBook, Sheet, cell_name

NAME = "dell"

_HEADER = ("lot description", "item", "specification")


def _header_row(sheet: Sheet) -> int | None:
    return sheet.header_row(_HEADER, first_column=1)


def detect(book: BasketBook) -> bool:
    """Whether the workbook has this layout's lot sheet and header."""
    name = book.find("lot pricing")
    return name is not None and _header_row(book.sheet(name)) is not None


def parse(book: BasketBook, name: str) -> Basket:
    """The basket of a workbook :func:`detect` accepted (``name``: the file's name, used
    as the basket's name only when the content gives none)."""
    sheet_name = book.find("lot pricing")
    sheet = book.sheet(sheet_name)
    header = _header_row(sheet)
    vendor = re.sub(r"\s*lot pricing\s*$", "", sheet_name, flags=re.IGNORECASE).strip() or "Dell"
    warnings: list[str] = []

    rate, convention, rate_until = _rate(sheet, header, warnings)
    cover = p.read_cover(book)
    lots = _lots(sheet, header, rate, convention)
    if convention is None:
        convention = USD_PER_EUR
    options = _options(book, rate, convention, warnings)
    countries = _countries(book)
    quarter = p.cover_quarter(cover, warnings)
    return Basket(
        vendor=vendor,
        name=cover.get("title") or name,
        quarter=quarter,
        lots=lots,
        quotation=cover.get("quotation"),
        currency="USD",
        valid_from=cover.get("release"),
        valid_until=None,
        exchange_rate=rate,
        exchange_rate_convention=convention if rate is not None else None,
        exchange_rate_valid_until=rate_until,
        options=options,
        countries=countries,
        warnings=tuple(warnings),
        layout=NAME,
    )


def _rate(sheet: Sheet, header: int, warnings: list[str]):
    """The rate from the label "EUR/USD" above the header row (the cell right of it) and
    its validity from "Until dd/mm/yy" near it."""
    rate = until = None
    for row in range(1, header):
        for (r, c), value in sorted(sheet.cells.items()):
            if r != row or not isinstance(value, str):
                continue
            if "eur/usd" in value.casefold() or "exc rate" in value.casefold():
                amount, problem = p.money(sheet.value(r, c + 1))
                if amount is None or amount <= 0:
                    warnings.append(
                        f"{cell_name(r, c + 1)}: no exchange rate ({problem or 'empty'}); "
                        "EUR prices the file lacks are left empty"
                    )
                else:
                    rate = amount
            if value.casefold().startswith("until") or "until" in value.casefold():
                until = p.day_month_year(value) or until
            nxt = sheet.text(r, c + 1)
            if nxt and nxt.casefold().startswith("until"):
                until = p.day_month_year(nxt) or until
    # Dell states EUR = USD / rate (1.1 USD for a euro); a rate below 1 would be the other
    # way round, which this layout has never used: say so rather than convert wrongly.
    if rate is not None and rate < 1:
        warnings.append(
            f"The EUR/USD rate {rate} is below 1, unlike this layout's USD-per-EUR rate; "
            "EUR prices the file lacks are left empty"
        )
        return rate, None, until
    return rate, (USD_PER_EUR if rate is not None else None), until


def _tier_of(header: str) -> tuple[str, int | None]:
    low = header.casefold()
    years = re.search(r"(\d+)\s*-?\s*y", low)
    plus = "psp" in low or "plus" in low or "ps+" in low
    return ("prosupport_plus" if plus else "prosupport"), (int(years.group(1)) if years else None)


def _lots(sheet: Sheet, header: int, rate, convention) -> tuple[Lot, ...]:
    starts = [
        r
        for r in range(header + 1, sheet.rows + 1)
        if (text := sheet.text(r, 1)) and p.LOT_CODE.match(text)
    ]
    headers = {c: sheet.text(header, c) or "" for c in range(1, 20)}
    lots = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else sheet.rows + 1
        lots.append(_lot(sheet, start, end, headers, rate, convention))
    return tuple(lots)


def _lot(sheet: Sheet, start: int, end: int, headers: dict, rate, convention) -> Lot:
    notes = p.Notes()
    description = sheet.text(start, 1) or ""
    code = p.LOT_CODE.match(description).group(1)
    lot_text = " ".join(filter(None, [description, sheet.text(start, 3)]))
    components = []
    spec: dict[str, tuple[str, str]] = {}  # label key -> (cell, value)
    for row in range(start + 1, end):
        label, value = sheet.text(row, 2), sheet.text(row, 3)
        if label is None and value is None:
            continue
        components.append(LotComponent(row - start, label or "", value))
        key = _label_key(label or "")
        if key and value is not None:
            spec.setdefault(key, (cell_name(row, 3), value))

    fields: dict = {}
    if "model" in spec:
        where, text = spec["model"]
        form = re.search(r"\b(\d)U\b", text)
        fields["form_factor"] = f"{form.group(1)}U" if form else None
        fields["model"] = (text[: form.start()] if form else text).strip() or None
    else:
        notes.add(f"rows {start + 1}-{end - 1}", "no 'Format or model' line")
    if "cpu" in spec:
        where, text = spec["cpu"]
        vendor, model, cores, cpu_notes = p.resolve_cpu(text, lot_text)
        fields.update(
            cpu_vendor=vendor, cpu_model=model, cores_per_cpu=cores, sockets=p.sockets_in(text)
        )
        for note in cpu_notes:
            notes.add(where, note)
        if fields["sockets"] is None:
            notes.add(where, f"{text!r} states no CPU count")
    else:
        notes.add(f"rows {start + 1}-{end - 1}", "no 'Processor/socket' line")
    if "ram" in spec:
        where, text = spec["ram"]
        fields["ram_gib"], note = p.ram_gib(text)
        if note:
            notes.add(where, note)
    if "data" in spec:
        where, text = spec["data"]
        groups, disk_notes = p.disk_groups(text)
        fields["data_disks"], fields["raw_tb"] = groups, p.raw_tb(groups)
        for note in disk_notes:
            notes.add(where, note)
        if groups and any("left out" in n for n in disk_notes):
            notes.add(where, "raw TB counts only the disks read")
    if "cache" in spec:
        where, text = spec["cache"]
        groups, disk_notes = p.disk_groups(text)
        fields["cache_disks"] = groups
        for note in disk_notes:
            notes.add(where, note)
    if "boot" in spec:
        fields["boot_disk"] = spec["boot"][1]
    if "nic" in spec:
        where, text = spec["nic"]
        fields["nics"] = p.nic_groups(text)
        if not fields["nics"]:
            notes.add(where, f"{text!r}: no port count and speed read")

    prices = _prices(sheet, start, headers, rate, convention, notes)
    return Lot(
        code=code,
        description=description,
        category=p.lot_category(code),
        prices=prices,
        components=tuple(components),
        warnings=tuple(notes.items),
        **fields,
    )


def _label_key(label: str) -> str | None:
    low = label.casefold()
    if "format" in low or "model" in low:
        return "model"
    if low.startswith("processor"):
        return "cpu"
    if low.startswith("ram"):
        return "ram"
    if low.startswith("data disk"):
        return "data"
    if low.startswith("cache disk"):
        return "cache"
    if low.startswith("boot disk"):
        return "boot"
    if "nic" in low and "port" in low:
        return "nic"
    return None


def _prices(sheet: Sheet, row: int, headers: dict, rate, convention, notes: p.Notes):
    problems: list[str] = []

    def usd(column: int) -> Decimal | None:
        amount, problem = p.money(sheet.value(row, column))
        if problem:
            notes.add(cell_name(row, column), f"{problem}; price left empty")
        return amount

    prices = [LotPrice("list", None, True, p.cents(usd(4)), None)]
    net = usd(5)
    prices.append(
        LotPrice(
            "net",
            None,
            True,
            p.cents(net),
            p.eur_value(net, sheet.value(row, 6), rate, convention, cell_name(row, 6), problems),
        )
    )
    # G-J: hardware with support, USD only in the file.
    for column in range(7, 11):
        tier, years = _tier_of(headers.get(column, ""))
        amount = usd(column)
        prices.append(
            LotPrice(tier, years, True, p.cents(amount), to_eur(amount, rate, convention))
        )
    # L-S: the support alone, as USD/EUR pairs under one header each.
    for column in range(12, 20, 2):
        tier, years = _tier_of(headers.get(column, ""))
        amount = usd(column)
        eur = p.eur_value(
            amount,
            sheet.value(row, column + 1),
            rate,
            convention,
            cell_name(row, column + 1),
            problems,
        )
        prices.append(LotPrice(tier, years, False, p.cents(amount), eur))
    notes.items.extend(problems)
    return tuple(prices)


def _options(book: BasketBook, rate, convention, warnings: list[str]) -> tuple[BasketOption, ...]:
    name = book.find("options")
    if name is None:
        return ()
    sheet = book.sheet(name)
    options = []
    header = None
    for row in range(1, sheet.rows + 1):
        if (sheet.text(row, 2) or "").casefold() == "sku":
            header = row
            continue
        sku, description = sheet.text(row, 2), sheet.text(row, 3)
        if header is None or not sku or not description:
            continue
        amounts = {}
        for column, key in ((6, "list"), (7, "sell"), (8, "discount")):
            amount, problem = p.money(sheet.value(row, column))
            if problem:
                warnings.append(f"{name}!{cell_name(row, column)}: {problem}; left empty")
            amounts[key] = amount
        quantity = sheet.value(row, 5)
        options.append(
            BasketOption(
                description=description,
                category=option_category(description),
                sku=sku,
                sku_type=sheet.text(row, 4),
                quantity=int(quantity) if isinstance(quantity, int | float) else None,
                list_price_usd=p.cents(amounts["list"]),
                price_usd=p.cents(amounts["sell"]),
                price_eur=to_eur(amounts["sell"], rate, convention),
                discount=amounts["discount"]
                if amounts["discount"] is not None and 0 <= amounts["discount"] <= 1
                else None,
            )
        )
    return tuple(options)


def option_category(text: str) -> str:
    """cpu, memory, storage, network, service or other, from an option's description."""
    low = text.casefold()
    if re.search(r"\b(xeon|epyc|processor)\b", low):
        return "cpu"
    if re.search(r"dimm|\bmemory\b|truddr", low):
        return "memory"
    if re.search(
        r"\b(ssd|hdd|nvme|hard drive|drive|perc|raid|hba355|boss|sas|sata)\b", low
    ) and not re.search(r"fibre channel|\bfc\d", low):
        return "storage"
    if re.search(
        r"ethernet|gbe|\bnic\b|sfp|qsfp|fibre channel|infiniband|optic|transceiver|twinax|cable",
        low,
    ):
        return "network"
    if re.search(r"support|warranty|service|premier|prosupport|\d\s*y(?:r|ear)", low):
        return "service"
    return "other"


def _countries(book: BasketBook):
    name = book.find("country")
    if name is None:
        return p.frame([], [])
    sheet = book.sheet(name)
    # Header: the row naming "Country"; the row below carries units ("in %") and
    # sub-headings used where the first row is blank.
    header = next(
        (
            r
            for r in range(1, 11)
            if any((t or "").casefold() == "country" for t in sheet.row_texts(r).values())
        ),
        None,
    )
    if header is None:
        return p.frame([], [])
    width = max((c for (_, c) in sheet.cells), default=0)
    names: list[str] = []
    for column in range(1, width + 1):
        label = p.header_name(sheet.text(header, column), sheet.text(header + 1, column))
        if not label and column == 2:
            label = "number"
        if not label or label in names:
            label = f"{label or 'column'}_{column}"
        names.append(label)
    country_col = next(i for i, n in enumerate(names) if n == "country")
    rows, region = [], None
    for row in range(header + 2, sheet.rows + 1):
        values = [sheet.value(row, c) for c in range(1, width + 1)]
        if isinstance(values[0], str) and values[0].strip():
            region = " ".join(values[0].split())
        if not (isinstance(values[country_col], str) and values[country_col].strip()):
            continue
        record = dict(zip(names, values, strict=True))
        record[names[0]] = region
        record["country"] = " ".join(values[country_col].split())
        rows.append(record)
    return p.frame(rows, names)
