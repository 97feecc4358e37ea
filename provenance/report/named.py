"""Named reports: each is a SQL view (migration 0002), so `provenance report NAME` and any SQLite
client show the same rows; plus the Robust Links rendering of one document (read-only `--sql` is
sql.py, rows and their formats table.py).

Why a registry rather than SQL here: the SQL lives in the views (store/), this module only knows
which view a name reads, which filters apply to it (and to which columns), and its default order.
A filter that does not apply to a report is an error rather than silently ignored, so a user never
reads an unfiltered list believing it filtered.

`provenance report` with no name lists the reports in table format; with `--format json|csv|html`
(or the name `audit`) it prints the whole audit report, whose JSON shape is the contract's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from ..config import SQL_SECONDS, HarvestConfig
from ..domains import registrable_domain
from ..errors import ConfigError, InputError
from ..reading import read_capped
from ..records import DocumentFormat, FindingKind, LinkStatus, Snapshot
from ..store import repo
from ..store.db import session_scope
from .build import build_report
from .output import write, write_stored_report
from .sql import sql_table
from .table import Table


@dataclass(frozen=True)
class NamedReport:
    """One named report: the view it reads, what it is for, and which filters apply to which columns."""

    name: str
    view: str
    description: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # filter -> columns (any may match)
    order_by: tuple[tuple[str, bool], ...] = ()  # (column, descending)


NAMED_REPORTS: dict[str, NamedReport] = {
    r.name: r
    for r in (
        NamedReport(
            "dead_links",
            "dead_links",
            "links whose latest check is dead or soft-404, with a snapshot to use",
            {"document": ("document_id",), "domain": ("domain",), "kind": ("status",), "since": ("checked_at",)},
            (("document_id", False), ("url", False)),
        ),
        NamedReport(
            "findings",
            "report_findings",
            "every finding, by severity and kind, with its document and URL",
            {"document": ("document_id",), "kind": ("kind",), "since": ("created_at",)},
            (("severity_rank", False), ("kind", False), ("document_id", False), ("url", False)),
        ),
        NamedReport(
            "domain_health",
            "domain_health",
            "per registrable domain: links, checked, alive, dead, soft-404, moved, share rotten",
            {"domain": ("domain",)},
            (("share_rotten", True), ("links", True), ("domain", False)),
        ),
        NamedReport(
            "link_history",
            "link_history",
            "every check of every URL, oldest first, with status changes",
            {"domain": ("domain",), "kind": ("status",), "since": ("checked_at",)},
            (("url", False), ("checked_at", False), ("check_id", False)),
        ),
        NamedReport(
            "unarchived",
            "unarchived",
            "alive links no archive holds: save these now",
            {"domain": ("domain",), "since": ("checked_at",)},
            (("documents", True), ("url", False)),
        ),
        NamedReport(
            "anachronisms",
            "anachronisms",
            "citations of things dated after the citing document",
            {"document": ("document_id",), "since": ("document_published",)},
            (("document_id", False), ("url", False)),
        ),
        NamedReport(
            "documents_by_rot",
            "documents_by_rot",
            "documents ranked by their share of rotten citations",
            {"document": ("document_id",), "since": ("published",)},
            (("share_rotten", True), ("rotten", True), ("document_id", False)),
        ),
        NamedReport(
            "copies",
            "copies",
            "copy pairs and what differs between copy and original",
            {"document": ("copy_id", "original_id")},
            (("original_id", False), ("copy_id", False)),
        ),
        NamedReport(
            "current_status",
            "current_status",
            "each link with its latest check",
            {"document": ("document_id",), "domain": ("domain",), "kind": ("status",), "since": ("checked_at",)},
            (("document_id", False), ("position", False), ("link_id", False)),
        ),
    )
}

SPECIAL_REPORTS = {
    "audit": "the whole audit report (documents, links, findings), as `audit` prints it",
    "robust-links": "one document (--document) with Robust Links to archived copies (text list unless local HTML)",
}


@dataclass(frozen=True)
class ReportFilters:
    """--document, --domain, --kind, --since as the user typed them (None: not given)."""

    document: str | None = None
    domain: str | None = None
    kind: str | None = None
    since: str | None = None

    def given(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("document", self.document),
                ("domain", self.domain),
                ("kind", self.kind),
                ("since", self.since),
            )
            if v is not None
        }


@dataclass(frozen=True)
class ReportRequest:
    """`provenance report [NAME] [--sql QUERY]` as given: what to show, filtered how, in which format."""

    name: str | None = None
    sql: str | None = None
    filters: ReportFilters = field(default_factory=ReportFilters)
    fmt: str = "table"
    sql_seconds: float = SQL_SECONDS  # SQLite's time --sql may take


def run_report(request: ReportRequest, open_engine: Callable[[], Engine], db_url: str, out: TextIO) -> None:
    """List the reports, run a named one, or run read-only SQL against DB_URL.

    OPEN_ENGINE opens (and migrates) the store only when a report needs it: --sql reads the file
    through a read-only connection of its own and never creates or changes it.
    """
    name, filters = request.name, request.filters
    if name and request.sql:
        raise ConfigError("give a report NAME or --sql, not both")
    if request.sql is not None:
        if filters.given():
            raise ConfigError("--document, --domain, --kind and --since apply to named reports, not to --sql")
        with sql_table(db_url, request.sql, request.sql_seconds) as table:
            write(table, request.fmt, out)
        return
    if name is None and request.fmt == "table":
        if filters.given():
            raise ConfigError("filters need a report NAME; run `provenance report` to list them")
        list_reports(out)
        return
    if name is None or name == "audit":
        _write_audit_report(open_engine(), filters, request.fmt, out)
        return
    if name == "robust-links":
        _write_robust_links(open_engine(), filters, out)
        return
    report = NAMED_REPORTS.get(name)
    if report is None:
        raise ConfigError(f"no report named {name!r}; known: {', '.join(all_report_names())}")
    write(run_named(open_engine(), report, filters), request.fmt, out)


def all_report_names() -> list[str]:
    return [*NAMED_REPORTS, *SPECIAL_REPORTS]


def list_reports(out: TextIO) -> None:
    """One line per report: name, description, and the filters it takes."""
    width = max(len(n) for n in all_report_names())
    for report in NAMED_REPORTS.values():
        takes = f" [{' '.join('--' + f for f in report.filters)}]" if report.filters else ""
        out.write(f"{report.name:<{width}}  {report.description}{takes}\n")
    for name, description in SPECIAL_REPORTS.items():  # each takes --document only
        out.write(f"{name:<{width}}  {description} [--document]\n")


def run_named(engine: Engine, report: NamedReport, filters: ReportFilters) -> Table:
    """The rows of REPORT's view, with FILTERS applied to the columns the report names."""
    conditions: list[repo.ViewCondition] = []
    for key, value in filters.given().items():
        columns = report.filters.get(key)
        if columns is None:
            takes = ", ".join("--" + f for f in report.filters) or "no filters"
            raise ConfigError(f"--{key} does not apply to report {report.name} (it takes {takes})")
        conditions.append((columns, ">=" if key == "since" else "=", _filter_value(key, value, report)))
    with session_scope(engine, readonly=True) as session:
        names, rows = repo.read_view(session, report.view, conditions, report.order_by)
    return Table(report.name, names, rows)


def _filter_value(key: str, value: str, report: NamedReport) -> Any:
    if key == "document":
        return document_id(value)
    if key == "domain":
        return registrable_domain(value.strip()) or value.strip()
    if key == "since":
        return _since(value, date_only=report.filters["since"][0] in ("published", "document_published"))
    return _kind(value.strip(), report.filters["kind"][0])


def _kind(value: str, column: str) -> str:
    """A finding kind (or, for link reports, a status) spelled as the contract spells it; a typo is an error."""
    known = [k.value for k in (FindingKind if column == "kind" else LinkStatus)]
    if value not in known:
        what = "finding kind" if column == "kind" else "link status"
        raise ConfigError(f"--kind {value!r} is not a {what} (known: {', '.join(known)})")
    return value


def document_id(value: str) -> int:
    """'d12' or '12' -> 12; anything else is a usage error."""
    match = re.fullmatch(r"\s*d?(\d{1,18})\s*", value)  # 18 digits: any id SQLite's INTEGER holds
    if not match:
        raise ConfigError(f"--document wants a document id like d3 (as reports show it), not {value!r}")
    return int(match.group(1))


def _since(value: str, *, date_only: bool) -> str:
    """An ISO date or date-time -> the text form the store compares with (UTC, 'YYYY-MM-DD HH:MM:SS')."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--since wants an ISO date like 2024-01-31, not {value!r}") from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before the first UTC day a date can hold
            raise ConfigError(f"--since {value!r} is outside the dates this tool can hold") from None
    if date_only:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment.time() != time() else moment.date().isoformat()


# --- the whole report, and Robust Links -----------------------------------------------------


def _write_audit_report(engine: Engine, filters: ReportFilters, fmt: str, out: TextIO) -> None:
    extra = set(filters.given()) - {"document"}
    if extra:
        raise ConfigError(f"the audit report takes --document only, not {', '.join('--' + k for k in sorted(extra))}")
    write_stored_report(engine, fmt, out, [document_id(filters.document)] if filters.document else None)


_PROBLEMS = ("dead", "soft_404", "unreachable", "redirected")


def _write_robust_links(engine: Engine, filters: ReportFilters, out: TextIO) -> None:
    """The document's HTML with Robust Links attributes, or for other documents the replacement list."""
    from .robust_links import robust_links_html, robust_links_text  # lazy: BeautifulSoup, for this report only

    if not filters.document or set(filters.given()) != {"document"}:
        raise ConfigError("robust-links takes exactly one filter: --document ID")
    doc_id = document_id(filters.document)
    with session_scope(engine, readonly=True) as session:
        docs = repo.load_documents(session, [doc_id])
        if not docs:
            raise InputError(f"no document d{doc_id} in the database")
        report_links = list(build_report(session, [doc_id]).links)  # one document's, read while the session is open
    doc = docs[0]
    html = _read_html_source(doc.location or doc.source) if doc.format is DocumentFormat.HTML else None
    if html is not None:
        pairs: list[tuple[str, Snapshot | None]] = []
        for stored, link in zip(doc.links, report_links, strict=True):
            pairs.extend((href, link.snapshot) for href in {stored.written, stored.url} - {None} if href)
        out.write(robust_links_html(html, pairs))
        return
    out.write(
        robust_links_text(
            (link.url, link.status.value, link.snapshot)
            for link in report_links
            if link.url and link.status.value in _PROBLEMS
        )
    )


def _read_html_source(where: str) -> str | None:
    """The stored document's HTML from the file it was read from, or None when that is not a readable file."""
    try:
        data, _more = read_capped(Path(where), HarvestConfig().max_file_bytes)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")
