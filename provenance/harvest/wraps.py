"""Whether a URL cut at a line end goes on at the start of the next line.

Text copied out of a PDF keeps the PDF's line breaks, and a long URL is broken wherever the
typesetter could: after a slash, a hyphen or a dot, or (Word, browsers) at any character once
nothing else fits.  What is left on the next line can be any length, from one letter to a whole
line, and can look like an ordinary word ("Preboot-Execution-" / "Environment.").

So the decision is made from the shape of the lines as well as the remainder: a URL whose line
reaches the width of the lines around it was cut by the wrap, and the next line's first token
goes on with it when it could be part of an address; a URL on a line that stops well short of
that width ended there, whatever follows.  Some heads are incomplete whatever the line (a scheme
alone, a host with no real suffix yet: "https://api.semanticscholar." + "org/..."), and a
LaTeX-style `\\` at the line end always means "continued".
"""

from __future__ import annotations

import re

from ..domains import has_public_suffix

__all__ = ["BARE", "continues", "has_real_suffix", "end_of_line", "line_bounds", "line_fill", "start_of_line"]

_TLDS = "com|org|net|edu|gov|io|int|info|co|uk|de|fr|it|eu|ai|me|tv|us|ca|au|jp|nl|ch|es|be|ly"
# a scheme-less "host.tld/": an address by its "/".  Bounded like a DNS name (labels of at most 63, a
# few dozen of them): "a." x 20 million is not one host whose every label the regex engine would
# keep on its backtracking stack (gigabytes).
BARE = rf"[a-z](?:[a-z0-9-]{{0,63}}\.){{1,32}}(?:{_TLDS})/"

FULL = 0.75  # a line at least this share of the widest line around it reaches the wrap width
_AROUND = 6  # lines looked at on each side of the break to learn the wrap width
_REACH = 2_000  # characters looked at on each side (a 50 MB line is not measured whole)
_URL_PUNCT = "/._-=&?#%~"
_EXTENSIONS = frozenset("html htm shtml php asp aspx jsp pdf txt xml json csv zip gz tar md".split())
_SCHEME_ONLY = re.compile(r"^https?:(?://)?$", re.IGNORECASE)
_SCHEME_LIKE = re.compile(r"^[A-Za-z][\w.+-]*:(?![/?#])")  # "arXiv:2011.03287", "doi:10.1000/x", "URL:"
_NUMBERED = re.compile(r"^\d{1,4}\.([^\W\d_])")  # "146.Consolidated": the next item of a numbered list
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})+$")  # "4.2", "3.1.4": a section number
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){1,3}[A-Za-z]?$")  # "e.g.", "i.e.", "U.S.": prose, not an address
_STRONG = "/%_=&?#~"  # characters prose words do not hold
_FILES = _EXTENSIONS | {"doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "png", "gif", "mp3", "mp4"}
_FILE = re.compile(r"\.(?:" + "|".join(sorted(_FILES)) + r")$", re.IGNORECASE)  # a file name's end
_NEW_URL = re.compile(rf"[0-9]{{0,2}}(?:https?:|www\.)|[0-9]{{1,2}}{BARE}", re.IGNORECASE)  # a URL of its own
_TRAIL = ".,;:!?'*\\\u2026)]}\"\u201d\u2019"


_SPECIAL_USE = frozenset("example test localhost invalid local internal onion arpa".split())  # RFC 6761 and kin


def has_real_suffix(host: str) -> bool:
    """Whether HOST ends in a real public suffix: a name under one ("www.cdc.gov"), one of the private
    suffixes that are sites themselves ("httpbin.org", "github.io"), or a special-use name that
    documentation and tests write ("site.example", "api.test")."""
    last = host.rstrip(".").rsplit(".", 1)[-1].lower()
    return last in _SPECIAL_USE or has_public_suffix(host)


def start_of_line(text: str, pos: int, reach: int) -> int:
    """Start of the line holding POS, or POS - REACH when the line starts further back: no look goes
    further than REACH, so a long single-line text is not searched (and copied) whole once per call."""
    low = max(0, pos - reach)
    return max(text.rfind("\n", low, pos) + 1, low)


def end_of_line(text: str, pos: int, reach: int) -> int:
    """End of the line holding POS (where its newline stands), or POS + REACH when it ends further on."""
    end = text.find("\n", pos, pos + reach)
    return min(len(text), pos + reach) if end < 0 else end


def line_bounds(text: str, start: int, end: int, reach: int = _REACH) -> tuple[int, int]:
    """Start and end of the line holding text[start:end], each looked for at most REACH characters away."""
    return start_of_line(text, start, reach), end_of_line(text, end, reach)


def _blank(line: str) -> bool:
    return not line.strip()


def line_fill(text: str, line_start: int, line_end: int) -> float:
    """How close the line text[line_start:line_end] comes to the wrap width, as a share (1.0: the widest).

    The width is the widest line of the same paragraph within _AROUND lines on each side (blank
    lines end a paragraph, so a narrow column or a sidebar is measured against itself).  Only lines
    with a space in them were wrapped at a space and show the width; a line that is one long token
    (another URL) may run past the margin.
    """
    own = len(text[line_start:line_end].rstrip())
    widest = 0
    for line in _neighbours(text, line_start, line_end):
        if " " in line.strip():
            widest = max(widest, len(line.rstrip()))
    return own / widest if widest > own else 1.0


def _neighbours(text: str, line_start: int, line_end: int) -> list[str]:
    """Up to _AROUND lines of the same paragraph before and after the line at text[line_start:line_end]."""
    lines: list[str] = []
    pos = line_start
    for _ in range(_AROUND):  # lines before
        if pos <= 0 or line_start - pos > _REACH:
            break
        prev_start = start_of_line(text, pos - 1, _REACH)
        line = text[prev_start : pos - 1]
        if _blank(line) or "\f" in line:
            break
        lines.append(line)
        pos = prev_start
    pos = line_end
    for _ in range(_AROUND):  # lines after
        if pos >= len(text) or pos - line_end > _REACH:
            break
        next_end = end_of_line(text, pos + 1, _REACH)
        line = text[pos + 1 : next_end]
        if _blank(line) or "\f" in line:
            break
        lines.append(line)
        pos = next_end
    return lines


def _host_open(head: str) -> str | None:
    """The host of HEAD when the URL has not reached its path and the host is not complete yet
    ("https://www.ncbi.nlm.", "https://api.semantic"), else None."""
    rest = head.split("://", 1)[1] if "://" in head else head
    if any(c in rest for c in "/?#"):
        return None
    host = rest.rsplit("@", 1)[-1].split(":", 1)[0]
    if host.endswith(".") or not has_real_suffix(host):
        return host
    return None


def _numbered(token: str) -> bool:
    match = _NUMBERED.match(token)
    return match is not None and match[1].isupper()


def continues(text: str, end: int, head: str, token: str) -> bool:
    """Whether TOKEN, first on the line after the URL run ending at text[end], goes on with the URL HEAD
    (its run so far, wrap breaks removed) that the line break cut."""
    if not token or _NEW_URL.match(token):
        return False
    if _SCHEME_ONLY.match(head):  # "https:" / "http://" alone at the line end
        return token.startswith("//") if head.endswith(":") else "." in token
    bare = token.rstrip(_TRAIL)
    if (
        not bare
        or not (bare[0].isalnum() or bare[0] in "/%~_")
        or _SCHEME_LIKE.match(bare)
        or _numbered(bare)
        or _ABBREVIATION.match(token.rstrip(",;:"))
    ):
        return False  # "(2019)", "[12]", "arXiv:2011.03287", "146.Consolidated", "e.g.": not the rest of an address
    last = head[-1]
    if last == "\\":
        return True
    host = _host_open(head)
    if host is not None:  # only a host so far: the next line must finish it with a real suffix
        joined = (host + bare).split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0]
        return bare[0].isalnum() and has_real_suffix(joined.rstrip("."))
    if bare.isdigit() and len(bare) <= 3 and last not in "-_=&?#%~" or _SECTION.match(bare):
        return False  # a page, footnote or section number
    urlish = any(c in bare for c in _URL_PUNCT) or any(c.isdigit() for c in bare)
    # Whatever the line: a break after a character that joins parts of an address, before a
    # remainder that has address characters of its own (ragged LaTeX bibliographies break early).
    if last in "/-_=&?#%~" and urlish or last == "." and bare.lower() in _EXTENSIONS:
        return True
    if line_fill(text, start_of_line(text, end, _REACH), end) < FULL:
        return False  # the URL ended before the line had to break
    strong = any(c in bare for c in _STRONG) or _FILE.search(bare) is not None
    digits = any(c.isdigit() for c in bare)
    if last == ".":  # "1996." + "tb00431.x", "zenodo." + "1100953"; not a full stop + "The" or a year
        return strong or "." in bare and digits and not bare[0].isupper() or bare.isdigit() and len(bare) > 4
    if last in "-_=&?#%~":  # cannot end an address: "Preboot-Execution-" + "Environment."
        return True
    # cut inside a word: "solutions/VM" + "ware-HPC-Virtualized-DTC.pdf." (not a word of prose after a URL)
    return last != "/" and strong
