"""`report --sql` under limits: a runaway query stops at its time or at Ctrl-C with one line, rows
are streamed as SQLite makes them, and no function leaks the process's memory."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import run_cli as provenance

from provenance.cli import main
from provenance.report.sql import sql_table
from provenance.store.migrate import open_store

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
ENDLESS_COUNT = f"SELECT count(*) FROM ({ENDLESS})"  # never yields a row


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    open_store(url).dispose()
    return url


def test_a_runaway_query_stops_at_its_time_with_one_line(db: str) -> None:
    result = CliRunner().invoke(main, ["report", "--db", db, "--sql", ENDLESS_COUNT, "--sql-timeout", "0.5"])
    assert result.exit_code == 2
    assert result.stderr == "provenance: --sql stopped after 0.5 s of work (--sql-timeout)\n"


def test_rows_are_streamed_as_sqlite_makes_them(db: str) -> None:
    with sql_table(db, ENDLESS, seconds=30) as table:  # endless: it could never be gathered first
        rows = iter(table.rows)
        assert [next(rows) for _ in range(3)] == [(1,), (2,), (3,)]


def test_the_time_counts_sqlites_work_not_the_time_the_output_takes(db: str) -> None:
    with sql_table(db, "SELECT 1 UNION ALL SELECT 2", seconds=0.2) as table:
        rows = iter(table.rows)
        first = next(rows)
        time.sleep(0.3)  # a slow reader of the output (a pager): not SQLite's time
        assert [first, *rows] == [(1,), (2,)]


def test_fts3_tokenizer_is_refused(db: str) -> None:
    result = CliRunner().invoke(main, ["report", "--db", db, "--sql", "SELECT fts3_tokenizer('simple')"])
    assert result.exit_code == 2 and "fts3_tokenizer()" in result.stderr and "refused" in result.stderr


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


@pytest.mark.slow  # a CLI subprocess
@pytest.mark.parametrize(("query", "fmt"), [(ENDLESS_COUNT, "table"), (ENDLESS, "csv")], ids=["working", "streaming"])
def test_ctrl_c_stops_a_query_at_once(db: str, tmp_path: Path, query: str, fmt: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "provenance", "report", "--db", db, "--sql", query, "--format", fmt],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if fmt == "csv":
            assert child.stdout is not None
            assert child.stdout.readline() == "x\n" and child.stdout.readline() == "1\n"  # rows come as made
        else:
            while _cpu_seconds(child.pid) < 1.0:  # the query is well under way
                assert child.poll() is None
        child.send_signal(signal.SIGINT)
        _out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 130
    assert err.strip() == "provenance: interrupted; what was stored is kept, run the command again to finish"


@pytest.mark.slow  # a CLI subprocess
def test_the_cli_reports_the_time_limit_as_one_line(db: str, tmp_path: Path) -> None:
    result = provenance("report", "--db", db, "--sql", ENDLESS_COUNT, "--sql-timeout", "0.3", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
