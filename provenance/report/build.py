"""Store -> Report record: the documents, their links with their latest evidence, the findings.

Built from records, never from ORM objects, so every format (report/output.py) renders the same
facts; the JSON shape is the contract's (`provenance.audit/1`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar

from sqlalchemy.orm import Session

from ..clock import Clock, utcnow
from ..records import (
    CheckResult,
    Finding,
    Items,
    LinkRole,
    LinkStatus,
    Severity,
    Snapshot,
    SnapshotLookup,
    StoredDocument,
    StoredLink,
)
from ..store import repo

SCHEMA = "provenance.audit/1"
T = TypeVar("T")
SEVERITY_ORDER = {severity: repo.SEVERITY_RANK[severity.value] for severity in Severity}
SEVERITY_LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARN", Severity.INFO: "INFO"}
HealthSeries = list[tuple[date, Counter[str]]]  # per day: how many URLs stood at each status


@dataclass(frozen=True, slots=True)
class ReportDocument:
    id: str
    source: str
    title: str | None
    published: date | None
    original_url: str | None
    copy_of: str | None
    error: str | None = None
    captured: date | None = None  # when this copy was made, where it says so


@dataclass(frozen=True, slots=True)
class ReportLink:
    document: str
    url: str | None
    role: LinkRole
    anchor_text: str | None
    status: LinkStatus
    http_status: int | None
    final_url: str | None
    snapshot: Snapshot | None


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    documents: tuple[ReportDocument, ...]
    links: Items[ReportLink]
    findings: Items[Finding]
    history: HealthSeries | None = None  # link health per day a check ran (`with_history`), for charts

    def counts(self) -> dict[str, int]:
        by_severity = {s.value: 0 for s in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return {
            "documents": len(self.documents),
            "links": len(self.links),
            "findings": len(self.findings),
            **by_severity,
        }

    def sections(self) -> Iterator[tuple[ReportDocument, list[Finding], list[ReportLink]]]:
        """Each document with its findings and links, in report order: one pass over each, holding
        one document's items at a time when they come in document order (a stored report's do)."""
        ids = [int(doc.id[1:]) for doc in self.documents]
        findings = _by_document(self.findings, lambda finding: finding.document_id, ids)
        links = _by_document(self.links, lambda link: int(link.document[1:]), ids)
        yield from zip(self.documents, findings, links, strict=True)


def _by_document(items: Items[T], document_of: Callable[[T], int | None], ids: Sequence[int]) -> Iterator[list[T]]:
    """The items of each of IDS in turn: merged in one pass when ITEMS are in ascending document
    order (`in_document_order`), else grouped once in memory (a report built by hand)."""
    if not getattr(items, "in_document_order", False):
        grouped: dict[int | None, list[T]] = {}
        for item in items:
            grouped.setdefault(document_of(item), []).append(item)
        yield from (grouped.get(doc_id, []) for doc_id in ids)
        return
    runs = itertools.groupby(items, document_of)
    run = next(runs, None)
    for doc_id in ids:  # ascending, as the items are; items about no document (None) come first and are skipped
        while run is not None and (run[0] is None or run[0] < doc_id):
            run = next(runs, None)
        if run is not None and run[0] == doc_id:
            yield list(run[1])
            run = next(runs, None)
        else:
            yield []


REPORT_PIECE = 1000  # links read with their evidence at a time (the latest checks of every link are never all held)


class StoredLinks:
    """The report's links, read from the store REPORT_PIECE at a time with their evidence, on every
    pass: a report never holds them all, so its memory does not grow with its links."""

    in_document_order = True  # DOCUMENTS are in id order (load_documents), their links in turn

    def __init__(
        self, session: Session, documents: Sequence[StoredDocument], by_id: Mapping[int, StoredDocument]
    ) -> None:
        self.session, self.documents, self.by_id = session, documents, by_id

    def __len__(self) -> int:
        return self._size

    @cached_property
    def _size(self) -> int:
        return repo.count_links(self.session, [doc.id for doc in self.documents])

    def __iter__(self) -> Iterator[ReportLink]:
        for doc in self.documents:
            yield from self._links(doc)

    def _links(self, doc: StoredDocument) -> Iterator[ReportLink]:
        report_id = doc.report_id  # one string shared by the document's links
        cited_on = _effective_published(doc, self.by_id)  # the document's, so worked out once, not per link
        for piece in repo.link_pieces(self.session, doc.id, REPORT_PIECE):
            urls = {link.url for link in piece if link.url}
            checks = repo.latest_checks(self.session, urls)
            lookups = repo.latest_snapshot_lookups(self.session, urls)
            for link in piece:
                yield _link(report_id, cited_on, link, checks, lookups)


class StoredFindings:
    """The report's findings in report order, read from the store as they are written, on every pass."""

    in_document_order = True  # by document id first: repo.report_findings

    def __init__(self, session: Session, document_ids: Sequence[int] | None) -> None:
        self.session, self.document_ids = session, document_ids

    def __len__(self) -> int:
        return self._size

    @cached_property
    def _size(self) -> int:
        return repo.count_findings(self.session, self.document_ids)

    def __iter__(self) -> Iterator[Finding]:
        return repo.report_findings(self.session, self.document_ids)


def build_report(session: Session, document_ids: Sequence[int] | None = None, now: Clock = utcnow) -> Report:
    """The report over DOCUMENT_IDS (all documents when None); its links and findings are read from
    SESSION whenever they are used, so use it while SESSION is open."""
    documents = repo.load_documents(session, document_ids, with_links=False, with_text=False)
    by_id = {doc.id: doc for doc in documents}
    originals = sorted({doc.copy_of for doc in documents if doc.copy_of and doc.copy_of not in by_id})
    if originals:  # only the originals the copies inherit from, not every stored document again
        by_id.update(
            {doc.id: doc for doc in repo.load_documents(session, originals, with_links=False, with_text=False)}
        )
    return Report(
        generated_at=now(),
        documents=tuple(_document(doc, by_id) for doc in documents),
        links=StoredLinks(session, documents, by_id),
        findings=StoredFindings(session, None if document_ids is None else [doc.id for doc in documents]),
    )


def _effective_published(doc: StoredDocument, by_id: Mapping[int, StoredDocument]) -> date | None:
    if doc.published:
        return doc.published.value
    original = by_id.get(doc.copy_of) if doc.copy_of else None
    return original.published.value if original and original.published else None


def _document(doc: StoredDocument, by_id: Mapping[int, StoredDocument]) -> ReportDocument:
    original = by_id.get(doc.copy_of) if doc.copy_of else None
    return ReportDocument(
        id=doc.report_id,
        source=doc.source,
        title=doc.title or (original.title if original else None),
        published=_effective_published(doc, by_id),
        original_url=doc.original_url or (original.original_url if original else None),
        copy_of=original.report_id if original else None,
        error=doc.error,
        captured=doc.captured.value if doc.captured else None,
    )


def _link(
    report_id: str,
    cited_on: date | None,
    link: StoredLink,
    checks: Mapping[str, CheckResult],
    lookups: Mapping[str, Sequence[SnapshotLookup]],
) -> ReportLink:
    check = checks.get(link.url) if link.url else None
    final_url = check.final_url if check else None
    if final_url is not None and final_url == link.url:
        final_url = link.url  # one string, not two equal ones, for each of 10,000 links
    if link.url is None:
        status = LinkStatus.UNCHECKED if link.role is LinkRole.LOST else LinkStatus.INVALID
    else:
        status = check.status if check else LinkStatus.UNCHECKED
    return ReportLink(
        document=report_id,
        url=link.url or (None if link.role is LinkRole.LOST else link.written),
        role=link.role,
        anchor_text=link.anchor_text,
        status=status,
        http_status=check.http_status if check else None,
        final_url=final_url,
        snapshot=nearest_snapshot(lookups.get(link.url, ()) if link.url else (), cited_on),
    )


def nearest_snapshot(lookups: Sequence[SnapshotLookup], cited_on: date | None) -> Snapshot | None:
    """Across archives: the last capture on or before the citing date, else the first after it."""
    snapshots = [lookup.nearest for lookup in lookups if lookup.nearest is not None]
    if not snapshots:
        return None
    if cited_on is None:
        return max(snapshots, key=lambda s: s.datetime)
    before = [s for s in snapshots if s.datetime.date() <= cited_on]
    if before:
        return max(before, key=lambda s: s.datetime)
    return min(snapshots, key=lambda s: s.datetime)


def with_history(session: Session, report: Report) -> Report:
    """REPORT with its links read once (a page that charts them goes over them several times) and
    the stored check history of their URLs, one point per day a check ran."""
    links = tuple(report.links)
    checks = repo.check_statuses(session, {link.url for link in links if link.url})
    return replace(report, links=links, history=health_over_time(checks) or None)


def health_over_time(checks: Iterable[tuple[str, datetime, str]]) -> HealthSeries:
    """For each day a check ran: the status of every URL checked by then, as its latest check says."""
    by_day: dict[date, list[tuple[datetime, str, str]]] = {}
    for url, when, status in checks:
        by_day.setdefault(when.date(), []).append((when, url, status))
    current: dict[str, str] = {}
    series: HealthSeries = []
    for day in sorted(by_day):
        for _when, url, status in sorted(by_day[day]):
            current[url] = status
        series.append((day, Counter(current.values())))
    return series
