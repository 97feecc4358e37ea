"""The calendar dates written in a line, with where each stands, in the forms people write them.

Forms: a month in words before or after the day ("8 Nov 2019", "March 29, 2022", "29 de marzo de
2022", "5. März 2024", "2024. március 5."), year-first numbers ("2024-04-25", "2024/4/25",
"2024. 4. 25."), 年/月/日 and 년/월/일 ("2022 年 3 月 29 日", "2021년 6월 8일"), Vietnamese months by
number ("22 tháng 3 năm 2023"), and day-month-year numbers ("14.05.2024", "25/04/2024").  Only
four-digit years count: "5/14/24" is how a browser stamps a print, not how an author dates a post.

Day-month-year numbers are read only when one order is possible (a part above 12, or both equal)
or the caller says the order; dots mean day first ("14.05.2024" is German, Polish, Russian...;
nobody writes month.day.year).  Otherwise the date is reported with no value, so the caller knows
a date is there but not which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .datewords import vocabulary

__all__ = ["DateMatch", "MIN_YEAR", "find_dates", "has_year"]

MIN_YEAR = 1990  # the web's years; an earlier year in a document's head is history, not its date
_YEAR = r"(\d{4})(?!\d)"
_DAY = r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?"
_WORD = r"(?<![^\W\d_])([^\W\d_]{3,})\.?"
_SEP = r"(?:[\s.,/-]+(?:(?:de|del|of)\s+)?)"  # "5 March", "5-Mar-", "5 de marzo de 2022", "5th of March"
_WORD_FORMS = (
    ("dmy", re.compile(rf"{_DAY}{_SEP}{_WORD}{_SEP}{_YEAR}")),
    ("mdy", re.compile(rf"{_WORD}{_SEP}{_DAY}{_SEP}{_YEAR}")),
    ("ymd", re.compile(rf"(?<!\d){_YEAR}\.?\s+(?:m\.\s+)?{_WORD}\s+(\d{{1,2}})(?!\d)\.?")),  # 2024. március 5.
)
# 2024-04-25, 2024/4/25, 2024.04.25 (one separator throughout); 2024. 4. 25. (Korean, Hungarian)
_YMD = re.compile(
    r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"
    r"|(?<!\d)(\d{4})\.\s(\d{1,2})\.\s(\d{1,2})(?!\d)\.?"
)
_CJK = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})(?!\d)\s*[日일号]?")
_VIETNAMESE = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*,\s*|\s+năm\s+)(\d{4})(?!\d)", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\d.:/])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d)")
_HAS_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]{3}")


@dataclass(frozen=True)
class DateMatch:
    """A date written at line[start:end]; `value` None when its numbers can be read two ways."""

    start: int
    end: int
    value: date | None
    form: str  # "words", "ymd", "cjk", "numeric"
    language: str | None = None  # the language of the month's name, when written in words


def has_year(line: str) -> bool:
    """Whether the line holds a four-digit number, the cheap test before any other."""
    return _HAS_YEAR.search(line) is not None


def find_dates(line: str, order: str | None = None, *, today: date | None = None) -> list[DateMatch]:
    """Every date written in LINE, left to right, none overlapping.

    ORDER ("DMY" or "MDY") reads numeric dates whose day and month could be swapped.  Dates
    before MIN_YEAR or after TODAY are not dates a document was published on and are left out.
    """
    if not has_year(line):
        return []
    latest = today or date.today()
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], value: date | None, form: str, language: str | None = None) -> None:
        start, end = match.span()
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))  # an impossible "2023-02-30" is not read again as another form
        if value is not None and value.year >= MIN_YEAR and value <= latest:
            found.append(DateMatch(start, end, value, form, language))

    for match in _CJK.finditer(line):
        add(match, _day(match[1], match[2], match[3]), "cjk")
    for match in _VIETNAMESE.finditer(line):  # 22 tháng 3 năm 2023: the month by its number
        add(match, _day(match[3], match[2], match[1]), "words", "vi")
    for match in _YMD.finditer(line):
        year, month, day = (match[1], match[3], match[4]) if match[1] else (match[5], match[6], match[7])
        add(match, _day(year, month, day), "ymd")
    if _LETTERS.search(line):
        for form, pattern in _WORD_FORMS:
            for match in pattern.finditer(line):
                word, day, year = _word_parts(form, match)
                named = vocabulary().month(word)
                if named is not None:
                    add(match, _day(year, str(named[0]), day), "words", named[1])
    for match in _NUMERIC.finditer(line):
        value, ambiguous = _numeric(match, order)
        if ambiguous and MIN_YEAR <= int(match[4]) <= latest.year:
            if not any(match.start() < b and a < match.end() for a, b in taken):
                taken.append(match.span())
                found.append(DateMatch(match.start(), match.end(), None, "numeric"))
        else:
            add(match, value, "numeric")
    return sorted(found, key=lambda m: m.start)


def _word_parts(form: str, match: re.Match[str]) -> tuple[str, str, str]:
    """(month word, day, year) of a word-form match."""
    if form == "dmy":
        return match[2], match[1], match[3]
    if form == "mdy":
        return match[1], match[2], match[3]
    return match[2], match[3], match[1]


def _numeric(match: re.Match[str], order: str | None) -> tuple[date | None, bool]:
    """(the date, whether its day and month could be swapped and ORDER did not say which)."""
    first, sep, second, year = int(match[1]), match[2], int(match[3]), match[4]
    if first == second or first > 12 or sep == ".":
        day, month = first, second
    elif second > 12:
        day, month = second, first
    elif order in ("DMY", "MDY"):
        day, month = (first, second) if order == "DMY" else (second, first)
    else:
        return None, True
    return _day(year, str(month), str(day)), False


def _day(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
