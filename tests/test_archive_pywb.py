"""Our archive classes against real archive software: pywb, run as a subprocess on 127.0.0.1.

A collection is built with warcio (three captures of one article page across 2019-2022, the last
one a "page moved" stub, plus a revisit record) and indexed by `wb-manager`; `wayback` serves it.
Readiness is polled, never slept for; the server is terminated (then killed) at the end.
The Internet Archive's dialect is covered by recorded answers in test_archive_wayback.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from pywb_helpers import remap_ia_to, running_pywb, write_warc

from provenance.archive.drift import DRIFT_THRESHOLD, content_similarity, fetch_replay_text
from provenance.archive.lookup import archive_sources, lookup_snapshots
from provenance.archive.memento import MementoTimeGate, MementoTimeMap
from provenance.archive.wayback import WaybackCdx
from provenance.config import ArchiveConfig, HttpConfig
from provenance.net.client import HttpClient

pytestmark = [pytest.mark.pywb, pytest.mark.slow]  # a real pywb server

STORY = "http://news.example/2019/01/library-budget"
ARTICLE = (
    "The city council voted on Tuesday to approve a new budget for public libraries, ending a dispute "
    "that had lasted nearly two years. Supporters said the money would restore weekend opening hours at "
    "branches across the northern districts. Critics argued that the plan relied on optimistic revenue "
    "forecasts and would force cuts elsewhere. The mayor is expected to sign the measure next week."
)
CAPTURES = [  # (WARC-Date, body of the article element)
    ("2019-01-05T12:00:00Z", f"<p>Published 5 January 2019</p><p>{ARTICLE}</p>"),
    ("2020-06-01T08:30:00Z", f"<p>Updated 1 June 2020</p><p>{ARTICLE.replace('Tuesday', 'Tuesday evening')}</p>"),
    ("2022-03-01T00:00:00Z", "<p>This page has moved to our new website. Please update your bookmarks.</p>"),
]
REVISIT_DATE = "2021-01-01T00:00:00Z"  # identical payload to the 2020 capture


def _page(body: str) -> bytes:
    return (
        f"<html><head><title>Library budget</title></head><body><nav>Home | News | Sport</nav>"
        f"<article>{body}</article><footer>(c) News Example</footer></body></html>"
    ).encode()


# Not test_audit_archive_pywb.py's archive: this WARC is one story's captures and a revisit.
@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    root = tmp_path_factory.mktemp("pywb")
    warc = root / "news.warc.gz"
    write_warc(
        warc, [(STORY, when, _page(body)) for when, body in CAPTURES], revisits=[(STORY, REVISIT_DATE, CAPTURES[1][0])]
    )
    with running_pywb(root, [warc], STORY) as base:
        yield base


# Not conftest's `client`: a real connection to the local pywb, which the guard must allow.
@pytest.fixture(scope="module")
def client(pywb):
    port = pywb.rsplit(":", 1)[1]
    with HttpClient(HttpConfig(timeout=10, allow_private=(f"127.0.0.1:{port}",))) as c:
        yield c


def _ts(snapshot) -> str:
    return snapshot.datetime.strftime("%Y%m%d%H%M%S")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2018, 6, 1), "20190105120000"),  # nothing before: the first after
        (date(2019, 1, 5), "20190105120000"),  # same day counts as before
        (date(2020, 12, 31), "20200601083000"),  # last before, not the closer revisit after
        (date(2021, 6, 1), "20210101000000"),  # the revisit is a capture too
        (None, "20220301000000"),
    ],
)
def test_pywb_cdx_dialect_nearest(pywb, client, when, expected):
    lookup = WaybackCdx(client, pywb, collection="coll").nearest(STORY, when)
    assert lookup.error is None and lookup.archive == "pywb:coll"
    assert _ts(lookup.nearest) == expected
    assert lookup.nearest.url == f"{pywb}/coll/{expected}/{STORY}"
    assert (_ts(lookup.first), _ts(lookup.last), lookup.count) == ("20190105120000", "20220301000000", 4)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2020, 7, 1), "20200601083000"),  # the gate's own pick
        (date(2021, 12, 1), "20210101000000"),  # the gate picks 2022 (closer); the TimeMap finds the one before
        (None, "20220301000000"),
    ],
)
def test_pywb_timegate_200_behaviour(pywb, client, when, expected):
    lookup = MementoTimeGate(client, f"{pywb}/coll/", "pywb-timegate").nearest(STORY, when)
    assert lookup.error is None
    assert _ts(lookup.nearest) == expected


def test_pywb_timemap(pywb, client):
    lookup = MementoTimeMap(client, f"{pywb}/coll/timemap/link/", "pywb-timemap").nearest(STORY, date(2020, 6, 2))
    assert lookup.count == 4 and _ts(lookup.nearest) == "20200601083000"
    assert (_ts(lookup.first), _ts(lookup.last)) == ("20190105120000", "20220301000000")


def test_nothing_held(pywb, client):
    missing = "http://news.example/never-captured"
    assert WaybackCdx(client, pywb, collection="coll").nearest(missing, None).nearest is None
    gate = MementoTimeGate(client, f"{pywb}/coll/", "pywb").nearest(missing, None)
    assert gate.nearest is None and gate.error is None


def test_replay_text_with_id_and_drift(pywb, client):
    cdx = WaybackCdx(client, pywb, collection="coll")
    cited = fetch_replay_text(client, cdx.nearest(STORY, date(2019, 1, 5)).nearest)
    edited = fetch_replay_text(client, cdx.nearest(STORY, date(2020, 6, 2)).nearest)
    revisit = fetch_replay_text(client, cdx.nearest(STORY, date(2021, 6, 1)).nearest)
    moved = fetch_replay_text(client, cdx.nearest(STORY, None).nearest)
    assert cited and "city council voted" in cited and "Home | News" not in cited
    assert "wombat" not in cited.lower() and "_wb_" not in cited  # raw mode: no replay rewriting or banner
    assert revisit == edited  # the revisit record resolves to the 2020 payload
    assert content_similarity(edited, cited) >= DRIFT_THRESHOLD
    assert content_similarity(moved, cited) < DRIFT_THRESHOLD


def test_ia_endpoints_remapped_to_pywb(pywb):
    """The contract's promise: http.remap routes the default (IA) archive endpoints elsewhere."""
    port = pywb.rsplit(":", 1)[1]
    config = HttpConfig(
        timeout=10, allow_private=(f"127.0.0.1:{port}",), remap=tuple(tuple(pair) for pair in remap_ia_to(pywb))
    )
    with HttpClient(config) as remapped:
        sources = archive_sources(remapped, ArchiveConfig(timegates=("https://web.archive.org/web/",)))
        answers = list(lookup_snapshots(sources, [(STORY, date(2020, 12, 31)), ("http://nope.example/", None)]))
        assert len(answers) == 4 and all(a.error is None for a in answers)
        found = [a for a in answers if a.url == STORY]
        assert {_ts(a.nearest) for a in found} == {"20200601083000"}
        ia = next(a for a in found if a.archive == "wayback")
        assert ia.nearest.url == f"https://web.archive.org/web/20200601083000/{STORY}"  # stored as IA's URL
        assert "city council" in fetch_replay_text(remapped, ia.nearest)
        assert all(a.nearest is None for a in answers if a.url != STORY)


def test_measure_drift_against_a_live_page(pywb, client):
    from loopback import serve, text

    from provenance.archive.drift import measure_drift

    cited = WaybackCdx(client, pywb, collection="coll").nearest(STORY, date(2019, 1, 5)).nearest
    pages = {
        "/same": text(_page(f"<p>{ARTICLE} Correction added.</p>")),
        "/moved": text(_page("<p>Domain for sale. Make an offer.</p>")),
        "/gone": text(b"not found", status=404),
    }
    with (
        serve(pages) as server,
        HttpClient(HttpConfig(timeout=10, allow_private=(server.netloc, pywb.split("//")[1]))) as both,
    ):
        same = measure_drift(both, server.url("/same"), cited)
        moved = measure_drift(both, server.url("/moved"), cited)
        gone = measure_drift(both, server.url("/gone"), cited)
    assert same.similarity >= same.threshold == DRIFT_THRESHOLD and same.snapshot == cited
    assert moved.similarity < DRIFT_THRESHOLD and moved.live_fingerprint != moved.snapshot_fingerprint
    assert gone is None  # a dead page is dead_link's business, not drift's


def test_pywb_keeps_answering_past_a_pipe_buffer_of_log_lines(pywb):
    """Regression: with its access log on an unread pipe, pywb hung after ~150 requests."""
    import urllib.request

    query = WaybackCdx(None, pywb, collection="coll").query_url(STORY)
    for _ in range(250):
        with urllib.request.urlopen(query, timeout=10) as resp:
            assert resp.status == 200 and b"20190105120000" in resp.read()
