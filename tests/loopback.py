"""A real HTTP server on 127.0.0.1 for tests: routes, hostile raw modes, request counting.

Why real: the client's deadlines, redirects, decompression and address guard only show their
behaviour against actual sockets.  Usage::

    from loopback import serve  # tests/ is on sys.path (no __init__.py)
    with serve({"/a": lambda req: (200, {"Content-Type": "text/plain"}, b"hi")}) as server:
        url = server.url("/a")
        ...
        assert server.count("/a") == 1

A route value is a callable ``Request -> (status, headers, body)`` or ``raw(fn)`` where
``fn(request, wfile, server)`` writes bytes straight to the socket (drip-feed, broken status
lines, endless chunked bodies); raw writers should stop when ``server.stopping`` is set.
The key ``"*"`` catches every path not listed; anything else answers 404.
A single callable instead of a mapping serves every path.
"""

from __future__ import annotations

import contextlib
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pytest

Reply = tuple[int, Mapping[str, str], bytes]


@dataclass(frozen=True)
class Request:
    """What the server received, for handlers and for assertions."""

    method: str
    path: str  # without the query string
    query: str
    headers: Mapping[str, str]
    body: bytes
    target: str  # the raw request target (path + query)


@dataclass(frozen=True)
class raw:
    """Marks a route whose function writes the whole response itself."""

    fn: Callable[[Request, BinaryIO, LoopbackServer], None]


Route = Callable[[Request], Reply] | raw


@dataclass
class LoopbackServer:
    """Handle given to tests: URLs, counts, in-flight peaks, the received requests."""

    host: str
    port: int
    scheme: str = "http"
    stopping: threading.Event = field(default_factory=threading.Event)
    requests: list[Request] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)
    _in_flight: Counter[str] = field(default_factory=Counter)
    _peaks: Counter[str] = field(default_factory=Counter)
    _total_in_flight: int = 0
    _total_peak: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str = "/", host: str | None = None) -> str:
        """URL of PATH here; HOST names the server differently (resolve it to 127.0.0.1 yourself)."""
        base = self.base if host is None else f"{self.scheme}://{host}:{self.port}"
        return base + (path if path.startswith("/") else "/" + path)

    def count(self, path: str | None = None) -> int:
        """Requests received for PATH (all paths when None)."""
        with self._lock:
            return sum(self._counts.values()) if path is None else self._counts[path]

    def peak(self, path: str | None = None) -> int:
        """Most requests in flight at once, for PATH or over all paths."""
        with self._lock:
            return self._total_peak if path is None else self._peaks[path]

    def _enter(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self._counts[request.path] += 1
            self._in_flight[request.path] += 1
            self._peaks[request.path] = max(self._peaks[request.path], self._in_flight[request.path])
            self._total_in_flight += 1
            self._total_peak = max(self._total_peak, self._total_in_flight)

    def _leave(self, request: Request) -> None:
        with self._lock:
            self._in_flight[request.path] -= 1
            self._total_in_flight -= 1


def _handler_class(routes: Mapping[str, Route] | Route, state: LoopbackServer) -> type:
    def lookup(path: str) -> Route | None:
        if not isinstance(routes, Mapping):
            return routes
        return routes.get(path) or routes.get("*")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                self.command, parts.path or "/", parts.query, {k: v for k, v in self.headers.items()}, body, self.path
            )
            state._enter(request)
            try:
                route = lookup(request.path)
                if isinstance(route, raw):
                    self.close_connection = True
                    try:
                        route.fn(request, self.wfile, state)
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client hung up: exactly what hostile tests provoke
                    return
                status, headers, payload = (404, {}, b"not found") if route is None else route(request)
                self.send_response(status)
                lower = {k.lower() for k in headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                if "content-length" not in lower and "transfer-encoding" not in lower:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(payload)
            finally:
                state._leave(request)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = _serve

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a drip-feeding handler must not hold up the test's exit

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up mid-answer: what caps and deadlines are meant to do
        super().handle_error(request, client_address)


@contextmanager
def serve(routes: Mapping[str, Route] | Route, *, tls: ssl.SSLContext | None = None) -> Iterator[LoopbackServer]:
    """Run a ThreadingHTTPServer on 127.0.0.1:0 in a daemon thread for the with-block (HTTPS with TLS)."""
    state = LoopbackServer("127.0.0.1", 0, "https" if tls else "http")
    httpd = _Server(("127.0.0.1", 0), _handler_class(routes, state))
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name=f"loopback-{state.port}"
    )
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def loopback() -> Iterator[Callable[[Mapping[str, Route] | Route], LoopbackServer]]:
    """Fixture form: ``server = loopback(routes)``; every server started is stopped after the test."""
    stack: list[Any] = []

    def start(routes: Mapping[str, Route] | Route) -> LoopbackServer:
        cm = serve(routes)
        server = cm.__enter__()
        stack.append(cm)
        return server

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


# ---- ready-made replies and hostile writers -------------------------------------------------


def text(
    body: str | bytes, status: int = 200, content_type: str = "text/html; charset=utf-8", **headers: str
) -> Callable[[Request], Reply]:
    """A route answering a fixed body."""
    payload = body.encode("utf-8") if isinstance(body, str) else body
    return lambda _req: (status, {"Content-Type": content_type, **headers}, payload)


def redirect(location: str, status: int = 302) -> Callable[[Request], Reply]:
    """A route answering a redirect to LOCATION (sent verbatim)."""
    return lambda _req: (status, {"Location": location}, b"")


def drip(byte_every: float = 1.0, total: int = 10_000) -> raw:
    """Headers at once, then one body byte every BYTE_EVERY seconds (a slow-loris server)."""

    def write(_req: Request, wfile: BinaryIO, server: LoopbackServer) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + f"Content-Length: {total}\r\n\r\n".encode())
        wfile.flush()
        for _ in range(total):
            if server.stopping.wait(byte_every):
                return
            wfile.write(b"x")
            wfile.flush()

    return raw(write)


def endless_chunked(chunk: bytes = b"x" * 65536) -> raw:
    """A chunked body that never ends (until the client hangs up or the server stops)."""

    def write(_req: Request, wfile: BinaryIO, server: LoopbackServer) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not server.stopping.is_set():
            wfile.write(frame)

    return raw(write)


def garbage(data: bytes = b"THIS IS NOT HTTP\r\n\r\n") -> raw:
    """Writes DATA instead of a status line, then closes."""

    def write(_req: Request, wfile: BinaryIO, _server: LoopbackServer) -> None:
        wfile.write(data)

    return raw(write)


def bad_headers(junk: bytes, body: bytes) -> raw:
    """A 200 with a Content-Length that is not a number and JUNK, a header line without a colon."""

    def write(_req: Request, wfile: BinaryIO, _server: LoopbackServer) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n" + junk + b"\r\nContent-Type: text/html\r\n\r\n"
        wfile.write(head + body)

    return raw(write)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll PREDICATE until true or TIMEOUT; for asserting on server-side effects without sleeps that race."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """End a server a test started: SIGTERM, then SIGKILL if it has not gone within `timeout`."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
