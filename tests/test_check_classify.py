"""The classification table (provenance/check/classify.py docstring), row by row."""

from __future__ import annotations

import pytest

from provenance.check.classify import classify, crossed_permanently, head_refused, is_transient
from provenance.records import ErrorClass, Hop, LinkStatus

URL = "https://news.example.org/2020/story"


@pytest.mark.parametrize(
    "status, error_class, expected, reason",
    [
        (200, None, LinkStatus.ALIVE, None),
        (204, None, LinkStatus.ALIVE, None),
        (404, None, LinkStatus.DEAD, "gone"),
        (410, None, LinkStatus.DEAD, "gone"),
        (401, None, LinkStatus.ALIVE, "restricted"),
        (403, None, LinkStatus.ALIVE, "restricted"),
        (999, None, LinkStatus.ALIVE, "restricted"),
        (429, None, LinkStatus.UNREACHABLE, "rate_limited"),
        (500, None, LinkStatus.UNREACHABLE, "server_error"),
        (503, None, LinkStatus.UNREACHABLE, "server_error"),
        (451, None, LinkStatus.UNREACHABLE, "legal"),
        (400, None, LinkStatus.UNREACHABLE, "client_error"),
        (405, None, LinkStatus.UNREACHABLE, "client_error"),
        (None, "timeout", LinkStatus.UNREACHABLE, "timeout"),
        (None, "connection", LinkStatus.UNREACHABLE, "connection"),
        (None, "dns", LinkStatus.UNREACHABLE, "dns"),
        (None, "tls", LinkStatus.UNREACHABLE, "tls"),
        (301, "too_many_redirects", LinkStatus.UNREACHABLE, "too_many_redirects"),
        (302, "redirect_loop", LinkStatus.UNREACHABLE, "redirect_loop"),
        (None, "blocked", LinkStatus.BLOCKED, "blocked"),
        (None, "invalid_url", LinkStatus.INVALID, "invalid_url"),
        (200, "protocol", LinkStatus.ALIVE, None),  # a body broken off after the answer
    ],
)
def test_status_table(status, error_class, expected, reason) -> None:
    verdict = classify(URL, status, ErrorClass(error_class) if error_class else None)
    assert (verdict.status, verdict.error_class) == (expected, reason)


@pytest.mark.parametrize(
    "status, headers, body",
    [
        (403, {"cf-mitigated": "challenge"}, b""),
        (503, {"Server": "cloudflare"}, b"<html><head><title>Just a moment...</title></head><body>cf-chl-</body>"),
        (403, {}, b"<html><title>Attention Required! | Cloudflare</title></html>"),
    ],
)
def test_bot_walls_are_alive_not_dead_and_not_retried(status, headers, body) -> None:
    verdict = classify(URL, status, None, headers=headers, body=body)
    assert verdict.status is LinkStatus.ALIVE and verdict.error_class == "bot_wall"
    assert not is_transient(status, None, headers, body)


def _chain(*pairs: tuple[str, int]) -> tuple[Hop, ...]:
    return tuple(Hop(url, status) for url, status in pairs)


@pytest.mark.parametrize(
    "hops, expected",
    [
        (_chain((URL, 301), ("https://newsite.com/story", 200)), LinkStatus.REDIRECTED),
        (_chain((URL, 308), ("https://newsite.com/story", 200)), LinkStatus.REDIRECTED),
        (_chain((URL, 302), ("https://newsite.com/story", 200)), LinkStatus.ALIVE),
        (_chain((URL, 301), ("https://www.example.org/story", 200)), LinkStatus.ALIVE),
        (_chain((URL, 301), ("https://news.example.org/2020/story/", 200)), LinkStatus.ALIVE),
        (_chain((URL, 301), ("https://www.example.org/s", 302), ("https://newsite.com/s", 200)), LinkStatus.ALIVE),
        (_chain((URL, 302), ("https://tmp.net/s", 301), ("https://news.example.org/s", 200)), LinkStatus.ALIVE),
    ],
)
def test_redirects(hops, expected) -> None:
    assert classify(URL, 200, None, hops=hops).status is expected
    assert crossed_permanently(URL, hops) is (expected is LinkStatus.REDIRECTED)


def test_dead_after_a_redirect_is_dead() -> None:
    assert classify(URL, 404, None, hops=_chain((URL, 301), ("https://newsite.com/x", 404))).status is LinkStatus.DEAD


@pytest.mark.parametrize(
    "status, error_class, transient",
    [
        (429, None, True),
        (500, None, True),
        (502, None, True),
        (503, None, True),
        (504, None, True),
        (None, "connection", True),
        (None, "timeout", False),
        (None, "dns", False),
        (404, None, False),
        (403, None, False),
        (200, None, False),
        (501, None, False),
    ],
)
def test_transient(status, error_class, transient) -> None:
    assert is_transient(status, ErrorClass(error_class) if error_class else None) is transient


@pytest.mark.parametrize(
    "status, error_class, refused",
    [
        (405, None, True),
        (501, None, True),
        (403, None, True),
        (400, None, True),
        (404, None, True),
        (200, None, False),
        (301, None, False),
        (410, None, False),
        (None, "protocol", True),
        (None, "timeout", False),
    ],
)
def test_head_refused(status, error_class, refused) -> None:
    assert head_refused(status, ErrorClass(error_class) if error_class else None) is refused
