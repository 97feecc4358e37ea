"""Bring a database to the latest schema with Alembic, configured in code (no alembic.ini).

The scripts live in the top-level `migrations/` folder of a source checkout and are shipped in
the wheel as `provenance/_migrations` (see pyproject's force-include), so both places are tried.
The whole upgrade runs in one write transaction (see `db.migration_connection`), which makes
two processes starting on an empty database at once safe: the second waits, then finds nothing
to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util.exc import CommandError
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from ..errors import StorageError
from .db import make_engine, migration_connection

_PACKAGE = Path(__file__).resolve().parents[1]  # .../provenance


def script_location() -> Path:
    """The Alembic scripts folder: installed copy first, else the source checkout's."""
    for candidate in (_PACKAGE / "_migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StorageError(f"migration scripts not found next to {_PACKAGE} (broken installation?)")


def alembic_config() -> AlembicConfig:
    """An Alembic Config pointing at our scripts, for `upgrade` and for tests."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(script_location()))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (alembic upgrade head); idempotent; StorageError on failure."""
    config = alembic_config()
    try:
        with migration_connection(engine) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except (CommandError, exc.SQLAlchemyError) as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()
        raise StorageError(f"cannot migrate the database: {reason[0] if reason else type(err).__name__}") from err


def open_store(url: str) -> Engine:
    """Open (creating if needed) the database at URL and migrate it: what every command calls first."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    except StorageError:
        engine.dispose()
        raise
    return engine
