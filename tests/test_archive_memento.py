"""Memento Link headers, TimeMaps and the two real TimeGate behaviours (IA 302, pywb 200)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from provenance.archive.memento import MementoTimeGate, MementoTimeMap, parse_link_header, parse_timemap
from provenance.errors import ArchiveUnavailable

UTC = UTC
EXCHANGES = json.loads((Path(__file__).parent / "data" / "archive" / "ia_exchanges.json").read_text())["exchanges"]
FWS_LINK = EXCHANGES["memento_200_with_link"]["headers"]["link"]  # a real IA Link header (cassette)


def test_real_ia_link_header_from_cassette():
    entries = parse_link_header(FWS_LINK)
    rels = [" ".join(sorted(e.rels)) for e in entries]
    assert rels == [
        "original",
        "timemap",
        "timegate",
        "first memento",
        "memento prev",
        "memento",
        "memento next",
        "last memento",
    ]
    assert entries[0].url == "https://www.fws.gov/birds/"
    assert entries[1].param("type") == "application/link-format"
    memento = entries[5]
    assert memento.url == "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/"
    assert memento.datetime == datetime(2017, 11, 24, 15, 13, 15, tzinfo=UTC)


@pytest.mark.corpus
def test_every_recorded_link_header_parses_with_dated_mementos(corpus_dir):
    data = yaml.safe_load((corpus_dir / "archives" / "pywb" / "text_content" / "link_headers.yaml").read_text())
    headers = [value for group in data.values() for value in group.values()]
    assert len(headers) >= 20
    for value in headers:
        entries = parse_link_header(value)
        mementos = [e for e in entries if e.is_memento]
        assert mementos and all(e.datetime is not None and e.datetime.tzinfo is not None for e in mementos)
        assert sum("original" in e.rels for e in entries) == 1
    first = parse_link_header(data["agg_test_1"]["http://web.archive.org/web/{url}"])
    assert [e.datetime for e in first if e.rels == {"memento"}] == [datetime(2014, 1, 26, 9, 37, 43, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("value", "urls", "rels"),
    [
        # commas and semicolons inside <...> and inside quoted values are not separators
        (
            '<http://a.example/x,y;z>; rel="memento"; datetime="Sun, 26 Jan 2014 09:37:43 GMT", '
            "<http://b/>; rel=original",
            ["http://a.example/x,y;z", "http://b/"],
            [{"memento"}, {"original"}],
        ),
        (
            '<http://a/>;rel="first memento";title="a \\"q\\", b" ,<http://c/> ; rel = "last memento"',
            ["http://a/", "http://c/"],
            [{"first", "memento"}, {"last", "memento"}],
        ),
        ("", [], []),
        ("garbage without brackets", [], []),
    ],
)
def test_link_header_tokenizer(value, urls, rels):
    entries = parse_link_header(value)
    assert [e.url for e in entries] == urls and [set(e.rels) for e in entries] == rels


def test_bad_datetime_is_none_not_an_error():
    (entry,) = parse_link_header('<http://a/>; rel="memento"; datetime="yesterday"')
    assert entry.datetime is None


TIMEMAP = """<http://archive.test/coll/timemap/link/http://e.com/>; rel="self"; type="application/link-format",
<http://archive.test/coll/http://e.com/>; rel="timegate",
<http://e.com/>; rel="original",
<http://archive.test/coll/20100101000000mp_/http://e.com/>; rel="memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT",
<http://archive.test/coll/20150601120000mp_/http://e.com/>; rel="memento"; datetime="Mon, 01 Jun 2015 12:00:00 GMT",
<http://archive.test/coll/20200101000000mp_/http://e.com/>; rel="memento"; datetime="Wed, 01 Jan 2020 00:00:00 GMT"
"""


def test_timemap_first_last_count_and_nearest(client, mocked):
    assert len([e for e in parse_timemap(TIMEMAP) if e.is_memento]) == 3
    mocked.get(
        "http://archive.test/coll/timemap/link/http://e.com/", body=TIMEMAP, content_type="application/link-format"
    )
    lookup = MementoTimeMap(client, "http://archive.test/coll/timemap/link/", "test").nearest(
        "http://e.com/", date(2019, 12, 31)
    )
    assert lookup.count == 3 and lookup.first.datetime.year == 2010 and lookup.last.datetime.year == 2020
    assert lookup.nearest.url == "http://archive.test/coll/20150601120000mp_/http://e.com/"


IA_TG = "https://web.archive.org/web/"


def test_ia_timegate_302_with_link_header(client, mocked):
    mocked.get(
        IA_TG + "https://www.fws.gov/birds/",
        status=302,
        headers={"Location": "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/", "Link": FWS_LINK},
    )
    lookup = MementoTimeGate(client, IA_TG, "ia-timegate").nearest("https://www.fws.gov/birds/", date(2017, 11, 30))
    sent = mocked.calls[0].request.headers
    assert sent["Accept-Datetime"] == "Thu, 30 Nov 2017 23:59:59 GMT"
    assert lookup.error is None
    assert lookup.nearest.url == "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/"
    assert lookup.first.datetime == datetime(2005, 3, 23, 15, 53, tzinfo=UTC)
    assert lookup.last.datetime.date() == date(2023, 3, 19)
    assert lookup.nearest.original == "https://www.fws.gov/birds/"


def test_timegate_closest_after_the_date_gives_way_to_prev_memento(client, mocked):
    # Asked for 2017-10-01, the gate picks 2017-11-24 (closest); the Link header's prev memento
    # (2017-09-29) is the last capture before the citing date, which is what the rule wants.
    mocked.get(
        IA_TG + "https://www.fws.gov/birds/",
        status=302,
        headers={"Location": "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/", "Link": FWS_LINK},
    )
    lookup = MementoTimeGate(client, IA_TG, "ia").nearest("https://www.fws.gov/birds/", date(2017, 10, 1))
    assert lookup.nearest.datetime == datetime(2017, 9, 29, 0, 27, 12, tzinfo=UTC)


def test_timegate_302_without_link_reads_the_timestamp_in_location(client, mocked):
    ex = EXCHANGES["memento_302_target_window"]  # the IA redirecting a 2017-11-01 request to its capture
    mocked.get(IA_TG + "https://www.fws.gov/birds/", status=302, headers={"Location": ex["headers"]["Location"]})
    lookup = MementoTimeGate(client, IA_TG, "ia").nearest("https://www.fws.gov/birds/", date(2017, 11, 1))
    assert lookup.nearest.datetime == datetime(2017, 11, 24, 15, 13, 15, tzinfo=UTC)


def test_pywb_style_200_timegate(client, mocked):
    link = (
        '<http://www.iana.org/>; rel="original", <http://archive.test/coll1/http://www.iana.org/>; '
        'rel="timegate", <http://archive.test/coll1/timemap/link/http://www.iana.org/>; rel="timemap"; '
        'type="application/link-format", <http://archive.test/coll1/20140126200624mp_/http://www.iana.org/>; '
        'rel="memento"; datetime="Sun, 26 Jan 2014 20:06:24 GMT"'
    )
    mocked.get(
        "http://archive.test/coll1/http://www.iana.org/",
        status=200,
        body="<html></html>",
        headers={"Link": link, "Vary": "accept-datetime"},
    )
    lookup = MementoTimeGate(client, "http://archive.test/coll1", "pywb").nearest("http://www.iana.org/", None)
    assert "Accept-Datetime" not in mocked.calls[0].request.headers  # no date: the latest
    assert lookup.nearest.url == "http://archive.test/coll1/20140126200624mp_/http://www.iana.org/"
    assert lookup.first == lookup.last == lookup.nearest


@pytest.mark.parametrize("status", [404])
def test_timegate_nothing_held(client, mocked, status):
    ex = EXCHANGES["memento_404_none"]
    mocked.get(IA_TG + "https://this-is-not-real-url.whatever/", status=status, body=ex["body"])
    lookup = MementoTimeGate(client, IA_TG, "ia").nearest("https://this-is-not-real-url.whatever/", None)
    assert lookup.nearest is None and lookup.error is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_timegate_unavailable(client, mocked, status):
    mocked.get(IA_TG + "https://e.com/", status=status)
    with pytest.raises(ArchiveUnavailable):
        MementoTimeGate(client, IA_TG, "ia").nearest("https://e.com/", None)


def test_timegate_pick_after_the_date_is_checked_against_the_timemap(client, mocked):
    # pywb answers 200 with only the memento it chose (no prev/next): closest to 2021-12-01 is 2022.
    link = (
        '<http://e.com/>; rel="original", <http://archive.test/coll/timemap/link/http://e.com/>; '
        'rel="timemap"; type="application/link-format", '
        '<http://archive.test/coll/20200101000000mp_/http://e.com/>; rel="memento"; '
        'datetime="Wed, 01 Jan 2020 00:00:00 GMT"'
    )
    mocked.get("http://archive.test/coll/http://e.com/", status=200, headers={"Link": link})
    mocked.get("http://archive.test/coll/timemap/link/http://e.com/", body=TIMEMAP)
    lookup = MementoTimeGate(client, "http://archive.test/coll/", "pywb").nearest("http://e.com/", date(2019, 12, 1))
    assert lookup.nearest.datetime.year == 2015 and lookup.count == 3 and len(mocked.calls) == 2


def test_timegate_without_a_timemap_keeps_its_own_pick(client, mocked):
    link = (
        '<http://archive.test/coll/20200101000000mp_/http://e.com/>; rel="memento"; '
        'datetime="Wed, 01 Jan 2020 00:00:00 GMT"'
    )
    mocked.get("http://archive.test/coll/http://e.com/", status=200, headers={"Link": link})
    lookup = MementoTimeGate(client, "http://archive.test/coll/", "pywb").nearest("http://e.com/", date(2019, 12, 1))
    assert lookup.nearest.datetime.year == 2020 and len(mocked.calls) == 1


def test_timegate_blocked_html_403_is_a_refusal(client, mocked):
    mocked.get(IA_TG + "https://nationalpost.com/health/", status=403, body="<!DOCTYPE html><html>Blocked</html>")
    lookup = MementoTimeGate(client, IA_TG, "ia").nearest("https://nationalpost.com/health/", None)
    assert lookup.nearest is None and lookup.error == "blocked by the archive (HTTP 403): forbidden"


@pytest.mark.parametrize("where", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"])
def test_a_timegate_pointing_at_a_script_or_a_file_holds_nothing(client, mocked, where):
    mocked.get(IA_TG + "https://e.com/", status=302, headers={"Location": where + "#20200101000000"})
    assert MementoTimeGate(client, IA_TG, "ia").nearest("https://e.com/", None).nearest is None
    mocked.get(
        "http://archive.test/coll/https://e.com/",
        status=200,
        headers={"Memento-Datetime": "Wed, 01 Jan 2020 00:00:00 GMT", "Content-Location": where},
    )
    assert MementoTimeGate(client, "http://archive.test/coll", "pywb").nearest("https://e.com/", None).nearest is None


def test_timemap_entries_that_are_not_web_addresses_are_dropped(client, mocked):
    hostile = TIMEMAP.replace(
        "<http://archive.test/coll/20100101000000mp_/http://e.com/>", "<javascript:alert(1)//20100101000000>"
    )
    mocked.get("http://archive.test/coll/timemap/link/http://e.com/", body=hostile)
    lookup = MementoTimeMap(client, "http://archive.test/coll/timemap/link/", "test").nearest("http://e.com/", None)
    assert lookup.count == 2 and lookup.first.datetime.year == 2015
