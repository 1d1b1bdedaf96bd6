"""Nothing silently breaks the store: a vanished, replaced or schema-less store, file-system
faults, names that look like ids, odd text. One test per hole found in issue 7."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench
from tests.conftest import require
from workbench.errors import ConflictError, InvalidInputError, NotFoundError, StoreUnavailableError
from workbench.settings import Settings
from workbench.store import Store, migrate
from workbench.store.migrations import load_migrations
from workbench.text import is_visible

CLI = [sys.executable, "-m", "workbench.cli"]


def cli(home: Path | str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORKBENCH_DB="", WORKBENCH_HOME="")
    return subprocess.run(
        [*CLI, "--home", str(home), *args], capture_output=True, text=True, timeout=120, env=env
    )


def assert_one_plain_line(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def project_names(ws) -> list[str]:
    return sorted(p.name for p in ws.projects.list())


# -- a store is created only on purpose ------------------------------------------------------


def test_a_store_deleted_between_units_of_work_is_not_recreated(disk_ws, tmp_path):
    disk_ws.projects.create("Before", "vmware_migration")
    store_dir = disk_ws.store.path
    shutil.rmtree(store_dir)

    for attempt in (
        lambda: disk_ws.projects.create("After", "vmware_migration"),
        # Without the schema these were accepted: a duplicate name, a bad type, progress 999.
        lambda: disk_ws.store.query(
            "CREATE project CONTENT {name: 'Before', project_type: 'bogus', progress_percentage: 999}"
        ),
        lambda: disk_ws.projects.list(),
        lambda: disk_ws.migrate(),  # migrate must not paper over it
    ):
        with pytest.raises(StoreUnavailableError, match="is missing: it was deleted or moved"):
            attempt()
        assert not store_dir.exists(), "the engine recreated an empty store"

    # A new process (a restarted kernel, another command) refuses too, migrate included.
    with pytest.raises(StoreUnavailableError, match=str(store_dir)):
        workbench.open(f"surrealkv://{store_dir}", home=str(tmp_path))
    assert_one_plain_line(cli(tmp_path, "project", "list"), 5, str(store_dir), "is missing")
    assert_one_plain_line(cli(tmp_path, "migrate"), 5, str(store_dir), "is missing")
    assert_one_plain_line(cli(tmp_path, "init"), 5, str(store_dir), "is missing")
    assert not store_dir.exists()

    # The way out the message names: remove the identity copy, then init makes a new store.
    Path(str(store_dir) + ".identity").unlink()
    assert cli(tmp_path, "init").returncode == 0
    with workbench.open(None, home=str(tmp_path)) as fresh:
        assert fresh.projects.count() == 0 and fresh.store.identity != disk_ws.store.identity


def test_a_store_deleted_inside_a_unit_of_work_takes_no_write(disk_ws):
    store_dir = disk_ws.store.path
    with pytest.raises(StoreUnavailableError, match="vanished while in use"):
        with disk_ws.store.unit_of_work():
            shutil.rmtree(store_dir)
            disk_ws.projects.create("Lost", "vmware_migration")  # nested: same open session
    # The write was refused, not accepted and lost; the folder was not recreated.
    assert not store_dir.exists()
    with pytest.raises(StoreUnavailableError):
        disk_ws.projects.count()


def test_a_store_deleted_after_the_last_write_of_an_action_is_reported(disk_ws):
    store_dir = disk_ws.store.path
    with pytest.raises(StoreUnavailableError, match="vanished while in use"):
        with disk_ws.store.unit_of_work() as session:
            session.query("CREATE project CONTENT {name: 'Gone', project_type: 'new_solution'}")
            shutil.rmtree(store_dir)


def test_a_replaced_store_is_refused(tmp_path):
    first = workbench.open(f"surrealkv://{tmp_path / 'a' / 'store'}", home=str(tmp_path / "a"))
    second = workbench.open(f"surrealkv://{tmp_path / 'b' / 'store'}", home=str(tmp_path / "b"))
    first.projects.create("Mine", "vmware_migration")
    second.projects.create("Theirs", "vmware_migration")
    shutil.rmtree(first.store.path)
    shutil.copytree(second.store.path, first.store.path)
    (first.store.path / "LOCK").unlink(missing_ok=True)

    with pytest.raises(StoreUnavailableError, match="was replaced by another store"):
        first.projects.list()
    with pytest.raises(StoreUnavailableError, match="was replaced by another store"):
        first.migrate()
    # A new process knows it from the identity kept beside the store.
    assert_one_plain_line(
        cli(tmp_path / "a", "project", "list"), 5, "was replaced by another store"
    )
    assert project_names(second) == ["Theirs"]


def test_a_store_without_schema_is_refused(tmp_path):
    ws = workbench.open(f"surrealkv://{tmp_path / 'store'}", home=str(tmp_path))
    ws.projects.create("Mine", "vmware_migration")
    shutil.rmtree(ws.store.path)
    ws.store.path.mkdir()  # an empty folder: the engine would start an empty store in it
    with pytest.raises(StoreUnavailableError, match="has no schema"):
        ws.store.query("CREATE project CONTENT {name: 'Mine', project_type: 'bogus'}")
    assert_one_plain_line(cli(tmp_path, "migrate"), 5, "has no schema")


def test_units_of_work_without_a_schema_are_refused_until_migrate(tmp_path):
    store = Store(Settings.from_env(db_url=f"surrealkv://{tmp_path / 'store'}", home=str(tmp_path)))
    with pytest.raises(StoreUnavailableError, match="No store at .*workbench init"):
        store.query("CREATE project CONTENT {name: 'x'}")
    assert not store.path.exists()
    migrate(store)
    assert (
        store.identity and Path(str(store.path) + ".identity").read_text().strip() == store.identity
    )
    store.query("CREATE project CONTENT {name: 'x', project_type: 'new_solution'}")


def test_a_store_from_before_the_identity_is_adopted_by_migrate(tmp_path):
    store = Store(Settings.from_env(db_url=f"surrealkv://{tmp_path / 'store'}", home=str(tmp_path)))
    older = [m for m in load_migrations() if m.number < 7]
    migrate(store, older)
    store.query(
        "CREATE project CONTENT {name: 'Old', project_type: 'new_solution'}"
    )  # usable as before
    assert store.identity is None
    with workbench.open(None, home=str(tmp_path)) as ws:
        assert project_names(ws) == ["Old"] and ws.store.identity
        assert ws.projects.get("OLD").name == "Old"  # name_key was filled for existing rows


# -- file-system faults: one line, exit 5 ------------------------------------------------------


def test_store_path_is_a_file(tmp_path):
    (tmp_path / "store").write_text("not a store")
    assert_one_plain_line(cli(tmp_path, "project", "list"), 5, str(tmp_path / "store"), "folder")


def test_data_directory_is_a_file(tmp_path):
    home = tmp_path / "home"
    home.write_text("not a folder")
    assert_one_plain_line(cli(home, "init"), 5, str(home))


def test_lock_file_that_cannot_be_opened(tmp_path):
    assert cli(tmp_path, "init").returncode == 0
    lock = tmp_path / "store.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()  # even root cannot open a folder as the lock file
    assert_one_plain_line(cli(tmp_path, "project", "list"), 5, "store.lock")


def test_data_directory_deleted(disk_ws, tmp_path):
    disk_ws.projects.create("Before", "vmware_migration")
    shutil.rmtree(tmp_path)
    with pytest.raises(StoreUnavailableError, match="is missing"):
        disk_ws.projects.list()
    assert not tmp_path.exists()


def _root_required() -> None:
    require(
        os.geteuid() == 0 and shutil.which("mount") is not None,
        "needs root to mount a small file system",
    )


@contextmanager
def small_disk(size: str):
    """A real tmpfs of ``size`` (root only), removed afterwards."""
    _root_required()
    folder = Path(tempfile.mkdtemp(prefix="workbench-disk-", dir="/tmp"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)], check=True
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def test_lock_file_not_writable(tmp_path):
    require(
        shutil.which("setpriv") is not None, "needs setpriv (util-linux) to drop root's override"
    )
    assert cli(tmp_path, "init").returncode == 0
    (tmp_path / "store.lock").chmod(0o444)
    # Without CAP_DAC_OVERRIDE, root obeys file permissions like any user.
    drop = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--"]
    env = dict(os.environ, WORKBENCH_DB="")
    result = subprocess.run(
        [*drop, *CLI, "--home", str(tmp_path), "project", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert_one_plain_line(result, 5, "Permission denied", "store.lock")


def test_read_only_data_directory():
    with small_disk("16m") as disk:
        home = disk / "home"
        assert cli(home, "init").returncode == 0
        assert cli(home, "project", "create", "Before", "--type", "new_solution").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert_one_plain_line(
            cli(home, "project", "create", "After", "--type", "new_solution"), 5, "read-only"
        )
        assert_one_plain_line(cli(home, "project", "list"), 5, "read-only")
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        listed = cli(home, "project", "list", "--json")
        assert (
            listed.returncode == 0
            and '"Before"' in listed.stdout
            and '"After"' not in listed.stdout
        )


def test_full_disk():
    with small_disk("8m") as disk:
        home = disk / "home"
        assert cli(home, "init").returncode == 0
        assert cli(home, "project", "create", "Before", "--type", "new_solution").returncode == 0
        filler = disk / "filler"
        with open(filler, "wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass  # the disk is full
        assert_one_plain_line(
            cli(home, "project", "create", "After", "--type", "new_solution"),
            5,
            "No space left on device",
        )
        filler.unlink()
        listed = cli(home, "project", "list", "--json")
        assert (
            listed.returncode == 0
            and '"Before"' in listed.stdout
            and '"After"' not in listed.stdout
        )


# -- names and ids never mix ---------------------------------------------------------------------


def test_a_name_equal_to_another_projects_id_cannot_touch_it(ws):
    first = ws.projects.create("First", "vmware_migration")
    impostor = ws.projects.create(first.id, "new_solution")  # named like First's bare id
    assert ws.projects.get(first.id) == impostor
    ws.projects.delete(first.id)  # a name: deletes the impostor
    assert project_names(ws) == ["First"]
    ws.projects.create(first.id, "new_solution")
    ws.projects.delete(first.ref)  # an id: deletes First
    assert project_names(ws) == [first.id]


def test_a_name_equal_to_another_projects_id_cannot_touch_it_from_the_cli(tmp_path):
    created = cli(tmp_path, "project", "create", "First", "--type", "vmware_migration", "--json")
    first_ref = __import__("json").loads(created.stdout)["id"]
    bare = first_ref.removeprefix("project:")
    assert cli(tmp_path, "project", "create", bare, "--type", "new_solution").returncode == 0
    deleted = cli(tmp_path, "project", "delete", bare)
    assert deleted.returncode == 0 and f"Deleted project '{bare}'" in deleted.stdout
    shown = cli(tmp_path, "project", "show", first_ref, "--json")
    assert shown.returncode == 0 and '"First"' in shown.stdout
    assert_one_plain_line(
        cli(tmp_path, "project", "show", bare), 3, f"No project named '{bare}'", "project:<id>"
    )


def test_names_are_trimmed_normalised_and_unique_ignoring_case(ws):
    created = ws.projects.create("  Cafe\u0301 Migration  ", "vmware_migration")
    assert created.name == "Café Migration"  # NFC: one code point for é
    assert ws.projects.get("café migration") == created
    for twin in ("CAFÉ MIGRATION", "Café Migration", "cafe\u0301 migration "):
        with pytest.raises(ConflictError, match="already exists"):
            ws.projects.create(twin, "new_solution")
    other = ws.projects.create("Other", "new_solution")
    with pytest.raises(ConflictError):
        ws.projects.update(other, name="café MIGRATION")
    assert ws.projects.update(created, name="CAFÉ MIGRATION").name == "CAFÉ MIGRATION"  # itself


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u200d ", "\u0301", "\u2060\ufeff", "\u3000"])
def test_names_without_a_visible_character_are_refused(ws, name):
    with pytest.raises(InvalidInputError, match="visible|empty"):
        ws.projects.create(name, "vmware_migration")
    assert ws.projects.count() == 0


def test_names_written_like_ids_are_refused(ws):
    with pytest.raises(InvalidInputError, match="project:"):
        ws.projects.create("Project:abc", "vmware_migration")


# -- text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "bad \ud800 name"),
        ("description", "\udcff"),
        ("created_by", "x\udfff"),
        ("metadata", {"k\ud800": 1}),
        ("metadata", {"k": ["\ud800"]}),
    ],
)
def test_lone_surrogates_are_invalid_input(ws, field, value):
    values = {"name": "Fine", field: value}
    with pytest.raises(InvalidInputError, match="not valid text"):
        ws.projects.create(values.pop("name"), "vmware_migration", **values)
    assert ws.projects.count() == 0
    with pytest.raises(InvalidInputError):
        ws.projects.get("\ud800")
    with pytest.raises(InvalidInputError):
        ws.projects.list(text="\ud800")


@pytest.mark.parametrize("name", ["a\x00b", "tab\there", "line\nbreak", "bell\x07", "del\x7f"])
def test_control_characters_in_names_are_refused(ws, name):
    with pytest.raises(InvalidInputError, match="control characters"):
        ws.projects.create(name, "vmware_migration")


def test_non_utf8_arguments_are_invalid_input(tmp_path):
    result = subprocess.run(
        [
            os.fsencode(sys.executable),
            b"-m",
            b"workbench.cli",
            b"--home",
            os.fsencode(tmp_path),
            b"project",
            b"create",
            b"caf\xe9",
            b"--type",
            b"new_solution",
        ],
        capture_output=True,
        timeout=120,
        env=dict(os.environ, WORKBENCH_DB=""),
    )
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert b"not valid UTF-8" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_closed_pipe_ends_the_cli_quietly(tmp_path):
    with workbench.open(None, home=str(tmp_path)) as ws:
        for i in range(400):
            ws.projects.create(f"Project {i:03}", "new_solution", description="x" * 200)
    env = dict(os.environ, WORKBENCH_DB="")
    shell = f"{sys.executable} -m workbench.cli --home {tmp_path} project list --json | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}"
    result = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.stderr == "", result.stderr
    assert result.stdout.strip() in ("0", "141")


def test_missing_projects_are_not_found_not_crashes(ws):
    with pytest.raises(NotFoundError, match="No project with id project:nope"):
        ws.projects.get("project:nope")
    with pytest.raises(InvalidInputError, match="after the colon"):
        ws.projects.get("project:")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(alphabet=st.characters(exclude_categories=()), max_size=30))
def test_any_text_as_a_name_is_stored_exactly_or_refused_plainly(ws, name):
    """Whatever text arrives (surrogates, controls, marks, invisibles), a name is either
    stored as its trimmed NFC form and found again ignoring case, or refused as invalid."""
    try:
        created = ws.projects.create(name, "new_solution")
    except InvalidInputError:
        return
    except ConflictError:
        assert any(
            p.name.lower() == unicodedata.normalize("NFC", name).strip().lower()
            for p in ws.projects.list()
        )
        return
    assert created.name == unicodedata.normalize("NFC", name).strip() and is_visible(created.name)
    # "Ignoring case" is the database's lower-casing (string::lowercase), one rule for every
    # writer: "ß" and "SS" stay apart, "É" and "é" meet.
    assert ws.projects.get(created.name.lower()) == created == ws.projects.get(created.ref)
    if created.name.upper().lower() == created.name.lower():
        assert ws.projects.get(created.name.upper()) == created
    ws.projects.delete(created)
