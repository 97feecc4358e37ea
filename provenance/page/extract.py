"""What a page says about itself: title, article text, publication date, canonical address, language.

The one reading of a page that the HTML harvester, the link checker and the content-drift
comparison share, so the live page and its archived copy are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lxml.html import HtmlElement

from ..records import DateEvidence
from .dates import publication_date
from .tree import Page, load_page, text_of

DateSearch = Literal["full", "metadata", "none"]
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022:»-]\s+[^|\u2013\u2014\u00b7\u2022»-]{2,60}$")


@dataclass(frozen=True)
class PageExtract:
    """What `parse_page` reads off a page; None fields were not found."""

    title: str | None
    main_text: str  # article body text, page chrome stripped
    published: DateEvidence | None
    canonical_url: str | None
    lang: str | None


def parse_page(data: bytes | str, url: str | None = None, *, dates: DateSearch = "full") -> PageExtract:
    """Title, article text, publication date, canonical address and language of a page.

    `dates`: "full" searches the page as the harvester does, "metadata" reads only what the page
    declares and its URL (the link checker), "none" skips the date (the soft-404 probe).
    """
    return extract(load_page(data), url, dates=dates)


def extract(page: Page, url: str | None = None, *, dates: DateSearch = "full") -> PageExtract:
    """The PageExtract of an already loaded page (`dates` as in parse_page); the date is read from
    the raw HTML, not the pruned tree."""
    published = None
    if dates != "none":
        published = publication_date(page.html, url, page=page, metadata_only=dates == "metadata")
    if page.root is None:
        return PageExtract(None, "", published, None, None)
    return PageExtract(
        title=page_title(page),
        main_text=page.text,
        published=published,
        canonical_url=canonical_url(page.root),
        lang=_lang(page.root),
    )


def _meta(root: HtmlElement, *keys: str) -> str | None:
    for key in keys:
        for el in root.xpath(f'//meta[@property="{key}" or @name="{key}"]'):
            value = " ".join((el.get("content") or "").split())
            if value:
                return value
    return None


def page_title(page: Page) -> str | None:
    """og:title, else the article's <h1>, else <title> with the site name removed."""
    root = page.root
    if root is None:
        return None
    title = _meta(root, "og:title", "twitter:title")
    if not title:
        scope = page.container if page.container is not None else root
        h1 = scope.find(".//h1")
        title = text_of(h1) if h1 is not None else None
    if not title:
        el = root.find(".//title")
        title = text_of(el) if el is not None else None
        if title:
            suffix = _SITE_SUFFIX.search(title)
            if suffix and len(title[: suffix.start()].split()) >= 2:  # "Story | Site", not "COVID-19 - what we know"
                title = title[: suffix.start()]
    return title or None


def canonical_url(root: HtmlElement) -> str | None:
    """<link rel=canonical>, else og:url."""
    for el in root.iter("link"):
        href = (el.get("href") or "").strip()
        if href and "canonical" in (el.get("rel") or "").lower().split():
            return href
    return _meta(root, "og:url")


def _lang(root: HtmlElement) -> str | None:
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    return lang or _meta(root, "og:locale", "language", "content-language")
