"""A PDF's links: its URI annotations, and the URLs of its text that no annotation already gives.

An annotation is the authority on where a link goes: it is what a reader's click follows.  A
link over two lines is two annotations with one address, so consecutive annotations of a page
with the same address are one link, whose anchor text is the text under both.  A URL found in
the text is the same link, not a second one, when it lies under an annotation of its page, or
is that page's annotation's address or a cut-off start of it (the text's copy of a wrapped
link the reader did not re-join); the other text URLs are links of their own.

Annotations to non-web schemes (`mailto:`, `javascript:`) are not harvested, as in HTML; a
scheme-less `www.` address is read as a browser reads it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..records import LinkRef, LinkRole
from ..textnorm import normalize_text
from .html import SCHEME, harvestable_address, resolve
from .pdfread import PdfPage
from .pdftext import Assembled
from .text import sentence_around
from .urls import FoundUrl, normalize_url, strip_punctuation, unbreak

__all__ = ["Annotation", "link_annotations", "merge_links"]

_URL_TEXT = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_TEXT_ROLES = frozenset({LinkRole.CITED, LinkRole.RELATED, LinkRole.EMBEDDED})


@dataclass(frozen=True)
class Annotation:
    """One link of a page: its address, and the span of the document text under it (None: no text)."""

    uri: str
    url: str | None
    page: int
    span: tuple[int, int] | None
    anchor: str | None


def link_annotations(
    pages: Sequence[PdfPage], assembled: Assembled, removed: Sequence[tuple[int, int]], base: str | None
) -> list[Annotation]:
    """The links of PAGES, consecutive annotations with one address taken as one; spans in the text
    left after REMOVED (the print's header and footer) was cut out of ASSEMBLED's."""
    found: list[Annotation] = []
    cuts = _Cuts(removed)
    for number, page in enumerate(pages):
        previous: tuple[str, list[tuple[int, int]]] | None = None
        groups: list[tuple[str, list[tuple[int, int]]]] = []
        for link in page.links:
            runs = [(assembled.offset(number, a), assembled.offset(number, b - 1) + 1) for a, b in link.runs]
            if previous is not None and previous[0] == link.uri:
                previous[1].extend(runs)
                continue
            previous = (link.uri, runs)
            groups.append(previous)
        for uri, runs in groups:
            url, keep = _address(uri, base)
            if not keep:
                continue
            runs = [run for run in _union(runs) if not cuts.inside(run[0])]
            kept = [(cuts.after(a), cuts.after(b)) for a, b in runs]
            pieces = [assembled.text[a:b] for a, b in runs]
            span = (min(a for a, _ in kept), max(b for _, b in kept)) if kept else None
            found.append(Annotation(uri, url, number, span, _anchor(pieces)))
    return found


def _address(uri: str, base: str | None) -> tuple[str | None, bool]:
    """The URL an annotation's URI leads to, and whether it is a link to harvest at all."""
    written = harvestable_address(uri)
    if written is None:
        return None, False
    if SCHEME.match(written) is None and written.lower().startswith("www."):
        return resolve("http://" + written, None), True  # read as a browser reads a scheme-less "www." address
    return resolve(written, base), True


def _union(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """RUNS merged where they overlap or touch: rectangles of one link often cover the same characters."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(runs):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class _Cuts:
    """Offsets in a text once sorted, disjoint spans of it (a print's marks) are cut out."""

    def __init__(self, removed: Sequence[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in removed]
        self.ends = [end for _, end in removed]
        self.before = [0]  # characters removed before each span
        for start, end in removed:
            self.before.append(self.before[-1] + end - start)

    def inside(self, offset: int) -> bool:
        i = bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]

    def after(self, offset: int) -> int:
        i = bisect_left(self.starts, offset) - 1  # the last span starting before OFFSET
        if i < 0:
            return offset
        return offset - self.before[i] - (min(self.ends[i], offset) - self.starts[i])


def _anchor(pieces: Iterable[str]) -> str | None:
    """The text under a link: a URL re-joined across its line breaks, words with their spaces."""
    text = "\n".join(piece.strip() for piece in pieces if piece.strip())
    if not text:
        return None
    joined = unbreak(text)
    if _URL_TEXT.match(joined):
        return strip_punctuation(joined)  # the sentence's full stop often lies inside the link's rectangle
    text = re.sub(r"(?<=\w-)\n(?=\w)", "", text)  # "Bristol-\nMyers": the hyphen stays, the break goes
    return " ".join(text.split())


def merge_links(
    text: str,
    assembled_pages: Assembled,
    removed: Sequence[tuple[int, int]],
    links: Sequence[LinkRef],
    found: Sequence[FoundUrl],
    notes: Sequence[Annotation],
) -> list[LinkRef]:
    """The document's links in text order: the annotations, and the links harvest_text found in TEXT
    (FOUND: its URLs, in order) that no annotation already gives."""
    page_starts = [_Cuts(removed).after(start) for start in assembled_pages.page_starts]
    by_page: dict[int, list[Annotation]] = {}
    for note in notes:
        by_page.setdefault(note.page, []).append(note)
    roles: dict[int, tuple[LinkRole, str | None]] = {}  # id(annotation) -> role and label from the text
    placed: list[tuple[int, LinkRef]] = []
    cursor, last_key = 0, 0
    for link in links:
        if link.role in _TEXT_ROLES:
            while cursor < len(found) and (found[cursor].url, found[cursor].written) != (link.url, link.written):
                cursor += 1
            if cursor < len(found):
                url_found = found[cursor]
                cursor += 1
                last_key = url_found.start
                page = max(bisect_right(page_starts, url_found.start) - 1, 0)
                covering = _covering(text, url_found, by_page.get(page, []))
                if covering is not None:
                    if link.role is LinkRole.RELATED:
                        roles[id(covering)] = (LinkRole.RELATED, link.anchor_text)
                    continue
        elif link.role is LinkRole.LOST and (named := _named(link, notes)) is not None:
            roles[id(named)] = (LinkRole.RELATED, named.anchor)
            continue
        placed.append((last_key, link))
    for note in notes:
        role, label = roles.get(id(note), (LinkRole.CITED, None))
        start, end = note.span if note.span is not None else (page_starts[note.page],) * 2
        context = sentence_around(text, start, end) if note.span is not None else None
        placed.append(
            (
                start,
                LinkRef(url=note.url, written=note.uri, role=role, anchor_text=label or note.anchor, context=context),
            )
        )
    placed.sort(key=lambda item: item[0])
    return [replace(link, position=position) for position, (_, link) in enumerate(placed)]


def _covering(text: str, url: FoundUrl, notes: Sequence[Annotation]) -> Annotation | None:
    """The annotation of the URL's page that gives the same link: under it, its address, or its start cut
    off at a line end (the rest of the address begins the next line)."""
    for note in notes:
        if note.span is not None and url.start < note.span[1] and note.span[0] < url.end:
            return note
    key = _key(url.url)
    if not key:
        return None
    for note in notes:
        target = _key(note.url)
        if target == key or target and target.startswith(key) and _cut_here(text, url.end, target[len(key) :]):
            return note
    return None


def _cut_here(text: str, end: int, rest: str) -> bool:
    """Whether the line after TEXT[END] (the URL's end, at a line end) begins with REST, the address's remainder."""
    after = re.match(r"[^\S\n]*[.,;:)\]]*[^\S\n]*\n[^\S\n]*(\S+)", text[end : end + 400])
    if after is None:
        return False
    token, rest = after.group(1).lstrip("./-_?#&="), rest.lstrip("./-_?#&=")
    return bool(token and rest) and token[:3].lower() == rest[:3].lower()


def _key(url: str | None) -> str | None:
    """A URL as compared with an annotation's: normalised, scheme and a trailing slash ignored."""
    normal = normalize_url(url) if url else None
    return normal.split("://", 1)[-1].rstrip("/") if normal else None


def _named(link: LinkRef, notes: Sequence[Annotation]) -> Annotation | None:
    """The annotation whose text is the words a "Related article:" label names (its address is not lost)."""
    words = normalize_text(link.anchor_text or "")
    if not words:
        return None
    for note in notes:
        anchor = normalize_text(note.anchor or "")
        if anchor and (anchor == words or len(anchor) >= 12 and anchor in words):
            return note
    return None
