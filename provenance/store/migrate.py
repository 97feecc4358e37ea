"""Bring a database to the latest schema with Alembic, configured in code (no alembic.ini).

The scripts live in the top-level `migrations/` folder of a source checkout and are shipped in
the wheel as `provenance/_migrations` (see pyproject's force-include), so both places are tried.
The whole upgrade runs in one write transaction (see `db.migration_connection`), which makes
two processes starting on an empty database at once safe: the second waits, then finds nothing
to do.

Every command opens the store first, and a database is nearly always at head already, so
`open_store` reads `alembic_version` with one plain query and compares it with HEAD_REVISION (a
test holds it equal to Alembic's own head); Alembic, with Mako and Pygments, is loaded only when
there is something to do, and then in a forked child, so a long-lived process such as the daemon
never carries it (docs/performance.md has what each saves).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from ..errors import StorageError
from .db import in_process_only, make_engine, migration_connection

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from alembic.operations import Operations

_PACKAGE = Path(__file__).resolve().parents[1]  # .../provenance
HEAD_REVISION = "0007"  # the newest migration in migrations/versions/: raise it with each new one


def script_location() -> Path:
    """The Alembic scripts folder: installed copy first, else the source checkout's."""
    for candidate in (_PACKAGE / "_migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StorageError(f"migration scripts not found next to {_PACKAGE} (broken installation?)")


def alembic_config() -> AlembicConfig:
    """An Alembic Config pointing at our scripts, for `upgrade` and for tests."""
    from alembic.config import Config as AlembicConfig  # lazy: only when there is something to migrate

    config = AlembicConfig()
    config.set_main_option("script_location", str(script_location()))
    return config


def current_revisions(engine: Engine) -> list[str] | None:
    """The revisions recorded in the database's alembic_version table; None when there is none."""
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except exc.DBAPIError:
        return None


def is_at_head(engine: Engine) -> bool:
    """True when the database already records exactly the head revision (nothing to migrate)."""
    return current_revisions(engine) == [HEAD_REVISION]


@contextmanager
def views_set_aside(op: Operations) -> Iterator[None]:
    """Drop the views for the block and create them again after: SQLite alters a table by
    rebuilding it, which a view that reads the table would not survive."""
    bind = op.get_bind()
    views: list[tuple[str, str]] = []
    if bind.dialect.name == "sqlite":
        rows = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
        views = [(str(name), str(sql)) for name, sql in rows]
        for name, _sql in views:
            op.execute(f'DROP VIEW "{name}"')
    yield
    for _name, sql in views:
        op.execute(sql)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration up to REVISION (head); idempotent; StorageError on failure."""
    _alembic(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to REVISION (for tests of a revision's downgrade); StorageError on failure."""
    _alembic(engine, "downgrade", revision)


def _alembic(engine: Engine, verb: str, revision: str) -> None:
    """Run Alembic's upgrade or downgrade in one write transaction (db.migration_connection)."""
    from alembic import command  # lazy: only when there is something to migrate (module docstring)
    from alembic.util.exc import CommandError

    config = alembic_config()
    try:
        with migration_connection(engine) as conn:
            config.attributes["connection"] = conn
            getattr(command, verb)(config, revision)
    except (CommandError, exc.SQLAlchemyError) as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()
        raise StorageError(f"cannot migrate the database: {reason[0] if reason else type(err).__name__}") from err


def open_store(url: str, *, create: bool = True) -> Engine:
    """Open the database at URL (making it, when CREATE allows) and migrate it: what every command
    calls first.  Commands that only read pass CREATE=False: no database is a one-line error."""
    engine = make_engine(url, create=create)
    try:
        if not is_at_head(engine):
            if _can_fork(url):
                _upgrade_in_child(url)
            else:
                upgrade(engine)
    except StorageError:
        engine.dispose()
        raise
    return engine


def _can_fork(url: str) -> bool:
    """Whether the upgrade may run in a forked child: POSIX, a database another process can open
    (not in-memory), and no other thread alive here (a child forked beside running threads may
    inherit a lock one of them held)."""
    return hasattr(os, "fork") and threading.active_count() == 1 and not in_process_only(url)


def _upgrade_in_child(url: str) -> None:
    """Run `upgrade` in a forked child, so Alembic, Mako and Pygments (most of a fresh audit's
    start-up imports) are never loaded into this process, which for the daemon lives on.

    The child opens its own engine (it never uses this process's connections) and reports a
    failure as one line through a pipe; the parent raises it as the StorageError it would have been.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: migrate, say why not if it fails, and leave without running any cleanup
        code = 0
        try:
            os.close(read_end)
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        except BaseException as err:  # noqa: BLE001 - everything becomes the parent's one line
            code = 1
            message = str(err) if isinstance(err, StorageError) else f"cannot migrate the database: {err!r}"
            os.write(write_end, message.encode("utf-8", "replace")[:4000])
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode("utf-8", "replace").strip()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise StorageError(message or "cannot migrate the database: the migration process died")
