"""The workbench's own Word templates, one per document type, written by this code.

Each is built the way customer templates are: the cover and the running header show
DOCPROPERTY fields bound to custom document properties, a document-history table waits for
its rows, and the body holds the headings the sections go under (``documents.SECTIONS``),
each with a line saying what the workbench writes there. So the one fill path serves the
shipped templates and a customer's alike. The bytes are the same on every build.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor

from workbench.documents import (
    SECTION_HEADINGS,
    SECTIONS,
    TITLES,
    DocumentContent,
    document_type,
)
from workbench.io.docx_writer import W_URI, _custom_properties, save_docx

TEMPLATE_VERSION = "1"
_PURPOSE = {
    "introduction": "What this document covers and for whom.",
    "environment": "The VMware environment as the RVTools export shows it.",
    "risks": "What could stop or slow the migration, VM by VM.",
    "sizing": "The target hosts, ranked against the hardware baskets, with the calculation.",
    "bom": "The bill of materials of the chosen option.",
    "network": "Hosts, switches and port groups with their VLANs.",
    "schedule": "The workflows with their dates, the critical path and the Gantt chart.",
    "waves": "The migration waves with their virtual machines.",
    "pool": "Servers booked for the project and hardware on order.",
    "hosts": "The source hosts and clusters.",
    "storage": "Datastores and what the VMs use of them.",
    "vms": "Every virtual machine in scope.",
}
_BUILT = datetime(2026, 1, 1)


def default_template(document_type_: str) -> bytes:
    """The shipped template of one document type (.docx bytes, deterministic)."""
    kind = document_type(document_type_)
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    for level, size in ((1, 16), (2, 13), (3, 11)):
        heading = document.styles[f"Heading {level}"]
        heading.font.name = "Liberation Sans"
        heading.font.size = Pt(size)
        heading.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    title = document.add_paragraph(style="Title")
    _field(title, "Title", TITLES[kind])
    subtitle = document.add_paragraph(style="Subtitle")
    _field(subtitle, "CompanyName", "Customer")
    cover = document.add_table(rows=0, cols=2)
    cover.style = document.styles["Table Grid"]
    for label, name in (
        ("Project", "ProjectName"),
        ("Document reference", "DocumentReference"),
        ("Version", "Version"),
        ("Status", "Status"),
        ("Date", "DocDate"),
        ("Author", "Author"),
        ("Classification", "Classification"),
    ):
        cells = cover.add_row().cells
        cells[0].text = label
        _field(cells[1].paragraphs[0], name, "")
    document.add_paragraph()
    document.add_paragraph("Document history", style="Heading 3")
    history = document.add_table(rows=2, cols=4)
    history.style = document.styles["Table Grid"]
    for cell, text in zip(
        history.rows[0].cells, ("Version", "Date", "Description", "Author"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True

    header = section.header.paragraphs[0]
    _field(header, "Title", TITLES[kind])
    header.add_run("  |  ")
    _field(header, "DocumentReference", "")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _complex_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _complex_field(footer, "NUMPAGES", "1")

    for anchor in SECTIONS[kind]:
        document.add_heading(SECTION_HEADINGS[anchor], level=1)
        document.add_paragraph(_PURPOSE[anchor], style="Intense Quote")

    core = document.core_properties
    core.title, core.author, core.last_modified_by = TITLES[kind], "Infra Workbench", ""
    core.created = core.modified = core.last_printed = _BUILT
    core.revision = 1
    core.comments = f"Shipped template {TEMPLATE_VERSION} of the Infra Workbench"
    blank = DocumentContent(
        document_type=kind,
        title=TITLES[kind],
        properties={
            name: ""
            for name in (
                "Title",
                "ProjectName",
                "CompanyName",
                "DocumentReference",
                "Version",
                "Status",
                "DocDate",
                "Author",
                "Classification",
            )
        },
        replacements={},
        history=[],
        sections=[],
    )
    _custom_properties(document, blank)
    return save_docx(document)


def _field(paragraph, name: str, shown: str) -> None:
    """A DOCPROPERTY field showing ``shown`` until fields are updated."""
    _complex_field(paragraph, f'DOCPROPERTY "{name}" \\* MERGEFORMAT', shown)


def _complex_field(paragraph, instruction: str, shown: str) -> None:
    for xml in (
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r xmlns:w="{w}"><w:instrText xml:space="preserve"> {i} </w:instrText></w:r>',
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="separate"/></w:r>',
        '<w:r xmlns:w="{w}"><w:t xml:space="preserve">{s}</w:t></w:r>',
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(
            parse_xml(
                xml.replace("{w}", W_URI)
                .replace("{i}", escape(instruction))
                .replace("{s}", escape(shown))
            )
        )
