"""The private-address guard: which destinations a request may reach.

A link in a document must not make the checker talk to the machine it runs on or its network
(SSRF).  The guard resolves the destination once, refuses if ANY address is non-public, and hands
back the addresses it checked so the client connects to exactly those (a DNS answer that changes
between check and connect cannot slip past).  Host literals are read the way browsers and
inet_aton read them (WHATWG URL "IPv4 parser"): `2130706433`, `0177.0.0.1`, `0x7f.1` are all
127.0.0.1, so a notation trick cannot hide a private address from the check.

The transport that enforces the verdict lives here too: `PinnedAdapter` connects to the checked
address, and `Watch` holds every socket read of a hop to the request's total deadline.
"""

from __future__ import annotations

import contextlib
import heapq
import ipaddress
import itertools
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")


class HostError(ValueError):
    """A host that cannot be a destination at all (e.g. `999.1.1.1`); the URL is invalid."""


def _ipv4_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        if not all(c in "01234567" for c in part):
            raise HostError(f"bad octal number {part!r} in host")
        return int(part, 8)
    return int(part, 10)


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """WHATWG/inet_aton IPv4: 1 to 4 dec/oct/hex parts; None when HOST is not numeric."""
    labels = host[:-1].split(".") if host.endswith(".") and host != "." else host.split(".")
    if not labels or not _NUMBER.match(labels[-1]):
        return None  # does not end in a number: a name, not an address
    if len(labels) > 4 or not all(_NUMBER.match(label) for label in labels):
        raise HostError(f"host {host!r} ends in a number but is not an IPv4 address")
    numbers = [_ipv4_number(label) for label in labels]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise HostError(f"host {host!r} is an IPv4 address out of range")
    value = last
    for i, n in enumerate(head):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def parse_literal(host: str) -> Address | None:
    """The address a host literal denotes (`[::1]`, `::1`, `0x7f.1`...), or None for a name."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare.split("%", 1)[0])
        except ValueError as exc:
            raise HostError(f"bad IPv6 literal {host!r}") from exc
    return parse_ipv4(bare)


def forbidden_reason(address: Address) -> str | None:
    """Why ADDRESS must not be contacted ('loopback', 'private', ...), or None when public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64:  # DNS64 answers for IPv4-only sites: judge the IPv4 inside
            inner = forbidden_reason(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
            return f"{inner} (embedded in {address})" if inner else None
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is not None:
            inner = forbidden_reason(embedded)
            if inner:
                return f"{inner} (embedded in {address})"
    for reason in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{reason}"):
            return reason.replace("_", "-")
    if not address.is_global:
        return "not globally routable"  # e.g. 100.64.0.0/10 shared address space
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, TCP only, families this host can reach, in the order the system prefers them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG)
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


def fixed_resolver(*addresses: str) -> Resolver:
    """A resolver answering ADDRESSES for every name: for tests that must not touch DNS."""
    answer = list(addresses)
    return lambda _host, _port: list(answer)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: the addresses to connect to, or why not."""

    host: str
    port: int
    addresses: tuple[str, ...] = ()
    blocked: str | None = None  # readable reason when refused
    dns_error: str | None = None  # the name did not resolve
    timed_out: bool = False  # ... in the time the request had left

    @property
    def ok(self) -> bool:
        return self.blocked is None and self.dns_error is None and bool(self.addresses)


class Guard:
    """Checks destinations against the private-address rule, with `host:port` exemptions."""

    def __init__(
        self, allow_private: Iterable[str] = (), resolver: Resolver | None = None, executor: Executor | None = None
    ) -> None:
        self._allowed = frozenset(_norm_allow(item) for item in allow_private)
        self._resolve = resolver or system_resolver
        self._executor = executor  # when given, lookups are bounded by check()'s timeout

    def allowed(self, host: str, port: int) -> bool:
        return _norm_allow(f"{_bracket(host)}:{port}") in self._allowed

    def check(self, host: str, port: int, timeout: float | None = None) -> Verdict:
        """Resolve HOST once and judge every address; raises HostError for impossible literals."""
        literal = parse_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                if self._executor is None or timeout is None:
                    answers = self._resolve(host, port)
                else:  # getaddrinfo has no timeout of its own; the abandoned lookup ends by itself
                    answers = self._executor.submit(self._resolve, host, port).result(max(timeout, 0.001))
            except FutureTimeout:
                return Verdict(host, port, dns_error=f"resolving {host} took too long", timed_out=True)
            except (OSError, UnicodeError) as exc:
                return Verdict(host, port, dns_error=f"cannot resolve {host}: {_oneline(exc)}")
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in answers]
            except ValueError as exc:
                return Verdict(host, port, dns_error=f"resolver gave a non-address for {host}: {exc}")
            if not addresses:
                return Verdict(host, port, dns_error=f"cannot resolve {host}: no addresses")
        # Every address is judged on its own: an exemption for one address (127.0.0.2:8080) says
        # nothing of the others a name resolves to, so a name resolving to [metadata service, allowed
        # address] is refused, as is any name that mixes public and private addresses.
        name_exempt = self.allowed(host, port)
        for address in addresses:
            reason = None if name_exempt or self.allowed(str(address), port) else forbidden_reason(address)
            if reason:
                shown = host if str(address) == host else f"{host} ({address})"
                return Verdict(host, port, blocked=f"{shown}:{port} is a {reason} address, not in http.allow_private")
        return Verdict(host, port, tuple(str(a) for a in addresses))


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _norm_allow(item: str) -> str:
    return item.strip().lower().rstrip("/")


def _oneline(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


PIN_ATTRIBUTE = "provenance_pinned_address"


class Watchdog:
    """One thread that fires every registered Watch at its deadline.

    A `threading.Timer` per hop costs a thread start and a thread switch per request, which at a
    few hundred requests a second is a share of the checker's CPU.  Here one daemon thread sleeps
    until the earliest deadline; a finished Watch is only marked, and dropped from the heap when
    its deadline comes up (or when most of the heap is finished).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, watch: Watch) -> None:
        """Fire WATCH at its deadline unless it is finished first."""
        with self._cond:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="provenance-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._heap[0][2] is watch:
                self._cond.notify()
            if len(self._heap) > 1024 and sum(1 for *_, w in self._heap if w.finished) > len(self._heap) // 2:
                self._heap = [entry for entry in self._heap if not entry[2].finished]
                heapq.heapify(self._heap)

    def close(self) -> None:
        """Stop the thread; watches still pending are not fired."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                due: list[Watch] = []
                while not due:
                    if self._closed:
                        return
                    now = time.monotonic()
                    while self._heap and self._heap[0][0] <= now:
                        watch = heapq.heappop(self._heap)[2]
                        if not watch.finished:
                            due.append(watch)
                    if not due:
                        self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for watch in due:  # outside the lock: firing shuts a socket down
                watch.fire()


class Watch:
    """One hop's deadline, enforced on the socket: when it passes, the socket is shut down.

    Socket timeouts only bound each recv(); a server sending a header line or a chunk-size byte
    every second would never trip them.  Shutting the socket down at the deadline (from the
    client's `Watchdog`) ends any read in any phase (status line, headers, chunked framing, body).
    """

    def __init__(self, deadline: float, watchdog: Watchdog) -> None:
        self.deadline = deadline
        self.fired = False
        self.finished = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._watchdog = watchdog

    def __enter__(self) -> Watch:
        self._watchdog.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.finished = True
            self._sock = None

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired:
            _shutdown(sock)

    def fire(self) -> None:
        """The deadline passed: shut the attached socket down (a finished hop is left alone)."""
        with self._lock:
            if self.finished:
                return
            self.fired = True
            sock = self._sock
        if sock is not None:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain-socket method, also under TLS


class PinnedAdapter(HTTPAdapter):
    """Connects to the address the guard checked, not to whatever DNS says a moment later.

    The client sets `PIN_ATTRIBUTE` on the PreparedRequest; the pool is then opened to that IP
    while TLS still sends SNI for, and verifies the certificate against, the URL's host name
    (`server_hostname` / `assert_hostname`, both part of urllib3's pool key, so pools of
    different sites never mix).  `send` is not overridden, so `responses` still intercepts it.
    Its connections hand their socket to the calling thread's `Watch` (see `watching`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._local = threading.local()  # per adapter, per thread: the Watch of the hop in progress
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        local = self._local

        def watched(base: type) -> type:
            class Watched(base):  # type: ignore[misc]  # a base class chosen at run time
                def getresponse(self, *a: Any, **kw: Any) -> Any:
                    watch = getattr(local, "watch", None)
                    if watch is not None and self.sock is not None:
                        watch.attach(self.sock)
                    return super().getresponse(*a, **kw)

            return Watched

        class Pool(HTTPConnectionPool):
            ConnectionCls = watched(HTTPConnection)

        class TLSPool(HTTPSConnectionPool):
            ConnectionCls = watched(HTTPSConnection)

        self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": TLSPool}

    @contextmanager
    def watching(self, watch: Watch) -> Iterator[None]:
        """Requests sent by this thread inside the block are cut off at WATCH's deadline."""
        self._local.watch = watch
        try:
            yield
        finally:
            self._local.watch = None

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None, cert: Any = None) -> Any:
        pinned = getattr(request, PIN_ATTRIBUTE, None)
        if pinned is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        host_params["host"] = pinned
        if host_params["scheme"] == "https":
            # urllib3 takes both; the requests stubs' TypedDict lists fewer keys than urllib3 accepts
            pool_kwargs["server_hostname"] = name  # type: ignore[typeddict-unknown-key]
            pool_kwargs["assert_hostname"] = name  # type: ignore[typeddict-unknown-key]
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)
