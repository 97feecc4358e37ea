"""Harvest plain text and text copied out of PDFs or printed web pages.

A print of a web page keeps traces of its links without their addresses: underlined words
(`<u>said</u>`), "Related article: TITLE" labels, an `Original url:` footer.  Those traces are
links too (role lost/related/original) so the reconciler can say what a copy lost.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..page.datelines import file_name_date, head_date, read_line
from ..records import DateEvidence, DocumentFormat, HarvestedDocument, LinkRef, LinkRole
from ..textnorm import fingerprint
from .prints import read_print
from .urls import FoundUrl, find_urls
from .wraps import line_bounds

__all__ = ["harvest_text", "harvest_text_and_urls", "is_video_url", "sentence_around", "underlined_links"]

_ORIGINAL = re.compile(
    r"^[ \t]*original[ \t]+(?:url|link|address|source)[ \t]*:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE
)
_LABEL = re.compile(
    r"^[ \t]*(?:related(?:[ \t]+(?:article|story|stories|link|content))?|read[ \t]+(?:more|also)"
    r"|see[ \t]+also|more[ \t]+on[ \t]+this)[ \t]*:[ \t]*(\S.*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# an underlined run: a link whose address the copy lost.  The run stops at the next <u> or </u>, so
# "<u>" x 1e6 with no "</u>" fails at once at each start instead of scanning 1,000 characters.
_UNDERLINE = re.compile(r"<u>((?:[^<]|<(?!/?u>)){1,1000}?)</u>", re.IGNORECASE)
_VIDEO = re.compile(
    r"^https?://(?:(?:www\.|m\.)?youtube\.com/(?:watch\b|shorts/|embed/)|youtu\.be/"
    r"|(?:www\.|player\.)?vimeo\.com/)",
    re.IGNORECASE,
)
_CONTEXT = 300
_REACH = 2_000  # how far sentence_around looks for a sentence boundary
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_RELATED_REACH = 4  # paragraphs after a label searched for the URL it names


def is_video_url(url: str | None) -> bool:
    """YouTube watch/shorts/youtu.be and Vimeo pages: printed in place of an embedded player."""
    return url is not None and bool(_VIDEO.match(url))


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding text[start:end], whitespace collapsed, at most ~300 chars.

    Boundaries are looked for at most _REACH characters away: a 50 MB text without a full stop
    would otherwise be searched and split whole once per link (quadratic).
    """
    low, high = max(0, start - _REACH), min(len(text), end + _REACH)
    left = max(text.rfind("\n\n", low, start), max(text.rfind(m, low, start) for m in (". ", "? ", "! ")) + 1, low)
    stops = [
        i for i in (text.find("\n\n", end, high), *(text.find(m, end, high) for m in (". ", "? ", "! "))) if i >= 0
    ]
    right = min(stops) + 1 if stops else high
    sentence = " ".join(text[max(left, 0) : right].split())
    if len(sentence) > _CONTEXT:
        piece = " ".join(text[start:end].split())
        at = max(sentence.find(piece[:40]), 0)
        lo = max(0, min(at - (_CONTEXT - len(piece)) // 2, len(sentence) - _CONTEXT))
        sentence = sentence[lo : lo + _CONTEXT]
    return sentence


def _head(text: str) -> tuple[str | None, DateEvidence | None]:
    """The headline (a short first line standing alone) and the dateline in the document's head."""
    paragraphs = [p.strip() for p in _BLANK_LINE.split(text[: 10 * _REACH]) if p.strip()][:6]
    title = None
    if paragraphs:
        first = paragraphs[0]
        if (
            "\n" not in first
            and len(first) <= 200
            and len(first.split()) >= 2
            and first[0].isupper()
            and not first.endswith((".", ",", ";", ":"))
            and not find_urls(first)
            and not read_line(first)
        ):
            title = first
    return title, head_date(text)


def _slug_words(value: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", value.lower().replace(".", "").replace("'", "").replace("\u2019", ""))


def _slug_score(title: str, url: str | None) -> float:
    """Share of the label's words found in the URL's path (the slug usually repeats the headline)."""
    if url is None:  # an address that cannot be valid names no page
        return 0.0
    wanted = _slug_words(title)
    have = set(_slug_words(url.split("://", 1)[-1].split("/", 1)[-1]))
    return sum(w in have for w in wanted) / len(wanted) if wanted else 0.0


def underlined_links(scan: str, text: str, max_links: int | None) -> list[tuple[int, LinkRef]]:
    """The underlined runs of SCAN as lost links (the first MAX_LINKS + 1), each with its offset and the
    sentence around it in TEXT (SCAN with its code masked, or TEXT itself)."""
    found: list[tuple[int, LinkRef]] = []
    for count, match in enumerate(_UNDERLINE.finditer(scan)):
        if max_links is not None and count > max_links:
            break
        words = " ".join(match.group(1).split())
        context = _UNDERLINE.sub(r"\1", sentence_around(text, match.start(), match.end()))
        found.append(
            (match.start(), LinkRef(url=None, written=None, role=LinkRole.LOST, anchor_text=words, context=context))
        )
    return found


def _stands_alone(text: str, found: FoundUrl) -> bool:
    """Whether FOUND is the only thing on its line (a printed address, not a URL inside a sentence)."""
    line_start, line_end = line_bounds(text, found.start, found.end)
    return not (text[line_start : found.start].strip() + text[found.end : line_end].strip(" \t.,;"))


def _paragraph_end(text: str, start: int, count: int) -> int:
    pos, stop = start, min(len(text), start + 25 * _REACH)  # paragraphs longer than this end anyway
    for _ in range(count):
        nxt = _BLANK_LINE.search(text, pos, stop)
        if nxt is None:
            return stop
        pos = nxt.end()
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
    return pos


def _original_block(text: str) -> tuple[str, LinkRef | None]:
    """Cut the `Original url:` block; return the main text and the original link (url None if unparseable)."""
    match = _ORIGINAL.search(text)
    if match is None:
        return text, None
    after = text[match.start(1) : match.start(1) + 2000]
    found = next(iter(find_urls(after)), None)
    if found is not None and not after[: found.start].strip():
        url, written, block_end = found.url, found.written, match.start(1) + found.end
    elif (raw := re.match(r"\s*(\S+)", after)) is not None:  # an address that does not parse
        url, written, block_end = None, raw.group(1), match.start(1) + raw.end()
    else:
        return text, None
    context = " ".join(text[match.start() : block_end].split())
    link = LinkRef(url=url, written=written, role=LinkRole.ORIGINAL, context=context)
    return text[: match.start()].rstrip() + "\n" + text[block_end:], link


def harvest_text(source: str, text: str, max_links: int | None = None) -> HarvestedDocument:
    """Read a plain-text document: title, date line, Original url, links and lost links.

    MAX_LINKS bounds the work on a link dump: the caller keeps that many and notes the cut.
    """
    return _read(source, text, max_links)[0]


def harvest_text_and_urls(
    source: str, text: str, max_links: int | None = None
) -> tuple[HarvestedDocument, list[FoundUrl]]:
    """harvest_text, and find_urls(TEXT) (the first MAX_LINKS + 1) for a caller that places the links by
    their offsets: the reader's own when it read TEXT as it came (no line ends rewritten, no print
    marks or `Original url:` block cut out), else found again in TEXT."""
    doc, main, urls = _read(source, text, max_links)
    return doc, urls if main == text else find_urls(text, limit=None if max_links is None else max_links + 1)


def _read(source: str, text: str, max_links: int | None) -> tuple[HarvestedDocument, str, list[FoundUrl]]:
    """The document, the text its links were read from, and that text's URLs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    printed = read_print(text)  # a browser print's header and footer: not content, but its address and time
    text = printed.text
    main, original = _original_block(text)
    original = original or printed.original_link()
    title, published = _head(main)
    if published is None:
        published = file_name_date(source)
    # The text's own fingerprint first: its working memory is gone before the links' is taken
    # (together they were the harvest's peak on a 10,000-line link list).
    body = _UNDERLINE.sub(r"\1", main).strip()
    body_fingerprint = fingerprint(body)
    placed: list[tuple[int, LinkRef]] = []
    urls = find_urls(main, limit=None if max_links is None else max_links + 1)
    starts = [u.start for u in urls]
    claimed: dict[int, tuple[str, str]] = {}  # index in urls -> (label title, label context)
    for count, label in enumerate(_LABEL.finditer(main)):
        if max_links is not None and count > max_links:
            break
        words = label.group(1)
        first = bisect_left(starts, label.start(1))
        if first < len(urls) and urls[first].start < label.end(1):  # the label's own line names the URL
            anchor = main[label.start(1) : urls[first].start].strip(" \t-:–—") or None
            claimed[first] = (anchor or "", sentence_around(main, label.start(), label.end()))
            continue
        reach = _paragraph_end(main, label.end(), _RELATED_REACH)
        lo, hi = bisect_left(starts, label.end()), bisect_left(starts, reach)
        nearby = [(i, urls[i]) for i in range(lo, hi) if i not in claimed]
        scored = sorted(((_slug_score(words, u.url), -u.start, i) for i, u in nearby), reverse=True)
        context = sentence_around(main, label.start(), label.end())
        if scored and scored[0][0] >= 0.5:
            claimed[scored[0][2]] = (words, context)
        elif nearby and _stands_alone(main, nearby[0][1]) and not is_video_url(nearby[0][1].url):
            # the label's own address, printed after it, naming another story: a title mismatch to report
            claimed[nearby[0][0]] = (words, context)
        else:
            placed.append(
                (label.start(), LinkRef(url=None, written=None, role=LinkRole.LOST, anchor_text=words, context=context))
            )
    for i, found in enumerate(urls):
        alone = _stands_alone(main, found)
        if i in claimed:
            role, anchor, context = LinkRole.RELATED, claimed[i][0] or None, claimed[i][1]
        else:
            role = LinkRole.EMBEDDED if alone and is_video_url(found.url) else LinkRole.CITED
            anchor = None
            context = found.written if alone else sentence_around(main, found.start, found.end)
        placed.append(
            (found.start, LinkRef(url=found.url, written=found.written, role=role, anchor_text=anchor, context=context))
        )
    placed += underlined_links(main, main, max_links)
    if original is not None:
        placed.append((len(main) + 1, original))
    placed.sort(key=lambda item: item[0])
    links = tuple(
        LinkRef(link.url, link.written, link.role, link.anchor_text, link.context, position)
        for position, (_, link) in enumerate(placed)
    )
    document = HarvestedDocument(
        source=source,
        format=DocumentFormat.TEXT,
        title=title,
        published=published,
        original_url=original.url if original else None,
        text=body,
        fingerprint=body_fingerprint,
        links=links,
        captured=printed.captured,
        evidence=printed.evidence(),
    )
    return document, main, urls
