"""Progress bars: on a terminal `audit` and `check` show done/total, rate and ETA on stderr; nothing
when stderr is not a terminal or with --quiet.  The CLI cases run under a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
import yaml
from audited import FixtureSite, fixture_config, write_fixture_folder
from helpers import run_cli
from loopback import serve

from provenance.progress import progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "enabled", "shown"), [(True, True, True), (True, False, False), (False, True, False), (False, False, False)]
)
def test_bar_only_on_a_terminal_and_when_enabled(
    monkeypatch: pytest.MonkeyPatch, tty: bool, enabled: bool, shown: bool
) -> None:
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with progress_bar("checking", enabled=enabled) as update:
        assert (update is not None) == shown
        if update:
            update(3, 10)
            update(10, 10)
    text = stream.getvalue()
    if shown:
        assert "checking" in text and "3/10" in text and "10/10" in text and "link" in text
    else:
        assert text == ""


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (stdout piped); returns code, stdout, terminal output."""
    master, slave = pty.openpty()
    # A fresh pty is 0x0, and tqdm sizes its bar to the terminal: give it a real terminal's size.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child has closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def site_config(tmp_path: Path):
    folder = write_fixture_folder(tmp_path / "docs")
    with serve(FixtureSite()) as server:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump(fixture_config(server.base, server.netloc)))
        yield folder, ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'p.sqlite'}", "--no-archive"]


@pytest.mark.slow  # CLI subprocesses on a pseudo-terminal
def test_audit_and_check_show_progress_on_a_terminal(site_config, tmp_path: Path) -> None:
    folder, options = site_config
    code, out, terminal = _run_on_a_terminal(["audit", str(folder), "--format", "json", *options], tmp_path)
    assert code == 1 and out.startswith("{")  # the report still goes to stdout, untouched
    assert "checking" in terminal and "6/6" in terminal  # six distinct URLs
    assert "link/s" in terminal or "s/link" in terminal  # tqdm's rate
    code, _out, terminal = _run_on_a_terminal(["check", "--all", *options], tmp_path)
    assert code == 0 and "checking" in terminal and "6/6" in terminal
    assert "checked 6 links" in terminal


@pytest.mark.slow  # CLI subprocesses on a pseudo-terminal
def test_quiet_silences_the_bar_even_on_a_terminal(site_config, tmp_path: Path) -> None:
    folder, options = site_config
    code, out, terminal = _run_on_a_terminal(["audit", str(folder), "--quiet", *options], tmp_path)
    assert code == 1 and "13 links" in out
    assert terminal == ""
    code, _out, terminal = _run_on_a_terminal(["check", "--all", "--quiet", *options], tmp_path)
    assert code == 0 and "checking" not in terminal and "6/6" not in terminal


@pytest.mark.slow  # CLI subprocess
def test_no_bar_when_stderr_is_not_a_terminal(site_config, tmp_path: Path) -> None:
    folder, options = site_config
    result = run_cli("audit", str(folder), *options, cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""


@pytest.mark.slow  # CLI subprocesses on a pseudo-terminal
def test_check_takes_the_links_due_and_counts_them_for_its_bar(site_config, tmp_path: Path) -> None:
    folder, options = site_config
    code, _out, _terminal = _run_on_a_terminal(["harvest", str(folder), *options], tmp_path)
    assert code == 0
    code, _out, terminal = _run_on_a_terminal(["check", *options], tmp_path)
    assert code == 0 and "6/6" in terminal and "checked 6 links" in terminal  # never checked: all due
    code, _out, terminal = _run_on_a_terminal(["check", *options], tmp_path)
    assert code == 0 and "checked 0 links" in terminal  # checked a moment ago: none due
