"""Registrable domains ("eTLD+1") from the Public Suffix List snapshot bundled with tldextract.

No network at run time: the extractor is built with no suffix-list URLs, so it uses the
snapshot shipped inside the package.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def registrable_domain(url_or_host: str) -> str:
    """'https://www.bbc.co.uk/news' -> 'bbc.co.uk'; IPs and bare hosts come back as the host."""
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    return _registrable_host((host or "").lower().rstrip("."))


@lru_cache(maxsize=16384)
def _registrable_host(host: str) -> str:
    """Cached by host, not by URL: a store has far fewer hosts than links (a URL-keyed cache held
    every one of a 10,000-link audit's URLs)."""
    if not host:
        return ""
    return _EXTRACT(host).top_domain_under_public_suffix or host


@lru_cache(maxsize=16384)
def has_public_suffix(host: str) -> bool:
    """Whether HOST is a name under a real public suffix ('bbc.co.uk', 'cdc.gov'), not 'file.txt' or 'e.g'."""
    parts = _EXTRACT(host.lower().rstrip("."))
    # "github.io" is itself a private suffix (its domain part is empty) and a real site all the same
    return bool(parts.suffix and (parts.domain or parts.is_private))


def is_web_url(url: str | None) -> bool:
    """Whether URL is an absolute http(s) address with a host: the only kind the product follows,
    stores as a snapshot or writes into a page as a link (never `javascript:` or `data:`)."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
