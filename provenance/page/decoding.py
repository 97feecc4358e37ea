"""Bytes -> text for every document and page, with one charset policy.

The order of trust is the WHATWG encoding sniffing order, cut down to what a file or a fetched
body carries with it:

1. a byte-order mark;
2. for HTML only, a `<meta charset>`, http-equiv or XML declaration in the first 4 KB, when it
   names an ASCII-compatible encoding (a `<meta>` naming UTF-16 means nothing, as in browsers;
   latin-1 and ASCII labels mean windows-1252);
3. strict UTF-8;
4. detection (charset_normalizer) on the first 200 KB, with windows-1252, the legacy default of
   the web, preferred when it reads almost as well: short Western texts score alike in
   cp1250/cp1257/cp1252, and picking the Central European one turns 'à' into 'ŕ'.

Nothing here raises, and NUL characters are dropped: no text needs them, and PostgreSQL refuses them.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}
_ASCII_PROBE = b'<meta charset="x"><a href="https://e.org/?a=1&b=2#c">Text, 0-9!</a>\n'
DETECTED_BYTES = 200_000  # what detection reads: enough to tell, without reading a 50 MB file twice
LEGACY_DEFAULT = "cp1252"
LEGACY_MARGIN = 5.0  # chaos points by which windows-1252 may read worse than the best guess and still win


def decode_html(data: bytes) -> str:
    """An HTML page's text: BOM, then its declared charset, then UTF-8, then detection."""
    return _decode(data, declared=_declared_charset(data[:4096]))


def decode_text(data: bytes) -> str:
    """A text, Markdown or PDF-text file's text: BOM, then UTF-8, then detection."""
    return _decode(data, declared=None)


def _decode(data: bytes, declared: str | None) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace").replace("\x00", "")
    if declared is not None:
        return data.decode(declared, "replace").replace("\x00", "")
    try:
        return data.decode("utf-8").replace("\x00", "")
    except UnicodeDecodeError:
        pass
    return data.decode(guess_legacy_encoding(data[:DETECTED_BYTES]), "replace").replace("\x00", "")


def _declared_charset(head: bytes) -> str | None:
    """The codec a page's own markup names, when it is one that reads ASCII markup as ASCII."""
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    try:
        name = codecs.lookup(_LABEL_ALIASES.get(label, label)).name
    except LookupError:
        return None  # an unknown label: detection decides
    return name if _ascii_compatible(name) else None


def _ascii_compatible(name: str) -> bool:
    """Whether codec NAME reads ASCII markup as ASCII (and any byte without raising), as every
    encoding a page may declare does; Python's idna, punycode, utf-7, utf-16 codecs do not."""
    try:
        (_ASCII_PROBE + b"\x80\xff").decode(name, "replace")
        return _ASCII_PROBE.decode(name, "replace") == _ASCII_PROBE.decode("ascii")
    except (UnicodeError, LookupError, ValueError, TypeError):
        return False


def guess_legacy_encoding(sample: bytes) -> str:
    """charset_normalizer's guess for SAMPLE, but windows-1252 when it reads almost as well."""
    matches = list(from_bytes(sample))
    if not matches:
        return LEGACY_DEFAULT
    best = matches[0]
    western = next((m for m in matches if m.encoding == LEGACY_DEFAULT), None)
    if western is not None and western.percent_chaos <= best.percent_chaos + LEGACY_MARGIN:
        return LEGACY_DEFAULT
    return best.encoding
