"""Feeds and sitemaps as daemon sources: parsing (pure) and harvesting them over real loopback HTTP."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest
from loopback import serve, text

from provenance import pipeline
from provenance.config import Config, HttpConfig, SourceConfig, parse_duration
from provenance.harvest.feeds import MAX_PAGES, expand_source, parse_listing
from provenance.harvest.files import source_targets
from provenance.net.client import HttpClient
from provenance.store import repo
from provenance.store.db import session_scope

BASE = "https://news.example/feeds/main.xml"

RSS2 = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
  <item><title>One</title><link>https://news.example/2024/01/one</link></item>
  <item><title>Two</title><link> /2024/01/two </link></item>
  <item><title>Guid only</title><guid>https://news.example/2024/01/three</guid></item>
  <item><title>Not a permalink</title><guid isPermaLink="false">tag:news.example,2024:4</guid></item>
  <item><title>Again</title><link>https://news.example/2024/01/one</link></item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://news.example/"><title>News</title></channel>
  <item rdf:about="https://news.example/a"><title>A</title><link>https://news.example/a</link></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/">
  <title>Blog</title>
  <entry><title>E1</title><link rel="alternate" type="text/html" href="posts/e1"/>
    <link rel="edit" href="https://blog.example/api/e1"/></entry>
  <entry><title>E2</title><link rel="enclosure" href="https://cdn.example/e2.mp3"/><link href="posts/e2"/></entry>
  <entry><title>No link</title></entry>
</feed>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.example/p1</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>https://news.example/p2</loc></url>
  <url><loc>mailto:someone@news.example</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-1.xml</loc></sitemap>
  <sitemap><loc>https://news.example/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""


@pytest.mark.parametrize(
    ("body", "kind", "pages"),
    [
        (
            RSS2,
            "rss",
            [
                "https://news.example/2024/01/one",
                "https://news.example/2024/01/two",
                "https://news.example/2024/01/three",
            ],
        ),
        (RSS1, "rss", ["https://news.example/a"]),
        (ATOM, "atom", ["https://blog.example/posts/e1", "https://blog.example/posts/e2"]),
        (
            ATOM.replace(b'xml:base="https://blog.example/"', b'xml:base="/blog/"'),
            "atom",
            ["https://news.example/blog/posts/e1", "https://news.example/blog/posts/e2"],
        ),  # relative xml:base
        (SITEMAP, "sitemap", ["https://news.example/p1", "https://news.example/p2"]),
        (gzip.compress(SITEMAP), "sitemap", ["https://news.example/p1", "https://news.example/p2"]),
    ],
)
def test_listings_yield_their_pages(body, kind, pages):
    listing = parse_listing(body, BASE)
    assert listing is not None and listing.kind == kind
    assert list(listing.pages) == pages


def test_sitemap_index_lists_sitemaps_not_pages():
    listing = parse_listing(INDEX, BASE)
    assert listing.kind == "sitemap_index" and listing.pages == ()
    assert listing.sitemaps == ("https://news.example/sitemap-1.xml", "https://news.example/sitemap-2.xml.gz")


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><head><title>x</title></head><body><a href='/a'>a</a></body></html>",
        b"<html><body>feed</body></html>",
        b"plain text, not XML",
        b"",
        b"<?xml version='1.0'?><note><to>me</to></note>",
        b"\x1f\x8b not really gzip",
    ],
)
def test_pages_and_other_documents_are_not_listings(body):
    assert parse_listing(body, BASE) is None


def test_external_entities_are_never_resolved(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("https://leak.example/secret")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<urlset><url><loc>&x;</loc></url><url><loc>https://news.example/ok</loc></url></urlset>"
    ).encode()
    listing = parse_listing(body, BASE)
    assert listing is not None
    assert "https://leak.example/secret" not in listing.pages
    assert "https://news.example/ok" in listing.pages


def test_expand_follows_an_index_and_reports_unreadable_sitemaps():
    answers = {
        BASE: (INDEX, None),
        "https://news.example/sitemap-1.xml": (SITEMAP, None),
        "https://news.example/sitemap-2.xml.gz": (b"", "cannot fetch: HTTP 404"),
    }
    asked: list[str] = []

    def fetch(url):
        asked.append(url)
        return answers[url]

    pages, errors = expand_source(BASE, fetch)
    assert pages == ["https://news.example/p1", "https://news.example/p2"]
    assert errors == [("https://news.example/sitemap-2.xml.gz", "cannot fetch: HTTP 404")]
    assert asked == [BASE, "https://news.example/sitemap-1.xml", "https://news.example/sitemap-2.xml.gz"]


def test_expand_a_page_is_the_page_itself_and_a_cycle_ends():
    assert expand_source(BASE, lambda url: (b"<html><body>hi</body></html>", None)) == ([BASE], [])
    loop = INDEX.replace(b"https://news.example/sitemap-1.xml", BASE.encode())
    pages, _ = expand_source(BASE, lambda url: (loop, None) if url == BASE else (b"", "gone"))
    assert pages == []


def test_expand_caps_the_pages_taken():
    many = (
        b"<urlset>"
        + b"".join(b"<url><loc>https://news.example/p%d</loc></url>" % i for i in range(MAX_PAGES + 10))
        + b"</urlset>"
    )
    pages, _ = expand_source(BASE, lambda url: (many, None))
    assert len(pages) == MAX_PAGES


def _page(title: str, link: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>Some words about {title}, as reported. See <a href='{link}'>the source</a>.</p>"
        "</article></body></html>"
    )


def test_harvest_source_reads_a_feed_and_its_pages_over_http(engine):
    routes = {}
    with serve(routes) as server:
        feed = (
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><link>{server.url('/story/1')}</link></item>"
            f"<item><link>{server.url('/story/2')}</link></item></channel></rss>"
        )
        routes.update(
            {
                "/feed.xml": text(feed, content_type="application/rss+xml"),
                "/story/1": text(_page("First", "https://cited.example/a")),
                "/story/2": text(_page("Second", "https://cited.example/b")),
                "/page.html": text(_page("Plain", "https://cited.example/c")),
            }
        )
        config = replace(Config(), http=HttpConfig(timeout=5, allow_private=(server.netloc,)))
        with HttpClient(config.http) as client:
            feed_outcome = pipeline.harvest_source(
                engine, config, SourceConfig(parse_duration("6h"), url=server.url("/feed.xml")), client
            )
            page_outcome = pipeline.harvest_source(
                engine, config, SourceConfig(parse_duration("6h"), url=server.url("/page.html")), client
            )
        assert feed_outcome.errors == () and len(feed_outcome.document_ids) == 2
        assert len(page_outcome.document_ids) == 1
        assert server.count("/page.html") == 1  # sniffed and harvested from one fetch
        assert server.count("/feed.xml") == 1
    with session_scope(engine, readonly=True) as session:
        docs = {d.source: d for d in repo.load_documents(session)}
    assert set(docs) == {server.url("/story/1"), server.url("/story/2"), server.url("/page.html")}
    urls = {link.url for d in docs.values() for link in d.links}
    assert {"https://cited.example/a", "https://cited.example/b", "https://cited.example/c"} <= urls
    assert server.url("/feed.xml") not in docs  # the listing itself is not a document


def test_path_sources_resolve_against_the_config_folder_and_glob(tmp_path: Path, engine):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("# A\n\n[x](https://a.example/x)\n")
    (tmp_path / "docs" / "sub" / "b.md").write_text("# B\n\n[y](https://b.example/y)\n")
    (tmp_path / "docs" / "c.txt").write_text("not markdown")
    config = replace(Config(), base_dir=tmp_path)
    glob_source = SourceConfig(parse_duration("1d"), path="docs/**/*.md")
    assert source_targets(tmp_path, glob_source.path) == [
        str(tmp_path / "docs" / "a.md"),
        str(tmp_path / "docs" / "sub" / "b.md"),
    ]
    assert source_targets(tmp_path, "docs") == [str(tmp_path / "docs")]
    assert source_targets(tmp_path, "none/*.md") == []
    outcome = pipeline.harvest_source(engine, config, glob_source)
    assert len(outcome.document_ids) == 2


def test_url_sources_offline_are_skipped_not_stored(engine):
    outcome = pipeline.harvest_source(engine, Config(), SourceConfig(parse_duration("1d"), url=BASE), client=None)
    assert outcome.document_ids == () and "network" in outcome.errors[0][1]
    with session_scope(engine, readonly=True) as session:
        assert repo.load_documents(session) == []
