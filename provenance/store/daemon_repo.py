"""The daemon's reads and writes: its jobs' state, the runs it interrupted, the lease lock.

Kept apart from the evidence (documents, links, checks, findings) because it is the daemon's own
book-keeping; same rules: callers own the transaction, nothing here commits, records out.

The lease is a row per lock name.  Taking it is one conditional UPDATE (free, expired, or
already ours), else one INSERT that fails on the primary key when someone else got there first:
correct on SQLite (whose sessions hold the write lock from BEGIN) and on PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import StorageError
from ..jsonvalues import to_json
from .rows import inserted_id, written
from .schema import daemon_jobs, leases, runs

DAEMON_LEASE = "daemon"  # the lock the daemon takes: one daemon per database


def start_run(session: Session, kind: str, now: datetime, detail: dict[str, Any] | None = None) -> int:
    """Record that a run (audit, check cycle, ...) started; returns its id for finish_run."""
    values = {"kind": kind, "started_at": now, "status": "running", "detail": to_json(detail or {})}
    return inserted_id(session, insert(runs).values(**values))


def finish_run(session: Session, run_id: int, now: datetime, status: str, detail: dict[str, Any]) -> None:
    """Record how run RUN_ID ended."""
    result = written(
        session, update(runs).where(runs.c.id == run_id).values(finished_at=now, status=status, detail=to_json(detail))
    )
    if result.rowcount == 0:
        raise StorageError(f"no run with id {run_id}")


@dataclass(frozen=True)
class JobState:
    """One daemon job as stored: its interval, when it runs next, how its last run went."""

    name: str
    kind: str
    every: timedelta
    next_run_at: datetime | None = None
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_detail: dict[str, Any] | None = None
    last_run_id: int | None = None


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime


def _job(r: Any) -> JobState:
    return JobState(
        name=r["name"],
        kind=r["kind"],
        every=timedelta(seconds=r["every_s"]),
        next_run_at=r["next_run_at"],
        last_started_at=r["last_started_at"],
        last_finished_at=r["last_finished_at"],
        last_status=r["last_status"],
        last_error=r["last_error"],
        last_error_at=r["last_error_at"],
        last_detail=r["last_detail"],
        last_run_id=r["last_run_id"],
    )


def load_jobs(session: Session) -> dict[str, JobState]:
    """Every stored job by name."""
    rows = session.execute(select(daemon_jobs).order_by(daemon_jobs.c.id)).mappings()
    return {r["name"]: _job(r) for r in rows}


def register_jobs(session: Session, wanted: dict[str, tuple[str, timedelta]]) -> dict[str, JobState]:
    """Make the stored jobs the configured ones ({name: (kind, every)}), keeping what is known of each."""
    stored = load_jobs(session)
    gone = [name for name in stored if name not in wanted]
    if gone:
        session.execute(delete(daemon_jobs).where(daemon_jobs.c.name.in_(gone)))
    for name, (kind, every) in wanted.items():
        if name not in stored:
            session.execute(insert(daemon_jobs).values(name=name, kind=kind, every_s=every.total_seconds()))
        elif stored[name].every != every or stored[name].kind != kind:
            session.execute(
                update(daemon_jobs).where(daemon_jobs.c.name == name).values(kind=kind, every_s=every.total_seconds())
            )
    return load_jobs(session)


def job_started(session: Session, name: str, kind: str, every: timedelta, now: datetime) -> int:
    """Record that job NAME started (a `runs` row, kind `daemon.KIND`; the job's row if new); returns the run id."""
    run_id = start_run(session, f"daemon.{kind}", now, {"job": name})
    values = {"last_started_at": now, "last_status": "running", "last_run_id": run_id}
    if not written(session, update(daemon_jobs).where(daemon_jobs.c.name == name).values(**values)).rowcount:
        session.execute(insert(daemon_jobs).values(name=name, kind=kind, every_s=every.total_seconds(), **values))
    return run_id


def job_finished(
    session: Session,
    name: str,
    run_id: int,
    now: datetime,
    *,
    status: str,
    detail: dict[str, Any],
    next_run_at: datetime | None,
    error: str | None = None,
) -> None:
    """Record how job NAME's run RUN_ID ended and when it is due next."""
    detail = to_json({"job": name, **detail, **({"error": error} if error else {})})
    finish_run(session, run_id, now, status, detail)
    values: dict[str, Any] = {
        "last_finished_at": now,
        "last_status": status,
        "last_detail": detail,
        "next_run_at": next_run_at,
    }
    if error:
        values.update(last_error=error, last_error_at=now)
    session.execute(update(daemon_jobs).where(daemon_jobs.c.name == name).values(**values))


def interrupt_stale_runs(session: Session, now: datetime) -> int:
    """Mark daemon runs still 'running' as 'interrupted' (call only while holding the lease)."""
    stale = runs.c.kind.like("daemon.%") & (runs.c.status == "running")
    result = written(session, update(runs).where(stale).values(status="interrupted", finished_at=now))
    session.execute(update(daemon_jobs).where(daemon_jobs.c.last_status == "running").values(last_status="interrupted"))
    return int(result.rowcount or 0)


def daemon_runs(session: Session, kind: str | None = None) -> list[dict[str, Any]]:
    """The daemon's runs, oldest first (for status and tests): id, kind, times, status, detail."""
    query = select(runs).where(runs.c.kind.like("daemon.%")).order_by(runs.c.id)
    if kind is not None:
        query = query.where(runs.c.kind == f"daemon.{kind}")
    return [dict(r) for r in session.execute(query).mappings()]


# --- the lease --------------------------------------------------------------------------------


def _lease(r: Any) -> Lease:
    return Lease(
        name=r["name"],
        holder=r["holder"],
        acquired_at=r["acquired_at"],
        renewed_at=r["renewed_at"],
        expires_at=r["expires_at"],
    )


def current_lease(session: Session, name: str) -> Lease | None:
    row = session.execute(select(leases).where(leases.c.name == name)).mappings().first()
    return _lease(row) if row else None


def acquire_lease(
    session: Session, name: str, holder: str, now: datetime, ttl: timedelta, *, steal_from: str | None = None
) -> bool:
    """Take lock NAME for HOLDER until NOW+TTL if it is free, expired, ours, or held by STEAL_FROM."""
    mine = or_(leases.c.holder == holder, leases.c.expires_at <= now)
    if steal_from is not None:
        mine = or_(mine, leases.c.holder == steal_from)
    result = written(
        session,
        update(leases)
        .where(and_(leases.c.name == name, mine))
        .values(holder=holder, acquired_at=now, renewed_at=now, expires_at=now + ttl),
    )
    if result.rowcount:
        return True
    if current_lease(session, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(
                insert(leases).values(name=name, holder=holder, acquired_at=now, renewed_at=now, expires_at=now + ttl)
            )
    except IntegrityError:
        return False
    return True


def renew_lease(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Extend HOLDER's lock to NOW+TTL; False when it is no longer HOLDER's (taken over)."""
    result = written(
        session,
        update(leases)
        .where(leases.c.name == name, leases.c.holder == holder)
        .values(renewed_at=now, expires_at=now + ttl),
    )
    return bool(result.rowcount)


def release_lease(session: Session, name: str, holder: str) -> bool:
    """Give the lock up (only HOLDER can)."""
    result = written(session, delete(leases).where(leases.c.name == name, leases.c.holder == holder))
    return bool(result.rowcount)
