"""The drift measure's properties and raw replay fetching (recorded IA answers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance.archive.drift import content_similarity, fetch_replay_text, raw_replay_url
from provenance.records import Snapshot

EXCHANGES = json.loads((Path(__file__).parent / "data" / "archive" / "ia_exchanges.json").read_text())["exchanges"]
ARTICLE = (
    "The city council voted on Tuesday to approve a new budget for public libraries, ending a "
    "dispute that had lasted nearly two years. Supporters said the money would restore weekend "
    "opening hours at branches across the northern districts. Critics argued that the plan relied "
    "on optimistic revenue forecasts and would force cuts elsewhere. The mayor is expected to sign "
    "the measure next week, after which the library board will publish a revised schedule."
)


@pytest.mark.parametrize(
    ("live", "archived", "low", "high"),
    [
        (ARTICLE, ARTICLE, 1.0, 1.0),
        ("Advertisement\nMenu | Home | Sports\n" + ARTICLE + "\nMost read: ten things", ARTICLE, 1.0, 1.0),
        ("Updated 5 March 2023, 10:14 GMT. " + ARTICLE, "Published Tuesday 4 May 2021 " + ARTICLE, 0.97, 1.0),
        (ARTICLE.replace("optimistic", "optimstic"), ARTICLE, 0.9, 0.99),
        ("This page has moved. Please update your bookmarks.", ARTICLE, 0.0, 0.05),
        ("", ARTICLE, 0.0, 0.0),
        (ARTICLE, "", 1.0, 1.0),  # nothing was cited that could have drifted
        ("library budget", "library budget", 1.0, 1.0),  # shorter than one shingle: word containment
    ],
)
def test_similarity_bounds(live, archived, low, high):
    assert low <= content_similarity(live, archived) <= high


def test_similarity_is_about_what_was_cited_not_what_was_added():
    longer = ARTICLE + " " + " ".join(f"Another new paragraph number {w}." for w in "abcdefghij")
    assert content_similarity(longer, ARTICLE) == 1.0
    assert content_similarity(ARTICLE, longer) < 0.7


@pytest.mark.parametrize(
    ("url", "raw"),
    [
        (
            "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/",
            "https://web.archive.org/web/20171124151315id_/https://www.fws.gov/birds/",
        ),
        (
            "http://127.0.0.1:8080/coll1/20140126200624mp_/http://www.iana.org/",
            "http://127.0.0.1:8080/coll1/20140126200624id_/http://www.iana.org/",
        ),
        (
            "https://web.archive.org/web/20171124151315id_/https://www.fws.gov/birds/",
            "https://web.archive.org/web/20171124151315id_/https://www.fws.gov/birds/",
        ),
        (
            "https://web.archive.org/web/2017/example.com/2017/01/post",
            "https://web.archive.org/web/2017id_/example.com/2017/01/post",
        ),
        ("https://archive.ph/AbCdE", "https://archive.ph/AbCdE"),  # not a Wayback-style URL: as is
    ],
)
def test_raw_replay_url(url, raw):
    assert raw_replay_url(url) == raw


def _snap(url: str) -> Snapshot:
    return Snapshot(
        archive="wayback", url=url, datetime=datetime(2017, 11, 24, tzinfo=UTC), original="https://www.fws.gov/birds/"
    )


def test_fetch_replay_text_uses_raw_mode_and_main_text(client, mocked):
    page = (
        "<html><head><title>Birds</title></head><body><nav>Home | About | Contact</nav><article>"
        "<h1>Migratory Bird Program</h1><p>" + ARTICLE + "</p></article><footer>Privacy</footer></body></html>"
    )
    mocked.get(
        "https://web.archive.org/web/20171124151315id_/https://www.fws.gov/birds/",
        body=page,
        headers={"Memento-Datetime": "Fri, 24 Nov 2017 15:13:15 GMT"},
        content_type="text/html",
    )
    text = fetch_replay_text(client, _snap("https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/"))
    assert text is not None and "city council voted" in text
    assert "Home | About" not in text and "Privacy" not in text


def test_fetch_replay_text_follows_historical_redirects(client, mocked):
    # The IA's recorded 302 from a requested timestamp to the capture it holds (cassette).
    ex = EXCHANGES["memento_302_target_window"]
    mocked.get(ex["uri"], status=302, headers={"Location": ex["headers"]["Location"]})
    mocked.get(
        ex["headers"]["Location"], body="<html><body><p>" + ARTICLE + "</p></body></html>", content_type="text/html"
    )
    text = fetch_replay_text(client, _snap(ex["uri"].replace("id_/", "/")))
    assert text is not None and "library board" in text


@pytest.mark.parametrize("key", ["memento_404_none", "memento_archived_429"])
def test_fetch_replay_text_none_when_not_replayable(client, mocked, key):
    ex = EXCHANGES[key]
    mocked.get(ex["uri"], status=ex["status"], body=ex["body"], content_type="text/html")
    assert fetch_replay_text(client, _snap(ex["uri"])) is None


def test_fetch_replay_text_redirect_loop_is_none(client, mocked):
    for i in range(4):
        ex = EXCHANGES[f"memento_redirect_loop_{i}"]
        mocked.get(ex["uri"], status=ex["status"], headers={"Location": ex["headers"]["Location"]})
    first = EXCHANGES["memento_redirect_loop_0"]["uri"]
    assert fetch_replay_text(client, _snap(first)) is None


def test_fetch_replay_text_of_a_pdf_is_none(client, mocked):
    mocked.get(
        "https://web.archive.org/web/2020id_/https://e.com/a.pdf", body=b"%PDF-1.4", content_type="application/pdf"
    )
    assert fetch_replay_text(client, _snap("https://web.archive.org/web/2020/https://e.com/a.pdf")) is None
