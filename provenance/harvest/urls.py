"""Finding http(s) URLs in plain text, including text copied out of PDFs.

PDF text wraps long URLs across lines (wraps.py decides when the next line goes on with one),
glues footnote numbers to them (`2https://...`, `report.pdf12`, `data.3 The`), ends them with the sentence's
full stop, and writes look-alikes for some of their characters: pdftotext gives `˜` (with a
combining tilde after it, at times) for `~`, CJK text has fullwidth forms, Word writes
non-breaking hyphens, and zero-width spaces hide inside copied addresses.  The look-alikes are
read as what they stand for, the invisible characters are dropped, and the URL is normalised;
`written` keeps the document's own characters, only wrap breaks and surrounding punctuation
removed.

Taken: `http(s)://` and `www.` links, scheme-less `host.tld/path` for common TLDs (the "/" makes
it an address), and a bare domain under a real public suffix where its context says it is an
address ("visit actcancer.org", "(actcancer.org)", a line of its own); in other prose a name
such as `Amazon.com` or `README.md` is not a citation.  A footnote number glued to a scheme-less
host is taken as the mark, so a host that starts with a digit ("9gag.com/x") after a line start
loses it: a known trade-off.

A URL that cannot be valid (a port out of range, a host with characters no host has) is kept
with `url=None`, so it is reported as an invalid URL rather than checked and called dead; a run
that is only the debris of a cut ("https://www.", a host with no real suffix) is not a link.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ..domains import has_public_suffix
from ..net.remap import host_problem
from .wraps import BARE, continues, has_real_suffix, line_bounds

__all__ = ["FoundUrl", "clean_url", "find_urls", "is_valid_url", "normalize_url", "strip_punctuation", "unbreak"]


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """A URL found in text: normalised `url` (None when it cannot be valid), its span, and whether it
    was re-joined across lines."""

    url: str | None
    start: int
    end: int
    broken: bool = False
    written: str = ""  # as written, line-wrap breaks and surrounding punctuation removed


# scheme or "www." not glued to a word (a digit is fine: footnote marks such as "2https://"), or a
# scheme-less "host.tld/path" (the "/" makes it an address, not a name) at a word start or after a
# footnote number opening a line ("9github.com/...").
_START = re.compile(
    rf"(?<![A-Za-z0-9_@])https?:|(?<![A-Za-z0-9_@.-])www\.|(?<=[0-9])(?:https?:|www\.)"
    rf"|(?<![\w@./:-])(?={BARE})|(?m:(?<=^[0-9])|(?<=^[0-9]{{2}}))(?={BARE})",
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
_GAP = re.compile(r"[ \t]*\r?\n[ \t]*")
_TRUNCATED = re.compile(r"^https?://(?:dx\.)?doi\.org/?$")  # a DOI resolver cut before the DOI
# the rest of a footnote line after its URL when PDF extraction turned "_" into " ": "move base"
_SPACED = re.compile(r"(?: [a-z0-9][\w./#?=&%~-]*){1,3}[ \t]*(?=\r?\n|$)")
# a footnote number glued to the end: after a file name's extension, or after a full stop
_FOOTNOTE_TAIL = re.compile(r"\.(?:pdf|html?|php|aspx?|jsp|txt|xml|json|csv|zip)(\d{1,3})$", re.IGNORECASE)
# after a full stop, a footnote number and a new sentence: "at https://x.org/data.3 The"; not "xyz.5" in a list
_FOOTNOTE_AFTER_STOP = re.compile(r"[A-Za-z](\.\d{1,2})$")
_NEW_SENTENCE = re.compile(r"[ \t]+[A-Z]")
# Characters PDF text and typesetting put in place of URL characters, one for one, so offsets hold.
_LOOKALIKES = str.maketrans(
    {
        **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},  # fullwidth ASCII
        "\u02dc": "~",  # small tilde: pdftotext's "~"
        "\u0303": "\u200b",  # the combining tilde it may add, dropped below
        "\u223c": "~",  # tilde operator
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2044": "/",  # fraction slash
        "\u2215": "/",  # division slash
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_HAS_LOOKALIKE = re.compile("[" + re.escape("".join(map(chr, _LOOKALIKES))) + "]")
# a bare domain: not glued to a word, a path, an e-mail address or another dot; bounded like a DNS name
# (labels of at most 63, a few dozen of them), so "a." x 20 million is not one backtracking stack
_DOMAIN = re.compile(
    r"(?<![\w@./:%~-])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){0,32}"
    r"\.[a-z]{2,63}(?![\w@/-]|\.\w)",
    re.I,
)
# words after which a domain name is an address: "visit", "at", "see", "website:"
_CUE = re.compile(
    r"(?:\b(?:visit(?:ing)?|see|at|to|via|from|on|website|web\s+site|site|online|portal|home\s?page|url|link|"
    r"address|go|contact|available|found|hosted|reached|browse|check\s+out)\s*[:\-\u2013\u2014]?\s*)$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(r"^\s*(?:web\s?site|site|home\s?page|portal|page)\b", re.IGNORECASE)
_LINE_REACH = 200  # how far the line around a bare domain is looked at
# suffixes that are also common file extensions: "README.md", "main.py", "notes.zip" are files
_FILE_LIKE = frozenset("md py sh zip mov pl rs ts so cc cs ps ms am ml rb pm mp gz".split())


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


def strip_punctuation(run: str) -> str:
    """Drop sentence punctuation, quotes, unbalanced closing brackets and a glued footnote number from
    the end of a run."""
    while run:
        last = run[-1]
        if last in _TRAIL:
            run = run.rstrip(_TRAIL)  # at once: "https://x.org/a" + a million dots is not quadratic
        elif last in _PAIRS and run.count(last) > run.count(_PAIRS[last]):
            run = run[:-1]
        elif (tail := _FOOTNOTE_TAIL.search(run)) is not None:
            run = run[: tail.start(1)]
        else:
            break
    return run


def _extend(text: str, start: int, end: int) -> tuple[int, bool]:
    """Follow a URL run over line breaks while the next line goes on with it; return the new end."""
    broken = False
    while (gap := _GAP.match(text[end : end + 80])) is not None:
        token = _TOKEN.match(text, end + gap.end())
        if not token or not continues(text, end, unbreak(text[start:end]), token.group(0)):
            break
        end, broken = token.end(), True
    return end, broken


def _footnote_line(text: str, start: int) -> bool:
    """True when the URL at `start` opens a line after a footnote number ("5http://...")."""
    before = text[max(0, start - 3) : start]  # one or two digits after a line break or the text's start
    mark = before.rsplit("\n", 1)[-1]
    return 0 < len(mark) <= 2 and mark.isdigit() and ("\n" in before or start <= 2)


def _is_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _ipv4_in_range(parts: list[str]) -> bool:
    """Decimal IPv4 parts as browsers read them: each below 256, the last filling the bytes left."""
    *first, last = (int(part) for part in parts)
    return all(part < 256 for part in first) and last < 256 ** (5 - len(parts))


def normalize_url(url: str) -> str | None:
    """Lower-case scheme and host, add `http://` to `www.`, drop a default port; None if invalid."""
    url = unicodedata.normalize("NFKC", url.translate(_LOOKALIKES).translate(_INVISIBLE))  # PDF ligatures: "ﬁ"
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
    if host.replace(".", "").isdigit() and not _ipv4_in_range(host.split(".")):
        return None  # "300.1.1.1" is no IPv4 address
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _cannot_be_valid(written: str) -> bool:
    """Whether WRITTEN is a whole address with a defect no correction of the text removes: a port out
    of range, a host label with characters or hyphens no host name has, an IPv4 part over 255.

    Debris of a cut ("https://www.", "https://doi.") is not: nothing in it says where it points."""
    candidate = written.translate(_LOOKALIKES).translate(_INVISIBLE)
    if not re.match(r"https?://", candidate, re.IGNORECASE):
        candidate = "http://" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return False
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.username is not None or netloc.startswith("["):
        return False  # user info is refused as a host-spoofing form; IPv6 literals are judged as written
    host, _, port = netloc.partition(":")
    labels = host.rstrip(".").split(".")
    if port and host.lower() == "localhost":
        return not port.isdigit() or not 0 < int(port) <= 65535
    if len(labels) < 2 or not labels[-1]:
        return False
    if all(label.isdigit() for label in labels):
        return host_problem(host) is not None  # an IPv4 part over 255
    if not (labels[-1].isalpha() and len(labels[-1]) >= 2 and has_real_suffix(host.lower())):
        return False  # no real suffix: a cut, not an address
    if port and (not port.isdigit() or not 0 < int(port) <= 65535):
        return True
    return host_problem(host) is not None  # the same rules as the client's: url_problem


def _text_url(written: str) -> tuple[str | None, bool]:
    """The URL for a run found in text, and whether the run is a link at all (debris is not)."""
    url = normalize_url(written)
    if url is None:
        return None, _cannot_be_valid(written)
    if _TRUNCATED.match(url):
        return None, False
    host = (urlsplit(url).hostname or "").rstrip(".")
    if "." in host and not (_NUMERIC_HOST.match(host) or _is_ipv6(host) or has_real_suffix(host)):
        return None, False  # "https://api.semantic": a host cut before its suffix
    return url, True


def clean_url(written: str) -> str | None:
    """The normalised URL in `written` (punctuation, quotes, brackets, wrap breaks removed), or None."""
    run = unbreak(written.strip()).strip("\"'<>\u201c\u201d\u2018\u2019([{")
    match = _START.search(run.translate(_LOOKALIKES))
    if not match or match.start() != 0 and run[: match.start()].strip("0123456789"):
        return None
    return normalize_url(strip_punctuation(run[match.start() : _body_end(run, match.start())]))


def is_valid_url(url: str) -> bool:
    """True for an absolute http(s) URL with a plausible host."""
    return bool(re.match(r"https?://", url, re.IGNORECASE)) and normalize_url(url) is not None


def _addressed(text: str, start: int, end: int) -> bool:
    """Whether the domain name at text[start:end] stands where an address stands, not a name."""
    name = text[start:end]
    tld = name.rsplit(".", 1)[1]
    if not has_public_suffix(name.lower()) or tld.lower() in _FILE_LIKE or not tld.isalpha():
        return False
    if not (name.islower() or name.isupper() or tld.islower()):
        return False  # "outside.In the middle": two sentences glued, not a host
    line_start, line_end = line_bounds(text, start, end, _LINE_REACH)
    line = text[line_start:line_end]
    before, after = text[line_start:start], text[end : end + 60]
    if text[max(0, start - 80) : start].rstrip()[-1:] == "@":
        return False  # the domain of an e-mail address cut at the line end
    if line.strip().rstrip(".,;:") == name:
        return True  # a line of its own
    if before.rstrip()[-1:] in ("(", "<", "[") and after.lstrip()[:1] in (")", ">", "]"):
        return True
    return bool(_CUE.search(before[-40:]) or _CUE_AFTER.match(after))


def _domains(text: str) -> Iterator[tuple[int, int]]:
    for match in _DOMAIN.finditer(text):
        if _addressed(text, match.start(), match.end()):
            yield match.start(), match.end()


def find_urls(text: str, limit: int | None = None) -> list[FoundUrl]:
    """Every URL in `text` (the first LIMIT), in order, with wrapped URLs re-joined."""
    # the same length: offsets in SCAN are offsets in TEXT (translated only when needed: it copies the text)
    scan = text.translate(_LOOKALIKES) if _HAS_LOOKALIKE.search(text) else text
    found: list[FoundUrl] = []
    domains = _domains(scan)
    domain = next(domains, None)
    pos = 0
    while limit is None or len(found) < limit:
        match = _START.search(scan, pos)
        while domain is not None and domain[0] < pos:
            domain = next(domains, None)
        if domain is not None and (match is None or domain[1] <= match.start()):
            start, end = domain
            domain = next(domains, None)
            pos = end
            written = text[start:end]
            found.append(FoundUrl(url=normalize_url(written), start=start, end=end, written=written))
            continue
        if match is None:
            break
        start = match.start()
        end = _body_end(scan, start)
        end, broken = _extend(scan, start, end)
        spaced = _SPACED.match(scan, end) if not broken and _footnote_line(scan, start) else None
        if spaced and ("/" in spaced.group(0) or len(spaced.group(0).split()) == 1):
            end = spaced.end()  # "5http://wiki.ros.org/move base": the PDF lost the underscores
        cleaned = strip_punctuation(unbreak(scan[start:end]).rstrip().replace(" ", "_"))
        if (stop := _FOOTNOTE_AFTER_STOP.search(cleaned)) is not None and _NEW_SENTENCE.match(scan, end):
            cleaned = strip_punctuation(cleaned[: stop.start(1)])
        # the look-alike map keeps every character's place, so the text's own run cut to the same
        # length is the URL as written
        written = unbreak(text[start:end]).rstrip().replace(" ", "_")[: len(cleaned)]
        # map the stripped length back onto the raw span
        # (one raw character shortens the unbroken run by at most one, so stepping back by the
        # excess never overshoots)
        while end > start and (excess := len(unbreak(scan[start:end]).rstrip()) - len(cleaned)) > 0:
            end -= excess
        pos = max(end, match.end())
        url, is_link = _text_url(cleaned)
        if is_link:
            found.append(FoundUrl(url=url, start=start, end=end, broken=broken, written=written))
    return found
