"""Finding http(s) URLs in plain text, including text copied out of PDFs.

PDF text wraps long URLs across lines, glues footnote numbers to them (`2https://...`) and
ends them with the sentence's full stop.  `find_urls` re-joins a wrapped URL only when the
continuation looks like part of an address (see `_continues`), and strips punctuation that
belongs to the sentence.  Taken: `http(s)://` and `www.` links, and scheme-less `host.tld/path`
for common TLDs (the "/" makes it an address); a bare `example.com` mention is too ambiguous in
prose (a documented choice, see tests/test_corpus_urls_text.py).  A footnote number glued to a
scheme-less host is taken as the mark, so a host that starts with a digit ("9gag.com/x") after a
line start loses it: a known trade-off.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = ["FoundUrl", "find_urls", "clean_url", "is_valid_url", "unbreak"]


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """A URL found in text: normalised `url`, its span, and whether it was re-joined across lines."""

    url: str
    start: int
    end: int
    broken: bool = False
    written: str = ""  # as written, line-wrap breaks and surrounding punctuation removed


_TLDS = "com|org|net|edu|gov|io|int|info|co|uk|de|fr|it|eu|ai|me|tv|us|ca|au|jp|nl|ch|es|be|ly"
# bounded like a DNS name (labels of at most 63, a few dozen of them): "a." x 20 million is not one
# host whose every label the regex engine would keep on its backtracking stack (gigabytes)
_BARE = rf"[a-z](?:[a-z0-9-]{{0,63}}\.){{1,32}}(?:{_TLDS})/"
# scheme or "www." not glued to a word (a digit is fine: footnote marks such as "2https://"), or a
# scheme-less "host.tld/path" (the "/" makes it an address, not a name) at a word start or after a
# footnote number opening a line ("9github.com/...").
_START = re.compile(
    rf"(?<![A-Za-z0-9_@])https?:|(?<![A-Za-z0-9_@.-])www\.|(?<=[0-9])(?:https?:|www\.)"
    rf"|(?<![\w@./:-])(?={_BARE})|(?m:(?<=^[0-9])|(?<=^[0-9]{{2}}))(?={_BARE})",
    re.IGNORECASE,
)
_BODY = re.compile(r"[^\s<>\"`|^\u201c\u201d\u2018\u2019\u00ab\u00bb\u3000]*")
_TRAIL = ".,;:!?'*\\\u2026"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_HOST = re.compile(
    r"^(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff_-]*[a-z0-9\u00a1-\uffff])?\.)+"
    r"(?:[a-z\u00a1-\uffff]{2,63}|xn--[a-z0-9-]{2,59})\.?$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$"
)
# IPv4 as one number or four in any base (2130706433, 0x7f000001, 0177.0.0.1), as browsers read it: a
# valid URL, which the guard judges later.  The 2- and 3-part short forms ("192.1.1") stay out, as in
# URLExtract's cases (tests/test_corpus_urls_text.py).
_NUM = r"(?:0x[0-9a-f]+|[0-9]+)"
_NUMERIC_HOST = re.compile(rf"^{_NUM}(?:\.{_NUM}){{3}}$|^{_NUM}$")
_TOKEN = re.compile(r"[^\s<>\"`|^\u201c\u201d]+")
_EXTENSIONS = frozenset("html htm shtml php asp aspx jsp pdf txt xml json csv zip gz tar md".split())
_TRUNCATED = re.compile(r"^https?://(?:dx\.)?doi\.org/?$")  # a DOI resolver cut before the DOI
_NEW_URL = re.compile(rf"[0-9]{{0,2}}(?:https?:|www\.)|[0-9]{{1,2}}{_BARE}", re.IGNORECASE)  # a URL of its own
# the rest of a footnote line after its URL when PDF extraction turned "_" into " ": "move base"
_SPACED = re.compile(r"(?: [a-z0-9][\w./#?=&%~-]*){1,3}[ \t]*(?=\r?\n|$)")
_SCHEME_ONLY = re.compile(r"^https?:(?://)?$", re.IGNORECASE)


def unbreak(written: str) -> str:
    """Remove line-wrap breaks (a newline, with a LaTeX-style `\\` before it) from a URL run."""
    return re.sub(r"\\?[ \t]*\r?\n[ \t]*", "", written)


def _body_end(text: str, start: int) -> int:
    """End of the URL run at `start`: at a space or a closing bracket that closes nothing in the URL."""
    run = _BODY.match(text, start)
    end = run.end() if run else start
    depth = {"(": 0, "[": 0, "{": 0}
    for i in range(start, end):
        char = text[i]
        if char in depth:
            depth[char] += 1
        elif char in _PAIRS:
            if depth[_PAIRS[char]] == 0:
                return i  # "(see https://x.org/a)" and "[text](https://x.org)": the bracket is the prose's
            depth[_PAIRS[char]] -= 1
    return end


def _strip(run: str) -> str:
    """Drop sentence punctuation, quotes and unbalanced closing brackets from the end of a run."""
    while run:
        last = run[-1]
        if last in _TRAIL:
            run = run.rstrip(_TRAIL)  # at once: "https://x.org/a" + a million dots is not quadratic
        elif last in _PAIRS and run.count(last) > run.count(_PAIRS[last]):
            run = run[:-1]
        else:
            break
    return run


def _continues(head: str, token: str) -> bool:
    """Whether `token`, first on the next line, continues the URL `head` cut at a line end."""
    if not token or _NEW_URL.match(token):
        return False
    if _SCHEME_ONLY.match(head):  # "https:" / "http://" alone at the line end
        return token.startswith("//") if head.endswith(":") else "." in token
    bare = _strip(token)
    if not bare or ":" in bare or not (bare[0].isalnum() or bare[0] in "/%~_") or bare.isdigit() and len(bare) <= 3:
        return False  # "arXiv:2011.03287", page and footnote numbers
    urlish = any(c in bare for c in "/._-=&?#%~") or any(c.isdigit() for c in bare)
    last = head[-1]
    if last == "\\":
        return True
    if last == ".":  # a host cut after a dot ("https://www.ncbi.nlm." + "nih.gov/..."), a file
        rest = head.split("://", 1)[-1]  # extension ("index." + "html"), a DOI-like id ("m9.figshare." + "20039486.v1")
        return (
            "/" not in rest
            and bare[0].islower()
            and urlish
            or bare.lower() in _EXTENSIONS
            or "/" in rest
            and bare[0].isdigit()
            and "." in bare
            and len(bare) >= 6
        )
    if last in "/-_=&?#%~":
        return urlish
    return False


def _extend(text: str, start: int, end: int) -> tuple[int, bool]:
    """Follow a URL run over line breaks while the next line continues it; return the new end."""
    broken = False
    while (gap := re.match(r"[ \t]*\r?\n[ \t]*", text[end : end + 80])) is not None:
        token = _TOKEN.match(text, end + gap.end())
        if not token or not _continues(unbreak(text[start:end]), token.group(0)):
            break
        end, broken = token.end(), True
    return end, broken


def _footnote_line(text: str, start: int) -> bool:
    """True when the URL at `start` opens a line after a footnote number ("5http://...")."""
    line_start = text.rfind("\n", 0, start) + 1
    return 0 < start - line_start <= 2 and text[line_start:start].isdigit()


def _is_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def normalize_url(url: str) -> str | None:
    """Lower-case scheme and host, add `http://` to `www.`, drop a default port; None if invalid."""
    url = unicodedata.normalize("NFKC", url)  # PDF ligatures: "ﬁgshare" is "figshare"
    if not re.match(r"https?://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username is not None:
        return None
    if not (_HOST.match(host) or _NUMERIC_HOST.match(host) or _is_ipv6(host)):
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def clean_url(written: str) -> str | None:
    """The normalised URL in `written` (punctuation, quotes, brackets, wrap breaks removed), or None."""
    run = unbreak(written.strip()).strip("\"'<>\u201c\u201d\u2018\u2019([{")
    match = _START.search(run)
    if not match or match.start() != 0 and run[: match.start()].strip("0123456789"):
        return None
    return normalize_url(_strip(run[match.start() : _body_end(run, match.start())]))


def is_valid_url(url: str) -> bool:
    """True for an absolute http(s) URL with a plausible host."""
    return bool(re.match(r"https?://", url, re.IGNORECASE)) and normalize_url(url) is not None


def find_urls(text: str, limit: int | None = None) -> list[FoundUrl]:
    """Every http(s)/www URL in `text` (the first LIMIT), in order, with wrapped URLs re-joined."""
    found: list[FoundUrl] = []
    pos = 0
    while (limit is None or len(found) < limit) and (match := _START.search(text, pos)) is not None:
        start = match.start()
        end = _body_end(text, start)
        end, broken = _extend(text, start, end)
        spaced = _SPACED.match(text, end) if not broken and _footnote_line(text, start) else None
        if spaced and ("/" in spaced.group(0) or len(spaced.group(0).split()) == 1):
            end = spaced.end()  # "5http://wiki.ros.org/move base": the PDF lost the underscores
        written = _strip(unbreak(text[start:end]).rstrip().replace(" ", "_"))
        # map the stripped length back onto the raw span
        # (one raw character shortens the unbroken run by at most one, so stepping back by the
        # excess never overshoots)
        while end > start and (excess := len(unbreak(text[start:end]).rstrip()) - len(written)) > 0:
            end -= excess
        pos = max(end, match.end())
        url = normalize_url(written)
        if url is not None and not _TRUNCATED.match(url):
            found.append(FoundUrl(url=url, start=start, end=end, broken=broken, written=written))
    return found
