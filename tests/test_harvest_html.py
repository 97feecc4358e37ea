"""The HTML harvester and the shared page reader on small hand-written pages (tests/data/html/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from provenance.harvest.html import harvest_html, resolve
from provenance.page.extract import parse_page
from provenance.records import DocumentFormat, LinkRole
from provenance.textnorm import fingerprint

DATA = Path(__file__).parent / "data" / "html"
PAGE_URL = "https://courier.example/news/2022/01/21/rivers-rise?utm_source=feed"


@pytest.fixture(scope="module")
def article():
    return harvest_html("article.html", (DATA / "article.html").read_bytes(), base_url=PAGE_URL)


def _by_url(doc):
    return {link.url: link for link in doc.links}


def test_document_fields(article) -> None:
    assert article.format is DocumentFormat.HTML
    assert article.title == "Rivers rise after record rain"
    assert article.published is not None
    assert article.published.value == date(2022, 1, 21)
    assert article.published.source == "meta:article:published_time"
    assert article.original_url == "https://courier.example/news/2022/01/21/rivers-rise"
    assert article.fingerprint == fingerprint(article.text)
    assert article.error is None


def test_cited_links_with_anchor_and_sentence(article) -> None:
    link = _by_url(article)["https://gauges.example/station?id=42&units=m"]
    assert link.role is LinkRole.CITED
    assert link.written == "https://gauges.example/station?id=42&units=m"  # &amp; decoded
    assert link.anchor_text == "national gauge network"
    assert link.context == "The river reached 4.2 metres on Thursday, according to the national gauge network."


def test_relative_links_resolve_against_base_href(article) -> None:
    links = _by_url(article)
    assert links["https://courier.example/news/2022/01/21/flood-plan.pdf"].written == "flood-plan.pdf"
    assert links["https://courier.example/news/2021/11/02/defences"].anchor_text == "earlier report"


def test_canonical_address_is_the_original_link(article) -> None:
    originals = [link for link in article.links if link.role is LinkRole.ORIGINAL]
    assert [(link.url, link.written) for link in originals] == [
        ("https://courier.example/news/2022/01/21/rivers-rise", "/news/2022/01/21/rivers-rise")
    ]


def test_embedded_media(article) -> None:
    links = _by_url(article)
    assert links["https://www.youtube.com/embed/dQw4w9WgXcQ"].role is LinkRole.EMBEDDED
    assert links["https://www.youtube.com/embed/dQw4w9WgXcQ"].anchor_text == "Flood footage"
    assert links["https://player.vimeo.com/video/76979871"].role is LinkRole.EMBEDDED
    image = links["https://courier.example/images/river.jpg"]
    assert (image.role, image.anchor_text) == (LinkRole.EMBEDDED, "The river at its peak")
    assert "https://tracker.example/pixel.gif" not in links  # a 1x1 tracking pixel is not media


def test_related_block_and_read_more_label(article) -> None:
    links = _by_url(article)
    assert links["https://courier.example/news/2021/10/05/drought"].role is LinkRole.RELATED
    assert links["https://courier.example/news/2021/12/01/storm"].role is LinkRole.RELATED
    assert links["https://courier.example/news/2021/12/01/storm"].anchor_text == "Storm damage costs rise"
    # "Related research shows ..." is prose, not a label: the link stays a citation
    assert links["https://journal.example/rain-2020"].role is LinkRole.CITED
    assert "https://courier.example/thumbs/drought.jpg" not in links  # another article's thumbnail


CHROME = [
    "https://courier.example/cookie-policy",
    "https://courier.example/news/",
    "https://courier.example/logo.png",
    "https://twitter.com/intent/tweet?url=x",
    "https://courier.example/tag/weather",
    "https://spam.example/",
    "https://courier.example/news/most-read",
    "https://courier.example/about",
    "https://courier.example/privacy",
]


@pytest.mark.parametrize("url", CHROME)
def test_page_chrome_is_excluded(article, url: str) -> None:
    assert url not in _by_url(article)


@pytest.mark.parametrize("url", CHROME)
def test_page_chrome_is_kept_with_include_boilerplate(url: str) -> None:
    doc = harvest_html("a", (DATA / "article.html").read_bytes(), base_url=PAGE_URL, include_boilerplate=True)
    assert url in _by_url(doc)


def test_main_text_has_the_article_and_not_the_chrome(article) -> None:
    assert "highest reading since records began" in article.text
    for chrome in ("We use cookies", "Most read", "About us", "cheap pills", "Share on Twitter"):
        assert chrome not in article.text


@pytest.mark.parametrize(
    "written", ["mailto:desk@courier.example", "tel:+441234", "javascript:window.print()", "#comments"]
)
def test_non_web_and_fragment_links_are_skipped(article, written: str) -> None:
    assert written not in {link.written for link in article.links}


def test_positions_follow_document_order(article) -> None:
    assert [link.position for link in article.links] == list(range(len(article.links)))
    urls = [link.url for link in article.links]
    assert urls.index("https://gauges.example/station?id=42&units=m") < urls.index(
        "https://courier.example/news/2021/12/01/storm"
    )


@pytest.mark.parametrize(
    ("written", "base", "expected"),
    [
        ("page.html", "https://a.example/dir/x.html", "https://a.example/dir/page.html"),
        ("//cdn.example/x", "https://a.example/", "https://cdn.example/x"),
        ("/?q=\u00fc", "http://h.example/", "http://h.example/?q=%C3%BC"),
        ("http://example.org/a b", None, "http://example.org/a%20b"),
        ("HTTP://Example.COM/", None, "HTTP://Example.COM/"),
        ("page.html", None, None),  # relative, and nothing to resolve it against
        ("http:", "https://a.example/", None),
        ("http:/www.example.com/", "https://a.example/", None),
        ("http:www.example.com/", "https://a.example/", None),
        ("http://localhost]", None, None),
        (
            "/web/20210916093000/https://kath.example/a",
            "https://web.archive.org/web/20210916093000/https://kath.example/",
            "https://kath.example/a",
        ),
    ],
)
def test_resolve(written: str, base: str | None, expected: str | None) -> None:
    assert resolve(written, base) == expected


def test_unparseable_link_keeps_what_was_written() -> None:
    doc = harvest_html("x", '<p>See <a href="http://localhost]">this</a>.</p>', base_url="http://h.example/")
    assert [(link.url, link.written, link.role) for link in doc.links] == [(None, "http://localhost]", LinkRole.CITED)]


def test_relative_links_of_a_saved_page_resolve_against_its_canonical() -> None:
    html = '<link rel="canonical" href="https://blog.example/p/1"><p>A <a href="/p/2">second post</a>.</p>'
    doc = harvest_html("saved.html", html)
    assert doc.original_url == "https://blog.example/p/1"
    assert {link.url for link in doc.links} == {"https://blog.example/p/1", "https://blog.example/p/2"}


def test_written_href_drops_line_breaks_and_outer_space() -> None:
    doc = harvest_html("x", '<p><a href="  https://a.example/long/\n  path?x=1  ">wrapped</a></p>')
    assert [(link.written, link.url) for link in doc.links] == [
        ("https://a.example/long/  path?x=1", "https://a.example/long/%20%20path?x=1")
    ]


def test_anchor_text_falls_back_to_image_alt_then_title() -> None:
    html = (
        '<p><a href="https://a.example/1"><img src="i.png" alt="Chart of rainfall"></a>'
        '<a href="https://a.example/2" title="Rain data"></a></p>'
    )
    doc = harvest_html("x", html, base_url="https://h.example/")
    anchors = {link.url: link.anchor_text for link in doc.links if link.role is LinkRole.CITED}
    assert anchors == {"https://a.example/1": "Chart of rainfall", "https://a.example/2": "Rain data"}


def test_body_class_naming_a_sidebar_does_not_hide_the_page() -> None:
    html = '<body class="page has-sidebar with-menu"><p>Text with <a href="https://a.example/">a source</a>.</p></body>'
    doc = harvest_html("x", html)
    assert [link.url for link in doc.links] == ["https://a.example/"]
    assert "a source" in doc.text


def test_wayback_replay_page() -> None:
    url = "https://web.archive.org/web/20210916093000/https://kath.example/pilgerweg"
    doc = harvest_html("wayback.html", (DATA / "wayback.html").read_bytes(), base_url=url)
    assert doc.published is not None
    assert doc.published.value == date(2021, 7, 13)  # not the capture date, 2021-09-16
    assert doc.title == "Pilgerweg eröffnet"
    assert "captures" not in doc.text
    assert doc.original_url == "https://kath.example/pilgerweg"
    # toolbar links are not the page's; the replay's rewritten link cites the original address
    assert [(link.anchor_text, link.url) for link in doc.links] == [
        ("Kartenblatt", "https://kath.example/pilgerweg/karte")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x00\x00",
        b"<html><body>\x00<p>nul</p></body></html>",
        b"\xff\xfe\x00\x00garbage",
        b"<" * 10_000,
        b"<div>" * 20_000 + b"<a href='https://deep.example/'>deep</a>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><a href='x'>x</a></body></html>",
        "<?xml version='1.0' encoding='utf-8'?><p><a href='https://x.example/'>x</a></p>",
        b"<table><tr><td><a href='http://[::1'>bad</a></table></div></span>",
    ],
)
def test_never_raises(data: bytes | str) -> None:
    doc = harvest_html("bad", data, base_url="https://h.example/")
    assert isinstance(doc.text, str)
    assert doc.fingerprint == fingerprint(doc.text)


def test_deeply_nested_link_is_still_found() -> None:
    """Past libxml2's default limit of 256 levels (huge_tree allows about 2,000)."""
    data = b"<body>" + b"<div>" * 1_500 + b"<p>See <a href='https://deep.example/'>deep</a>.</p>" + b"</div>" * 1_500
    doc = harvest_html("deep", data)
    assert "https://deep.example/" in {link.url for link in doc.links}


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ('<meta property="og:title" content="From OG"><title>Other | Site</title><h1>H</h1>', "From OG"),
        ("<title>Other | Site</title><article><h1>The headline</h1><p>text</p></article>", "The headline"),
        ("<title>Budget passes \u2013 Example Times</title><p>text</p>", "Budget passes"),
        ("<title>Just a title</title>", "Just a title"),
        ("<title>COVID-19 - what we know</title>", "COVID-19 - what we know"),
        ("<p>nothing</p>", None),
    ],
)
def test_title(html: str, title: str | None) -> None:
    assert parse_page(html).title == title


def test_parse_page_reads_language_and_canonical() -> None:
    page = parse_page('<html lang="de"><link rel="canonical" href="https://x.example/a"><p>Hallo</p></html>')
    assert (page.lang, page.canonical_url) == ("de", "https://x.example/a")


def test_blogger_post_widget_is_not_chrome() -> None:
    html = (
        '<body><div class="content"><div class="widget Blog" id="Blog1"><h3>Old blog</h3>'
        '<p>This is where my blog <a href="https://old.example/">used to be</a>.</p></div>'
        '<div class="widget BlogArchive"><a href="/2011/">2011</a></div></div></body>'
    )
    doc = harvest_html("blogger", html, base_url="https://x.blogspot.com/")
    assert "This is where my blog used to be." in doc.text
    assert "https://old.example/" in {link.url for link in doc.links}


def test_parse_page_from_several_threads_agrees() -> None:
    """The link checker calls parse_page from worker threads."""
    from concurrent.futures import ThreadPoolExecutor

    data = (DATA / "article.html").read_bytes()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: parse_page(data, PAGE_URL), range(16)))
    assert len(set(results)) == 1
    assert results[0].title == "Rivers rise after record rain"


@pytest.mark.parametrize(
    ("html", "role"),
    [
        ("<h3>See also</h3><ul><li><a href='https://a.example/x'>X</a></li></ul>", LinkRole.RELATED),
        ("<div><strong>Lesen Sie auch:</strong> <a href='https://a.example/x'>X</a></div>", LinkRole.RELATED),
        ("<h3>Sources</h3><ul><li><a href='https://a.example/x'>X</a></li></ul>", LinkRole.CITED),
        ("<p>We read more than <a href='https://a.example/x'>ten reports</a>.</p>", LinkRole.CITED),
    ],
)
def test_related_labels(html: str, role: LinkRole) -> None:
    doc = harvest_html("x", "<article>" + html + "</article>")
    assert [link.role for link in doc.links] == [role]
