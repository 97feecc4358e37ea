"""The store keeps to portable SQL: the same migrations and queries render for PostgreSQL."""

from __future__ import annotations

import io

import pytest
from alembic import command
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from provenance.store import rows
from provenance.store.migrate import alembic_config
from provenance.store.schema import checks, metadata, snapshot_lookups


def test_migrations_render_as_postgresql_ddl() -> None:
    config = alembic_config()
    config.output_buffer = io.StringIO()
    config.set_main_option("sqlalchemy.url", "postgresql://user@localhost/provenance")
    command.upgrade(config, "head", sql=True)
    ddl = config.output_buffer.getvalue()
    for table in metadata.tables:
        assert f"CREATE TABLE {table} (" in ddl
    assert "TIMESTAMP WITH TIME ZONE" in ddl
    assert "ON DELETE CASCADE" in ddl and "ON DELETE SET NULL" in ddl
    assert "PRAGMA" not in ddl.upper()


@pytest.mark.parametrize("table", sorted(metadata.tables))
def test_schema_compiles_for_postgresql(table: str) -> None:
    dialect = postgresql.dialect()
    t = metadata.tables[table]
    assert f"CREATE TABLE {table}" in str(CreateTable(t).compile(dialect=dialect))
    for index in t.indexes:
        assert "CREATE INDEX" in str(CreateIndex(index).compile(dialect=dialect))


@pytest.mark.parametrize(
    ("table", "keys", "when"),
    [
        (checks, ["url"], "checked_at"),
        (snapshot_lookups, ["url", "archive"], "looked_up_at"),
    ],
)
def test_latest_row_query_is_a_standard_window_function(table, keys, when) -> None:
    sql = str(rows.latest_query(table, keys, when, ["https://e.org/"]).compile(dialect=postgresql.dialect()))
    assert "row_number() OVER (PARTITION BY" in sql
