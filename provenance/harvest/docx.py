"""Harvest a Word document (.docx, .docm): its hyperlinks with their text, its text, its core properties.

Read with zipfile and lxml (ooxml.py, wordml.py), not with python-docx or docx2python.  Neither
library reads a hyperlink written as a field code (`HYPERLINK "url"`, as LibreOffice, older Word and
converters write them): python-docx drops a simple field's text altogether, docx2python keeps the
text and loses the address.  python-docx has no footnotes or endnotes, and refuses a .docm.  Both
read every part they open whole into memory, with no cap on what a zip member inflates to.  What
is needed is a walk over a few XML parts that lxml streams, which is less code than working around
either library.

Citations live in the body and also in footnotes, endnotes, comments, headers and footers: each
part is read with its own relationships.  The text (paragraphs on their own lines) goes through
the text reader as a text copied out of a PDF does, for its title, date line, `Original url:`,
"Related article" labels and URLs typed without a hyperlink; a typed URL that is also a
hyperlink's target, or that is the visible text of a hyperlink, is that hyperlink, not a second
link.  `mailto:`, local files and jumps to a bookmark are not citations.

The core properties (docProps/core.xml) say when the file was made and by whom: they go into
`evidence`.  The title is the core title when set, else the first Heading or Title paragraph.  The
creation date is not the publication date: it stands in for one only when the text has no date
line, with `core_properties:created` as its source, and an anachronism found by it is a warning
(a file saved from an older one keeps that one's creation date).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date

from lxml import etree

from ..errors import InputError
from ..page.tree import is_related_label
from ..records import DateEvidence, DocumentFormat, HarvestedDocument, LinkRef, LinkRole
from .html import SCHEME
from .ooxml import WordPackage
from .text import harvest_text_and_urls, sentence_around
from .urls import FoundUrl, normalize_url
from .wordml import W_NAMESPACES, Hyperlink, PartText, read_part, word_attribute

__all__ = ["harvest_docx"]

NOTE_PARTS = ("footnotes", "endnotes", "comments")  # relationship types, in reading order after the body
PAGE_PARTS = ("header", "footer")
MAX_PARTS = 200  # parts read from one document (a file of many sections has a header trio for each)
CORE_FIELDS = {
    "created": "created",
    "modified": "modified",
    "lastPrinted": "last_printed",
    "title": "title",
    "creator": "creator",
    "lastModifiedBy": "last_modified_by",
}
_HEADING_NAME = re.compile(r"^(?:title|heading \d)$", re.IGNORECASE)
_W3CDTF_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_FIRST_PLAUSIBLE_YEAR = 1981  # 1980-01-01 and 1601-01-01 are the zero dates of DOS and Windows clocks
_LABEL_REACH = 200  # characters before a link searched for a "Related article:" label


@dataclass
class _Read:
    """The parts read so far: their joined text, their hyperlinks placed in it, what went wrong."""

    pieces: list[str] = field(default_factory=list)
    size: int = 0
    hyperlinks: list[Hyperlink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    heading: str | None = None

    def add(self, part: PartText) -> None:
        base = self.size + 2 if self.pieces and part.text else self.size
        self.hyperlinks += [replace(link, start=base + link.start, end=base + link.end) for link in part.links]
        if part.text:
            self.pieces.append(part.text)
            self.size = base + len(part.text)


def harvest_docx(
    source: str, package: WordPackage, max_links: int | None = None, max_chars: int = 50_000_000
) -> HarvestedDocument:
    """Read an opened Word document; an InputError (one line) when nothing can be read from it.

    At most MAX_CHARS characters of text are read and MAX_LINKS + 1 links kept (the caller keeps
    MAX_LINKS and notes the cut); any other cut or part that could not be read is named in `error`.
    """
    read = _read_parts(package, max_chars, (max_links if max_links is not None else 10**9) + 1)
    text = "\n\n".join(read.pieces)[:max_chars]  # the blank lines between parts count too
    properties = _core_properties(package, read.notes)
    plain, urls = harvest_text_and_urls(source, text, max_links=max_links)
    return HarvestedDocument(
        source=source,
        format=DocumentFormat.DOCX,
        title=properties.get("title") or read.heading or plain.title,
        published=plain.published or _created(properties.get("created")),
        original_url=plain.original_url,
        text=plain.text,
        fingerprint=plain.fingerprint,
        links=_merge(text, read.hyperlinks, plain.links, urls, max_links),
        error="; ".join([*read.notes, *package.budget.cuts]) or None,
        evidence={"core_properties": properties} if properties else {},
    )


def _read_parts(package: WordPackage, max_chars: int, link_room: int) -> _Read:
    """Every part with citations, the body first, within the text and link caps."""
    rels = package.relationships(package.main)
    styles = [r.target for r in rels.values() if r.kind == "styles" and not r.external]
    headings = _heading_styles(package, styles[0] if styles else None)
    parts = [(package.main, False)]
    for kind in (*NOTE_PARTS, *PAGE_PARTS):
        parts += [(r.target, kind in PAGE_PARTS) for r in rels.values() if r.kind == kind and not r.external]
    if len(parts) > MAX_PARTS:
        parts = parts[:MAX_PARTS]
        read = _Read(notes=[f"only the first {MAX_PARTS} parts of the document were read"])
    else:
        read = _Read()
    page_texts: set[str] = set()
    for name, is_page in dict.fromkeys(parts):
        if read.size >= max_chars:
            break
        try:
            part_rels = rels if name == package.main else package.relationships(name)
            with package.open(name) as stream:
                part = read_part(stream, part_rels, headings, max_chars - read.size, link_room - len(read.hyperlinks))
                cut = stream.cut
        except InputError as exc:
            if name == package.main:
                raise
            read.notes.append(str(exc))
            continue
        if name == package.main:
            if part.problem and not part.text and not part.links and not cut:
                raise InputError(part.problem)
            read.heading = part.heading
        if part.problem and not cut:  # a cut part is named by the package's cuts
            read.notes.append(f"{part.problem}: read up to there")
        if part.full:
            read.notes.append(f"only the first {max_chars:,} characters of the text were read (harvest.max_file_bytes)")
        if is_page and part.text in page_texts:
            continue  # the same header again, for another section or for first and even pages
        if is_page:
            page_texts.add(part.text)
        read.add(part)
    return read


def _heading_styles(package: WordPackage, styles: str | None) -> frozenset[str]:
    """Ids of the paragraph styles that are headings or the title: by their built-in names ("heading 1",
    "Title"; ids are translated in a localised Word, names are not), and styles based on those."""
    names = {"Title", *(f"Heading{level}" for level in range(1, 10))}
    try:
        root = package.read_xml(styles) if styles else None
    except InputError:
        root = None
    based: dict[str, str] = {}
    for style in root.iter(*(f"{{{ns}}}style" for ns in W_NAMESPACES)) if root is not None else ():
        style_id = word_attribute(style, "styleId")
        if style_id is None:
            continue
        for child in style:
            local, value = etree.QName(child).localname, word_attribute(child, "val") or ""
            if local == "name" and _HEADING_NAME.match(value):
                names.add(style_id)
            elif local == "basedOn":
                based[style_id] = value
    for _ in range(2):  # a custom heading style is made from a built-in one, rarely deeper
        names |= {style_id for style_id, parent in based.items() if parent in names}
    return frozenset(names)


def _core_properties(package: WordPackage, notes: list[str]) -> dict[str, str]:
    """The core properties that say when and by whom the file was made, as written."""
    try:
        targets = [r.target for r in package.relationships("").values() if r.kind == "core-properties"]
        root = package.read_xml(targets[0] if targets else "docProps/core.xml")
    except InputError as exc:
        notes.append(f"core properties not read: {exc}")
        return {}
    found: dict[str, str] = {}
    for child in root if root is not None else ():
        key = CORE_FIELDS.get(etree.QName(child).localname) if isinstance(child.tag, str) else None
        value = " ".join((child.text or "").split())[:300]
        if key and value:
            found[key] = value
    return found


def _created(raw: str | None) -> DateEvidence | None:
    """The file's creation date, standing in for a publication date the text does not give."""
    match = _W3CDTF_DATE.match(raw or "")
    if raw is None or match is None:
        return None
    try:
        value = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return DateEvidence(value, "core_properties:created", raw) if value.year >= _FIRST_PLAUSIBLE_YEAR else None


def _web_address(target: str) -> tuple[str, str | None] | None:
    """(written, url) for a hyperlink to the web; None for mail, local files and other schemes."""
    written = target.strip()
    scheme = SCHEME.match(written)
    if scheme is None and not written.lower().startswith("www."):
        return None  # a path to a file beside the document
    if scheme is not None and scheme[1].lower() not in ("http", "https"):
        return None
    return written, normalize_url(written)


def _hyperlink_ref(text: str, link: Hyperlink) -> LinkRef | None:
    address = _web_address(link.target)
    if address is None:
        return None
    lead = text[max(0, link.start - _LABEL_REACH) : link.start].rsplit("\n\n", 1)[-1]
    related = is_related_label(lead.strip()) or is_related_label(link.text)
    return LinkRef(
        url=address[1],
        written=address[0],
        role=LinkRole.RELATED if related else LinkRole.CITED,
        anchor_text=link.text or None,
        context=sentence_around(text, link.start, link.end) or None,
    )


def _merge(
    text: str, hyperlinks: list[Hyperlink], found: tuple[LinkRef, ...], urls: list[FoundUrl], max_links: int | None
) -> tuple[LinkRef, ...]:
    """The hyperlinks and the text reader's links in the order of the text.

    The text reader's links are placed by finding them again in TEXT (they carry no offsets): a URL
    among URLS, the text's URLs in order, a lost link by its words.  One that lies inside a hyperlink's
    text, or whose URL a hyperlink already has, is that hyperlink.
    """
    placed: list[tuple[int, LinkRef]] = []
    spans: list[tuple[int, int]] = []
    targets: set[str] = set()
    for link in hyperlinks:
        ref = _hyperlink_ref(text, link)
        if ref is not None:
            placed.append((link.start, ref))
            spans.append((link.start, link.end))
            targets.update(u for u in (ref.url, ref.written) if u)
    spans.sort()
    starts = [start for start, _ in spans]
    at_url = cursor = 0
    for ref in found:
        if ref.role is LinkRole.ORIGINAL:
            placed.append((len(text) + 1, ref))  # the text reader puts its Original url last too
            continue
        start, end, at_url = _locate(text, ref, urls, at_url, cursor)
        cursor = max(cursor, end)
        if (ref.url is not None and ref.url in targets) or _inside(spans, starts, start, end):
            continue
        placed.append((start, ref))
    placed.sort(key=lambda item: item[0])
    limit = len(placed) if max_links is None else max_links + 1
    return tuple(replace(ref, position=i) for i, (_, ref) in enumerate(placed[:limit]))


def _locate(text: str, ref: LinkRef, urls: list[FoundUrl], at_url: int, cursor: int) -> tuple[int, int, int]:
    """Where the text reader's link REF stands: (start, end, next index in URLS); at CURSOR when not found."""
    if ref.written is not None:
        for i in range(at_url, min(at_url + 50, len(urls))):
            if urls[i].written == ref.written:
                return urls[i].start, urls[i].end, i + 1
        return cursor, cursor, at_url
    words = ref.anchor_text or ""
    start = text.find(words, cursor) if words else -1
    return (start, start + len(words), at_url) if start >= 0 else (cursor, cursor, at_url)


def _inside(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [START, END) overlaps one of the sorted SPANS (hyperlinks' texts; a few may nest)."""
    if start >= end:
        return False
    i = bisect_right(starts, end - 1)
    return any(spans[j][1] > start for j in range(max(0, i - 3), i))
