"""The HTML harvester: a web page -> HarvestedDocument with its cited, related and embedded links.

Which links count is decided by where they sit (page.tree.iter_zones): links in the article body
are `cited`, media and images there are `embedded`, links in a "Related articles"/"Read more"/
"See also" block or behind such a label are `related`, and the page's canonical/og:url address
is `original`.  Page chrome is skipped unless `include_boilerplate`.

Deliberate deviations from LinkChecker, which reports every URL-bearing attribute:
- `javascript:`, `mailto:`, `tel:`, `data:` and other non-web schemes (`clsid:`), and links that
  are only a fragment (`#x`, a jump within this page) are not harvested: none is a citation.
- Page assets are not citations: `<link>` (stylesheets, favicons, dns-prefetch), `<script src>`,
  CSS `url()`, `<html manifest>`, `<form action>`/`formaction`, `<meta http-equiv=refresh>`,
  `<applet>` and `<object classid/codebase>`.
"""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import quote, urljoin, urlsplit

from lxml.html import HtmlElement

from ..page.extract import extract
from ..page.tree import BLOCK_TAGS, Page, Zone, is_related_label, iter_zones, load_page, text_of, unwrap_replay_url
from ..records import DocumentFormat, HarvestedDocument, LinkRef, LinkRole
from ..textnorm import fingerprint

# tag -> (attribute holding the address, role when in the article body)
LINK_ATTRIBUTES: dict[str, tuple[str, LinkRole]] = {
    "a": ("href", LinkRole.CITED),
    "area": ("href", LinkRole.CITED),
    "blockquote": ("cite", LinkRole.CITED),
    "q": ("cite", LinkRole.CITED),
    "ins": ("cite", LinkRole.CITED),
    "del": ("cite", LinkRole.CITED),
    "img": ("src", LinkRole.EMBEDDED),
    "iframe": ("src", LinkRole.EMBEDDED),
    "frame": ("src", LinkRole.EMBEDDED),
    "embed": ("src", LinkRole.EMBEDDED),
    "object": ("data", LinkRole.EMBEDDED),
    "video": ("src", LinkRole.EMBEDDED),
    "audio": ("src", LinkRole.EMBEDDED),
    "source": ("src", LinkRole.EMBEDDED),
    "track": ("src", LinkRole.EMBEDDED),
}
SKIPPED_SCHEMES = frozenset({"javascript", "mailto", "tel", "data", "about", "clsid", "sms", "callto", "vbscript"})
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")  # an address's scheme: "mailto:", "https:"
_NEWLINES = re.compile(r"[\t\n\r]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s])")
_CONTEXT_CHARS = 300
_BLOCKS_KEPT = 4  # blocks whose text, sentences and prose flag are kept while their links and marks are read
_IN_PROSE = 20  # characters of a block's own words beyond its links and marks: it is a sentence
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"


def harvest_html(
    source: str,
    data: bytes | str,
    base_url: str | None = None,
    include_boilerplate: bool = False,
    max_links: int | None = None,
) -> HarvestedDocument:
    """Harvest one page: title, date, own address, main text and its links; never raises on bad markup.

    At most MAX_LINKS + 1 links are collected (the caller keeps MAX_LINKS and notes the cut).
    """
    page = load_page(data)
    info = extract(page, base_url)
    text = info.main_text
    if page.root is None:
        return HarvestedDocument(
            source=source,
            format=DocumentFormat.HTML,
            title=None,
            published=info.published,
            original_url=base_url,
            text=text,
            fingerprint=fingerprint(text),
            error="could not parse the page as HTML",
        )
    base = _document_base(page.root, base_url)
    canonical = resolve(info.canonical_url, base) if info.canonical_url else None
    own_url = canonical or (unwrap_replay_url(base_url) if base_url else None)
    links: list[LinkRef] = []
    if canonical:
        links.append(LinkRef(url=canonical, written=info.canonical_url, role=LinkRole.ORIGINAL))
    if base is None and canonical:
        base = canonical  # a saved page's relative links belong to its original address
    links += _links(page, base, include_boilerplate, start=len(links), limit=max_links)
    note = (
        ("nested deeper than the parser goes (2,048 levels): read without its layout, so link roles may be off")
        if page.flattened
        else None
    )
    return HarvestedDocument(
        source=source,
        format=DocumentFormat.HTML,
        title=info.title,
        published=info.published,
        original_url=own_url,
        text=text,
        fingerprint=fingerprint(text),
        links=tuple(links),
        error=note,
    )


def _document_base(root: HtmlElement, base_url: str | None) -> str | None:
    """<base href> resolved against the page address, else the page address."""
    for el in root.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            return resolve(href, base_url) or base_url
    return base_url


def resolve(written: str, base: str | None) -> str | None:
    """Absolute URL for `written`, or None when it does not parse or cannot be made absolute.

    A link rewritten by the Wayback Machine's replay (/web/<timestamp>/<url>) resolves to <url>:
    the archived page cites the original, not the archive's copy of it.
    """
    match = SCHEME.match(written)
    try:
        if match:
            absolute = written
        elif base is None:
            return None
        else:
            absolute = urljoin(base, written)
        parts = urlsplit(absolute)
        if parts.scheme.lower() in ("http", "https") and not (
            parts.hostname and absolute[len(parts.scheme) :].startswith("://")
        ):
            return None  # "http:", "http:/x", "http:www.example.com/" name no host
    except ValueError:  # e.g. "http://localhost]" (urllib: invalid IPv6 URL)
        return None
    return quote(unwrap_replay_url(absolute), safe=_URL_SAFE)


class _Block:
    """What is read from one block of the page (its text, its sentences, whether it is prose), each
    worked out once."""

    def __init__(self, element: HtmlElement) -> None:
        self.element = element

    @cached_property
    def text(self) -> str:
        return text_of(self.element)

    @cached_property
    def sentences(self) -> list[str]:
        return _SENTENCE_END.split(self.text)

    @cached_property
    def is_prose(self) -> bool:
        """Whether the block has words of its own beyond its links and marks (a bar of share buttons is all links)."""
        marks = (mark for mark in self.element.iter("a", "u", "button") if not _nested_mark(mark, self.element))
        return len(self.text) - sum(len(text_of(mark)) for mark in marks) >= _IN_PROSE


class _RecentBlocks:
    """The blocks read last: the marks of a block come one after another, and a block holding
    thousands of them would otherwise be read again for each.  Only a few are kept, since nested
    blocks each hold the text of all those inside them."""

    def __init__(self) -> None:
        self._kept: dict[HtmlElement, _Block] = {}

    def around(self, el: HtmlElement) -> _Block | None:
        """The block holding EL, if it has one."""
        element = _block_of(el)
        if element is None:
            return None
        block = self._kept.get(element)
        if block is None:
            if len(self._kept) >= _BLOCKS_KEPT:
                del self._kept[next(iter(self._kept))]  # the one read first
            block = self._kept[element] = _Block(element)
        return block


def _links(
    page: Page, base: str | None, include_boilerplate: bool, start: int, limit: int | None = None
) -> list[LinkRef]:
    links: list[LinkRef] = []
    blocks = _RecentBlocks()
    for event, el, zone in iter_zones(page):
        if limit is not None and len(links) > limit:
            break
        if event != "start" or el.tag not in LINK_ATTRIBUTES and el.tag != "u":
            continue
        lost = _lost_link(el, zone, start + len(links), blocks)
        if lost is not None:
            links.append(lost)
            continue
        if el.tag not in LINK_ATTRIBUTES:
            continue
        attr, in_body = LINK_ATTRIBUTES[el.tag]
        written = harvestable_address(el.get(attr) or "")
        if written is None:
            continue
        role = _role(el, in_body, zone, include_boilerplate, blocks)
        if role is None or (role is LinkRole.EMBEDDED and el.tag == "img" and _is_pixel(el)):
            continue
        anchor = _anchor_text(el)
        links.append(
            LinkRef(
                url=resolve(written, base),
                written=written,
                role=role,
                anchor_text=anchor,
                context=_context(el, anchor, blocks),
                position=start + len(links),
            )
        )
    return links


def _lost_link(el: HtmlElement, zone: Zone, position: int, blocks: _RecentBlocks) -> LinkRef | None:
    """A link whose address is gone: an underlined run or an `<a>` without `href`, inside a sentence
    of the article body.

    A saved or cleaned copy keeps such marks where the page had a link.  Only a mark inside prose
    counts: a standalone `<a>` without `href` is a script's button ("Load more"), and one with a
    `name` or `id` is a target of a link, not a link.
    """
    if zone.chrome or not zone.main:
        return None
    if el.tag == "a":
        if el.get("href") is not None or el.get("name") or el.get("id") or el.get("role") or el.get("onclick"):
            return None
    elif el.tag != "u" or any(a.tag == "a" and a.get("href") is not None for a in el.iterancestors("a")):
        return None
    words = text_of(el)
    if not words or words.endswith(":") or not _in_prose(el, blocks):
        return None  # an underlined "Title:" is a label
    return LinkRef(
        url=None,
        written=None,
        role=LinkRole.LOST,
        anchor_text=words,
        context=_context(el, words, blocks),
        position=position,
    )


def _in_prose(el: HtmlElement, blocks: _RecentBlocks) -> bool:
    """Whether EL stands inside a sentence: inside a block that is prose."""
    block = blocks.around(el)
    return block is not None and block.is_prose


def _nested_mark(mark: HtmlElement, block: HtmlElement) -> bool:
    """A mark inside another mark of BLOCK (an `<u>` in an `<a>`): its text is counted once."""
    for ancestor in mark.iterancestors():
        if ancestor is block:
            return False
        if ancestor.tag in ("a", "u", "button"):
            return True
    return False


def harvestable_address(raw: str) -> str | None:
    """RAW as a browser reads an address (WHATWG URL: spaces around it, tabs and line breaks in it
    dropped), or None when it is no link to harvest: empty, a jump within the page (`#x`), or a
    non-web scheme (`mailto:`, `javascript:`)."""
    written = _NEWLINES.sub("", raw.strip())
    if not written or written.startswith("#"):
        return None
    match = SCHEME.match(written)
    return None if match and match.group(1).lower() in SKIPPED_SCHEMES else written


def _role(
    el: HtmlElement, role: LinkRole, zone: Zone, include_boilerplate: bool, blocks: _RecentBlocks
) -> LinkRole | None:
    """The link's role where it stands, or None when it is chrome (or outside the body) and not wanted."""
    related = zone.related or (role is LinkRole.CITED and _behind_related_label(el, blocks))
    if not include_boilerplate:
        if zone.chrome or not (zone.main or zone.related):
            return None
        if related and role is LinkRole.EMBEDDED:
            return None  # thumbnails of other articles are not this page's media
    if related and role is LinkRole.CITED:
        return LinkRole.RELATED
    return role


def _behind_related_label(el: HtmlElement, blocks: _RecentBlocks) -> bool:
    """ "Read more: <a>", "Related article: <a>", or a link whose own text is such a label."""
    anchor = text_of(el)
    if anchor and is_related_label(anchor):
        return True
    block = blocks.around(el)
    if block is None:
        return False
    text, at = block.text, 0
    if anchor:
        at = max(text.find(anchor), 0)
    prefix = text[:at].strip()
    return is_related_label(prefix)


def _block_of(el: HtmlElement) -> HtmlElement | None:
    for ancestor in el.iterancestors():
        if ancestor.tag in BLOCK_TAGS and ancestor.tag not in ("br", "hr"):
            return ancestor
    return None


def _anchor_text(el: HtmlElement) -> str | None:
    """Link text, else an image's alt, else the title attribute."""
    if el.tag in ("a", "area"):
        text = text_of(el)
        if text:
            return text
        for img in el.iter("img"):
            alt = " ".join((img.get("alt") or img.get("title") or "").split())
            if alt:
                return alt
        if el.tag == "area" and el.get("alt"):
            return " ".join(el.get("alt", "").split()) or None
    elif el.tag in ("img", "iframe", "frame", "embed", "object", "video", "audio"):
        label = " ".join((el.get("alt") or "").split())
        if label:
            return label
    title = " ".join((el.get("title") or "").split())
    return title or None


def _context(el: HtmlElement, anchor: str | None, blocks: _RecentBlocks) -> str | None:
    """The sentence around the link, from its enclosing block."""
    block = blocks.around(el)
    text = block.text if block is not None else ""
    if block is None or not text:
        return None
    if anchor:
        for sentence in block.sentences:
            if anchor in sentence:
                return sentence[:_CONTEXT_CHARS]
    return text if len(text) <= _CONTEXT_CHARS else None


def _is_pixel(el: HtmlElement) -> bool:
    """1x1 tracking images are not media."""
    return el.get("width", "").strip() in ("0", "1") and el.get("height", "").strip() in ("0", "1")
