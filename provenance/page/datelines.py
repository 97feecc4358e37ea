"""When a text says it was published: the dateline in its head, read where people write it.

A dateline is a date that stands as its own part of a line near the top of a document: alone,
after a label that says published ("Published:", "Publié le", "公開日"), a weekday, a time, a
byline ("By Jane Doe |", "By Jane Doe,") or a separator ("Home | 30 septembre 2018"), and followed
by nothing, a time, a byline ("by The React Team", "par Dan Abramov", "，作者：..."), a list of
names or a separator.  A date with anything else around it ("It rained on January 21, 2022 in
Geneva", "Deadline: 5 May 2024") is mentioned in passing and not read, since a missing date costs
less than a wrong one.  Addresses are blanked first, so a date inside a cited URL is never read.

Order of trust among the datelines of one head: a date labelled published, then the first
unlabelled one.  A date labelled updated/modified is never a publication date, and neither is a
line that looks like a browser's print stamp ("5/14/24, 9:41 AM  Title - Site") or a line that
continues a wrapped sentence.  The head ends at HEAD_LINES lines or at the first paragraph of
running prose, whichever comes first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Literal

from ..records import DateEvidence
from .dateforms import find_dates, has_year
from .datelabels import BYLINE, NAME_JOINERS, NAME_PARTICLES, PREPOSITION, label_at_start, language_in
from .datewords import vocabulary

__all__ = ["Dateline", "HEAD_LINES", "file_name_date", "head_date", "order_for", "read_line", "value_date"]

HEAD_LINES = 15  # non-blank lines: title, standfirst, byline, tags and date blocks fit in this
HEAD_CHARS = 4000
RAW_CHARS = 160  # the evidence keeps this much of the line the date was read from
MAX_NAME_WORDS = 5
MAX_CJK_NAME = 4  # a name written in ideographs or Hangul; longer runs are prose
WRAPPED_CHARS = 60  # a shorter line is a title, byline or field, not running text cut by a line end
PROSE_CHARS, PROSE_SENTENCES = 400, 3  # a paragraph this long, or with this many sentences, is the body

Kind = Literal["published", "plain", "updated"]
_TOKEN = re.compile(r"\S+")
_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\s]{0,2000}\)")  # [text](address) as a reader sees it
_MARKUP = re.compile(r"[*`]+|(?<![^\W_])_+|_+(?![^\W_])")
_LEADING = re.compile(r"^[\s#>%+=~\-]+")
_SEPARATOR = re.compile(r"[|·•‧∙►‣—–(\[;]|\s[-/]\s")
_CLOSERS = "|·•‧∙►‣—–([;"
# 10:30, 10.30, 10h30, 10:30:00.000, 10:30 a.m., 10:30 Uhr, then a zone: Z, +02:00, UTC+1, EST, ET
_TIME = (
    r"T?(?:[01]?\d|2[0-3])[:h.]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:uhr|h))?"
    r"(?-i:\s*(?:Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{2,4}(?![^\W\d_])))?"
)
_LEADING_TIME = re.compile(rf"^\s*,?\s*(?:(?:at|à|um|alle|a las|às|в|o|kl\.?|@)\s*)?{_TIME}", re.IGNORECASE)
_TRAILING_TIME = re.compile(rf"{_TIME}\s*,?$", re.IGNORECASE)
_YEAR_MARK = re.compile(r"^\s*(?:r\.|roku|г\.|года|год|року|р\.)(?![^\W\d_])", re.IGNORECASE)  # "2024 г."
_PRINT_STAMP = re.compile(r"(?<!\d)\d{1,2}[/.]\d{1,2}[/.](?:\d{2}|\d{4})(?!\d),?\s+\d{1,2}:\d{2}")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
_LETTER = re.compile(r"[^\W\d_]")
_JEKYLL = re.compile(r"(\d{4})-(\d{2})-(\d{2})-.")


@dataclass(frozen=True)
class Dateline:
    """A date read from one line, and what the line says it is."""

    value: date
    kind: Kind
    raw: str


def head_date(text: str, *, language: str | None = None, today: date | None = None) -> DateEvidence | None:
    """The publication date a document's head states (source "date_line"), or None.

    LANGUAGE (a tag such as "fr" or "en-GB", from the document's metadata) says how to read
    numeric dates that a line's own words do not.
    """
    order = order_for(language) if language else None
    labelled: Dateline | None = None
    plain: Dateline | None = None
    seen = 0
    paragraph: list[str] = []
    for line in text[:HEAD_CHARS].split("\n"):
        if not line.strip():
            if _is_prose(" ".join(paragraph)):
                break
            paragraph = []
            continue
        seen += 1
        if seen > HEAD_LINES:
            break
        continued = _continues(paragraph)
        for found in read_line(line, order=order, today=today):
            if found.kind == "plain" and paragraph and (label := _label_line(paragraph[-1])):
                found = Dateline(found.value, label, f"{paragraph[-1]} {found.raw}")  # "Updated:" on its own line
            if found.kind == "published" and labelled is None:
                labelled = found
            elif found.kind == "plain" and plain is None and not continued:
                plain = found
        paragraph.append(line.strip())
    best = labelled or plain
    return DateEvidence(best.value, "date_line", best.raw) if best else None


def read_line(
    line: str, *, order: str | None = None, today: date | None = None, print_stamps: bool = True
) -> list[Dateline]:
    """Every dateline of one line, in order, with its kind; dates in passing are left out.

    A line stamped like a browser print (a numeric date and a clock time) gives nothing unless
    PRINT_STAMPS is False (a metadata field, written by a program, not a printer).
    """
    text = _clean(line)
    if not has_year(text) or (print_stamps and _PRINT_STAMP.search(text)):
        return []
    masked = _TOKEN.sub(_blank_address, text)
    matches = find_dates(masked, order, today=today)
    if any(m.value is None for m in matches) and order is None:
        matches = find_dates(masked, order_for(language_in(masked)), today=today)
    raw = text if len(text) <= RAW_CHARS else text[: RAW_CHARS - 1] + "…"
    found: list[Dateline] = []
    for i, match in enumerate(matches):
        if match.value is None:
            continue
        before = masked[matches[i - 1].end if i else 0 : match.start]
        after = masked[match.end : matches[i + 1].start if i + 1 < len(matches) else len(masked)]
        kind = _kind(before, after, followed=i + 1 < len(matches))
        if kind is not None:
            found.append(Dateline(match.value, kind, raw))
    return found


def value_date(value: str, language: str | None = None) -> date | None:
    """The date a metadata value holds ("2024/04/25", "2024-04-25T10:00:00Z", "April 25, 2024"), or None."""
    value = value.strip().strip("\"'")
    order = order_for(language) if language else None
    found = [d for d in read_line(value, order=order, print_stamps=False) if d.kind != "updated"]
    return found[0].value if len(found) == 1 else None


def file_name_date(source: str) -> DateEvidence | None:
    """The date a Jekyll-style name ("2024-04-25-title.md") gives a file (source "file_name"), or None;
    None for a URL too, whose path is no file's name."""
    if "://" in source:
        return None
    name = PurePosixPath(source.replace("\\", "/")).name
    match = _JEKYLL.match(name)
    if match is None:
        return None
    found = find_dates(match.group(0)[:10])
    return DateEvidence(found[0].value, "file_name", name) if found and found[0].value else None


def order_for(language: str | None) -> str | None:
    """DMY or MDY for a language tag, or None where its numeric dates go either way (plain "en")."""
    if not language:
        return None
    code, _, region = language.replace("_", "-").lower().partition("-")
    if code == "en":
        return {"us": "MDY", "ph": "MDY", "ca": None, "": None}.get(region, "DMY")
    order = vocabulary().date_orders.get(code)
    return order if order in ("DMY", "MDY") else None


def _clean(line: str) -> str:
    """The line as read: NFKC (full-width digits), links as their text, emphasis, heading and list marks
    dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", line)
    text = _LEADING.sub("", _MARKUP.sub("", _LINK.sub(r"\1", text)))
    return " ".join(text.split())


def _blank_address(token: re.Match[str]) -> str:
    """A URL or path blanked (same length): "/blog/2022/03/08/x" and "example.org/2024/05/06/" are not
    datelines.  A bare numeric date ("2024/05/06") has a slash too, but no letter and no leading slash."""
    word = token.group(0)
    address = (
        "://" in word or word.lower().startswith(("www.", "/")) or ("/" in word and _LETTER.search(word) is not None)
    )
    return " " * len(word) if address else word


def _kind(before: str, after: str, *, followed: bool) -> Kind | None:
    """What a date with BEFORE and AFTER around it on its line is, or None if it is not a dateline."""
    kind = _prefix_kind(before)
    if kind is None:
        return None
    ending = _suffix_kind(after, labelled=kind != "plain", followed=followed)
    if ending is None:
        return None
    return "updated" if "updated" in (kind, ending) else kind if ending == "ok" else ending


def _prefix_kind(before: str) -> Kind | None:
    """What the text before a date on its line (from the last separator on) makes of it."""
    segment = _SEPARATOR.split(before)[-1]
    named = segment.rstrip().endswith(",")  # "Jane Doe, 3 March 2023", "GENEVA, 3 March 2023"
    text = segment.strip(" \t,:;")
    while True:  # "Posted on Friday, 12:00" -> "Posted"
        shorter = _TRAILING_TIME.sub("", text).strip(" ,:")
        words = shorter.rsplit(None, 1)
        if words and PREPOSITION.fullmatch(words[-1]):
            shorter, named = (words[0] if len(words) == 2 else ""), True  # "Jane Doe on 3 March 2023"
        elif words and vocabulary().is_weekday(words[-1].strip(",.")):
            shorter = words[0] if len(words) == 2 else ""
        if shorter == text:
            break
        text = shorter.strip(" ,:")
    if not text:
        return "plain"
    kind: Kind = "plain"
    label = label_at_start(text)
    if label is not None:
        kind, text = label[0], text[label[1] :].strip(" :,")
        if not text:
            return kind
    byline = BYLINE.match(text)
    if byline is not None and _names(text[byline.end() :], leading_only=False):
        return kind
    return kind if label is None and named and _names(text, leading_only=False) else None


def _suffix_kind(after: str, *, labelled: bool, followed: bool) -> Kind | Literal["ok"] | None:
    """What the text after a date on its line allows: "ok", a kind it gives the date, or None."""
    text = _YEAR_MARK.sub("", after, count=1)
    while (time := _LEADING_TIME.match(text)) is not None and time.end() > 0:
        text = text[time.end() :]
    text = text.strip()
    if not text.strip(" .,;:!") or text[0] in _CLOSERS or after.startswith((" - ", " / ")):
        return "ok"
    rest = text.lstrip(",:").strip()
    label = label_at_start(rest)
    if label is not None:  # "2024年5月22日 更新" labels this date; "1 May (updated 5 May)" the next one
        return "ok" if followed else label[0]
    if labelled:
        return "ok"
    byline = BYLINE.match(rest)
    if byline is not None:
        return "ok" if _names(rest[byline.end() :], leading_only=True) else None
    return "ok" if _names(rest, leading_only=False) else None


def _names(text: str, *, leading_only: bool) -> bool:
    """Whether TEXT is a list of people's names ("Dan Abramov et Rachel Nabors", "张三、李四").

    LEADING_ONLY checks only the first word (after "by"/"par", a team name may go on in lower case).
    """
    text = text.strip().rstrip(".")
    if not text:
        return False
    items = [item.split() for item in NAME_JOINERS.split(text) if item.strip()]
    if not items:
        return False
    if leading_only:
        items = items[:1]
        items[0] = items[0][:1]
    for words in items:
        if not 1 <= len(words) <= MAX_NAME_WORDS:
            return False
        for word in words:
            if not _name_word(word, after_byline=leading_only):
                return False
    return True


def _name_word(word: str, *, after_byline: bool) -> bool:
    """A word of a name: capitalised, a particle ("van", "de"), a handle, or in a script without case.

    Ideographs and Hangul run words together, so only a short run is a name; a word of Arabic or
    Hebrew script counts only after a byline word, since nothing else tells it from prose.
    """
    first = word.lstrip("\"'“(")[:1]
    if word.casefold() in NAME_PARTICLES or first.isupper() or first == "@":
        return True
    if not first.isalpha() or first.islower():
        return False
    if unicodedata.east_asian_width(first) in "WF":
        return len(word) <= MAX_CJK_NAME
    return after_byline


def _continues(paragraph: list[str]) -> bool:
    """Whether the next line of PARAGRAPH goes on with the last one: an address cut after a slash
    ("https://example.org/news/" over "2024/05/06/story"), or running text (as long as a wrapped
    line) that stops on a lower-case word or a comma.  A heading, a byline, a tags line or a title
    in capitals does not."""
    last = paragraph[-1] if paragraph else ""
    word = last.rsplit(None, 1)[-1] if last.strip() else ""
    if word.endswith("/") and ("://" in word or _LETTER.search(word)):
        return True
    return len(last) >= WRAPPED_CHARS and not last.startswith("#") and (word[:1].islower() or word[-1:] in ",;")


def _label_line(line: str) -> Kind | None:
    """The kind a line that is nothing but a label ("Updated:", "Published on") gives the date below it."""
    text = _clean(line).strip(" :")
    label = label_at_start(text)
    if label is None:
        return None
    rest = text[label[1] :].strip(" :")
    return label[0] if not rest or PREPOSITION.fullmatch(rest) else None


def _is_prose(paragraph: str) -> bool:
    return len(paragraph) >= PROSE_CHARS or len(_SENTENCE_END.findall(paragraph)) >= PROSE_SENTENCES
