"""Batch look-ups: one answer per (url, archive), retries with back-off, failures as values."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from provenance.archive.base import choose_nearest, http_date, parse_timestamp
from provenance.archive.lookup import archive_sources, lookup_one, lookup_snapshots
from provenance.archive.memento import MementoTimeGate
from provenance.archive.wayback import WaybackCdx
from provenance.config import ArchiveConfig
from provenance.errors import ArchiveUnavailable
from provenance.records import Snapshot, SnapshotLookup

UTC = UTC


def snap(ts: str) -> Snapshot:
    return Snapshot(archive="a", url=f"https://web.archive.org/web/{ts}/x", datetime=parse_timestamp(ts))


CAPTURES = [snap("20190105120000"), snap("20200601000000"), snap("20200601235959"), snap("20221231000000")]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (None, "20221231000000"),  # no date: the latest
        (date(2018, 1, 1), "20190105120000"),  # before everything: the first after
        (date(2019, 1, 5), "20190105120000"),  # a capture on the day counts as before
        (date(2020, 5, 31), "20190105120000"),  # the last before, even though a later one is closer
        (date(2020, 6, 1), "20200601235959"),  # last of several on the day
        (date(2030, 1, 1), "20221231000000"),
    ],
)
def test_choose_nearest_prefers_last_capture_before_the_citing_date(when, expected):
    chosen = choose_nearest(reversed(CAPTURES), when)
    assert chosen is not None and chosen.url.split("/")[4] == expected


def test_choose_nearest_of_nothing_is_none():
    assert choose_nearest([], date(2020, 1, 1)) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20140126200624", datetime(2014, 1, 26, 20, 6, 24, tzinfo=UTC)),
        ("2014", datetime(2014, 1, 1, tzinfo=UTC)),
        ("20000012170449", datetime(2000, 1, 12, 17, 4, 49, tzinfo=UTC)),  # month 00 in a real IA listing
        ("20000800241623", None),  # hour 24: not a time
        ("abc", None),
        ("201401262006241", None),
    ],
)
def test_parse_timestamp(raw, expected):
    assert parse_timestamp(raw) == expected


def test_http_date_of_a_publication_day_is_its_end():
    assert http_date(date(2014, 1, 26)) == "Sun, 26 Jan 2014 23:59:59 GMT"


class FakeSource:
    """An archive whose answers are scripted per call; counts calls per URL."""

    def __init__(self, name: str, script):
        self.name = name
        self.script = script
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def nearest(self, url, when):
        with self._lock:
            self.calls.append(url)
            n = self.calls.count(url)
        outcome = self.script(url, n)
        if isinstance(outcome, Exception):
            raise outcome
        return SnapshotLookup(url=url, archive=self.name, looked_up_at=datetime.now(UTC), query=url, nearest=outcome)


def test_one_lookup_per_url_and_archive():
    good = FakeSource("good", lambda url, n: snap("20200101000000"))
    empty = FakeSource("empty", lambda url, n: None)
    items = [(f"https://e.org/{i}", date(2021, 1, 1)) for i in range(5)]
    answers = list(lookup_snapshots([good, empty], items, max_workers=3, sleep=lambda s: None))
    assert sorted((a.archive, a.url) for a in answers) == sorted(
        (name, url) for url, _ in items for name in ("good", "empty")
    )
    assert all(a.error is None for a in answers)
    assert {a.nearest is None for a in answers if a.archive == "empty"} == {True}


def test_unavailable_archive_is_retried_with_exponential_back_off_then_recorded():
    flaky = FakeSource("flaky", lambda url, n: ArchiveUnavailable("HTTP 503") if n < 3 else snap("20200101000000"))
    down = FakeSource("down", lambda url, n: ArchiveUnavailable("HTTP 429"))
    slept: list[float] = []
    ok = lookup_one(flaky, "https://e.org/a", None, attempts=3, backoff=0.5, sleep=slept.append)
    assert ok.error is None and ok.nearest is not None and slept == [0.5, 1.0]
    failed = lookup_one(down, "https://e.org/a", None, attempts=3, backoff=0.5, sleep=slept.append)
    assert failed.nearest is None and "429" in failed.error and "3 attempt" in failed.error
    assert len(down.calls) == 3


def test_malformed_answer_and_adapter_bug_never_escape():
    broken = FakeSource("broken", lambda url, n: ValueError("not JSON"))
    buggy = FakeSource("buggy", lambda url, n: RuntimeError("adapter bug"))
    answers = list(lookup_snapshots([broken, buggy], [("https://e.org/a", None)], sleep=lambda s: None))
    by_name = {a.archive: a for a in answers}
    assert "unreadable answer" in by_name["broken"].error and len(broken.calls) == 1  # not retried
    assert "RuntimeError" in by_name["buggy"].error


def test_archive_failing_repeatedly_is_not_hammered_for_the_rest_of_the_batch():
    down = FakeSource("down", lambda url, n: ArchiveUnavailable("timeout"))
    items = [(f"https://e.org/{i}", None) for i in range(10)]
    answers = list(lookup_snapshots([down], items, max_workers=1, attempts=2, give_up_after=3, sleep=lambda s: None))
    assert len(answers) == 10 and all(a.error for a in answers)
    assert len(down.calls) == 3 * 2  # three URLs asked (twice each), the other seven skipped
    assert sum("not asked" in a.error for a in answers) == 7


def test_archive_sources_follow_config():
    client = object()
    assert archive_sources(client, ArchiveConfig(enabled=False)) == []
    sources = archive_sources(client, ArchiveConfig(timegates=("https://archive.ph/timegate/",)))
    assert [type(s) for s in sources] == [WaybackCdx, MementoTimeGate]
    assert [s.name for s in sources] == ["wayback", "archive.ph"]
    assert sources[0].endpoint == "https://web.archive.org/cdx/search/cdx"
    assert archive_sources(client, ArchiveConfig(wayback=False)) == []
