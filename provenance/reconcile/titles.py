"""Does the text that names a link match what it points at (the URL slug, the page title)?

Both sides are reduced to a set of content tokens: NFKC + casefold, abbreviations folded
(`U.S.` -> `us`), apostrophes dropped (`Russia's` -> `russias`), every other punctuation mark a
separator, English stopwords dropped.  Similarity is the overlap coefficient
|A & B| / min(|A|, |B|), with a token counting as shared when one is a prefix (4+ letters) of the
other, and in any of its spellings (accents dropped, German umlauts spelled out: `für` ~ `fuer`):
slugs are often a truncated or reworded title and page titles carry a site name, so the smaller
side being largely inside the larger is a match.  The threshold is low on purpose: editors reword
headlines after the slug is cut ("Gas Prices Tumble..." at `gas-prices-lower-...`), while a link
to another article shares almost nothing.

A slug is only compared when it says something: ids, hashes, dates and `index.html` are opaque.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

THRESHOLD = 0.34  # under a third of the shorter side shared: another article, not a reworded headline
MIN_TOKENS = 2  # fewer content tokens on either side: too little to judge

STOPWORDS = frozenset(
    """
a an the and or but nor of to in on at by for with from as into onto over under about after before
is are was were be been being it its this that these those than then so not no yes do does did
has have had will would can could should may might must shall i you he she we they his her our their
my your me him them what which who whom whose when where why how all any some more most very
just also up out off via vs
""".split()
) - {"us"}  # "us" is the United States far more often than the pronoun in titles

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_ABBREV = re.compile(r"\b(?:[^\W\d_]\.){2,}", re.UNICODE)  # U.S. / e.g. / U.K.
_APOSTROPHE = re.compile(r"[\u2019\u2018'`]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi|pdf)$", re.IGNORECASE)
_HEXLIKE = re.compile(r"^[0-9a-f]{8,}$")
# -a76117, -60123456, _v2 (a 4-digit year is content and stays)
_TRAILING_ID = re.compile(r"(?:[-_](?:\d{5,}|[a-z]+\d[\da-z]*|\d+[a-z][\da-z]*))+$", re.IGNORECASE)
_GENERIC_SEGMENTS = frozenset(
    {
        "index",
        "default",
        "home",
        "main",
        "article",
        "articles",
        "story",
        "news",
        "post",
        "posts",
        "page",
        "view",
        "show",
        "detail",
        "amp",
        "watch",
        "video",
        "embed",
        "print",
    }
)


@dataclass(frozen=True)
class TitleComparison:
    """One comparison between a label and a target (slug or page title), with its score."""

    label: str
    target: str
    target_kind: str  # "url_slug" | "page_title"
    similarity: float
    threshold: float = THRESHOLD

    @property
    def matches(self) -> bool:
        return self.similarity >= self.threshold

    def as_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "compared_with": self.target_kind,
            "target": self.target,
            "similarity": round(self.similarity, 4),
            "threshold": self.threshold,
        }


def title_tokens(text: str) -> set[str]:
    """Content tokens of a title, label or slug (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ABBREV.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _APOSTROPHE.sub("", text)
    return {tok for tok in _NON_WORD.split(text) if tok and tok not in STOPWORDS}


def similarity(label: str, target: str) -> float | None:
    """Overlap coefficient of content tokens, or None when either side is too short, or the two are
    in different scripts (a Cyrillic headline against its transliterated slug cannot be judged)."""
    a, b = title_tokens(label), title_tokens(target)
    if len(a) < MIN_TOKENS or len(b) < MIN_TOKENS or _latin(a) != _latin(b):
        return None
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    large_forms = {form for tok in large for form in _forms(tok)}
    shared = sum(
        1
        for tok in small
        if _forms(tok) & large_forms or any(_prefix_match(f, other) for f in _forms(tok) for other in large_forms)
    )
    return shared / len(small)


def _forms(token: str) -> frozenset[str]:
    """Spellings a slug may use for a token: as is, accents dropped, German umlauts spelled out."""
    spelled = token.translate(_UMLAUTS)
    return frozenset({token, _strip_accents(token), _strip_accents(spelled)})


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _latin(tokens: set[str]) -> bool:
    """Whether most letters are Latin once accents are dropped."""
    letters = [c for tok in tokens for c in _strip_accents(tok) if c.isalpha()]
    return sum(c.isascii() for c in letters) >= 0.5 * len(letters) if letters else True


def _prefix_match(a: str, b: str) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def url_slug(url: str) -> str | None:
    """The readable slug of a URL's path ('little-hope-of-...'), or None when it is opaque."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segments = [unquote(s) for s in path.split("/") if s]
    for segment in reversed(segments):
        slug = _EXTENSION.sub("", segment)
        slug = _TRAILING_ID.sub("", slug)
        if _is_readable(slug):
            return slug
        if not (slug.isdigit() or _HEXLIKE.match(slug.lower()) or slug.lower() in _GENERIC_SEGMENTS or not slug):
            return None  # a non-generic opaque last word: do not reach further up the path
    return None


def _is_readable(slug: str) -> bool:
    if _HEXLIKE.match(slug.lower()) or slug.lower() in _GENERIC_SEGMENTS:
        return False
    parts = [p for p in re.split(r"[-_+\s]+", slug) if p]
    words = [p for p in parts if p.isalpha() and len(p) >= 2]
    return len(words) >= 3 and len(words) >= 0.6 * len(parts)


def looks_like_title(text: str | None) -> bool:
    """Four or more content words, mostly capitalised (a headline): not a phrase, a URL, a menu item or a byline."""
    if not text or "://" in text or text.startswith("www."):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’.-]*", text) if w.casefold() not in STOPWORDS]
    if len(words) < 4 or all(w.isupper() for w in words):  # menu items, all-caps bylines
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.7 * len(words)
