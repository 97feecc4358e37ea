"""The checker's date mode: a target's date comes from what it declares (metadata, URL), cheaply.

The harvester searches a citing document hard for its date (htmldate's extensive search); the
checker reads only the target's own metadata and URL, which is what temporal_mismatch needs.
"""

from __future__ import annotations

from datetime import date

import pytest

from provenance.page.extract import parse_page


def html(head: str = "", body: str = "") -> str:
    filler = " ".join(f"word{i}" for i in range(200))
    return f"<html><head><title>T</title>{head}</head><body><main><h1>T</h1>{body}<p>{filler}</p></main></body></html>"


# Dates only htmldate finds: a footer line its fast mode reads, and a bare sentence that only its
# extensive search reads.  The page's own heuristics (meta tags, labelled lines, datelines) miss both.
FAST_ONLY = "<footer><p>Last changed 3 March 2019</p></footer>"
EXTENSIVE_ONLY = "<p>It happened on May 5, 2017 in town.</p>"


def test_metadata_mode_reads_meta_tags() -> None:
    page = html('<meta property="article:published_time" content="2023-05-04T10:00:00Z">')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2023, 5, 4) and found.source == "meta:article:published_time"


def test_metadata_mode_reads_json_ld() -> None:
    page = html('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-02-03"}</script>')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2021, 2, 3) and found.source == "json_ld:datePublished"


def test_metadata_mode_reads_an_element_marked_published() -> None:
    page = html(body='<time class="published" datetime="2020-07-08">8 July 2020</time>')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2020, 7, 8) and found.source == "published_element"


def test_metadata_mode_falls_back_to_the_url_without_searching_the_text() -> None:
    page = html(body="<p>Published on 3 March 2019</p>" + FAST_ONLY + EXTENSIVE_ONLY)
    found = parse_page(page, "https://a.example/2018/01/02/story", dates="metadata").published
    assert found.value == date(2018, 1, 2) and found.source == "url_path"


def test_metadata_mode_without_metadata_or_url_date_says_nothing() -> None:
    page = html(body="<p>Published on 3 March 2019</p><p>Posted 2019-03-03</p>" + FAST_ONLY + EXTENSIVE_ONLY)
    assert parse_page(page, "https://a.example/story", dates="metadata").published is None


@pytest.mark.parametrize(
    ("body", "value", "source"),
    [(FAST_ONLY, date(2019, 3, 3), "htmldate:fast"), (EXTENSIVE_ONLY, date(2017, 5, 5), "htmldate")],
)
def test_metadata_mode_never_asks_htmldate(body: str, value: date, source: str) -> None:
    page = html(body=body)
    found = parse_page(page, "https://a.example/story").published
    assert (found.value, found.source) == (value, source)  # what htmldate says when asked
    assert parse_page(page, "https://a.example/story", dates="metadata").published is None


def test_full_mode_still_searches_the_text() -> None:
    page = html(body="<p>Published on 3 March 2019</p>")
    found = parse_page(page, "https://a.example/story").published
    assert found.value == date(2019, 3, 3) and found.source == "date_line"


def test_full_mode_asks_htmldate_fast_first_then_extensively() -> None:
    """Fast mode is the more precise: its answer wins over the extensive search's older date."""
    both = parse_page(html(body=EXTENSIVE_ONLY + FAST_ONLY), "https://a.example/story").published
    assert (both.value, both.source) == (date(2019, 3, 3), "htmldate:fast")
    extensive = parse_page(html(body=EXTENSIVE_ONLY), "https://a.example/story").published
    assert (extensive.value, extensive.source) == (date(2017, 5, 5), "htmldate")
    assert parse_page(html(), "https://a.example/story").published is None


def test_no_date_mode_skips_the_date() -> None:
    page = html('<meta property="article:published_time" content="2023-05-04">')
    extract = parse_page(page, "https://a.example/2018/01/02/story", dates="none")
    assert extract.published is None and extract.title == "T"
