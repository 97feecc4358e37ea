"""Check links: fetch each once, retry only what is transient, and keep the evidence.

Method: a link whose path names a binary file (.pdf, .zip, images, video...) is asked with HEAD
(confirmed with GET when the server mishandles HEAD: 405, 501, 403...).  Every other link is
fetched with GET capped at `PAGE_BYTES`: for an HTML page we need its title, text fingerprint,
own date and a soft-404 test anyway, and HEAD-then-GET would cost two round trips per page.
64 KiB holds the head (title, dates, canonical) and the opening of the article, so a 2 MiB page
is never read whole.  A target's date is read from what it declares (JSON-LD, meta tags, an
element marked published) and its URL only (`dates="metadata"`): htmldate's text search costs
more CPU than the rest of the check, and temporal_mismatch needs the target's own metadata.  A step
makes every request the check needs (the page, a video's oEmbed answer, the site's probe when
it is not in yet) and hands the parsing to the scheduler as `Then` work: pages are parsed one at
a time (`PARSERS`), off the request slots.  Parsing is pure CPU under the GIL: many threads
parsing at once contend for it, and threads queueing for one parser inside their slots would
leave the slots idle (docs/performance.md).
Retries (exponential back-off with jitter, or Retry-After for 429/503, up to
`retry_after_max`) happen between steps of a `UrlCheck`, so under `check_urls` a waiting retry
holds no worker (see scheduler.py).  Timeouts are not retried within a run: the deadline was
spent once already and the schedule re-checks failing links later.  Each site's soft-404 probe
is a job of its own (`ProbeJob`), queued before the site's first page, so no page holds a slot
while the probe is fetched: a page whose answer arrives while its site's probe is still in
flight keeps the answer and steps aside (`Again(PROBE_POLL)`) instead of waiting in its slot
(a probe that times out would otherwise hold pages of its site for the whole timeout).
Classification lives in classify.py only; soft 404s in soft404.py; videos in media.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

from ..clock import Clock, utcnow
from ..config import HttpConfig
from ..domains import registrable_domain
from ..net.base import Client, Response
from ..page.extract import parse_page
from ..records import CheckResult, ErrorClass, LinkStatus, PageInfo
from ..textnorm import fingerprint
from .classify import RETRY_AFTER_STATUSES, Verdict, classify, head_refused, is_transient, retries_for
from .media import MediaAnswer, check_media, media_item
from .scheduler import Again, Breaker, HostScheduler, Then, run_inline
from .soft404 import (
    PageSignature,
    ProbeCache,
    error_page_reason,
    generic_redirect_reason,
    parked_reason,
    probe_url,
    signature,
    similar_pages,
)

_Outcome = TypeVar("_Outcome")

PAGE_BYTES = 64 * 1024
BACKOFF_BASE = 0.5
PROBE_POLL = 0.05  # seconds between looks at a site's probe that is still being fetched
PARSERS = 1  # pages parsed at once, off the request slots: parsing is CPU under the GIL
# A site that answers none of this many attempts in a row (timeouts, refused connections) gets no
# more requests this run: its other links are unreachable, not tried (scheduler.Breaker).
SILENT_TRIP = 3
UNANSWERED = frozenset({ErrorClass.TIMEOUT, ErrorClass.CONNECTION})
_BINARY_SUFFIXES = frozenset(
    {
        "pdf",
        "zip",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "7z",
        "rar",
        "tar",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "svg",
        "tif",
        "tiff",
        "bmp",
        "ico",
        "mp3",
        "mp4",
        "m4a",
        "m4v",
        "mov",
        "avi",
        "mkv",
        "webm",
        "ogg",
        "wav",
        "flac",
        "exe",
        "msi",
        "dmg",
        "iso",
        "apk",
        "deb",
        "rpm",
        "whl",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "epub",
        "csv",
        "bin",
        "dat",
        "woff",
        "woff2",
        "ttf",
    }
)


def site_of(url: str) -> str:
    """The politeness key: the host of the link's original URL (not of any remap target)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def wants_head(url: str) -> bool:
    """HEAD is enough (and much cheaper) for a link whose path names a binary file."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1].lower() in _BINARY_SUFFIXES


def retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Retry-After as seconds from NOW (RFC 9110 10.2.3: delay-seconds or an HTTP-date)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _is_html(headers: Mapping[str, str], body: bytes) -> bool:
    ctype = _header(headers, "content-type")
    if ctype:
        return "html" in ctype.lower()
    return body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _html_page(response: Response) -> bool:
    """A 2xx answer with an HTML body: the only kind that is parsed (and compared with a probe)."""
    return (
        response.status is not None
        and 200 <= response.status < 300
        and bool(response.body)
        and _is_html(response.headers, response.body)
    )


class UrlCheck:
    """The check of one URL as a small state machine: `step()` returns a result, `Again(delay)`, or
    `Then(work)` whose work (parsing, no network) gives the result."""

    __slots__ = ("client", "url", "config", "now", "probes", "rng", "attempt", "note", "fetched")

    def __init__(
        self,
        client: Client,
        url: str,
        config: HttpConfig,
        now: Clock,
        probes: ProbeCache,
        rng: random.Random | None = None,
    ) -> None:
        self.client, self.url, self.config, self.now, self.probes = client, url, config, now, probes
        self.rng = rng or random.Random()
        self.attempt = 0
        self.note: str | None = None
        self.fetched: tuple[Response, str] | None = None  # an answer kept while the site's probe is awaited

    def step(self) -> CheckResult | Again | Then[CheckResult]:
        """One attempt: fetch, then finish, hand the parsing over, or ask to be run again after a delay."""
        return self._guarded(self._step)

    def _guarded(self, work: Callable[..., _Outcome], *args: object) -> _Outcome | CheckResult:
        """WORK(*ARGS), with a checker bug turned into this link's `internal` result (the step's and the parsing's)."""
        try:
            return work(*args)
        except Exception as exc:  # noqa: BLE001 - a checker bug must cost one link, not the run
            return CheckResult(
                self.url,
                LinkStatus.UNCHECKED,
                self.now(),
                error=f"checker failed: {type(exc).__name__}: {exc}",
                error_class=ErrorClass.INTERNAL,
            )

    def not_tried(self) -> CheckResult:
        """This link's result when its site stopped answering before it was requested (the breaker)."""
        return CheckResult(
            self.url,
            LinkStatus.UNREACHABLE,
            self.now(),
            error=f"not requested: its site answered none of the last {SILENT_TRIP} requests",
            error_class=ErrorClass.SITE_SILENT,
        )

    def _step(self) -> CheckResult | Again | Then[CheckResult]:
        try:
            parts = urlsplit(self.url) if isinstance(self.url, str) else None
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return CheckResult(
                self.url,
                LinkStatus.INVALID,
                self.now(),
                error="not an http(s) URL with a host",
                error_class=ErrorClass.INVALID_URL,
            )
        if self.fetched is not None:
            (response, method), self.fetched = self.fetched, None
        else:
            response, method = self._fetch()
            if is_transient(response.status, response.error_class, response.headers, response.body):
                delay = self._retry_delay(response)
                if delay is not None:
                    self.attempt += 1
                    return Again(delay, unanswered=response.error_class in UNANSWERED)
        if self._awaits_probe(response):
            self.fetched = (response, method)
            return Again(PROBE_POLL)
        verdict = classify(
            self.url,
            response.status,
            response.error_class,
            hops=response.hops,
            headers=response.headers,
            body=response.body,
        )
        # oEmbed decides a video on any alive answer (a 403 or a bot wall too, media.py), not only a 2xx.
        media = (
            check_media(self.client, self.url)
            if verdict.status is LinkStatus.ALIVE and media_item(self.url) is not None
            else None
        )
        if response.error_class or not _html_page(response):
            # Nothing to parse, or a failed read (its result must reach the scheduler's linger): finish here.
            return self._finish(response, method, verdict, media, None)
        probe = (
            self.probes.get(site_of(self.url), lambda: self._probe(probe_url(self.url)))
            if needs_probe(self.url)
            else None
        )
        return Then(lambda: self._guarded(self._finish, response, method, verdict, media, probe))

    def _awaits_probe(self, response: Response) -> bool:
        """A page that may be compared with its site's probe, which another worker is still fetching."""
        return _html_page(response) and needs_probe(self.url) and self.probes.in_flight(site_of(self.url))

    def _fetch(self) -> tuple[Response, str]:
        if wants_head(self.url):
            head = self.client.request("HEAD", self.url)
            if not head_refused(head.status, head.error_class):
                return head, "HEAD"
            return self.client.request("GET", self.url, max_bytes=PAGE_BYTES), "HEAD+GET"
        return self.client.request("GET", self.url, max_bytes=min(self.config.max_bytes, PAGE_BYTES)), "GET"

    def _retry_delay(self, response: Response) -> float | None:
        """Seconds to wait before the next attempt, or None to stop retrying."""
        if self.attempt >= retries_for(response.status, self.config.retries):
            self.note = f"gave up after {self.attempt + 1} attempts"
            return None
        if response.status in RETRY_AFTER_STATUSES:
            wait_s = retry_after(response.headers, self.now())
            if wait_s is not None:
                if wait_s > self.config.retry_after_max:
                    self.note = (
                        f"Retry-After {wait_s:g}s exceeds http.retry_after_max "
                        f"({self.config.retry_after_max:g}s); not retried"
                    )
                    return None
                return wait_s
        return BACKOFF_BASE * (2.0**self.attempt) * self.rng.uniform(0.5, 1.0)

    def _finish(
        self, response: Response, method: str, verdict: Verdict, media: MediaAnswer | None, probe: PageSignature | None
    ) -> CheckResult:
        """Read the classified answer (CPU only: every request was made by the step)."""
        status, error_class = verdict.status, verdict.error_class or response.error_class
        page: PageInfo | None = None
        error = response.error
        body = response.body or b""
        if _html_page(response):
            extract = parse_page(body, response.final_url, dates="metadata")
            text_fp = fingerprint(extract.main_text) if extract.main_text else None
            page = PageInfo(title=extract.title, text_fingerprint=text_fp, published=extract.published)
            if status in (LinkStatus.ALIVE, LinkStatus.REDIRECTED) and verdict.error_class is None:
                reason = self._soft_404(response, extract.title, extract.main_text, text_fp, probe)
                if reason:
                    status = LinkStatus.SOFT_404
                    page = PageInfo(page.title, page.text_fingerprint, page.published, soft_404_reason=reason)
        if status is LinkStatus.ALIVE and media is not None:
            base = page or PageInfo()
            page = PageInfo(
                base.title or media.title,
                base.text_fingerprint,
                base.published,
                base.soft_404_reason,
                media_state=media.state,
            )
            error = error or media.note
        if self.note and status is not LinkStatus.ALIVE:
            error = f"{error}; {self.note}" if error else self.note
        length = _header(response.headers, "content-length")
        return CheckResult(
            url=self.url,
            status=status,
            checked_at=self.now(),
            http_status=response.status,
            final_url=response.final_url,
            hops=response.hops,
            error=error,
            error_class=error_class,
            elapsed_ms=response.elapsed_ms,
            method=method,
            content_type=_header(response.headers, "content-type"),
            content_length=int(length)
            if length and length.strip().isdigit()
            else (len(body) if method != "HEAD" and not response.truncated and response.status is not None else None),
            page=page,
        )

    def _soft_404(
        self, response: Response, title: str | None, text: str, text_fp: str | None, probe: PageSignature | None
    ) -> str | None:
        """The first soft-404 signal that fires (soft404.py), the per-site probe (fetched by the step) last."""
        final = response.final_url
        reason = (
            error_page_reason(title, text)
            or parked_reason(final, tuple(h.url for h in response.hops), title, text)
            or generic_redirect_reason(self.url, final)
        )
        if reason or probe is None:
            return reason  # no probe was fetched: a site root, a video, a file (needs_probe decides, once)
        if probe.status is None or not 200 <= probe.status < 300:
            return None  # the site says 404 to a missing path: it is honest, nothing to compare
        redirected = len(response.hops) > 1
        return similar_pages(signature(response.status, final, title, text_fp, text, redirected), probe)

    def _probe(self, url: str) -> PageSignature | None:
        return self.probe_signature(self.probe_fetch(url))

    def probe_fetch(self, url: str) -> Response:
        """GET the site's random-path probe URL (soft404.probe_url)."""
        return self.client.request("GET", url, max_bytes=min(self.config.max_bytes, PAGE_BYTES))

    def probe_signature(self, response: Response) -> PageSignature | None:
        """What the probe answer looks like, for comparing pages of the same site with it.

        Only a 2xx answer is ever compared with (`_soft_404`): an honest site's error page is kept
        as its status alone, not parsed and not held as words for the rest of the run (one per site).
        """
        if response.status is None:
            return None
        if not 200 <= response.status < 300:
            return PageSignature(response.status, response.final_url, None, None)
        title, text = None, ""
        if _html_page(response):
            extract = parse_page(response.body, response.final_url, dates="none")
            title, text = extract.title, extract.main_text
        return signature(response.status, response.final_url, title, fingerprint(text) if text else None, text)


@dataclass(frozen=True)
class ProbeDone:
    """The outcome of a ProbeJob: not a link's result, only what the scheduler needs (timeouts linger)."""

    error_class: ErrorClass | None = None


class ProbeJob:
    """A site's soft-404 probe as a job of its own, queued before the site's first page.

    Fetched inside the first page's check, the probe would double that page's time in its slot,
    and a second page of the same site would hold another slot waiting for it.  Queued first, it
    runs beside the site's first page; a page that needs the answer before it is in waits for it
    in ProbeCache.
    """

    __slots__ = ("check",)

    def __init__(self, check: UrlCheck) -> None:
        self.check = check

    def step(self) -> ProbeDone:
        """Fetch and cache the probe answer of the check's site (once per site, whoever asks first)."""
        check = self.check
        seen: list[ErrorClass | None] = []

        def fetch() -> PageSignature | None:
            response = check.probe_fetch(probe_url(check.url))
            seen.append(response.error_class)
            return check.probe_signature(response)

        try:
            check.probes.get(site_of(check.url), fetch)
        except Exception:  # noqa: BLE001 - a page that needs the probe asks again itself
            return ProbeDone(ErrorClass.INTERNAL)
        return ProbeDone(seen[0] if seen else None)


def needs_probe(url: str) -> bool:
    """Whether a page at URL would be compared with its site's probe (see UrlCheck._soft_404)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path not in ("", "/")
        and not wants_head(url)
        and media_item(url) is None
    )


def check_url(client: Client, url: str, config: HttpConfig, now: Clock = utcnow) -> CheckResult:
    """Check one URL, retrying in place (sleeping) when transient; never raises for network trouble."""
    return run_inline(UrlCheck(client, url, config, now, ProbeCache()))


def check_urls(
    client: Client,
    urls: Iterable[str],
    config: HttpConfig,
    now: Clock = utcnow,
    *,
    distinct: bool = False,
) -> Iterator[CheckResult]:
    """Check each distinct URL once, politely and concurrently, yielding results as they complete.

    DISTINCT says URLS holds each URL once already (read from the store's distinct list): it is
    then read as the scheduler asks, not first gathered into a set of every URL of the run.
    """
    registrable_domain("example.org")  # build the suffix trie once, before 32 threads race to build it each
    probes, rng = ProbeCache(), random.Random()
    scheduler: HostScheduler[CheckResult | ProbeDone] = HostScheduler(
        config.concurrency,
        config.per_host,
        config.per_host_interval,
        linger=lambda result: config.timeout if result.error_class is ErrorClass.TIMEOUT else 0.0,
        cpu_workers=PARSERS,
        breaker=Breaker(
            unanswered=lambda result: result.error_class in UNANSWERED,
            shed=lambda job: job.not_tried() if isinstance(job, UrlCheck) else ProbeDone(),
            trip_after=SILENT_TRIP,
        ),
    )

    def jobs() -> Iterator[tuple[str, UrlCheck | ProbeJob]]:
        probed: set[str] = set()
        for url in urls if distinct else dict.fromkeys(urls):
            check, site = UrlCheck(client, url, config, now, probes, rng), site_of(url)
            if site not in probed and needs_probe(url):
                probed.add(site)
                yield site, ProbeJob(check)
            yield site, check

    for outcome in scheduler.run(jobs()):
        if isinstance(outcome, CheckResult):
            yield outcome
