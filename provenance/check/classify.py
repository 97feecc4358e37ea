"""Status classification: the ONE place that turns an HTTP answer into a `LinkStatus`.

Policy (after Pew Research 2024 "When Online Content Disappears" and InternetArchiveBot): a link
is `dead` only when the server itself says the resource is gone.  Anything that merely failed to
answer is `unreachable` (checked again later, never reported as rot), and answers that refuse
*us* rather than the resource (logins, bot walls, "999" from LinkedIn) prove the page exists.

    answer (after redirects and retries)          status        error_class
    --------------------------------------------  ------------  --------------------
    guard refused the destination                 blocked       blocked
    URL cannot be requested                       invalid       invalid_url
    timeout / connection / dns / tls / protocol   unreachable   (the client's class)
    too many redirects / redirect loop            unreachable   (the client's class)
    2xx, 300                                      alive         -
    2xx after a permanent (301/308) hop to        redirected    -
      another registrable domain
    404, 410                                      dead          gone
    401, 403, 407, 999                            alive         restricted
    bot wall (Cloudflare/Akamai challenge, any    alive         bot_wall
      status)
    429 (after retries)                           unreachable   rate_limited
    5xx (after retries)                           unreachable   server_error
    451                                           unreachable   legal
    any other 3xx/4xx (400, 405, 406, ...)        unreachable   client_error

Soft 404s and media states are decided later (soft404.py, media.py) on `alive` answers only.
`is_transient` says which answers are worth retrying within one run; timeouts are not (the
deadline was already spent once, and the schedule re-checks failing links days later).
`retries_for` caps a plain 500 at one retry: unlike 502/503/504 (a gateway or an overloaded
server, which pass) a 500 is mostly the application failing on this URL every time, so further
attempts only add back-off to the end of a run, after all other work is done; one retry still
catches a passing glitch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from ..domains import registrable_domain
from ..records import ErrorClass, Hop, LinkStatus

GONE = frozenset({404, 410})
RESTRICTED = frozenset({401, 403, 407, 999})
PERMANENT_REDIRECTS = frozenset({301, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ONE_RETRY_STATUSES = frozenset({500})  # ambiguous: retried once, whatever http.retries says
RETRY_ERRORS = frozenset({ErrorClass.CONNECTION})
NETWORK_ERRORS = frozenset(
    {
        ErrorClass.TIMEOUT,
        ErrorClass.CONNECTION,
        ErrorClass.DNS,
        ErrorClass.TLS,
        ErrorClass.PROTOCOL,
        ErrorClass.TOO_MANY_REDIRECTS,
        ErrorClass.REDIRECT_LOOP,
    }
)
_BOT_WALL_MARKERS = (
    b"cf-chl-",
    b"challenge-platform",
    b"<title>just a moment...</title>",
    b"attention required! | cloudflare",
    b"checking your browser before accessing",
    b"ddos protection by",
    b"/_incapsula_resource",
    b"px-captcha",
    b"captcha-delivery.com",
)


@dataclass(frozen=True)
class Verdict:
    """A classification: the status and a short machine-readable reason (None when plain)."""

    status: LinkStatus
    error_class: ErrorClass | None = None


def is_bot_wall(status: int | None, headers: Mapping[str, str], body: bytes) -> bool:
    """A challenge page that refuses robots; it says nothing about whether the resource exists."""
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("cf-mitigated", "").lower() == "challenge":
        return True
    if status not in (403, 429, 503, 200):
        return False
    head = body[:20_000].lower()
    return any(marker in head for marker in _BOT_WALL_MARKERS)


def crossed_permanently(url: str, hops: tuple[Hop, ...]) -> bool:
    """True when the chain ends on another registrable domain and the hop that left was 301/308."""
    if len(hops) < 2 or registrable_domain(hops[-1].url) == registrable_domain(url):
        return False
    for hop, nxt in pairwise(hops):
        if registrable_domain(nxt.url) != registrable_domain(hop.url):
            return hop.status in PERMANENT_REDIRECTS
    return False


def classify(
    url: str,
    status: int | None,
    error_class: ErrorClass | None,
    *,
    hops: tuple[Hop, ...] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> Verdict:
    """Classify one final answer (after retries) for the link URL; see the module table."""
    if error_class is ErrorClass.BLOCKED:
        return Verdict(LinkStatus.BLOCKED, ErrorClass.BLOCKED)
    if error_class is ErrorClass.INVALID_URL:
        return Verdict(LinkStatus.INVALID, ErrorClass.INVALID_URL)
    if status is None:
        return Verdict(LinkStatus.UNREACHABLE, error_class or ErrorClass.CONNECTION)
    if error_class in NETWORK_ERRORS - {ErrorClass.PROTOCOL}:
        return Verdict(LinkStatus.UNREACHABLE, error_class)
    if is_bot_wall(status, headers or {}, body):
        return Verdict(LinkStatus.ALIVE, ErrorClass.BOT_WALL)
    if 200 <= status < 300 or status == 300:
        if crossed_permanently(url, hops):
            return Verdict(LinkStatus.REDIRECTED)
        return Verdict(LinkStatus.ALIVE)
    if status in GONE:
        return Verdict(LinkStatus.DEAD, ErrorClass.GONE)
    if status in RESTRICTED:
        return Verdict(LinkStatus.ALIVE, ErrorClass.RESTRICTED)
    if status == 429:
        return Verdict(LinkStatus.UNREACHABLE, ErrorClass.RATE_LIMITED)
    if status >= 500:
        return Verdict(LinkStatus.UNREACHABLE, ErrorClass.SERVER_ERROR)
    if status == 451:
        return Verdict(LinkStatus.UNREACHABLE, ErrorClass.LEGAL)
    return Verdict(LinkStatus.UNREACHABLE, error_class or ErrorClass.CLIENT_ERROR)


def is_transient(
    status: int | None, error_class: ErrorClass | None, headers: Mapping[str, str] | None = None, body: bytes = b""
) -> bool:
    """Worth another try within this run: 429, 5xx gateways, dropped connections; not bot walls."""
    if error_class in RETRY_ERRORS and status is None:
        return True
    if status in RETRY_STATUSES:
        return not is_bot_wall(status, headers or {}, body)
    return False


def retries_for(status: int | None, retries: int) -> int:
    """How many retries an answer with STATUS may have, given `http.retries` (see module docstring)."""
    return min(retries, 1) if status in ONE_RETRY_STATUSES else retries


def head_refused(status: int | None, error_class: ErrorClass | None) -> bool:
    """A HEAD answer that must be confirmed with GET (servers that mishandle HEAD)."""
    if status is None:
        return error_class in (ErrorClass.PROTOCOL, ErrorClass.CONNECTION)
    return status in (400, 403, 404, 405, 406, 429, 500, 501, 502, 503) or status >= 900
