"""Browser prints: the header and footer recognised in text copied out of a printed page.

The texts below have the shapes real extractors give (checked against Chromium and Firefox
prints): pdftotext puts the header at the top of each page and the footer at the bottom, with the
parts on lines of their own; PDFium puts both after the page's body, each on one line; a copy by
hand has them between the pages with no form feed.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from provenance.harvest.prints import read_print
from provenance.harvest.text import harvest_text
from provenance.records import LinkRole

URL = "https://news.example.com/2021/03/03/stocks-slump"
BODY1 = "Stocks slump as rates rise\nPublished March 3, 2021\nMarkets fell on Tuesday, the Fed said.\n"
BODY2 = "Bond yields climbed to their highest level in a year, traders said.\n"

# pdftotext (Chrome print): header "time" and "title" on lines of their own, footer "url" and "1/2"
CHROME_PDFTOTEXT = (
    f"5/14/24, 9:41 AM\n\nStocks slump as rates rise - Example News\n\n{BODY1}\n{URL}\n\n1/2\n\n\f"
    f"5/14/24, 9:41 AM\n\nStocks slump as rates rise - Example News\n\n{BODY2}\n{URL}\n\n2/2\n\n\f"
)
# PDFium (Chrome print): header and footer after each page's body, each on one line
CHROME_PDFIUM = (
    f"{BODY1}5/14/24, 9:41 AM Stocks slump as rates rise - Example News\n{URL} 1/2\n\f"
    f"{BODY2}5/14/24, 9:41 AM Stocks slump as rates rise - Example News\n{URL} 2/2\n"
)
# copied by hand out of a viewer: no form feeds, the marks between the pages
CHROME_COPIED = (
    f"5/14/24, 9:41 AM Stocks slump as rates rise - Example News\n{BODY1}{URL} 1/2\n"
    f"5/14/24, 9:41 AM Stocks slump as rates rise - Example News\n{BODY2}{URL} 2/2\n"
)
# Firefox, French: title and a shortened address at the top, "2 sur 7" and a 24-hour time at the bottom
FIREFOX_FR = (
    "Le vérificateur d’avis – Assurez-vous de l’authenticité des évaluations l...\n\n2 sur 7\n\n"
    "https://support.mozilla.org/fr/kb/verificateur-avis-evaluations-qualite?u...\n"
    "Le vérificateur d’avis de Firefox est une fonctionnalité qui vous aide.\n\n06/12/2023, 14:12\n\n\f"
)


@pytest.mark.parametrize(
    "text", [CHROME_PDFTOTEXT, CHROME_PDFIUM, CHROME_COPIED], ids=["pdftotext", "pdfium", "copied"]
)
def test_a_chrome_print_in_the_forms_extractors_give(text):
    marks = read_print(text)
    assert marks.url == URL and not marks.url_cut
    assert marks.captured is not None and marks.captured.value == date(2024, 5, 14)
    assert marks.captured.source == "print_header" and marks.captured.raw == "5/14/24, 9:41 AM"
    assert marks.title == "Stocks slump as rates rise - Example News"
    assert marks.pages == 2
    for gone in ("9:41", URL, "1/2", "2/2", "Example News"):
        assert gone not in marks.text
    assert "Markets fell on Tuesday" in marks.text and "Bond yields climbed" in marks.text


def test_a_firefox_print_with_a_shortened_address():
    marks = read_print(FIREFOX_FR)
    assert marks.url == "https://support.mozilla.org/fr/kb/verificateur-avis-evaluations-qualite?u"
    assert marks.url_cut and marks.original_link() is None  # only its start is known
    assert marks.captured is not None and marks.captured.value == date(2023, 12, 6)  # day first, 24-hour
    assert marks.title.startswith("Le vérificateur d’avis")
    assert marks.text.strip() == "Le vérificateur d’avis de Firefox est une fonctionnalité qui vous aide."


@pytest.mark.parametrize(
    "header, counter, day",
    [
        ("5/14/24, 9:41 AM", "1/1", date(2024, 5, 14)),  # en-US
        ("14/05/2024, 09:41", "1/1", date(2024, 5, 14)),  # en-GB, fr: day first
        ("14.05.24, 09:41", "1/1", date(2024, 5, 14)),  # de
        ("2024-05-14 09:41", "1/1", date(2024, 5, 14)),  # ISO
        ("2024/05/14 9:41", "1/1", date(2024, 5, 14)),  # ja, zh
        ("5/6/24, 21:41", "1 of 1", date(2024, 6, 5)),  # a 24-hour clock reads day first
        ("May 14, 2024 at 9:41 AM", "Page 1 of 1", date(2024, 5, 14)),  # Safari
        ("14 mai 2024 à 09:41", "1/1", date(2024, 5, 14)),  # month names in the reader's language
        ("14. März 2024 um 09:41", "Seite 1 von 1", date(2024, 3, 14)),
    ],
)
def test_print_time_forms(header, counter, day):
    marks = read_print(f"{header} A Page - Site\nSome words of the page.\n{URL} {counter}\n")
    assert marks.captured is not None and marks.captured.value == day and marks.url == URL


def test_the_creation_date_settles_a_date_that_reads_both_ways():
    text = f"05/06/2024, 09:41 A Page - Site\nSome words.\n{URL} 1/1\n"
    assert read_print(text).captured.value == date(2024, 6, 5)
    assert read_print(text, hint=date(2024, 5, 6)).captured.value == date(2024, 5, 6)


@pytest.mark.parametrize(
    "text",
    [
        "Meeting notes\n\nWe met at 9:41 AM and agreed on 1/3 of the budget.\n",
        "5/14/24, 9:41 AM John: see you there\n5/14/24, 9:42 AM Ann: ok\n",  # a chat log: no page counter
        "Table 2\n\n1/3 of the cases\n2024-05-14 09:41 first sample\n2024-05-15 10:02 second sample\n",
        f"The page {URL} was read on 5/14/24.\n",
    ],
)
def test_text_that_is_not_a_print_is_left_alone(text):
    marks = read_print(text)
    assert marks.text == text and marks.url is None and marks.captured is None and marks.removed == ()


def test_a_print_read_as_text_has_its_original_address_and_capture_time_but_no_publication_date():
    text = (
        "2024-05-14 09:41 Stocks slump as rates rise - Example News\n\n"
        "Stocks slump as rates rise\n\nMarkets fell on Tuesday, the Fed said in a statement\n"
        "(https://www.federalreserve.gov/newsevents/pressreleases/monetary20210317a.htm).\n\n"
        f"{URL} 1/1\n"
    )
    doc = harvest_text("print.txt", text)
    assert doc.published is None  # the print time is never the publication date
    assert doc.captured is not None and doc.captured.value == date(2024, 5, 14)
    assert doc.original_url == URL
    assert [(link.role, link.url) for link in doc.links] == [
        (LinkRole.CITED, "https://www.federalreserve.gov/newsevents/pressreleases/monetary20210317a.htm"),
        (LinkRole.ORIGINAL, URL),
    ]
    assert doc.title == "Stocks slump as rates rise"
    assert doc.evidence["print"]["url"] == URL and doc.evidence["print"]["time"] == "2024-05-14 09:41"
    assert "09:41" not in doc.text and "1/1" not in doc.text


@pytest.mark.parametrize(
    "text",
    [
        "1/2 " * 500_000,  # one 2 MB line of page counters
        "5/14/24, 9:41 AM A Page\n1/2\n" + "\f" * 50_000,  # a print with a line of form feeds
        ("x" * 100_000 + "\n") * 20 + f"5/14/24, 9:41 AM A Page\n{URL} 1/1\n",  # long lines before the marks
    ],
    ids=["counters", "form-feeds", "long-lines"],
)
def test_hostile_text_is_read_in_bounded_time(text):
    started = time.perf_counter()
    read_print(text)
    assert time.perf_counter() - started < 5
