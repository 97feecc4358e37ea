"""Publication dates: each source of evidence, its order of trust, and what must not count."""

from __future__ import annotations

from datetime import date

import pytest

from provenance.page.dates import parse_day, publication_date

ARTICLE = "<p>" + "Plenty of article text about the matter at hand. " * 8 + "</p>"


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("html", "value", "source", "raw"),
    [
        (
            _page(
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-03-04T09:00:00Z",'
                ' "dateModified": "2021-01-01"}</script>'
            ),
            date(2020, 3, 4),
            "json_ld:datePublished",
            "2020-03-04T09:00:00Z",
        ),
        (
            _page(
                '<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "x"},'
                ' {"@type": ["BlogPosting"], "datePublished": "2019-12-31"}]}</script>'
            ),
            date(2019, 12, 31),
            "json_ld:datePublished",
            "2019-12-31",
        ),
        (
            _page(
                '<meta property="article:published_time" content="2018-05-06T10:00:00+02:00">'
                '<meta property="article:modified_time" content="2019-01-01T00:00:00Z">'
            ),
            date(2018, 5, 6),
            "meta:article:published_time",
            "2018-05-06T10:00:00+02:00",
        ),
        (
            _page('<meta name="DC.date.issued" content="2011-07-01">'),
            date(2011, 7, 1),
            "meta:dc.date.issued",
            "2011-07-01",
        ),
        (
            _page(body="<article><p>Veröffentlicht am 16.12.2012</p>" + ARTICLE + "</article>"),
            date(2012, 12, 16),
            "date_line",
            "Veröffentlicht am 16.12.2012",
        ),
        (
            _page(body="<article><p>Posted on August 2, 2019 by Dan</p>" + ARTICLE + "</article>"),
            date(2019, 8, 2),
            "date_line",
            "Posted on August 2, 2019",
        ),
        (
            _page(body='<article><span class="entry-date published">7. Juni 2017</span>' + ARTICLE + "</article>"),
            date(2017, 6, 7),
            "published_element",
            "7. Juni 2017",
        ),
        (
            _page(
                body='<article><time class="published" datetime="2016-12-23T05:11:00-05:00">Dec 23</time>'
                + ARTICLE
                + "</article>"
            ),
            date(2016, 12, 23),
            "published_element",
            "2016-12-23T05:11:00-05:00",
        ),
        (
            _page(
                body="<article><h1>Headline</h1><p>Karlsruhe, (12.11.2021). Traditionally, ...</p>"
                + ARTICLE
                + "</article>"
            ),
            date(2021, 11, 12),
            "dateline",
            "Karlsruhe, (12.11.2021",
        ),
        (
            _page(
                body="<article><h1>Headline</h1><p>Home | By A. Writer | 30 septembre 2018</p>" + ARTICLE + "</article>"
            ),
            date(2018, 9, 30),
            "dateline",
            "| 30 septembre 2018",
        ),
    ],
)
def test_sources_of_evidence(html: str, value: date, source: str, raw: str) -> None:
    found = publication_date(html, "https://site.example/article")
    assert found is not None
    assert (found.value, found.source, found.raw) == (value, source, raw)


def test_json_ld_wins_over_a_visible_date() -> None:
    html = _page(
        '<script type="application/ld+json">{"@type": "Article", "datePublished": "2020-01-02"}</script>',
        "<article><p>Posted on March 3, 2021</p>" + ARTICLE + "</article>",
    )
    assert publication_date(html, None).value == date(2020, 1, 2)


def test_metadata_long_after_the_url_date_is_a_republication() -> None:
    html = _page('<meta property="article:published_time" content="2019-06-17T18:28:00+0200">')
    found = publication_date(html, "https://blog.example/home/2017/7/12/unter-uns")
    assert (found.value, found.source) == (date(2017, 7, 12), "url_path")


def test_metadata_a_day_after_the_url_date_is_kept() -> None:
    """Time zones and print editions put the metadata a day off the URL: not a republication."""
    html = _page('<meta property="article:published_time" content="2020-07-09T01:00:00Z">')
    found = publication_date(html, "https://news.example/politics/2020/07/08/story.html")
    assert found.value == date(2020, 7, 9)


def test_url_path_when_the_page_says_nothing() -> None:
    found = publication_date(_page(body="<p>short</p>"), "https://news.example/2021/03/05/story")
    assert found is not None
    assert found.value == date(2021, 3, 5)


def test_undated_page() -> None:
    assert (
        publication_date(
            _page(body="<article><h1>Terms of service</h1>" + ARTICLE + "</article>"), "https://site.example/tos"
        )
        is None
    )


def test_a_chronicle_line_is_not_a_dateline() -> None:
    """'8 August 2009: the first post ...' narrates history; the dateline rule leaves it (htmldate may still guess)."""
    body = "<article><p>8 August 2009: the first proper blog post appeared.</p>" + ARTICLE + "</article>"
    found = publication_date(_page(body=body), "https://blog.example/the-first-decade/")
    assert found is None or found.source != "dateline"


def test_modified_element_is_not_a_publication_date() -> None:
    body = '<article><span class="updated-date">2023-01-05</span>' + ARTICLE + "</article>"
    found = publication_date(_page(body=body), None)
    assert found is None or found.source != "published_element"


def test_wayback_capture_date_is_not_the_publication_date() -> None:
    html = (
        '<html><body><!-- BEGIN WAYBACK TOOLBAR INSERT --><div id="wm-ipp-base"><div id="wm-ipp">'
        '<a href="/web/20210916093000*/x">Published 16 Sep 2021</a> Posted on September 16, 2021'
        "</div></div><!-- END WAYBACK TOOLBAR INSERT --><article><p>Erschienen am 13.07.2021</p>"
        + ARTICLE
        + "</article></body></html>"
    )
    found = publication_date(html, "https://web.archive.org/web/20210916093000/https://kath.example/pilgerweg")
    assert found.value == date(2021, 7, 13)


def test_wayback_address_alone_gives_no_date() -> None:
    """The 14-digit capture stamp in a replay URL is not a URL-path publication date."""
    html = _page(body="<article><h1>Undated</h1>" + ARTICLE + "</article>")
    assert publication_date(html, "https://web.archive.org/web/20210916093000/https://kath.example/about") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-03-04T09:00:00Z", date(2020, 3, 4)),
        ("2020-3-4", date(2020, 3, 4)),
        ("2020-02-30", None),
        ("1970-01-01", None),
        ("9999-01-01", None),
        ("", None),
        ("yesterday", None),
    ],
)
def test_parse_day(raw: str, expected: date | None) -> None:
    assert parse_day(raw) == expected


@pytest.mark.parametrize(
    "html",
    [
        "",
        "\x00\x00",
        "<" * 5000,
        '<script type="application/ld+json">{bad json</script>',
        '<script type="application/ld+json">[[[[[[[[[[{"datePublished": "2020-01-01"}]]]]]]]]]]</script>',
    ],
)
def test_never_raises(html: str) -> None:
    publication_date(html, "not a url")


def test_an_undated_page_is_not_dated_by_what_it_cites() -> None:
    """htmldate's link search would date this page 2024-03-01 from the story it links to."""
    body = "<p>Some words about a matter that goes on for a while in this essay.</p>" * 5
    html = (
        f"<html><head><title>An essay</title></head><body><article><h1>An essay</h1>{body}"
        '<p>See <a href="https://news.example/2024/03/01/other-story">this story</a>.</p>'
        "</article></body></html>"
    )
    assert publication_date(html, "https://blog.example/essay") is None
