"""`provenance daemon --once --offline` on the seeds, then `provenance status` shows the cycle (real processes)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from helpers import run_cli

pytestmark = pytest.mark.slow  # each test runs the CLI in a subprocess

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "config.yaml").write_text("sources:\n  - path: seeds/\n    every: 1d\n", encoding="utf-8")
    return tmp_path


def _run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, "--db", "sqlite:///p.sqlite", cwd=workdir)


def test_once_offline_on_the_seeds_then_status_shows_the_cycle(workdir: Path):
    result = _run(workdir, "daemon", "--once", "--offline")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "job reconcile ok" in result.stderr  # logs with levels in the standard format
    assert " INFO provenance.daemon: " in result.stderr

    status = _run(workdir, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    jobs = {job["name"]: job for job in data["jobs"]}
    assert set(jobs) == {"harvest seeds/", "check", "archive", "reconcile"}
    assert jobs["harvest seeds/"]["last_status"] == "ok" and jobs["harvest seeds/"]["last_detail"]["documents"] == 2
    assert jobs["check"]["last_status"] == "skipped" and jobs["check"]["last_detail"]["skipped"] == "offline"
    assert jobs["reconcile"]["last_status"] == "ok" and jobs["reconcile"]["last_detail"]["findings"] > 0
    for job in jobs.values():
        assert job["last_finished_at"] >= job["last_started_at"] and job["next_run_at"] > job["last_started_at"]
    assert data["daemon"]["running"] is False  # --once released the lease
    assert data["links"]["due"] > 0 and data["links"]["due"] == data["links"]["never_checked"]  # offline
    assert data["last_error"] is None

    table = _run(workdir, "status")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].startswith("daemon:") and "not running" in lines[0]
    assert any(line.startswith("harvest seeds/") and " ok " in line for line in lines)
    assert any(line.startswith("check") and "skipped" in line for line in lines)

    csv_out = _run(workdir, "status", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("name,kind,every_s")

    # the cycle's findings are stored like an audit's, so reports see them
    conn = sqlite3.connect(workdir / "p.sqlite")
    try:
        assert (
            conn.execute("SELECT count(*) FROM findings").fetchone()[0] == jobs["reconcile"]["last_detail"]["findings"]
        )
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
        runs = conn.execute("SELECT kind, status FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()
    assert runs == [
        ("daemon.harvest", "ok"),
        ("daemon.check", "skipped"),
        ("daemon.archive", "skipped"),
        ("daemon.reconcile", "ok"),
    ]


def test_once_refuses_politely_while_another_daemon_holds_the_lease(workdir: Path):
    assert _run(workdir, "db", "upgrade").returncode == 0
    conn = sqlite3.connect(workdir / "p.sqlite")
    with conn:
        conn.execute(
            "INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES "
            "('daemon', 'elsewhere:42:abc', '2026-01-01 00:00:00', '2026-01-01 00:00:00', "
            "'2999-01-01 00:00:00')"
        )
    conn.close()
    result = _run(workdir, "daemon", "--once", "--offline")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1].startswith("provenance: another daemon (elsewhere:42:abc)")
    assert "Traceback" not in result.stderr
    status = json.loads(_run(workdir, "status", "--format", "json").stdout)
    assert status["daemon"] == {
        "running": True,
        "holder": "elsewhere:42:abc",
        "lease_expires_at": "2999-01-01T00:00:00Z",
    }


def test_status_in_html_is_a_one_line_error(workdir: Path):
    result = _run(workdir, "status", "--format", "html")
    assert result.returncode == 2
    assert result.stderr.strip() == "provenance: --format html is not available for status (use table, json or csv)"


def test_a_missing_source_fails_its_job_and_the_cycle_goes_on(workdir: Path):
    (workdir / "config.yaml").write_text(
        "sources:\n  - path: nowhere/\n    every: 1d\n  - url: https://news.example/feed.xml\n    every: 6h\n",
        encoding="utf-8",
    )
    result = _run(workdir, "daemon", "--once", "--offline")
    assert result.returncode == 4  # a job failed: cron sees it
    assert "job harvest https://news.example/feed.xml skipped" in result.stderr  # offline: no fetch, no error
    assert "job harvest nowhere/ failed: InputError: no such file, folder or URL" in result.stderr
    assert "job reconcile ok" in result.stderr  # and the cycle went on
    assert "Traceback" not in result.stderr
