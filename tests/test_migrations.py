"""Schema migrations: order, ledger, idempotence, and the basket baseline keeps its data."""

from __future__ import annotations

from decimal import Decimal

import pytest

import workbench
from workbench.cli import main
from workbench.errors import SchemaError
from workbench.settings import Settings
from workbench.store import Store, migrate
from workbench.store.migrations import Migration, describe_schema, load_migrations

SEED_TABLES = {
    "project",
    "workflow",
    "workflow_template",
    "server_inventory",
    "hardware_pool_status",
    "procurement_request",
    "rvtools_import",
    "project_document",
    "document_template",
}
BASKET_TABLES = [
    "vendor",
    "hardware_basket",
    "hardware_lot",
    "hardware_lot_component",
    "hardware_lot_price",
    "hardware_option",
    "basket_import",
]
SEED_INDEXES = {
    "project": {"idx_project_status", "idx_project_type", "idx_project_dates"},
    "workflow": {"idx_workflow_project", "idx_workflow_status", "idx_workflow_type"},
    "server_inventory": {"idx_server_status", "idx_server_allocation", "idx_server_model"},
    "project_document": {"idx_document_project", "idx_document_type", "idx_document_status"},
    "rvtools_import": {"idx_rvtools_project", "idx_rvtools_status"},
}


def snapshot(store: Store) -> dict:
    """Everything observable: INFO FOR DB, INFO FOR TABLE of each table, every record."""
    with store.unit_of_work() as session:
        schema = describe_schema(session)
        schema["records"] = {
            t: session.one("SELECT * FROM type::table($t) ORDER BY id", {"t": t})
            for t in schema["tables"]
        }
        return schema


def test_files_are_numbered_in_order_and_cover_the_seed():
    migrations = load_migrations()
    assert [m.number for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "0001_hardware_basket_baseline"


def test_every_seed_table_field_and_index_exists(ws):
    with ws.store.unit_of_work() as session:
        schema = describe_schema(session)
    assert SEED_TABLES | set(BASKET_TABLES) <= set(schema["tables"])
    for table, indexes in SEED_INDEXES.items():
        assert indexes <= set(schema["tables"][table]["indexes"]), table
    project_fields = set(ws.store.query("INFO FOR TABLE project")[0]["fields"])
    assert {
        "name",
        "description",
        "project_type",
        "status",
        "priority",
        "start_date",
        "target_end_date",
        "actual_end_date",
        "progress_percentage",
        "created_by",
        "assigned_team",
        "metadata",
        "created_at",
        "updated_at",
    } <= project_fields
    lot_link = ws.store.query("INFO FOR TABLE server_inventory")[0]["fields"]["hardware_model_id"]
    assert "record<hardware_lot>" in lot_link and "REFERENCE ON DELETE REJECT" in lot_link


def test_migrate_twice_changes_nothing(tmp_path, capsys):
    home = tmp_path / "home"
    args = ["--home", str(home)]
    assert main([*args, "migrate"]) == 0
    assert "Applied: 0001_hardware_basket_baseline" in capsys.readouterr().out
    with workbench.open(None, home=str(home)) as ws:
        ws.load_demo()
        before = snapshot(ws.store)
    assert main([*args, "migrate"]) == 0
    assert main([*args, "migrate"]) == 0
    assert capsys.readouterr().out.count("Schema is up to date.") == 2
    with workbench.open(None, home=str(home), apply_migrations=False) as ws:
        assert snapshot(ws.store) == before


def test_basket_records_survive_the_later_migrations(disk_url, tmp_path):
    store = Store(Settings.from_env(db_url=disk_url, home=str(tmp_path)))
    baseline = [m for m in load_migrations() if m.number == 1]
    assert migrate(store, baseline) == ["0001_hardware_basket_baseline"]
    with store.unit_of_work() as s:
        s.transaction(
            """
            CREATE vendor:dell CONTENT {name: 'Dell'};
            CREATE hardware_basket:q3 CONTENT {vendor: vendor:dell, name: 'X86 basket', quarter: '2025-Q3',
                exchange_rate: 1.1dec, exchange_rate_convention: 'usd_per_eur', valid_from: d'2025-04-01'};
            CREATE hardware_lot:smi2 CONTENT {basket: hardware_basket:q3, lot_code: 'SMI2', description: 'Small Intel',
                category: 'small', cpu_sockets: 2, cores_per_socket: 8, memory_gib: 64, specifications: {nic: '2x1GbE'}};
            CREATE hardware_lot_component CONTENT {lot: hardware_lot:smi2, position: 0, item: 'Processor', specification: '2 x 5415+'};
            CREATE hardware_lot_price CONTENT {lot: hardware_lot:smi2, support_tier: 'net', price_usd: $usd, price_eur: $eur};
            CREATE hardware_option CONTENT {basket: hardware_basket:q3, sku: '370-AGZP', description: '32GB RDIMM', category: 'memory', price_usd: 366.21dec, discount: 0.58dec};
            CREATE basket_import CONTENT {basket: hardware_basket:q3, filename: 'dell.xlsx', file_size: 1, sha256: 'ab', status: 'completed', lots_count: 1};
            """,
            {"usd": Decimal("5515.00"), "eur": Decimal("5013.64")},
        )
    before = snapshot(store)["records"]
    applied = migrate(store)
    assert applied and "0001_hardware_basket_baseline" not in applied
    after = snapshot(store)["records"]
    for table in BASKET_TABLES:
        assert after[table] == before[table] and after[table], table
    assert after["hardware_lot_price"][0]["price_usd"] == Decimal("5515.00")


def test_an_edited_applied_migration_is_refused(ws):
    edited = [Migration(m.number, m.name, m.sql + "\n-- edited") for m in load_migrations()]
    with pytest.raises(SchemaError, match="changed after it was applied"):
        migrate(ws.store, edited)


def test_a_store_from_a_newer_workbench_is_refused(ws):
    with pytest.raises(SchemaError, match="does not know"):
        migrate(ws.store, load_migrations()[:-1])


def test_a_failing_migration_leaves_neither_schema_nor_ledger(ws):
    bad = Migration(
        99,
        "0099_broken",
        "DEFINE TABLE half_done SCHEMAFULL; DEFINE FIELD n ON half_done TYPE int;"
        " CREATE half_done CONTENT {n: 'not a number'};",
    )
    with pytest.raises(workbench.WorkbenchError):
        migrate(ws.store, [*load_migrations(), bad])
    info = ws.store.query("INFO FOR DB")[0]
    assert "half_done" not in info["tables"]
    assert "0099_broken" not in {
        r["name"] for r in ws.store.query("SELECT name FROM schema_migration")[0]
    }


def test_database_keeps_created_at_and_sets_updated_at(ws):
    project = ws.projects.create("Clock", "new_solution")
    with pytest.raises(workbench.InvalidInputError, match="readonly"):
        ws.store.query(
            "UPDATE type::record('project', $k) SET created_at = time::now()", {"k": project.id}
        )
    later = ws.store.query(
        "UPDATE type::record('project', $k) SET priority = 'high' RETURN AFTER", {"k": project.id}
    )[0][0]
    assert later["updated_at"] > project.updated_at and later["created_at"] == project.created_at


def test_projects_from_before_the_schedule_migration_take_a_calendar(disk_url, tmp_path):
    store = Store(Settings.from_env(db_url=disk_url, home=str(tmp_path)))
    earlier = [m for m in load_migrations() if m.number < 10]
    migrate(store, earlier)
    with store.unit_of_work() as s:
        s.query("CREATE project:old CONTENT {name: 'Old', project_type: 'hardware_refresh'}")
    migrate(store)
    with workbench.open(disk_url, home=str(tmp_path)) as ws:
        old = ws.projects.get("Old")
        assert (old.calendar, old.holidays, old.weekend) == ("calendar", (), (5, 6))
        ws.projects.update(old, calendar="working", start_date="2027-01-04")
        ws.workflows.add(old, "Assess", "assessment", duration_days=2)
        assert ws.workflows.get("Assess", old).end_date.isoformat() == "2027-01-05"
