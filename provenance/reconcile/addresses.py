"""Link text that is itself an address: what it shows, and whether the link goes there.

People read a link's text as its destination when the text is a URL or a domain
(`www.cdc.gov/flu`, `https://example.org/report.pdf`); a link whose href goes elsewhere misleads
them, by mistake (a copied link, an old address) or on purpose.  A text counts as an address
only when its host is a name under a real public suffix, so `Node.js`, `file.txt` and `e.g.`
are not addresses.  A shown address ending in an ellipsis is a shortened one: its start must
match.  The comparison ignores what readers ignore: the scheme, `www.`, a default port, a
trailing slash, letter case in the host, percent-encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..domains import has_public_suffix, registrable_domain

_ADDRESS = re.compile(
    r"^<?(?:(?P<scheme>https?|ftp)://)?(?P<host>(?:[\w-]+\.)+[\w-]+)\.?(?::(?P<port>\d{1,5}))?"
    r"(?P<rest>[/?#]\S*)?>?$",
    re.IGNORECASE,
)
_ELLIPSIS = ("…", "...")


@dataclass(frozen=True)
class ShownAddress:
    """An address as a link's text shows it: its host, and the rest (path, query) when shown."""

    text: str
    host: str
    rest: str  # "" when only a host is shown
    shortened: bool  # ends in an ellipsis: only its start is shown


def shown_address(text: str | None) -> ShownAddress | None:
    """The address TEXT shows, or None when TEXT is not a URL or a domain name."""
    if not text:
        return None
    shown = " ".join(text.split())
    shortened = shown.endswith(_ELLIPSIS)
    bare = shown.rstrip(".…").rstrip() if shortened else shown
    match = _ADDRESS.match(bare)
    if match is None or " " in bare:
        return None
    host = match["host"].lower()
    if not has_public_suffix(host):
        return None
    return ShownAddress(shown, host, match["rest"] or "", shortened)


def goes_where_shown(shown: ShownAddress, url: str) -> bool:
    """Whether URL is the address SHOWN names: the same site, and the same page when a page is shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if _bare_host(host) != _bare_host(shown.host):
        # another host of the same site (blog.example.org for example.org) is where a bare site name leads
        return not shown.rest and registrable_domain(host) == registrable_domain(shown.host)
    if not shown.rest:
        return True
    target = _comparable(parts.path + (f"?{parts.query}" if parts.query else ""))
    wanted = _comparable(shown.rest.split("#", 1)[0])
    return target.startswith(wanted) if shown.shortened else target == wanted


def _bare_host(host: str) -> str:
    return host.removeprefix("www.")


def _comparable(path: str) -> str:
    return unquote(path).rstrip("/")
