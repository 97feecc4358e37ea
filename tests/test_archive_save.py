"""Save Page Now: opt-in capture requests that never block and always return a value."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import responses

from provenance.archive.save import SaveLimiter, request_capture
from provenance.config import HttpConfig
from provenance.net.client import HttpClient

SAVE = "https://web.archive.org/save/https://e.com/a"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client():
    with HttpClient(HttpConfig(timeout=5), resolver=lambda host, port: ["93.184.216.34"]) as c:
        yield c


def test_limiter_says_no_instead_of_waiting():
    clock = Clock()
    limiter = SaveLimiter(interval=10, clock=clock)
    assert limiter.try_acquire() and not limiter.try_acquire()
    clock.now += 10
    assert limiter.try_acquire()
    limiter.back_off(60)
    clock.now += 30
    assert not limiter.try_acquire()


@pytest.mark.parametrize(("status", "headers", "outcome", "snapshot"), [
    (302, {"Location": "https://web.archive.org/web/20240102030405/https://e.com/a"}, "saved",
     "https://web.archive.org/web/20240102030405/https://e.com/a"),
    (200, {"Content-Location": "/web/20240102030405/https://e.com/a"}, "saved",
     "https://web.archive.org/web/20240102030405/https://e.com/a"),
    (200, {}, "submitted", None),
    (429, {"Retry-After": "120"}, "rate_limited", None),
    (403, {}, "refused", None),
    (520, {}, "failed", None),
])
def test_request_capture_outcomes(client, status, headers, outcome, snapshot):
    with responses.RequestsMock() as mocked:
        mocked.get(SAVE, status=status, headers=headers)
        result = request_capture(client, "https://e.com/a")
    assert result.status == outcome and result.snapshot_url == snapshot and result.http_status == status
    if outcome == "saved":
        assert result.snapshot_datetime == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_rate_limited_requests_are_not_sent(client):
    limiter = SaveLimiter(interval=60, clock=Clock())
    with responses.RequestsMock() as mocked:
        mocked.get(SAVE, status=200)
        first = request_capture(client, "https://e.com/a", limiter=limiter)
        second = request_capture(client, "https://e.com/a", limiter=limiter)
        assert len(mocked.calls) == 1
    assert first.status == "submitted" and second.status == "rate_limited" and second.http_status is None


def test_archive_429_backs_the_limiter_off(client):
    clock = Clock()
    limiter = SaveLimiter(interval=1, clock=clock)
    with responses.RequestsMock() as mocked:
        mocked.get(SAVE, status=429, headers={"Retry-After": "300"})
        request_capture(client, "https://e.com/a", limiter=limiter)
    clock.now += 200
    assert not limiter.try_acquire()


def test_network_failure_is_a_value(client):
    with responses.RequestsMock() as mocked:
        mocked.get(SAVE, body=ConnectionError("refused"))
        result = request_capture(client, "https://e.com/a")
    assert result.status == "failed" and "refused" in result.error
