"""The one output layer: every command writes what it shows (the audit report, a named report or
--sql rows, the daemon's status) through `write`, in the format asked for.

Each format is a module (as_text, as_json, as_csv, as_html) with a writer per kind of document;
`write` picks it.  A format a document has no writer for is a usage error, said in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from ..clock import Clock, utcnow
from ..errors import ConfigError
from ..records import OutputFormat
from ..store.db import session_scope
from . import as_csv, as_html, as_json, as_text
from .build import Report, build_report, with_history
from .status import DaemonStatus
from .table import Table

Document = Report | Table | DaemonStatus
_WRITERS: dict[tuple[type, str], Callable[[Any, TextIO], None]] = {
    (Report, "table"): as_text.write_report,
    (Report, "json"): as_json.write_report,
    (Report, "csv"): as_csv.write_report,
    (Report, "html"): as_html.write_report,
    (Table, "table"): as_text.write_table,
    (Table, "json"): as_json.write_table,
    (Table, "csv"): as_csv.write_table,
    (Table, "html"): as_html.write_table,
    (DaemonStatus, "table"): as_text.write_status,
    (DaemonStatus, "json"): as_json.write_status,
    (DaemonStatus, "csv"): as_csv.write_status,
}


def write(document: Document, fmt: str, out: TextIO) -> None:
    """DOCUMENT in format FMT to OUT; ConfigError when FMT is not one this kind of document has."""
    writer_for(type(document), fmt)(document, out)


def writer_for(kind: type, fmt: str) -> Callable[[Any, TextIO], None]:
    """The writer of KIND (Report, Table, DaemonStatus) in FMT; ConfigError, said before any work
    is done, when KIND has none."""
    writer = _WRITERS.get((kind, fmt))
    if writer is None:
        *some, last = [f.value for f in OutputFormat if (kind, f.value) in _WRITERS]
        what = "status" if kind is DaemonStatus else "this command"
        raise ConfigError(f"--format {fmt} is not available for {what} (use {', '.join(some)} or {last})")
    return writer


def write_stored_report(
    engine: Engine, fmt: str, out: TextIO, document_ids: Sequence[int] | None = None, now: Clock = utcnow
) -> None:
    """The audit report of DOCUMENT_IDS (all when None) as stored, in FMT; a page (html) also
    charts the stored check history of their links."""
    with session_scope(engine, readonly=True) as session:  # the report reads its links and findings as written
        report = build_report(session, document_ids, now)
        if fmt == "html":
            report = with_history(session, report)
        write(report, fmt, out)
