"""check_url through the real HttpClient against `responses` (no sockets; the guard's resolver is injected)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses
from helpers import PUBLIC

from provenance.check.checker import check_url
from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver
from provenance.records import LinkStatus

PAGE = (
    "<html><head><title>Climate report 2021</title>"
    "<meta property='article:published_time' content='2021-03-04T10:00:00Z'></head>"
    "<body><article><p>" + "The report finds warming continued. " * 40 + "</p></article></body></html>"
)


def run(url: str, **http: object):
    config = HttpConfig(retry_after_max=2, **http)  # type: ignore[arg-type]
    with HttpClient(config, resolver=PUBLIC) as client:
        return check_url(client, url, config, lambda: datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "status, expected, reason",
    [
        (404, LinkStatus.DEAD, "gone"),
        (410, LinkStatus.DEAD, "gone"),
        (403, LinkStatus.ALIVE, "restricted"),
        (401, LinkStatus.ALIVE, "restricted"),
        (999, LinkStatus.ALIVE, "restricted"),
        (451, LinkStatus.UNREACHABLE, "legal"),
        (400, LinkStatus.UNREACHABLE, "client_error"),
    ],
)
@responses.activate
def test_final_status_table(status: int, expected: LinkStatus, reason: str) -> None:
    responses.get("https://news.example.org/a/story", status=status, body=b"")
    result = run("https://news.example.org/a/story")
    assert (result.status, result.error_class, result.http_status) == (expected, reason, status)
    assert len(responses.calls) == 1


@responses.activate
def test_429_retry_after_then_page_keeps_title_and_date() -> None:
    responses.get("https://news.example.org/a/story", status=429, headers={"Retry-After": "0"})
    responses.get("https://news.example.org/a/story", status=200, body=PAGE, content_type="text/html")
    # the random-path probe matches no registered answer: `responses` refuses it, so no probe verdict
    result = run("https://news.example.org/a/story")
    assert result.status is LinkStatus.ALIVE and result.http_status == 200
    assert result.page.title == "Climate report 2021"
    assert result.page.published is not None and result.page.published.value.isoformat() == "2021-03-04"
    assert result.method == "GET" and result.content_type == "text/html"


@responses.activate
def test_persistent_503_is_unreachable_after_configured_retries() -> None:
    responses.get("https://news.example.org/a/story", status=503, headers={"Retry-After": "0"})
    result = run("https://news.example.org/a/story", retries=3)
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "server_error"
    assert len(responses.calls) == 4 and "4 attempts" in result.error


@responses.activate
def test_guard_refusal_is_blocked_without_a_request() -> None:
    config = HttpConfig()
    with HttpClient(config, resolver=fixed_resolver("10.0.0.7")) as client:
        result = check_url(client, "https://intranet.example.org/x", config)
    assert result.status is LinkStatus.BLOCKED and len(responses.calls) == 0


@responses.activate
def test_dns_failure_is_unreachable_not_dead() -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    config = HttpConfig()
    with HttpClient(config, resolver=nxdomain) as client:
        result = check_url(client, "https://gone-domain.example.org/x", config)
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "dns"
