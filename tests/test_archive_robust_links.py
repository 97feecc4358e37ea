"""Robust Links decoration (HTML) and the InternetArchiveBot-style replacement list (text)."""

from __future__ import annotations

from datetime import UTC, datetime

from bs4 import BeautifulSoup
from lxml import html as lxml_html

from provenance.records import Snapshot
from provenance.report.robust_links import robust_links_html, robust_links_text

SNAP_A = Snapshot(
    archive="wayback",
    url="https://web.archive.org/web/20190105120000/https://a.example/x",
    datetime=datetime(2019, 1, 5, 12, tzinfo=UTC),
    original="https://a.example/x",
)
SNAP_B = Snapshot(
    archive="pywb:coll",
    url="http://127.0.0.1:8080/coll/20140126200624/http://b.example/",
    datetime=datetime(2014, 1, 26, 20, 6, 24, tzinfo=UTC),
)
DOC = """<!DOCTYPE html><html><head><title>Doc</title></head><body>
<p>See <a href="https://a.example/x" class="cite">the report</a> and <a href=" http://b.example/ ">B</a>,
and <a href="https://c.example/">C</a> (no copy), <a name="anchor">no href</a>, <a href="https://a.example/x">again</a>.</p>
</body></html>"""


def test_every_decorated_link_carries_all_three_attributes():
    out = robust_links_html(
        DOC, [("https://a.example/x", SNAP_A), ("http://b.example/", SNAP_B), ("https://c.example/", None)]
    )
    for parse in (lambda s: BeautifulSoup(s, "lxml").find_all("a"), lambda s: lxml_html.fromstring(s).iter("a")):
        anchors = list(parse(out))
        decorated = [a for a in anchors if a.get("data-versionurl")]
        assert len(decorated) == 3  # both links to a.example and the one to b.example
        for a in decorated:
            assert a.get("data-originalurl") and a.get("data-versionurl") and a.get("data-versiondate")
    soup = BeautifulSoup(out, "lxml")
    first = soup.find("a", class_="cite")
    assert first["href"] == "https://a.example/x"  # href still points at the original
    assert first["data-versionurl"] == SNAP_A.url and first["data-versiondate"] == "2019-01-05"
    assert soup.find("a", href="https://c.example/").get("data-versionurl") is None
    assert soup.find("a", attrs={"name": "anchor"}).get("data-originalurl") is None
    assert soup.title.string == "Doc" and "the report" in soup.get_text()


def test_nothing_to_decorate_returns_input_unchanged():
    assert robust_links_html(DOC, [("https://c.example/", None)]) == DOC


def test_text_pairs_each_problem_link_with_its_replacement():
    text = robust_links_text(
        [("https://a.example/x", "dead_link", SNAP_A), ("https://c.example/", "content_drift", None)]
    )
    lines = text.splitlines()
    assert lines[0] == (
        "https://a.example/x (dead_link): archived copy "
        "https://web.archive.org/web/20190105120000/https://a.example/x "
        "(archived from the original on 2019-01-05, wayback)"
    )
    assert lines[1] == "https://c.example/ (content_drift): no archived copy found"
    assert robust_links_text([]) == ""


def test_a_snapshot_that_is_not_a_web_address_never_becomes_an_attribute():
    hostile = Snapshot(archive="x", url="javascript:alert(1)", datetime=datetime(2019, 1, 5, tzinfo=UTC))
    out = robust_links_html(DOC, [("https://a.example/x", hostile), ("http://b.example/", SNAP_B)])
    soup = BeautifulSoup(out, "lxml")
    assert [a["data-versionurl"] for a in soup.find_all("a", attrs={"data-versionurl": True})] == [SNAP_B.url]
