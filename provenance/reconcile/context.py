"""The reconciler's read-only view of stored evidence: documents, links, checks, snapshots, drift.

Built once from records (no SQL, no network), so every rule is a pure function of it and
`provenance reconcile` is deterministic.  Two derived facts live here because several rules need
them and they must agree everywhere:

- `LinkView.target_date`: the linked page's own metadata date when a check read one from a live
  page, else the date in its URL path;
- `effective_published(doc)`: the document's date, or for a copy without one its original's,
  marked `copy_of:d<id>/<source>` so a finding shows where the date came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ..config import ReconcileConfig
from ..page.urldates import url_path_date
from ..records import (
    HEALTHY_STATUSES,
    CheckResult,
    DateEvidence,
    DriftEvidence,
    SnapshotLookup,
    StoredDocument,
    StoredLink,
)
from ..textnorm import containment, text_shingles
from .policy import PolicyVerdict


@dataclass(frozen=True)
class LinkView:
    """One link of one document with everything known about its target."""

    document: StoredDocument
    link: StoredLink
    check: CheckResult | None = None
    snapshots: tuple[SnapshotLookup, ...] = ()
    target_date: DateEvidence | None = None
    drift: DriftEvidence | None = None


@dataclass(frozen=True)
class ReconcileContext:
    documents: tuple[StoredDocument, ...]  # what the rules may look at (a document and its copy group)
    links: tuple[LinkView, ...]  # the links judged here
    config: ReconcileConfig
    # the documents judged here by document rules; None: all of `documents` (see build_context's SUBJECTS)
    subjects: tuple[StoredDocument, ...] | None = None
    documents_by_id: Mapping[int, StoredDocument] = field(default_factory=dict)
    copy_of: Mapping[int, int | None] = field(default_factory=dict)  # document id -> its original's id
    copy_ids: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # original id -> its copies' ids
    # url -> the daemon's dead-link policy verdict where it judged a failing link's status; empty
    # for the one-off audit, whose statuses are the checker's own
    policy: Mapping[str, PolicyVerdict] = field(default_factory=dict)

    def document(self, document_id: int | None) -> StoredDocument | None:
        return self.documents_by_id.get(document_id) if document_id is not None else None

    def original_of(self, doc: StoredDocument) -> StoredDocument | None:
        """The document this one is a copy of, if it is stored."""
        return self.document(doc.copy_of)

    def relatives(self, doc: StoredDocument) -> tuple[StoredDocument, ...]:
        """Other members of doc's copy group (`copy_group`), by id."""
        members = copy_group(doc.id, self.copy_of, self.copy_ids)
        return tuple(self.documents_by_id[i] for i in members if i != doc.id)

    def effective_published(self, doc: StoredDocument) -> DateEvidence | None:
        """The document's published date, or for an undated copy its original's (source says so)."""
        if doc.published is not None:
            return doc.published
        original = self.original_of(doc)
        if original is None or original.published is None:
            return None
        inherited = original.published
        return DateEvidence(
            value=inherited.value, source=f"copy_of:d{original.id}/{inherited.source}", raw=inherited.raw
        )

    def copy_similarity(self, copy: StoredDocument, original: StoredDocument) -> float:
        """Containment of the smaller text's shingles in the larger's (as copy detection measures it)."""
        return round(containment(text_shingles(copy.text), text_shingles(original.text)), 4)


def build_context(
    documents: Sequence[StoredDocument],
    checks: Mapping[str, CheckResult],
    snapshots: Mapping[str, Sequence[SnapshotLookup]],
    config: ReconcileConfig,
    drift: Mapping[str, DriftEvidence] | None = None,
    policy: Mapping[str, PolicyVerdict] | None = None,
    judged: tuple[StoredDocument, Sequence[StoredLink]] | None = None,
    subjects: Sequence[StoredDocument] | None = None,
) -> ReconcileContext:
    """Join documents with the latest check, snapshot look-ups and drift of each link's URL.

    By default every link and document of DOCUMENTS is judged.  A large store is judged piece by
    piece (pipeline.reconcile): JUDGED = (document, some of its links) names the links judged in
    this context, SUBJECTS the documents document rules run on, while DOCUMENTS also holds the
    copy group those rules compare with.
    """
    drift = dict(drift or {})
    docs = tuple(sorted(documents, key=lambda d: d.id))
    views = []
    pieces = [(judged[0], judged[1])] if judged is not None else [(doc, doc.links) for doc in docs]
    for doc, doc_links in pieces:
        for link in sorted(doc_links, key=lambda lk: (lk.position, lk.id)):
            check = checks.get(link.url) if link.url else None
            found = tuple(sorted(snapshots.get(link.url, ()), key=lambda s: s.archive)) if link.url else ()
            views.append(
                LinkView(
                    document=doc,
                    link=link,
                    check=check,
                    snapshots=found,
                    target_date=target_date(link.url, check),
                    drift=drift.get(link.url) if link.url else None,
                )
            )
    copy_of = {doc.id: doc.copy_of for doc in docs}
    return ReconcileContext(
        documents=docs,
        links=tuple(views),
        config=config,
        subjects=None if subjects is None else tuple(sorted(subjects, key=lambda d: d.id)),
        documents_by_id=MappingProxyType({d.id: d for d in docs}),
        copy_of=MappingProxyType(copy_of),
        copy_ids=MappingProxyType(copies_by_original(copy_of)),
        policy=MappingProxyType(dict(policy or {})),
    )


def copies_by_original(copy_of: Mapping[int, int | None]) -> dict[int, tuple[int, ...]]:
    """Original id -> the ids of its copies, from COPY_OF (document id -> the id it is a copy of, or None)."""
    copies: dict[int, list[int]] = {}
    for doc_id, original in copy_of.items():
        if original is not None:
            copies.setdefault(original, []).append(doc_id)
    return {original: tuple(ids) for original, ids in copies.items()}


def copy_group(doc_id: int, copy_of: Mapping[int, int | None], copy_ids: Mapping[int, Sequence[int]]) -> list[int]:
    """The ids of DOC_ID's copy group, itself included, sorted: its original (when it is among
    COPY_OF's documents), the original's copies and its own copies (COPY_IDS: copies_by_original)."""
    original = copy_of.get(doc_id)
    root = original if original is not None and original in copy_of else doc_id
    return sorted({doc_id, root, *copy_ids.get(root, ()), *copy_ids.get(doc_id, ())})


def target_date(url: str | None, check: CheckResult | None) -> DateEvidence | None:
    """The target's own metadata date from a page that answered, else its URL-path date."""
    if check is not None and check.status in HEALTHY_STATUSES and check.page and check.page.published:
        return check.page.published
    return url_path_date(url) if url else None
