"""Retry logic and method choice of one URL check, against a scripted client (no network)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from provenance.check.checker import BACKOFF_BASE, UrlCheck, check_urls, retry_after, wants_head
from provenance.check.scheduler import Again, Then
from provenance.check.soft404 import ProbeCache
from provenance.config import HttpConfig
from provenance.records import Hop, LinkStatus

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PAGE = (
    b"<html><head><title>A real page</title></head><body><main>" + b"Real words here. " * 50 + b"</main></body></html>"
)


@dataclass(frozen=True)
class FakeResponse:
    url: str
    final_url: str
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    hops: tuple[Hop, ...] = ()
    elapsed_ms: float = 1.0
    error: str | None = None
    error_class: str | None = None


@dataclass
class ScriptedClient:
    """Answers each (method, url) from a list of (status, headers, body, error_class), last one repeating."""

    script: dict[tuple[str, str], list[tuple]]
    calls: list[tuple[str, str]] = field(default_factory=list)

    def request(self, method: str, url: str, **_: object) -> FakeResponse:
        self.calls.append((method, url))
        missing = [(404, {"Content-Type": "text/html"}, b"<title>Not Found</title>", None)]
        answers = self.script.get((method, url)) or missing
        status, headers, body, error_class = answers.pop(0) if len(answers) > 1 else answers[0]
        return FakeResponse(
            url,
            url,
            status,
            headers,
            body if method != "HEAD" else b"",
            hops=(Hop(url, status),),
            error_class=error_class,
            error=error_class and f"{error_class} trouble",
        )


HTML = {"Content-Type": "text/html; charset=utf-8"}
URL = "https://site.example/a/page"


def _run(client: ScriptedClient, url: str = URL, config: HttpConfig | None = None) -> tuple[list[float], object]:
    check = UrlCheck(client, url, config or HttpConfig(), lambda: NOW, ProbeCache(), random.Random(7))
    delays = []
    while isinstance(outcome := check.step(), Again):
        delays.append(outcome.delay)
    return delays, outcome.work() if isinstance(outcome, Then) else outcome  # Then: read off the request slot


def test_429_with_retry_after_seconds_then_200_is_alive() -> None:
    client = ScriptedClient({("GET", URL): [(429, {"Retry-After": "3"}, b"", None), (200, HTML, PAGE, None)]})
    delays, result = _run(client)
    assert delays == [3.0]
    assert result.status is LinkStatus.ALIVE and result.http_status == 200
    assert result.page.title == "A real page" and result.page.text_fingerprint


def test_503_with_retry_after_http_date() -> None:
    when = (NOW + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    client = ScriptedClient({("GET", URL): [(503, {"Retry-After": when}, b"", None), (200, HTML, PAGE, None)]})
    delays, result = _run(client)
    assert delays == [5.0] and result.status is LinkStatus.ALIVE


def test_retry_after_beyond_the_maximum_is_not_waited_for() -> None:
    client = ScriptedClient({("GET", URL): [(429, {"Retry-After": "3600"}, b"", None), (200, HTML, PAGE, None)]})
    delays, result = _run(client, config=HttpConfig(retry_after_max=30))
    assert delays == [] and result.status is LinkStatus.UNREACHABLE
    assert result.error_class == "rate_limited" and "retry_after_max" in result.error


def test_persistent_502_backs_off_exponentially_then_is_unreachable() -> None:
    client = ScriptedClient({("GET", URL): [(502, HTML, b"bad gateway", None)]})
    delays, result = _run(client, config=HttpConfig(retries=3))
    assert len(delays) == 3 and len(client.calls) == 4
    for attempt, delay in enumerate(delays):
        assert BACKOFF_BASE * 2**attempt * 0.5 <= delay <= BACKOFF_BASE * 2**attempt
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "server_error"
    assert "4 attempts" in result.error


def test_persistent_500_is_retried_once_whatever_the_retries_setting() -> None:
    """A 500 is usually the application failing on this URL each time: one retry, not http.retries."""
    client = ScriptedClient({("GET", URL): [(500, HTML, b"oops", None)]})
    delays, result = _run(client, config=HttpConfig(retries=3))
    assert len(delays) == 1 and len(client.calls) == 2
    assert BACKOFF_BASE * 0.5 <= delays[0] <= BACKOFF_BASE
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "server_error"
    assert "2 attempts" in result.error


def test_500_that_passes_on_its_retry_is_alive() -> None:
    client = ScriptedClient({("GET", URL): [(500, HTML, b"oops", None), (200, HTML, PAGE, None)]})
    delays, result = _run(client)
    assert len(delays) == 1 and result.status is LinkStatus.ALIVE


def test_500_is_not_retried_when_retries_are_off() -> None:
    client = ScriptedClient({("GET", URL): [(500, HTML, b"oops", None)]})
    delays, result = _run(client, config=HttpConfig(retries=0))
    assert delays == [] and len(client.calls) == 1 and result.status is LinkStatus.UNREACHABLE


@pytest.mark.parametrize(
    "answer, status",
    [
        ((None, {}, b"", "timeout"), LinkStatus.UNREACHABLE),
        ((404, HTML, b"", None), LinkStatus.DEAD),
        ((410, HTML, b"", None), LinkStatus.DEAD),
        ((403, HTML, b"", None), LinkStatus.ALIVE),
    ],
)
def test_non_transient_answers_are_not_retried(answer, status) -> None:
    client = ScriptedClient({("GET", URL): [answer]})
    delays, result = _run(client)
    assert delays == [] and len(client.calls) == 1 and result.status is status


def test_dropped_connection_is_retried() -> None:
    client = ScriptedClient({("GET", URL): [(None, {}, b"", "connection"), (200, HTML, PAGE, None)]})
    delays, result = _run(client)
    assert len(delays) == 1 and result.status is LinkStatus.ALIVE


@pytest.mark.parametrize(
    "url, head",
    [
        ("https://x.example/paper.pdf", True),
        ("https://x.example/a/b.JPG", True),
        ("https://x.example/article", False),
        ("https://x.example/a.html", False),
    ],
)
def test_head_only_for_binary_files(url: str, head: bool) -> None:
    assert wants_head(url) is head


def test_head_refused_falls_back_to_get() -> None:
    pdf = "https://site.example/files/report.pdf"
    client = ScriptedClient(
        {
            ("HEAD", pdf): [(405, {}, b"", None)],
            ("GET", pdf): [(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4", None)],
        }
    )
    _, result = _run(client, pdf)
    assert [m for m, _ in client.calls] == ["HEAD", "GET"]
    assert result.status is LinkStatus.ALIVE and result.method == "HEAD+GET"
    assert result.content_type == "application/pdf"


def test_head_accepted_needs_no_get() -> None:
    pdf = "https://site.example/files/report.pdf"
    client = ScriptedClient(
        {("HEAD", pdf): [(200, {"Content-Type": "application/pdf", "Content-Length": "1234"}, b"", None)]}
    )
    _, result = _run(client, pdf)
    assert client.calls == [("HEAD", pdf)] and result.method == "HEAD" and result.content_length == 1234


@pytest.mark.parametrize("url", ["mailto:someone@example.org", "ftp://example.org/x", "https:///nohost", "http://[::1"])
def test_invalid_urls_are_not_requested(url: str) -> None:
    client = ScriptedClient({})
    _, result = _run(client, url)
    assert result.status is LinkStatus.INVALID and client.calls == []


def test_retry_after_parsing() -> None:
    assert retry_after({"retry-after": "12"}, NOW) == 12.0
    assert retry_after({"Retry-After": "Wed, 01 Jan 2025 00:00:00 GMT"}, NOW) == 0.0
    assert retry_after({"Retry-After": "soon"}, NOW) is None
    assert retry_after({}, NOW) is None


def test_check_urls_fetches_each_distinct_url_once() -> None:
    urls = [f"https://s{i % 3}.example/p{i % 5}" for i in range(30)]
    client = ScriptedClient({("GET", u): [(200, HTML, PAGE, None)] for u in set(urls)})
    results = list(check_urls(client, urls, HttpConfig(concurrency=4, per_host=2), now=lambda: NOW))
    assert sorted(r.url for r in results) == sorted(set(urls))
    page_calls = [c for c in client.calls if "provenance-probe" not in c[1]]
    assert len(page_calls) == len(set(urls))
    probes = [c for c in client.calls if "provenance-probe" in c[1]]
    assert len(probes) == 3  # one random-path probe per site


def test_a_checker_bug_costs_one_link_not_the_run() -> None:
    class Broken:
        def request(self, *_a: object, **_k: object) -> FakeResponse:
            raise RuntimeError("boom")

    _, result = _run(Broken())  # type: ignore[arg-type]
    assert result.status is LinkStatus.UNCHECKED and "boom" in result.error
