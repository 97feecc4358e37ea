"""How the `provenance` process ends (cli.run): output complete, store closed, the right status.

`run` skips the interpreter's teardown once the command is over, so these tests run real
subprocesses and look at what a user would: the status, every byte of stdout, and a database
file whose WAL was checkpointed (no -wal/-shm left beside it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import run_cli
from loopback import serve, text

from provenance.cli import _exit_status, _flush_output, main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # CLI subprocess
def test_an_audit_ends_with_its_whole_report_and_a_closed_store(tmp_path: Path) -> None:
    done = run_cli(
        "audit", str(SEEDS), "--offline", "--format", "json", "--db", f"sqlite:///{tmp_path / 'p.sqlite'}", cwd=tmp_path
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)  # every byte written before the process left
    assert len(report["documents"]) == 2 and report["links"]
    assert sorted(p.name for p in tmp_path.glob("p.sqlite*")) == ["p.sqlite"]


@pytest.mark.slow  # CLI subprocess
def test_an_error_keeps_its_status_and_its_one_line(tmp_path: Path) -> None:
    done = run_cli(
        "audit", str(tmp_path / "missing"), "--offline", "--db", f"sqlite:///{tmp_path / 'p.sqlite'}", cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("provenance: ")


@pytest.mark.slow  # a Python subprocess
def test_a_live_thread_is_waited_for_as_python_would(tmp_path: Path) -> None:
    """With a non-daemon thread still working, `run` leaves the exit to Python, which waits for it."""
    marker = tmp_path / "finished"
    code = (
        "import sys, threading, time\n"
        "def work():\n"
        "    time.sleep(0.3)\n"
        f"    open({str(marker)!r}, 'w').write('done')\n"
        "threading.Thread(target=work).start()\n"
        "sys.argv = ['provenance', '--version']\n"
        "from provenance.cli import run\n"
        "run()\n"
    )
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 0 and "provenance" in done.stdout
    assert marker.read_text() == "done"


@pytest.mark.slow  # a Python subprocess
def test_a_pool_worker_started_by_a_daemon_thread_is_waited_for(tmp_path: Path) -> None:
    """The daemon's case after a stop: an APScheduler job (a pool worker, made by the scheduler's
    daemon thread, so a daemon thread itself) still records its run; Python joins pool workers."""
    marker = tmp_path / "finished"
    code = (
        "import sys, threading, time\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def work():\n"
        "    time.sleep(0.3)\n"
        f"    open({str(marker)!r}, 'w').write('done')\n"
        "started = threading.Event()\n"
        "def scheduler():\n"
        "    ThreadPoolExecutor(1).submit(work)\n"
        "    started.set()\n"
        "    time.sleep(60)\n"
        "threading.Thread(target=scheduler, daemon=True).start()\n"
        "started.wait()\n"
        "sys.argv = ['provenance', '--version']\n"
        "from provenance.cli import run\n"
        "run()\n"
    )
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "done"


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (3, 3), ("bad things", 1)])
def test_exit_status_is_pythons(code: object, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status(code) == status
    assert capsys.readouterr().err == ("bad things\n" if isinstance(code, str) else "")


def test_a_failed_flush_is_status_120_unless_already_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed:
        def flush(self) -> None:
            raise BrokenPipeError("reader went away")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert _flush_output(0) == 120
    assert _flush_output(1) == 1


@pytest.mark.parametrize("command", ["audit", "harvest"])
def test_an_unreadable_only_input_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    """Nothing could be read: the report shows the document's error, stderr says why in one line."""
    image = tmp_path / "scan.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    result = CliRunner().invoke(main, [command, str(image), "--offline", "--db", db])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"provenance: cannot read {image}: not a text document: a PNG image"]
    assert "error: not a text document" in result.stdout and "Traceback" not in result.output


def test_an_unreadable_input_beside_a_readable_one_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "docs" / "note.txt").write_text("A note citing https://example.org/a today.\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "docs"), "--offline", "--db", f"sqlite:///{tmp_path / 'p.sqlite'}"]
    )
    assert result.exit_code == 0 and "not a text document" in result.stdout and result.stderr == ""


@pytest.fixture
def stored(tmp_path: Path) -> str:
    """A database holding the seeds' audit."""
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    assert CliRunner().invoke(main, ["harvest", str(SEEDS), "--offline", "--db", db]).exit_code == 0
    return db


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["report", "dead_links", "--document", "d99999999999999999999999"], "--document wants a document id"),
        (["report", "audit", "--document", "d99999999999999999999999"], "--document wants a document id"),
        (["report", "dead_links", "--since", "0001-01-01T00:00:00+14:00"], "outside the dates this tool can hold"),
        (["report", "dead_links", "-o", "/dev/full"], "cannot write /dev/full: No space left on device"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(stored: str, args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, [*args, "--db", stored])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("provenance: ") and said in result.stderr and result.stderr.count("\n") == 1


def test_a_corrupt_database_is_one_line_and_exit_2(stored: str, tmp_path: Path) -> None:
    with open(tmp_path / "p.sqlite", "r+b") as db:
        db.seek(2 * 4096)
        db.write(b"\xff" * 8192)  # the pages after the schema's: the documents' and links' tables
    result = CliRunner().invoke(main, ["audit", str(SEEDS), "--offline", "--db", stored])
    assert result.exit_code == 2
    assert result.stderr == "provenance: the database cannot be used: database disk image is malformed\n"


def test_a_nul_in_the_database_name_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "dead_links", "--db", "sqlite:///a%00b"])
    assert result.exit_code == 2 and "a NUL in the file name" in result.stderr


def test_a_command_that_reads_the_store_makes_none_and_says_so(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "p.sqlite"
    for args in (["report", "dead_links"], ["status"], ["check", "--all"]):
        result = CliRunner().invoke(main, [*args, "--db", f"sqlite:///{typo}"])
        assert result.exit_code == 2 and result.stderr.startswith(f"provenance: no database at {typo}")
    result = CliRunner().invoke(main, ["audit", str(SEEDS), "--offline", "--db", f"sqlite:///{typo}"])
    assert result.exit_code == 2 and "no folder" in result.stderr
    assert not typo.parent.exists()


def test_a_named_url_that_cannot_be_fetched_is_exit_2(tmp_path: Path) -> None:
    with serve({"/gone": text("gone", status=404), "/here": text("here")}) as server:
        note = tmp_path / "note.txt"
        note.write_text(f"A note citing {server.url('/here')} today.\n", encoding="utf-8")
        config = tmp_path / "provenance.yaml"
        config.write_text(f"http:\n  allow_private: ['{server.netloc}']\n  retries: 0\n", encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'p.sqlite'}"
        args = ["audit", str(note), server.url("/gone"), "--no-archive", "--config", str(config), "--db", db]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"provenance: cannot read {server.url('/gone')}: cannot fetch" in result.stderr
    assert str(note) in result.stdout and server.url("/here") in result.stdout  # the note was audited all the same
