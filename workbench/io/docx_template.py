"""Inspect a Word template (.docx) safely: what it styles, what it wants filled, its tables.

Groundwork for the document library (issue 12): registering a template stores what this
module finds. A .docx is a zip of XML parts; it is checked as the spreadsheet readers check
theirs (size, zip bomb, damaged parts) and every part is parsed with defusedxml, so entity
expansion and external entities are refused rather than expanded.

What a template wants filled, three kinds:

- DOCPROPERTY fields (``{ DOCPROPERTY "CompanyName" }``) bound to the custom document
  properties in ``docProps/custom.xml``: set the property and mark fields to update on open;
- Jinja tags (``{{ project.name }}``, ``{% for ... %}``), when a template uses them;
- literal placeholders a consultant would otherwise overwrite by hand: ``CCT-FFF-XXXX``-like
  references, "Fill in ..." prompts, runs of ``xxx``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from workbench.errors import ImportRejectedError
from workbench.io.spreadsheet import MAX_FILE_BYTES, open_zip, read_member

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_DOCPROPERTY = re.compile(r'^\s*DOCPROPERTY\s+"?([^"\\]+?)"?\s*(\\.*)?$', re.S)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_LITERALS = (
    re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-X{3,}\b"),  # CCT-FFF-XXXX
    re.compile(r"\bFill in(?: [a-z]+){1,6}"),  # Fill in legal name
    re.compile(r"(?<![A-Za-z-])(?:x{3,}|X{3,})(?![A-Za-z])"),  # xxx
)


@dataclass(frozen=True)
class TableShape:
    """One table: its place, size and header row."""

    index: int
    part: str
    rows: int
    columns: int
    header: tuple[str, ...]
    after_heading: str | None


@dataclass
class TemplateInfo:
    """What :func:`inspect_docx` found.

    Attributes
    ----------
    style_config : dict
        ``paragraph_styles`` and ``table_styles`` used (style id -> count), ``headings``
        (the heading paragraphs' text, in order, with their level).
    placeholder_map : dict
        ``docproperty_fields`` (property name -> {count, switches, parts}),
        ``custom_properties`` (name -> current value), ``jinja_tags`` (tag -> count),
        ``literal_placeholders`` (text -> count).
    table_structures : list of TableShape
    """

    style_config: dict[str, Any] = field(default_factory=dict)
    placeholder_map: dict[str, Any] = field(default_factory=dict)
    table_structures: list[TableShape] = field(default_factory=list)


def _parse(archive, name: str):
    data = read_member(archive, name)
    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException:
        raise ImportRejectedError(
            f"Part {name!r} declares XML entities or a DTD; a Word template has none, so the "
            "file is refused."
        ) from None
    except ElementTree.ParseError as exc:
        raise ImportRejectedError(f"Part {name!r} is not well-formed XML: {exc}") from None


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _fields(root) -> list[str]:
    """Field instructions in document order: simple fields and complex ones, nested ones
    included (an instruction may be split over several runs between its begin and separate
    marks, and an IF field may hold DOCPROPERTY fields)."""
    out: list[str] = []
    stack: list[list[str] | None] = []  # one buffer per open field; None once separated
    for element in root.iter():
        tag = element.tag
        if tag == f"{W}fldSimple":
            out.append(element.get(f"{W}instr") or "")
        elif tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                stack.append([])
            elif kind in ("separate", "end") and stack:
                if stack[-1] is not None:
                    out.append("".join(stack[-1]))
                    stack[-1] = None
                if kind == "end":
                    stack.pop()
        elif tag == f"{W}instrText" and stack and stack[-1] is not None:
            stack[-1].append(element.text or "")
    return out


def inspect_docx(data: bytes) -> TemplateInfo:
    """Inspect a .docx template's bytes (see the module's description).

    Raises
    ------
    ImportRejectedError
        Not a .docx (or damaged), a zip bomb, XML with entities or a DTD.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRejectedError("The file is not a Word document (.docx): it is not a zip.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejectedError(
            f"The file is {len(data) / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB."
        )
    archive = open_zip(data)
    if "word/document.xml" not in archive.namelist():
        raise ImportRejectedError("The file is not a Word document (.docx): no word/document.xml.")
    info = TemplateInfo()
    paragraph_styles: Counter[str] = Counter()
    table_styles: Counter[str] = Counter()
    headings: list[dict[str, Any]] = []
    properties: dict[str, dict[str, Any]] = {}
    jinja: Counter[str] = Counter()
    literals: Counter[str] = Counter()
    parts = sorted(n for n in archive.namelist() if _PART.match(n))
    parts.sort(key=lambda n: n != "word/document.xml")  # the body first
    table_index = 0
    for part in parts:
        root = _parse(archive, part)
        last_heading = None
        for element in root.iter():
            if element.tag == f"{W}p":
                style = element.find(f"{W}pPr/{W}pStyle")
                style_id = style.get(f"{W}val") if style is not None else "Normal"
                paragraph_styles[style_id] += 1
                text = _text(element)
                level = re.fullmatch(r"Heading(\d)", style_id or "")
                if level and text.strip():
                    last_heading = text.strip()
                    headings.append({"level": int(level.group(1)), "text": last_heading})
                for tag in _JINJA.findall(text):
                    jinja[tag] += 1
                for pattern in _LITERALS:
                    for found in pattern.findall(text):
                        literals[found.strip()] += 1
            elif element.tag == f"{W}tbl":
                style = element.find(f"{W}tblPr/{W}tblStyle")
                table_styles[style.get(f"{W}val") if style is not None else "(none)"] += 1
                rows = element.findall(f"{W}tr")
                header = tuple(_text(c).strip() for c in rows[0].findall(f"{W}tc")) if rows else ()
                columns = max((len(r.findall(f"{W}tc")) for r in rows), default=0)
                info.table_structures.append(
                    TableShape(table_index, part, len(rows), columns, header, last_heading)
                )
                table_index += 1
        for instruction in _fields(root):
            match = _DOCPROPERTY.match(instruction)
            if not match:
                continue
            name = match.group(1).strip()
            entry = properties.setdefault(name, {"count": 0, "switches": [], "parts": []})
            entry["count"] += 1
            switch = (match.group(2) or "").strip()
            if switch and switch not in entry["switches"]:
                entry["switches"].append(switch)
            if part not in entry["parts"]:
                entry["parts"].append(part)
    custom: dict[str, str] = {}
    if "docProps/custom.xml" in archive.namelist():
        for prop in _parse(archive, "docProps/custom.xml").iter(f"{_CUSTOM}property"):
            value = next(iter(prop), None)
            custom[prop.get("name") or ""] = (value.text or "") if value is not None else ""
    for value in custom.values():
        for pattern in _LITERALS:
            for found in pattern.findall(value):
                literals[found.strip()] += 1
    info.style_config = {
        "paragraph_styles": dict(paragraph_styles.most_common()),
        "table_styles": dict(table_styles.most_common()),
        "headings": headings,
    }
    info.placeholder_map = {
        "docproperty_fields": properties,
        "custom_properties": custom,
        "jinja_tags": dict(jinja),
        "literal_placeholders": dict(literals),
    }
    return info
