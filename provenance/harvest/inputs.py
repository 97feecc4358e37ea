"""Inputs: expand command-line targets into documents, read them safely, pick the harvester.

Format is chosen by content first and extension second, because PDF prints are saved as .txt,
web pages as .txt or with no extension, and Markdown as .txt too; a PDF is known by its `%PDF-`
header (which may follow up to 1 KB of junk, as readers allow, when the file ends as a PDF does).  Reading is capped
(`harvest.max_file_bytes`) so a 50 MB file cannot exhaust memory, an HTML page is parsed only up
to `harvest.max_html_bytes` (its tree takes ~25 times the page), and a document keeps at most
`harvest.max_links` links; each cut is noted in the document's `error`.  Of the text only what
copy detection reads is kept (textnorm.MAX_COMPARED_CHARS; the fingerprint is the whole text's): a
50 MB cp1251 text is 100 MB as str and as much again on its way into SQLite.  Nothing here raises for
one bad file: it becomes a HarvestedDocument with `error` set, and the run goes on.
"""

from __future__ import annotations

import codecs
import glob
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from ..config import HarvestConfig
from ..errors import InputError
from ..net.base import Client
from ..page.decoding import decode_text
from ..records import DocumentFormat, HarvestedDocument
from ..textnorm import MAX_COMPARED_CHARS, fingerprint
from .html import harvest_html
from .markdown import harvest_markdown
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


@dataclass(frozen=True)
class InputItem:
    """One document to harvest: a file (with the source name the report shows) or a URL."""

    source: str
    path: Path | None = None
    url: str | None = None


def is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


def expand_targets(targets: Iterable[str]) -> list[InputItem]:
    """Files, folders (recursively, hidden entries skipped) and URLs -> items; a missing path is an InputError."""
    items: list[InputItem] = []
    for target in targets:
        if is_url(target):
            items.append(InputItem(source=target, url=target))
            continue
        path = Path(target)
        if path.is_file():
            items.append(InputItem(source=_printable(target), path=path))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                items.append(InputItem(source=_printable(str(Path(target) / relative)), path=child))
        else:
            raise InputError(f"no such file, folder or URL: {target}")
    return items


def _printable(name: str) -> str:
    """A file name as text the store can hold: bytes that are not UTF-8 (kept by the OS as surrogates)
    are written as \\xNN, so two such names stay distinct."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_capped(path: Path, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of a file, and whether there was more."""
    with path.open("rb") as handle:
        data = handle.read(limit)
        return data, bool(handle.read(1))  # no slice: a second copy of 50 MB otherwise


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
    suffix = Path(urlsplit(name).path if is_url(name) else name).suffix.lower()
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
    kind = binary_kind(data)
    if kind:
        return failed_document(source, f"not a text document: {kind}")
    fmt = detect_format(source, data)
    notes = [f"only the first {len(data):,} bytes were read (harvest.max_file_bytes)"] if truncated else []
    if fmt is DocumentFormat.HTML and len(data) > config.max_html_bytes:
        data = data[: config.max_html_bytes]  # lxml's tree takes many times the page in memory
        notes.append(f"only the first {len(data):,} bytes of the page were parsed (harvest.max_html_bytes)")
    try:
        if fmt is DocumentFormat.PDF:
            doc = _harvest_pdf(source, data, config, base_url, pdf_reader)
        elif fmt is DocumentFormat.HTML:
            doc = harvest_html(
                source,
                data,
                base_url=base_url,
                include_boilerplate=config.include_boilerplate,
                max_links=config.max_links,
            )
        elif fmt is DocumentFormat.MARKDOWN:
            doc = harvest_markdown(source, decode_text(data), max_links=config.max_links)
        else:
            doc = harvest_text(source, decode_text(data), max_links=config.max_links)
    except PdfUnreadable as exc:
        cut = f" (only its first {len(data):,} bytes were read: harvest.max_file_bytes)" if truncated else ""
        return failed_document(source, f"cannot read the PDF: {exc}{cut}", DocumentFormat.PDF)
    except RecursionError:
        return failed_document(source, "document nested too deeply to parse")
    except Exception as exc:
        log.warning("harvesting %s failed", source, exc_info=True)
        return failed_document(source, f"could not parse as {fmt}: {type(exc).__name__}: {exc}")
    if len(doc.text) > MAX_COMPARED_CHARS:  # the fingerprint stays the whole text's
        doc = replace(doc, text=doc.text[:MAX_COMPARED_CHARS])
    if len(doc.links) > config.max_links:
        doc = replace(doc, links=doc.links[: config.max_links])
        notes.append(f"only the first {config.max_links:,} links were kept (harvest.max_links)")
    for note in notes:
        doc = _with_error(doc, note)
    return doc


def _harvest_pdf(
    source: str, data: bytes, config: HarvestConfig, base_url: str | None, reader: PdfReader | None
) -> HarvestedDocument:
    if reader is not None:
        return harvest_pdf(source, data, reader, base_url=base_url, max_links=config.max_links)
    with PdfReader() as own:
        return harvest_pdf(source, data, own, base_url=base_url, max_links=config.max_links)


def _with_error(doc: HarvestedDocument, note: str) -> HarvestedDocument:
    return replace(doc, error=f"{doc.error}; {note}" if doc.error else note)


def source_targets(base_dir: Path, path: str) -> list[str]:
    """The files and folders a watched `path:` source names now, resolved against BASE_DIR (the
    config file's folder); a glob matching nothing names nothing (the folder may fill later)."""
    full = path if Path(path).is_absolute() else str(base_dir / path)
    if not any(char in full for char in "*?["):
        return [full]
    return sorted(p for p in glob.glob(full, recursive=True) if Path(p).is_file())


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


def harvest_items(
    items: Sequence[InputItem], config: HarvestConfig, fetch: Fetch | None
) -> Iterator[HarvestedDocument]:
    """Harvest every item; `fetch(url) -> (body, error)` reads URL inputs (None when offline).

    One PDF reader serves every PDF of the run; it starts with the first PDF and ends with the run.
    """
    with PdfReader() as reader:
        for item in items:
            if item.url is not None:
                if fetch is None:
                    yield failed_document(item.source, "URL inputs need the network (run without --offline)")
                    continue
                body, error = fetch(item.url)
                # a body as long as the cap was cut there (fetch reads at most max_file_bytes)
                yield (
                    failed_document(item.source, error)
                    if error
                    else harvest_bytes(
                        item.source,
                        body,
                        config,
                        base_url=item.url,
                        truncated=len(body) >= config.max_file_bytes,
                        pdf_reader=reader,
                    )
                )
                continue
            assert item.path is not None
            try:
                data, truncated = read_capped(item.path, config.max_file_bytes)
            except OSError as exc:
                yield failed_document(item.source, f"cannot read: {exc.strerror or exc}")
                continue
            doc = harvest_bytes(item.source, data, config, truncated=truncated, pdf_reader=reader)
            del data  # not held while the caller stores the document
            yield doc
