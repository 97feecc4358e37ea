"""Inputs: read each input document safely and pick its harvester (files.py says which files).

Format is chosen by content first and extension second, because PDF prints are saved as .txt,
web pages as .txt or with no extension, and Markdown as .txt too; a PDF is known by its `%PDF-`
header (which may follow up to 1 KB of junk, as readers allow, when the file ends as a PDF does).  Reading is capped
(`harvest.max_file_bytes`) so a 50 MB file cannot exhaust memory, an HTML page is parsed only up
to `harvest.max_html_bytes` (its tree takes ~25 times the page), and a document keeps at most
`harvest.max_links` links; each cut is noted in the document's `error`.  Of the text only what
copy detection reads is kept (textnorm.MAX_COMPARED_CHARS; the fingerprint is the whole text's): a
50 MB cp1251 text is 100 MB as str and as much again on its way into SQLite.  Nothing here raises for
one bad file: it becomes a HarvestedDocument with `error` set, and the run goes on.

A Word file is a zip whose [Content_Types].xml declares a WordprocessingML document (or a zip named
.docx, so a broken one says why); it is read whole or not at all, since a zip's directory is at its
end.  Other zips, and OLE files (an encrypted Office document, a Word 97-2003 .doc), are refused.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from ..config import HarvestConfig
from ..errors import InputError
from ..net.base import Client
from ..page.decoding import decode_text
from ..reading import read_capped
from ..records import DocumentFormat, HarvestedDocument
from ..textnorm import MAX_COMPARED_CHARS, fingerprint
from .docx import harvest_docx
from .files import InputItem, is_url
from .html import harvest_html
from .markdown import harvest_markdown
from .ooxml import OLE_MAGIC, WORD_EXTENSIONS, ZIP_MAGIC, WordPackage, compound_file_kind, word_package
from .pdf import PdfUnreadable, harvest_pdf
from .pdfread import PdfReader
from .text import harvest_text

Fetch = Callable[[str], tuple[bytes, str | None]]  # url -> (body, why there is none)
HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"}
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
TEXT_EXTENSIONS = {".txt", ".text", ""}
log = logging.getLogger(__name__)
_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
_MARKDOWN_SNIFF = re.compile(r"(^|\n)(#{1,6} |\[[^\]\n]+\]\([^)\s]+\)|\[[^\]\n]+\]:\s*\S)")
_NON_TEXT_BYTES = bytes(sorted(set(range(32)) - {8, 9, 10, 11, 12, 13, 27})) + b"\x7f"  # controls no text uses
_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "gzip-compressed",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
}


def is_pdf(data: bytes) -> bool:
    """A PDF: its header first, or within the first kilobyte of a file that ends as a PDF ends (a text
    quoting "%PDF-1.7" near its top is still a text)."""
    return data.startswith(b"%PDF-") or b"%PDF-" in data[:1024] and b"%%EOF" in data[-1024:]


def binary_kind(data: bytes) -> str | None:
    """What a binary file is, or None for text (UTF-16/32 with a BOM counts as text) and for a PDF."""
    if is_pdf(data):
        return None
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    head = data[:8192]
    # More than 5% bytes no text uses (tab, CR, LF, FF, ESC are fine); a stray NUL is not enough.
    limit = len(head) // 20 + 1
    if head.count(b"\x00") > limit:
        return "binary (NUL bytes)"
    if len(head) - len(head.translate(None, _NON_TEXT_BYTES)) > limit:
        return "binary (control bytes)"
    return None


def detect_format(name: str, data: bytes) -> DocumentFormat:
    """Content first (an HTML page saved as .txt is HTML), then the extension."""
    if is_pdf(data):
        return DocumentFormat.PDF
    head = data[:4096].lstrip(codecs.BOM_UTF8)
    if _HTML_SNIFF.match(head):
        return DocumentFormat.HTML
    suffix = _suffix(name)
    if suffix in HTML_EXTENSIONS and b"<" in head:
        return DocumentFormat.HTML
    if suffix in MARKDOWN_EXTENSIONS:
        return DocumentFormat.MARKDOWN
    if suffix not in TEXT_EXTENSIONS and _MARKDOWN_SNIFF.search(head.decode("utf-8", "replace")):
        return DocumentFormat.MARKDOWN
    return DocumentFormat.TEXT


def failed_document(source: str, reason: str, fmt: DocumentFormat = DocumentFormat.TEXT) -> HarvestedDocument:
    """The record of a document that could not be harvested: stored and reported, never fatal."""
    return HarvestedDocument(
        source=source,
        format=fmt,
        title=None,
        published=None,
        original_url=None,
        text="",
        fingerprint=fingerprint(""),
        error=reason,
        unreadable=True,
    )


def _suffix(name: str) -> str:
    """The extension of a file's name or of a URL's path, in lower case ("" for none)."""
    return Path(urlsplit(name).path if is_url(name) else name).suffix.lower()


def harvest_bytes(
    source: str,
    data: bytes,
    config: HarvestConfig,
    base_url: str | None = None,
    truncated: bool = False,
    pdf_reader: PdfReader | None = None,
) -> HarvestedDocument:
    """Choose the harvester for `data` and run it; a harvester bug becomes a per-document error.

    PDF_READER reads PDFs (one child process for many files); without it a PDF gets a reader of its own.
    """
    if data.startswith(OLE_MAGIC):
        return failed_document(source, f"not a text document: {compound_file_kind(data)}")
    if data.startswith(ZIP_MAGIC):
        # a zip that declares a WordprocessingML main document, or one named .docx (to say why it fails)
        named = _suffix(source) in WORD_EXTENSIONS
        package = None if named else word_package(data)
        if named or package is not None:
            return _harvest_word(source, data, package, config, truncated)
    kind = binary_kind(data)
    if kind:
        return failed_document(source, f"not a text document: {kind}")
    fmt = detect_format(source, data)
    notes = [f"only the first {len(data):,} bytes were read (harvest.max_file_bytes)"] if truncated else []
    if fmt is DocumentFormat.HTML and len(data) > config.max_html_bytes:
        data = data[: config.max_html_bytes]  # lxml's tree takes many times the page in memory
        notes.append(f"only the first {len(data):,} bytes of the page were parsed (harvest.max_html_bytes)")

    def parse() -> HarvestedDocument:
        try:
            doc = _harvest_format(source, fmt, data, config, base_url, pdf_reader)
        except PdfUnreadable as exc:
            cut = f" (only its first {len(data):,} bytes were read: harvest.max_file_bytes)" if truncated else ""
            return failed_document(source, f"cannot read the PDF: {exc}{cut}", DocumentFormat.PDF)
        return _kept(doc, config, notes)

    return _guarded(source, f"could not parse as {fmt}", DocumentFormat.TEXT, parse)


def _harvest_format(
    source: str, fmt: DocumentFormat, data: bytes, config: HarvestConfig, base_url: str | None, reader: PdfReader | None
) -> HarvestedDocument:
    if fmt is DocumentFormat.PDF:
        return _harvest_pdf(source, data, config, base_url, reader)
    if fmt is DocumentFormat.HTML:
        return harvest_html(
            source, data, base_url=base_url, include_boilerplate=config.include_boilerplate, max_links=config.max_links
        )
    if fmt is DocumentFormat.MARKDOWN:
        return harvest_markdown(source, decode_text(data), max_links=config.max_links)
    return harvest_text(source, decode_text(data), max_links=config.max_links)


def _guarded(
    source: str, what_failed: str, fmt: DocumentFormat, harvest: Callable[[], HarvestedDocument]
) -> HarvestedDocument:
    """HARVEST(), or a failed document (of format FMT, its reason starting with WHAT_FAILED) when the
    harvester raises what it does not name itself: a harvester bug is one document's error."""
    try:
        return harvest()
    except RecursionError:
        return failed_document(source, "document nested too deeply to parse", fmt)
    except MemoryError:
        raise  # the budget's to report (budget.py): the process may be in no state to go on
    except Exception as exc:
        log.warning("harvesting %s failed", source, exc_info=True)
        return failed_document(source, f"{what_failed}: {type(exc).__name__}: {exc}", fmt)


def _kept(doc: HarvestedDocument, config: HarvestConfig, notes: list[str]) -> HarvestedDocument:
    """DOC as it is stored: the text copy detection reads, at most max_links links, every cut noted."""
    if len(doc.text) > MAX_COMPARED_CHARS:  # the fingerprint stays the whole text's
        doc = replace(doc, text=doc.text[:MAX_COMPARED_CHARS])
    if len(doc.links) > config.max_links:
        doc = replace(doc, links=doc.links[: config.max_links])
        notes.append(f"only the first {config.max_links:,} links were kept (harvest.max_links)")
    for note in notes:
        doc = _with_error(doc, note)
    return doc


def _harvest_word(
    source: str, data: bytes, package: WordPackage | None, config: HarvestConfig, truncated: bool
) -> HarvestedDocument:
    """A Word document (PACKAGE: DATA already opened, if it was): read whole or not at all (a zip's
    directory is at its end), its text capped at harvest.max_file_bytes characters as a text file's
    bytes are."""
    if truncated:
        reason = f"a Word document larger than harvest.max_file_bytes ({config.max_file_bytes:,} bytes): not read"
        return failed_document(source, reason, DocumentFormat.DOCX)

    def read() -> HarvestedDocument:
        try:
            opened = package if package is not None else WordPackage(data)
            doc = harvest_docx(source, opened, max_links=config.max_links, max_chars=config.max_file_bytes)
        except InputError as exc:
            return failed_document(source, f"could not read the Word document: {exc}", DocumentFormat.DOCX)
        return _kept(doc, config, [])

    return _guarded(source, "could not read the Word document", DocumentFormat.DOCX, read)


def _harvest_pdf(
    source: str, data: bytes, config: HarvestConfig, base_url: str | None, reader: PdfReader | None
) -> HarvestedDocument:
    if reader is not None:
        return harvest_pdf(source, data, reader, base_url=base_url, max_links=config.max_links)
    with PdfReader() as own:
        return harvest_pdf(source, data, own, base_url=base_url, max_links=config.max_links)


def _with_error(doc: HarvestedDocument, note: str) -> HarvestedDocument:
    return replace(doc, error=f"{doc.error}; {note}" if doc.error else note)


def fetcher(client: Client, max_bytes: int) -> Fetch:
    """FETCH for URL inputs: the body of a 2xx-3xx answer, or why there is none."""

    def fetch(url: str) -> tuple[bytes, str | None]:
        response = client.request("GET", url, max_bytes=max_bytes)
        if response.error:
            return b"", f"cannot fetch {url}: {response.error}"
        if response.status is None or response.status >= 400:
            return b"", f"cannot fetch {url}: HTTP {response.status}"
        return response.body, None

    return fetch


class Harvest(Protocol):
    """What turns one document's bytes into a HarvestedDocument: `harvest_bytes`, or the same run
    under a budget in a child process (budget.py)."""

    def __call__(
        self, source: str, data: bytes, base_url: str | None = None, truncated: bool = False
    ) -> HarvestedDocument: ...


def harvest_items(
    items: Sequence[InputItem], config: HarvestConfig, fetch: Fetch | None, harvest: Harvest | None = None
) -> Iterator[HarvestedDocument]:
    """Harvest every item; `fetch(url) -> (body, error)` reads URL inputs (None when offline);
    HARVEST parses what was read (default: `harvest_bytes` here, in this process, with one PDF
    reader for the run's PDFs)."""
    with PdfReader() as reader:
        run = harvest or partial(harvest_bytes, config=config, pdf_reader=reader)
        for item in items:
            yield replace(_harvest_item(item, config, fetch, run), location=item.location)


def _harvest_item(item: InputItem, config: HarvestConfig, fetch: Fetch | None, harvest: Harvest) -> HarvestedDocument:
    if item.url is not None:
        if fetch is None:
            return failed_document(item.source, "URL inputs need the network (run without --offline)")
        body, error = fetch(item.url)
        if error:
            return failed_document(item.source, error)
        # a body as long as the cap was cut there (fetch reads at most max_file_bytes)
        return harvest(item.source, body, base_url=item.url, truncated=len(body) >= config.max_file_bytes)
    assert item.path is not None
    try:
        data, truncated = read_capped(item.path, config.max_file_bytes)
    except OSError as exc:
        return failed_document(item.source, f"cannot read: {exc.strerror or exc}")
    return harvest(item.source, data, truncated=truncated)  # DATA is dropped on return
