"""The reconciler's evidence, read from the store one document (and one piece of its links) at a time.

Each `ReconcileContext` holds one document's piece of links with the evidence about those links
only: holding every link's latest check at once was most of a large audit's peak memory.  A copy
group's links are compared across its members, so a document with copies is loaded with them, once
for the whole group rather than once a member; a document alone is read a piece at a time.  The
document's last piece also judges the document itself, so findings keep their order: a document's
links, then the document.

With a dead-link POLICY (the daemon's), a failing link's status is the policy's verdict on its
whole check history rather than its latest answer (policy.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from ..chunks import batched, marking_last
from ..config import ReconcileConfig
from ..records import StoredDocument, StoredLink
from ..store import repo
from .context import ReconcileContext, build_context, copies_by_original, copy_group
from .policy import DeadLinkPolicy, PolicyVerdict, apply_policy, failing_urls

RECONCILE_PIECE = 1000  # links judged at a time


def contexts(
    session: Session, config: ReconcileConfig, policy: DeadLinkPolicy | None = None, *, piece: int = RECONCILE_PIECE
) -> Iterator[ReconcileContext]:
    """ReconcileContexts covering every stored link once and every document once, in document order."""
    copy_of = repo.copy_of_by_document(session)
    copy_ids = copies_by_original(copy_of)
    groups = {doc_id: tuple(copy_group(doc_id, copy_of, copy_ids)) for doc_id in copy_of}
    members_left = Counter(group for group in groups.values() if len(group) > 1)
    loaded: dict[tuple[int, ...], list[StoredDocument]] = {}  # a copy group's documents, until its last member
    for doc_id, group in groups.items():
        if len(group) > 1:
            if group not in loaded:
                loaded[group] = repo.load_documents(session, group)
            documents = loaded[group]
            members_left[group] -= 1
            if not members_left[group]:
                del loaded[group]
        else:  # a document alone: its links are read a piece at a time, and its text is not compared
            documents = repo.load_documents(session, group, with_links=False, with_text=False)
        doc = next(d for d in documents if d.id == doc_id)
        pieces = batched(doc.links, piece) if len(group) > 1 else repo.link_pieces(session, doc_id, piece)
        for last, links in marking_last(pieces):
            yield _context(session, config, policy, documents, doc, links, last)


def _context(
    session: Session,
    config: ReconcileConfig,
    policy: DeadLinkPolicy | None,
    documents: Sequence[StoredDocument],
    doc: StoredDocument,
    links: Sequence[StoredLink],
    last: bool,
) -> ReconcileContext:
    """The context judging LINKS of DOC (and DOC itself when LAST), with those links' evidence."""
    urls = sorted({link.url for link in links if link.url})
    checks = repo.latest_checks(session, urls)
    verdicts: dict[str, PolicyVerdict] = {}
    if policy is not None:
        checks, verdicts = apply_policy(checks, repo.check_histories(session, failing_urls(checks)), policy)
    return build_context(
        documents,
        checks,
        repo.latest_snapshot_lookups(session, urls),
        config,
        drift=repo.latest_drift(session, urls),
        policy=verdicts,
        judged=(doc, links),
        subjects=(doc,) if last else (),
    )
