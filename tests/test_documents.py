"""The document library: every type from the demo data, the real HLD template filled,
versions and status, reproducible content hashes, path guards, hostile templates, PDF."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import workbench
from tests.conftest import require
from workbench import documents as rules
from workbench.errors import ConflictError, ImportRejectedError, InvalidInputError, NotFoundError
from workbench.io.docx_template import W, inspect_docx
from workbench.io.docx_writer import _replace_literals
from workbench.io.library import resolve_key

HLD = "templates/HLD for Hyper V 2025.docx"
DEMO_PROJECT = "Northwind VMware exit to Hyper-V"
LEFTOVERS = ("{{", "{%", "CCT-FFF-XXXX", "Fill in legal name", "xxx")
CUSTOM_URI = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A workbench with the demo data (which generates one document of every type)."""
    home = tmp_path_factory.mktemp("documents")
    with workbench.open("mem://", home=str(home)) as bench:
        bench.load_demo()
        yield bench


def all_text(data: bytes) -> str:
    """Every piece of text of a .docx: body, tables, headers, footers, notes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [
            n
            for n in archive.namelist()
            if re.match(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$", n)
        ]
        texts = []
        for name in parts:
            root = etree.fromstring(archive.read(name))
            for paragraph in root.iter(f"{W}p"):
                texts.append("".join(t.text or "" for t in paragraph.iter(f"{W}t")))
    return "\n".join(texts)


def custom_properties(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("docProps/custom.xml"))
    return {p.get("name"): "".join(p.itertext()) for p in root.findall(f"{CUSTOM_URI}property")}


def _under(document, heading: str) -> str:
    """The text of the part under the first heading starting with ``heading``: up to the next
    heading of the same or a higher level (its subsections included)."""
    body = list(document.element.body)
    marks = []
    for i, el in enumerate(body):
        style = el.find(f"{W}pPr/{W}pStyle") if el.tag == f"{W}p" else None
        level = (
            re.fullmatch(r"Heading(\d)", style.get(f"{W}val", "")) if style is not None else None
        )
        if level:
            marks.append((i, int(level.group(1)), "".join(t.text or "" for t in el.iter(f"{W}t"))))
    start, level = next((i, lvl) for i, lvl, name in marks if name.startswith(heading))
    end = next((i for i, lvl, _ in marks if i > start and lvl <= level), len(body))
    return "\n".join("".join(t.text or "" for t in el.iter(f"{W}t")) for el in body[start:end])


def headings(document) -> list[str]:
    return [
        p.text for p in document.paragraphs if p.style.name.lower().startswith("heading") and p.text
    ]


@pytest.mark.parametrize("kind", rules.DOCUMENT_TYPES)
def test_the_demo_yields_every_document_type_complete_and_without_placeholders(demo, kind):
    [doc] = demo.documents.list(DEMO_PROJECT, kind)
    data = demo.documents.download(doc)
    document = docx.Document(io.BytesIO(data))
    assert len(headings(document)) >= 5, headings(document)
    assert len(document.tables) >= 2
    assert len(document.inline_shapes) >= 1  # a chart or the network diagram
    text = all_text(data)
    for leftover in LEFTOVERS:
        assert leftover not in text, leftover
    properties = custom_properties(data)
    assert properties["ProjectName"] == DEMO_PROJECT
    assert properties["CompanyName"] == "Northwind Traders"
    assert properties["Version"] == doc.version == "1"
    assert document.core_properties.title == f"{rules.TITLES[kind]}: {DEMO_PROJECT}"
    assert doc.metadata["reference"] in text  # the DOCPROPERTY fields show the new values
    settings_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")
    assert b"updateFields" in settings_xml


def test_the_demo_documents_carry_the_projects_numbers(demo):
    [hld] = demo.documents.list(DEMO_PROJECT, "HLD")
    text = all_text(demo.documents.download(hld))
    assert "Capacity per cluster" in text and "Bill of materials" in text
    assert "Risks found" in text and "Workflows" in text and "Port groups and VLANs" in text
    [plan] = demo.documents.list(DEMO_PROJECT, "migration_plan")
    plan_text = all_text(demo.documents.download(plan))
    waves = [w for w in demo.workflows.list(DEMO_PROJECT) if w.workflow_type == "migration_wave"]
    assert waves and all(w.name in plan_text for w in waves)
    first_vm = waves[0].vm_list[0]["name"]
    assert first_vm in plan_text


def test_the_network_diagram_is_stored_as_svg_and_png_and_embedded(demo):
    [doc] = demo.documents.list(DEMO_PROJECT, "network_diagram")
    svg = demo.documents.download(doc, "svg")
    png = demo.documents.download(doc, "png")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg and b"dvs-Demo" in svg
    assert png.startswith(b"\x89PNG")
    document = docx.Document(io.BytesIO(demo.documents.download(doc)))
    embedded = [r.target_part.blob for r in document.part.rels.values() if "image" in r.reltype]
    assert png in embedded
    assert "VLAN120" in all_text(demo.documents.download(doc))


def test_the_bom_document_comes_with_its_spreadsheet(demo):
    [doc] = demo.documents.list(DEMO_PROJECT, "hardware_bom")
    data = demo.documents.download(doc, "xlsx")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames


def test_a_project_without_data_says_so_plainly(demo):
    project = demo.projects.create("Empty project", "new_solution")
    doc = demo.documents.generate(project, "HLD")
    text = all_text(demo.documents.download(doc))
    assert "No completed RVTools import is attached to this project yet" in text
    assert "No sizing recommendation is stored for this project's import yet" in text
    assert "The project has no workflows yet" in text
    document = docx.Document(io.BytesIO(demo.documents.download(doc)))
    assert len(headings(document)) >= 5 and len(document.tables) >= 2


def test_the_real_hld_template_is_registered_and_filled(demo, shared_data):
    template = demo.templates.register(shared_data / HLD, document_type="HLD", by="tester")
    assert template.template_name == "HLD for Hyper V 2025" and template.version == "1"
    assert len(template.placeholder_map["docproperty_fields"]) == 39
    assert len(template.table_structures) == 23
    doc = demo.documents.generate(
        DEMO_PROJECT,
        "HLD",
        template.id,
        customer="Northwind Traders",
        legal_name="Northwind Traders Ltd",
    )
    assert doc.version == "2"  # the demo's HLD is version 1
    data = demo.documents.download(doc)
    text = all_text(data)
    for leftover in LEFTOVERS:
        assert leftover not in text, leftover
    assert "Northwind Traders Ltd" in text  # "Fill in legal name" replaced
    assert "4 April 2025" not in text and doc.generated_at.strftime("%B %Y") in text  # sys_Date
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"<w:del " not in document_xml and b"<w:ins " not in document_xml  # changes accepted
    properties = custom_properties(data)
    assert properties["CompanyName"] == "Northwind Traders"
    assert properties["DocumentReference"] == doc.metadata["reference"]
    assert all("XXXX" not in v and "Fill in" not in v for v in properties.values())
    info = inspect_docx(data)
    assert not info.placeholder_map["literal_placeholders"]
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) > 23 and len(document.inline_shapes) >= 2
    # Our sections went under the template's own headings, before the next heading.
    assert "Risks found" in _under(document, "Risks, Assumptions")
    assert "Capacity per cluster" in _under(document, "Baseline Architecture")
    assert "Options, cheapest first" in _under(document, "Target Architecture")
    assert "Bill of materials" in _under(document, "Server Details")
    assert "Port groups and VLANs" in _under(document, "Network Connectivity")
    assert "Workflows" in _under(document, "Migration Planning")
    # The history table got this version's row.
    history = document.tables[0]
    assert [c.text for c in history.rows[0].cells][:2] == ["version", "Date"]
    assert history.rows[1].cells[0].text == "2"


def test_the_same_inputs_give_the_same_bytes_and_an_approved_version_regenerates(demo):
    [hld] = demo.documents.list(DEMO_PROJECT, "HLD", status="approved")
    assert hld.approved_by == "demo" and hld.approval_date is not None
    assert demo.documents.content_hash_of(hld) == hld.content_hash
    assert demo.documents.regenerate(hld) == demo.documents.download(hld)


def test_a_change_to_the_inputs_changes_the_content_hash(demo):
    first = demo.documents.generate(DEMO_PROJECT, "LLD", name="LLD for hashing")
    demo.projects.update(DEMO_PROJECT, description="A new description for the hash")
    second = demo.documents.generate(DEMO_PROJECT, "LLD", name="LLD for hashing")
    assert (first.version, second.version) == ("1", "2")
    assert first.content_hash != second.content_hash


def test_status_moves_only_along_the_transitions_and_approved_stays_immutable(demo):
    doc = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Status walk")
    with pytest.raises(InvalidInputError, match="draft document can move to review or archived"):
        demo.documents.set_status(doc, "approved")
    demo.documents.set_status(doc, "review", by="ana", note="please check the VLANs")
    approved = demo.documents.approve(doc, by="ben")
    assert (approved.status, approved.approved_by) == ("approved", "ben")
    assert [s["status"] for s in approved.status_history] == ["draft", "review", "approved"]
    with pytest.raises(InvalidInputError, match="approved document can move to archived"):
        demo.documents.set_status(doc, "draft")
    again = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Status walk")
    assert (again.version, again.status) == ("2", "draft")
    assert demo.documents.get(doc).status == "approved"  # version 1 untouched
    with pytest.raises(ConflictError, match="approved; delete it with force"):
        demo.documents.delete(doc)
    path = demo.documents.path(doc)
    demo.documents.delete(doc, force=True)
    assert not path.exists()
    with pytest.raises(NotFoundError):
        demo.documents.get(doc.id)
    assert [d.version for d in demo.documents.versions(again)] == ["2"]


@pytest.mark.parametrize(
    "key",
    [
        "../outside.docx",
        "documents/../../outside.docx",
        "/etc/passwd",
        "documents//x.docx",
        "documents/.hidden",
        "documents\\x.docx",
        "documents/x\x00.docx",
        "documents/é.docx",
        "",
        "a" * 500,
    ],
)
def test_keys_that_could_leave_the_library_are_refused(tmp_path, key):
    with pytest.raises(InvalidInputError):
        resolve_key(tmp_path, key)


def test_a_symbolic_link_out_of_the_library_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.docx").write_bytes(b"secret")
    root = tmp_path / "library"
    (root / "documents").mkdir(parents=True)
    os.symlink(outside, root / "documents" / "linked")
    with pytest.raises(InvalidInputError, match="leads outside"):
        resolve_key(root, "documents/linked/secret.docx")
    os.symlink(outside / "secret.docx", root / "documents" / "file.docx")
    with pytest.raises(InvalidInputError, match="leads outside"):
        resolve_key(root, "documents/file.docx")


def test_a_tampered_stored_path_is_refused_on_download(demo):
    doc = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Tampered")
    from workbench.store.connection import record_id

    with demo.store.unit_of_work() as session:
        session.query(
            "UPDATE $id SET file_path = $path",
            {"id": record_id("project_document", doc.id), "path": "../../../etc/passwd"},
        )
    with pytest.raises(InvalidInputError, match="not a file key"):
        demo.documents.download(doc.id)
    with pytest.raises(InvalidInputError, match="not a file key"):
        demo.documents.pdf(doc.id)
    demo.documents.delete(doc.id)  # removes the record; nothing outside is touched
    assert Path("/etc/passwd").exists()


def test_a_document_name_cannot_steer_where_the_file_goes(demo):
    doc = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="../../etc/passwd")
    path = demo.documents.path(doc)
    root = Path(demo.settings.home) / "library"
    assert path.resolve().is_relative_to(root.resolve()) and path.exists()
    assert doc.document_name == "../../etc/passwd"  # the name is kept, only the file is safe


def _docx_with(part: str, content: bytes) -> bytes:
    document = docx.Document()
    document.add_heading("Template", 1)
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == part else source.read(item))
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("word/document.xml", b"<a>" + b" " * (600 * 2**20) + b"</a>")
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        (
            "entities",
            _docx_with(
                "word/document.xml",
                b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&b;</w:document>',
            ),
        ),
        ("broken xml", _docx_with("word/document.xml", b"<w:document><unclosed>")),
        ("truncated", _docx_with("word/document.xml", b"")[:300]),
        ("not a zip", b"this is not a word document at all"),
        ("zip bomb", _bomb()),
    ],
)
def test_a_hostile_or_damaged_template_is_refused_and_nothing_is_stored(tmp_path, name, data):
    with workbench.open("mem://", home=str(tmp_path)) as bench:
        before = bench.templates.frame()
        path = tmp_path / "evil.docx"
        path.write_bytes(data)
        with pytest.raises(ImportRejectedError):
            bench.templates.register(path, "Evil", "HLD")
        after = bench.templates.frame()
        assert len(after) == len(before)
        stored = sorted(p.name for p in (tmp_path / "library" / "templates").iterdir())
        assert not any(n.startswith("Evil") for n in stored)


def test_template_versions_and_one_default_per_type(tmp_path, shared_data):
    with workbench.open("mem://", home=str(tmp_path)) as bench:
        shipped = bench.templates.default("HLD")
        assert shipped.source == "shipped" and shipped.is_default
        first = bench.templates.register(shared_data / HLD, "Customer HLD", "HLD")
        second = bench.templates.register(shared_data / HLD, "customer hld", "HLD", default=True)
        assert (first.version, second.version) == ("1", "2")
        assert bench.templates.default("HLD").id == second.id
        assert bench.templates.get("Customer HLD").id == second.id
        assert bench.templates.get("Customer HLD", "1").id == first.id
        defaults = [t for t in bench.templates.list("HLD") if t.is_default]
        assert [t.id for t in defaults] == [second.id]
        bench.templates.set_default(shipped.id)
        assert [t.id for t in bench.templates.list("HLD") if t.is_default] == [shipped.id]
        with pytest.raises(ConflictError, match="shipped"):
            bench.templates.delete(shipped.id)
        bench.templates.delete(first.id)
        assert [
            t.version for t in bench.templates.list("HLD") if t.template_name == "customer hld"
        ] == ["2"]


def test_a_template_that_documents_came_from_is_kept(demo):
    [doc] = demo.documents.list(DEMO_PROJECT, "migration_plan")
    template = demo.templates.register(
        demo.templates.file(doc.template_id), "Copy of plan", "migration_plan"
    )
    generated = demo.documents.generate(DEMO_PROJECT, "migration_plan", template.id)
    with pytest.raises(ConflictError):
        demo.templates.delete(template.id)
    demo.documents.delete(generated)
    demo.templates.delete(template.id)


def test_unknown_settings_and_types_are_refused_plainly(demo):
    with pytest.raises(InvalidInputError, match="Unknown setting"):
        demo.documents.generate(DEMO_PROJECT, "HLD", colour="blue")
    with pytest.raises(InvalidInputError, match="Unknown document type"):
        demo.documents.generate(DEMO_PROJECT, "brochure")


def test_each_document_converts_to_pdf(demo):
    require(shutil.which("soffice") is not None, "LibreOffice (soffice) is not installed")
    from workbench.io.office import page_count

    for doc in demo.documents.list(DEMO_PROJECT):
        if doc.document_name.startswith(("LLD for", "Status", "../", "Tampered")):
            continue
        pdf = demo.documents.pdf(doc)
        assert pdf.startswith(b"%PDF") and page_count(pdf) >= 2, doc.document_type


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            ["Ref ", "CCT-FFF-XXXX", " and ", "Fill in legal name", ".", "xxx", " plain text "]
        ),
        min_size=1,
        max_size=8,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_placeholders_split_across_runs_are_replaced_like_whole_text(pieces, cuts):
    text = "".join(pieces)
    bounds = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    runs = "".join(
        f'<w:r><w:t xml:space="preserve">{text[a:b]}</w:t></w:r>'
        for a, b in zip(bounds, bounds[1:], strict=False)
    )
    root = etree.fromstring(
        f'<w:body xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p>{runs}</w:p></w:body>'
    )
    replacements = {"CCT-FFF-XXXX": "WB-1", "Fill in legal name": "ACME Ltd"}
    _replace_literals(root, replacements)
    result = "".join(t.text or "" for t in root.iter(f"{W}t"))
    # Split or whole, the same text comes out, and no placeholder is left in it.
    whole = etree.fromstring(
        '<w:body xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:body>'
    )
    _replace_literals(whole, replacements)
    assert result == "".join(t.text or "" for t in whole.iter(f"{W}t"))
    assert not re.search(r"CCT-FFF-XXXX|Fill in legal name|x{3,}", result, re.I)
    plain = [p for p in pieces if p.strip() in ("Ref", "and", "plain text", ".")]
    assert all(p.strip() in result for p in plain)


def test_placeholders_are_replaced_as_a_consultant_would():
    root = etree.fromstring(
        '<w:body xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:p><w:r><w:t>Ref CCT-FFF-</w:t></w:r><w:r><w:t>XXXX for Fill in </w:t></w:r>"
        "<w:r><w:t>legal name, owner xxx; xxxTitle textxxxxxxx; Fill in country.</w:t></w:r></w:p></w:body>"
    )
    _replace_literals(root, {"CCT-FFF-XXXX": "WB-1", "Fill in legal name": "ACME Ltd"})
    assert "".join(t.text for t in root.iter(f"{W}t")) == (
        "Ref WB-1 for ACME Ltd, owner (to be completed); Title text; (country to be completed)."
    )


def _xlsx(tmp_path, change=None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "BOM"
    sheet.append(["Line", "Part number", "Description", "Qty", "Unit price"])
    sheet.append(["{{ line }}", "CCT-FFF-XXXX", "Fill in description", None, None])
    path = tmp_path / "bom.xlsx"
    book.save(path)
    data = path.read_bytes()
    if change:
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                content = source.read(item)
                target.writestr(item, change(item.filename, content))
        data = out.getvalue()
    return data


def test_a_spreadsheet_template_registers_for_boms_only_and_hostile_ones_are_refused(tmp_path):
    with workbench.open("mem://", home=str(tmp_path)) as bench:
        data = _xlsx(tmp_path)
        (tmp_path / "Customer BOM.xlsx").write_bytes(data)
        template = bench.templates.register(
            tmp_path / "Customer BOM.xlsx", document_type="hardware_bom"
        )
        assert (template.file_format, template.template_name) == ("xlsx", "Customer BOM")
        assert template.table_structures[0]["header"][:2] == ["Line", "Part number"]
        assert template.placeholder_map["jinja_tags"] == {"{{ line }}": 1}
        assert template.placeholder_map["literal_placeholders"]["CCT-FFF-XXXX"] == 1
        with pytest.raises(InvalidInputError, match="only be a hardware_bom template"):
            bench.templates.register(tmp_path / "Customer BOM.xlsx", "Other", "HLD")
        with pytest.raises(InvalidInputError, match="spreadsheet"):
            bench.documents.generate(
                bench.projects.create("P", "new_solution"), "hardware_bom", template.id
            )
        hostile = _xlsx(
            tmp_path,
            lambda name, content: (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
                if name == "xl/workbook.xml"
                else content
            ),
        )
        (tmp_path / "hostile.xlsx").write_bytes(hostile)
        before = len(bench.templates.list())
        with pytest.raises(ImportRejectedError, match="entities"):
            bench.templates.register(tmp_path / "hostile.xlsx", "Hostile", "hardware_bom")
        assert len(bench.templates.list()) == before


def test_names_that_slug_alike_keep_their_own_files(demo):
    first = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Plan A")
    second = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Plan-A")
    cyrillic = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="План")
    other = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Схема")
    paths = {demo.documents.path(d) for d in (first, second, cyrillic, other)}
    assert len(paths) == 4
    demo.documents.delete(second)
    assert demo.documents.download(first)  # untouched by its look-alike's deletion
    for doc in (first, cyrillic, other):
        demo.documents.delete(doc)


def test_jinja_tags_are_filled_and_a_replacement_is_never_cut(tmp_path):
    document = docx.Document()
    document.add_heading("{{ project.name }} for {{ customer }}", 1)
    document.add_paragraph(
        "Owner {{ nobody.knows }}{% if x %} hidden {% endif %}, legal Fill in legal name."
    )
    buffer = io.BytesIO()
    document.save(buffer)
    with workbench.open("mem://", home=str(tmp_path)) as bench:
        template = bench.templates.register(buffer.getvalue(), "Jinja.docx", "HLD")
        project = bench.projects.create("Lutz move", "new_solution")
        doc = bench.documents.generate(
            project, "HLD", template.id, customer="XXXLutz KG", legal_name="XXXLutz KG"
        )
        text = all_text(bench.documents.download(doc))
    assert "Lutz move for XXXLutz KG" in text
    assert "Owner (to be completed) hidden , legal XXXLutz KG." in text
    assert "{{" not in text and "{%" not in text


def test_generation_settings_are_checked(demo):
    with pytest.raises(InvalidInputError, match="vm_rows must be a whole number"):
        demo.documents.generate(DEMO_PROJECT, "LLD", vm_rows="all")
    with pytest.raises(InvalidInputError, match="vm_rows must be a whole number"):
        demo.documents.generate(DEMO_PROJECT, "LLD", vm_rows=-3)
    with pytest.raises(InvalidInputError, match="scenario must be"):
        demo.documents.generate(DEMO_PROJECT, "hardware_bom", scenario="cheapest")


def test_an_old_export_without_network_sheets_still_gives_every_document(tmp_path, shared_data):
    with workbench.open("mem://", home=str(tmp_path)) as bench:
        project = bench.projects.create("Old export", "vmware_migration")
        bench.rvtools.upload(
            project, shared_data / "rvtools" / "12_kubev2v-example1_rvtools-4.x-anonymised_9vm.xlsx",
            progress=False,
        )  # fmt: skip
        network = bench.documents.generate(project, "network_diagram")
        lld = bench.documents.generate(project, "LLD")
        assert "has no network sheets" in all_text(bench.documents.download(network))
        text = all_text(bench.documents.download(lld))
        assert "Capacity per cluster" in text and "Virtual machines" in text


def test_regenerate_refuses_when_inputs_or_bytes_no_longer_match(demo):
    from workbench.store.connection import record_id

    doc = demo.documents.generate(DEMO_PROJECT, "network_diagram", name="Regenerate checks")
    with demo.store.unit_of_work() as session:
        session.query(
            "UPDATE $id SET file_sha256 = $sha",
            {"id": record_id("project_document", doc.id), "sha": "0" * 64},
        )
    with pytest.raises(ConflictError, match="same content hash but different bytes"):
        demo.documents.regenerate(doc.id)
    inputs = demo.documents.download(doc, "inputs")
    changed = inputs.replace(b"Regenerate checks", b"Regenerate change")
    path = Path(demo.settings.home) / "library" / doc.inputs_path
    import gzip

    path.write_bytes(gzip.compress(changed))
    with pytest.raises(ConflictError, match="no longer give its content hash"):
        demo.documents.regenerate(doc.id)
    path.write_bytes(b"not gzip")
    with pytest.raises(ConflictError, match="stored inputs .* are damaged"):
        demo.documents.regenerate(doc.id)
    demo.documents.delete(doc.id)
