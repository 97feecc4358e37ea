"""The schema as migrations build it, and the SQLite engine set-up."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from provenance.errors import StorageError
from provenance.store import migrate
from provenance.store.db import make_engine, readonly_connection, session_scope
from provenance.store.migrate import alembic_config, open_store, upgrade
from provenance.store.schema import metadata

TABLES = {"documents", "links", "checks", "snapshot_lookups", "drift_measurements", "findings", "runs"}


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_upgrade_on_empty_database_matches_schema(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert _revision(engine) == _head()


def test_upgrade_twice_is_a_no_op(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    engine = open_store(url)
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()
    upgrade(engine)
    open_store(url)
    with engine.connect() as conn:
        after = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert after == before
    assert versions == [(_head(),)]


def test_concurrent_first_upgrades_do_not_collide(tmp_path: Path) -> None:
    """Two commands starting at once on a new database: one creates, the other waits and finds head."""
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def start() -> None:
        barrier.wait()
        try:
            open_store(url).dispose()
        except BaseException as err:  # noqa: BLE001 - collected and asserted below, whatever it is
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _revision(make_engine(url)) == _head()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("foreign_keys", 1),
        ("busy_timeout", 30000),
        ("synchronous", 1),  # NORMAL
    ],
)
def test_sqlite_pragmas_on_every_connection(tmp_path: Path, pragma: str, expected: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    a, b = engine.raw_connection(), engine.raw_connection()  # two pooled connections at once
    try:
        for conn in (a, b):
            assert conn.cursor().execute(f"PRAGMA {pragma}").fetchone()[0] == expected
    finally:
        a.close()
        b.close()


def test_wal_is_persistent_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_store(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_in_a_folder_that_is_not_there_is_an_error_not_a_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "p.sqlite"
    with pytest.raises(StorageError, match=f"no folder {tmp_path / 'typo'} for the database"):
        open_store(f"sqlite:///{path}")
    assert not (tmp_path / "typo").exists()
    open_store(f"sqlite:///{tmp_path / 'p.sqlite'}").dispose()  # in a folder that is there: made
    assert (tmp_path / "p.sqlite").is_file()


def test_a_command_that_only_reads_makes_no_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at .*audit or harvest makes one"):
        open_store(f"sqlite:///{tmp_path / 'p.sqlite'}", create=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("setup", "url", "message"),
    [
        ("garbage", "sqlite:///{tmp}/junk.sqlite", "file is not a database"),
        ("folder", "sqlite:///{tmp}/afolder", "it is a folder"),
        ("none", "nosuchdialect://x/y", "cannot use database URL"),
        ("none", "not a url at all", "not a database URL"),
    ],
)
def test_unusable_databases_raise_one_line_storage_error(tmp_path: Path, setup: str, url: str, message: str) -> None:
    if setup == "garbage":
        (tmp_path / "junk.sqlite").write_bytes(b"this is not sqlite" * 100)
    elif setup == "folder":
        (tmp_path / "afolder").mkdir()
    with pytest.raises(StorageError) as info:
        open_store(url.format(tmp=tmp_path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_session_scope_commits_or_rolls_back(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with session_scope(engine) as session:
        session.connection().exec_driver_sql(
            "INSERT INTO runs (kind, started_at, status, detail) VALUES ('a', '2026-01-01 00:00:00', 'ok', '{}')"
        )
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.connection().exec_driver_sql(
            "INSERT INTO runs (kind, started_at, status, detail) VALUES ('b', '2026-01-01 00:00:00', 'ok', '{}')"
        )
        raise RuntimeError("boom")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT kind FROM runs").all() == [("a",)]


def test_readonly_connection_reads_but_cannot_write_or_attach(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_store(f"sqlite:///{path}").dispose()
    url = f"sqlite:///{path}"
    with readonly_connection(url) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() == 0
    with pytest.raises(StorageError, match="readonly|read-only|query_only"), readonly_connection(url) as conn:
        conn.exec_driver_sql("DELETE FROM documents")
    with pytest.raises(StorageError, match="not authorized"), readonly_connection(url) as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'new.sqlite'}' AS other")
    assert not (tmp_path / "new.sqlite").exists()


def test_readonly_connection_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database"), readonly_connection(f"sqlite:///{tmp_path / 'x.sqlite'}"):
        pass
    assert not (tmp_path / "x.sqlite").exists()


def test_scripts_found_in_an_installed_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel ships migrations/ as provenance/_migrations; that copy must be found and work."""
    package = tmp_path / "site-packages" / "provenance"
    shutil.copytree(migrate.script_location(), package / "_migrations", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "_PACKAGE", package)
    assert migrate.script_location() == package / "_migrations"
    engine = open_store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    assert _revision(engine) == _head()


def test_missing_scripts_are_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "_PACKAGE", tmp_path / "provenance")
    with pytest.raises(StorageError, match="migration scripts not found"):
        migrate.script_location()


def test_database_from_a_newer_version_is_a_storage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    engine = open_store(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StorageError, match="cannot migrate the database.*9999_from_the_future"):
        open_store(url)


def test_in_memory_database_works_across_sessions() -> None:
    engine = open_store("sqlite://")
    with session_scope(engine) as session:
        session.connection().exec_driver_sql(
            "INSERT INTO runs (kind, started_at, status, detail) VALUES ('a', '2026-01-01 00:00:00', 'ok', '{}')"
        )
    with session_scope(engine) as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM runs").scalar() == 1


def test_the_head_the_quick_check_knows_is_alembics_head() -> None:
    """open_store skips Alembic when a database records HEAD_REVISION: it must be the newest migration."""
    assert _head() == migrate.HEAD_REVISION
