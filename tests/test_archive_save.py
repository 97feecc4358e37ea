"""Save Page Now: opt-in capture requests that never block and always return a value."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from provenance.archive.save import SaveLimiter, request_capture
from provenance.config import HttpConfig
from provenance.net.client import HttpClient

SAVE = "https://web.archive.org/save/https://e.com/a"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limiter_says_no_instead_of_waiting():
    clock = Clock()
    limiter = SaveLimiter(interval=10, clock=clock)
    assert limiter.try_acquire() and not limiter.try_acquire()
    clock.now += 10
    assert limiter.try_acquire()
    limiter.back_off(60)
    clock.now += 30
    assert not limiter.try_acquire()


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "snapshot"),
    [
        (
            302,
            {"Location": "https://web.archive.org/web/20240102030405/https://e.com/a"},
            "saved",
            "https://web.archive.org/web/20240102030405/https://e.com/a",
        ),
        (
            200,
            {"Content-Location": "/web/20240102030405/https://e.com/a"},
            "saved",
            "https://web.archive.org/web/20240102030405/https://e.com/a",
        ),
        (200, {}, "submitted", None),
        (302, {"Location": "javascript:alert(1)//20240102030405"}, "submitted", None),
        (429, {"Retry-After": "120"}, "rate_limited", None),
        (403, {}, "refused", None),
        (520, {}, "failed", None),
    ],
)
def test_request_capture_outcomes(client, mocked, status, headers, outcome, snapshot):
    mocked.get(SAVE, status=status, headers=headers)
    result = request_capture(client, "https://e.com/a")
    assert result.status == outcome and result.snapshot_url == snapshot and result.http_status == status
    if outcome == "saved":
        assert result.snapshot_datetime == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_rate_limited_requests_are_not_sent(client, mocked):
    limiter = SaveLimiter(interval=60, clock=Clock())
    mocked.get(SAVE, status=200)
    first = request_capture(client, "https://e.com/a", limiter=limiter)
    second = request_capture(client, "https://e.com/a", limiter=limiter)
    assert len(mocked.calls) == 1
    assert first.status == "submitted" and second.status == "rate_limited" and second.http_status is None


def test_archive_429_backs_the_limiter_off(client, mocked):
    clock = Clock()
    limiter = SaveLimiter(interval=1, clock=clock)
    mocked.get(SAVE, status=429, headers={"Retry-After": "300"})
    request_capture(client, "https://e.com/a", limiter=limiter)
    clock.now += 200
    assert not limiter.try_acquire()


def test_network_failure_is_a_value(client, mocked):
    mocked.get(SAVE, body=ConnectionError("refused"))
    result = request_capture(client, "https://e.com/a")
    assert result.status == "failed" and "refused" in result.error


# ---- the archive stage's background queue and its candidates ---------------------------------


def _spn(status=302):
    def reply(req):
        original = req.target.split("/save/", 1)[1]
        return status, {"Location": f"https://web.archive.org/web/20240102030405/{original}"}, b""

    return reply


def _loopback_client(server):
    return HttpClient(
        HttpConfig(
            timeout=5, allow_private=(server.netloc,), remap=((r"^https://web\.archive\.org/", f"{server.base}/"),)
        )
    )


def test_queue_stops_waiting_for_the_limiter_when_the_stage_ends():
    from loopback import serve

    from provenance.archive.save import CaptureQueue

    urls = [f"https://e.com/{i}" for i in range(3)]
    with serve({"*": _spn()}) as server, _loopback_client(server) as loop_client:
        queue = CaptureQueue(loop_client, urls, SaveLimiter(interval=3600)).start()
        started = time.monotonic()
        results = queue.finish()
        assert time.monotonic() - started < 5  # not the 3600 s the next slot is away
        assert server.count() == 1
    assert [(r.url, r.status) for r in results] == [(urls[0], "saved")]


def test_queue_sends_every_url_while_the_limiter_allows():
    from loopback import serve, wait_until

    from provenance.archive.save import CaptureQueue

    urls = [f"https://e.com/{i}" for i in range(4)]
    with serve({"*": _spn()}) as server, _loopback_client(server) as loop_client:
        queue = CaptureQueue(loop_client, urls, SaveLimiter(interval=0.05)).start()
        assert wait_until(lambda: server.count() == 4)
        results = queue.finish()
    assert [r.url for r in results] == urls and {r.status for r in results} == {"saved"}
    assert all(r.snapshot_url.endswith(r.url) for r in results)


def test_queue_records_429_and_backs_off():
    from loopback import serve

    from provenance.archive.save import CaptureQueue

    with (
        serve({"*": lambda req: (429, {"Retry-After": "600"}, b"")}) as server,
        _loopback_client(server) as loop_client,
    ):
        limiter = SaveLimiter(interval=0)
        results = CaptureQueue(loop_client, ["https://e.com/a", "https://e.com/b"], limiter).start().finish()
        assert server.count() == 1  # the second waits out the archive's Retry-After: next run
    assert [(r.status, r.http_status) for r in results] == [("rate_limited", 429)]
    assert not limiter.try_acquire()


NOW = datetime(2024, 6, 1, tzinfo=UTC)
URL = "https://e.com/a"


def _check(status="alive"):
    from provenance.records import CheckResult, LinkStatus

    return {URL: CheckResult(url=URL, status=LinkStatus(status), checked_at=NOW)}


def _answers(*specs):
    from provenance.records import Snapshot, SnapshotLookup

    out = []
    for name, found, error in specs:
        snap = Snapshot(name, f"https://a/{name}", NOW) if found else None
        out.append(
            SnapshotLookup(
                url=URL, archive=name, looked_up_at=NOW, query=URL, nearest=snap, error=error, count=1 if found else 0
            )
        )
    return {URL: out}


def _asked(status, days_ago):
    from provenance.archive.save import SaveResult

    return {URL: SaveResult(URL, NOW - timedelta(days=days_ago), status)}


@pytest.mark.parametrize(
    ("case", "checks", "lookups", "asked", "wanted"),
    [
        ("alive, no archive holds it", _check(), _answers(("ia", False, None), ("gate", False, None)), {}, True),
        ("one archive holds it", _check(), _answers(("ia", False, None), ("gate", True, None)), {}, False),
        (
            "an archive could not be asked",
            _check(),
            _answers(("ia", False, None), ("gate", False, "HTTP 503")),
            {},
            False,
        ),
        ("never looked up", _check(), {}, {}, False),
        ("dead", _check("dead"), _answers(("ia", False, None)), {}, False),
        ("saved recently", _check(), _answers(("ia", False, None)), _asked("saved", 2), False),
        ("refused recently", _check(), _answers(("ia", False, None)), _asked("refused", 2), False),
        ("saved long ago and still not indexed", _check(), _answers(("ia", False, None)), _asked("saved", 60), True),
        ("rate limited recently", _check(), _answers(("ia", False, None)), _asked("rate_limited", 0), True),
        ("failed recently", _check(), _answers(("ia", False, None)), _asked("failed", 0), True),
    ],
)
def test_save_candidates(case, checks, lookups, asked, wanted):
    from provenance.archive.save import save_candidates

    assert save_candidates([URL], checks, lookups, asked, NOW, timedelta(days=30)) == ([URL] if wanted else []), case


def test_only_a_saved_capture_becomes_an_archive_answer():
    from provenance.archive.save import SaveResult, capture_lookup

    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    saved = SaveResult(
        URL,
        NOW,
        "saved",
        snapshot_url=f"https://web.archive.org/web/20240102030405/{URL}",
        snapshot_datetime=moment,
        http_status=302,
    )
    answer = capture_lookup(saved)
    assert answer.archive == "wayback" and answer.error is None and answer.count is None
    assert answer.nearest == answer.first == answer.last and answer.nearest.datetime == moment
    assert capture_lookup(SaveResult(URL, NOW, "submitted", http_status=200)) is None
