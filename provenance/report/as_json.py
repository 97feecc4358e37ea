"""Reports as JSON: the audit report (the contract's `provenance.audit/1`), rows, the daemon's status.

Every value goes through the one JSON policy (jsonvalues.to_json).  The audit report is written
as it is read: its links and findings are made into JSON objects as the encoder asks for them, so
a large report is never held whole as dicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from ..jsonvalues import to_json
from ..records import Finding
from ..safetext import JsonEscaping
from .build import SCHEMA, Report, ReportDocument, ReportLink
from .status import DaemonStatus
from .table import Table

JSON_COLUMNS = {"evidence", "hops", "detail", "last_detail"}  # JSON stored as text: nested in the output


def report_json(report: Report) -> dict[str, Any]:
    """The contract's `provenance.audit/1` document, whole."""
    return {**_head(report), **{name: [convert(item) for item in items] for name, convert, items in _sections(report)}}


def write_report(report: Report, out: TextIO) -> None:
    """`report_json(report)` as `json.dump(..., indent=2)` writes it, each section's records read as
    they are written.  One encoder writes it all: json's indenting encoder is a set of closures that
    refer to each other, so one per record would leave cyclic garbage for the collector."""
    document = {
        **_head(report),
        **{name: _Streamed(map(convert, items)) for name, convert, items in _sections(report)},
    }
    _dump(document, out)


def write_table(data: Table, out: TextIO) -> None:
    """{"report", "columns", "rows": [{column: value}]}; JSON held as text in a column is nested."""
    rows = ({c: _cell(c, v) for c, v in zip(data.columns, row, strict=True)} for row in data.rows)
    _dump({"report": data.title, "columns": data.columns, "rows": _Streamed(rows)}, out)


def write_status(status: DaemonStatus, out: TextIO) -> None:
    """The `provenance.status/1` document."""
    _dump(to_json(status), out)


def _dump(document: Any, out: TextIO) -> None:
    escaping = JsonEscaping(out)
    json.dump(document, escaping, indent=2, ensure_ascii=False)
    escaping.flush()
    out.write("\n")


def _head(report: Report) -> dict[str, Any]:
    return {"schema": SCHEMA, "generated_at": to_json(report.generated_at.replace(microsecond=0))}


def _sections(report: Report) -> tuple[tuple[str, Callable[[Any], dict[str, Any]], Any], ...]:
    """The document's lists in order: (key, record -> JSON object, records)."""
    return (
        ("documents", _document_json, report.documents),
        ("links", _link_json, report.links),
        ("findings", finding_json, report.findings),
    )


def _document_json(doc: ReportDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "published": to_json(doc.published),
        "original_url": doc.original_url,
        "copy_of": doc.copy_of,
        "captured": to_json(doc.captured),
        "error": doc.error,
    }


def _link_json(link: ReportLink) -> dict[str, Any]:
    snapshot = None
    if link.snapshot is not None:
        snapshot = {"url": link.snapshot.url, "datetime": to_json(link.snapshot.datetime)}
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


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding as the report shows it."""
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "document": f"d{finding.document_id}" if finding.document_id is not None else None,
        "url": finding.url,
        "message": finding.message,
        "evidence": to_json(finding.evidence),
    }


def _cell(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return to_json(value)


class _Streamed(list):  # type: ignore[type-arg]  # a stand-in for a list, see the docstring
    """A JSON array whose items are made as the encoder reads them.  `json.dump` always encodes
    with its pure-Python encoder (only `dumps` without indent takes the C one), which asks a list
    only whether it is empty and then for its items, so this stands in for one: asked whether it
    is empty, it reads its first item, and no more."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self._items = iter(items)
        self._first: Any = _UNREAD

    def __len__(self) -> int:
        if self._first is _UNREAD:
            self._first = next(self._items, _NONE)
        return 0 if self._first is _NONE else 1

    def __iter__(self) -> Iterator[Any]:
        if len(self):
            yield self._first
            yield from self._items


_UNREAD, _NONE = object(), object()  # _Streamed's first item not asked for yet; there is none
