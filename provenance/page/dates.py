"""When was a page published?

Order of trust, first answer wins:
1. structured metadata: JSON-LD `datePublished` of an article-like item, then publication meta
   tags (`article:published_time`, `DC.date.issued`, ...);
2. a visible "Published on / Veröffentlicht am / Publié le <date>" line;
3. an element whose class/id/itemprop says published/created (never modified/updated);
4. a dateline among the first lines of a found article body ("Karlsruhe, (12.11.2021). ...",
   "Home | By A. Writer | 30 septembre 2018"), but not "8 August 2009: ..." chronicle entries;
5. htmldate, the reference library, fast mode first (more precise), then extensive search
   (finds more), both with `original_date=True` so an update date does not win;
6. the date in the URL path.
A stamp from 1-4 more than 30 days after a full date in the page's own URL dates a
re-publication; the URL date wins then.  Each answer is a DateEvidence naming its source.

Pruning comment threads and sidebars before htmldate was tried and lost more pages than it won on
the 185-page corpus, so htmldate reads the page whole.  A Wayback Machine replay page carries the
capture time in its toolbar and its own address; neither is a publication date, so the toolbar
is cut out and the archived page's original address is used for URL-based heuristics.
"""

from __future__ import annotations

import json
import logging
import re
from copy import deepcopy
from datetime import date, datetime
from typing import Any

from lxml.html import HtmlElement

from ..records import DateEvidence
from .tree import Page, load_page, text_of, unwrap_replay_url
from .urldates import url_date_precision, url_path_date

log = logging.getLogger(__name__)

MIN_DATE = date(1995, 1, 1)
DATELINE_LINES = 8  # a dateline follows the headline, standfirst and byline, or it is not one
BYLINE_CHARS = 100
REPUBLISHED_AFTER_DAYS = 30  # a smaller gap between URL date and metadata is time zones or print dates
_WAYBACK_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->", re.S | re.I
)
_JSON_LD = re.compile(r"<script[^>]+type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script>", re.S | re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Meta names that mean "first published", most specific first.
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "og:published_time",
    "published_time",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "publication_date",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "date",
)
_ARTICLE_TYPES = re.compile(r"article|posting|report|webpage|creativework|newsarticle", re.I)


def publication_date(
    html: str, url: str | None, *, page: Page | None = None, metadata_only: bool = False
) -> DateEvidence | None:
    """The page's publication date and where it was read, or None when the page does not say.

    `page` is the same HTML already loaded by tree.load_page, to save parsing it twice.
    `metadata_only` (the link checker): only what the page declares (JSON-LD, meta tags, an
    element marked published) and the URL; the text heuristics and htmldate's search are most of
    a checked page's CPU, and guess where a target should declare.
    """
    html = _WAYBACK_TOOLBAR.sub("", html.replace("\x00", ""))
    original_url = _original_url(url)
    from_url = url_path_date(original_url) if original_url else None
    url_day = from_url if from_url and url_date_precision(from_url) == "day" else None
    found = _json_ld_date(html) or _meta_date(html)
    if found and not _republished(found[0], url_day):
        return DateEvidence(found[0], found[1], found[2])
    page = page if page is not None else load_page(html)
    root = page.root
    finders = (_dated_element,) if metadata_only else (_date_line, _dated_element, _dateline)
    for finder in finders:
        line = finder(page)
        if line and not _republished(line[0], url_day):
            return DateEvidence(line[0], line[2], line[1])
    if url_day is not None and found:
        return url_day
    if metadata_only or root is None or not text_of(root):
        return from_url
    for extensive in (False, True):
        value = _htmldate(_without_cited_links(root) if extensive else html, original_url, extensive)
        if value:
            return DateEvidence(value[0], "htmldate" if extensive else "htmldate:fast", value[1])
    return from_url


def _original_url(url: str | None) -> str | None:
    """The archived page's own address when `url` is a Wayback replay URL."""
    return unwrap_replay_url(url) if url else None


def parse_day(raw: str) -> date | None:
    """The calendar day at the start of an ISO-like date string, if plausible."""
    match = _ISO_DAY.search(raw or "")
    if not match:
        return None
    try:
        value = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return value if MIN_DATE <= value <= date.today() else None


def _json_ld_date(html: str) -> tuple[date, str, str] | None:
    for block in _JSON_LD.findall(html):
        try:
            data = json.loads(block.strip().rstrip(";"))
        except ValueError:
            continue
        for item in _ld_items(data):
            kind = item.get("@type")
            kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
            raw = item.get("datePublished")
            if isinstance(raw, str) and _ARTICLE_TYPES.search(kind):
                value = parse_day(raw)
                if value:
                    return value, "json_ld:datePublished", raw
    return None


def _ld_items(data: object, depth: int = 0) -> list[dict[str, Any]]:
    """Every JSON-LD object, walking @graph and nested lists (depth-capped)."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [item for entry in data for item in _ld_items(entry, depth + 1)]
    if isinstance(data, dict):
        out = [data]
        graph = data.get("@graph")
        if graph is not None:
            out += _ld_items(graph, depth + 1)
        return out
    return []


def _meta_date(html: str) -> tuple[date, str, str] | None:
    found: dict[str, str] = {}
    for tag in _META_TAG.findall(html[:300_000]):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(tag)}
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in PUBLISHED_META and attrs.get("content") and key not in found:
            found[key] = attrs["content"]
    for key in PUBLISHED_META:
        if key in found:
            value = parse_day(found[key])
            if value:
                return value, f"meta:{key}", found[key]
    return None


def _without_cited_links(root: HtmlElement) -> HtmlElement:
    """A copy of the page with no link addresses.

    htmldate's extensive search reads dates out of every link's URL, so an undated page citing
    `/2024/03/01/story` would be dated by what it cites: the very anachronism this tool reports.
    The page's own URL is still given to htmldate separately.
    """
    copy = deepcopy(root)
    for anchor in copy.iter("a"):
        anchor.attrib.pop("href", None)
    return copy


def _htmldate(html: str | HtmlElement, url: str | None, extensive: bool) -> tuple[date, str] | None:
    from htmldate import find_date  # here, not at the top: the checker's metadata-only dates never need it

    try:
        raw = find_date(
            html,
            url=url,
            original_date=True,
            extensive_search=extensive,
            outputformat="%Y-%m-%d",
            max_date=date.today().isoformat(),
        )
    except (ValueError, TypeError, RecursionError) as exc:  # htmldate on hostile markup
        log.debug("htmldate failed: %s", exc)
        return None
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date(), raw
    except ValueError:
        return None


def _republished(value: date, url_day: DateEvidence | None) -> bool:
    """A stamp well after the day in the page's own URL dates a re-publication, not the first one."""
    return url_day is not None and (value - url_day.value).days > REPUBLISHED_AFTER_DAYS


_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            "january janvier januar enero gennaio jan jänner",
            "february février februar febrero febbraio feb",
            "march mars märz marzo mar",
            "april avril abril aprile apr",
            "may mai mayo maggio",
            "june juin juni junio giugno jun",
            "july juillet juli julio luglio jul",
            "august août agosto aug",
            "september septembre septiembre settembre sep sept",
            "october octobre oktober octubre ottobre oct okt",
            "november novembre noviembre nov",
            "december décembre dezember diciembre dicembre dec dez",
        )
    )
    for name in names.split()
}
_LABEL = (
    r"(?:erschienen|ver(?:ö|oe)ffentlicht|published|posted|publi(?:é|e)|publicado|pubblicato)"
    r"(?:\s+(?:am|on|le|el|il|the))?\s*:?\s*"
)
_DATE = (
    r"(?:(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})|(\d{4})-(\d{2})-(\d{2})"
    r"|(\d{1,2})(?:er|st|nd|rd|th)?\.?\s+([^\W\d_]{3,10})\.?,?\s+(\d{4})"
    r"|([^\W\d_]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4}))"
)


_DATE_LINE = re.compile(_LABEL + _DATE, re.I)
_DATELINE = re.compile(r"^\W{0,3}(?:[^\W\d_][\w .-]{0,30},\s*)?\(?" + _DATE + r"(?!\s*:)", re.I)
# a byline: "Home | By A. Writer | 30 septembre 2018"
_BYLINE_DATE = re.compile(r"(?:^|[|\u00b7\u2022\u2013\u2014]\s*)" + _DATE + r"\s*(?:$|[|\u00b7\u2022])", re.I)
_PUBLISHED_CLASS = re.compile(r"created|published|pubdate|date[-_]?posted|posted[-_]?on", re.I)
_DATE_RE = re.compile(_DATE, re.I)


def _date_line(page: Page) -> tuple[date, str, str] | None:
    """The first visible "Published on 1 May 2020"-style line (German, English, French, Spanish, Italian)."""
    body = page.root.find("body") if page.root is not None else None
    text = " ".join((body.text_content() if body is not None else "").split())
    found = _first_date(_DATE_LINE, text)
    return (*found, "date_line") if found else None


def _dated_element(page: Page) -> tuple[date, str, str] | None:
    """The first element whose class/id/itemprop says "published"/"created" and holds a date."""
    for el in page.root.iter() if page.root is not None else ():
        if not isinstance(el.tag, str):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        if not _PUBLISHED_CLASS.search(names) or "modified" in names.lower() or "updated" in names.lower():
            continue
        for raw in (el.get("datetime"), el.get("content"), el.get("title"), " ".join(el.text_content().split())):
            if not raw:
                continue
            value = parse_day(raw)
            found = (value, raw) if value else _first_date(_DATE_RE, raw[:80])
            if found:
                return (*found, "published_element")
    return None


def _dateline(page: Page) -> tuple[date, str, str] | None:
    """A news dateline opening the article body: "Karlsruhe, (12.11.2021). ..." or "29.11.2022 – ...".

    Only where an article body was found: the top of a whole page is navigation and profiles.
    """
    if page.container is None or page.container.tag == "body":
        return None
    for line in page.text.split("\n")[:DATELINE_LINES]:
        found = _first_date(_DATELINE, line[:80])
        if not found and len(line) <= BYLINE_CHARS:
            found = _first_date(_BYLINE_DATE, line)
        if found:
            return (*found, "dateline")
    return None


def _first_date(pattern: re.Pattern[str], text: str) -> tuple[date, str] | None:
    for match in pattern.finditer(text):
        g = match.groups()
        try:
            if g[0]:
                value = date(int(g[2]), int(g[1]), int(g[0]))
            elif g[3]:
                value = date(int(g[3]), int(g[4]), int(g[5]))
            elif g[6]:
                value = date(int(g[8]), _MONTHS[g[7].lower()], int(g[6]))
            else:
                value = date(int(g[11]), _MONTHS[g[9].lower()], int(g[10]))
        except (KeyError, ValueError):
            continue
        if MIN_DATE <= value <= date.today():
            return value, match.group(0)
    return None
