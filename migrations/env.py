"""Alembic environment for provenance.

Configured from code (provenance.store.migrate), not from alembic.ini.  When the caller passes
a connection in `config.attributes["connection"]` (the normal path: it already holds the write
transaction), it is used as is; otherwise an engine is made from `sqlalchemy.url`.
`render_as_batch=True` because SQLite can only alter most things by recreating the table.
"""

from __future__ import annotations

from alembic import context

from provenance.store.db import make_engine
from provenance.store.schema import metadata

config = context.config
target_metadata = metadata


def _configure(**kwargs) -> None:
    context.configure(target_metadata=target_metadata, render_as_batch=True, compare_type=True, **kwargs)


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (alembic --sql)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
