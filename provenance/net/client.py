"""The one HTTP door: every request of every stage goes through `HttpClient.request`.

Redirects are followed by hand so that each hop is remapped (`http.remap`) and checked by the
private-address guard before it is sent, and so the whole chain is recorded in original form.
The connection goes to the exact address the guard checked (see `PinnedAdapter`).  One `timeout`
covers connect, every read and every hop; bodies are read in small pieces against that deadline
and decoded with a cap, so neither a drip-feeding server nor a gzip bomb can hold a worker.
Network trouble is returned as a `Response` with `error_class`, never raised.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict

from ..config import HttpConfig
from ..records import ErrorClass, Hop
from ..version import __version__
from .base import Response
from .decode import read_body
from .guard import PIN_ATTRIBUTE, Guard, HostError, PinnedAdapter, Watch, Watchdog
from .remap import RemapError, compile_rules, remap, url_problem

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _OneLineWarnings(logging.Filter):
    """urllib3 logs a server's malformed headers as a WARNING with a traceback; keep the one line.

    The answer itself goes on (and is judged like any other), and "no traceback without --debug"
    holds against hostile servers too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("urllib3.connection").addFilter(_OneLineWarnings())
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_ADDRESSES = 4  # addresses of one name tried in turn when connecting fails
_DEFAULT_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}  # only what decode.CappedDecoder can cap


@dataclass
class _Chain:
    """Mutable state of one request() call (local to the call: thread-safe by construction)."""

    url: str
    started: float
    deadline: float
    hops: list[Hop] = field(default_factory=list)
    jar: RequestsCookieJar = field(default_factory=RequestsCookieJar)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def result(
        self,
        final_url: str,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        truncated: bool = False,
        error: str | None = None,
        error_class: ErrorClass | None = None,
    ) -> Response:
        return Response(
            self.url,
            final_url,
            status,
            headers if headers is not None else CaseInsensitiveDict(),
            body,
            truncated,
            tuple(self.hops),
            (time.monotonic() - self.started) * 1000.0,
            error,
            error_class,
        )


class HttpClient:
    """Thread-safe: one pooled adapter shared by all workers; per-call state is local (_Chain)."""

    def __init__(
        self, config: HttpConfig, *, resolver: Callable[[str, int], list[str]] | None = None, version: str = __version__
    ) -> None:
        self.config = config
        self._rules = compile_rules(config.remap)
        pool = max(1, config.concurrency)
        self._lookups = ThreadPoolExecutor(pool, thread_name_prefix="provenance-dns")
        self._guard = Guard(config.allow_private, resolver, self._lookups)
        try:
            self._user_agent = config.user_agent.format(version=version, contact=config.contact)
        except (KeyError, IndexError, ValueError):
            self._user_agent = config.user_agent  # an operator's literal string with stray braces
        # No Session: its send() reads redirect bodies in full and honours env proxies (which
        # would bypass the guard).  Cookies live per call (see _Chain); the adapter pools.
        self._adapter = PinnedAdapter(pool_connections=max(16, 2 * pool), pool_maxsize=pool, max_retries=0)
        self._watchdog = Watchdog()  # one thread enforces every hop's deadline (see guard.Watch)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections and the lookup threads."""
        self._adapter.close()
        self._lookups.shutdown(wait=False, cancel_futures=True)
        self._watchdog.close()

    def remap(self, url: str) -> str:
        """The URL that would be requested for URL (after http.remap)."""
        return remap(url, self._rules)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        follow_redirects: bool = True,
        timeout: float | None = None,
    ) -> Response:
        """METHOD URL with remap, guard, redirects, total deadline and body cap; never raises for network trouble."""
        started = time.monotonic()
        budget = self.config.timeout if timeout is None else timeout
        chain = _Chain(url, started, started + budget)
        limit = self.config.max_bytes if max_bytes is None else max(0, max_bytes)
        method = method.upper()
        extra = dict(headers or {})
        current = url
        seen: set[tuple[str, str, frozenset[tuple[str, ...]]]] = set()
        status: int | None = None
        while True:
            key = (method, current, _jar_state(chain.jar))
            if key in seen:
                return chain.result(
                    current, status, error=f"redirect loop back to {current}", error_class=ErrorClass.REDIRECT_LOOP
                )
            seen.add(key)
            step = self._hop(chain, method, current, extra, limit, follow_redirects, budget)
            if isinstance(step, Response):
                return step
            location, status = step
            try:
                target = urljoin(current, location)  # against the ORIGINAL form of this hop
                if not urlsplit(target).fragment and urlsplit(current).fragment:
                    target = f"{target}#{urlsplit(current).fragment}"  # RFC 9110 10.2.2
                same_host = urlsplit(target).hostname == urlsplit(current).hostname
            except ValueError as exc:
                return chain.result(
                    current, status, error=f"unusable Location {location!r}: {exc}", error_class=ErrorClass.INVALID_URL
                )
            if len(chain.hops) > self.config.max_redirects:
                return chain.result(
                    current,
                    status,
                    error=f"more than {self.config.max_redirects} redirects",
                    error_class=ErrorClass.TOO_MANY_REDIRECTS,
                )
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method = "GET"
            if not same_host:
                extra = {k: v for k, v in extra.items() if k.lower() not in ("authorization", "cookie")}
            current = target

    def _hop(
        self, chain: _Chain, method: str, url: str, extra: dict[str, str], limit: int, follow: bool, budget: float
    ) -> Response | tuple[str, int]:
        """One request; a Response when the chain ends here, else (Location, status) to follow."""
        try:
            requested = self.remap(url)
        except RemapError as exc:
            chain.hops.append(Hop(url, None))
            return chain.result(url, error=str(exc), error_class=ErrorClass.INVALID_URL)
        prepared, problem = self._prepare(method, requested, extra, chain.jar)
        if prepared is None:
            chain.hops.append(Hop(url, None, requested))
            return chain.result(url, error=problem, error_class=ErrorClass.INVALID_URL)
        parts = urlsplit(_url_of(prepared))
        host = parts.hostname or ""
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
        try:
            verdict = self._guard.check(host, port, timeout=chain.remaining())
        except HostError as exc:
            chain.hops.append(Hop(url, None, requested))
            return chain.result(url, error=str(exc), error_class=ErrorClass.INVALID_URL)
        if verdict.blocked or verdict.dns_error:
            chain.hops.append(Hop(url, None, requested))
            if verdict.blocked:
                return chain.result(url, error=f"blocked: {verdict.blocked}", error_class=ErrorClass.BLOCKED)
            return chain.result(
                url, error=verdict.dns_error, error_class=ErrorClass.TIMEOUT if verdict.timed_out else ErrorClass.DNS
            )
        remaining = chain.remaining()
        if remaining <= 0:
            return chain.result(
                url, error=f"timed out after {budget:g}s (total deadline)", error_class=ErrorClass.TIMEOUT
            )
        with Watch(chain.deadline, self._watchdog) as watch:
            addresses = verdict.addresses[:_MAX_ADDRESSES]
            for i, address in enumerate(addresses):
                setattr(prepared, PIN_ATTRIBUTE, address)
                remaining = chain.remaining()
                connect = remaining / (len(addresses) - i)  # leave time for the other addresses
                try:
                    with self._adapter.watching(watch):
                        resp = self._adapter.send(
                            prepared, stream=True, timeout=(connect, remaining), verify=True, cert=None, proxies={}
                        )
                    break
                except _NETWORK_ERRORS as exc:  # the one place network exceptions become values
                    if i + 1 < len(addresses) and _not_connected(exc) and chain.remaining() > 0:
                        continue  # e.g. an IPv6 answer on a host without IPv6: try the next address
                    chain.hops.append(Hop(url, None, requested))
                    error_class, message = classify(exc, budget)
                    if watch.fired or chain.remaining() <= 0:
                        error_class, message = ErrorClass.TIMEOUT, f"timed out after {budget:g}s (total deadline)"
                    return chain.result(url, error=message, error_class=error_class)
            try:
                return self._answer(chain, resp, prepared, method, url, requested, limit, follow, budget, watch)
            finally:
                resp.close()

    def _answer(
        self,
        chain: _Chain,
        resp: requests.Response,
        prepared: requests.PreparedRequest,
        method: str,
        url: str,
        requested: str,
        limit: int,
        follow: bool,
        budget: float,
        watch: Watch,
    ) -> Response | tuple[str, int]:
        """Record the hop; return the Location to follow, or read the body and finish."""
        extract_cookies_to_jar(chain.jar, prepared, resp.raw)  # type: ignore[no-untyped-call]  # unannotated in requests
        location = resp.headers.get("Location")
        if location is not None:
            location = _header_text(location)
        chain.hops.append(
            Hop(url, resp.status_code, requested, location if resp.status_code in REDIRECT_STATUSES else None)
        )
        if follow and resp.status_code in REDIRECT_STATUSES and location:
            return location, resp.status_code
        want = 0 if method == "HEAD" else limit
        got = read_body(resp.raw, want, chain.deadline, resp.headers.get("Content-Encoding"))
        error_class, message = got.error_class, got.error
        if watch.fired or error_class is ErrorClass.TIMEOUT:  # a cut-off socket can look like a clean EOF
            error_class = ErrorClass.TIMEOUT
            message = f"timed out after {budget:g}s (total deadline) while reading the body"
        return chain.result(url, resp.status_code, resp.headers, got.body, got.truncated, message, error_class)

    def _prepare(
        self, method: str, url: str, extra: Mapping[str, str], jar: RequestsCookieJar
    ) -> tuple[requests.PreparedRequest | None, str | None]:
        problem = url_problem(url)
        if problem:
            return None, problem
        scheme = urlsplit(url.strip()).scheme.lower()
        headers = {"User-Agent": self._user_agent, **_DEFAULT_HEADERS, **extra}
        try:
            prepared = requests.Request(method, url.strip(), headers=headers, cookies=jar).prepare()
        except (requests.RequestException, ValueError, UnicodeError) as exc:
            return None, f"cannot parse URL: {one_line(exc)}"
        # The pinned connection speaks to an IP; name the site ourselves (urllib3 would send the IP).
        netloc = urlsplit(_url_of(prepared)).netloc.rsplit("@", 1)[-1]
        prepared.headers.setdefault("Host", _host_header(netloc, scheme))
        return prepared, None


_NETWORK_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
    ValueError,
)


def classify(exc: BaseException, budget: float) -> tuple[ErrorClass, str]:
    """(error_class, one readable line) for an exception raised while sending a request."""
    chain = _causes(exc)
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, yet means "refused/unreachable".
    if any(
        isinstance(e, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError))
        and not isinstance(e, urllib3.exceptions.NewConnectionError)
        for e in chain
    ):
        return ErrorClass.TIMEOUT, f"timed out after {budget:g}s (total deadline)"
    if any(isinstance(e, (requests.exceptions.SSLError, ssl.SSLError, urllib3.exceptions.SSLError)) for e in chain):
        return ErrorClass.TLS, f"TLS failed: {one_line(chain[-1])}"
    if any(isinstance(e, urllib3.exceptions.NameResolutionError) for e in chain):
        return ErrorClass.DNS, f"cannot resolve host: {one_line(chain[-1])}"
    if any(
        isinstance(
            e,
            (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
                urllib3.exceptions.LocationParseError,
            ),
        )
        for e in chain
    ):
        return ErrorClass.INVALID_URL, f"invalid URL: {one_line(exc)}"
    if any(
        isinstance(
            e,
            (
                ConnectionRefusedError,
                ConnectionResetError,
                ConnectionAbortedError,
                urllib3.exceptions.NewConnectionError,
                http.client.RemoteDisconnected,
            ),
        )
        for e in chain
    ):
        return ErrorClass.CONNECTION, f"connection failed: {one_line(chain[-1])}"
    if any(
        isinstance(
            e,
            (
                http.client.HTTPException,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                urllib3.exceptions.ProtocolError,
                requests.exceptions.InvalidHeader,
            ),
        )
        for e in chain
    ):
        return ErrorClass.PROTOCOL, f"not a valid HTTP answer: {one_line(chain[-1])}"
    return ErrorClass.CONNECTION, f"connection failed: {one_line(chain[-1])}"


def _not_connected(exc: BaseException) -> bool:
    """The request never reached a server (refused, unreachable, connect timeout): another address may."""
    return any(
        isinstance(
            e,
            (
                urllib3.exceptions.NewConnectionError,
                urllib3.exceptions.ConnectTimeoutError,
                requests.exceptions.ConnectTimeout,
            ),
        )
        for e in _causes(exc)
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """EXC, the exceptions it wraps (args, __cause__, __context__, urllib3 .reason), outermost first."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < 20:
        e = todo.pop(0)
        if e in out:
            continue
        out.append(e)
        nested = [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
        nested += [x for x in (getattr(e, "reason", None), e.__cause__, e.__context__) if isinstance(x, BaseException)]
        todo.extend(nested)
    return out


def one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}"


def _url_of(prepared: requests.PreparedRequest) -> str:
    """The URL of a prepared request (`prepare()` always sets it; the stubs allow None)."""
    assert prepared.url is not None
    return prepared.url


def _host_header(netloc: str, scheme: str) -> str:
    default = f":{_DEFAULT_PORTS[scheme]}"
    return netloc[: -len(default)] if netloc.endswith(default) else netloc


def _header_text(value: str) -> str:
    """Header values arrive latin-1 decoded; servers mostly send UTF-8 Locations (as requests does)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _jar_state(jar: RequestsCookieJar) -> frozenset[tuple[str, ...]]:
    return frozenset((c.domain, c.path, c.name, c.value or "") for c in jar)
