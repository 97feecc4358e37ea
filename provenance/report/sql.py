"""Read-only `--sql`: one query on a read-only connection, any write refused with one line.

Three locks, any one of which suffices: the file is opened `mode=ro` with `query_only`
(store/db.py), and an authorizer refuses every statement that would write before it runs, which
also gives the user a message naming what was refused.
"""

from __future__ import annotations

import sqlite3

from ..errors import ConfigError, StorageError
from ..store.db import Authorizer, readonly_connection
from .table import Table

_WRITES = {
    getattr(sqlite3, name): words
    for name, words in {
        "SQLITE_INSERT": "INSERT",
        "SQLITE_UPDATE": "UPDATE",
        "SQLITE_DELETE": "DELETE",
        "SQLITE_CREATE_TABLE": "CREATE TABLE",
        "SQLITE_CREATE_TEMP_TABLE": "CREATE TEMP TABLE",
        "SQLITE_CREATE_INDEX": "CREATE INDEX",
        "SQLITE_CREATE_TEMP_INDEX": "CREATE TEMP INDEX",
        "SQLITE_CREATE_VIEW": "CREATE VIEW",
        "SQLITE_CREATE_TEMP_VIEW": "CREATE TEMP VIEW",
        "SQLITE_CREATE_TRIGGER": "CREATE TRIGGER",
        "SQLITE_CREATE_TEMP_TRIGGER": "CREATE TEMP TRIGGER",
        "SQLITE_CREATE_VTABLE": "CREATE VIRTUAL TABLE",
        "SQLITE_DROP_TABLE": "DROP TABLE",
        "SQLITE_DROP_TEMP_TABLE": "DROP TEMP TABLE",
        "SQLITE_DROP_INDEX": "DROP INDEX",
        "SQLITE_DROP_TEMP_INDEX": "DROP TEMP INDEX",
        "SQLITE_DROP_VIEW": "DROP VIEW",
        "SQLITE_DROP_TEMP_VIEW": "DROP TEMP VIEW",
        "SQLITE_DROP_TRIGGER": "DROP TRIGGER",
        "SQLITE_DROP_TEMP_TRIGGER": "DROP TEMP TRIGGER",
        "SQLITE_DROP_VTABLE": "DROP VIRTUAL TABLE",
        "SQLITE_ALTER_TABLE": "ALTER TABLE",
        "SQLITE_REINDEX": "REINDEX",
        "SQLITE_ANALYZE": "ANALYZE",
        "SQLITE_ATTACH": "ATTACH",
        "SQLITE_DETACH": "DETACH",
    }.items()
    if hasattr(sqlite3, name)
}
# Pragmas that take an argument yet only read; any other pragma given a value would set something.
_READING_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "table_list",
    "index_info",
    "index_xinfo",
    "index_list",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
}
_ACTING_PRAGMAS = {"wal_checkpoint", "optimize", "shrink_memory", "incremental_vacuum"}
_REFUSALS = ("readonly", "read-only", "query_only", "not authorized", "authorization denied", "may not be modified")


def run_sql(db_url: str, sql: str) -> Table:
    """QUERY on a read-only connection; a statement that would write is refused with one line."""
    if not sql.strip():
        raise ConfigError("--sql needs a query")
    refused: list[str] = []
    try:
        with readonly_connection(db_url, _read_only_authorizer(refused)) as conn:
            result = conn.exec_driver_sql(sql)
            if not result.returns_rows:
                raise StorageError("the statement returns nothing a query would")
            return Table("sql", list(result.keys()), [tuple(row) for row in result])
    except StorageError as err:
        text = str(err)
        if refused or any(word in text.lower() for word in _REFUSALS) or "returns nothing" in text:
            verb = sql.split(None, 1)[0].upper()
            detail = next((r for r in refused if "sqlite_" not in r), refused[0]) if refused else ""
            raise StorageError(
                f"--sql is read-only: the {verb} statement was refused"
                f"{f' ({detail})' if detail else ''}; nothing was changed"
            ) from None
        if "one statement at a time" in text:
            raise ConfigError("--sql takes one statement") from None
        raise


def _read_only_authorizer(refused: list[str]) -> Authorizer:
    """An authorizer refusing every statement that would write, noting each in REFUSED."""

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
        if action in _WRITES:
            if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_temp_master"):
                return sqlite3.SQLITE_OK  # SQLite asks this when reading pragma table-valued functions
            refused.append(f"{_WRITES[action]} {arg1 or ''}".strip())
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _ACTING_PRAGMAS or (arg2 is not None and name not in _READING_PRAGMAS):
                refused.append(f"PRAGMA {name}" + (f" = {arg2}" if arg2 is not None else ""))
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize
