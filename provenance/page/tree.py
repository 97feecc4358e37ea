"""A web page as a tree: parsed leniently, its article body found, each element's zone known.

Shared by the HTML harvester, the link checker and the archive comparison, so nothing here is
harvest-specific.  The article body is found structurally rather than by text density: the
`itemprop=articleBody` element, else the largest `<article>`, else `<main>`/`role=main`, else a
`content`/`entry`/`story`-named container, else `<body>`.  Page chrome (nav, header, footer,
aside, ARIA landmarks, and share/comment/cookie/menu/sidebar blocks named by class or id) is
excluded from the text.  A class-named block is only chrome when it does not hold the article
body and is not most of the page, so `<body class="has-sidebar">` does not wipe out the page.
Nothing here raises on bad markup, odd encodings or NUL bytes: a page that will not parse is
an empty page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import lxml.etree as etree
import lxml.html
from lxml.html import HtmlElement

from .decoding import decode_html

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CONTAINER_TAG = re.compile(
    r"</?(?:div|span|section|article|main|aside|nav|header|footer|font|center|b|i|u|s|em"
    r"|strong|small|big|sub|sup|table|thead|tbody|tfoot|tr|td|th|ul|ol|li|dl|dt|dd"
    r"|blockquote|form|fieldset|label|p|pre|code|h[1-6])\b[^>]*>",
    re.I,
)
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "math")
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog", "alertdialog"}
)
# Not "widget": Blogger puts the posts themselves in <div class="widget Blog">.
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "header",
        "masthead",
        "footer",
        "sidebar",
        "breadcrumb",
        "breadcrumbs",
        "share",
        "sharing",
        "sharebar",
        "social",
        "comment",
        "comments",
        "disqus",
        "respond",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "banner",
        "ad",
        "ads",
        "advert",
        "advertisement",
        "sponsored",
        "promo",
        "newsletter",
        "subscribe",
        "signup",
        "skip",
        "pagination",
        "pager",
        "toolbar",
        "popup",
        "modal",
        "topbar",
        "wm",
        "ipp",
    }
)
_RELATED_CLASS = re.compile(
    r"related|read[-_ ]?more|see[-_ ]?also|more[-_ ](stories|articles|on)|further[-_ ]reading"
    r"|recommended|also[-_ ]read",
    re.I,
)
RELATED_LABEL = re.compile(
    r"^\W*(related(\s+(articles?|stories|posts|content|links|reading|coverage))?|read\s+more"
    r"|see\s+also|more\s+on\s+this(\s+story)?|further\s+reading|also\s+read|read\s+also"
    r"|you\s+may\s+also\s+like|lesen\s+sie\s+auch|mehr\s+zum\s+thema|à\s+lire\s+aussi"
    r"|lire\s+aussi|voir\s+aussi)\b",
    re.I,
)
_CONTAINER_NAME = re.compile(
    r"(^|[-_ ])(article[-_]?(body|content|text)|entry[-_]?content|post[-_]?(body|content)"
    r"|story[-_]?(body|content)|content|main[-_]?content|articlebody)($|[-_ ])",
    re.I,
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "table",
        "blockquote",
        "section",
        "article",
        "main",
        "figure",
        "figcaption",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
        "header",
        "footer",
        "aside",
        "nav",
        "form",
        "address",
        "body",
        "caption",
        "details",
        "summary",
        "center",
    }
)
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span"})
_SPACES = re.compile(r"\s+")
_WAYBACK_URL = re.compile(r"^https?://(?:web\.)?archive\.org/web/\d{4,14}[a-z_]*/((?:https?:)?//.+)$", re.I)


@dataclass(frozen=True)
class Zone:
    """Where an element sits: in page chrome, in a related-links block, in the article body."""

    chrome: bool = False
    related: bool = False
    main: bool = False


@dataclass(frozen=True)
class Page:
    """A parsed page: the decoded text, the tree (scripts and styles dropped) and its article body."""

    html: str
    root: HtmlElement | None
    container: HtmlElement | None
    flattened: bool = False  # nested past libxml2's depth limit: re-parsed without container tags

    @cached_property
    def text(self) -> str:
        """main_text(self), computed once (the harvester and the date finder both need it)."""
        return main_text(self)


# C0 controls other than tab and line ends: the HTML parser keeps them in text, but lxml refuses
# them when that text is set again (see _drop).
_NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def load_page(data: bytes | str) -> Page:
    """Parse `data` leniently and locate the article body; an unparseable page has root None."""
    html = decode_html(data) if isinstance(data, bytes) else data.replace("\x00", "")
    try:
        markup = _XML_DECL.sub("", html, count=1)
        root, too_deep = _parse(markup)
        if too_deep:  # what lies deeper is silently dropped: keep the links, lose the layout
            root, _ = _parse(_CONTAINER_TAG.sub(" ", markup))
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return Page(html, None, None)
    for el in list(root.iter(*DROP_TAGS)):
        if el.get("type", "").lower() != "application/ld+json":
            _drop(el)
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    for el in root.xpath('//*[starts-with(@id, "wm-ipp")]'):  # the Wayback Machine's replay toolbar
        if el.getparent() is not None:
            _drop(el)
    return Page(html, root, _find_container(root), flattened=too_deep)


def _drop(el: HtmlElement) -> None:
    """Remove EL, keeping its tail text.  drop_tree joins the tail to the text before it, and lxml
    refuses to set text holding a C0 control the parser kept (losing what was there as it fails):
    then the two pieces are joined without theirs."""
    tail = el.tail
    if tail:
        previous, parent = el.getprevious(), el.getparent()
        before = previous.tail if previous is not None else parent.text if parent is not None else None
        if _CONTROL.search(tail) or (before and _CONTROL.search(before)):
            el.tail = tail.translate(_NOT_XML)
            if previous is not None:
                previous.tail = (before or "").translate(_NOT_XML)
            elif parent is not None:
                parent.text = (before or "").translate(_NOT_XML)
    el.drop_tree()


def _parse(html: str) -> tuple[HtmlElement, bool]:
    """The tree, and whether the page nested deeper than libxml2 goes (it then drops the rest)."""
    # huge_tree: libxml2 stops at 256 levels of nesting otherwise (2,048 with it). One parser per
    # call: lxml parser objects must not be shared between threads, and the checker runs in threads.
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.document_fromstring(html or "<html></html>", parser=parser)
    return root, any("Excessive depth" in entry.message for entry in parser.error_log)


def unwrap_replay_url(url: str) -> str:
    """The archived page's own address for a Wayback Machine replay URL; other URLs unchanged."""
    match = _WAYBACK_URL.match(url)
    return match.group(1) if match else url


def text_of(el: HtmlElement) -> str:
    """Whitespace-collapsed text content of one element."""
    try:
        return " ".join(el.text_content().split())
    except (ValueError, AttributeError):
        return ""


def _classes(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _words(el: HtmlElement) -> set[str]:
    return {part for token in _classes(el).lower().split() for part in re.split(r"[-_]", token) if part}


def is_related_block(el: HtmlElement) -> bool:
    """A "Related articles"/"Read more"/"See also" block, by class/id or by its leading label."""
    if el.tag in ("html", "body", "main", "article") or not isinstance(el.tag, str):
        return False
    if _RELATED_CLASS.search(_classes(el)):
        return True
    if el.tag not in ("section", "div", "ul", "ol", "aside", "nav"):
        return False
    first = next((c for c in el if isinstance(c.tag, str)), None)
    lead = (el.text or "").strip() or (text_of(first)[:60] if first is not None and first.tag in _LABEL_TAGS else "")
    if el.tag in ("ul", "ol") and not lead:  # <h3>See also</h3><ul>...</ul>
        heading = el.getprevious()
        lead = text_of(heading)[:60] if heading is not None and heading.tag in _LABEL_TAGS else ""
    return is_related_label(lead)


def is_related_label(text: str) -> bool:
    """True for a bare label such as "Related articles", "Read more:" or "See also –"."""
    match = RELATED_LABEL.match(text or "")
    return match is not None and not text[match.end() :].strip(" :.-\u2013\u2014\u00bb>|")


def is_chrome(el: HtmlElement, container: HtmlElement | None, page_chars: int) -> bool:
    """Navigation, header, footer, sidebar, share/comment/cookie widgets; never the article body or its ancestors."""
    tag = el.tag
    if not isinstance(tag, str) or tag in ("html", "body", "main", "article"):
        return False
    by_markup = tag in CHROME_TAGS or el.get("role", "").lower() in CHROME_ROLES
    by_name = not by_markup and bool(_words(el) & _CHROME_WORDS)
    if not (by_markup or by_name):
        return False
    if container is not None and (el is container or any(a is el for a in container.iterancestors())):
        return False  # (the article's own <header>/<footer> inside it is chrome: byline, tags, share bar)
    return not (by_name and page_chars and len(text_of(el)) > page_chars * 0.5)


def iter_zones(page: Page) -> Iterator[tuple[str, HtmlElement, Zone]]:
    """("start"|"end", element, zone) in document order, without recursion (deep nesting is fine)."""
    if page.root is None:
        return
    body = page.root.find("body")
    page_chars = len(text_of(body)) if body is not None else 0
    stack: list[Zone] = [Zone(main=page.container is None)]
    for event, el in etree.iterwalk(page.root, events=("start", "end")):
        if event == "start":
            parent = stack[-1]
            main = parent.main or el is page.container
            chrome = parent.chrome or is_chrome(el, page.container, page_chars)
            related = parent.related or is_related_block(el)
            zone = Zone(chrome=chrome, related=related, main=main)
            stack.append(zone)
            yield event, el, zone
        else:
            zone = stack.pop() if len(stack) > 1 else stack[-1]
            yield event, el, zone


def main_text(page: Page) -> str:
    """Article body text, chrome stripped, one line per block."""
    parts: list[str] = []
    zones: list[Zone] = []
    for event, el, zone in iter_zones(page):
        if event == "start":
            zones.append(zone)
            if el.tag in BLOCK_TAGS:
                parts.append("\n")
            if zone.main and not zone.chrome and el.text and isinstance(el.tag, str):
                parts.append(_SPACES.sub(" ", el.text))
        else:
            zones.pop()
            if el.tag in BLOCK_TAGS:
                parts.append("\n")
            outer = zones[-1] if zones else Zone()
            if outer.main and not outer.chrome and el.tail:
                parts.append(_SPACES.sub(" ", el.tail))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _find_container(root: HtmlElement) -> HtmlElement | None:
    """The article body, else <body>: a teaser-sized <article> on a long page is not the article."""
    body = root.find("body")
    if body is None:
        return None
    total = len(text_of(body))
    for path in ('.//*[@itemprop="articleBody"]', ".//article", './/main|.//*[@role="main"]'):
        best = _largest(body.xpath(path))
        if best is not None and _substantial(best, total, 0.15):
            return best
    named = [el for el in body.iter("div", "section", "td") if _CONTAINER_NAME.search(_classes(el))]
    best = _largest(named)
    return best if best is not None and _substantial(best, total, 0.25) else body


def _substantial(el: HtmlElement, total: int, share: float) -> bool:
    chars = len(text_of(el))
    return chars >= total * share and chars >= min(200, total * 0.5)


def _largest(elements: list[HtmlElement]) -> HtmlElement | None:
    return max(elements, key=lambda el: len(text_of(el)), default=None)
