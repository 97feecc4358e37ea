"""Text chosen by others (titles, anchors, URLs, file names, --sql rows) never acts where it is shown."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import _InertFormatter, main
from provenance.report.output import write
from provenance.report.table import Table
from provenance.safetext import csv_cell, for_terminal

PAYLOADS = {
    "window title": "\x1b]0;pwned\x07",
    "clear screen": "\x1b[2J\x1b[H",
    "hidden hyperlink": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "fake colour": "\x1b[32m0 errors\x1b[0m",
    "8-bit CSI": "\x9b2J",
    "right-to-left override": "\u202etxt.exe",
    "carriage return": "ok\rFAKE",
}
ACTIVE = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_for_terminal_leaves_nothing_a_terminal_acts_on(payload: str) -> None:
    shown = for_terminal(payload)
    assert not any(char in shown for char in ACTIVE) and "\n" not in shown
    assert shown.isprintable()


def test_escapes_stay_readable() -> None:
    assert for_terminal("a\x1b[2Jb\tc\nd") == "a\\x1b[2Jb c d"
    assert for_terminal("\u202eabc") == "\\u202eabc"
    assert for_terminal("Zürich – 東京") == "Zürich – 東京"


def test_a_hostile_document_reaches_the_terminal_inert(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    title = "".join(PAYLOADS.values())
    (folder / "page.html").write_text(
        f"<!doctype html><html><head><title>{title}</title></head><body><main><p>See "
        f'<a href="https://example.org/a">{title}</a>.</p></main></body></html>',
        encoding="utf-8",
    )
    (folder / "name\x1b]0;x\x07.txt").write_text("Cites https://example.org/b\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    runner = CliRunner()
    for args in (
        ["audit", str(folder), "--offline", "--db", db],
        ["report", "--sql", "SELECT title, source FROM documents", "--db", db],
        ["report", "--sql", "SELECT 'x' || char(27) || '[2J' || char(155) AS cell", "--db", db],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        assert result.stdout.strip(), args
        assert not any(char in result.output for char in ACTIVE), args
    json_out = runner.invoke(main, ["report", "--sql", "SELECT title FROM documents", "--format", "json", "--db", db])
    assert not any(char in json_out.stdout for char in ACTIVE)
    titles = [row["title"] for row in json.loads(json_out.stdout)["rows"]]
    assert title.replace("\r", " ") in titles  # escaped in the JSON text, the same once parsed


def test_log_lines_are_inert() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "fetching %s failed", ("\x1b[2Jhttps://e/",), None)
    line = _InertFormatter("%(levelname)s %(message)s").format(record)
    assert line == "WARNING fetching \\x1b[2Jhttps://e/ failed"


@pytest.mark.parametrize("cell", ['=HYPERLINK("https://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_csv_cell_never_starts_a_formula(cell: str) -> None:
    out = io.StringIO()
    write(Table("t", ["v", "n"], [(cell, -5)]), "csv", out)
    (row,) = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    assert row == ["'" + cell, "-5"]  # numbers stay numbers
    assert csv_cell("https://e.org/=x") == "https://e.org/=x" and csv_cell("-1.5e3") == "-1.5e3"
