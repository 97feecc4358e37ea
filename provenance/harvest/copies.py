"""Recognise documents that are copies of one text (a web page and its PDF print, a repost).

Resemblance is *containment*: the share of the smaller text's word 5-gram shingles found in the
larger one (textnorm.shingles, so line wraps, quote styles and dashes do not matter; markup tags
are stripped first).  Containment, not Jaccard, so a print that lost its headline, a caption or
the "Original url" footer still counts as the same text.

Scale: candidates come from an inverted index over a deterministic 1-in-SAMPLE subset of each
document's shingles (a shingle is kept when its hash is 0 mod SAMPLE, so two copies keep the same
subset); postings longer than MAX_POSTING (boilerplate shared by hundreds of pages) are ignored.
Only candidate pairs get an exact containment, so a few thousand documents cost roughly their
total length, not n^2 comparisons.

Which one is the original, inside each group of copies (connected pairs):
  1. a document that names an original URL beats one that does not;
  2. then the earlier published date (a document without a date ranks after dated ones);
  3. then more metadata (title, published date, original URL present);
  4. then the longer text (the fuller copy), then the lower id (harvested first).
Every other member of the group becomes `copy_of` that one original, never a chain.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Sequence

from ..records import StoredDocument
from ..textnorm import shingles

THRESHOLD = 0.8  # containment at or above which two texts are copies
MIN_SHINGLES = 20  # shorter texts (a title, an empty page) are never called copies
SAMPLE = 4  # keep 1 shingle in SAMPLE for candidate generation
MAX_POSTING = 200  # a sampled shingle in more documents than this is boilerplate
MIN_SHARED_SAMPLES = 2
# A 50 MB text would make a set of millions of shingles, in every run (issue 7); a copy shows in
# its first two million characters, so only those are compared.
MAX_COMPARED_CHARS = 2_000_000

_TAG = re.compile(r"<[^>]{0,200}>")


@dataclass(frozen=True)
class CopyRelation:
    """`copy_id` is a copy of `original_id`; `similarity` is the containment that showed it."""

    copy_id: int
    original_id: int
    similarity: float
    method: str  # "fingerprint" (same canonical text) or "shingle_containment"


def text_shingles(text: str) -> set[int]:
    """Shingles of a document's text with markup tags removed (its first MAX_COMPARED_CHARS only)."""
    return shingles(_TAG.sub(" ", text[:MAX_COMPARED_CHARS]))


def containment(a: set[int], b: set[int]) -> float:
    """|A & B| / min(|A|, |B|): 1.0 when the smaller text is wholly inside the larger."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def find_copies(documents: Sequence[StoredDocument]) -> list[CopyRelation]:
    """Every document that is a copy of another, pointing at its group's original (rule above)."""
    if len(documents) < 2:
        return []  # nothing to be a copy of (and a lone 10,000-line text's shingles were its audit's peak)
    docs = {doc.id: doc for doc in documents}
    grams = {doc.id: text_shingles(doc.text) for doc in documents}
    pairs: dict[tuple[int, int], tuple[float, str]] = {}
    for a, b in _candidate_pairs(documents, grams):
        if min(len(grams[a]), len(grams[b])) < MIN_SHINGLES:
            continue  # empty or headline-sized texts agree by accident, even to the fingerprint
        if docs[a].fingerprint and docs[a].fingerprint == docs[b].fingerprint:
            pairs[(a, b)] = (1.0, "fingerprint")
            continue
        score = containment(grams[a], grams[b])
        if score >= THRESHOLD:
            pairs[(a, b)] = (score, "shingle_containment")
    relations = []
    for group in _groups(pairs):
        original = min(group, key=lambda i: _original_rank(docs[i], len(grams[i])))
        for member in sorted(group - {original}):
            key = (min(member, original), max(member, original))
            if key in pairs:
                score, method = pairs[key]
            else:  # joined through a third copy: measure it directly
                score, method = containment(grams[member], grams[original]), "shingle_containment"
            relations.append(CopyRelation(member, original, round(score, 4), method))
    return relations


def _candidate_pairs(documents: Sequence[StoredDocument], grams: dict[int, set[int]]) -> list[tuple[int, int]]:
    """Pairs (low id, high id) sharing enough sampled shingles, or the same fingerprint."""
    postings: dict[int, list[int]] = defaultdict(list)
    by_fingerprint: dict[str, list[int]] = defaultdict(list)
    for doc in documents:
        if doc.fingerprint:
            by_fingerprint[doc.fingerprint].append(doc.id)
        for gram in grams[doc.id]:
            if gram % SAMPLE == 0:
                postings[gram].append(doc.id)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for ids in postings.values():
        if 1 < len(ids) <= MAX_POSTING:
            for a, b in combinations(sorted(ids), 2):
                shared[(a, b)] += 1
    found = {pair for pair, count in shared.items() if count >= MIN_SHARED_SAMPLES}
    for ids in by_fingerprint.values():
        found.update(combinations(sorted(ids), 2))
    return sorted(found)


def _groups(pairs: dict[tuple[int, int], tuple[float, str]]) -> list[set[int]]:
    """Connected components of the copy graph (union-find), in a stable order."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(pairs):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = defaultdict(set)
    for node in parent:
        groups[root(node)].add(node)
    return [groups[key] for key in sorted(groups)]


def _original_rank(doc: StoredDocument, size: int) -> tuple:
    """Sort key: the smallest ranks as the group's original (see the module docstring)."""
    published = doc.published.value if doc.published else date.max
    metadata = sum(x is not None for x in (doc.title, doc.published, doc.original_url))
    return (doc.original_url is None, published, -metadata, -size, doc.id)
