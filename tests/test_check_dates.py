"""The checker's date mode: a target's date comes from what it declares (metadata, URL), cheaply.

The harvester searches a citing document hard for its date (htmldate's extensive search); the
checker reads only the target's own metadata and URL, which is what temporal_mismatch needs.
"""

from __future__ import annotations

from datetime import date

import pytest

import provenance.page.dates as dates
from provenance.page.extract import parse_page


def html(head: str = "", body: str = "") -> str:
    filler = " ".join(f"word{i}" for i in range(200))
    return f"<html><head><title>T</title>{head}</head><body><main><h1>T</h1>{body}<p>{filler}</p></main></body></html>"


@pytest.fixture
def htmldate_calls(monkeypatch) -> list[bool]:
    """Record every htmldate search (extensive or not) while still running it."""
    calls: list[bool] = []
    real = dates._htmldate

    def spy(page, url, extensive):
        calls.append(extensive)
        return real(page, url, extensive)

    monkeypatch.setattr(dates, "_htmldate", spy)
    return calls


def test_metadata_mode_reads_meta_tags(htmldate_calls) -> None:
    page = html('<meta property="article:published_time" content="2023-05-04T10:00:00Z">')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2023, 5, 4) and found.source == "meta:article:published_time"
    assert htmldate_calls == []


def test_metadata_mode_reads_json_ld(htmldate_calls) -> None:
    page = html('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-02-03"}</script>')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2021, 2, 3) and found.source == "json_ld:datePublished"


def test_metadata_mode_reads_an_element_marked_published(htmldate_calls) -> None:
    page = html(body='<time class="published" datetime="2020-07-08">8 July 2020</time>')
    found = parse_page(page, "https://a.example/story", dates="metadata").published
    assert found.value == date(2020, 7, 8) and found.source == "published_element"


def test_metadata_mode_falls_back_to_the_url_without_searching_the_text(htmldate_calls) -> None:
    page = html(body="<p>Published on 3 March 2019</p>")
    found = parse_page(page, "https://a.example/2018/01/02/story", dates="metadata").published
    assert found.value == date(2018, 1, 2) and found.source == "url_path"
    assert htmldate_calls == []


def test_metadata_mode_without_metadata_or_url_date_says_nothing(htmldate_calls) -> None:
    page = html(body="<p>Published on 3 March 2019</p><p>Posted 2019-03-03</p>")
    assert parse_page(page, "https://a.example/story", dates="metadata").published is None
    assert htmldate_calls == []


def test_full_mode_still_searches_the_text(htmldate_calls) -> None:
    page = html(body="<p>Published on 3 March 2019</p>")
    found = parse_page(page, "https://a.example/story").published
    assert found.value == date(2019, 3, 3) and found.source == "date_line"


def test_full_mode_uses_htmldate_when_nothing_else_says(htmldate_calls) -> None:
    parse_page(html(), "https://a.example/story")
    assert htmldate_calls == [False, True]


def test_no_date_mode_skips_the_date(htmldate_calls) -> None:
    page = html('<meta property="article:published_time" content="2023-05-04">')
    extract = parse_page(page, "https://a.example/2018/01/02/story", dates="none")
    assert extract.published is None and extract.title == "T"
