"""The URL that will be requested: `http.remap` rewriting, and what a URL needs to be sent at all.

Used for mirrors, staging copies and tests (send `https://docs.example.com/` to a local server).
Only the outgoing request changes; every stored URL and every Location resolution stays in the
original form, so findings are about what the document cites, not where we happened to fetch it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import regex

Rule = tuple[regex.Pattern[str], str]
MAX_URL_LENGTH = 32_768  # far beyond any real link; a 100,000-char "URL" is harvest debris
# A rule's regex is the operator's; one that backtracks without end ("(a+)+$") must cost one URL a
# second, not hang a check thread where neither Ctrl-C nor SIGTERM can reach it.  Python's re has
# no time limit; the regex module (the same syntax) has.
RULE_SECONDS = 1.0


_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")  # letters (any script), digits, "-" and "_" as browsers take them


class RemapError(ValueError):
    """A remap rule could not be applied to a URL in its time."""


def compile_rules(pairs: Iterable[tuple[str, str]]) -> tuple[Rule, ...]:
    """[(regex, replacement), ...] -> compiled rules, order kept."""
    return tuple((regex.compile(pattern), replacement) for pattern, replacement in pairs)


def remap(url: str, rules: Iterable[Rule]) -> str:
    """The URL to request for URL: the first rule whose regex matches applies (re.sub), else URL;
    RemapError when a rule takes longer than RULE_SECONDS on it."""
    for number, (pattern, replacement) in enumerate(rules):
        try:
            rewritten, count = pattern.subn(replacement, url, timeout=RULE_SECONDS)
            if count:
                return str(rewritten)
        except TimeoutError:
            raise RemapError(
                f"http.remap[{number}] ({pattern.pattern!r}) took over {RULE_SECONDS:g} s on this URL"
            ) from None
    return url


def url_problem(url: str) -> str | None:
    """Why URL cannot be requested (one line), or None: http(s), a host, a sane port and length."""
    if not isinstance(url, str) or not url.strip():
        return "empty URL"
    if len(url) > MAX_URL_LENGTH:
        return f"URL is {len(url):,} characters long (limit {MAX_URL_LENGTH:,})"
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return f"not an http(s) URL: scheme {parts.scheme!r}" if scheme else "URL has no scheme"
        if not parts.hostname:
            return "URL has no host"
        if parts.port == 0:
            return "URL has port 0"
    except ValueError as exc:
        return f"cannot parse URL: {str(exc).splitlines()[0][:200]}"
    return host_problem(parts.hostname)


def host_problem(host: str) -> str | None:
    """Why HOST names no machine (one line), or None: a label with characters or hyphens no host name
    has, or four numbers one of which is over 255; IPv6 literals are the guard's to judge."""
    if ":" in host:
        return None
    labels = host.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"URL host {host[:200]!r} is not a host name"
    if all(label.isdigit() for label in labels) and len(labels) == 4 and any(int(label) > 255 for label in labels):
        return f"URL host {host!r} is not an IPv4 address"
    return None
