"""Inspecting Word templates: the real HLD template, one written here, and hostile files."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from workbench.errors import ImportRejectedError
from workbench.io.docx_template import inspect_docx

HLD = "templates/HLD for Hyper V 2025.docx"


def _written() -> bytes:
    document = docx.Document()
    document.add_heading("Environment", level=1)
    document.add_paragraph("Customer: {{ project.name }} ({{ project.id }})")
    document.add_paragraph("{% for c in clusters %}{{ c.name }}{% endfor %}")
    document.add_paragraph("Reference ABC-DEF-XXXX; owner xxx. Fill in country.")
    document.add_heading("Clusters", level=2)
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Cluster", "Hosts", "VMs"), strict=True):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The same .docx with one part replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
    return out.getvalue()


def test_the_real_hld_template_shows_its_fields_properties_placeholders_and_tables(shared_data):
    info = inspect_docx((shared_data / HLD).read_bytes())
    fields = info.placeholder_map["docproperty_fields"]
    # Split instructions and fields nested in IF fields are found too.
    assert {"CompanyName", "DocumentReference", "Owner", "Status", "DatesReview"} <= set(fields)
    assert fields["CompanyName"]["count"] >= 2  # body, headers and footers
    assert info.placeholder_map["custom_properties"]["DocumentReference"] == "CCT-FFF-XXXX"
    literals = info.placeholder_map["literal_placeholders"]
    assert literals["CCT-FFF-XXXX"] >= 1
    assert "Fill in legal name" in literals
    assert "XXXX" not in literals  # part of the reference, not a placeholder of its own
    headings = [h["text"] for h in info.style_config["headings"]]
    assert headings[:2] == ["Introduction", "Executive Summary"]
    assert info.style_config["paragraph_styles"]["Heading1"] >= 5
    storage = [t for t in info.table_structures if t.after_heading == "Storage"]
    assert storage and storage[0].header == ("Drive Name", "Drive Size (GB)")
    assert len(info.table_structures) == 23


def test_a_written_template_shows_jinja_tags_literals_and_its_table():
    info = inspect_docx(_written())
    tags = info.placeholder_map["jinja_tags"]
    assert tags["{{ project.name }}"] == 1 and "{% for c in clusters %}" in tags
    assert set(info.placeholder_map["literal_placeholders"]) == {
        "ABC-DEF-XXXX",
        "xxx",
        "Fill in country",
    }
    [table] = info.table_structures
    assert (table.rows, table.columns, table.header) == (3, 3, ("Cluster", "Hosts", "VMs"))
    assert table.after_heading == "Clusters"
    assert info.placeholder_map["docproperty_fields"] == {}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not a zip"),
        (b"%PDF-1.7 not a docx", "not a zip"),
        (b"PK\x03\x04" + b"\x00" * 64, "not a readable zip"),
    ],
)
def test_what_is_not_a_docx_is_refused(data, words):
    with pytest.raises(ImportRejectedError, match=words):
        inspect_docx(data)


def test_a_zip_without_a_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ImportRejectedError, match="no word/document.xml"):
        inspect_docx(out.getvalue())


def test_xml_entities_are_refused_not_expanded():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>"
    )
    hostile = _with_part(_written(), "word/document.xml", laughs)
    with pytest.raises(ImportRejectedError, match="entities or a DTD"):
        inspect_docx(hostile)


def test_a_zip_bomb_is_refused_fast():
    bomb = _with_part(_written(), "word/document.xml", b"<a/>" + b" " * (400 * 2**20))
    started = time.perf_counter()
    with pytest.raises(ImportRejectedError, match="zip bomb"):
        inspect_docx(bomb)
    assert time.perf_counter() - started < 5  # refused from the zip's directory, not inflated


def test_broken_xml_is_refused_with_the_part_named():
    broken = _with_part(_written(), "word/document.xml", b"<w:document><w:body>")
    with pytest.raises(ImportRejectedError, match="word/document.xml"):
        inspect_docx(broken)
