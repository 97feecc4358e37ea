"""Recognise documents that are copies of one text (a web page and its PDF print, a repost).

Resemblance is *containment*: the share of the smaller text's word 5-gram shingles found in the
larger one (textnorm.shingles, so line wraps, quote styles and dashes do not matter; markup tags
are stripped first).  Containment, not Jaccard, so a print that lost its headline, a caption or
the "Original url" footer still counts as the same text.

Scale: each document gets a *sketch* once per text: its shingle count and a deterministic
1-in-SAMPLE subset of its shingles (a shingle is kept when its stable hash is 0 mod SAMPLE, so two
copies keep the same subset).  Sketches live in the store, and candidate pairs (documents sharing
MIN_SHARED_SAMPLES sampled shingles and MIN_SHARE of the smaller sketch, ignoring shingles in more
than MAX_POSTING documents: boilerplate) come from one query over them (repo.copy_candidates), so
memory does not grow with the corpus, as it did when each harvest held every document's text and
shingle set (docs/performance.md).  Only candidate pairs get an exact containment, from their texts,
loaded a few at a time (`load`).

Which one is the original, inside each group of copies (connected pairs):
  1. a document that names an original URL beats one that does not;
  2. then the earlier published date (a document without a date ranks after dated ones);
  3. then more metadata (title, published date, original URL present);
  4. then the longer text (the fuller copy), then the lower id (harvested first).
Every other member of the group becomes `copy_of` that one original, never a chain.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..records import StoredDocument
from ..textnorm import compared_text, containment, text_shingles, word_grams

THRESHOLD = 0.8  # containment at or above which two texts are copies
MIN_SHINGLES = 20  # shorter texts (a title, an empty page) are never called copies
SAMPLE = 4  # keep 1 shingle in SAMPLE for candidate generation
MAX_POSTING = 200  # a sampled shingle in more documents than this is boilerplate
MIN_SHARED_SAMPLES = 2
# and at least this share of the smaller sketch: a copy (containment >= THRESHOLD) shares about
# THRESHOLD of it, while two long unrelated texts share a few samples by chance, and measuring
# such a pair would hold both whole shingle sets.
MIN_SHARE = THRESHOLD / 2
LOADED = 64  # documents (text and shingle set) kept at once while candidate pairs are measured


@dataclass(frozen=True)
class CopyRelation:
    """`copy_id` is a copy of `original_id`; `similarity` is the containment that showed it."""

    copy_id: int
    original_id: int
    similarity: float
    method: str  # "fingerprint" (same canonical text) or "shingle_containment"


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the store keeps of a text for finding its copies: its shingle count and sampled shingles."""

    shingles: int
    sampled: tuple[int, ...]


def sketch(text: str) -> Sketch:
    """The text's sketch, with hashes that are the same in every process (they are stored).

    Only the sampled shingles are kept while the text is read (a 10,000-line link list has 85,000
    shingles); `shingles` counts them all, repeats included.
    """
    count, sampled = 0, set()
    for gram in word_grams(compared_text(text)):
        count += 1
        hashed = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big", signed=True)
        if hashed % SAMPLE == 0:
            sampled.add(hashed)
    return Sketch(count, tuple(sorted(sampled)))


def find_copies(candidates: Iterable[tuple[int, int]], load: Callable[[int], StoredDocument]) -> list[CopyRelation]:
    """Every document that is a copy of another, pointing at its group's original (rule above).

    CANDIDATES are pairs of document ids worth measuring (repo.copy_candidates); LOAD gives a
    stored document with its text.
    """

    @lru_cache(maxsize=LOADED)
    def measured(doc_id: int) -> tuple[StoredDocument, set[int]]:
        doc = load(doc_id)
        return doc, text_shingles(doc.text)

    pairs: dict[tuple[int, int], tuple[float, str]] = {}
    for a, b in sorted({(min(pair), max(pair)) for pair in candidates if pair[0] != pair[1]}):
        (doc_a, grams_a), (doc_b, grams_b) = measured(a), measured(b)
        if min(len(grams_a), len(grams_b)) < MIN_SHINGLES:
            continue  # empty or headline-sized texts agree by accident, even to the fingerprint
        score, method = _resemblance(doc_a, grams_a, doc_b, grams_b)
        if score >= THRESHOLD:
            pairs[(a, b)] = (score, method)
    relations = []
    for group in _groups(pairs):
        original = min(group, key=lambda i: _original_rank(measured(i)[0], len(measured(i)[1])))
        for member in sorted(group - {original}):
            key = (min(member, original), max(member, original))
            # joined through a third copy (a fingerprint group is paired with its first member only): measure it
            score, method = pairs[key] if key in pairs else _resemblance(*measured(member), *measured(original))
            relations.append(CopyRelation(member, original, round(score, 4), method))
    return relations


def _resemblance(
    doc_a: StoredDocument, grams_a: set[int], doc_b: StoredDocument, grams_b: set[int]
) -> tuple[float, str]:
    """(score, method): the same canonical text is 1.0 by fingerprint, else the shingle containment."""
    if doc_a.fingerprint and doc_a.fingerprint == doc_b.fingerprint:
        return 1.0, "fingerprint"
    return containment(grams_a, grams_b), "shingle_containment"


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


def _original_rank(doc: StoredDocument, size: int) -> tuple[bool, date, int, int, int]:
    """Sort key: the smallest ranks as the group's original (see the module docstring)."""
    published = doc.published.value if doc.published else date.max
    metadata = sum(x is not None for x in (doc.title, doc.published, doc.original_url))
    return (doc.original_url is None, published, -metadata, -size, doc.id)
