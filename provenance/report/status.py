"""`provenance status`: the daemon's state as the database holds it, for people and scripts.

Read-only and independent of a running daemon: the lease says whether one runs (and who),
`daemon_jobs` each job's last and next run and last error, and the check history how many links
are due now and how many are overdue (the backlog: due for longer than one `check_every`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from ..clock import Clock, utcnow
from ..config import ScheduleConfig
from ..store import daemon_repo, repo
from ..store.daemon_repo import JobState, Lease
from ..store.db import session_scope

SCHEMA = "provenance.status/1"


@dataclass(frozen=True)
class DaemonStatus:
    """What `status` shows: whether a daemon holds the lease, links due and backlog, every job."""

    generated_at: datetime
    lease: Lease | None
    running: bool
    due: int
    never_checked: int
    backlog: int
    jobs: tuple[JobState, ...]

    @property
    def last_error(self) -> JobState | None:
        """The job whose last error is the most recent, if any job ever failed."""
        failed = [job for job in self.jobs if job.last_error_at is not None]
        return max(failed, key=_error_time) if failed else None

    def as_json(self) -> dict[str, Any]:
        """The `provenance.status/1` document (values rendered by jsonvalues.to_json)."""
        error = self.last_error
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at,
            "daemon": {
                "running": self.running,
                "holder": self.lease.holder if self.lease else None,
                "lease_expires_at": self.lease.expires_at if self.lease else None,
            },
            "links": {"due": self.due, "never_checked": self.never_checked, "backlog": self.backlog},
            "last_error": {"job": error.name, "at": error.last_error_at, "error": error.last_error} if error else None,
            "jobs": [job_json(job) for job in self.jobs],
        }


def job_json(job: JobState) -> dict[str, Any]:
    """One job as `status` shows it (JSON, CSV)."""
    return {
        "name": job.name,
        "kind": job.kind,
        "every_s": job.every.total_seconds(),
        "last_started_at": job.last_started_at,
        "last_finished_at": job.last_finished_at,
        "last_status": job.last_status,
        "last_detail": job.last_detail,
        "next_run_at": job.next_run_at,
        "last_error": job.last_error,
        "last_error_at": job.last_error_at,
    }


def _error_time(job: JobState) -> datetime:
    assert job.last_error_at is not None
    return job.last_error_at


def read_status(engine: Engine, schedule: ScheduleConfig, now: Clock = utcnow) -> DaemonStatus:
    """The daemon's state now, from the store alone."""
    when = now()
    with session_scope(engine, readonly=True) as session:
        lease = daemon_repo.current_lease(session, daemon_repo.DAEMON_LEASE)
        jobs = daemon_repo.load_jobs(session)
        counts = repo.due_counts(session, when, schedule)
    return DaemonStatus(
        generated_at=when,
        lease=lease,
        running=lease is not None and lease.expires_at > when,
        due=counts["due"],
        never_checked=counts["never_checked"],
        backlog=counts["overdue"],
        jobs=tuple(jobs.values()),
    )
