"""Browser prints: the header and footer a browser adds to a web page printed to PDF.

Chrome, Edge and Safari print the time and the page title at the top and the page's address
and "1/3" at the bottom; Firefox prints the title and the address at the top and "1 of 3" (in
the reader's language) and the time at the bottom.  Those lines are not content: the address is
the document's original URL, the time is when this copy was made (never when the page was
published), and neither must be read as a title, a date line or a cited link.

Recognised by the lines themselves, not by where they stand, because extractors put them in
different places (pdftotext at the top and bottom of each page, PDFium after the page's body,
text copied by hand anywhere between two pages).  A print is recognised only when a time stamp
and a page counter are both found on such lines, with one print time and one page total
throughout; the address lines are then taken where they stand beside those marks or at a
page's edge.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..page.datewords import vocabulary
from ..records import DateEvidence, LinkRef, LinkRole
from .urls import clean_url
from .wraps import end_of_line, start_of_line

__all__ = ["PrintMarks", "read_print"]

_NUMERIC_DATE = r"\d{1,4}[./-] ?\d{1,2}[./-] ?\d{1,4}\.?"
_MONTH_WORD = r"[^\W\d_]{3,12}\.?"  # a month's name or abbreviation, in any language and script
_WORD_DATE = rf"(?:{_MONTH_WORD} \d{{1,2}},? \d{{4}}|\d{{1,2}}\.? {_MONTH_WORD} \d{{4}})"
_HALF = r"(?:[AaPp]\.? ?[Mm]\.?|午前|午後|上午|下午|오전|오후)"
_CLOCK = rf"(?:{_HALF} ?)?\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?: ?{_HALF})?"
_STAMP = rf"(?P<stamp>(?P<date>{_NUMERIC_DATE}|{_WORD_DATE}),?(?: (?:at|à|um|a las|alle|om|kl\.))? (?P<clock>{_CLOCK}))"
_COUNTER = (
    r"(?:(?:page|seite|página|pagina|pag\.|strona|sida|side|p\.) )?(?P<page>\d{1,4}) ?"
    r"(?:/|of|sur|von|de|di|van|av|af|z|из|из) ?(?P<pages>\d{1,4})"
)
_URL = r"(?P<url>(?:https?|file)://\S+?)(?P<cut>\.\.\.|…)?"
# whole lines (whitespace collapsed) a browser writes; the first two kinds establish a print
_STAMP_LINES = (
    re.compile(rf"^{_COUNTER} {_STAMP}$", re.I),  # Firefox: "1 of 3 5/14/24, 9:41 AM"
    re.compile(rf"^{_STAMP}(?: (?P<title>.+))?$", re.I),  # Chrome, Safari: "5/14/24, 9:41 AM Title - Site"
    re.compile(rf"^(?P<title>.+?) {_STAMP}$", re.I),  # the time at the right of a title
)
_FOOTER, _HEADER = 0, 1  # kinds of _STAMP_LINES
_COUNTER_LINES = (
    re.compile(rf"^{_URL} {_COUNTER}$", re.I),  # Chrome: "https://example.org/story 1/3"
    re.compile(rf"^{_COUNTER}$", re.I),
)
_URL_LINES = (
    re.compile(rf"^{_URL}$", re.I),
    re.compile(rf"^(?P<title>.+?) {_URL}$", re.I),  # Firefox: "Title - Site https://example.org/story"
)
_CANDIDATE = re.compile(r"\d:\d\d|\d ?(?:/|of|sur|von|de|di|van|av|af|z|из) ?\d", re.I)
_MAX_LINE = 400  # header and footer lines are short; longer lines are not looked at
_MAX_CANDIDATES = 20_000  # lines examined, so a long table of times is not read whole
_NEAR = 3  # lines from a time or counter mark, or from a page's edge, where the address line stands


@dataclass(frozen=True)
class PrintMarks:
    """What a browser print's header and footer say, and the text without them."""

    text: str  # the text, header and footer lines removed
    url: str | None = None  # the page's address as printed
    url_cut: bool = False  # printed shortened, ending in an ellipsis: only its start is known
    captured: DateEvidence | None = None  # the print time
    title: str | None = None  # the page title in the header
    pages: int | None = None
    removed: tuple[tuple[int, int], ...] = ()  # spans of the given text that were removed

    def original_link(self) -> LinkRef | None:
        """The printed address as the document's `original` link, when it is whole and a web address."""
        url = clean_url(self.url) if self.url and not self.url_cut else None
        if url is None:
            return None
        return LinkRef(url=url, written=self.url, role=LinkRole.ORIGINAL, context="browser print footer")

    def evidence(self) -> dict[str, Any]:
        """The print's marks for HarvestedDocument.evidence (empty when the text is not a print)."""
        if self.captured is None and self.url is None:
            return {}
        marks = {"url": self.url, "url_cut": self.url_cut, "time": self.captured.raw if self.captured else None}
        return {"print": {**marks, "title": self.title, "pages": self.pages}}


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the line in the text
    end: int  # offset after its newline
    text: str  # whitespace collapsed


def read_print(text: str, hint: date | None = None) -> PrintMarks:
    """The browser print's marks in TEXT and TEXT without them; nothing found, TEXT unchanged.

    HINT (a PDF's creation date) decides between day and month when a numeric date reads both ways.
    """
    lines = _candidate_lines(text)
    stamps = [(line, m, kind) for line in lines for kind, m in _first(_STAMP_LINES, line.text)]
    counters = [(line, m) for line in lines for _, m in _first(_COUNTER_LINES, line.text)]
    counters += [(line, m) for line, m, kind in stamps if kind == _FOOTER]  # Firefox: counter and time together
    if not stamps or not counters:
        return PrintMarks(text)
    stamp = Counter(_squeeze(m["stamp"]) for _, m, _ in stamps).most_common(1)[0][0]
    pages = Counter(m["pages"] for _, m in counters).most_common(1)[0][0]
    marks = {line.start: line for line, m, _ in stamps if _squeeze(m["stamp"]) == stamp}
    marks |= {line.start: line for line, m in counters if m["pages"] == pages and int(m["page"]) <= int(pages)}
    header = next((m for line, m, kind in stamps if kind != _FOOTER and line.start in marks), None)
    footer = next((m for line, m, kind in stamps if kind == _FOOTER and line.start in marks), None)
    title = header["title"] if header is not None and header["title"] else None
    url, cut = _url(counters, marks)
    for line, match in _address_lines(text, marks, url):
        marks[line.start] = line
        url, cut = url or match["url"], cut or bool(match["cut"])
        title = title or match.groupdict().get("title")
    if title is None:
        title = _title_below(text, [line for line, m, kind in stamps if kind == _HEADER and not m["title"]], marks)
    found, title = _title_lines(text, marks, title)
    marks |= found
    stamped = header or footer
    assert stamped is not None  # a time was found on a kept line
    captured = _captured(stamped, hint, "print_header" if header else "print_footer")
    removed = tuple(sorted((line.start, line.end) for line in marks.values()))
    return PrintMarks(_without(text, removed), url, cut, captured, title, int(pages), removed)


def _without(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """TEXT with the sorted, disjoint SPANS cut out."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _squeeze(value: str) -> str:
    return " ".join(value.split())


def _first(patterns: tuple[re.Pattern[str], ...], line: str) -> list[tuple[int, re.Match[str]]]:
    for kind, pattern in enumerate(patterns):
        if (match := pattern.match(line)) is not None:
            return [(kind, match)]
    return []


def _candidate_lines(text: str) -> list[_Line]:
    """Short lines holding a clock time or a page counter, each once (every look bounded: a 50 MB line
    of "1/2 1/2 ..." is passed over once, not searched back from each match)."""
    seen: list[_Line] = []
    line_end = 0  # end of the last line looked at: matches before it are on a line already seen
    for match in _CANDIDATE.finditer(text):
        if match.start() < line_end:
            continue
        start = text.rfind("\n", line_end, match.start()) + 1 or line_end
        end = text.find("\n", match.end())
        line_end = len(text) if end < 0 else end + 1
        if line_end - start <= _MAX_LINE:
            seen.append(_Line(start, line_end, _squeeze(text[start:line_end].replace("\f", " "))))
            if len(seen) >= _MAX_CANDIDATES:
                break
    return seen


def _url(counters: list[tuple[_Line, re.Match[str]]], marks: dict[int, _Line]) -> tuple[str | None, bool]:
    found = [(m["url"], bool(m["cut"])) for line, m in counters if line.start in marks and m.groupdict().get("url")]
    return Counter(found).most_common(1)[0][0] if found else (None, False)


def _lines_near(text: str, marks: dict[int, _Line]) -> dict[int, _Line]:
    """Lines within _NEAR lines of a mark or of a page's edge (the text's ends and form feeds)."""
    anchors = {line.start for line in marks.values()} | {0, len(text)}
    for count, feed in enumerate(re.finditer("\f", text)):
        if count >= _MAX_CANDIDATES:
            break
        anchors.add(feed.end())
    near: dict[int, _Line] = {}
    for anchor in sorted(anchors):
        for start in _around(text, anchor):
            end = _line_end(text, start)
            if start not in marks and start not in near and 0 < end - start <= _MAX_LINE:
                near[start] = _Line(start, end, _squeeze(text[start:end].replace("\f", " ")))
    return near


def _line_start(text: str, pos: int) -> int:
    """Start of the line holding POS, looked for at most _MAX_LINE back (a longer line is no mark anyway)."""
    return start_of_line(text, pos, _MAX_LINE)


def _line_end(text: str, start: int) -> int:
    """End of the line at START (after its newline), looked for at most _MAX_LINE ahead."""
    end = end_of_line(text, start, _MAX_LINE + 1)
    return end + 1 if end - start <= _MAX_LINE and end < len(text) else end  # past a newline found, not a cut


def _around(text: str, anchor: int) -> list[int]:
    """Starts of the _NEAR lines before ANCHOR's line, its own, and the _NEAR after, blank lines not counted
    (a few blank ones at most: a run of them is a page's empty end)."""
    first = _line_start(text, anchor)
    starts: list[int] = []
    pos, count = first, 0
    while pos > 0 and count < _NEAR and len(starts) < 4 * _NEAR:
        pos = _line_start(text, pos - 1)
        starts.append(pos)
        count += bool(text[pos : _line_end(text, pos)].strip())
    pos, count, ahead = first, 0, 0
    while pos < len(text) and count <= _NEAR and ahead <= 4 * _NEAR:
        starts.append(pos)
        end = _line_end(text, pos)
        count += bool(text[pos:end].strip())
        pos, ahead = end, ahead + 1
    return starts


def _address_lines(text: str, marks: dict[int, _Line], url: str | None) -> list[tuple[_Line, re.Match[str]]]:
    """The address lines of the print: beside its marks or at a page's edge, holding its one address."""
    found = []
    for line in _lines_near(text, marks).values():
        for _, match in _first(_URL_LINES, line.text):
            if url is None or _same_address(match["url"], url):
                found.append((line, match))
    if url is None and found:  # no address on a counter line: the one printed most often
        wanted = Counter(m["url"] for _, m in found).most_common(1)[0][0]
        found = [(line, m) for line, m in found if m["url"] == wanted]
    return found


def _same_address(a: str, b: str) -> bool:
    a, b = a.rstrip(".…"), b.rstrip(".…")
    return a.startswith(b) or b.startswith(a)


def _title_lines(text: str, marks: dict[int, _Line], title: str | None) -> tuple[dict[int, _Line], str | None]:
    """Lines beside the marks that hold nothing but the page title (pdftotext puts it on its own line):
    the header's title where it is known, else a line repeated beside the marks of several pages or
    one cut short with an ellipsis, as browsers cut a long title."""
    near = _lines_near(text, marks)
    if title is not None:
        wanted = _squeeze(title)
        return {start: line for start, line in near.items() if line.text == wanted}, title
    counts = Counter(line.text for line in near.values() if line.text and not _first(_URL_LINES, line.text))
    repeated = [text for text, n in counts.items() if n >= 2]
    cut = [text for text in counts if text.endswith(("...", "…"))]
    if not repeated and not cut:
        return {}, None
    found = (repeated or cut)[0]
    return {start: line for start, line in near.items() if line.text == found}, found


def _title_below(text: str, headers: list[_Line], marks: dict[int, _Line]) -> str | None:
    """The title pdftotext puts on a line of its own below a time stamp: the same line below every one."""
    below = set()
    for line in headers:
        if line.start not in marks:
            continue
        rest = text[line.end : line.end + 4 * _MAX_LINE].lstrip("\n \t")
        below.add(_squeeze(rest.split("\n", 1)[0]))
    title = below.pop() if len(below) == 1 else None
    return title if title and len(title) <= 200 else None


def _captured(stamp: re.Match[str], hint: date | None, source: str) -> DateEvidence | None:
    value = _read_date(stamp["date"], stamp["clock"], hint)
    return None if value is None else DateEvidence(value=value, source=source, raw=stamp["stamp"])


def _read_date(raw: str, clock: str, hint: date | None) -> date | None:
    """The day a print stamp names; a numeric date that reads both ways is settled by HINT, else by the
    locale the stamp shows (a 12-hour clock: month first; dots or a 24-hour clock: day first)."""
    words = re.findall(r"[^\W\d_]+", raw)
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    if words:
        named = vocabulary().month(words[0])  # "May", "mai", "März", "févr."
        day, year = (numbers[0], numbers[1]) if len(numbers) == 2 else (0, 0)
        return _date(year, named[0] if named else 0, day)
    if len(numbers) != 3:
        return None
    if re.match(r"\d{4}", raw):
        return _date(numbers[0], numbers[1], numbers[2])
    first, second, year = numbers
    year += 2000 if year < 100 else 0
    readings = [d for d in (_date(year, first, second), _date(year, second, first)) if d is not None]
    if len(readings) == 2 and readings[0] != readings[1]:
        if hint is not None and (close := [d for d in readings if abs(d - hint) <= timedelta(days=2)]):
            return close[0]
        twelve_hour = re.search(r"[AaPp]\.? ?[Mm]", clock) is not None
        return readings[0] if twelve_hour and "." not in raw else readings[1]
    return readings[0] if readings else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
