"""Text normalisation shared by harvesters, copy detection and content comparison.

Copies of one article differ in quote styles, dashes, line wraps and markup; comparing them
needs one canonical form.  `fingerprint` is a hash of that form, so two harvests of the same
text agree whatever their wrapping.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator

_PUNCT_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u00ad": None,
        "\u200b": None,
        "\ufeff": None,
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)
_PIECE = 1 << 18  # characters normalised at a time by fingerprint(): ~1.6 MB of words at most
_GRAM_PIECE = 1 << 16  # and by word_grams(), whose callers keep hashes besides (copies.sketch)


def normalize_text(text: str) -> str:
    """Fold Unicode, quotes, dashes, case and whitespace into one canonical form."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_FOLD).casefold()
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The words of `text` in canonical form, punctuation dropped."""
    return _WORD.findall(normalize_text(text))


def _pieces(text: str, size: int) -> Iterator[str]:
    """TEXT in pieces of about SIZE characters, each cut just after a space or newline (no word is split)."""
    start = 0
    while len(text) - start > size:
        cut = max(text.rfind(" ", start, start + size), text.rfind("\n", start, start + size))
        if cut < start:  # no break in the window: go on to the next one
            ahead = [i for i in (text.find(" ", start + size), text.find("\n", start + size)) if i >= 0]
            if not ahead:
                break
            cut = min(ahead)
        yield text[start : cut + 1]
        start = cut + 1
    yield text[start:]


def fingerprint(text: str) -> str:
    """sha256 over the canonical words: equal for the same text however it is wrapped.

    Hashed piece by piece, so a 50 MB text never becomes a list of millions of words; the digest is
    the one of " ".join(words(text)).
    """
    digest = hashlib.sha256()
    first = True
    for piece in _pieces(text, _PIECE):
        found = words(piece)
        if found:
            digest.update((("" if first else " ") + " ".join(found)).encode("utf-8"))
            first = False
    return digest.hexdigest()


def word_grams(text: str, size: int = 5) -> Iterator[str]:
    """The text's word n-grams, one at a time (the whole text as one when it is shorter than SIZE words).

    Read piece by piece like `fingerprint`, so a long text's words are never all listed at once.
    """
    tail: list[str] = []
    emitted = False
    for piece in _pieces(text, _GRAM_PIECE):
        tokens = tail + words(piece)
        for i in range(len(tokens) - size + 1):
            yield " ".join(tokens[i : i + size])
            emitted = True
        tail = tokens[-(size - 1) :] if size > 1 else []
    if not emitted and tail:
        yield " ".join(tail)


def shingles(text: str, size: int = 5) -> set[int]:
    """Hashed word n-grams, for resemblance and containment between texts (hashes of this process only)."""
    return {hash(gram) for gram in word_grams(text, size)}


# A 50 MB text would make a set of millions of shingles, in every run; a copy shows in
# its first two million characters, so only those are compared.
MAX_COMPARED_CHARS = 2_000_000
_TAG = re.compile(r"<[^>]{0,200}>")


def compared_text(text: str) -> str:
    """The part of a document's text that copies are compared on: its first MAX_COMPARED_CHARS,
    markup tags removed (harvest/copies.py finds copies, reconcile shows how alike they are)."""
    return _TAG.sub(" ", text[:MAX_COMPARED_CHARS])


def text_shingles(text: str) -> set[int]:
    """Shingles of a document's text as compared (`compared_text`), hashed for this process only."""
    return shingles(compared_text(text))


def containment(a: set[int], b: set[int]) -> float:
    """|A & B| / min(|A|, |B|): 1.0 when the smaller text is wholly inside the larger."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
