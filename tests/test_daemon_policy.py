"""The daemon's dead-link policy end to end over simulated time: real checks, real SQLite, no sleeping.

The clock is injected into the daemon (and through it into due-ness, every check's
`checked_at` and reconcile), and days pass by moving it; the loopback server answers for real.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loopback import serve

from provenance import pipeline
from provenance.config import ArchiveConfig, Config, HttpConfig, ScheduleConfig, SourceConfig, parse_duration
from provenance.daemon import Daemon
from provenance.jsonvalues import iso_datetime
from provenance.net.client import HttpClient
from provenance.records import FindingKind
from provenance.report.output import write
from provenance.report.status import read_status
from provenance.store import daemon_repo, repo
from provenance.store.db import session_scope
from provenance.store.migrate import open_store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def day(self, n: float) -> None:
        self.now = T0 + timedelta(days=n)


@pytest.fixture
def world(tmp_path: Path):
    """A loopback site with a page that is gone (until revived), one alive, one behind a bot wall."""
    state = {"gone_status": 404}
    routes = {
        "/gone": lambda req: (state["gone_status"], {"Content-Type": "text/html"}, b"<title>x</title>gone"),
        "/ok": lambda req: (
            200,
            {"Content-Type": "text/html"},
            b"<html><head><title>OK</title></head><body>ok</body></html>",
        ),
        "/bot": lambda req: (403, {"Content-Type": "text/html"}, b"<title>Forbidden</title>no robots"),
    }
    with serve(routes) as server:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "story.md").write_text(
            "# A story\n\n"
            f"Cites [the gone page]({server.url('/gone')}), [the ok page]({server.url('/ok')}) "
            f"and [a shy page]({server.url('/bot')}).\n",
            encoding="utf-8",
        )
        yield server, state, docs


def _daemon(tmp_path: Path, server, docs: Path, clock: FakeClock, **schedule) -> tuple[Daemon, HttpClient]:
    config = replace(
        Config(),
        http=HttpConfig(timeout=5, retries=0, allow_private=(server.netloc,)),
        archive=ArchiveConfig(enabled=False),
        schedule=ScheduleConfig(**schedule),
        sources=(SourceConfig(parse_duration("1d"), path=str(docs)),),
        base_dir=tmp_path,
    )
    engine = open_store(f"sqlite:///{tmp_path / 'policy.sqlite'}")
    client = HttpClient(config.http)
    return Daemon(engine, config, client, clock=clock), client


def _cycle(daemon: Daemon) -> dict[str, str]:
    return {name: daemon.run_job(name) for name in daemon.jobs()}


def _findings(daemon: Daemon, path: str, server) -> list:
    with session_scope(daemon.engine, readonly=True) as session:
        return [f for f in repo.load_findings(session) if f.url == server.url(path)]


def test_failures_spread_over_days_make_a_link_dead_and_a_success_clears_it(tmp_path, world):
    server, state, docs = world
    clock = FakeClock(T0)
    daemon, client = _daemon(tmp_path, server, docs, clock)
    try:
        assert set(_cycle(daemon).values()) == {"ok", "skipped"}  # archive is off: skipped
        assert server.count("/gone") == 1
        [finding] = _findings(daemon, "/gone", server)
        assert finding.kind is FindingKind.UNREACHABLE  # one 404: not dead yet in the daemon
        assert "failure 1 of the 3 needed" in finding.message
        assert finding.evidence["policy"]["observed"] == "dead"

        # the one-off audit's rule on the same evidence: a 404 is dead at once
        pipeline.reconcile(daemon.engine, daemon.config, now=clock)
        with session_scope(daemon.engine, readonly=True) as session:
            audit_findings = repo.load_findings(session)
        assert any(f.kind is FindingKind.DEAD_LINK and f.url == server.url("/gone") for f in audit_findings)

        clock.day(1)
        _cycle(daemon)
        assert server.count("/gone") == 1  # failing links wait failing_every (3d)
        clock.day(3)
        _cycle(daemon)
        assert server.count("/gone") == 2
        [finding] = _findings(daemon, "/gone", server)
        assert finding.kind is FindingKind.UNREACHABLE and len(finding.evidence["policy"]["failures_counted"]) == 2

        clock.day(6)
        _cycle(daemon)
        assert server.count("/gone") == 3
        [finding] = _findings(daemon, "/gone", server)
        assert finding.kind is FindingKind.DEAD_LINK
        assert finding.evidence["policy"]["failures_counted"] == [
            iso_datetime(T0 + timedelta(days=d)) for d in (0, 3, 6)
        ]

        clock.day(7)
        _cycle(daemon)
        assert server.count("/ok") == 2 and server.count("/bot") == 2  # alive links: every 7 days
        assert server.count("/gone") == 3

        state["gone_status"] = 200  # the page comes back
        clock.day(9)
        _cycle(daemon)
        assert server.count("/gone") == 4
        assert _findings(daemon, "/gone", server) == []  # one success clears it
        # a robot refused all along (403): never a failure
        assert all(f.kind is not FindingKind.DEAD_LINK for f in _findings(daemon, "/bot", server))
    finally:
        client.close()


def test_frequent_checks_do_not_convict_faster_than_the_spacing(tmp_path, world):
    server, _state, docs = world
    clock = FakeClock(T0)
    daemon, client = _daemon(tmp_path, server, docs, clock, failing_every=timedelta(days=1))
    try:
        for day in range(6):  # daily 404s, days 0..5: counted on days 0 and 3 only
            clock.day(day)
            _cycle(daemon)
            assert _findings(daemon, "/gone", server)[0].kind is FindingKind.UNREACHABLE
        assert server.count("/gone") == 6
        clock.day(6)
        _cycle(daemon)
        assert _findings(daemon, "/gone", server)[0].kind is FindingKind.DEAD_LINK
    finally:
        client.close()


def test_a_job_that_raises_is_recorded_and_the_daemon_goes_on(tmp_path, world, monkeypatch, caplog):
    server, _state, docs = world
    clock = FakeClock(T0)
    daemon, client = _daemon(tmp_path, server, docs, clock)
    real = pipeline.reconcile
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("rules exploded")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "reconcile", flaky)
    try:
        with caplog.at_level(logging.ERROR, logger="provenance.daemon"):
            first = _cycle(daemon)
        assert first["reconcile"] == "error" and first["check"] == "ok"
        assert any("rules exploded" in r.getMessage() for r in caplog.records)
        data = read_status(daemon.engine, daemon.config.schedule, now=clock)
        assert data.last_error.name == "reconcile" and "rules exploded" in data.last_error.last_error
        clock.day(1)
        assert daemon.run_job("reconcile") == "ok"
        with session_scope(daemon.engine, readonly=True) as session:
            runs = daemon_repo.daemon_runs(session, "reconcile")
            jobs = daemon_repo.load_jobs(session)
        assert [r["status"] for r in runs] == ["error", "ok"]
        assert jobs["reconcile"].last_status == "ok" and "rules exploded" in jobs["reconcile"].last_error
        assert jobs["reconcile"].next_run_at == clock() + timedelta(hours=1)
    finally:
        client.close()


def test_status_shows_due_links_backlog_and_jobs(tmp_path, world):
    server, _state, docs = world
    clock = FakeClock(T0)
    daemon, client = _daemon(tmp_path, server, docs, clock)
    try:
        harvest = next(name for name in daemon.jobs() if name.startswith("harvest"))
        daemon._register()
        daemon.run_job(harvest)
        data = read_status(daemon.engine, daemon.config.schedule, now=clock)
        assert (data.due, data.never_checked, data.backlog) == (3, 3, 0)
        clock.now += timedelta(hours=1)  # nobody checked for longer than check_every: a backlog
        assert read_status(daemon.engine, daemon.config.schedule, now=clock).backlog == 3
        daemon.run_job("check")
        data = read_status(daemon.engine, daemon.config.schedule, now=clock)
        assert (data.due, data.never_checked, data.backlog) == (0, 0, 0)
        clock.day(4)  # the 404 is due again (failing_every 3d), the others not (alive_every 7d)
        assert read_status(daemon.engine, daemon.config.schedule, now=clock).due == 1
        jobs = {job.name: job for job in data.jobs}
        assert jobs["check"].last_status == "ok" and jobs["check"].last_detail["checked"] == 3
        assert jobs["reconcile"].last_status is None  # registered, never run
        from io import StringIO

        out = StringIO()
        write(data, "table", out)
        table = out.getvalue()
        assert "links due:  0" in table and "check" in table and "never" in table
    finally:
        client.close()
