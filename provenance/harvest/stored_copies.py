"""Copy detection over the whole store: which stored documents are copies of another.

copies.py holds the method (sketches, containment, which copy is the original); this module
feeds it from the store.  Documents whose text is new or changed get their sketch first, one at
a time; candidate pairs then come from one query over the stored sketches, and only those pairs
have their texts loaded and measured, so memory does not grow with the store.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..store import repo
from .copies import MAX_POSTING, MIN_SHARE, MIN_SHARED_SAMPLES, MIN_SHINGLES, CopyRelation, find_copies, sketch


def stored_copies(session: Session) -> list[CopyRelation]:
    """Every stored document that is a copy of another, each pointing at its group's original."""
    if repo.count_documents(session) < 2:
        return []  # nothing to be a copy of: a lone document is sketched when a second one comes
    for doc_id in repo.unsketched_documents(session):
        text, text_fingerprint = repo.document_text(session, doc_id)
        made = sketch(text)
        repo.save_sketch(session, doc_id, text_fingerprint, made.shingles, made.sampled)
    candidates = repo.copy_candidates(session, MAX_POSTING, MIN_SHARED_SAMPLES, MIN_SHARE, MIN_SHINGLES)
    return find_copies(candidates, lambda doc_id: repo.load_documents(session, [doc_id], with_links=False)[0])


def mark_copies(session: Session) -> None:
    """Set each stored document's `copy_of` to its original (None: it is no copy), where it changed."""
    relations = {rel.copy_id: rel.original_id for rel in stored_copies(session)}
    for doc_id, copy_of in repo.copy_of_by_document(session).items():
        wanted = relations.get(doc_id)
        if copy_of != wanted:
            repo.set_copy_of(session, doc_id, wanted)
