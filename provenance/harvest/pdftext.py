"""A PDF's pages as one text, shaped like text copied out of a PDF, with a map back to each page.

The text goes through the same reader as text copied out of PDFs (harvest_text), so it is made
to look like pdftotext's: LF line ends, a form feed before each page after the first, a blank
line between paragraphs, and a hyphen at a line end written as a hyphen and a line break (PDFium
joins the two lines with U+FFFE; the URL reader decides whether the hyphen belongs to an
address).  PDFium gives no paragraphs, so a blank line goes where the space between two lines is
wider than the closest spacing of lines of that type size, where the size changes, or where the
text moves up the page (a new column).

Link annotations name characters by their index in PDFium's page text; `Assembled.offset` maps
such an index to the document text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from statistics import median

from .pdfread import PdfLine, PdfPage

__all__ = ["Assembled", "assemble", "display_title"]

_FIX = re.compile(r"\r\n?|\ufffe|\x02|[\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REPLACE = {"\r\n": "\n", "\r": "\n", "\ufffe": "-\n", "\x02": "-"}
_SPACING = 1.45  # a gap this many times the page's usual line spacing starts a paragraph
_SIZE_STEP = 0.15  # a change of type size by this share starts a paragraph (a heading)
_DISPLAY = 1.3  # type this many times the page's usual size is display type: a title
_TITLE_LINES = 4


@dataclass(frozen=True)
class Assembled:
    """The document text and where each page's characters went in it."""

    text: str
    page_starts: tuple[int, ...]  # offset of each page's text in `text`
    _edits: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]  # per page: raw positions, shifts from there on

    def offset(self, page: int, index: int) -> int:
        """Where character INDEX of page PAGE's PDFium text stands in the document text."""
        positions, shifts = self._edits[page]
        at = bisect_right(positions, index) - 1
        return self.page_starts[page] + index + (shifts[at] if at >= 0 else 0)


def assemble(pages: tuple[PdfPage, ...]) -> Assembled:
    """The text of PAGES, joined as pdftotext joins them (a form feed before each page after the first)."""
    pieces: list[str] = []
    starts: list[int] = []
    edits: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    length = 0
    for number, page in enumerate(pages):
        if number:
            pieces.append("\n\f")
            length += 2
        text, positions, shifts = _page_text(page)
        starts.append(length)
        edits.append((positions, shifts))
        pieces.append(text)
        length += len(text)
    return Assembled("".join(pieces), tuple(starts), tuple(edits))


def _page_text(page: PdfPage) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The page's text with its fixes, and the shift each raw position takes from there on."""
    ops = [(m.start(), m.end() - m.start(), _REPLACE.get(m.group(0), "")) for m in _FIX.finditer(page.text)]
    ops += [(start, 0, "\n") for start in _paragraph_starts(page.lines)]
    ops.sort(key=lambda op: (op[0], op[1]))
    out: list[str] = []
    positions: list[int] = []
    shifts: list[int] = []
    last = shift = 0
    for start, size, replacement in ops:
        if start < last:  # overlapping fixes cannot happen with these patterns; skip rather than garble
            continue
        out.append(page.text[last:start])
        out.append(replacement)
        last = start + size
        shift += len(replacement) - size
        positions.append(last)
        shifts.append(shift)
    out.append(page.text[last:])
    return "".join(out), tuple(positions), tuple(shifts)


def _paragraph_starts(lines: tuple[PdfLine, ...]) -> list[int]:
    """Starts of the lines that open a paragraph (not the page's first).

    A line's usual spacing is the closest one seen between lines of its type size on the page: a
    print of a web page has mostly one-line paragraphs, so the commonest spacing would be the
    paragraph's, and a table in smaller type has its own.  A size seen on too few lines to tell
    (a heading block) is measured against the page's commonest spacing as well.
    """
    pairs = list(zip(lines, lines[1:], strict=False))
    steps: dict[float, list[float]] = {}
    for prev, line in pairs:
        step = prev.bottom - line.bottom
        if abs(prev.size - line.size) <= _SIZE_STEP * max(line.size, 1.0) and step >= 0.5 * line.size:
            steps.setdefault(round(line.size, 1), []).append(step)
    page = median([step for found in steps.values() for step in found] or [0.0])
    usual = {size: min(found) if len(found) >= 3 else min(min(found), page) for size, found in steps.items()}
    starts = []
    for prev, line in pairs:
        step, size = prev.bottom - line.bottom, max(prev.size, line.size, 1.0)
        if abs(step) < 0.3 * size:
            continue  # another piece of the same line
        spacing = usual.get(round(line.size, 1), page)
        if step < 0 or (spacing and step > _SPACING * spacing) or abs(prev.size - line.size) > _SIZE_STEP * size:
            starts.append(line.start)
    return starts


def display_title(page: PdfPage) -> str | None:
    """The first page's title as set: the first run of lines in its largest type, when that type is
    clearly larger than the page's text (a cover, a paper's or a slide's title)."""
    if len(page.lines) < 2:
        return None
    sizes = [line.size for line in page.lines]
    largest, usual = max(sizes), median(sizes)
    if largest < _DISPLAY * usual:
        return None
    ends = [line.start for line in page.lines[1:]] + [len(page.text)]
    run: list[str] = []
    for line, end in zip(page.lines, ends, strict=True):
        if abs(line.size - largest) <= _SIZE_STEP * largest:
            run.append(page.text[line.start : end].replace("\ufffe", "-"))
        elif run:
            break
    title = " ".join(" ".join(run[:_TITLE_LINES]).split())
    return title if 3 <= len(title) <= 300 and len(run) <= _TITLE_LINES else None
