"""One daemon per database: the lease (expiry, heartbeat, take-over), and the scheduler resuming its timetable."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from loopback import serve, text, wait_until

from provenance.config import ArchiveConfig, Config, HttpConfig, ScheduleConfig, SourceConfig, parse_duration
from provenance.daemon import LEASE, Daemon, LeaseHeld
from provenance.net.client import HttpClient
from provenance.store import daemon_repo
from provenance.store.db import session_scope

T0 = datetime(2026, 5, 1, tzinfo=UTC)
TTL = timedelta(seconds=60)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _config(**schedule) -> Config:
    return replace(
        Config(), archive=ArchiveConfig(enabled=False), schedule=ScheduleConfig(**{"lease_ttl": TTL, **schedule})
    )


def _lease(engine):
    with session_scope(engine, readonly=True) as session:
        return daemon_repo.current_lease(session, LEASE)


def test_a_second_daemon_is_refused_until_the_lease_lapses(engine):
    clock = FakeClock()
    first = Daemon(engine, _config(), clock=clock, holder="other-host:1:a")
    second = Daemon(engine, _config(), clock=clock, holder="other-host:2:b")
    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(LeaseHeld, match="other-host:1:a"):
        second.run_once()
    clock.now += TTL / 3
    assert first.heartbeat() and _lease(engine).expires_at == clock.now + TTL  # renewed
    clock.now += TTL - timedelta(seconds=1)
    assert not second.acquire()  # renewed lease still good
    clock.now += timedelta(seconds=1)
    assert second.acquire()  # lapsed: taken over
    assert _lease(engine).holder == "other-host:2:b"
    assert not first.heartbeat()  # the stalled holder learns it lost the lease, and stops
    assert first.stop.is_set() and first.lost_lease
    first.release()  # releasing someone else's lease does nothing
    assert _lease(engine).holder == "other-host:2:b"
    second.release()
    assert _lease(engine) is None


def test_a_dead_process_on_this_host_is_replaced_at_once(engine):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    clock = FakeClock()
    with session_scope(engine) as session:
        assert daemon_repo.acquire_lease(session, LEASE, f"{host}:{gone.pid}:dead", T0, timedelta(days=1))
        run_id = daemon_repo.job_started(session, "check", "check", timedelta(minutes=15), T0)
    alive_parent = Daemon(engine, _config(), clock=clock, holder=f"{host}:1:x")
    assert alive_parent.acquire()  # pid 1 never belongs to a dead daemon... but pid `gone` does
    assert _lease(engine).holder == f"{host}:1:x"
    with session_scope(engine, readonly=True) as session:
        [run] = [r for r in daemon_repo.daemon_runs(session) if r["id"] == run_id]
    assert run["status"] == "interrupted"  # the dead daemon's run is closed, not left running


def test_a_live_local_holder_is_not_replaced(engine):
    host = socket.gethostname()
    with session_scope(engine) as session:
        daemon_repo.acquire_lease(session, LEASE, f"{host}:1:init", T0, TTL)  # pid 1 is alive
    assert not Daemon(engine, _config(), clock=FakeClock()).acquire()


def test_run_once_holds_the_lease_only_while_it_runs(engine):
    clock = FakeClock()
    daemon = Daemon(engine, _config(), clock=clock)
    outcome = daemon.run_once()
    assert [name for name, _ in outcome.runs] == ["check", "archive", "reconcile"]
    assert dict(outcome.runs)["check"] == "skipped"  # no client: offline
    assert _lease(engine) is None


def _page(links: list[str]) -> str:
    return "# Watched\n\n" + "\n".join(f"- [link {i}]({url})" for i, url in enumerate(links)) + "\n"


@pytest.mark.slow  # a real scheduler's timetable
def test_serve_runs_jobs_on_the_schedule_and_a_restart_resumes_the_timetable(tmp_path, engine):
    with serve({"*": text("<html><head><title>fine</title></head><body>fine</body></html>")}) as server:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "a.md").write_text(_page([server.url(f"/p{i}") for i in range(5)]))
        config = replace(
            _config(check_every=timedelta(seconds=0.5), lease_ttl=timedelta(seconds=3)),
            http=HttpConfig(timeout=5, allow_private=(server.netloc,)),
            sources=(SourceConfig(parse_duration("1d"), path=str(docs)),),
        )

        def runs(kind):
            with session_scope(engine, readonly=True) as session:
                return daemon_repo.daemon_runs(session, kind)

        for round_ in (1, 2):
            with HttpClient(config.http) as client:
                daemon = Daemon(engine, config, client)
                thread = threading.Thread(target=lambda d=daemon: setattr(d, "outcome", d.serve()))
                thread.start()
                try:
                    assert wait_until(
                        lambda n=2 * round_ + 1: len(runs("check")) >= n and runs("reconcile"), timeout=20
                    )
                    assert _lease(engine).holder == daemon.holder
                finally:
                    daemon.stop.set()
                    thread.join(timeout=20)
                assert not thread.is_alive() and daemon.outcome.clean
            assert _lease(engine) is None  # released on a clean stop
            assert len(runs("harvest")) == 1  # due again only in a day: the restart did not harvest
        assert all(server.count(f"/p{i}") == 1 for i in range(5))  # alive: due again in 7 days
        checks = runs("check")
        assert sum(r["detail"].get("checked", 0) for r in checks) == 5  # each link once, over every run
        with session_scope(engine, readonly=True) as session:
            jobs = daemon_repo.load_jobs(session)
        assert jobs[f"harvest {docs}"].next_run_at > datetime.now(UTC) + timedelta(hours=23)


def test_a_watched_source_that_cannot_be_read_is_an_error_in_status(engine, tmp_path) -> None:
    (tmp_path / "docs").mkdir()
    with serve({"/feed.xml": text("gone", status=404)}) as server:
        feed = server.url("/feed.xml")
        config = replace(
            _config(),
            http=HttpConfig(allow_private=(server.netloc,), retries=0),
            sources=(SourceConfig(parse_duration("1d"), url=feed), SourceConfig(parse_duration("1d"), path="docs")),
            base_dir=tmp_path,
        )
        with HttpClient(config.http) as client:
            daemon = Daemon(engine, config, client=client, clock=FakeClock())
            assert daemon.run_job(f"harvest {feed}") == "error"
            assert daemon.run_job("harvest docs") == "ok"  # an empty folder is nothing to read yet, not a failure
    with session_scope(engine, readonly=True) as session:
        jobs = daemon_repo.load_jobs(session)
    assert jobs[f"harvest {feed}"].last_status == "error"
    assert jobs[f"harvest {feed}"].last_error == f"{feed}: cannot fetch {feed}: HTTP 404"
