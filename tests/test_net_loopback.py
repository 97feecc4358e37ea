"""The loopback server other tests stand on: routing, counting, peaks, raw modes."""

from __future__ import annotations

import http.client
import socket
import threading

from loopback import LoopbackServer, Request, garbage, redirect, serve, text


def _get(server: LoopbackServer, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_routes_answer_and_count() -> None:
    with serve({"/a": text("hello"), "/r": redirect("/a")}) as server:
        assert _get(server, "/a") == (200, b"hello")
        assert _get(server, "/a?x=1")[0] == 200
        assert _get(server, "/missing")[0] == 404
        status, _ = _get(server, "/r")
        assert status == 302
        assert server.count("/a") == 2
        assert server.count("/missing") == 1
        assert server.count() == 4
        assert server.requests[1].query == "x=1"


def test_single_callable_serves_every_path() -> None:
    with serve(lambda req: (201, {}, req.path.encode())) as server:
        assert _get(server, "/x/y") == (201, b"/x/y")


def test_in_flight_peak_is_recorded() -> None:
    gate = threading.Barrier(3, timeout=5)

    def slow(_req: Request):
        gate.wait()
        return 200, {}, b"ok"

    with serve({"/slow": slow}) as server:
        threads = [threading.Thread(target=_get, args=(server, "/slow")) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert server.peak("/slow") == 3
        assert server.peak() == 3


def test_raw_garbage_is_sent_verbatim() -> None:
    with (
        serve({"/bad": garbage(b"NOPE\r\n\r\n")}) as server,
        socket.create_connection((server.host, server.port), timeout=5) as sock,
    ):
        sock.sendall(b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(100).startswith(b"NOPE")


def test_fixture_form(loopback) -> None:
    server = loopback({"/": text("root")})
    assert _get(server, "/") == (200, b"root")
