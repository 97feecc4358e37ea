"""Several engines (standing in for processes) and real processes on one SQLite file."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from provenance.records import CheckResult, DocumentFormat, HarvestedDocument, LinkRef, LinkRole, LinkStatus
from provenance.store import repo
from provenance.store.db import make_engine, session_scope
from provenance.store.migrate import open_store
from provenance.store.schema import checks, documents

T0 = datetime(2026, 1, 1, tzinfo=UTC)


# Not test_store_repo._doc: writers race on many tiny documents of one link, nothing else stored.
def _doc(source: str) -> HarvestedDocument:
    return HarvestedDocument(
        source,
        DocumentFormat.TEXT,
        None,
        None,
        None,
        "t",
        "f",
        (LinkRef(f"https://e.org/{source}", source, LinkRole.CITED),),
    )


def _write_many(url: str, name: str, count: int) -> None:
    """One 'process': a harvest and a check per unit of work, each its own short transaction."""
    engine = open_store(url)
    for i in range(count):
        with session_scope(engine) as s:
            repo.save_harvest(s, _doc(f"{name}-{i}"), T0)
        with session_scope(engine) as s:
            repo.latest_checks(s)  # read, then write in the same transaction
            repo.record_check(s, CheckResult(f"https://e.org/{name}-{i}", LinkStatus.ALIVE, T0 + timedelta(seconds=i)))
    engine.dispose()


def test_two_engines_alternating_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    a, b = open_store(url), open_store(url)
    for i in range(20):
        for name, engine in (("a", a), ("b", b)):
            with session_scope(engine) as s:
                repo.save_harvest(s, _doc(f"{name}{i}"), T0)
                repo.record_check(s, CheckResult(f"https://e.org/{name}{i}", LinkStatus.ALIVE, T0))
            with session_scope(engine, readonly=True) as s:
                assert f"https://e.org/{name}{i}" in repo.latest_checks(s)
    with session_scope(a) as s:
        assert s.execute(select(func.count()).select_from(documents)).scalar_one() == 40
        assert s.execute(select(func.count()).select_from(checks)).scalar_one() == 40


@pytest.mark.slow  # writer subprocesses
def test_processes_writing_at_once_never_see_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    open_store(url).dispose()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(url, f"p{n}", 40)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    engine = make_engine(url)
    with session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(documents)).scalar_one() == 120
        assert s.execute(select(func.count()).select_from(checks)).scalar_one() == 120


def test_a_session_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a read-then-write unit cannot lose its snapshot to another writer (SQLITE_BUSY)."""
    path = tmp_path / "shared.sqlite"
    engine = open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with session_scope(engine) as s:
            repo.latest_checks(s)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_readers_do_not_block_a_writer(tmp_path: Path) -> None:
    """WAL: an open read transaction elsewhere does not stop a write, and sees its old snapshot."""
    path = tmp_path / "shared.sqlite"
    engine = open_store(f"sqlite:///{path}")
    reader = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        with session_scope(engine) as s:
            repo.save_harvest(s, _doc("x"), T0)
        assert reader.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    finally:
        reader.close()


def test_readonly_sessions_take_no_lock_and_can_nest(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    with session_scope(engine, readonly=True) as outer:
        repo.latest_checks(outer)
        with session_scope(engine) as inner:  # would wait out the busy timeout if outer held the lock
            repo.save_harvest(inner, _doc("x"), T0)
    with session_scope(engine, readonly=True) as s:
        assert [d.source for d in repo.load_documents(s)] == ["x"]


def test_lock_held_past_the_busy_timeout_is_a_storage_error(tmp_path: Path) -> None:
    from provenance.errors import StorageError

    path = tmp_path / "shared.sqlite"
    open_store(f"sqlite:///{path}").dispose()
    engine = make_engine(f"sqlite:///{path}", busy_timeout=0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError, match="database error: database is locked"), session_scope(engine) as s:
            repo.save_harvest(s, _doc("x"), T0)
        holder.execute("ROLLBACK")
        with session_scope(engine) as s:  # and works again once the lock is gone
            repo.save_harvest(s, _doc("x"), T0)
    finally:
        holder.close()


def test_readonly_session_reads_one_consistent_snapshot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    reader, writer = open_store(url), open_store(url)
    with session_scope(reader, readonly=True) as s:
        assert repo.load_documents(s) == []
        with session_scope(writer) as w:
            repo.save_harvest(w, _doc("x"), T0)
        assert repo.load_documents(s) == []  # same transaction, same snapshot
    with session_scope(reader, readonly=True) as s:
        assert [d.source for d in repo.load_documents(s)] == ["x"]
