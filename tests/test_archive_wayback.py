"""CDX and availability answers in the shapes the Internet Archive and pywb really give.

Recorded answers: tests/data/archive/ (sampled from edgi-govdata-archiving/wayback cassettes,
BSD-3-Clause; see ia_exchanges.json "about").  The IA JSON shape is the same rows as the recorded
text answer, rearranged as the CDX API's `output=json` documents it (header row first).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from provenance.archive.wayback import WaybackAvailability, WaybackCdx, parse_cdx
from provenance.errors import ArchiveUnavailable

DATA = Path(__file__).parent / "data" / "archive"
EXCHANGES = json.loads((DATA / "ia_exchanges.json").read_text())["exchanges"]
CDX = "https://web.archive.org/cdx/search/cdx"
DW_TEXT = (DATA / "cdx_dw_2019.txt").read_text()


def ia_json(text: str) -> str:
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    rows = [line.split(" ") for line in text.splitlines() if len(line.split(" ")) == 7]
    return json.dumps([header, *rows])


def test_ia_json_and_text_dialects_parse_to_the_same_rows():
    text_rows, text_dialect = parse_cdx(DW_TEXT)
    json_rows, json_dialect = parse_cdx(ia_json(DW_TEXT))
    assert (text_dialect, json_dialect) == ("text", "ia-json")
    assert len(text_rows) == len(json_rows) == 1000  # the resume key line is not a capture
    assert text_rows[0] == json_rows[0]
    assert json_rows[2]["statuscode"] == "301" and json_rows[0]["mimetype"] == "warc/revisit"


def test_pywb_ndjson_and_cdxj_dialects_use_canonical_names():
    line = {
        "urlkey": "org,iana)/",
        "timestamp": "20140126200624",
        "url": "http://www.iana.org/",
        "mime": "text/html",
        "status": "200",
        "digest": "OSSAPWJ23L56IYVRW3GFEAR4MCJMGPTB",
    }
    rows, dialect = parse_cdx(json.dumps(line) + "\n")
    assert dialect == "pywb-json"
    assert rows[0]["original"] == "http://www.iana.org/" and rows[0]["statuscode"] == "200"
    cdxj, dialect = parse_cdx('org,iana)/ 20140126200624 {"url": "http://www.iana.org/", "mime": "text/html"}\n')
    assert dialect == "text" and cdxj[0]["timestamp"] == "20140126200624" and cdxj[0]["original"].endswith("iana.org/")


@pytest.mark.parametrize("dialect", ["json", "text"])
@pytest.mark.parametrize(
    ("when", "expected_ts"),
    [
        (date(2019, 10, 1), "20191001201842"),  # last usable capture on the citing day
        (date(2019, 9, 1), "20191001012455"),  # nothing before: first after
        (None, "20191218145125"),  # no date: the latest
    ],
)
def test_ia_cdx_nearest_first_last(client, mocked, dialect, when, expected_ts):
    body = ia_json(DW_TEXT) if dialect == "json" else DW_TEXT
    mocked.get(CDX, body=body, content_type="text/plain")
    lookup = WaybackCdx(client).nearest("dw.com", when)
    assert lookup.error is None and lookup.archive == "wayback"
    assert lookup.nearest.url == f"https://web.archive.org/web/{expected_ts}/{lookup.nearest.original}"
    assert lookup.first.datetime == datetime(2019, 10, 1, 1, 24, 55, tzinfo=UTC)
    assert lookup.last.datetime.date() == date(2019, 12, 18)
    assert lookup.count == 1000  # every row is 2xx/3xx or a revisit here
    assert "output=json" in lookup.query and "url=dw.com" in lookup.query


def test_recorded_nasa_answer_with_duplicate_rows(client, mocked):
    ex = EXCHANGES["cdx_text_nasa"]
    mocked.get(CDX, body=ex["body"], status=ex["status"], headers=ex["headers"])
    lookup = WaybackCdx(client).nearest("nasa.gov", date(1997, 1, 15))
    assert lookup.nearest.datetime == datetime(1996, 12, 31, 23, 58, 47, tzinfo=UTC)
    assert lookup.nearest.original == "http://www.nasa.gov:80/" and lookup.nearest.status == 200


@pytest.mark.parametrize("body", ["", "[]", "\n"])
def test_empty_answers_mean_asked_and_holds_nothing(client, mocked, body):
    mocked.get(CDX, body=body)
    lookup = WaybackCdx(client).nearest("https://nothing.example/", date(2020, 1, 1))
    assert lookup.nearest is None and lookup.error is None and lookup.count == 0


def test_only_error_captures_are_not_a_usable_snapshot(client, mocked):
    rows = [
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["com,e)/a", "20200101000000", "https://e.com/a", "text/html", "404", "X", "1"],
        ["com,e)/a", "20200102000000", "https://e.com/a", "text/html", "503", "Y", "1"],
    ]
    mocked.get(CDX, json=rows)
    lookup = WaybackCdx(client).nearest("https://e.com/a", None)
    assert lookup.nearest is None and lookup.error is None


def test_blocked_site_403_is_a_refusal_not_absence(client, mocked):
    ex = EXCHANGES["cdx_blocked_403"]
    mocked.get(CDX, body=ex["body"], status=403, headers=ex["headers"])
    lookup = WaybackCdx(client).nearest("https://nationalpost.com/health", date(2019, 10, 1))
    assert lookup.nearest is None
    assert lookup.error == "blocked by the archive (HTTP 403): Blocked Site Error"


@pytest.mark.parametrize(
    ("status", "body"),
    [(429, "Too Many Requests"), (503, "Service Unavailable"), (502, ""), (None, ConnectionError("reset by peer"))],
)
def test_could_not_ask_raises_archive_unavailable(client, mocked, status, body):
    if status is None:
        mocked.get(CDX, body=body)
    else:
        mocked.get(CDX, body=body, status=status)
    with pytest.raises(ArchiveUnavailable):
        WaybackCdx(client).nearest("https://e.com/", None)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "usable"), [("malformed_cdx.txt", None), ("bad_timestamp_cdx.txt", 4), ("zero_length_cdx.txt", 5)]
)
def test_recorded_odd_listings(client, mocked, corpus_dir, name, usable):
    text = (corpus_dir / "archives" / "wayback-cassettes" / "cdx-text" / name).read_text()
    mocked.get(CDX, body=text)
    lookup = WaybackCdx(client).nearest("https://e.com/", None)
    assert lookup.error is None
    if usable is not None:
        assert lookup.count == usable
    assert all(s.datetime.year >= 1996 for s in (lookup.first, lookup.last) if s)


def test_pywb_collection_endpoint_and_replay_urls(client, mocked):
    line = {"urlkey": "org,iana)/", "timestamp": "20140126200624", "url": "http://www.iana.org/", "status": "200"}
    mocked.get("http://archive.test/coll1/cdx", body=json.dumps(line) + "\n", content_type="text/x-ndjson")
    lookup = WaybackCdx(client, "http://archive.test", collection="coll1").nearest("http://www.iana.org/", None)
    assert lookup.archive == "pywb:coll1"
    assert lookup.nearest.url == "http://archive.test/coll1/20140126200624/http://www.iana.org/"


AVAILABLE = "https://archive.org/wayback/available"


def test_availability_found(client, mocked):
    # Shape as documented at https://archive.org/help/wayback_api.php
    mocked.get(
        AVAILABLE,
        json={
            "url": "example.com",
            "archived_snapshots": {
                "closest": {
                    "status": "200",
                    "available": True,
                    "timestamp": "20130919044612",
                    "url": "http://web.archive.org/web/20130919044612/http://example.com/",
                }
            },
        },
    )
    lookup = WaybackAvailability(client).nearest("example.com", date(2013, 9, 20))
    assert lookup.nearest.url == "https://web.archive.org/web/20130919044612/http://example.com/"
    assert lookup.nearest.datetime == datetime(2013, 9, 19, 4, 46, 12, tzinfo=UTC)
    assert "timestamp=20130920" in mocked.calls[0].request.url


@pytest.mark.parametrize(
    "payload",
    [
        {"url": "x.example", "archived_snapshots": {}},
        {"archived_snapshots": {"closest": {"status": "404", "available": True, "timestamp": "20130919044612"}}},
        {"archived_snapshots": {"closest": {"available": True, "timestamp": "20130919044612", "url": "javascript:x"}}},
    ],
)
def test_availability_empty(client, mocked, payload):
    mocked.get(AVAILABLE, json=payload)
    lookup = WaybackAvailability(client).nearest("x.example", None)
    assert lookup.nearest is None and lookup.error is None


def test_availability_rate_limited(client, mocked):
    mocked.get(AVAILABLE, status=429, body="slow down")
    with pytest.raises(ArchiveUnavailable, match="429"):
        WaybackAvailability(client).nearest("x.example", None)


def test_capped_answer_keeps_complete_rows_and_leaves_count_unknown(client, mocked):
    body = ia_json(DW_TEXT).replace("], [", "],\n[")  # IA's layout: one row per line
    cut = body[: len(body) // 2]
    rows, dialect = parse_cdx(cut, partial=True)
    assert dialect == "ia-json" and 400 < len(rows) < 600 and all(len(r) == 7 for r in rows)
    mocked.get(CDX, body=body)
    lookup = WaybackCdx(client).nearest("dw.com", None)
    assert lookup.count == 1000


def test_query_asks_for_few_fields_and_one_capture_per_day(client, mocked):
    mocked.get(CDX, body="[]")
    mocked.get("http://archive.test/coll/cdx", body="")
    WaybackCdx(client).nearest("https://e.com/", None)
    WaybackCdx(client, "http://archive.test", collection="coll").nearest("https://e.com/", None)
    ia, pywb = (call.request.url for call in mocked.calls)
    assert "fl=timestamp%2Coriginal%2Cmimetype%2Cstatuscode" in ia and "collapse=timestamp%3A8" in ia
    assert "collapseTime=8" in pywb


def test_answer_over_the_size_cap_is_used_not_rejected(client, mocked, monkeypatch):
    from provenance.archive import wayback

    monkeypatch.setattr(wayback, "MAX_CDX_BYTES", 20_000)
    mocked.get(CDX, body=ia_json(DW_TEXT).replace("], [", "],\n["))
    lookup = WaybackCdx(client).nearest("dw.com", date(2019, 9, 1))
    assert lookup.error is None and lookup.count is None  # unknown: the newest rows were cut off
    assert lookup.nearest == lookup.first and lookup.first.datetime.date() == date(2019, 10, 1)
