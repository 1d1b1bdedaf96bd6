"""``workbench doc``: generate, list, show, status, download, pdf, regenerate, delete and the
template commands, with plain one-line errors."""

from __future__ import annotations

import json
import shutil

import docx
import pytest

from tests.conftest import require

PROJECT = "CLI documents"


@pytest.fixture
def project(run):
    code, _out, err = run("project", "create", PROJECT, "--type", "new_solution")
    assert code == 0, err
    return PROJECT


def _generate(run, *extra: str) -> dict:
    code, out, err = run("doc", "generate", PROJECT, *extra, "--json")
    assert code == 0, err
    return json.loads(out)


def test_generate_list_show_and_move_status(run, project):
    code, out, err = run("doc", "generate", project, "hld", "--set", "customer=ACME", "--by", "ana")
    assert code == 0, err
    assert out.startswith("Generated High-Level Design v1 for CLI documents") and "table" in out
    code, out, _ = run("doc", "list", "--project", project)
    assert "High-Level Design" in out and "draft" in out and "ana" in out
    [listed] = json.loads(run("doc", "list", "--json")[1])
    short = listed["id"].split(":", 1)[1]
    code, out, _ = run("doc", "show", short)
    assert "content hash:" in out and "draft  ana" in out
    code, out, err = run("doc", "status", short, "approved")
    assert (code, out) == (2, "")
    assert err.strip() == "error: A draft document can move to review or archived, not to approved."
    assert run("doc", "status", short, "review", "--note", "check the BOM")[0] == 0
    code, out, _ = run("doc", "status", short, "approved", "--by", "ben")
    assert code == 0 and out.strip().endswith("is now approved.")
    code, _out, err = run("doc", "delete", short)
    assert code == 4 and "approved; delete it with force" in err
    assert run("doc", "delete", short, "--force")[0] == 0
    assert run("doc", "list", "--json")[1].strip() == "[]"


def test_download_regenerate_and_parts(run, project, tmp_path):
    doc = _generate(run, "network_diagram")
    target = tmp_path / "out"
    target.mkdir()
    code, out, err = run("doc", "download", doc["id"], "-o", str(target))
    assert code == 0, err
    [written] = list(target.iterdir())
    assert written.name == "CLI-documents-Network-Diagram-v1.docx"
    headings = [
        p.text for p in docx.Document(written).paragraphs if p.style.name.startswith("Heading")
    ]
    assert "Network" in headings
    code, _out, err = run("doc", "download", doc["id"], "--part", "svg")
    assert code == 3 and "has no part 'svg'; it has document, inputs" in err
    code, out, _ = run(
        "doc", "download", doc["id"], "--part", "inputs", "-o", str(tmp_path / "in.json")
    )
    assert json.loads((tmp_path / "in.json").read_text())["project"]["name"] == PROJECT
    code, out, _ = run("doc", "regenerate", doc["id"])
    assert code == 0 and "identical byte for byte" in out


def test_templates_register_default_and_refuse_hostile_files(run, project, tmp_path, shared_data):
    code, out, _ = run("doc", "templates")
    assert code == 0 and out.count("shipped") == 5
    template = shared_data / "templates" / "HLD for Hyper V 2025.docx"
    code, out, err = run("doc", "template-add", str(template), "--type", "HLD", "--default")
    assert code == 0, err
    assert "39 DOCPROPERTY fields" in out and "23 tables" in out and "the default" in out
    doc = _generate(run, "HLD", "--set", "legal_name=ACME Ltd")
    assert doc["generated_from_template"] == "HLD for Hyper V 2025 v1"
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    code, out, err = run("doc", "template-add", str(bad))
    assert code == 6 and err.count("\n") == 1 and "Traceback" not in err
    code, _out, err = run("doc", "template-delete", "HLD for Hyper V 2025")
    assert code == 4  # a document was generated from it
    assert run("doc", "template-default", "Workbench High-Level Design")[0] == 0
    code, out, _ = run("doc", "templates", "--type", "HLD", "--json")
    defaults = [t["template_name"] for t in json.loads(out) if t["is_default"]]
    assert defaults == ["Workbench High-Level Design"]


def test_pdf_through_libreoffice(run, project, tmp_path):
    require(shutil.which("soffice") is not None, "LibreOffice (soffice) is not installed")
    doc = _generate(run, "migration_plan")
    code, out, err = run("doc", "pdf", doc["id"], "-o", str(tmp_path / "plan.pdf"))
    assert code == 0, err
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_things_are_plain_errors(run, project):
    code, _out, err = run("doc", "generate", PROJECT, "brochure")
    assert code == 2 and err.startswith("error: Unknown document type 'brochure'")
    code, _out, err = run("doc", "generate", PROJECT, "HLD", "--set", "colour")
    assert code == 2 and "write KEY=VALUE" in err
    code, _out, err = run("doc", "show", "nothing-here")
    assert code == 3 and err.strip() == "error: No document nothing-here."
