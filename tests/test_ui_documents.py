"""The document library dashboard's widgets and helpers, driven without a browser."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import docx
import openpyxl
import pytest

import workbench
from workbench.documents import DOCUMENT_TYPES, STATUSES, TITLES, TRANSITIONS
from workbench.ui.documents import (
    MIME,
    NO_PROJECT_MESSAGE,
    DocumentsApp,
    default_template,
    document_details_html,
    document_label,
    documents_dashboard,
    documents_table_html,
    last_customer,
    next_statuses,
    ordered,
    part_filename,
    project_options,
    status_badge,
    template_options,
    type_label,
    type_options,
)

DEMO_PROJECT = "Northwind VMware exit to Hyper-V"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo store (a document of every type for the migration project) for the tests
    that only read it."""
    home = tmp_path_factory.mktemp("documents-demo")
    with workbench.open("mem://", home=str(home)) as bench:
        bench.load_demo()
        yield bench


@pytest.fixture(scope="module")
def demo_app(demo):
    return DocumentsApp(demo)


@pytest.fixture
def small(ws):
    """A fresh store with one project without data and one draft HLD of it."""
    project = ws.projects.create("Tour <b>docs</b>", "vmware_migration")
    doc = ws.documents.generate(project, "HLD", by="test")
    return SimpleNamespace(ws=ws, project=project, doc=doc)


def fake(**fields):
    """A stand-in for a ProjectDocument with the fields the helpers read."""
    base = {
        "id": "project_document:x",
        "project_id": "project:p",
        "document_type": "HLD",
        "document_name": "High-Level Design",
        "version": "1",
        "status": "draft",
        "file_size": 2048,
        "file_format": "docx",
        "generated_at": datetime(2026, 3, 2, 9, 5, tzinfo=UTC),
        "generated_by": "ana",
        "approved_by": None,
        "approval_date": None,
        "content_hash": "ab" * 32,
        "generated_from_template": "Workbench High-Level Design v1",
        "generation_config": {},
        "status_history": [],
        "metadata": {},
        "filename": "Tour-High-Level-Design-v1.docx",
    }
    return SimpleNamespace(**(base | fields))


# -- helpers -------------------------------------------------------------------------------


def test_types_read_as_people_name_them():
    assert [type_label(k) for k in DOCUMENT_TYPES] == [
        "HLD",
        "LLD",
        "Migration plan",
        "Hardware BOM",
        "Network diagram",
    ]
    options = dict(type_options())
    assert set(options.values()) == set(DOCUMENT_TYPES)
    assert options["High-Level Design (HLD)"] == "HLD"
    # A title that already says the short name does not repeat it.
    assert options[TITLES["migration_plan"]] == "migration_plan"
    assert options["Hardware Bill of Materials (BOM)"] == "hardware_bom"


def test_only_the_allowed_moves_are_offered_in_the_statuses_order():
    for status in STATUSES:
        assert set(next_statuses(status)) == set(TRANSITIONS[status])
        order = [STATUSES.index(s) for s in next_statuses(status)]
        assert order == sorted(order)
    assert next_statuses("approved") == ("archived",)
    assert next_statuses("archived") == ()


def test_versions_are_ordered_by_type_then_name_newest_first():
    docs = [
        fake(id="a", document_type="migration_plan", document_name="Migration Plan", version="1"),
        fake(id="b", version="9"),
        fake(id="c", version="10"),
        fake(id="d", document_type="LLD", document_name="Low-Level Design"),
        fake(id="e", document_name="Another HLD", version="2"),
    ]
    assert [d.id for d in ordered(docs)] == ["e", "c", "b", "d", "a"]


def test_the_status_badge_and_table_escape_names_from_users():
    assert "Approved" in status_badge("approved") and "wb-doc-approved" in status_badge("approved")
    doc = fake(document_name="<script>alert(1)</script>", generated_by="<i>x</i>")
    table = documents_table_html([doc], selected="project_document:x")
    assert "<script>" not in table and "&lt;script&gt;" in table and "&lt;i&gt;" in table
    assert 'class="wb-doc-selected"' in table
    assert "2 KiB" in table and "2026-03-02 09:05 UTC" in table
    # Approval columns show a dash until approved, then who and the day.
    assert table.count("–") == 2
    approved = fake(
        status="approved", approved_by="bram", approval_date=datetime(2026, 3, 4, tzinfo=UTC)
    )
    assert "bram" in documents_table_html([approved]) and "2026-03-04" in documents_table_html(
        [approved]
    )


def test_an_empty_list_says_how_to_fill_it():
    html = documents_table_html([])
    assert "no documents yet" in html and "generate one" in html


def test_the_details_show_contents_attachments_and_the_history_with_notes():
    doc = fake(
        metadata={
            "reference": "WB-TOUR-HLD-v1",
            "attachments": {"svg": "k.svg", "png": "k.png"},
            "sections": {"sections": 8, "tables": 1, "figures": 2},
        },
        generation_config={"customer": "Northwind <Traders>"},
        status_history=[
            {"status": "draft", "at": datetime(2026, 3, 2, 9, 5, tzinfo=UTC), "by": "ana"},
            {
                "status": "review",
                "at": datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
                "by": "bram",
                "note": "For <the> architect",
            },
        ],
    )
    html = document_details_html(doc)
    assert "WB-TOUR-HLD-v1" in html and "8 sections, 1 table, 2 figures" in html
    assert "PNG, SVG" in html and "abababababababab" in html
    assert "Northwind &lt;Traders&gt;" in html
    assert (
        "Draft 2026-03-02 09:05 UTC (ana) → Review 2026-03-03 10:00 UTC (bram: “For &lt;the&gt; architect”)"
        in html
    )


def test_labels_and_file_names():
    doc = fake(version="3", status="review")
    assert document_label(doc) == "High-Level Design v3 · Review · 2026-03-02 09:05 UTC"
    assert part_filename(doc, "document") == "Tour-High-Level-Design-v1.docx"
    assert part_filename(doc, "svg") == "Tour-High-Level-Design-v1.svg"


def test_projects_are_offered_by_name_with_their_document_counts():
    projects = [
        SimpleNamespace(name="node-10", ref="project:b"),
        SimpleNamespace(name="node-9", ref="project:a"),
        SimpleNamespace(name="Alpha", ref="project:c"),
    ]
    docs = [
        fake(project_id="project:a"),
        fake(project_id="project:a"),
        fake(project_id="project:b"),
    ]
    assert project_options(projects, docs) == [
        ("Alpha (no documents)", "project:c"),
        ("node-9 (2 documents)", "project:a"),
        ("node-10 (1 document)", "project:b"),
    ]


def test_the_newest_customer_is_carried_over():
    older = fake(generation_config={"customer": "Old name"}, generated_at=datetime(2026, 1, 1))
    newer = fake(generation_config={"customer": "New name"}, generated_at=datetime(2026, 2, 1))
    none = fake(generation_config={}, generated_at=datetime(2026, 3, 1))
    assert last_customer([older, none, newer]) == "New name"
    assert last_customer([none]) is None


def test_the_default_template_is_the_facades_default_for_every_type(ws):
    templates = ws.templates.list()
    for kind in DOCUMENT_TYPES:
        assert default_template(templates, kind).id == ws.templates.default(kind).id


def test_template_choices_put_the_default_first_and_leave_out_spreadsheets():
    def template(key, name, kind, default=False, source="registered", fmt="docx"):
        return SimpleNamespace(
            id=key,
            template_name=name,
            template_type=kind,
            version="1",
            is_default=default,
            source=source,
            file_format=fmt,
            label=f"{name} v1",
        )

    templates = [
        template("t1", "Workbench HLD", "HLD", source="shipped"),
        template("t2", "Ours", "HLD", default=True),
        template("t3", "Anything", "custom"),
        template("t4", "Sheet", "hardware_bom", fmt="xlsx"),
        template("t5", "Other LLD", "LLD"),
    ]
    options, chosen = template_options(templates, "HLD")
    assert chosen == "t2"
    assert options == [
        ("Ours v1 (default)", "t2"),
        ("Workbench HLD v1", "t1"),
        ("Anything v1 (custom)", "t3"),
    ]
    options, chosen = template_options(templates, "hardware_bom")
    assert chosen is None and options == [("Anything v1 (custom)", "t3")]


# -- the app on the demo -------------------------------------------------------------------


def test_the_demo_opens_on_its_documents_with_the_default_template(demo, demo_app):
    app = demo_app
    project = demo.projects.get(DEMO_PROJECT)
    assert app.project.value == project.ref
    assert (
        dict((v, k) for k, v in app.project.options)[project.ref] == f"{DEMO_PROJECT} (5 documents)"
    )
    assert app.kind.value == "HLD"
    assert app.template.value == demo.templates.default("HLD").id
    assert app.template.options[0][0].endswith("(default)")
    assert app.customer.value == "Northwind Traders"
    table = app.table.value
    for kind in DOCUMENT_TYPES:
        assert type_label(kind) in table
    assert "Approved" in table and "Review" in table and "demo" in table
    # The first version (the approved HLD) is picked: only Archive is offered.
    assert app.selected.document_type == "HLD" and app.selected.status == "approved"
    shown = {s for s, b in app.move_buttons.items() if b.layout.display != "none"}
    assert shown == {"archived"}
    assert app.panel.layout.display is None
    assert app.status.value == ""


def test_picking_a_version_offers_its_moves_and_its_attachments(demo, demo_app):
    app = demo_app
    docs = {d.document_type: d for d in demo.documents.list(DEMO_PROJECT)}
    app.document.value = docs["migration_plan"].id
    shown = {s for s, b in app.move_buttons.items() if b.layout.display != "none"}
    assert shown == {"draft", "approved", "archived"}
    assert 'class="wb-doc-selected"' in app.table.value
    app.document.value = docs["hardware_bom"].id
    visible = {p for p, b in app.downloads.items() if b.layout.display != "none"}
    assert visible == {"document", "xlsx"}
    name, data, mime = app._file("xlsx")
    assert name.endswith("-v1.xlsx") and mime == MIME["xlsx"]
    assert "BOM" in openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    app.document.value = docs["network_diagram"].id
    visible = {p for p, b in app.downloads.items() if b.layout.display != "none"}
    assert visible == {"document", "svg", "png"}
    name, data, mime = app._file("svg")
    assert name.endswith(".svg") and mime == "image/svg+xml" and b"<svg" in data[:2000]


def test_the_docx_download_reopens_with_its_headings(demo, demo_app):
    app = demo_app
    hld = next(d for d in demo.documents.list(DEMO_PROJECT) if d.document_type == "HLD")
    app.document.value = hld.id
    name, data, mime = app._file("document")
    assert name == hld.filename and mime == MIME["docx"]
    headings = [
        p.text
        for p in docx.Document(io.BytesIO(data)).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert "Introduction" in headings and "Current environment" in headings


def test_another_project_without_documents_says_so(demo, demo_app):
    app = demo_app
    other = next(p for p in demo.projects.list() if p.name != DEMO_PROJECT)
    try:
        app.project.value = other.ref
        assert "no documents yet" in app.table.value
        assert app.panel.layout.display == "none"
        assert app.document.options == ()
    finally:
        app.project.value = demo.projects.get(DEMO_PROJECT).ref
    assert app.selected is not None


def test_the_dashboard_can_open_on_a_project(demo):
    app = DocumentsApp(demo, project="Contoso Compute refresh")
    assert app.project.value == demo.projects.get("Contoso Compute refresh").ref


# -- actions -------------------------------------------------------------------------------


def test_generate_lists_and_picks_the_new_version(small):
    app = DocumentsApp(small.ws)
    assert app.project.value == small.project.ref
    app.kind.value = "LLD"
    assert app.template.value == small.ws.templates.default("LLD").id
    app.customer.value = "Contoso Ltd"
    app.generate()
    assert "Generated Low-Level Design v1" in app.generate_message.value
    assert "wb-success" in app.generate_message.value
    assert app.generate_button.description == "Generate" and not app.generate_button.disabled
    new = app.selected
    assert new.document_type == "LLD" and new.status == "draft"
    assert new.generated_by == "dashboard" and new.generation_config["customer"] == "Contoso Ltd"
    assert "Low-Level Design" in app.table.value and "(2 documents)" in app.project.options[0][0]
    # Again: the next version, the customer kept.
    app.generate()
    assert app.selected.version == "2" and app.customer.value == "Contoso Ltd"


def test_a_template_picked_is_used_and_stays_picked(small):
    ws = small.ws
    shipped = ws.templates.default("HLD")
    ours = ws.templates.register(ws.templates.file(shipped), "Ours", "HLD", by="test")
    app = DocumentsApp(ws)
    assert app.template.value == shipped.id  # registered, not made the default
    app.template.value = ours.id
    app.generate()
    assert app.selected.generated_from_template == "Ours v1"
    assert app.template.value == ours.id
    app.kind.value = "LLD"
    app.kind.value = "HLD"
    assert app.template.value == shipped.id  # another type: its default again


def test_status_moves_follow_the_rules_and_record_who(small):
    app = DocumentsApp(small.ws)
    assert app.selected.id == small.doc.id
    app.customer.value = "Typed, not generated yet"
    app.note.value = "Ready for <review>"
    app.move("review")
    assert "is now in review" in app.action_message.value
    assert app.note.value == "" and app.customer.value == "Typed, not generated yet"
    shown = {s for s, b in app.move_buttons.items() if b.layout.display != "none"}
    assert shown == {"draft", "approved", "archived"}
    app.move("approved")
    doc = small.ws.documents.get(small.doc.id)
    assert doc.status == "approved" and doc.approved_by == "dashboard"
    assert doc.status_history[1]["note"] == "Ready for <review>"
    assert "approved by dashboard" in app.action_message.value
    assert "dashboard" in app.table.value
    app.move("archived")
    assert app.moves.layout.display == "none"
    assert "final" in app.final_note.value


def test_a_move_refused_by_the_store_is_a_plain_message(small):
    app = DocumentsApp(small.ws)
    # Someone else approves it meanwhile; this page still offers the draft's moves.
    small.ws.documents.set_status(small.doc, "review", by="elsewhere")
    small.ws.documents.approve(small.doc, by="elsewhere")
    app.move("review")
    text = app.action_message.value
    assert "wb-error" in text and "approved document can move to archived" in text
    assert "Traceback" not in text


def test_a_failed_generation_is_a_plain_message_and_the_button_comes_back(small):
    app = DocumentsApp(small.ws)
    small.ws.projects.delete(small.project)  # deleted from another page
    app.generate()
    assert "wb-error" in app.generate_message.value
    assert app.generate_button.description == "Generate" and not app.generate_button.disabled


def test_deleting_asks_first_and_an_approved_version_needs_the_box(small):
    ws = small.ws
    app = DocumentsApp(ws)
    app.ask_delete()
    assert app.confirm_box.layout.display is None and app.force.layout.display == "none"
    assert not app.confirm_button.disabled
    app._show_confirm(False)
    ws.documents.set_status(small.doc, "review", by="test")
    ws.documents.approve(small.doc, by="test")
    app.reload()
    app.ask_delete()
    assert "tick the box" in app.confirm_text.value
    assert app.force.layout.display is None and app.confirm_button.disabled
    app.force.value = True
    assert not app.confirm_button.disabled
    path = ws.documents.path(small.doc)
    app.delete()
    assert "Deleted High-Level Design v1" in app.action_message.value
    assert ws.documents.list() == [] and not path.exists()
    assert app.panel.layout.display == "none"


def test_without_libreoffice_the_preview_shows_the_conversion_message(small, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    app = DocumentsApp(small.ws)
    app.preview()
    assert "wb-error" in app.preview_message.value
    assert "LibreOffice is not installed" in app.preview_message.value
    assert app.pages.children == () and app.preview_button.description == "Show the first pages"


def test_the_preview_shows_the_first_pages(small):
    from tests.conftest import require
    from workbench.io.office import libreoffice

    require(libreoffice() is not None, "LibreOffice is not installed")
    app = DocumentsApp(small.ws)
    app.preview()
    assert len(app.pages.children) == 2, app.preview_message.value
    assert all(bytes(image.value).startswith(b"\x89PNG") for image in app.pages.children)
    assert "The first 2 pages of High-Level Design v1" in app.preview_message.value
    # Another pick clears it.
    app.generate()
    assert app.pages.children == ()


def test_an_empty_store_says_to_create_a_project(ws):
    app = DocumentsApp(ws)
    assert NO_PROJECT_MESSAGE in app.status.value
    assert app.generate_button.disabled and app.panel.layout.display == "none"


def test_the_dashboard_builder_shows_a_store_error_as_a_message(monkeypatch, tmp_path):
    # A real store that cannot be opened: a file stands where its folder should be.
    (tmp_path / "store").write_text("not a store")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setenv("WORKBENCH_DB", "")
    widget = documents_dashboard()
    assert "cannot be used" in widget.value and str(tmp_path / "store") in widget.value
    assert "Traceback" not in widget.value
