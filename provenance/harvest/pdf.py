"""The PDF harvester: a PDF file -> HarvestedDocument, its links from its annotations and its text.

The library is PDFium, through pypdfium2, read in a bounded child process (pdfread.py says why it
was chosen over pypdf and pdfminer.six, and docs/performance.md has the measurements).  The
pages become one text shaped like text copied out of a PDF (pdftext.py), and that text goes
through the plain-text reader, harvest_text, for its title, dates, lost links and URLs: what
improves there improves PDFs too.  The link annotations are the authority on where a link goes
(pdflinks.py); a browser print's header and footer are taken off first (prints.py), its time
settled by the file's creation date where the stamp reads two ways.

What the file says of itself (pdfmeta.py) goes into the document's evidence; a metadata date is
the publication date only when the text names none, and never for a browser's print, whose
dates are the print's.  A hostile file is bounded in pages, characters, memory and time; a cut is
said in the document's error.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..records import DocumentFormat, HarvestedDocument
from .pdflinks import Annotation, link_annotations, merge_links
from .pdfmeta import PdfMetadata, read_metadata
from .pdfread import MAX_CHARS, MAX_LINKS, MAX_PAGES, PdfContent, PdfReader, PdfUnreadable
from .pdftext import assemble, display_title
from .prints import PrintMarks, read_print
from .text import harvest_text_and_urls

__all__ = ["PdfUnreadable", "harvest_pdf"]


def harvest_pdf(
    source: str,
    data: bytes,
    reader: PdfReader,
    base_url: str | None = None,
    max_links: int | None = None,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_CHARS,
) -> HarvestedDocument:
    """Harvest one PDF; PdfUnreadable when nothing can be read from it (encrypted, damaged, not a PDF)."""
    links_read = MAX_LINKS if max_links is None else min(MAX_LINKS, max_links + 1)
    content = reader.read(data, max_pages=max_pages, max_chars=max_chars, max_links=links_read)
    meta = read_metadata(content.info, data)
    made = meta.made()
    assembled = assemble(content.pages)
    printed = read_print(assembled.text, hint=made.value if made else None)
    notes = link_annotations(content.pages, assembled, printed.removed, base_url)
    doc, found = harvest_text_and_urls(source, printed.text, max_links=max_links)
    links = merge_links(printed.text, assembled, printed.removed, doc.links, found, notes)
    original = printed.original_link()
    if original is not None and not any(link.role is original.role for link in links):
        links.append(replace(original, position=len(links)))
    return replace(
        doc,
        format=DocumentFormat.PDF,
        title=meta.title or printed.title or (display_title(content.pages[0]) if content.pages else None) or doc.title,
        published=doc.published or (None if _is_print(meta, printed) else meta.published()),
        original_url=doc.original_url or _own_address(printed, notes) or base_url,
        links=tuple(links),
        captured=printed.captured or (made if _is_print(meta, printed) else None),
        evidence={**doc.evidence, **printed.evidence(), "pdf": _evidence(content, meta)},
        error=_cut_note(content),
    )


def _is_print(meta: PdfMetadata, printed: PrintMarks) -> bool:
    return printed.captured is not None or meta.by_browser


def _own_address(printed: PrintMarks, notes: list[Annotation]) -> str | None:
    """The printed address; one cut short with an ellipsis is completed by the page's own links to parts
    of itself ("…?u…" and "…?utm_source=…#w_section"), when they all agree."""
    whole = printed.original_link()
    if whole is not None:
        return whole.url
    if printed.url is None or not printed.url_cut:
        return None
    candidates = {note.url.split("#", 1)[0] for note in notes if note.url and note.url.startswith(printed.url)}
    return candidates.pop() if len(candidates) == 1 else None


def _evidence(content: PdfContent, meta: PdfMetadata) -> dict[str, Any]:
    return {"pages": content.page_count, "pages_read": len(content.pages), **meta.evidence()}


def _cut_note(content: PdfContent) -> str | None:
    """One line saying what was not read, when the reading stopped before the last page."""
    read, total = len(content.pages), content.page_count
    reason = {
        "pages": f"only the first {read:,} of {total:,} pages were read (a page limit for hostile files)",
        "chars": f"only the text of the first {read:,} of {total:,} pages was read (a text limit for hostile files)",
        "time": f"only {read:,} of {total:,} pages were read before the time limit",
        "memory": f"only {read:,} of {total:,} pages were read before the reader ran out of its memory limit",
    }
    return reason.get(content.cut) if content.cut else None
