"""Store -> Report record.

The JSON shape is the contract's (`provenance.audit/1`), built from records, never from ORM
objects, so every format renders the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from ..records import (
    CheckResult, Finding, LinkRole, LinkStatus, Severity, Snapshot, SnapshotLookup, StoredDocument, StoredLink,
)
from ..store import repo

SCHEMA = "provenance.audit/1"
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class ReportDocument:
    id: str
    source: str
    title: str | None
    published: date | None
    original_url: str | None
    copy_of: str | None
    error: str | None = None


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
    links: tuple[ReportLink, ...]
    findings: tuple[Finding, ...]

    def counts(self) -> dict[str, int]:
        by_severity = {s.value: 0 for s in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return {"documents": len(self.documents), "links": len(self.links),
                "findings": len(self.findings), **by_severity}

    def by_document(self) -> dict[str, tuple[list[Finding], list[ReportLink]]]:
        """Each document's findings and links, in report order, grouped in one pass over each."""
        grouped: dict[str, tuple[list[Finding], list[ReportLink]]] = {doc.id: ([], []) for doc in self.documents}
        for finding in self.findings:
            if f"d{finding.document_id}" in grouped:
                grouped[f"d{finding.document_id}"][0].append(finding)
        for link in self.links:
            if link.document in grouped:
                grouped[link.document][1].append(link)
        return grouped


REPORT_PIECE = 1000  # links read with their evidence at a time (the latest checks of every link are never all held)


def build_report(session: Session, document_ids: Sequence[int] | None = None,
                 now: datetime | None = None) -> Report:
    """The report over DOCUMENT_IDS (all documents when None)."""
    documents = repo.load_documents(session, document_ids, with_links=False)
    by_id = {doc.id: doc for doc in documents}
    originals = sorted({doc.copy_of for doc in documents if doc.copy_of and doc.copy_of not in by_id})
    if originals:  # only the originals the copies inherit from, not every stored document again
        by_id.update({doc.id: doc for doc in repo.load_documents(session, originals, with_links=False)})
    report_links: list[ReportLink] = []
    for doc in documents:
        report_id = doc.report_id  # one string shared by the document's links
        cited_on = _effective_published(doc, by_id)  # the document's, so worked out once, not per link
        for piece in repo.link_pieces(session, doc.id, REPORT_PIECE):
            urls = {link.url for link in piece if link.url}
            checks = repo.latest_checks(session, urls)
            lookups = repo.latest_snapshot_lookups(session, urls)
            report_links.extend(_link(report_id, cited_on, link, checks, lookups) for link in piece)
    wanted = {doc.id for doc in documents}
    findings = [f for f in repo.load_findings(session) if f.document_id in wanted or
                (f.document_id is None and document_ids is None)]
    findings.sort(key=lambda f: (f.document_id or 0, SEVERITY_ORDER[f.severity], f.kind.value, f.url or ""))
    return Report(
        generated_at=now or datetime.now(timezone.utc),
        documents=tuple(_document(doc, by_id) for doc in documents),
        links=tuple(report_links),
        findings=tuple(findings),
    )


def _effective_published(doc: StoredDocument, by_id: Mapping[int, StoredDocument]) -> date | None:
    if doc.published:
        return doc.published.value
    original = by_id.get(doc.copy_of) if doc.copy_of else None
    return original.published.value if original and original.published else None


def _document(doc: StoredDocument, by_id: Mapping[int, StoredDocument]) -> ReportDocument:
    original = by_id.get(doc.copy_of) if doc.copy_of else None
    return ReportDocument(
        id=doc.report_id, source=doc.source, title=doc.title or (original.title if original else None),
        published=_effective_published(doc, by_id),
        original_url=doc.original_url or (original.original_url if original else None),
        copy_of=original.report_id if original else None, error=doc.error)


def _link(report_id: str, cited_on: date | None, link: StoredLink, checks: Mapping[str, CheckResult],
          lookups: Mapping[str, Sequence[SnapshotLookup]]) -> ReportLink:
    check = checks.get(link.url) if link.url else None
    final_url = check.final_url if check else None
    if final_url is not None and final_url == link.url:
        final_url = link.url  # one string, not two equal ones, for each of 10,000 links
    if link.url is None:
        status = LinkStatus.UNCHECKED if link.role is LinkRole.LOST else LinkStatus.INVALID
    else:
        status = check.status if check else LinkStatus.UNCHECKED
    return ReportLink(
        document=report_id, url=link.url or (None if link.role is LinkRole.LOST else link.written),
        role=link.role, anchor_text=link.anchor_text, status=status,
        http_status=check.http_status if check else None, final_url=final_url,
        snapshot=nearest_snapshot(lookups.get(link.url, ()) if link.url else (), cited_on))


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
