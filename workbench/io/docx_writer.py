"""Fill a Word template with a document's content, fast and reproducibly.

What a template wants filled (see :mod:`workbench.io.docx_template`) is filled here:

- custom document properties are set, and the cached text of every DOCPROPERTY field shows
  the new value; ``w:updateFields`` makes Word refresh all fields on open;
- literal placeholders ("CCT-FFF-XXXX", "Fill in legal name", runs of "xxx") are replaced,
  also where Word split them across runs;
- each section goes under the template heading it matches (``HEADING_ALIASES``), at the
  end of that heading's part, or at the end of the document with its own heading;
- a document-history table (Version, Date, Description, Author) gets this version's row.

Tables are built as one XML string each and parsed once: python-docx's per-cell API is
quadratic in the rows (4.7 s for 2,000 x 8 against 0.1 s here). The zip is written with fixed
timestamps, so the same template and content give the same bytes.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.shared import Cm, Emu
from lxml import etree

from workbench.documents import (
    HEADING_ALIASES,
    DocumentContent,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from workbench.io.docx_template import W

W_URI = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CUSTOM_URI = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_URI = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_TEXT_PARTS = re.compile(r"^/word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_REF = re.compile(r"^\s*REF\s+(\w+)", re.S)
_DOCPROPERTY = re.compile(r'^\s*DOCPROPERTY\s+"?([^"\\]+?)"?\s*(\\.*)?$', re.S)
_FILL_IN = re.compile(r"\bFill in((?: [a-z]+){1,6})")
_XXX = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-X{3,}\b|(?<![A-Za-z-])(?:x{3,}|X{3,})(?![A-Za-z])")
_XXX_INSIDE = re.compile(r"x{3,}", re.I)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Settings children that come after w:updateFields in the schema's sequence.
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr attachedSchema "
    "themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures "
    "forceUpgrade captions readModeInkLockDown smartTagType schemaLibrary shapeDefaults "
    "doNotEmbedSmartTags decimalSymbol listSeparator"
).split()
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
TO_BE_COMPLETED = "(to be completed)"
_TABLE_MARK = "workbench-table"


def render_docx(
    template: bytes,
    content: DocumentContent,
    images: dict[int, bytes],
    generated_at: datetime,
) -> bytes:
    """Fill ``template`` (.docx bytes) with ``content``; return the new document's bytes.

    Parameters
    ----------
    template : bytes
        A .docx checked when it was registered.
    content : DocumentContent
    images : dict
        PNG bytes per figure, keyed by the figure's position in ``content.figures()``.
    generated_at : datetime
        Written as the document's created and modified times (naive = UTC).

    Returns
    -------
    bytes
        The .docx, identical for identical arguments.
    """
    document = docx.Document(io.BytesIO(template))
    _core_properties(document, content, generated_at)
    _custom_properties(document, content)
    parts = _text_parts(document)
    for root in parts.values():
        _accept_revisions(root)
        _refresh_dates(root, generated_at)
    shown = dict(content.properties)
    shown.update(
        {
            f"REF {name}": "".join(t.text or "" for t in texts)
            for name, texts in _bookmarks(document.element).items()
        }
    )
    for root in parts.values():
        _refresh_fields(root, shown)
        _replace_literals(root, content.replacements)
    _update_fields_on_open(document)
    _fill_history(document, content.history)
    tables: dict[str, bytes] = {}
    _insert_sections(document, content, images, tables)
    for part, root in parts.items():
        if not hasattr(part, "element"):
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    return save_docx(document, tables)


# -- properties ---------------------------------------------------------------------------------


def _core_properties(document, content: DocumentContent, generated_at: datetime) -> None:
    core = document.core_properties
    when = generated_at.replace(tzinfo=None, microsecond=0)
    core.title = content.title
    core.subject = content.properties.get("DocumentType", "")
    core.author = content.properties.get("Author", "")
    core.last_modified_by = content.properties.get("Author", "")
    core.created = when
    core.modified = when
    core.last_printed = when
    core.revision = int(content.properties.get("Version", "1") or 1)
    core.keywords = content.properties.get("ProjectName", "")
    core.comments = f"Document reference {content.properties.get('DocumentReference', '')}"


def _custom_properties(document, content: DocumentContent) -> None:
    """Set every property of ``content.properties``; clean placeholders from the others."""
    package = document.part.package
    part = next((p for p in package.iter_parts() if p.partname == "/docProps/custom.xml"), None)
    if part is None:
        root = etree.Element(
            f"{{{_CUSTOM_URI}}}Properties", nsmap={None: _CUSTOM_URI, "vt": _VT_URI}
        )
        part = Part(PackURI("/docProps/custom.xml"), _CUSTOM_TYPE, b"", package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
    else:
        root = etree.fromstring(part.blob)
    present = {prop.get("name"): prop for prop in root.findall(f"{{{_CUSTOM_URI}}}property")}
    pattern = _pattern(content.replacements)
    for name, prop in present.items():
        if name in content.properties:
            continue
        value = prop[0].text if len(prop) and prop[0].text else ""
        cleaned = _replace_text(value, content.replacements, pattern)
        if cleaned != value:
            _set_property(prop, cleaned)
    next_pid = max([int(p.get("pid", "1")) for p in present.values()] + [1]) + 1
    for name, value in content.properties.items():
        prop = present.get(name)
        if prop is None:
            prop = etree.SubElement(
                root, f"{{{_CUSTOM_URI}}}property", fmtid=_FMTID, pid=str(next_pid), name=name
            )
            next_pid += 1
        _set_property(prop, value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_property(prop, value: str) -> None:
    for child in list(prop):
        prop.remove(child)
    etree.SubElement(prop, f"{{{_VT_URI}}}lpwstr").text = _clean(value)


# -- text parts: fields and literal placeholders ------------------------------------------------


def _text_parts(document) -> dict[Any, Any]:
    """The XML root of every part with text (body, headers, footers, notes)."""
    roots = {}
    for part in document.part.package.iter_parts():
        if not _TEXT_PARTS.match(str(part.partname)):
            continue
        roots[part] = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    return roots


def _refresh_fields(root, values: dict[str, str]) -> None:
    """Make each DOCPROPERTY field's cached result show the property's new value."""
    for simple in root.iter(f"{W}fldSimple"):
        name = _docproperty(simple.get(f"{W}instr", ""))
        if name in values:
            _set_texts(list(simple.iter(f"{W}t")), values[name])
    # Complex fields: begin, instruction text, separate, result runs, end; they nest.
    stack: list[dict[str, Any]] = []
    for run in root.iter(f"{W}r"):
        for child in run:
            if child.tag == f"{W}fldChar":
                kind = child.get(f"{W}fldCharType")
                if kind == "begin":
                    stack.append({"instr": "", "result": False, "texts": []})
                elif kind == "separate" and stack:
                    stack[-1]["result"] = True
                elif kind == "end" and stack:
                    field = stack.pop()
                    name = _docproperty(field["instr"])
                    if name in values and field["texts"]:
                        _set_texts(field["texts"], values[name])
            elif child.tag == f"{W}instrText" and stack and not stack[-1]["result"]:
                stack[-1]["instr"] += child.text or ""
            elif child.tag == f"{W}t" and stack and stack[-1]["result"]:
                stack[-1]["texts"].append(child)


_REVISION_MARKS = (
    "pPrChange",
    "rPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "numberingChange",
)


def _accept_revisions(root) -> None:
    """Accept the template's tracked changes: a generated document starts clean, without
    a template author's struck-out text."""
    for tag in ("del", "moveFrom"):
        for element in list(root.iter(f"{W}{tag}")):
            parent = element.getparent()
            if parent is not None and parent.tag != f"{W}rPr":  # not a paragraph-mark flag
                parent.remove(element)
    for tag in ("ins", "moveTo"):
        for element in list(root.iter(f"{W}{tag}")):
            parent = element.getparent()
            if parent is None or parent.tag == f"{W}rPr":
                continue
            index = parent.index(element)
            for offset, child in enumerate(list(element)):
                parent.insert(index + offset, child)
            parent.remove(element)
    for name in _REVISION_MARKS + (
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
    ):
        for element in list(root.iter(f"{W}{name}")):
            element.getparent().remove(element)
    for properties in root.iter(f"{W}rPr"):
        for flag in properties.findall(f"{W}del") + properties.findall(f"{W}ins"):
            properties.remove(flag)


_LONG_DATE = re.compile(r"^\s*\d{1,2} [A-Z][a-z]+ \d{4}\s*$")
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def _refresh_dates(root, when: datetime) -> None:
    """A date typed into a bookmark named for a date ("sys_Date") shows the document's date,
    in the same form ("4 April 2025" or "2025-04-04")."""
    for name, texts in _bookmarks(root).items():
        if "date" not in name.lower():
            continue
        shown = "".join(t.text or "" for t in texts)
        if _LONG_DATE.match(shown):
            _set_texts(texts, f"{when.day} {when:%B %Y}")
        elif _ISO_DATE.match(shown):
            _set_texts(texts, when.date().isoformat())


def _docproperty(instruction: str) -> str | None:
    """The property a DOCPROPERTY field shows, or ``"REF <bookmark>"`` for a REF field."""
    match = _DOCPROPERTY.match(instruction or "")
    if match:
        return match.group(1).strip()
    ref = _REF.match(instruction or "")
    return f"REF {ref.group(1)}" if ref else None


def _bookmarks(root) -> dict[str, list]:
    """The text nodes each bookmark encloses within its paragraph, by bookmark name."""
    out = {}
    for start in root.iter(f"{W}bookmarkStart"):
        mark_id, name = start.get(f"{W}id"), start.get(f"{W}name") or ""
        texts, node = [], start.getnext()
        while node is not None and not (
            node.tag == f"{W}bookmarkEnd" and node.get(f"{W}id") == mark_id
        ):
            texts += list(node.iter(f"{W}t"))
            node = node.getnext()
        if node is not None and name:
            out[name] = texts
    return out


def _set_texts(texts: list, value: str) -> None:
    if not texts:
        return
    texts[0].text = _clean(value)
    texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for other in texts[1:]:
        other.text = ""


def _replacement(match: re.Match, replacements: dict[str, str]) -> str:
    found = match.group(0)
    if found in replacements:
        return replacements[found]
    if found.startswith("{%"):
        return ""  # a template statement: nothing of it is left in a written document
    if found.startswith("{{"):
        return replacements.get("{{" + found[2:-2].strip() + "}}", TO_BE_COMPLETED)
    fill = _FILL_IN.fullmatch(found)
    if fill:
        return f"({fill.group(1).strip()} to be completed)"
    return TO_BE_COMPLETED


def _pattern(replacements: dict[str, str]) -> re.Pattern:
    known = sorted(replacements, key=len, reverse=True)
    alternatives = [re.escape(k) for k in known] + [
        _FILL_IN.pattern,
        _XXX.pattern,
        r"\{\{[^{}]*\}\}",
        r"\{%.*?%\}",
    ]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _replace_text(text: str, replacements: dict[str, str], pattern: re.Pattern) -> str:
    out = pattern.sub(lambda m: _replacement(m, replacements), text)
    # "xxxTitle textxxxxxxx": an x-run glued to words is a placeholder too.
    return _XXX_INSIDE.sub("", out) if _XXX_INSIDE.search(out) else out


def _replace_literals(root, replacements: dict[str, str]) -> None:
    """Replace placeholders in every paragraph, also when Word split one across runs.

    Two passes over each paragraph's whole text: placeholders first, then whatever run of
    x's is left (one glued to a word, "xxxTitle", or to a replacement) is removed.
    """
    pattern = _pattern(replacements)
    for paragraph in root.iter(f"{W}p"):
        texts = [t for t in paragraph.iter(f"{W}t")]
        if not texts:
            continue
        whole = "".join(t.text or "" for t in texts)
        matches = [
            (m.start(), m.end(), _replacement(m, replacements)) for m in pattern.finditer(whole)
        ]
        inserted = []  # where the replacements stand in the new text: never cut from them
        if matches:
            shift = 0
            for start, end, replacement in matches:
                inserted.append((start + shift, start + shift + len(replacement)))
                shift += len(replacement) - (end - start)
            whole = _edit_runs(texts, whole, matches)
        leftovers = [
            (m.start(), m.end(), "")
            for m in _XXX_INSIDE.finditer(whole)
            if not any(a < m.end() and m.start() < b for a, b in inserted)
        ]
        if leftovers:
            _edit_runs(texts, whole, leftovers)


def _edit_runs(texts: list, whole: str, matches: list[tuple[int, int, str]]) -> str:
    """Apply ``matches`` (start, end, replacement) of ``whole`` to the text nodes it was
    joined from: a replacement goes where its match starts; return the new whole text."""
    start = 0
    for node in texts:
        text = node.text or ""
        end = start + len(text)
        pieces, position = [], start
        for m_start, m_end, replacement in matches:
            if m_end <= start or m_start >= end:
                continue
            if m_start > position:
                pieces.append(whole[position:m_start])
            if m_start >= start:
                pieces.append(replacement)
            position = max(position, min(m_end, end))
        if position < end:
            pieces.append(whole[position:end])
        new = "".join(pieces)
        if new != text:
            node.text = new
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        start = end
    return "".join(t.text or "" for t in texts)


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    existing = settings.find(f"{W}updateFields")
    if existing is None:
        existing = etree.Element(f"{W}updateFields")
        later = next(
            (child for child in settings if etree.QName(child).localname in _AFTER_UPDATE_FIELDS),
            None,
        )
        if later is not None:
            later.addprevious(existing)
        else:
            settings.append(existing)
    existing.set(f"{W}val", "true")


# -- the history table ---------------------------------------------------------------------------


def _cell_texts(row) -> list[str]:
    return ["".join(t.text or "" for t in tc.iter(f"{W}t")).strip() for tc in row.findall(f"{W}tc")]


def _fill_history(document, history: list[str]) -> None:
    """Put this version's row into the first table headed Version / Date / Description."""
    for tbl in document.element.body.iter(f"{W}tbl"):
        rows = tbl.findall(f"{W}tr")
        if len(rows) < 1:
            continue
        header = [h.lower() for h in _cell_texts(rows[0])]
        if not ({"date", "description"} <= set(header) and any("version" in h for h in header)):
            continue
        empty = next((r for r in rows[1:] if not any(_cell_texts(r))), None)
        if empty is None:
            empty = copy.deepcopy(rows[-1])
            rows[-1].addnext(empty)
        for cell, value in zip(empty.findall(f"{W}tc"), history, strict=False):
            _set_cell(cell, value)
        return


def _set_cell(cell, value: str) -> None:
    paragraphs = cell.findall(f"{W}p")
    if not paragraphs:
        paragraphs = [etree.SubElement(cell, f"{W}p")]
    first = paragraphs[0]
    for extra in paragraphs[1:]:
        cell.remove(extra)
    runs = first.findall(f"{W}r")
    properties = runs[0].find(f"{W}rPr") if runs else None
    for run in runs:
        first.remove(run)
    run = etree.SubElement(first, f"{W}r")
    if properties is not None:
        run.append(copy.deepcopy(properties))
    text = etree.SubElement(run, f"{W}t")
    text.text = _clean(value)
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


# -- sections ---------------------------------------------------------------------------------


class _Styles:
    """The template's style ids for what the writer adds (absent styles: direct formatting)."""

    def __init__(self, document):
        ids = {}
        for style in document.styles:
            try:
                ids[style.name.lower()] = style.style_id
            except (AttributeError, ValueError):
                continue
        self.ids = ids
        self.table_style = ids.get("table grid")

    def heading(self, level: int) -> str | None:
        return self.ids.get(f"heading {max(1, min(level, 9))}")

    def paragraph(self, name: str | None) -> str | None:
        return self.ids.get(name.lower()) if name else None


def _heading_level(paragraph, styles: _Styles) -> int | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    if style is None:
        return None
    style_id = style.get(f"{W}val") or ""
    match = re.fullmatch(r"Heading(\d)", style_id)
    if match:
        return int(match.group(1))
    for level in range(1, 10):
        if styles.heading(level) == style_id:
            return level
    return None


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":").lower()


def _insert_sections(
    document, content: DocumentContent, images: dict[int, bytes], tables: dict[str, bytes]
) -> None:
    """Put each section's blocks in place; big tables go into ``tables`` as markup, with a
    processing instruction marking their place (see :func:`save_docx`)."""
    # Tables are spliced in as text when the body writes WordprocessingML as "w:" (Word
    # always does); otherwise they are parsed and inserted like everything else.
    splice = document.element.nsmap.get("w") == W_URI
    body = document.element.body
    styles = _Styles(document)
    children = list(body)
    headings = []  # (index, level, text)
    for index, child in enumerate(children):
        if child.tag == f"{W}p":
            level = _heading_level(child, styles)
            if level is not None:
                text = _normal("".join(t.text or "" for t in child.iter(f"{W}t")))
                headings.append((index, level, text))
    end_marker = body.find(f"{W}sectPr")
    used: set[int] = set()
    width = _usable_width(document)
    figure_number = 0
    for section in content.sections:
        target = None
        for alias in HEADING_ALIASES.get(section.anchor, ()) + (_normal(section.heading),):
            target = next(
                (h for h in headings if h[2] == alias and h[0] not in used),
                None,
            )
            if target is not None:
                break
        if target is not None:
            used.add(target[0])
            index, level, _ = target
            after = next(
                (children[i] for i, lvl, _ in headings if i > index and lvl <= level), end_marker
            )
            base = level
            elements = []
        else:
            after, base = end_marker, 1
            elements = [_paragraph(section.heading, styles.heading(1), bold=True)]
        for block in section.blocks:
            if isinstance(block, Heading):
                level = base + block.level - 1
                elements.append(_paragraph(block.text, styles.heading(level), bold=True))
            elif isinstance(block, Paragraph):
                style = styles.paragraph("caption") if block.style == "caption" else None
                elements.append(_paragraph(block.text, style, italic=block.style == "caption"))
            elif isinstance(block, Table):
                markup = _table(block, styles, width)
                if splice:
                    marker = str(len(tables))
                    tables[marker] = markup.encode("utf-8")
                    elements.append(etree.ProcessingInstruction(_TABLE_MARK, marker))
                else:
                    declared = f'<w:tbl xmlns:w="{W_URI}">'
                    elements.append(parse_xml(markup.replace("<w:tbl>", declared, 1)))
                elements.append(_paragraph("", None))
            elif isinstance(block, Figure):
                png = images.get(figure_number)
                figure_number += 1
                if png is None:
                    elements.append(_paragraph(f"{block.caption}: no image could be drawn.", None))
                    continue
                elements.append(_picture(document, png, min(Cm(block.width_cm), width)))
                elements.append(_paragraph(block.caption, styles.paragraph("caption"), italic=True))
        for element in elements:
            if after is None:
                body.append(element)
            else:
                after.addprevious(element)


def _usable_width(document) -> Emu:
    section = document.sections[-1]
    try:
        return Emu(section.page_width - section.left_margin - section.right_margin)
    except TypeError:  # a template without page size: A4 with 2.5 cm margins
        return Cm(16)


def _clean(text: Any) -> str:
    return _NOT_XML.sub("", str(text))


def _run_xml(text: str, bold: bool = False, italic: bool = False, size: int | None = None) -> str:
    properties = ""
    if bold or italic or size:
        properties = (
            "<w:rPr>"
            + ("<w:b/>" if bold else "")
            + ("<w:i/>" if italic else "")
            + (f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "")
            + "</w:rPr>"
        )
    return f'<w:r>{properties}<w:t xml:space="preserve">{escape(_clean(text))}</w:t></w:r>'


def _paragraph(text: str, style: str | None, bold: bool = False, italic: bool = False):
    style_xml = f'<w:pPr><w:pStyle w:val="{escape(style)}"/></w:pPr>' if style else ""
    # A styled heading takes its look from the style; direct bold only without one.
    run = _run_xml(text, bold=bold and not style, italic=italic and not style) if text else ""
    return parse_xml(f'<w:p xmlns:w="{W_URI}">{style_xml}{run}</w:p>')


def _picture(document, png: bytes, width: Emu):
    inline = document.part.new_pic_inline(io.BytesIO(png), width=width, height=None)
    paragraph = parse_xml(f'<w:p xmlns:w="{W_URI}"><w:pPr><w:jc w:val="center"/></w:pPr></w:p>')
    run = paragraph.add_r()
    run.add_drawing(inline)
    return paragraph


def _table(table: Table, styles: _Styles, width: Emu) -> str:
    """One table as a single XML string (``w:`` prefix, no namespace declaration): header row
    repeated on each page, widths by content."""
    columns = len(table.columns)
    total_twips = int(width / 635)
    sample = table.rows[:200]
    weights = []
    for index, name in enumerate(table.columns):
        longest = max([len(name)] + [len(row[index]) for row in sample if index < len(row)])
        # Never narrower than the header's longest word (plus padding): "VMs" stays whole.
        word = max((len(w) for w in name.split()), default=0)
        weights.append(min(max(longest, word + 2, 6), 40))
    scale = total_twips / sum(weights)
    widths = [max(int(w * scale), 400) for w in weights]
    size = 16 if columns >= 7 else 18 if columns >= 5 else None  # half-points: 8 or 9 pt
    borders = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    style = f'<w:tblStyle w:val="{escape(styles.table_style)}"/>' if styles.table_style else ""
    parts = [
        f'<w:tbl><w:tblPr>{style}<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    ]
    parts.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
    parts.append("</w:tblGrid>")
    cells_width = [f'<w:tcW w:w="{w}" w:type="dxa"/>' for w in widths]
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>'
    parts.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
    for index, name in enumerate(table.columns):
        parts.append(
            f"<w:tc><w:tcPr>{cells_width[index]}{shade}</w:tcPr><w:p>"
            f"{_run_xml(name, bold=True, size=size)}</w:p></w:tc>"
        )
    parts.append("</w:tr>")
    # The body's cells in one pass of plain string pieces: this loop is the whole cost of
    # a big table, so nothing in it calls back into python-docx.
    opening = [f"<w:tc><w:tcPr>{w}</w:tcPr><w:p>" for w in cells_width]
    run = _run_xml("\ue000", size=size).split("\ue000")[0]
    for row in table.rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for index in range(columns):
            value = row[index] if index < len(row) else ""
            parts.append(opening[index])
            if value:
                parts.append(run)
                parts.append(escape(value))
                parts.append("</w:t></w:r>")
            parts.append("</w:p></w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    # Characters XML cannot hold never occur in the markup itself, so cleaning the whole
    # string once equals cleaning every value.
    return _NOT_XML.sub("", "".join(parts))


# -- the package ----------------------------------------------------------------------------------


class _PackageZip:
    """python-docx's physical package writer, with fixed timestamps (equal content, equal
    bytes) and the big tables spliced into the main document's markup as it is written."""

    def __init__(self, out, document_part: str, tables: dict[str, bytes]):
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self._document_part = document_part
        self._tables = tables

    def write(self, pack_uri, blob: bytes) -> None:
        if self._tables and str(pack_uri) == self._document_part:
            for marker, markup in self._tables.items():
                blob = blob.replace(f"<?{_TABLE_MARK} {marker}?>".encode(), markup, 1)
        member = zipfile.ZipInfo(pack_uri.membername, date_time=_FIXED_TIME)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o600 << 16
        self._zip.writestr(member, blob)

    def close(self) -> None:
        self._zip.close()


def save_docx(document, tables: dict[str, bytes] | None = None) -> bytes:
    """The .docx bytes of a python-docx document: parts in python-docx's order, members
    with fixed timestamps, ``tables`` spliced in where their markers stand."""
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _PackageZip(out, str(document.part.partname), tables or {})
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return out.getvalue()
