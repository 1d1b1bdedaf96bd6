"""Lenovo's layout: a "Server Lots" sheet of feature codes with quantities under each lot.

Detected by content: a sheet named "... Server Lots" whose header row (within its first 10
rows) has "Part Number", "Description" and "Quantity" in columns B-D.

Cells (1-based): C2/D2 "EUR/USD Exchange rate until dd/mm/yy" and the rate (EUR = USD x
rate); row 3: E3/G3 the warranty terms ("1 year Warranty", "3 year warranty"); header row
4: B part number, C description, D quantity, E/F total USD/EUR (first term), G/H total
USD/EUR (second term). A lot starts on a row whose column C holds "<CODE> - ..." (B the
machine type); the next row names the model ("SMI1 : ThinkSystem SR630 V3 - 3yr
Warranty"); then feature codes (B code, C description, D quantity). Lots are separated by
blank rows. Parts and Services sheets hold the options; "Country Data" the countries.
"""

from __future__ import annotations

import re
from decimal import Decimal

from workbench.baskets import (
    EUR_PER_USD,
    Basket,
    BasketOption,
    DiskGroup,
    Lot,
    LotComponent,
    LotPrice,
    NicGroup,
)
from workbench.io.baskets import _parse as p
from workbench.io.baskets._workbook import BasketBook, Sheet, cell_name
from workbench.io.baskets.dell import option_category

NAME = "lenovo"

_HEADER = ("part number", "description", "quantity")


def _header_row(sheet: Sheet) -> int | None:
    return sheet.header_row(_HEADER, first_column=2)


def detect(book: BasketBook) -> bool:
    """Whether the workbook has this layout's lot sheet and header."""
    name = book.find("server lots")
    return name is not None and _header_row(book.sheet(name)) is not None


def parse(book: BasketBook, name: str) -> Basket:
    """The basket of a workbook :func:`detect` accepted."""
    sheet_name = book.find("server lots")
    sheet = book.sheet(sheet_name)
    header = _header_row(sheet)
    vendor = re.sub(r"\s*x86\s*server lots\s*$|\s*server lots\s*$", "", sheet_name, flags=re.I)
    warnings: list[str] = []
    rate, rate_until = _rate(sheet, header, warnings)
    convention = EUR_PER_USD if rate is not None else None
    cover = p.read_cover(book)
    quarter = p.cover_quarter(cover, warnings)
    for row in range(1, header):
        for column, text in sheet.row_texts(row).items():
            stated = p.stated_quarter(text)
            if stated and quarter and stated != quarter:
                warnings.append(
                    f"{cell_name(row, column)} says {text!r}; the cover's last update puts "
                    f"the basket in {quarter}, which is kept"
                )
    terms = {c: _years(sheet.text(header - 1, c)) for c in (5, 7)}
    lots = _lots(sheet, header, terms, rate, convention)
    options = _options(book, rate, convention, warnings)
    return Basket(
        vendor=vendor.strip() or "Lenovo",
        name=cover.get("title") or name,
        quarter=quarter,
        lots=lots,
        quotation=cover.get("quotation"),
        currency="USD",
        valid_from=cover.get("release"),
        valid_until=None,
        exchange_rate=rate,
        exchange_rate_convention=convention,
        exchange_rate_valid_until=rate_until,
        options=options,
        countries=_countries(book),
        warnings=tuple(warnings),
        layout=NAME,
    )


def _years(text: str | None) -> int | None:
    match = re.search(r"(\d+)\s*-?\s*y", text or "", re.IGNORECASE)
    return int(match.group(1)) if match else None


def _rate(sheet: Sheet, header: int, warnings: list[str]):
    for row in range(1, header):
        for column, text in sheet.row_texts(row).items():
            if "exchange rate" in text.casefold():
                amount, problem = p.money(sheet.value(row, column + 1))
                if amount is None or amount <= 0:
                    warnings.append(
                        f"{cell_name(row, column + 1)}: no exchange rate ({problem or 'empty'}); "
                        "EUR prices the file lacks are left empty"
                    )
                    return None, p.day_month_year(text)
                return amount, p.day_month_year(text)
    warnings.append(
        "No EUR/USD exchange rate above the header; EUR prices the file lacks are left empty"
    )
    return None, None


def _lots(sheet: Sheet, header: int, terms: dict, rate, convention) -> tuple[Lot, ...]:
    starts = [
        r
        for r in range(header + 1, sheet.rows + 1)
        # The lot row has the machine type in B and "<CODE> - ..." in C; the model line
        # under it starts with the code too, but "<CODE> : ..." and no part number.
        if sheet.text(r, 2) and (text := sheet.text(r, 3)) and _LOT_ROW.match(text)
    ]
    lots = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else sheet.rows + 1
        lots.append(_lot(sheet, start, end, terms, rate, convention))
    return tuple(lots)


_LOT_ROW = re.compile(r"^\s*[A-Z]{3}\d\s*-")
_GB = re.compile(r"\b(\d+(?:\.\d+)?)\s*(GB|TB)\b", re.IGNORECASE)


def _lot(sheet: Sheet, start: int, end: int, terms: dict, rate, convention) -> Lot:
    notes = p.Notes()
    description = sheet.text(start, 3) or ""
    code = p.LOT_CODE.match(description).group(1)
    components: list[LotComponent] = []
    model = form = None
    cpus: list[tuple[int, str, int]] = []  # (row, text, quantity)
    ram = 0
    disks: list[tuple[DiskGroup, str]] = []
    boot: list[str] = []
    nics: list[NicGroup] = []
    osa = False
    for row in range(start + 1, end):
        text, part = sheet.text(row, 3), sheet.text(row, 2)
        if text is None and part is None:
            continue
        raw_quantity = sheet.value(row, 4)
        quantity = int(raw_quantity) if isinstance(raw_quantity, int | float) else None
        if raw_quantity is not None and quantity is None:
            notes.add(cell_name(row, 4), f"{raw_quantity!r} is not a quantity")
        components.append(LotComponent(row - start, text or "", None, part, quantity))
        if text is None:
            continue
        low = text.casefold()
        if part is None and ":" in text and model is None:
            # "SMI1 : ThinkSystem SR630 V3 - 3yr Warranty", "VEI1 : Lenovo ThinkAgile VX650
            # V3 Certified Node": the product name between the colon and the trimmings.
            name = text.split(":", 1)[1]
            name = re.split(r"\s*-\s*\d+\s*yr|\s+certified node", name, flags=re.I)[0]
            model = re.sub(r"^\s*lenovo\s+", "", name, flags=re.I).strip() or None
            continue
        count = quantity or 1
        if "chassis" in low and form is None:
            match = re.search(r"\b(\d)U\b", text)
            form = f"{match.group(1)}U" if match else None
        elif "processor" in low and "heatsink" not in low:
            cpus.append((row, text, count))
        elif "dimm" in low:
            size = _GB.search(text)
            if size and size.group(2).upper() == "GB":
                ram += int(float(size.group(1))) * count
            else:
                notes.add(cell_name(row, 3), f"{text!r}: no module size read; memory incomplete")
        elif "m.2" in low and _GB.search(text) and ("ssd" in low or "nvme" in low):
            size = _GB.search(text)
            boot.append(
                f"{count} x {size.group(1)}{size.group(2).upper()} M.2 {p.disk_kind(text) or ''}".strip()
            )
        elif re.search(r"\b(ssd|hdd)\b", low) and _GB.search(text) and "backplane" not in low:
            size = _GB.search(text)
            tb = float(size.group(1)) / (1 if size.group(2).upper() == "TB" else 1000)
            disks.append((DiskGroup(count, round(tb, 4), p.disk_kind(text)), cell_name(row, 3)))
        elif "ethernet" in low:
            ports = re.search(r"(\d+)-port", low)
            speed = re.search(r"(?:(\d+)/)?(\d+)\s*gb(?:e|ase)", low)
            if ports and speed:
                nics.append(NicGroup(int(ports.group(1)) * count, float(speed.group(2))))
            else:
                notes.add(cell_name(row, 3), f"{text!r}: no port count and speed read")
        elif re.search(r"vsan (all flash|hybrid) config", low):
            osa = True

    fields: dict = {"model": model, "form_factor": form, "part_number": sheet.text(start, 2)}
    if model is None:
        notes.add(f"C{start + 1}", "no model line ('<code> : <model>') under the lot")
    if cpus:
        row, text, count = cpus[0]
        vendor, cpu_model, cores, cpu_notes = p.resolve_cpu(text, description)
        fields.update(cpu_vendor=vendor, cpu_model=cpu_model, cores_per_cpu=cores, sockets=count)
        for note in cpu_notes:
            notes.add(cell_name(row, 3), note)
        if len(cpus) > 1:
            notes.add(cell_name(cpus[1][0], 3), "a second processor line; the first one is used")
    else:
        notes.add(f"rows {start + 1}-{end - 1}", "no processor line")
    fields["ram_gib"] = ram or None
    if not ram:
        notes.add(f"rows {start + 1}-{end - 1}", "no memory module line")
    data = [g for g, _ in disks]
    cache: list[DiskGroup] = []
    if osa and len({g.size_tb for g in data}) > 1:
        # vSAN OSA: each disk group has one cache device; the cache tier is the smaller
        # (faster) device of the two sizes the lot lists.
        smallest = min(g.size_tb for g in data)
        cache = [g for g in data if g.size_tb == smallest]
        data = [g for g in data if g.size_tb != smallest]
    fields.update(
        data_disks=tuple(data),
        raw_tb=p.raw_tb(tuple(data)),
        cache_disks=tuple(cache),
        boot_disk=", ".join(boot) or None,
        nics=tuple(nics),
    )
    return Lot(
        code=code,
        description=description,
        category=p.lot_category(code),
        prices=_prices(sheet, start, terms, rate, convention, notes),
        components=tuple(components),
        warnings=tuple(notes.items),
        **fields,
    )


def _prices(sheet: Sheet, row: int, terms: dict, rate, convention, notes: p.Notes):
    prices, problems = [], []
    for column in (5, 7):
        usd: Decimal | None
        usd, problem = p.money(sheet.value(row, column))
        if problem:
            notes.add(cell_name(row, column), f"{problem}; price left empty")
        eur = p.eur_value(
            usd,
            sheet.value(row, column + 1),
            rate,
            convention,
            cell_name(row, column + 1),
            problems,
        )
        if usd is None and eur is not None:
            eur = p.cents(eur)
        prices.append(LotPrice("warranty", terms.get(column), True, p.cents(usd), eur))
    notes.items.extend(problems)
    return tuple(prices)


def _options(book: BasketBook, rate, convention, warnings: list[str]) -> tuple[BasketOption, ...]:
    options: list[BasketOption] = []
    # Parts: B item asked for, C servers it fits, D the vendor's offer, E USD, F EUR.
    # Services: B service, C system, D countries it is sold in, E offer, F USD, G EUR.
    for words, columns, service in (
        (("parts",), (2, 3, 4, 5, 6, None), False),
        (("services",), (5, 3, 2, 6, 7, 4), True),
    ):
        name = book.find(*words)
        if name is None:
            continue
        sheet = book.sheet(name)
        offer_col, fits_col, item_col, usd_col, eur_col, where_col = columns
        header = next(
            (
                r
                for r in range(1, 21)
                if re.search(r"price", " ".join(sheet.row_texts(r).values()), re.I)
            ),
            None,
        )
        if header is None:
            warnings.append(f"{name}: no header row with prices; its options are left out")
            continue
        for row in range(header + 1, sheet.rows + 1):
            item, offer = sheet.text(row, item_col), sheet.text(row, offer_col)
            if not item and not offer:
                continue
            usd, problem = p.money(sheet.value(row, usd_col))
            if problem:
                warnings.append(f"{name}!{cell_name(row, usd_col)}: {problem}; left empty")
            problems: list[str] = []
            eur = p.eur_value(
                usd,
                sheet.value(row, eur_col),
                rate,
                convention,
                f"{name}!{cell_name(row, eur_col)}",
                problems,
            )
            warnings.extend(problems)
            if usd is None and eur is None:
                continue
            description = offer or item
            if offer and item and offer != item:
                description = f"{offer} (asked for: {item})"
            fits = sheet.text(row, fits_col)
            if where_col and sheet.text(row, where_col):
                fits = f"{fits or ''}; countries: {sheet.text(row, where_col)}".lstrip("; ")
            options.append(
                BasketOption(
                    description=description,
                    category="service" if service else option_category(item or offer),
                    sku=None,
                    sku_type="Service" if service else "Part",
                    applies_to=fits if fits and fits != "-" else None,
                    price_usd=p.cents(usd),
                    price_eur=eur,
                )
            )
    return tuple(options)


def _countries(book: BasketBook):
    name = book.find("country")
    if name is None:
        return p.frame([], [])
    sheet = book.sheet(name)
    header = next(
        (
            r
            for r in range(1, 11)
            if any(t.casefold().startswith("country") for t in sheet.row_texts(r).values())
        ),
        None,
    )
    if header is None:
        return p.frame([], [])
    width = max((c for (_, c) in sheet.cells), default=0)
    names: list[str] = []
    for column in range(1, width + 1):
        label = p.header_name(sheet.text(header, column), sheet.text(header + 1, column))
        if not label or label in names:
            label = f"{label or 'column'}_{column}"
        names.append(label)
    rows = []
    for row in range(header + 2, sheet.rows + 1):
        values = [sheet.value(row, c) for c in range(1, width + 1)]
        if not (isinstance(values[0], str) and values[0].strip()):
            continue
        record = dict(zip(names, values, strict=True))
        record[names[0]] = " ".join(values[0].split())
        rows.append(record)
    return p.frame(rows, names)
