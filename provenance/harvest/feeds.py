"""Watched URLs that list pages: RSS 1.0/2.0 and Atom feeds, XML sitemaps and sitemap indexes.

A daemon source URL may be a page, a feed or a sitemap (CONTRACT.md `sources:`).  This module
only recognises the listings and reads their page URLs; fetching goes through the caller's
`fetch(url) -> (body, error)` (the one HTTP door), and pages are harvested as usual.

Parsing is defensive, as for any document from the web: lxml with entity resolution, network
access and DTD loading off (no XXE, no billion laughs), `recover=True` for the many slightly
broken feeds, gzip sitemaps (`.xml.gz`) decompressed with a cap.  A sitemap index is followed
`MAX_DEPTH` levels down, and at most `MAX_PAGES` page URLs are taken from one source.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from .files import is_url
from .inputs import Fetch
from .ooxml import safe_parser

log = logging.getLogger(__name__)

MAX_PAGES = 5000  # page URLs taken from one source (sitemaps may list 50,000)
MAX_DEPTH = 2  # sitemap index -> sitemaps -> pages
MAX_XML_BYTES = 50_000_000  # a decompressed sitemap's size limit (the sitemaps.org protocol's)
_GZIP = b"\x1f\x8b"


@dataclass(frozen=True)
class Listing:
    """What a feed or sitemap lists: `pages` to harvest, `sitemaps` to follow (index only)."""

    kind: str  # "rss", "atom", "sitemap", "sitemap_index"
    pages: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if _local(child.tag) == name)


def _text(element: etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        value = (child.text or "").strip()
        if value:
            return value
    return None


def _absolute(url: str | None, base: str) -> str | None:
    if not url:
        return None
    joined = urljoin(base, url.strip())
    return joined if is_url(joined) else None


def _unique(urls: Iterator[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in urls if u))


def _gunzip(body: bytes) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
        return handle.read(MAX_XML_BYTES)  # at most the cap: no extra byte read only to be sliced off


def parse_listing(body: bytes, url: str) -> Listing | None:
    """The pages (or sitemaps) a feed or sitemap at URL lists; None when BODY is not one (a page)."""
    if body.startswith(_GZIP):
        try:
            body = _gunzip(body)
        except (OSError, EOFError):
            return None
    head = body[:2048].lstrip().lower()
    if not head.startswith(b"<") or b"<html" in head or b"<!doctype html" in head:
        return None
    try:
        # relative xml:base resolves against URL; a recovering parser gives None when nothing is an element
        root: etree._Element | None = etree.fromstring(body, safe_parser(recover=True), base_url=url)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    kind = _local(root.tag)
    base = root.base or url
    if kind == "rss":
        items = (item for channel in _children(root, "channel") for item in _children(channel, "item"))
        return Listing("rss", _unique(_absolute(_text(item, "link") or _permalink(item), base) for item in items))
    if kind == "rdf":  # RSS 1.0
        return Listing("rss", _unique(_absolute(_text(item, "link"), base) for item in _children(root, "item")))
    if kind == "feed":
        return Listing("atom", _unique(_atom_link(entry, base) for entry in _children(root, "entry")))
    if kind == "urlset":
        return Listing("sitemap", _unique(_absolute(_text(entry, "loc"), base) for entry in _children(root, "url")))
    if kind == "sitemapindex":
        return Listing(
            "sitemap_index", sitemaps=_unique(_absolute(_text(s, "loc"), base) for s in _children(root, "sitemap"))
        )
    return None


def _permalink(item: etree._Element) -> str | None:
    """An RSS 2.0 <guid> that is a permalink (the default) stands in for a missing <link>."""
    for guid in _children(item, "guid"):
        if (guid.get("isPermaLink") or "true").lower() == "true" and guid.text:
            return guid.text.strip()
    return None


def _atom_link(entry: etree._Element, base: str) -> str | None:
    """An Atom entry's page: its rel=alternate link (RFC 4287 4.2.7.2: no rel means alternate)."""
    base = entry.base or base
    for link in _children(entry, "link"):
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return _absolute(link.get("href"), base)
    return None


def expand_source(url: str, fetch: Fetch) -> tuple[list[str], list[tuple[str, str]]]:
    """Page URLs to harvest for a watched URL: the listing's pages, or the URL itself when it is a page.

    Returns (pages, errors); errors are (url, reason) for listings that could not be read.
    """
    pages: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    taken: set[str] = set()

    def visit(target: str, depth: int) -> None:
        if target in seen or len(pages) >= MAX_PAGES:
            return
        seen.add(target)
        body, error = fetch(target)
        if error:
            errors.append((target, error))
            return
        listing = parse_listing(body, target)
        if listing is None:
            if depth == 0:
                taken.add(target)
                pages.append(target)  # the source is a page itself
            else:
                errors.append((target, "listed as a sitemap, but is not a feed or sitemap"))
            return
        for sitemap in listing.sitemaps:
            if depth < MAX_DEPTH:
                visit(sitemap, depth + 1)
        room = MAX_PAGES - len(pages)
        if len(listing.pages) > room:
            log.warning("%s lists %d pages; taking the first %d", target, len(listing.pages), room)
        for page in listing.pages[:room]:
            if page not in taken:
                taken.add(page)
                pages.append(page)

    visit(url, 0)
    return pages, errors


def watched_pages(url: str, fetch: Fetch) -> tuple[list[str], list[tuple[str, str]], Fetch]:
    """`expand_source`, and the fetch to harvest its pages with: a watched URL that is a page itself
    was fetched once to tell it from a listing, and is not fetched a second time."""
    first: dict[str, tuple[bytes, str | None]] = {}

    def fetch_listing(target: str) -> tuple[bytes, str | None]:
        answer = fetch(target)
        if target == url:
            first[target] = answer
        return answer

    def fetch_page(target: str) -> tuple[bytes, str | None]:
        return first.pop(target, None) or fetch(target)

    pages, errors = expand_source(url, fetch_listing)
    return pages, errors, fetch_page
