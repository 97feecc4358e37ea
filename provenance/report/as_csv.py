"""Reports as CSV: one row per finding of the audit report, per row of a named report, per daemon job."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from ..jsonvalues import to_json
from ..safetext import csv_cell
from .as_text import cell_text
from .build import Report
from .status import DaemonStatus, job_json
from .table import Table

FINDING_COLUMNS = ("document", "source", "kind", "severity", "url", "message", "evidence")
JOB_COLUMNS = (
    "name",
    "kind",
    "every_s",
    "last_started_at",
    "last_finished_at",
    "last_status",
    "next_run_at",
    "last_error",
    "last_error_at",
)


def write_report(report: Report, out: TextIO) -> None:
    """One row per finding, written as the findings are read; evidence as a JSON cell."""
    _write(out, FINDING_COLUMNS, _finding_rows(report))


def _finding_rows(report: Report) -> Iterator[Sequence[Any]]:
    sources = {doc.id: doc.source for doc in report.documents}
    for finding in report.findings:
        doc_id = f"d{finding.document_id}" if finding.document_id is not None else ""
        evidence = json.dumps(to_json(finding.evidence), ensure_ascii=False, sort_keys=True)
        yield doc_id, sources.get(doc_id, ""), finding.kind, finding.severity, finding.url, finding.message, evidence


def write_table(data: Table, out: TextIO) -> None:
    """The rows, each cell as a table shows it (NULL empty, floats short, bytes as hex)."""
    _write(out, data.columns, ([cell_text(value) for value in row] for row in data.rows))


def write_status(status: DaemonStatus, out: TextIO) -> None:
    """One row per job, values as the JSON status gives them."""
    _write(out, JOB_COLUMNS, ([to_json(job_json(job)[c]) for c in JOB_COLUMNS] for job in status.jobs))


def _write(out: TextIO, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A header and ROWS; the csv module writes None as an empty cell; no cell starts a formula."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; a CR inside a cell is then quoted too
    writer.writerow(columns)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
