"""Harvest Markdown: inline, reference-style, autolinks, bare links and images, with positions.

Hand-written over a Markdown library on purpose: a parser's token stream loses the character
offsets that `context` needs, and the link forms that matter here are few and regular.  Code
blocks and code spans are masked (same length) so a URL in code is not taken for a citation.
"""

from __future__ import annotations

import re

from ..page.datelines import HEAD_CHARS, file_name_date, head_date
from ..records import DateEvidence, DocumentFormat, HarvestedDocument, LinkRef, LinkRole
from ..textnorm import fingerprint
from .frontmatter import FrontMatter, front_matter
from .text import is_video_url, sentence_around, underlined_links
from .urls import find_urls, normalize_url
from .wraps import line_bounds

__all__ = ["harvest_markdown"]

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)[^`\n].*?\1", re.DOTALL)
_TEXT = r"((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)"
_DEST = r"<([^<>\n]*)>|((?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
_TITLE = r"(?:\s+(\"[^\"]*\"|'[^']*'|\([^()]*\)))?"
_INLINE = re.compile(rf"(!?)\[{_TEXT}\]\(\s*(?:{_DEST}){_TITLE}\s*\)")
_REF_DEF = re.compile(
    r"^ {0,3}\[([^\[\]]+)\]:[ \t]*\n?[ \t]*(?:<([^<>\n]*)>|(\S+))"
    r"(?:[ \t]+(\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$",
    re.MULTILINE,
)
_REF_USE = re.compile(rf"(!?)\[{_TEXT}\](?:\[([^\[\]]*)\])?")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+)>", re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$|^(\S[^\n]*)\n=+[ \t]*$", re.MULTILINE)
_SKIP = re.compile(r"^(?:#|mailto:|tel:|javascript:)", re.IGNORECASE)
_MARKUP_NOISE = re.compile(r"<[^<>\n]{0,200}>|\{/\*.{0,200}?\*/\}")  # HTML and MDX tags, MDX comments
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(\S(?:.*?\S)?)\1")


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """TEXT with each (start, end) span replaced by spaces (same length)."""
    out, pos = [], 0
    for start, end in spans:
        out += [text[pos:start], " " * (end - start)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _plain(markup: str) -> str:
    """Link text as a reader sees it: nested link syntax and emphasis dropped."""
    markup = _INLINE.sub(lambda m: m.group(2), markup)
    return " ".join(_EMPHASIS.sub(r"\2", markup).replace("\\", "").split())


def _link(written: str, role: LinkRole, anchor: str | None, context: str) -> LinkRef | None:
    written = written.strip()
    if not written or _SKIP.match(written):
        return None  # in-page anchors and non-web schemes are not links to check
    url = normalize_url(written) if re.match(r"https?://", written, re.IGNORECASE) else None
    return LinkRef(url=url, written=written, role=role, anchor_text=anchor or None, context=context)


def _published(source: str, matter: FrontMatter, head: str) -> DateEvidence | None:
    """Front matter first, then the dateline under the title, then a Jekyll-style file name.

    HEAD (the body's start) has its code blanked; tags and MDX expressions (`<Intro>`, `{/*x*/}`)
    go too, so a dateline after a component still stands alone on its line.
    """
    found = matter.published()
    if found is None:
        found = head_date(_MARKUP_NOISE.sub("", head), language=matter.language())
    if found is None:
        found = file_name_date(source)
    return found


def harvest_markdown(source: str, text: str, max_links: int | None = None) -> HarvestedDocument:
    """Read a Markdown document: title, front-matter date and every link form, in order.

    MAX_LINKS bounds the bare-URL scan of a link dump; the caller keeps that many and notes the cut.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    matter = front_matter(text)
    fields, body_start = matter.fields, matter.end
    scan = _mask(_mask(" " * body_start + text[body_start:], _FENCE), _CODE_SPAN)
    published = _published(source, matter, scan[body_start : body_start + HEAD_CHARS])
    placed: list[tuple[int, LinkRef | None]] = []
    refs: dict[str, str] = {}
    for match in _REF_DEF.finditer(scan):
        refs.setdefault(" ".join(match.group(1).lower().split()), match.group(2) or match.group(3))
    scan = _mask(scan, _REF_DEF)
    nested = [m for outer in _INLINE.finditer(scan) for m in _INLINE.finditer(scan, outer.start(2), outer.end(2))]
    for match in [*_INLINE.finditer(scan), *nested]:  # a badge: [![alt](img)](target)
        role = LinkRole.EMBEDDED if match.group(1) else LinkRole.CITED
        placed.append(
            (
                match.start(),
                _link(
                    match.group(3) or match.group(4) or "",
                    role,
                    _plain(match.group(2)),
                    sentence_around(text, match.start(), match.end()),
                ),
            )
        )
    scan = _mask(scan, _INLINE)
    used: list[tuple[int, int]] = []
    for match in _REF_USE.finditer(scan):
        label = match.group(3) if match.group(3) else match.group(2)
        target = refs.get(" ".join(label.lower().split()))
        if target is None:
            continue  # "[1]" or "[sic]" with no definition is just text
        role = LinkRole.EMBEDDED if match.group(1) else LinkRole.CITED
        placed.append(
            (
                match.start(),
                _link(target, role, _plain(match.group(2)), sentence_around(text, match.start(), match.end())),
            )
        )
        used.append((match.start(), match.end()))
    scan = _blank(scan, used)  # once, not per use: a file of a million "[x][1]" is not quadratic
    for match in _AUTOLINK.finditer(scan):
        placed.append(
            (
                match.start(),
                _link(match.group(1), LinkRole.CITED, None, sentence_around(text, match.start(), match.end())),
            )
        )
    scan = _mask(scan, _AUTOLINK)
    for found in find_urls(scan, limit=None if max_links is None else max_links + 1):
        line = scan[slice(*line_bounds(scan, found.start, found.end))]
        alone = line.strip(" \t.,;*-") == scan[found.start : found.end].strip()
        role = LinkRole.EMBEDDED if alone and is_video_url(found.url) else LinkRole.CITED
        placed.append(
            (
                found.start,
                LinkRef(
                    url=found.url,
                    written=found.written,
                    role=role,
                    context=sentence_around(text, found.start, found.end),
                ),
            )
        )
    placed += underlined_links(scan, text, max_links)  # inline HTML <u>: a link whose address the copy lost
    placed.sort(key=lambda item: item[0])
    links = tuple(
        LinkRef(link.url, link.written, link.role, link.anchor_text, link.context, position)
        for position, link in enumerate(link for _, link in placed if link is not None)
    )
    body = _mask(text[body_start:], _FENCE)
    heading = _HEADING.search(body)
    title = fields.get("title") or (_plain(heading.group(1) or heading.group(2)) if heading else None)
    main = _REF_DEF.sub("", text[body_start:])
    main = _INLINE.sub(lambda m: m.group(2), main)
    main = re.sub(r"^ {0,3}#+[ \t]*", "", main, flags=re.MULTILINE).strip()
    original = fields.get("original_url") or fields.get("canonical_url")
    return HarvestedDocument(
        source=source,
        format=DocumentFormat.MARKDOWN,
        title=title or None,
        published=published,
        original_url=normalize_url(original) if original else None,
        text=main,
        fingerprint=fingerprint(main),
        links=links,
    )
