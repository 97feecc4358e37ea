"""Hostile servers, as the link checker meets them: real loopback servers, real sockets.

Already proven at the client level in test_net_live.py, and not repeated here: redirect loops and
the 20-hop chain stopping at max_redirects with every hop recorded, endless chunked bodies and
gzip bombs capped, a drip-feed of body bytes or header lines cut at the total deadline, invalid
status lines as `protocol`, a hanging DNS lookup.  test_net_tls.py: a certificate for another name.
test_net_decode.py: the capped decoder itself.  What is added here: deflate bombs (both flavours),
a huge Content-Length, a body cut short, malformed headers, header floods, a wrong Content-Type either way, a
certificate from an untrusted CA, and each of them classified by `check_url` into a status with
the client's error class as evidence.
"""

from __future__ import annotations

import logging
import ssl
import time
import zlib
from collections import Counter
from datetime import UTC, datetime
from typing import BinaryIO

import pytest
import trustme
from loopback import LoopbackServer, Request, bad_headers, drip, raw, redirect, serve, text

from provenance.check.checker import SILENT_TRIP, check_url, check_urls
from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.records import ErrorClass, LinkStatus

ZEROS = b"\0" * 100_000_000


def _config(*servers: LoopbackServer, **http: object) -> HttpConfig:
    return HttpConfig(allow_private=tuple(s.netloc for s in servers), **{"timeout": 3.0, "retries": 0, **http})


def _now() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "name, body",
    [
        ("zlib", zlib.compress(ZEROS, 9)),
        ("raw", (lambda c: c.compress(ZEROS) + c.flush())(zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS))),
    ],
)
def test_deflate_bomb_is_capped(name: str, body: bytes) -> None:
    assert len(body) < 200_000  # ~100 KB on the wire, 100 MB inflated
    with serve({"/bomb": lambda _r: (200, {"Content-Encoding": "deflate"}, body)}) as server:
        r = HttpClient(_config(server, max_bytes=50_000)).request("GET", server.url("/bomb"))
        assert r.status == 200 and r.body == b"\0" * 50_000 and r.truncated and r.error_class is None


# Not test_hostile_audit.py's _huge: endless, with a Content-Length no body could match.
def _huge(_req: Request, wfile: BinaryIO, server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10000000000\r\n\r\n")
    while not server.stopping.is_set():
        wfile.write(b"z" * 65_536)


def test_huge_content_length_reads_only_the_cap() -> None:
    with serve({"/huge": raw(_huge)}) as server:
        started = time.monotonic()
        r = HttpClient(_config(server, max_bytes=300_000)).request("GET", server.url("/huge"))
        assert len(r.body) == 300_000 and r.truncated and r.error_class is None
        assert time.monotonic() - started < 3


def _cut_short(_req: Request, wfile: BinaryIO, _server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<title>Half</title>")


def test_body_cut_short_keeps_what_arrived() -> None:
    with serve({"/cut": raw(_cut_short)}) as server:
        r = HttpClient(_config(server)).request("GET", server.url("/cut"))
        assert r.status == 200 and r.body == b"<title>Half</title>"
        assert r.error_class == "protocol" and "broken off" in (r.error or "")


def test_malformed_headers_are_read_leniently_and_logged_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    bad = bad_headers(b"\x00\x01 no colon here", b"<title>Bad headers</title>")
    with serve({"/bad": bad}) as server, caplog.at_level(logging.WARNING):
        result = check_url(HttpClient(_config(server)), server.url("/bad"), _config(server), now=_now)
    assert result.status is LinkStatus.ALIVE and result.http_status == 200  # as a browser would
    assert caplog.records and all(r.exc_info is None and r.exc_text is None for r in caplog.records)
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/html; charset=utf-8", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100),  # an image sent as HTML
        ("text/html", b"PK\x03\x04" + b"\x00" * 5000),  # a zip sent as HTML
        ("image/png", b"<html><head><title>A page</title></head><body>words</body></html>"),
        ("application/json", b"<<<<>>>>" * 10_000),
        ("text/html; charset=no-such-charset", "<title>Caf\u00e9</title>".encode("latin-1")),
    ],
)
def test_wrong_content_type_is_checked_without_failing(content_type: str, body: bytes) -> None:
    with serve({"/x": text(body, content_type=content_type)}) as server:
        result = check_url(HttpClient(_config(server)), server.url("/x"), _config(server), now=_now)
    assert result.status is LinkStatus.ALIVE and result.http_status == 200 and result.error_class is None


@pytest.fixture
def untrusted_tls() -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)  # a CA the client has never heard of
    with serve(text("secret"), tls=context) as server:
        yield server


def test_tls_failure_is_unreachable_with_its_error_class(untrusted_tls: LoopbackServer) -> None:
    config = _config(untrusted_tls)
    result = check_url(HttpClient(config), untrusted_tls.url("/"), config, now=_now)
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "tls"
    assert result.error and result.error.startswith("TLS failed: ") and "certificate verify failed" in result.error
    assert result.http_status is None and [h.status for h in result.hops] == [None]


def _chain(req: Request):
    n = int(req.path.strip("/"))
    return 302, {"Location": f"/{n + 1}"}, b""


@pytest.mark.parametrize(
    "routes, start, error_class, hops",
    [
        ({"/a": redirect("/b"), "/b": redirect("/a")}, "/a", "redirect_loop", 2),
        ({"*": _chain}, "/0", "too_many_redirects", 11),
    ],
)
def test_redirect_trouble_is_unreachable_and_keeps_the_chain(routes, start: str, error_class: str, hops: int) -> None:
    with serve(routes) as server:
        config = _config(server)
        result = check_url(HttpClient(config), server.url(start), config, now=_now)
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == error_class
    assert len(result.hops) == hops and all(h.status == 302 for h in result.hops)


@pytest.mark.slow  # waits out a real deadline
def test_drip_feed_costs_one_deadline_even_with_retries() -> None:
    with serve({"/drip": drip(byte_every=0.5, total=1000)}) as server:
        config = _config(server, timeout=1.5, retries=3)
        started = time.monotonic()
        result = check_url(HttpClient(config), server.url("/drip"), config, now=_now)
        elapsed = time.monotonic() - started
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "timeout"
    assert elapsed < 4  # timeouts are not retried within a run (classify.py)


def _endless_header_line(_req: Request, wfile: BinaryIO, server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
    while not server.stopping.is_set():
        wfile.write(b"a" * 65_536)


def _thousand_headers(_req: Request, wfile: BinaryIO, _server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(1000)) + b"\r\nbody")


@pytest.mark.parametrize("writer", [_endless_header_line, _thousand_headers], ids=["endless-line", "1000-headers"])
def test_header_floods_are_protocol_errors(writer) -> None:
    with serve({"/": raw(writer)}) as server:
        started = time.monotonic()
        r = HttpClient(_config(server)).request("GET", server.url("/"))
        assert r.status is None and r.error_class == "protocol" and time.monotonic() - started < 2


def _silent(_req: Request, _wfile: BinaryIO, server: LoopbackServer) -> None:
    server.stopping.wait()  # takes the request, never answers


def test_a_silent_site_costs_a_few_timeouts_not_one_per_link() -> None:
    """40 links to a site that takes requests and never answers: the breaker stops after three."""
    with serve(raw(_silent)) as server:
        config = _config(server, timeout=0.3, per_host=2)
        urls = [server.url(f"/story/{i}.html") for i in range(40)]
        results = list(check_urls(HttpClient(config), urls, config, now=_now, distinct=True))
        requested = server.count()
    assert sorted(r.url for r in results) == sorted(urls)
    kinds = Counter(r.error_class for r in results)
    assert kinds[ErrorClass.TIMEOUT] <= SILENT_TRIP + 1 and kinds[ErrorClass.SITE_SILENT] >= 40 - SILENT_TRIP - 1
    assert requested <= SILENT_TRIP + 2  # the site's soft-404 probe, and what was in flight at the trip
    assert {r.status for r in results} == {LinkStatus.UNREACHABLE}
