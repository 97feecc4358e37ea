"""HttpClient against a real server on 127.0.0.1: guard, pinning, remap hops, deadlines, caps."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import urllib3.util.connection
from loopback import LoopbackServer, Request, drip, endless_chunked, garbage, raw, redirect, serve, text

from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver

BOMB = gzip.compress(b"\0" * 30_000_000)  # ~30 KB on the wire, 30 MB inflated


def allowing(*servers: LoopbackServer, **http: object) -> HttpClient:
    return HttpClient(HttpConfig(allow_private=tuple(s.netloc for s in servers), **http))  # type: ignore[arg-type]


def test_remap_follows_original_form_locations_back_through_the_mirror() -> None:
    with serve({"/a": redirect("https://docs.example.com/b?x=1"), "/b": text("B")}) as server:
        c = allowing(server, remap=((r"^https://docs\.example\.com/", server.url("/")),))
        r = c.request("GET", "https://docs.example.com/a")
        assert (r.status, r.body) == (200, b"B")
        assert [h.url for h in r.hops] == ["https://docs.example.com/a", "https://docs.example.com/b?x=1"]
        assert [h.requested_url for h in r.hops] == [server.url("/a"), server.url("/b?x=1")]
        assert r.final_url == "https://docs.example.com/b?x=1"
        assert server.count("/a") == server.count("/b") == 1


def test_private_destination_needs_allow_private() -> None:
    with serve({"/": text("hi")}) as server:
        blocked = HttpClient(HttpConfig()).request("GET", server.url("/"))
        assert blocked.error_class == "blocked" and blocked.status is None
        assert server.count() == 0
        allowed = allowing(server).request("GET", server.url("/"))
        assert (allowed.status, allowed.body) == (200, b"hi") and server.count() == 1


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f.1",
        "0x7f000001",
        "127.1",
        "0",
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "localhost",
    ],
)
def test_every_literal_notation_is_blocked_before_sending(host: str) -> None:
    with serve({"*": text("should never be seen")}) as server:
        r = HttpClient(HttpConfig()).request("GET", f"http://{host}:{server.port}/secret")
        assert r.error_class == "blocked" and r.status is None and r.body == b""
        assert server.count() == 0


def test_allowed_address_in_another_notation_connects_to_the_checked_address() -> None:
    with serve({"/": lambda req: (200, {}, req.headers["Host"].encode())}) as server:
        r = allowing(server).request("GET", f"http://0x7f.1:{server.port}/")
        assert r.status == 200 and r.body == f"0x7f.1:{server.port}".encode()


def test_name_resolving_to_private_is_blocked_unless_allowed() -> None:
    with serve({"/": lambda req: (200, {}, req.headers["Host"].encode())}) as server:
        url = f"http://intranet.test:{server.port}/"
        r = HttpClient(HttpConfig(), resolver=fixed_resolver("127.0.0.1")).request("GET", url)
        assert r.error_class == "blocked" and server.count() == 0
        c = HttpClient(
            HttpConfig(allow_private=(f"intranet.test:{server.port}",)), resolver=fixed_resolver("127.0.0.1")
        )
        r = c.request("GET", url)
        # no real DNS knows intranet.test: the answer proves we connected to the checked address
        assert r.status == 200 and r.body == f"intranet.test:{server.port}".encode()


def test_redirect_from_allowed_host_to_private_address_is_blocked() -> None:
    with serve({"/": text("internal")}) as inner, serve({"/go": redirect(inner.url("/"))}) as outer:
        r = allowing(outer).request("GET", outer.url("/go"))
        assert r.error_class == "blocked"
        assert [(h.url, h.status) for h in r.hops] == [(outer.url("/go"), 302), (inner.url("/"), None)]
        assert outer.count("/go") == 1 and inner.count() == 0


class _Rebinding:
    """Answers FIRST on the first lookup and THEN afterwards: a rebinding DNS server."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then, self.calls = first, then, 0
        self._lock = threading.Lock()

    def __call__(self, host: str, port: int) -> list[str]:
        with self._lock:
            self.calls += 1
            return [self.first if self.calls == 1 else self.then]


def test_dns_rebinding_public_then_private_never_reaches_private(monkeypatch: pytest.MonkeyPatch) -> None:
    dialled: list[tuple[str, int]] = []

    def no_outside_network(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        dialled.append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(111, "test: no network beyond 127.0.0.1")
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    real = urllib3.util.connection.create_connection
    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_outside_network)
    with serve({"*": text("internal secret")}) as server:
        resolver = _Rebinding("93.184.216.34", "127.0.0.1")
        r = HttpClient(HttpConfig(), resolver=resolver).request("GET", f"http://rebind.test:{server.port}/")
        # the socket went to the public address that was checked, never to the rebound 127.0.0.1
        assert dialled == [("93.184.216.34", server.port)]
        assert r.error_class == "connection" and r.status is None
        assert server.count() == 0 and resolver.calls == 1


def test_dns_rebinding_checked_address_is_the_one_used() -> None:
    with serve({"/": text("ok")}) as server:
        resolver = _Rebinding("127.0.0.1", "10.255.255.1")
        c = HttpClient(HttpConfig(allow_private=(f"127.0.0.1:{server.port}",)), resolver=resolver)
        r = c.request("GET", f"http://rebind.test:{server.port}/")
        assert (r.status, r.body) == (200, b"ok") and resolver.calls == 1


def test_next_address_is_tried_when_the_first_refuses() -> None:
    with serve({"/": text("second address")}) as server:
        # nothing listens on 127.0.0.2:port (the server is bound to 127.0.0.1 only)
        c = HttpClient(
            HttpConfig(allow_private=(f"dual.test:{server.port}",)), resolver=fixed_resolver("127.0.0.2", "127.0.0.1")
        )
        r = c.request("GET", f"http://dual.test:{server.port}/")
        assert (r.status, r.body) == (200, b"second address") and len(r.hops) == 1


@pytest.mark.slow  # waits out a real deadline
def test_total_deadline_beats_a_drip_feed() -> None:
    with serve({"/drip": drip(byte_every=0.1, total=1000)}) as server:
        started = time.monotonic()
        r = allowing(server).request("GET", server.url("/drip"), timeout=1.0)
        elapsed = time.monotonic() - started
        assert r.error_class == "timeout" and r.status == 200
        assert 0 < len(r.body) < 30
        assert 0.9 <= elapsed < 1.8


def _drip_headers(_req: Request, wfile, server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\n")
    wfile.flush()
    for _ in range(200):
        if server.stopping.wait(0.1):
            return
        wfile.write(b"X-Slow: 1\r\n")
        wfile.flush()


@pytest.mark.slow  # waits out a real deadline
def test_total_deadline_beats_dripping_headers() -> None:
    with serve({"/": raw(_drip_headers)}) as server:
        started = time.monotonic()
        r = allowing(server).request("GET", server.url("/"), timeout=1.0)
        assert r.error_class == "timeout" and time.monotonic() - started < 1.8


@pytest.mark.slow  # waits out a real deadline
def test_total_deadline_spans_redirect_hops() -> None:
    def slow_redirect(req: Request):
        time.sleep(0.4)  # server-side work, not a race: the client's budget is what is measured
        n = int(req.path.strip("/") or 0)
        return 302, {"Location": f"/{n + 1}"}, b""

    with serve({"*": slow_redirect}) as server:
        started = time.monotonic()
        r = allowing(server).request("GET", server.url("/0"), timeout=1.0)
        assert r.error_class == "timeout" and time.monotonic() - started < 1.6
        assert server.count() <= 3


@pytest.mark.slow  # waits out a real deadline
def test_total_deadline_covers_a_hanging_dns_lookup() -> None:
    release = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["93.184.216.34"]

    with HttpClient(HttpConfig(), resolver=hanging) as c:
        started = time.monotonic()
        r = c.request("GET", "https://slow-dns.example/", timeout=0.5)
        elapsed = time.monotonic() - started
    release.set()
    assert r.error_class == "timeout" and r.status is None and 0.4 <= elapsed < 1.5


def test_gzip_bomb_is_capped() -> None:
    with serve({"/bomb": lambda _r: (200, {"Content-Encoding": "gzip"}, BOMB)}) as server:
        r = allowing(server, max_bytes=100_000).request("GET", server.url("/bomb"))
        assert r.status == 200 and r.body == b"\0" * 100_000 and r.truncated and r.error_class is None


def test_endless_chunked_body_is_capped() -> None:
    with serve({"/endless": endless_chunked()}) as server:
        started = time.monotonic()
        r = allowing(server).request("GET", server.url("/endless"), max_bytes=500_000)
        assert len(r.body) == 500_000 and r.truncated and r.error_class is None
        assert time.monotonic() - started < 5


def test_head_reads_no_body() -> None:
    with serve({"/": text("x" * 10_000)}) as server:
        r = allowing(server).request("HEAD", server.url("/"))
        assert r.status == 200 and r.body == b"" and not r.truncated
        assert server.requests[0].method == "HEAD"


@pytest.mark.parametrize("data", [b"THIS IS NOT HTTP\r\n\r\n", b"HTTP/1.1 abc Broken\r\n\r\n"])
def test_invalid_status_line_is_protocol(data: bytes) -> None:
    with serve({"/": garbage(data)}) as server:
        r = allowing(server).request("GET", server.url("/"))
        assert r.error_class == "protocol" and r.status is None and r.error


def test_redirect_loop_and_long_chain_on_the_wire() -> None:
    def hop(req: Request):
        n = int(req.path.strip("/"))
        return 302, {"Location": f"/{n + 1}"}, b""

    with serve({"/loop-a": redirect("/loop-b"), "/loop-b": redirect("/loop-a"), "*": hop}) as server:
        c = allowing(server)
        loop = c.request("GET", server.url("/loop-a"))
        assert loop.error_class == "redirect_loop" and server.count("/loop-a") == 1
        chain = c.request("GET", server.url("/0"))
        assert chain.error_class == "too_many_redirects" and len(chain.hops) == 11
        assert server.count("/10") == 1 and server.count("/11") == 0


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        r = HttpClient(HttpConfig(allow_private=(f"127.0.0.1:{port}",))).request("GET", f"http://127.0.0.1:{port}/")
    assert r.error_class == "connection" and r.status is None


def test_many_threads_share_one_client() -> None:
    with serve(lambda req: (200, {}, req.path.encode())) as server:
        c = allowing(server, concurrency=8)
        paths = [f"/p{i}" for i in range(64)]
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda p: c.request("GET", server.url(p)), paths))
        assert [r.body for r in results] == [p.encode() for p in paths]
        assert server.count() == 64
        c.close()


def test_an_allowed_address_does_not_carry_the_other_addresses_of_a_name() -> None:
    """A name resolving to [a forbidden address, an allowed one] reaches neither: the listener on the
    forbidden address (here 127.0.0.1) must never see the request, whatever address comes first."""
    with serve({"/": text("secret")}) as server:
        for answer in (["127.0.0.1", "127.0.0.2"], ["127.0.0.2", "127.0.0.1"]):
            client = HttpClient(
                HttpConfig(allow_private=(f"127.0.0.2:{server.port}",)),
                resolver=fixed_resolver(*answer),
            )
            response = client.request("GET", f"http://rebind.example:{server.port}/")
            client.close()
            assert response.error_class == "blocked" and "127.0.0.1" in (response.error or "")
        assert server.count() == 0
