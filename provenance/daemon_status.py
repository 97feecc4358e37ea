"""`provenance status`: the daemon's state as the database holds it, for people and scripts.

Read-only and independent of a running daemon: the lease says whether one runs (and who),
`daemon_jobs` each job's last and next run and last error, and the check history how many links
are due now and how many are overdue (the backlog: due for longer than one `check_every`).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.engine import Engine

from .config import Config
from .errors import ConfigError
from .store import daemon_repo, repo
from .store.db import session_scope


def status(engine: Engine, config: Config, now: datetime | None = None) -> dict[str, Any]:
    """The daemon's state as JSON-ready data: lease, links due and backlog, each job's last and next run."""
    now = now or datetime.now(UTC)
    with session_scope(engine, readonly=True) as session:
        lease = daemon_repo.current_lease(session, daemon_repo.DAEMON_LEASE)
        jobs = daemon_repo.load_jobs(session)
        counts = repo.due_counts(session, now, config.schedule)
    running = lease is not None and lease.expires_at > now
    errors = [j for j in jobs.values() if j.last_error_at is not None]
    last_error = max(errors, key=lambda j: j.last_error_at) if errors else None
    return repo.to_json(
        {
            "schema": "provenance.status/1",
            "generated_at": now,
            "daemon": {
                "running": running,
                "holder": lease.holder if lease else None,
                "lease_expires_at": lease.expires_at if lease else None,
            },
            "links": {"due": counts["due"], "never_checked": counts["never_checked"], "backlog": counts["overdue"]},
            "last_error": {"job": last_error.name, "at": last_error.last_error_at, "error": last_error.last_error}
            if last_error
            else None,
            "jobs": [
                {
                    "name": j.name,
                    "kind": j.kind,
                    "every_s": j.every.total_seconds(),
                    "last_started_at": j.last_started_at,
                    "last_finished_at": j.last_finished_at,
                    "last_status": j.last_status,
                    "last_detail": j.last_detail,
                    "next_run_at": j.next_run_at,
                    "last_error": j.last_error,
                    "last_error_at": j.last_error_at,
                }
                for j in jobs.values()
            ],
        }
    )


def _when(value: str | None) -> str:
    return value[:19].replace("T", " ") + "Z" if value else "-"


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def format_status(data: dict[str, Any], fmt: str, out: IO[str]) -> None:
    """Write `status()` data as a table (for people), JSON or CSV (one row per job)."""
    if fmt == "json":
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        columns = [
            "name",
            "kind",
            "every_s",
            "last_started_at",
            "last_finished_at",
            "last_status",
            "next_run_at",
            "last_error",
            "last_error_at",
        ]
        writer.writerow(columns)
        for job in data["jobs"]:
            writer.writerow(["" if job[c] is None else job[c] for c in columns])
        return
    if fmt != "table":
        raise ConfigError(f"--format {fmt} is not available for status (use table, json or csv)")
    daemon, links = data["daemon"], data["links"]
    state = (
        f"running as {daemon['holder']} (lease until {_when(daemon['lease_expires_at'])})"
        if daemon["running"]
        else "not running"
    )
    out.write(f"daemon:     {state}\n")
    out.write(
        f"links due:  {links['due']} ({links['never_checked']} never checked); "
        f"backlog: {links['backlog']} (due for longer than check_every)\n"
    )
    error = data["last_error"]
    told = f"{error['job']} at {_when(error['at'])}: {error['error']}" if error else "-"
    out.write(f"last error: {told}\n")
    rows = [("JOB", "EVERY", "LAST RUN", "STATUS", "TOOK", "NEXT RUN", "LAST ERROR")]
    for job in data["jobs"]:
        took = (job["last_detail"] or {}).get("seconds")
        rows.append(
            (
                job["name"],
                _every(job["every_s"]),
                _when(job["last_started_at"]),
                job["last_status"] or "never",
                f"{took:.1f}s" if isinstance(took, (int, float)) else "-",
                _when(job["next_run_at"]),
                (job["last_error"] or "-")[:80],
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
