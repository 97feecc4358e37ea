"""The publication date a URL carries in its path or query, if any.

Pure and shared (harvesters, checker, reconciler).  Only plausible calendar dates count:
year 1990..2100, month 1..12, a day that exists, and the digits must stand as their own path
segment or separator-delimited run, so ids such as `a76117`, phone numbers and 8-digit ids that
are not dates give nothing.  Precision: `/2024/05/` (year and month only) yields day 1 of
the month; the evidence's `raw` then holds two numbers, and `url_date_precision` says "month".
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from ..records import DateEvidence

__all__ = ["url_path_date", "url_date_precision", "MIN_YEAR", "MAX_YEAR"]

MIN_YEAR, MAX_YEAR = 1990, 2100
_Y = r"(19\d{2}|20\d{2}|2100)"
_M = r"(0?[1-9]|1[0-2])"
_D = r"(0?[1-9]|[12]\d|3[01])"
# /2024/05/06/, /2024-05-06/, -2024-05-06, /2024_05_06 (one separator kind throughout)
_YMD = re.compile(rf"(?:^|[/_-]){_Y}([/_-]){_M}\2{_D}(?:$|[/._-])")
# /20240506/, -20240506, _20240506.html: exactly eight digits between separators
_COMPACT = re.compile(rf"(?:^|[/_-]){_Y}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=$|[/._-])")
# /2024/05/ : month precision, the month must be a segment of its own
_YM = re.compile(rf"/{_Y}/(0[1-9]|1[0-2]|[1-9])(?=/(?!\d{{1,2}}(?:/|$))|$)")  # not an impossible /DD/
_QUERY_KEYS = re.compile(r"(?:^|_)(?:date|day|d|published|pubdate|pub_date|dt)$", re.IGNORECASE)
_QUERY_VALUE = re.compile(rf"^{_Y}-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])$")


def _day(year: str, month: str, day: str) -> date | None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:  # 2023-02-30 and the like
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def _in_path(path: str) -> DateEvidence | None:
    for match in _YMD.finditer(path):
        if (value := _day(match[1], match[3], match[4])) is not None:
            return DateEvidence(value=value, source="url_path", raw=match.group(0))
    for match in _COMPACT.finditer(path):
        if (value := _day(match[1], match[2], match[3])) is not None:
            return DateEvidence(value=value, source="url_path", raw=match.group(0))
    return None


def url_path_date(url: str) -> DateEvidence | None:
    """The date in `url` (source "url_path", raw = the matched text), or None.

    Order of trust: a full day in the path, a full day in a date-named query parameter
    (`?date=2024-05-06`, `?d=20240506`), then year/month in the path (day 1, month precision).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path if parts.scheme or parts.netloc else url.split("?", 1)[0].split("#", 1)[0]
    if (found := _in_path(path)) is not None:
        return found
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        match = _QUERY_VALUE.match(value.strip()) if _QUERY_KEYS.search(key) else None
        if match and (day := _day(*match.groups())) is not None:
            return DateEvidence(value=day, source="url_path", raw=f"{key}={value}")
    for match in _YM.finditer(path):
        if (day := _day(match[1], match[2], "1")) is not None:
            return DateEvidence(value=day, source="url_path", raw=match.group(0) + "/")
    return None


def url_date_precision(evidence: DateEvidence) -> str:
    """ "day" or "month": how much of the date the URL actually named."""
    return "day" if len(re.findall(r"\d+", evidence.raw)) != 2 else "month"
