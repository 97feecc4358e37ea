"""Read-only `--sql`: one query on a read-only connection, any write refused with one line.

Three locks, any one of which suffices: the file is opened `mode=ro` with `query_only`
(store/db.py), and an authorizer refuses every statement that would write before it runs, which
also gives the user a message naming what was refused.  It also refuses `fts3_tokenizer()`, which
hands out a pointer into the process's memory.

The rows are streamed to the output as SQLite makes them (a million rows are not held), and the
query is watched while SQLite works (a progress handler): it stops once it has had
`--sql-timeout` seconds of SQLite's time, or at Ctrl-C, which Python alone would only notice when
SQLite next hands back a row.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from sqlalchemy.engine import Connection, CursorResult

from ..config import SQL_SECONDS
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
_REFUSED_FUNCTIONS = {"fts3_tokenizer", "load_extension"}  # a pointer into memory; code from a file
_ACTING_PRAGMAS = {"wal_checkpoint", "optimize", "shrink_memory", "incremental_vacuum"}
_REFUSALS = ("readonly", "read-only", "query_only", "not authorized", "authorization denied", "may not be modified")


@contextmanager
def sql_table(db_url: str, sql: str, seconds: float = SQL_SECONDS) -> Iterator[Table]:
    """QUERY on a read-only connection, as a Table whose rows are read while the block writes them;
    a statement that would write is refused with one line, a query over its time is stopped."""
    if not sql.strip():
        raise ConfigError("--sql needs a query")
    if not seconds > 0:
        raise ConfigError("--sql-timeout must be a positive number of seconds")
    refused: list[str] = []
    watch = _Watch(seconds)
    try:
        with readonly_connection(db_url, _read_only_authorizer(refused)) as conn, watch.watching(conn):
            with watch.working():
                result = conn.exec_driver_sql(sql)
            if not result.returns_rows:  # a statement, not a query, that the locks let through
                raise _refused(sql, refused)
            yield Table("sql", list(result.keys()), watch.rows(result))
    except StorageError as err:
        if watch.stopped == "interrupted":
            raise KeyboardInterrupt from None
        if watch.stopped == "time":
            raise StorageError(f"--sql stopped after {seconds:g} s of work (--sql-timeout)") from None
        text = str(err)
        if refused or any(word in text.lower() for word in _REFUSALS):
            raise _refused(sql, refused) from None
        if "one statement at a time" in text:
            raise ConfigError("--sql takes one statement") from None
        raise


def _refused(sql: str, refused: list[str]) -> StorageError:
    """The one line saying SQL was refused, naming what the authorizer refused when it did."""
    verb = sql.split(None, 1)[0].upper()
    detail = next((r for r in refused if "sqlite_" not in r), refused[0]) if refused else ""
    return StorageError(
        f"--sql is read-only: the {verb} statement was refused{f' ({detail})' if detail else ''}; nothing was changed"
    )


class _Watch:
    """SQLite's time on one query, counted only while it works (not while the rows are written),
    and the progress handler that stops it over SECONDS or at Ctrl-C."""

    _EVERY = 1000  # SQLite virtual-machine steps between two looks

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.since: float | None = None
        self.interrupted = False
        self.stopped: str | None = None

    @contextmanager
    def watching(self, conn: Connection) -> Iterator[None]:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.set_progress_handler(self._look, self._EVERY)
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_ctrl_c) if in_main else None
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
            if in_main:
                signal.signal(signal.SIGINT, previous)
        if self.interrupted:  # Ctrl-C while the rows were being written: as Python would have had it
            raise KeyboardInterrupt

    @contextmanager
    def working(self) -> Iterator[None]:
        self.since = time.monotonic()
        try:
            yield
        finally:
            self.spent += time.monotonic() - self.since
            self.since = None

    def rows(self, result: CursorResult[Any]) -> Iterator[tuple[Any, ...]]:
        source = iter(result)
        while True:
            with self.working():
                row = next(source, None)
            if row is None:
                return
            yield tuple(row)

    def _on_ctrl_c(self, _signum: int, _frame: FrameType | None) -> None:
        self.interrupted = True

    def _look(self) -> int:
        if self.interrupted:
            self.stopped = "interrupted"
        elif self.since is not None and self.spent + time.monotonic() - self.since > self.seconds:
            self.stopped = "time"
        return 1 if self.stopped else 0


def _read_only_authorizer(refused: list[str]) -> Authorizer:
    """An authorizer refusing every statement that would write, noting each in REFUSED."""

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
        if action in _WRITES:
            if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_temp_master"):
                return sqlite3.SQLITE_OK  # SQLite asks this when reading pragma table-valued functions
            refused.append(f"{_WRITES[action]} {arg1 or ''}".strip())
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _REFUSED_FUNCTIONS:
            refused.append(f"{arg2}()")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _ACTING_PRAGMAS or (arg2 is not None and name not in _READING_PRAGMAS):
                refused.append(f"PRAGMA {name}" + (f" = {arg2}" if arg2 is not None else ""))
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize
