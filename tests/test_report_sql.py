"""`provenance report --sql` reads and never writes: every kind of writing statement is refused with
one clear line, exit 2, and the database file's bytes stay exactly as they were."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from audited import AuditedDb
from helpers import run_cli as provenance

pytestmark = pytest.mark.slow  # each test runs the CLI in a subprocess


def fingerprint(db: AuditedDb) -> dict[str, str]:
    """sha256 of the database file and of its WAL (the WAL holds committed pages not yet in the file).

    A reader of a WAL database may create an empty -wal file; empty and absent mean the same.
    """
    out = {}
    for suffix in ("", "-wal"):
        path = Path(f"{db.path}{suffix}")
        if path.exists() and path.stat().st_size:
            out[suffix or "db"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def row_counts(db: AuditedDb) -> dict[str, int]:
    """Rows per table and view, and the schema, read through a read-only connection."""
    with sqlite3.connect(f"{db.path.as_uri()}?mode=ro", uri=True) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
        counts["user_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        counts["schema"] = hash(tuple(conn.execute("SELECT sql FROM sqlite_master ORDER BY name")))
    return counts


WRITES = [
    "INSERT INTO runs (kind, started_at, status, detail) VALUES ('x', '2026-01-01 00:00:00', 'ok', '{{}}')",
    "UPDATE documents SET title = 'changed'",
    "UPDATE sqlite_master SET sql = 'x' WHERE name = 'links'",
    "DELETE FROM findings",
    "DROP TABLE checks",
    "DROP VIEW dead_links",
    "CREATE TABLE evil (x)",
    "CREATE TEMP TABLE scratch (x)",
    "ALTER TABLE links ADD COLUMN y",
    "ATTACH DATABASE '{tmp}/other.sqlite' AS other",
    "PRAGMA user_version = 42",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA query_only = OFF",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "REINDEX",
    "VACUUM",
    "REPLACE INTO runs (id, kind, started_at, status, detail) VALUES (1, 'x', '2026-01-01', 'ok', '{{}}')",
    "WITH gone AS (SELECT id FROM findings) DELETE FROM findings WHERE id IN (SELECT id FROM gone)",
]


@pytest.mark.parametrize("statement", WRITES)
def test_sql_that_would_write_is_refused_and_changes_nothing(
    audited_db: AuditedDb, tmp_path: Path, statement: str
) -> None:
    sql = statement.format(tmp=tmp_path)
    before, counts = fingerprint(audited_db), row_counts(audited_db)
    result = provenance("report", "--db", audited_db.url, "--sql", sql, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()  # one line, no traceback
    assert "read-only" in line and "nothing was changed" in line
    assert fingerprint(audited_db) == before
    assert not (tmp_path / "other.sqlite").exists()
    assert row_counts(audited_db) == counts


def test_refusal_names_what_was_refused(audited_db: AuditedDb, tmp_path: Path) -> None:
    result = provenance("report", "--db", audited_db.url, "--sql", "PRAGMA user_version = 42", cwd=tmp_path)
    assert "PRAGMA user_version = 42" in result.stderr
    result = provenance("report", "--db", audited_db.url, "--sql", "DELETE FROM findings", cwd=tmp_path)
    assert "DELETE findings" in result.stderr


def test_two_statements_are_refused_before_either_runs(audited_db: AuditedDb, tmp_path: Path) -> None:
    before = fingerprint(audited_db)
    result = provenance("report", "--db", audited_db.url, "--sql", "SELECT 1; DELETE FROM findings", cwd=tmp_path)
    assert result.returncode == 2 and "one statement" in result.stderr
    assert fingerprint(audited_db) == before


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT count(*) AS n FROM dead_links WHERE document = 'd3'", [{"n": 1}]),
        ("PRAGMA user_version", [{"user_version": 0}]),
        ("SELECT name FROM pragma_table_info('links') WHERE name = 'domain'", [{"name": "domain"}]),
        (
            "WITH d AS (SELECT domain, dead FROM domain_health) SELECT * FROM d WHERE dead > 0",
            [{"domain": "example.co.uk", "dead": 2}],
        ),
    ],
)
def test_reading_sql_answers_rows(audited_db: AuditedDb, tmp_path: Path, sql: str, expected: list) -> None:
    before = fingerprint(audited_db)
    result = provenance("report", "--db", audited_db.url, "--sql", sql, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == expected
    assert fingerprint(audited_db) == before


def test_table_info_pragma_reads(audited_db: AuditedDb, tmp_path: Path) -> None:
    result = provenance("report", "--db", audited_db.url, "--sql", "PRAGMA table_info(links)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "domain" in result.stdout and "document_id" in result.stdout


def test_sql_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    result = provenance("report", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}", "--sql", "SELECT 1", cwd=tmp_path)
    assert result.returncode == 2 and "no database" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()
