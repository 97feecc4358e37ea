"""The daemon: the pipeline's stages on a schedule, with every piece of its state in the database.

Design decisions:
- **Jobs are stage calls.**  `harvest <source>` per configured source (on its `every`), `check`
  (due links, on `schedule.check_every`), `archive` (snapshot look-ups and drift for links whose
  look-up is stale, same interval) and `reconcile` (on `schedule.reconcile_every`, and right
  after a check run that stored something, so findings stay current).  A harvest that stored
  documents brings the check run forward, so new links are checked at once.  Each is a plain method
  that the scheduler, `--once` and tests call alike (`run_job`), with the clock injected.
- **State lives in our tables, not APScheduler's.**  `daemon_jobs` holds each job's next run,
  last run and last error; `runs` the history of every run.  The scheduler uses an in-memory job
  store and gets each job's `next_run_time` from the database, so a restart resumes the
  timetable instead of restarting it.  What is *due* is never stored in the database: it is a
  query over the check history, kept for one check run in a TEMP table of its own connection
  (`repo.snapshot_due_urls`), so a check run killed with SIGKILL resumes exactly where its
  commits stopped, and a link whose result was committed is never checked twice.
- **APScheduler 3**: BackgroundScheduler, UTC, `max_instances=1`, `coalesce=True` (missed runs
  collapse into one), `misfire_grace_time` of one interval; jobs run on a pool of two threads
  (a long check does not hold up harvests), the lease heartbeat on its own one-thread executor
  so no job can starve it.  A job that raises is logged, recorded as `error`, and the daemon
  goes on.
- **One daemon per database**: a lease row (holder, expires_at) taken at start and renewed by
  the heartbeat every third of `schedule.lease_ttl`.  A daemon that finds the lease held waits
  (or, with `--once`, says so and exits).  A holder that died is replaced when its lease lapses,
  or at once when it was a process on this host that no longer exists.  Losing the lease (taken
  over after a stall) stops the daemon rather than doubling the work.
- **Stopping**: SIGTERM/SIGINT set an event; a check run stops after the batch at hand is
  committed; shutdown waits for running jobs up to `http.timeout + STOP_GRACE_S`.  Whatever was
  committed stays; runs a killed process left as `running` are marked `interrupted` at the next
  start.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from . import pipeline
from .clock import Clock, utcnow
from .config import Config, SourceConfig
from .errors import LeaseHeld, ProvenanceError
from .memory import release_free_memory
from .net.base import Client
from .reconcile.policy import DeadLinkPolicy
from .store import daemon_repo
from .store.db import session_scope

log = logging.getLogger(__name__)

LEASE = daemon_repo.DAEMON_LEASE
STOP_GRACE_S = 5.0  # beyond http.timeout: how long a stop waits for running jobs
STANDBY_POLL_S = 5.0  # how often a waiting daemon tries the lease again (at most)


@dataclass(frozen=True)
class JobSpec:
    name: str
    kind: str  # harvest, check, archive, reconcile
    every: timedelta
    run: Callable[[], dict[str, Any]]


class JobFailed(Exception):
    """A job that ran to its end yet did not do its work (a watched source that could not be read):
    recorded as an error, with what it did find in DETAIL."""

    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass
class DaemonOutcome:
    """How a daemon run ended: `clean` False when jobs were still running at the stop deadline."""

    clean: bool = True
    lost_lease: bool = False
    runs: list[tuple[str, str]] = field(default_factory=list)  # (job, status) in order, for --once


def new_holder() -> str:
    """host:pid:random, so a same-host successor can tell whether the holder still runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_is_dead(holder: str) -> bool:
    """True only for a holder on this host whose process is gone (a zombie counts as gone)."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class Daemon:
    """The scheduled service over one database; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        client: Client | None = None,
        *,
        archives: bool = True,
        clock: Clock = utcnow,
        holder: str | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.engine, self.config, self.client = engine, config, client
        self.archives = archives and config.archive.enabled
        self.clock = clock
        self.holder = holder or new_holder()
        self.stop = stop or threading.Event()
        self.policy = DeadLinkPolicy.from_schedule(config.schedule)
        self.lost_lease = False
        self._scheduler: Any = None
        self._active: set[str] = set()  # jobs running now (the scheduler never runs one job twice at once)
        self._idle = threading.Condition()

    # --- jobs ---------------------------------------------------------------------------------

    def jobs(self) -> dict[str, JobSpec]:
        """The configured jobs by name."""
        schedule = self.config.schedule
        specs = [
            JobSpec(f"harvest {src.path or src.url}", "harvest", src.every, functools.partial(self._harvest, src))
            for src in self.config.sources
        ]
        specs += [
            JobSpec("check", "check", schedule.check_every, self._check),
            JobSpec("archive", "archive", schedule.check_every, self._archive),
            JobSpec("reconcile", "reconcile", schedule.reconcile_every, self._reconcile),
        ]
        return {spec.name: spec for spec in specs}

    def _harvest(self, source: SourceConfig) -> dict[str, Any]:
        if source.url is not None and self.client is None:
            return {"skipped": "offline"}
        outcome = pipeline.harvest_source(self.engine, self.config, source, self.client, now=self.clock)
        for where, reason in outcome.errors:
            log.warning("harvest %s: %s", where, reason)
        if outcome.document_ids:
            self._run_soon("check")  # new links are checked at once, not at the next interval
        detail = {
            "documents": len(outcome.document_ids),
            "errors": [list(e) for e in outcome.errors[:20]],
            "error_count": len(outcome.errors),
        }
        if outcome.failure is not None:  # the source gave nothing, or what it names could not be read
            raise JobFailed(outcome.failure, detail)
        return detail

    def _check(self) -> dict[str, Any]:
        if self.client is None:
            return {"skipped": "offline"}
        with pipeline.due_urls(self.engine, self.config, now=self.clock) as urls:
            checked = pipeline.check(self.engine, self.config, self.client, urls, now=self.clock, stop=self.stop)
            due = len(urls)
        if checked and not self.stop.is_set():
            self._run_soon("reconcile")
        return {"due": due, "checked": checked}

    def _archive(self) -> dict[str, Any]:
        if self.client is None or not self.archives:
            return {"skipped": "offline" if self.client is None else "archive look-ups are off"}
        urls = pipeline.checkable_urls(self.engine)
        return {"looked_up": pipeline.archive(self.engine, self.config, self.client, urls, now=self.clock)}

    def _reconcile(self) -> dict[str, Any]:
        findings = pipeline.reconcile(self.engine, self.config, now=self.clock, policy=self.policy)
        return {"findings": findings.total}

    def _run_soon(self, name: str) -> None:
        """Ask the scheduler to run job NAME now (a no-op outside `serve`, or while NAME is running)."""
        scheduler = self._scheduler
        if scheduler is not None and name not in self._active and scheduler.get_job(name) is not None:
            scheduler.modify_job(name, next_run_time=utcnow())  # the scheduler runs on real time

    def run_job(self, name: str) -> str:
        """Run job NAME once, recording it; returns its status (ok, skipped, error, stopped). Never raises."""
        spec = self.jobs()[name]
        started = self.clock()
        try:
            with session_scope(self.engine) as session:
                run_id = daemon_repo.job_started(session, name, spec.kind, spec.every, started)
        except ProvenanceError as exc:
            log.error("job %s not started: %s", name, exc)
            return "error"
        with self._busy(name):
            log.info("job %s started", name)
            status, detail, error = "ok", {}, None
            try:
                detail = spec.run()
                if "skipped" in detail:
                    status = "skipped"
                elif self.stop.is_set() and spec.kind == "check":
                    status = "stopped"
            except JobFailed as exc:
                status, error, detail = "error", " ".join(str(exc).split())[:500], exc.detail
                log.error("job %s failed: %s", name, error)
            except Exception as exc:
                status, error = "error", " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
                log.error("job %s failed: %s", name, error)
                log.debug("job %s traceback", name, exc_info=True)
        release_free_memory()  # the daemon lives on: hand back what the job freed (memory.py)
        finished = self.clock()
        detail = {**detail, "seconds": round((finished - started).total_seconds(), 3)}
        try:
            with session_scope(self.engine) as session:
                daemon_repo.job_finished(
                    session,
                    name,
                    run_id,
                    finished,
                    status=status,
                    detail=detail,
                    next_run_at=self._next_run(name, started, spec.every),
                    error=error,
                )
        except ProvenanceError as exc:
            log.error("job %s: result not recorded: %s", name, exc)
        log.info("job %s %s: %s", name, status, detail)
        return status

    def _next_run(self, name: str, started: datetime, every: timedelta) -> datetime:
        job = self._scheduler.get_job(name) if self._scheduler is not None else None
        if job is not None and job.next_run_time is not None:
            when: datetime = job.next_run_time
            return when.astimezone(UTC)
        return started + every

    @contextmanager
    def _busy(self, name: str) -> Iterator[None]:
        with self._idle:
            self._active.add(name)
        try:
            yield
        finally:
            with self._idle:
                self._active.discard(name)
                self._idle.notify_all()

    # --- lease --------------------------------------------------------------------------------

    def acquire(self) -> bool:
        """Take the database's lease if free, expired, already ours, or left by a dead local process."""
        now = self.clock()
        with session_scope(self.engine) as session:
            current = daemon_repo.current_lease(session, LEASE)
            steal = current.holder if current is not None and _holder_is_dead(current.holder) else None
            got = daemon_repo.acquire_lease(
                session, LEASE, self.holder, now, self.config.schedule.lease_ttl, steal_from=steal
            )
            if got:
                stale = daemon_repo.interrupt_stale_runs(session, now)
        if got:
            taken = (
                f" (taken over from {current.holder})" if current is not None and current.holder != self.holder else ""
            )
            log.info("holding the database lease as %s%s", self.holder, taken)
            if stale:
                log.warning("%d run(s) of a previous daemon were interrupted; resuming", stale)
        return got

    def heartbeat(self) -> bool:
        """Renew the lease; on losing it, stop (another daemon took over after a stall)."""
        try:
            with session_scope(self.engine) as session:
                kept = daemon_repo.renew_lease(
                    session, LEASE, self.holder, self.clock(), self.config.schedule.lease_ttl
                )
        except ProvenanceError as exc:
            log.warning("lease not renewed (will retry): %s", exc)
            return True
        if not kept:
            log.error("lost the database lease to another daemon; stopping")
            self.lost_lease = True
            self.stop.set()
        return kept

    def release(self) -> None:
        try:
            with session_scope(self.engine) as session:
                daemon_repo.release_lease(session, LEASE, self.holder)
        except ProvenanceError as exc:
            log.warning("lease not released (it will lapse): %s", exc)

    def _register(self) -> dict[str, daemon_repo.JobState]:
        wanted = {name: (spec.kind, spec.every) for name, spec in self.jobs().items()}
        with session_scope(self.engine) as session:
            return daemon_repo.register_jobs(session, wanted)

    # --- modes --------------------------------------------------------------------------------

    def run_once(self) -> DaemonOutcome:
        """One full cycle (every harvest, check, archive, reconcile) under the lease; LeaseHeld if taken."""
        if not self.acquire():
            raise LeaseHeld(self._held_message())
        outcome = DaemonOutcome()
        try:
            self._register()
            for name in self.jobs():
                if self.stop.is_set():
                    break
                outcome.runs.append((name, self.run_job(name)))
        finally:
            self.release()
        return outcome

    def serve(self) -> DaemonOutcome:
        """Run until stopped: wait for the lease, then schedule the jobs from the stored timetable."""
        from apscheduler.executors.pool import ThreadPoolExecutor  # lazy: only `serve` schedules (not --once)
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        while not self.acquire():
            log.info("%s; waiting", self._held_message())
            if self.stop.wait(min(STANDBY_POLL_S, self.config.schedule.lease_ttl.total_seconds() / 3)):
                return DaemonOutcome()
        outcome = DaemonOutcome()
        scheduler = BackgroundScheduler(
            timezone=UTC, executors={"default": ThreadPoolExecutor(2), "lease": ThreadPoolExecutor(1)}
        )
        self._scheduler = scheduler
        try:
            stored = self._register()
            now = utcnow()  # the scheduler runs on real time, whatever clock stamps the runs
            for name, spec in self.jobs().items():
                due = stored[name].next_run_at if name in stored else None
                scheduler.add_job(
                    self.run_job,
                    IntervalTrigger(seconds=spec.every.total_seconds()),
                    args=[name],
                    id=name,
                    name=name,
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=max(1, int(spec.every.total_seconds())),
                    next_run_time=max(due, now) if due else now,
                )
            ttl = self.config.schedule.lease_ttl.total_seconds()
            scheduler.add_job(
                self.heartbeat,
                IntervalTrigger(seconds=max(ttl / 3, 0.2)),
                id="lease",
                executor="lease",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
            scheduler.start()
            log.info("daemon started: %s", ", ".join(self.jobs()))
            while not self.stop.wait(1.0):
                pass
            log.info("stopping: waiting for running jobs")
            scheduler.shutdown(wait=False)
            outcome.clean = self._wait_idle(self.config.http.timeout + STOP_GRACE_S)
            if not outcome.clean:
                log.warning("jobs still running at the stop deadline; exiting anyway (committed work is kept)")
        finally:
            self._scheduler = None
            if scheduler.running:
                scheduler.shutdown(wait=False)
            if not self.lost_lease:
                self.release()
        outcome.lost_lease = self.lost_lease
        return outcome

    def _wait_idle(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        with self._idle:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def _held_message(self) -> str:
        with session_scope(self.engine, readonly=True) as session:
            lease = daemon_repo.current_lease(session, LEASE)
        if lease is None:
            return "the daemon lease is held by another daemon"
        return f"another daemon ({lease.holder}) holds the lease until {lease.expires_at:%Y-%m-%d %H:%M:%S}Z"


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set STOP for the duration (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
