"""Engines, sessions and read-only connections; the only place that knows SQLite's quirks.

Why the SQLite set-up looks the way it does:
- WAL lets readers (reports, `status`) run while the daemon writes; `synchronous=NORMAL` is the
  durable-enough pairing recommended for WAL; foreign keys are off by default in SQLite.
- Every transaction starts with `BEGIN IMMEDIATE`.  pysqlite's own deferred BEGIN lets two
  processes both read and then both try to write; the loser gets SQLITE_BUSY at once, which the
  busy timeout cannot cure (https://www.sqlite.org/lang_transaction.html).  Taking the write lock
  up front makes a second writer wait up to the busy timeout instead.  Units of work are short,
  so the serialisation costs little.  (Recipe: SQLAlchemy docs, "Serializable isolation /
  Savepoints / Transactional DDL" for pysqlite.)
Other databases get none of this: their defaults are already right.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ..errors import StorageError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
_BEGIN_OPTION = "provenance_sqlite_begin"  # execution option: which BEGIN a SQLite transaction uses


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except exc.ArgumentError as err:
        raise StorageError(f"not a database URL: {url!r} ({err})") from None
    if "\x00" in (parsed.database or ""):  # "%00" decoded: no file system takes it
        raise StorageError(f"not a database URL: {url!r} (a NUL in the file name)")
    return parsed


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL, or None for in-memory and `file:` URI databases."""
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def in_process_only(url: str) -> bool:
    """True for a SQLite database no other process can open (in memory, or a `file:` URI, kept to be safe)."""
    parsed = _parse(url)
    return parsed.get_backend_name() == "sqlite" and _sqlite_file(parsed) is None


def _one_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _journal_mode_wal(cursor: Any, busy_timeout: float) -> str:
    """Switch to WAL and return the mode in force.  The switch needs an exclusive lock and SQLite
    answers "database is locked" at once, without its busy handler, while another connection is
    making the same new database; so it is tried again until the busy timeout, as a write would be."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            return str(cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _install_sqlite_pragmas(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            mode = _journal_mode_wal(cursor, busy_timeout)
            if mode.lower() not in ("wal", "memory"):
                log.warning("SQLite refused WAL mode (journal_mode=%s); concurrent readers will block", mode)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN IMMEDIATE"))


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT_S, create: bool = True) -> Engine:
    """An Engine for URL, opened once to prove it works; StorageError with a one-line reason if not.

    A SQLite file is made when CREATE allows (the commands that store), never its folder: a typo in
    --db (`sqlite:///typo/x.db`) is an error, not a new empty database somewhere.
    """
    parsed = _parse(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if is_sqlite:
        path = _sqlite_file(parsed)
        if path is not None:
            if path.is_dir():
                raise StorageError(f"cannot open database {path}: it is a folder")
            if not path.exists() and not create:
                raise StorageError(f"no database at {path} (audit or harvest makes one; check --db)")
            if not path.parent.is_dir():
                raise StorageError(f"no folder {path.parent} for the database {path}: make it first, or check --db")
        kwargs["connect_args"] = {"timeout": busy_timeout}
    try:
        engine = create_engine(parsed, **kwargs)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        raise StorageError(f"cannot use database URL {parsed.render_as_string()}: {_one_line(err)}") from None
    if is_sqlite:
        _install_sqlite_pragmas(engine, busy_timeout)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if is_sqlite:  # a non-database file only shows itself when the schema is read
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")
    except exc.DBAPIError as err:
        engine.dispose()
        raise StorageError(f"cannot open database {parsed.render_as_string()}: {_one_line(err)}") from None
    return engine


@contextmanager
def session_scope(engine: Engine | Connection, *, readonly: bool = False) -> Iterator[Session]:
    """One short unit of work: commit on success, roll back on error.

    On SQLite a session holds the write lock from its start, so do not open a second session
    inside one (it would wait out the busy timeout); `readonly=True` takes no lock, for sessions
    that only read (they may still write TEMP tables, which are the connection's own).  ENGINE may
    be a connection from `kept_connection`, for units of work that share its temporary tables.
    Operational failures (locked, disk full, unreadable file) become StorageError.
    """
    if isinstance(engine, Connection):  # its options are changed in place: set the BEGIN each time
        bind: Engine | Connection = engine.execution_options(
            **{_BEGIN_OPTION: "BEGIN" if readonly else "BEGIN IMMEDIATE"}
        )
    else:
        bind = engine.execution_options(**{_BEGIN_OPTION: "BEGIN"}) if readonly else engine
    try:
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session
    except exc.OperationalError as err:
        raise StorageError(f"database error: {_one_line(err)}") from err


@contextmanager
def kept_connection(engine: Engine) -> Iterator[Connection]:
    """One connection for several `session_scope`s in turn: TEMP tables live as long as it does."""
    try:
        with engine.connect() as conn:
            yield conn
    except exc.OperationalError as err:
        raise StorageError(f"database error: {_one_line(err)}") from err


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside one write transaction for Alembic.

    On SQLite, foreign keys are switched off for its duration: batch migrations recreate tables,
    and dropping a referenced table with foreign keys on would fire ON DELETE CASCADE and empty
    its children (https://www.sqlite.org/foreignkeys.html#fk_schemacommands).  The pragma only
    works outside a transaction, so it is set on the raw connection before BEGIN; the result is
    verified with `foreign_key_check` before commit.
    """
    with engine.connect() as conn:
        is_sqlite = engine.dialect.name == "sqlite"
        raw = conn.connection.driver_connection if is_sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                yield conn
                if is_sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(f"migration left {len(broken)} broken foreign key(s), e.g. {broken[0]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


Authorizer = Callable[[int, str | None, str | None, str | None, str | None], int]  # sqlite3's


@contextmanager
def readonly_connection(url: str, authorizer: Authorizer | None = None) -> Iterator[Connection]:
    """A connection that cannot write, for user-supplied SQL (`report --sql`).

    SQLite: opened as a `file:...?mode=ro` URI with `query_only` on and ATTACH refused (or what
    AUTHORIZER refuses, when given), so even a statement that attaches a new file cannot create or
    change anything.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        raise StorageError(f"read-only queries are supported on SQLite only, not {parsed.get_backend_name()}")
    path = _sqlite_file(parsed)
    if path is None:
        raise StorageError("read-only queries need a SQLite database file")
    if not path.is_file():
        raise StorageError(f"no database at {path}")
    uri = f"{path.resolve().as_uri()}?mode=ro"

    def connect() -> sqlite3.Connection:
        dbapi_connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        dbapi_connection.execute("PRAGMA query_only = ON")
        dbapi_connection.set_authorizer(authorizer or _deny_attach)
        return dbapi_connection

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

    try:
        with engine.connect() as conn:
            yield conn
    except exc.DBAPIError as err:
        raise StorageError(f"query failed: {_one_line(err)}") from None
    finally:
        engine.dispose()


def _deny_attach(action: int, *_args: Any) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK
