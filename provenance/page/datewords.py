"""Month and weekday names, and each language's numeric date order, read from dateparser's locale data.

dateparser maintains these word lists (abbreviated, full and inflected forms: "marca", "февраля",
"Mrz", "févr.") for every language it knows; a hand-kept table would cover fewer forms and drift.
Only its vocabulary is used: its parser and `search_dates` read dates anywhere in a string, and
where a date stands is what tells a publication date from one mentioned in passing, which
datelines.py decides.  The data is loaded once per process and only when a document's head holds
a word that might be a month, so a text without a dateline never imports dateparser.

A word that names different months in two loaded languages ("listopad" is November in Polish and
Czech, October in Croatian) keeps the meaning of the language listed first in LANGUAGES.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGES", "Vocabulary", "fold", "locale_data", "vocabulary"]

# Most used first (after dateparser's own ranking of languages on the web); an earlier language wins a
# word two of them share.  Scripts whose words carry combining vowel signs (Devanagari, Bengali, Thai)
# are left out: a regular expression's word does not hold them whole.
LANGUAGES = (
    "en fr de es pt it nl ru pl ja zh ko tr cs uk sv ro hu da fi sk bg nb hr lt sl ca et lv el id ar fa he vi"
).split()
_MONTH_KEYS = "january february march april may june july august september october november december".split()
_WEEKDAY_KEYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MIN_WORD = 3  # two-letter abbreviations ("mo", "ma") are ordinary words in too many languages
_ROMAN = re.compile(r"[ivxlc]+", re.IGNORECASE)


@dataclass(frozen=True)
class Vocabulary:
    """Folded month and weekday names of LANGUAGES, with the language each month word came from."""

    months: dict[str, tuple[int, str]]  # folded word -> (month number, language)
    weekdays: frozenset[str]
    date_orders: dict[str, str]  # language -> "DMY" | "MDY" | "YMD"

    def month(self, word: str) -> tuple[int, str] | None:
        """(month, language) for a month name or abbreviation in any form, or None."""
        return self.months.get(fold(word))

    def is_weekday(self, word: str) -> bool:
        """Whether WORD names a day of the week ("Friday", "ven.", "Montag")."""
        return fold(word) in self.weekdays


def fold(word: str) -> str:
    """The form words are compared in: NFKC, case-folded, without a final dot."""
    return unicodedata.normalize("NFKC", word).casefold().rstrip(".")


def locale_data(languages: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(language, dateparser's word lists for it), in the order given.

    Read from dateparser's data files (`dateparser/data/date_translation_data/<language>.py`, the
    modules its own loader imports) without importing dateparser itself, whose package import
    builds the date parser this module never uses.  Where the files are not found (another
    layout in a later release), dateparser's loader gives the same lists.
    """
    wanted = list(languages)
    spec = importlib.util.find_spec("dateparser")  # finds the package without running it
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) if spec else Path()
    files = [(language, folder / "data" / "date_translation_data" / f"{language}.py") for language in wanted]
    if spec is None or not all(path.is_file() for _, path in files):
        from dateparser.languages.loader import LocaleDataLoader

        for locale in LocaleDataLoader().get_locales(languages=wanted, use_given_order=True):
            yield str(locale.shortname), dict(locale.info)
        return
    for language, path in files:
        file_spec = importlib.util.spec_from_file_location(f"_dateparser_words_{language}", path)
        if file_spec is None or file_spec.loader is None:
            continue
        module = importlib.util.module_from_spec(file_spec)
        file_spec.loader.exec_module(module)
        info = dict(module.info)
        info.pop("locale_specific", None)  # regional variants, which the loader drops for a bare language
        yield language, info


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _words(values: Any) -> list[str]:
    """The plain words of a locale's list.

    Entries with digits or spaces ("3月", "de març") and ideographs ("十二月") are forms of their
    own, read by dateforms.py's patterns; Roman numerals ("iii", "xii") are ordinary text too often.
    """
    if not isinstance(values, list):
        return []
    return [
        fold(v)
        for v in values
        if isinstance(v, str)
        and v.isalpha()
        and len(v) >= _MIN_WORD
        and not _ROMAN.fullmatch(v)
        and not any(unicodedata.east_asian_width(c) in "WF" for c in v)
    ]


@cache
def vocabulary() -> Vocabulary:
    """The words of LANGUAGES, loaded on first use and kept for the process."""
    months: dict[str, tuple[int, str]] = {}
    weekdays: set[str] = set()
    orders: dict[str, str] = {}
    for language, info in locale_data(LANGUAGES):
        orders[language] = str(info.get("date_order", ""))
        for number, key in enumerate(_MONTH_KEYS, start=1):
            for word in _words(info.get(key)):
                for form in {word, _unaccented(word)}:
                    months.setdefault(form, (number, language))
        for key in _WEEKDAY_KEYS:
            for word in _words(info.get(key)):
                weekdays.update((word, _unaccented(word)))
    return Vocabulary(months=months, weekdays=frozenset(weekdays), date_orders=orders)
