"""One WordprocessingML part (body, footnotes, endnotes, comments, a header) -> its text and hyperlinks.

Word files write a hyperlink in one of three shapes, and all are read: a `w:hyperlink` whose `r:id`
names an external relationship (Word, Google Docs, LibreOffice), a `w:fldSimple` whose instruction
is `HYPERLINK "url"`, and a complex field: `w:fldChar begin`, the instruction in `w:instrText` runs
(often split over several), `separate`, the result runs a reader sees, `end`.  Complex fields nest
and may span paragraphs, so they are tracked on a stack of their own, apart from the XML's nesting.
A hyperlink's text is the visible text of its runs; deleted text (`w:del`, `w:moveFrom`) and the
fallback copy of a text box (`mc:Fallback`) are not visible and not read.

The part is parsed as a stream (iterparse), each paragraph cleared once read, so a long document
never stands whole in memory; paragraphs become lines of text with a blank line between them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from .ooxml import SAFE_XML_OPTIONS, CappedStream, Relationship

W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO 29500 Strict
)
R_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DRAWING_NAMESPACES = (
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/main",
)
_NAMES = (
    "p pStyle t tab ptab br cr noBreakHyphen hyperlink fldSimple fldChar instrText del moveFrom footnote endnote tr tbl"
).split()
_TAGS = [
    *(f"{{{ns}}}{name}" for ns in W_NAMESPACES for name in _NAMES),
    *(f"{{{ns}}}hlinkClick" for ns in _DRAWING_NAMESPACES),
    f"{{{_MC}}}Fallback",
]
_KINDS: dict[object, str] = {tag: tag.rsplit("}", 1)[1] for tag in _TAGS}  # keyed on object: lxml's tag type
_ON_START = frozenset("p pStyle tab ptab br cr noBreakHyphen hyperlink fldSimple fldChar hlinkClick".split())
_SHOWN = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}  # run content that is not w:t
_ON_END = frozenset("t instrText hyperlink fldSimple p tr tbl footnote endnote".split())
_NOTES = frozenset({"footnote", "endnote"})
_RUNS = {f"{{{ns}}}r" for ns in W_NAMESPACES}
_HIDDEN = frozenset({"del", "moveFrom", "Fallback"})
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_MAX_OPEN = 32  # hyperlinks and fields open at once: deeper nesting is read as text only
_MAX_ANCHOR = 1000  # characters of a link's text kept
_MAX_INSTRUCTION = 4096  # characters of a field's instruction kept (a citation manager's JSON is longer)
_FIELD_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"?|(\\[A-Za-z*@#!])|([^\s"]+)')
_ARGUMENT_SWITCHES = frozenset("lot")  # HYPERLINK \l location, \o tooltip, \t target frame


@dataclass(frozen=True, slots=True)
class Hyperlink:
    """A link as the part holds it: `target` with its fragment, its visible text and where that stands."""

    target: str
    text: str
    start: int
    end: int
    field: bool  # a HYPERLINK field code, not a w:hyperlink element


@dataclass(frozen=True, slots=True)
class PartText:
    """What one part says: its text, its hyperlinks (spans in `text`), its first heading, and a
    `problem` when it could not be read to its end (not well-formed, corrupt)."""

    text: str
    links: tuple[Hyperlink, ...]
    heading: str | None
    full: bool  # stopped at MAX_CHARS
    problem: str | None


def hyperlink_target(instruction: str) -> str | None:
    """The address of a `HYPERLINK "url" \\l "fragment"` field instruction; None for other fields and
    for a jump within the document (only \\l)."""
    tokens = [(m[1], m[2], m[3]) for m in _FIELD_TOKEN.finditer(instruction)]
    if not tokens or (tokens[0][2] or "").upper() != "HYPERLINK":
        return None
    url = location = None
    rest = iter(tokens[1:])
    for quoted, switch, bare in rest:
        if switch:
            name = switch[1].lower()
            if name in _ARGUMENT_SWITCHES:
                argument = next(rest, (None, None, None))
                value = _unquote(argument[0]) if argument[0] is not None else argument[2]
                location = value if name == "l" else location
        elif url is None:
            url = _unquote(quoted) if quoted is not None else bare
    if not url:
        return None
    return f"{url}#{location}" if location and "#" not in url else url


def _unquote(value: str) -> str:
    """A quoted field argument: `\\\\` stands for a backslash and `\\"` for a quote."""
    return re.sub(r"\\([\\\"])", r"\1", value).strip()


def word_attribute(element: etree._Element, name: str, namespaces: tuple[str, ...] = W_NAMESPACES) -> str | None:
    """ELEMENT's attribute NAME in the first of NAMESPACES that has it (transitional or Strict), or None."""
    for ns in namespaces:
        value = element.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


class _Full(Exception):
    """The document's text reached its cap."""


class _Paragraph:
    __slots__ = ("pieces", "length", "style", "base", "linked")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.style: str | None = None
        self.base: int | None = None  # where its text starts in the part's text, once written
        self.linked = False  # a link starts here: kept even when it shows no text (a linked picture)


class _Frame:
    """An open hyperlink or field: where its text starts, and the text so far."""

    __slots__ = ("target", "paragraph", "offset", "pieces", "size", "instruction", "collecting", "field")

    def __init__(self, target: str | None, paragraph: _Paragraph | None, field: bool, collecting: bool) -> None:
        self.target, self.paragraph, self.field, self.collecting = target, paragraph, field, collecting
        self.offset = paragraph.length if paragraph is not None else 0
        self.pieces: list[str] = []
        self.size = 0
        self.instruction: list[str] = []

    def add(self, text: str) -> None:
        if self.collecting and self.size < _MAX_ANCHOR:
            self.pieces.append(text)
            self.size += len(text)


class _Walker:
    """The state of one part's walk: open paragraphs, hyperlink elements and complex fields."""

    def __init__(self, rels: dict[str, Relationship], heading_styles: frozenset[str], chars: int, links: int) -> None:
        self.rels, self.heading_styles, self.chars_left, self.links_left = rels, heading_styles, chars, links
        self.out: list[str] = []
        self.size = 0
        self.paragraphs: list[_Paragraph] = []
        self.elements: list[_Frame] = []  # w:hyperlink and w:fldSimple, nested as the XML nests them
        self.fields: list[_Frame] = []  # complex fields, begin..end, nested as their fldChars say
        self.overflow = 0  # fields begun beyond _MAX_OPEN, skipped to their end
        self.instructions = 0  # fields open in their instruction, where nothing is shown
        self.hidden = 0  # depth inside deleted or fallback content
        self.heading: str | None = None
        self.pending: list[tuple[_Frame, _Paragraph | None, int]] = []

    def handle(self, event: str, element: etree._Element) -> None:
        kind = _KINDS[element.tag]
        if kind in _HIDDEN or (kind in _NOTES and word_attribute(element, "type") in _SEPARATOR_NOTES):
            self.hidden += 1 if event == "start" else -1
            return
        if self.hidden:
            if event == "end" and kind == "p":
                self._clear(element)
        elif event == "start":
            if kind in _ON_START:
                self._start(kind, element)
        elif kind in _ON_END:
            self._end(kind, element)

    def _start(self, kind: str, element: etree._Element) -> None:
        if kind == "p":
            self.paragraphs.append(_Paragraph())
        elif kind == "pStyle":
            if self.paragraphs and self.paragraphs[-1].style is None:
                self.paragraphs[-1].style = word_attribute(element, "val")
        elif kind in _SHOWN:
            parent = element.getparent()
            if parent is not None and parent.tag in _RUNS:  # not a tab stop in the paragraph's properties
                self._text(_SHOWN[kind])
        elif kind == "hyperlink":
            self._open_element(self._relationship_target(element))
        elif kind == "fldSimple":
            self._open_element(hyperlink_target(word_attribute(element, "instr") or ""))
        elif kind == "fldChar":
            self._field_char(word_attribute(element, "fldCharType") or "")
        elif kind == "hlinkClick":
            self._picture_link(element)

    def _end(self, kind: str, element: etree._Element) -> None:
        if kind == "t":
            self._text(element.text or "")
        elif kind == "instrText":
            field = self.fields[-1] if self.fields and not self.overflow else None
            if field is not None and not field.collecting and sum(map(len, field.instruction)) < _MAX_INSTRUCTION:
                field.instruction.append(element.text or "")
        elif kind in ("hyperlink", "fldSimple"):
            if self.elements:
                self._close(self.elements.pop())
        elif kind == "p":
            if self.paragraphs:
                self._write(self.paragraphs.pop())
            self._clear(element)
        elif kind in ("tr", "tbl", "footnote", "endnote"):
            self._clear(element)

    def _relationship_target(self, element: etree._Element) -> str | None:
        rid = word_attribute(element, "id", R_NAMESPACES)
        rel = self.rels.get(rid) if rid else None
        if rel is None or not rel.external:
            return None  # w:anchor alone jumps within the document
        fragment = word_attribute(element, "anchor")
        return f"{rel.target}#{fragment}" if fragment and "#" not in rel.target else rel.target

    def _picture_link(self, element: etree._Element) -> None:
        """A linked picture: the link on its drawing's properties (wp:docPr; the copy on pic:cNvPr is the
        same link), its alternative text standing for the text it does not show."""
        properties = element.getparent()
        if properties is None or etree.QName(properties).localname != "docPr":
            return
        frame = _Frame(
            self._relationship_target(element), self.paragraphs[-1] if self.paragraphs else None, False, True
        )
        frame.add(properties.get("descr") or properties.get("title") or "")
        self._close(frame)

    def _open_element(self, target: str | None) -> None:
        paragraph = self.paragraphs[-1] if self.paragraphs else None
        room = len(self.elements) < _MAX_OPEN
        self.elements.append(_Frame(target if room else None, paragraph, field=False, collecting=room))

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            if self.overflow or len(self.fields) >= _MAX_OPEN:
                self.overflow += 1
            else:
                paragraph = self.paragraphs[-1] if self.paragraphs else None
                self.fields.append(_Frame(None, paragraph, field=True, collecting=False))
                self.instructions += 1
        elif self.overflow:
            self.overflow -= kind == "end"
        elif kind == "separate" and self.fields and not self.fields[-1].collecting:
            field = self.fields[-1]
            field.target = hyperlink_target("".join(field.instruction))
            field.collecting, field.instruction = True, []
            self.instructions -= 1
            if self.paragraphs:  # the link's text starts with the result, not at begin
                field.paragraph, field.offset = self.paragraphs[-1], self.paragraphs[-1].length
        elif kind == "end" and self.fields:
            field = self.fields.pop()
            self.instructions -= not field.collecting  # a field with no result ends in its instruction
            self._close(field)

    def _text(self, text: str) -> None:
        if self.instructions or self.overflow or not self.paragraphs:
            return  # inside a field's instruction (not shown), or outside any paragraph
        if len(text) > self.chars_left:
            text = text[: max(self.chars_left, 0)]
        self.chars_left -= len(text)
        paragraph = self.paragraphs[-1]
        paragraph.pieces.append(text)
        paragraph.length += len(text)
        for frame in (*self.elements, *self.fields):
            frame.add(text)
        if self.chars_left <= 0:
            raise _Full

    def _close(self, frame: _Frame) -> None:
        if frame.target is None or self.links_left <= 0:
            return
        self.links_left -= 1
        if frame.paragraph is not None:
            frame.paragraph.linked = True
        paragraph = self.paragraphs[-1] if self.paragraphs else None
        self.pending.append((frame, paragraph, paragraph.length if paragraph is not None else 0))

    def _write(self, paragraph: _Paragraph) -> None:
        text = "".join(paragraph.pieces)
        paragraph.pieces = []
        if not text.strip() and not paragraph.linked:
            return  # the empty paragraphs Word uses for spacing
        paragraph.base = self.size + 2 if self.out else 0
        self.chars_left -= paragraph.base - self.size  # the blank line between paragraphs counts too
        self.out.append(text)
        self.size = paragraph.base + len(text)
        if self.heading is None and paragraph.style in self.heading_styles and text.strip():
            self.heading = " ".join(text.split())[:300]

    def _clear(self, element: etree._Element) -> None:
        if self.paragraphs:
            return  # a text box's paragraph inside a paragraph still being read
        element.clear(keep_tail=True)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]

    def finish(self, full: bool, problem: str | None) -> PartText:
        while self.paragraphs:  # a part cut short: what was read of its open paragraphs still counts
            self._write(self.paragraphs.pop(0))
        for frame in (*self.elements, *self.fields):
            self._close(frame)
        links = []
        for frame, closing, at in self.pending:
            opening = frame.paragraph
            if opening is None or opening.base is None:
                continue
            start = opening.base + frame.offset
            end = opening.base + (at if closing is opening else opening.length)
            text = " ".join("".join(frame.pieces).split())
            links.append(Hyperlink(frame.target or "", text, start, max(start, end), frame.field))
        links.sort(key=lambda link: link.start)
        return PartText("\n\n".join(self.out), tuple(links), self.heading, full, problem)


def read_part(
    stream: CappedStream, rels: dict[str, Relationship], heading_styles: frozenset[str], max_chars: int, max_links: int
) -> PartText:
    """Walk a part's XML as it is decompressed: its text (at most MAX_CHARS) and hyperlinks (at most MAX_LINKS)."""
    walker = _Walker(rels, heading_styles, max_chars, max_links)
    full, problem = False, None
    try:
        for event, element in etree.iterparse(stream, events=("start", "end"), tag=_TAGS, **SAFE_XML_OPTIONS):
            walker.handle(event, element)
    except _Full:
        full = True
    except etree.XMLSyntaxError as exc:
        problem = f"{stream.name} is not well-formed XML ({exc})"
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        problem = f"{stream.name} is corrupt ({exc})"
    return walker.finish(full, problem)
