"""Datelines: which dates a line states as its document's date, in the languages people write."""

from datetime import date

import pytest

from provenance.page.dateforms import find_dates
from provenance.page.datelines import file_name_date, head_date, order_for, read_line, value_date
from provenance.page.datewords import LANGUAGES, locale_data, vocabulary


def _dates(line: str) -> list[tuple[date, str]]:
    return [(found.value, found.kind) for found in read_line(line)]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        # English, day-month and month-day, abbreviated and full, with times and weekdays
        ("10 Nov 2013", date(2013, 11, 10)),
        ("12:00 10 Nov 2020", date(2020, 11, 10)),
        ("March 29, 2022 by [The React Team](/community/team)", date(2022, 3, 29)),
        ("December 05, 2024 by The React Team", date(2024, 12, 5)),
        ("Friday, March 3, 2023", date(2023, 3, 3)),
        ("Sept. 4, 2019, 10:30 a.m. EDT", date(2019, 9, 4)),
        ("1st of May 2020", date(2020, 5, 1)),
        # French, German, Spanish, Portuguese, Italian, Dutch
        ("Le 16 mars 2023 par [Dan Abramov](https://twitter.com/dan_abramov) et Rachel Nabors", date(2023, 3, 16)),
        ("Le 3 mai 2023 par Marie Dupont", date(2023, 5, 3)),
        ("1er février 2021", date(2021, 2, 1)),
        ("5. März 2024 von Hans Müller", date(2024, 3, 5)),
        ("14. Okt. 2022", date(2022, 10, 14)),
        ("29 de marzo de 2022 por The React Team", date(2022, 3, 29)),
        ("22 de março de 2023 por Joseph Savona, Josh Story e Andrew Clark", date(2023, 3, 22)),
        ("3 de dezembro de 2025 por A Equipe do React", date(2025, 12, 3)),
        ("12 gennaio 2024 di Mario Rossi", date(2024, 1, 12)),
        ("4 april 2023 door Jan de Vries", date(2023, 4, 4)),
        ("17 mei 2022", date(2022, 5, 17)),
        # Russian and Polish, with their genitive month names and year marks
        ("15 февраля 2024 г.", date(2024, 2, 15)),
        ("15 февраля 2024, Иван Петров", date(2024, 2, 15)),
        ("5 marca 2024 r.", date(2024, 3, 5)),
        ("12 listopada 2021", date(2021, 11, 12)),
        # Japanese, Chinese, Korean
        ("2022 年 3 月 29 日", date(2022, 3, 29)),
        (
            "2023 年 3 月 22 日 [Joseph Savona](https://twitter.com/en_JS)、Josh Story 与 Andrew Clark",
            date(2023, 3, 22),
        ),
        ("2025 年 4 月 23 日，作者：[Ricky Hanlon](https://twitter.com/rickhanlonii)", date(2025, 4, 23)),
        ("２０２４年５月２２日", date(2024, 5, 22)),  # full-width digits
        ("2021년 6월 8일", date(2021, 6, 8)),
        ("2023년 3월 16일, Dan Abramov, Rachel Nabors", date(2023, 3, 16)),
        # more of Europe and beyond: Italian, Ukrainian, Czech, Hungarian, Vietnamese, Arabic, Persian, Hebrew
        ("5 dicembre 2024 del [React Team](/community/team)", date(2024, 12, 5)),
        ("29 березня 2022 року від The React Team", date(2022, 3, 29)),
        ("22. března 2023", date(2023, 3, 22)),
        ("2024. március 5.", date(2024, 3, 5)),
        ("Ngày 22 tháng 3 năm 2023 bởi Dan Abramov", date(2023, 3, 22)),
        ("22 مارس 2023 بواسطة فريق React", date(2023, 3, 22)),
        ("۲۹ مارس ۲۰۲۲ توسط تیم ری‌اکت", date(2022, 3, 29)),
        ("22 במרץ 2023 מאת דן אברמוב", date(2023, 3, 22)),
        # ISO and unambiguous numbers
        ("2020-02-29", date(2020, 2, 29)),
        ("2024/04/25", date(2024, 4, 25)),
        ("2024-04-25T10:00:00+02:00", date(2024, 4, 25)),
        ("14.05.2024", date(2024, 5, 14)),
        ("25/04/2024", date(2024, 4, 25)),
        # beside a byline, in a title/tags block, after separators
        ("By Jane Doe | March 3, 2023", date(2023, 3, 3)),
        ("By Jane Doe, Reuters, March 3, 2023", date(2023, 3, 3)),
        ("March 3, 2023 | By Jane Doe", date(2023, 3, 3)),
        ("Jane Doe · 3 March 2023 · 4 min read", date(2023, 3, 3)),
        ("Home | By A. Writer | 30 septembre 2018", date(2018, 9, 30)),
        ("% 8 Nov 2019", date(2019, 11, 8)),  # a pandoc title block
        ("GENEVA, March 3, 2023", date(2023, 3, 3)),
        ("by Jane Doe on March 3, 2023", date(2023, 3, 3)),
        ("Dan Abramov am 5. März 2024", date(2024, 3, 5)),
    ],
)
def test_plain_datelines(line: str, value: date) -> None:
    assert _dates(line) == [(value, "plain")]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Published: 2023-03-03", date(2023, 3, 3)),
        ("Posted on Friday, March 3, 2023 by admin", date(2023, 3, 3)),
        ("Published March 3, 2023 at 10:00 a.m. ET", date(2023, 3, 3)),
        ("**Published:** 3 March 2023", date(2023, 3, 3)),
        ("Date: 8 Nov 2019", date(2019, 11, 8)),
        ("Publié le 05/06/2024", date(2024, 6, 5)),  # the label's language says day first
        ("Veröffentlicht am 5. März 2024", date(2024, 3, 5)),
        ("Publicado el 7 de julio de 2021", date(2021, 7, 7)),
        ("Pubblicato il 12 gennaio 2024 da Mario Rossi", date(2024, 1, 12)),
        ("Geplaatst op 4 april 2023", date(2023, 4, 4)),
        ("Опубликовано 15 февраля 2024 г.", date(2024, 2, 15)),
        ("Opublikowano: 5 marca 2024 r.", date(2024, 3, 5)),
        ("公開日：2024年5月22日", date(2024, 5, 22)),
        ("发布于 2024年5月22日", date(2024, 5, 22)),
        ("작성일 2021년 6월 8일", date(2021, 6, 8)),
    ],
)
def test_labelled_datelines(line: str, value: date) -> None:
    assert _dates(line) == [(value, "published")]


@pytest.mark.parametrize(
    "line",
    [
        "Updated: March 5, 2023",
        "Updated Mar 5, 2023, 10:00 AM ET",
        "Last modified 2023-03-05",
        "Mis à jour le 5 mars 2023",
        "Aktualisiert am 5. März 2023",
        "Stand: 05.03.2023",
        "2024年5月22日 更新",
    ],
)
def test_updated_is_not_published(line: str) -> None:
    assert [kind for _, kind in _dates(line)] == ["updated"]


def test_published_and_updated_on_one_line() -> None:
    assert _dates("March 1, 2023 (updated March 5, 2023)") == [
        (date(2023, 3, 1), "plain"),
        (date(2023, 3, 5), "updated"),
    ]
    assert _dates("Updated March 5, 2023 Originally published March 1, 2023") == [
        (date(2023, 3, 5), "updated"),
        (date(2023, 3, 1), "published"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "It rained on January 21, 2022 in Geneva.",  # in passing, inside a sentence
        "January 21, 2022, Lavrov said the talks were over.",
        "By the time we arrived on March 3, 2023,",
        "The release of 3 March 2023",
        "2023年3月22日我们发布了新版本",
        "22 مارس 2023 أعلنت الشركة عن",  # prose in a script without capitals
        "It happened on 3 March 2023",
        "Deadline: 5 May 2024",  # a label that is not "published"
        "Accessed 5 May 2024",
        "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough",  # inside a cited URL
        "See [the guide](/blog/2022/03/08/react-18-upgrade-guide)",
        "See /blog/2022/03/08/react-18-upgrade-guide",
        "5/14/24, 9:41 AM Russia, U.S. Agree to Talk - The Moscow Times",  # a browser's print stamp
        "14/05/2024, 09:41 Russia, U.S. Agree to Talk - The Moscow Times",
        "05/06/2024",  # day and month could be swapped, and nothing says which
        "Published 05/06/2024",  # English does not say either (US or UK)
        "February 30, 2022",
        "5 May 1850",  # history, not a web document's date
        "OSCON 2014, July 20-29 in Portland",
        "2024-04-25-notes.md",
    ],
)
def test_not_datelines(line: str) -> None:
    assert [kind for _, kind in _dates(line) if kind != "updated"] == []


def test_future_dates_are_not_publication_dates() -> None:
    assert find_dates("5 May 2031", today=date(2030, 1, 1)) == []
    assert [m.value for m in find_dates("5 May 2029", today=date(2030, 1, 1))] == [date(2029, 5, 5)]


HEAD = "Russia, U.S. Agree to Talk Security Demands Next Week\n\n{}\n\nMoscow has secured a deal.\n"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Title Here\nBy Jane Doe\nReuters\nMarch 3, 2023\n\nBody.", date(2023, 3, 3)),  # byline and date, one block
        ("Title\n\nUpdated: March 5, 2023\nPublished: March 1, 2023\n\nBody.", date(2023, 3, 1)),
        ("Title\n\nMarch 1, 2023\n\nUpdated March 5, 2023\n\nBody.", date(2023, 3, 1)),
        ("Title\n\nUpdated:\nMarch 5, 2023\nPublished:\nMarch 1, 2023\n\nBody.", date(2023, 3, 1)),
        ("5/14/24, 9:41 AM Title - Site\n\nTitle\n\nMarch 1, 2023\n\nBody.", date(2023, 3, 1)),
        ("# Gopls on by default in the VS Code Go extension\n01 Feb 2021\nTags: tools, gopls\n", date(2021, 2, 1)),
    ],
)
def test_head_date(text: str, value: date) -> None:
    found = head_date(text)
    assert found is not None and (found.value, found.source) == (value, "date_line")


@pytest.mark.parametrize(
    "text",
    [
        "Title\n\nUpdated: March 5, 2023\n\nBody.",  # an update date alone
        "Title\n\nUpdated:\nMarch 5, 2023\n\nBody.",
        "14/05/2024, 09:41 Title - Site\n\nBody.",  # a print stamp alone
        "The agreement between the two countries was finally signed on\nMarch 3, 2023.\n\nmore",  # wrapped prose
        "Title\n\nRelated: https://news.example.com/world/\n2024/05/06\n\nBody.",  # an address cut by a line end
        # running prose ends the head: a date further down is the body's
        "Title\n\n" + "A sentence of the body. " * 20 + "\n\nMarch 3, 2023\n",
        "\n".join(f"Line {i} of a list" for i in range(20)) + "\nMarch 3, 2023\n",
    ],
)
def test_no_head_date(text: str) -> None:
    assert head_date(text) is None


def test_numeric_date_read_in_the_documents_language() -> None:
    text = "Title\n\n05/06/2024\n\nBody."
    assert head_date(text) is None
    assert head_date(text, language="fr").value == date(2024, 6, 5)
    assert head_date(text, language="en-GB").value == date(2024, 6, 5)
    assert head_date(text, language="en-US").value == date(2024, 5, 6)
    assert head_date(text, language="en") is None


@pytest.mark.parametrize(
    ("tag", "order"),
    [("fr", "DMY"), ("de-AT", "DMY"), ("pt_BR", "DMY"), ("en-US", "MDY"), ("en-GB", "DMY"), ("en", None), ("ja", None)],
)
def test_order_for(tag: str, order: str | None) -> None:
    assert order_for(tag) == order


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-25", date(2024, 4, 25)),
        ("2024/04/25", date(2024, 4, 25)),
        ('"2024-04-25T23:30:00-05:00"', date(2024, 4, 25)),  # the author's calendar day, not UTC's
        ("2024-04-25 10:00:00 +0200", date(2024, 4, 25)),
        ("Thu, 25 Apr 2024 10:00:00 +0000", date(2024, 4, 25)),
        ("April 25, 2024", date(2024, 4, 25)),
        ("04/25/2024 10:00", date(2024, 4, 25)),  # a field is not a print stamp
        ("true", None),
        ("2024-04-25 and 2024-05-01", None),
    ],
)
def test_value_date(value: str, expected: date | None) -> None:
    assert value_date(value) == expected


def test_file_name_date() -> None:
    found = file_name_date("posts/2024-04-25-spring-release.md")
    assert found is not None and (found.value, found.source, found.raw) == (
        date(2024, 4, 25),
        "file_name",
        "2024-04-25-spring-release.md",
    )
    assert file_name_date("posts/2024-02-30-no-such-day.md") is None
    assert file_name_date("notes-2024-04-25.md") is None
    assert file_name_date("2024-04-25.md") is None  # Jekyll's form has a title after the date


def test_vocabulary_is_dateparsers() -> None:
    """The data files read directly hold what dateparser's own loader gives for each language."""
    from dateparser.languages.loader import LocaleDataLoader

    # the loader also folds Arabic and Persian letter variants, as it does to the text it parses;
    # the files hold the letters as written
    languages = [language for language in LANGUAGES if language not in ("ar", "fa")]
    loaded = {locale.shortname: locale.info for locale in LocaleDataLoader().get_locales(languages=languages)}
    assert dict(locale_data(languages)) == loaded
    words = vocabulary()
    assert words.month("févr.") == (2, "fr") and words.month("FEBRUARY") == (2, "en")
    assert words.month("listopad") == (11, "pl")  # Polish before Croatian, where it is October
    assert words.month("iii") is None and words.month("the") is None
    assert words.is_weekday("Montag") and words.is_weekday("lundi")
