"""Report record -> text: table (80 columns), JSON (the contract's schema), CSV (one row per finding), HTML.

FORMATTERS maps a --format name to a function (report, out) -> None; write_stored_report reads the
report from the store and writes it (audit, harvest, reconcile and `report` without a name).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import textwrap
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TextIO

from ..errors import ConfigError
from ..records import Finding, Severity
from ..store.db import session_scope
from .build import SCHEMA, Report, ReportDocument, ReportLink, build_report

WIDTH = 80
SEVERITY_LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARN", Severity.INFO: "INFO"}


def to_jsonable(value: Any) -> Any:
    """Records, enums and dates -> plain JSON values (evidence may carry any of them)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "as_json"):
        return to_jsonable(value.as_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return value


def report_json(report: Report) -> dict[str, Any]:
    """The contract's `provenance.audit/1` document."""
    return {
        **_json_head(report),
        **{name: [convert(item) for item in items] for name, convert, items in _json_sections(report)},
    }


def _json_head(report: Report) -> dict[str, Any]:
    return {"schema": SCHEMA, "generated_at": to_jsonable(report.generated_at.replace(microsecond=0))}


def _json_sections(report: Report) -> tuple[tuple[str, Callable[[Any], dict[str, Any]], Sequence[Any]], ...]:
    """The document's lists in order: (key, record -> JSON object, records)."""
    return (
        ("documents", _document_json, report.documents),
        ("links", _link_json, report.links),
        ("findings", _finding_json, report.findings),
    )


def _document_json(doc: ReportDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "published": doc.published.isoformat() if doc.published else None,
        "original_url": doc.original_url,
        "copy_of": doc.copy_of,
        "error": doc.error,
    }


def _link_json(link: ReportLink) -> dict[str, Any]:
    snapshot = None
    if link.snapshot is not None:
        snapshot = {"url": link.snapshot.url, "datetime": to_jsonable(link.snapshot.datetime)}
    return {
        "document": link.document,
        "url": link.url,
        "role": link.role.value,
        "anchor_text": link.anchor_text,
        "status": link.status.value,
        "http_status": link.http_status,
        "final_url": link.final_url,
        "snapshot": snapshot,
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "document": f"d{finding.document_id}" if finding.document_id is not None else None,
        "url": finding.url,
        "message": finding.message,
        "evidence": to_jsonable(finding.evidence),
    }


def write_json(report: Report, out: TextIO) -> None:
    """`report_json(report)` as `json.dump(..., indent=2)` writes it, reading each section's records
    as they are written: the whole document as dicts was ~6 MB more at the peak of a 10,000-link
    audit.  One encoder writes it all (json's indenting encoder is a set of closures that refer to
    each other: one per record was ~3 KB of cyclic garbage a link, left to the collector)."""
    document = {
        **_json_head(report),
        **{name: _Streamed(map(convert, items), len(items)) for name, convert, items in _json_sections(report)},
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


class _Streamed(list):  # type: ignore[type-arg]
    """A JSON array whose items are made as the encoder reads them.  `json.dump` always encodes
    with its pure-Python encoder (only `dumps` without indent takes the C one), which asks a list
    only whether it is empty and for its items, so this stands in for one."""

    def __init__(self, items: Iterator[Any], size: int) -> None:
        super().__init__()
        self.items, self.size = items, size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        return self.items


CSV_COLUMNS = ("document", "source", "kind", "severity", "url", "message", "evidence")


def write_csv(report: Report, out: TextIO) -> None:
    """One row per finding; evidence as a JSON cell."""
    sources = {doc.id: doc.source for doc in report.documents}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in report.findings:
        doc_id = f"d{finding.document_id}" if finding.document_id is not None else ""
        writer.writerow(
            [
                doc_id,
                sources.get(doc_id, ""),
                finding.kind.value,
                finding.severity.value,
                finding.url or "",
                finding.message,
                json.dumps(to_jsonable(finding.evidence), ensure_ascii=False, sort_keys=True),
            ]
        )


def _wrap(text: str, indent: int, first: str = "") -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=pad + first,
        subsequent_indent=pad + " " * len(first),
        break_long_words=True,
        break_on_hyphens=False,
    ) or [pad + first.rstrip()]


def write_table(report: Report, out: TextIO) -> None:
    """Grouped by document, findings first, then links, then a one-line summary; fits 80 columns."""
    for section in report.sections():  # written as they come: a stored report reads a document at a time
        out.write("\n".join(_document_block(*section)) + "\n\n")
    counts = report.counts()
    out.write(
        f"{counts['documents']} documents, {counts['links']} links, {counts['findings']} findings "
        f"({counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)\n"
    )


def _document_block(doc: ReportDocument, findings: list[Finding], links: list[ReportLink]) -> list[str]:
    head = f"{doc.id}  {doc.source}" + (f"  (copy of {doc.copy_of})" if doc.copy_of else "")
    lines = _wrap(head, 0)
    if doc.title:
        lines += _wrap(doc.title, 4)
    lines += _wrap(f"published {doc.published.isoformat() if doc.published else 'unknown'}", 4)
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


def write_html(report: Report, out: TextIO) -> None:
    """One self-contained HTML page (report/html.py; imported here lazily, it imports this module)."""
    from .html import write_html as render

    render(report, out)


FORMATTERS: dict[str, Callable[[Report, TextIO], None]] = {
    "table": write_table,
    "json": write_json,
    "csv": write_csv,
    "html": write_html,
}


def write_stored_report(engine: Any, fmt: str, out: TextIO, document_ids: Sequence[int] | None = None) -> None:
    """The report of DOCUMENT_IDS (all when None) as stored, in FMT; the HTML one also draws each
    link's stored check history, which a Report record does not carry."""
    if fmt == "html":
        from .html import write_report_from_store

        write_report_from_store(engine, out, document_ids)
        return
    formatter = FORMATTERS.get(fmt)
    if formatter is None:
        raise ConfigError(f"--format {fmt} is not available for this command")
    with session_scope(engine, readonly=True) as session:  # the report reads its links and findings as written
        formatter(build_report(session, document_ids), out)
