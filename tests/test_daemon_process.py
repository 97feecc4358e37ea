"""The daemon as a real process: SIGKILL mid-cycle and restart, SIGTERM, and sharing its database.

Everything is real: `python -m provenance daemon` subprocesses, a threaded loopback HTTP server
(some pages answer slowly so a kill lands mid-cycle), one SQLite file read with the plain
sqlite3 module.  Nothing sleeps to wait: every wait polls the database with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from loopback import serve, wait_until

pytestmark = pytest.mark.slow  # real daemon processes, killed and restarted

SLOW_S = 1.5
KINDS = ("fast", "slow", "gone")


def _routes(release: threading.Event):
    """fast/N and slow/N pages answer 200 with their own text (slow ones late); gone/N and anything else 404."""

    def answer(req):
        kind, _, name = req.path.strip("/").partition("/")
        if kind == "slow":
            release.wait(SLOW_S)  # the server takes its time: a check cycle lasts several seconds
        if kind not in ("fast", "slow") or not name.rstrip("0123456789").isalpha():
            return 404, {"Content-Type": "text/html"}, b"<title>Not found</title>not here"
        page = (
            f"<html><head><title>Page {name}</title></head><body><article><h1>Page {name}</h1>"
            f"<p>The text of page {name}, which says something of its own about {name}.</p>"
            "</article></body></html>"
        )
        return 200, {"Content-Type": "text/html"}, page.encode()

    return answer


def _write_site(root: Path, server, n: int, name: str = "docs") -> list[str]:
    urls = [server.url(f"/{KINDS[i % 3]}/{name}{i}") for i in range(n)]
    docs = root / name
    docs.mkdir()
    (docs / "story.md").write_text(
        "# Story\n\n" + "".join(f"- [source {i}]({u})\n" for i, u in enumerate(urls)), encoding="utf-8"
    )
    return urls


def _write_config(root: Path, server, check_every: str = "1s") -> Path:
    config = root / "config.yaml"
    config.write_text(
        "http:\n  timeout: 5\n  retries: 0\n  per_host: 2\n"
        f"  allow_private: ['{server.netloc}']\n"
        "archive:\n  enabled: false\n"
        f"schedule:\n  check_every: {check_every}\n  reconcile_every: 1h\n  lease_ttl: 60s\n"
        "sources:\n  - path: docs/\n    every: 1h\n",
        encoding="utf-8",
    )
    return config


def _provenance(*args: str, root: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "provenance",
        *args,
        "--config",
        str(root / "config.yaml"),
        "--db",
        f"sqlite:///{root / 'shared.sqlite'}",
    ]


@contextmanager
def _daemon(root: Path, log_name: str) -> Iterator[subprocess.Popen]:
    with open(root / log_name, "wb") as log:
        proc = subprocess.Popen(_provenance("daemon", root=root), cwd=root, stdout=subprocess.DEVNULL, stderr=log)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


def _query(root: Path, sql: str, *params) -> list[tuple]:
    path = root / "shared.sqlite"
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # the daemon is still creating the schema
            return []
        raise
    finally:
        conn.close()


def _check_counts(root: Path) -> dict[str, int]:
    return dict(_query(root, "SELECT url, count(*) FROM checks GROUP BY url"))


def _running_check(root: Path) -> bool:
    return bool(_query(root, "SELECT 1 FROM runs WHERE kind = 'daemon.check' AND status = 'running'"))


def test_sigkill_mid_cycle_then_restart_loses_nothing_and_duplicates_nothing(tmp_path: Path):
    release = threading.Event()
    with serve(_routes(release)) as server:
        urls = _write_site(tmp_path, server, 24)
        _write_config(tmp_path, server)

        with _daemon(tmp_path, "first.log") as first:
            assert wait_until(lambda: len(_check_counts(tmp_path)) >= 6 and _running_check(tmp_path), timeout=60), (
                tmp_path / "first.log"
            ).read_text()
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        committed = _check_counts(tmp_path)
        requested = {u: server.count(u.split(server.netloc, 1)[1]) for u in urls}
        assert 6 <= len(committed) < len(urls), "the kill did not land mid-cycle"
        assert set(committed.values()) == {1}

        with _daemon(tmp_path, "second.log") as second:

            def settled() -> bool:  # every link checked, and findings recomputed after the last check
                rows = _query(
                    tmp_path, "SELECT last_started_at FROM daemon_jobs WHERE name = 'reconcile' AND last_status = 'ok'"
                )
                last_check = _query(tmp_path, "SELECT max(checked_at) FROM checks")[0][0]
                return (
                    len(_check_counts(tmp_path)) == len(urls)
                    and bool(rows)
                    and last_check is not None
                    and rows[0][0] >= last_check
                )

            assert wait_until(settled, timeout=60), (tmp_path / "second.log").read_text()
            runs_then = len(_query(tmp_path, "SELECT id FROM runs WHERE kind = 'daemon.check'"))
            # let the schedule run a few more check cycles: nothing is due again for days
            assert wait_until(
                lambda: (
                    len(_query(tmp_path, "SELECT id FROM runs WHERE kind = 'daemon.check' AND status = 'ok'"))
                    >= runs_then + 2
                ),
                timeout=30,
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0

    # exactly one check per link: the schedule says alive links wait 7 days and failing ones 3
    counts = _check_counts(tmp_path)
    assert set(counts) == set(urls) and set(counts.values()) == {1}
    assert _query(tmp_path, "SELECT count(*) FROM checks")[0][0] == len(urls)  # no duplicated rows
    # what the killed daemon committed was never asked again
    for url in committed:
        assert server.count(url.split(server.netloc, 1)[1]) == requested[url] == 1
    # links in flight at the kill were asked at most once more
    assert all(server.count(u.split(server.netloc, 1)[1]) <= 2 for u in urls)
    assert _query(tmp_path, "SELECT count(*) FROM documents")[0][0] == 1
    assert _query(tmp_path, "SELECT count(*) FROM links")[0][0] == len(urls)
    # the killed run is marked interrupted; the restart did not harvest again (due in an hour)
    statuses = [s for (s,) in _query(tmp_path, "SELECT status FROM runs WHERE kind = 'daemon.check' ORDER BY id")]
    assert "interrupted" in statuses and statuses[-1] == "ok"
    assert [s for (s,) in _query(tmp_path, "SELECT status FROM runs WHERE kind = 'daemon.harvest'")] == ["ok"]
    # findings are current: each gone link is failing (1 of 3 before the daemon calls it dead)
    findings = _query(tmp_path, "SELECT url, kind, evidence FROM findings WHERE url IS NOT NULL")
    by_url: dict[str, list[str]] = {}
    for url, kind, evidence in findings:
        by_url.setdefault(url, []).append(kind)
        if kind == "unreachable":
            assert json.loads(evidence)["policy"]["observed"] == "dead"
    for url in urls:
        network = [k for k in by_url.get(url, []) if k in ("dead_link", "unreachable")]
        assert network == (["unreachable"] if "/gone/" in url else []), url
    assert _query(tmp_path, "SELECT 1 FROM leases") == []  # released by the clean stop
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Traceback" not in logs
    assert "interrupted; resuming" in logs


def test_audit_report_and_status_share_the_database_with_a_working_daemon(tmp_path: Path):
    release = threading.Event()
    with serve(_routes(release)) as server:
        _write_site(tmp_path, server, 30)
        other = _write_site(tmp_path, server, 9, name="other")
        _write_config(tmp_path, server)
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        with _daemon(tmp_path, "daemon.log") as daemon:
            assert wait_until(lambda: len(_check_counts(tmp_path)) >= 3 and _running_check(tmp_path), timeout=60), (
                tmp_path / "daemon.log"
            ).read_text()
            commands = [
                _provenance("audit", str(tmp_path / "other"), root=tmp_path),
                _provenance("report", root=tmp_path),
                _provenance("report", "--format", "json", root=tmp_path),
                _provenance("status", "--format", "json", root=tmp_path),
                _provenance("reconcile", "--format", "json", root=tmp_path),
            ]
            results = [
                subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
                for cmd in commands
            ]
            assert _running_check(tmp_path) or len(_check_counts(tmp_path)) > 3  # the daemon kept working
            assert daemon.poll() is None
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
    for cmd, result in zip(commands, results, strict=True):
        assert "locked" not in result.stderr and "Traceback" not in result.stderr, (cmd, result.stderr)
        assert result.returncode in (0, 1), (cmd, result.returncode, result.stderr)
    assert results[0].returncode == 1  # the audit found the gone links (dead at once in an audit)
    status = json.loads(results[3].stdout)
    assert status["daemon"]["running"] is True and any(j["name"] == "check" for j in status["jobs"])
    log = (tmp_path / "daemon.log").read_text()
    assert "locked" not in log and "Traceback" not in log
    counts = _check_counts(tmp_path)
    assert all(counts.get(u) == 1 for u in other)  # the audit checked its links once; the daemon did not redo them


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_mid_cycle_ends_the_daemon_cleanly(tmp_path: Path, sig):
    release = threading.Event()
    with serve(_routes(release)) as server:
        urls = _write_site(tmp_path, server, 24)
        _write_config(tmp_path, server)
        with _daemon(tmp_path, "daemon.log") as daemon:
            assert wait_until(lambda: len(_check_counts(tmp_path)) >= 4 and _running_check(tmp_path), timeout=60), (
                tmp_path / "daemon.log"
            ).read_text()
            daemon.send_signal(sig)
            assert daemon.wait(timeout=5 + 5 + 10) == 0  # http.timeout + the stop grace, with room
        stopped_with = _check_counts(tmp_path)
    assert 4 <= len(stopped_with) < len(urls) and set(stopped_with.values()) == {1}
    statuses = [s for (s,) in _query(tmp_path, "SELECT status FROM runs WHERE kind = 'daemon.check' ORDER BY id")]
    assert statuses[-1] == "stopped" and "running" not in statuses
    assert _query(tmp_path, "SELECT 1 FROM leases") == []
    log = (tmp_path / "daemon.log").read_text()
    assert f"received {signal.Signals(sig).name}" in log and "Traceback" not in log


def test_a_second_daemon_waits_and_takes_over_when_the_first_dies(tmp_path: Path):
    release = threading.Event()
    with serve(_routes(release)) as server:
        urls = _write_site(tmp_path, server, 24)
        _write_config(tmp_path, server)

        def holder_pid() -> int | None:
            rows = _query(tmp_path, "SELECT holder FROM leases WHERE name = 'daemon'")
            return int(rows[0][0].split(":")[1]) if rows else None

        with _daemon(tmp_path, "a.log") as first:
            assert wait_until(lambda: holder_pid() == first.pid and _running_check(tmp_path), timeout=60)
            with _daemon(tmp_path, "b.log") as second:
                assert wait_until(lambda: "waiting" in (tmp_path / "b.log").read_text(), timeout=60)
                assert holder_pid() == first.pid  # one daemon works, the other stands by
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=30)
                assert wait_until(lambda: holder_pid() == second.pid, timeout=30), (tmp_path / "b.log").read_text()
                assert wait_until(lambda: len(_check_counts(tmp_path)) == len(urls), timeout=60)
                second.send_signal(signal.SIGTERM)
                assert second.wait(timeout=30) == 0
    assert set(_check_counts(tmp_path).values()) == {1}  # never checked twice, across both daemons
    assert "taken over from" in (tmp_path / "b.log").read_text()
