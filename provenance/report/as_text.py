"""Reports as text for a terminal: the audit report, named-report rows and the daemon's status.

One aligner (`aligned`) lays out every table a command prints.  The audit report fits 80 columns
and reads as a story per document: what it is, what was found, then its links.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import datetime
from itertools import chain, islice
from typing import Any, TextIO

from ..jsonvalues import iso_datetime
from ..records import Finding
from ..safetext import for_terminal
from .build import SEVERITY_LABEL, Report, ReportDocument, ReportLink
from .status import DaemonStatus
from .table import Table, shown_columns

WIDTH = 80
CELL_MAX = 60  # characters per cell of a named report; json/csv/html keep whole values
ALIGNED_ROWS = 1000  # rows a table's column widths are taken from; later rows are streamed in them
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)\.\d+$")


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """ROWS as lines of left-aligned columns two spaces apart, trailing spaces dropped."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [_line(row, widths) for row in rows]


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


# --- the audit report -----------------------------------------------------------------------


def write_report(report: Report, out: TextIO) -> None:
    """Grouped by document, findings first, then links, then a one-line summary; fits 80 columns."""
    for section in report.sections():  # written as they come: a stored report reads a document at a time
        out.write("\n".join(_document_block(*section)) + "\n\n")
    counts = report.counts()
    out.write(
        f"{counts['documents']} documents, {counts['links']} links, {counts['findings']} findings "
        f"({counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)\n"
    )


def _wrap(text: str, indent: int, first: str = "") -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        for_terminal(text),
        WIDTH,
        initial_indent=pad + first,
        subsequent_indent=pad + " " * len(first),
        break_long_words=True,
        break_on_hyphens=False,
    ) or [pad + first.rstrip()]


def _document_block(doc: ReportDocument, findings: list[Finding], links: list[ReportLink]) -> list[str]:
    head = f"{doc.id}  {doc.source}" + (f"  (copy of {doc.copy_of})" if doc.copy_of else "")
    lines = _wrap(head, 0)
    if doc.title:
        lines += _wrap(doc.title, 4)
    lines += _wrap(f"published {doc.published.isoformat() if doc.published else 'unknown'}", 4)
    if doc.captured:
        lines += _wrap(f"captured {doc.captured.isoformat()} (this copy)", 4)
    if doc.original_url:
        lines += _wrap(doc.original_url, 4, "original: ")
    if doc.error:
        lines += _wrap(doc.error, 4, "error: ")
    if findings:
        lines.append("    findings:")
        for f in findings:
            lines += _wrap(f"{f.kind.value}: {f.message}", 6, f"{SEVERITY_LABEL[f.severity]:<6}")
            if f.url and f.url not in f.message:
                lines += _wrap(f.url, 12)
    if links:
        lines.append("    links:")
        for link in links:
            target = link.url or (f'"{link.anchor_text}" (no address)' if link.anchor_text else "(no address)")
            lines += _wrap(target, 6, f"{link.role.value:<9}{link.status.value:<12}")
    return lines


# --- named reports and --sql ----------------------------------------------------------------


def write_table(data: Table, out: TextIO) -> None:
    """Aligned columns: long cells clipped, seconds without fractions, twin ids hidden.  The widths
    are those of the first ALIGNED_ROWS rows; the rest are written as they come, in those widths."""
    keep = shown_columns(data.columns)
    header = [data.columns[i] for i in keep]
    rows = ([_clip(_FRACTION.sub(r"\1", for_terminal(cell_text(row[i])))) for i in keep] for row in data.rows)
    first = list(islice(rows, ALIGNED_ROWS))
    widths = [max([len(name)] + [len(row[i]) for row in first]) for i, name in enumerate(header)]
    out.write(_line(header, widths) + "\n" + _line(["-" * width for width in widths], widths) + "\n")
    count = 0
    for row in chain(first, rows):
        out.write(_line(row, widths) + "\n")
        count += 1
    out.write(f"({count} row{'s' if count != 1 else ''})\n")


def cell_text(value: Any) -> str:
    """One cell as text (CSV and HTML cells too): nothing for NULL, floats short, bytes as hex."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 1] + "…"


# --- the daemon's status --------------------------------------------------------------------


def write_status(status: DaemonStatus, out: TextIO) -> None:
    """The daemon, links due and backlog, the last error, then one line per job."""
    lease = status.lease
    state = (
        f"running as {for_terminal(lease.holder)} (lease until {_when(lease.expires_at)})"
        if status.running and lease is not None
        else "not running"
    )
    out.write(f"daemon:     {state}\n")
    out.write(
        f"links due:  {status.due} ({status.never_checked} never checked); "
        f"backlog: {status.backlog} (due for longer than check_every)\n"
    )
    error = status.last_error
    told = f"{error.name} at {_when(error.last_error_at)}: {error.last_error}" if error else "-"
    out.write(f"last error: {for_terminal(told)}\n")
    rows = [["JOB", "EVERY", "LAST RUN", "STATUS", "TOOK", "NEXT RUN", "LAST ERROR"]]
    for job in status.jobs:
        took = (job.last_detail or {}).get("seconds")
        rows.append(
            [
                job.name,
                _every(job.every.total_seconds()),
                _when(job.last_started_at),
                job.last_status or "never",
                f"{took:.1f}s" if isinstance(took, (int, float)) else "-",
                _when(job.next_run_at),
                (job.last_error or "-")[:80],
            ]
        )
    for line in aligned([[for_terminal(cell) for cell in row] for row in rows]):
        out.write(line + "\n")


def _when(value: datetime | None) -> str:
    return iso_datetime(value)[:19].replace("T", " ") + "Z" if value else "-"


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
