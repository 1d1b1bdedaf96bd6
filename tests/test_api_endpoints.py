"""The seed's 20 API endpoints (phase1-schema.md), each through its Python call and its CLI
command as the README maps them, on one on-disk store with the demo data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

import workbench
from workbench.cli import main

PROJECT = "Endpoint check"
MIGRATION = "Northwind VMware exit to Hyper-V"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    home = tmp_path_factory.mktemp("endpoints")
    url = f"surrealkv://{home / 'store'}"
    with workbench.open(url, home=str(home)) as ws:
        ws.load_demo()

        def cli(*args: str) -> str:
            code = main(["--db", url, "--home", str(home), *args])
            assert code == 0, args
            return ""

        yield ws, cli, home


@pytest.fixture
def cli_out(bench, capsys):
    ws, cli, _home = bench

    def run(*args: str):
        capsys.readouterr()
        cli(*args)
        return capsys.readouterr().out

    return run


def test_projects_endpoints(bench, cli_out):
    ws, _cli, _home = bench
    # POST /api/projects
    created = ws.projects.create(PROJECT, "new_solution", description="via Python")
    assert "Created" in cli_out("project", "create", f"{PROJECT} CLI", "--type", "new_solution")
    # GET /api/projects (with filtering)
    assert PROJECT in set(ws.projects.frame(project_type="new_solution")["name"])
    listed = json.loads(cli_out("project", "list", "--type", "new_solution", "--json"))
    assert {PROJECT, f"{PROJECT} CLI"} <= {p["name"] for p in listed}
    # GET /api/projects/{id}
    assert ws.projects.get(created.ref).name == PROJECT
    assert json.loads(cli_out("project", "show", created.ref, "--json"))["name"] == PROJECT
    # PUT /api/projects/{id}
    assert ws.projects.update(created.ref, priority="high").priority == "high"
    cli_out("project", "update", f"{PROJECT} CLI", "--description", "via the CLI")
    assert ws.projects.get(f"{PROJECT} CLI").description == "via the CLI"
    # DELETE /api/projects/{id}
    ws.projects.delete(f"{PROJECT} CLI")
    cli_out("project", "create", "To delete", "--type", "new_solution")
    cli_out("project", "delete", "To delete")
    assert not {f"{PROJECT} CLI", "To delete"} & {p.name for p in ws.projects.list()}


def test_workflow_endpoints(bench, cli_out):
    ws, _cli, _home = bench
    # POST /api/projects/{id}/workflows
    ws.workflows.add(PROJECT, "Design", workflow_type="design", duration_days=5)
    cli_out("workflow", "add", PROJECT, "Build", "--type", "commissioning", "--days", "3")
    # GET /api/projects/{id}/workflows
    assert list(ws.workflows.frame(PROJECT)["name"]) == ["Design", "Build"] or {
        "Design",
        "Build",
    } == set(ws.workflows.frame(PROJECT)["name"])
    listed = json.loads(cli_out("workflow", "list", PROJECT, "--json"))
    assert {w["name"] for w in listed} == {"Design", "Build"}
    # PUT /api/workflows/{id}
    ws.workflows.update("Design", PROJECT, duration_days=8)
    cli_out("workflow", "update", "Build", "--project", PROJECT, "--days", "4")
    days = dict(
        zip(
            ws.workflows.frame(PROJECT)["name"],
            ws.workflows.frame(PROJECT)["duration_days"],
            strict=True,
        )
    )
    assert days == {"Design": 8, "Build": 4}
    # DELETE /api/workflows/{id}
    ws.workflows.delete("Design", PROJECT)
    cli_out("workflow", "delete", "Build", "--project", PROJECT)
    assert ws.workflows.frame(PROJECT).empty


def test_hardware_pool_endpoints(bench, cli_out):
    ws, _cli, _home = bench
    start, end = date.today() + timedelta(days=400), date.today() + timedelta(days=430)
    # GET /api/hardware-pool
    servers = ws.pool.frame()
    assert len(servers) == len(json.loads(cli_out("pool", "list", "--json")))
    # GET /api/hardware-pool/availability
    free = ws.pool.availability(start, end)
    shown = json.loads(
        cli_out("pool", "availability", "--start", str(start), "--end", str(end), "--json")
    )
    assert len(free) == len(shown) >= 2
    first, second = free["server_name"].iloc[0], free["server_name"].iloc[1]
    # POST /api/hardware-pool/allocate
    [booking] = ws.pool.allocate([first], PROJECT, start, end)
    made = json.loads(
        cli_out(
            "pool",
            "allocate",
            second,
            "--project",
            PROJECT,
            "--start",
            str(start),
            "--end",
            str(end),
            "--json",
        )
    )
    # POST /api/hardware-pool/release
    ws.pool.release(booking.id)
    ids = [b["id"] for b in (made if isinstance(made, list) else made.get("bookings", [made]))]
    cli_out("pool", "release", *ids)
    assert len(ws.pool.availability(start, end)) == len(free)


def test_rvtools_endpoints(bench, cli_out, tmp_path):
    ws, _cli, _home = bench
    # POST /api/projects/{id}/rvtools/upload
    path = tmp_path / "export.xlsx"
    cli_out("rvtools", "generate", str(path), "--vms", "60", "--seed", "3")
    record = ws.rvtools.upload(PROJECT, path, progress=False)
    again = json.loads(cli_out("rvtools", "import", str(path), "--project", PROJECT, "--json"))
    assert again["id"]
    # GET /api/projects/{id}/rvtools/analysis
    analysis = ws.rvtools.analysis(record.id)
    assert analysis.summary
    shown = json.loads(cli_out("rvtools", "show", record.id, "--json"))
    assert shown
    # POST /api/projects/{id}/rvtools/recommendations
    ranking = ws.sizing.recommend(record.id)
    assert ranking.options["feasible"].any()
    sized = json.loads(cli_out("size", record.id, "--json"))
    assert sized


def test_document_endpoints(bench, cli_out, tmp_path):
    ws, _cli, _home = bench
    # POST /api/projects/{id}/documents/generate
    doc = ws.documents.generate(MIGRATION, "HLD", name="Endpoint HLD")
    made = json.loads(
        cli_out("doc", "generate", MIGRATION, "network_diagram", "--name", "Endpoint ND", "--json")
    )
    # GET /api/projects/{id}/documents
    names = set(ws.documents.frame(MIGRATION)["document_name"])
    assert {"Endpoint HLD", "Endpoint ND"} <= names
    listed = json.loads(cli_out("doc", "list", "--project", MIGRATION, "--json"))
    assert {"Endpoint HLD", "Endpoint ND"} <= {d["document_name"] for d in listed}
    # GET /api/documents/{id}/download
    data = ws.documents.download(doc)
    out = tmp_path / "nd.docx"
    cli_out("doc", "download", made["id"], "-o", str(out))
    assert data[:2] == out.read_bytes()[:2] == b"PK"
    # DELETE /api/documents/{id}
    ws.documents.delete(doc)
    cli_out("doc", "delete", made["id"])
    assert not {"Endpoint HLD", "Endpoint ND"} & set(ws.documents.frame(MIGRATION)["document_name"])
