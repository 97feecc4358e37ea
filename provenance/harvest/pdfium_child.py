"""The child process that reads PDFs with PDFium: `python -m provenance.harvest.pdfium_child MEMORY`.

PDFium is native code with no bound on what a PDF makes it decompress or lay out, so it runs
here, in a process of its own whose data segment is capped at MEMORY bytes (RLIMIT_DATA) and
which the parent kills at its deadline.  A decompression bomb or a runaway page then ends this
process, never the harvest.  What goes back is plain JSON, one message a line, so even a
child that PDFium's bugs had taken over could send the parent nothing but data.

Requests come on stdin, one after the other: a JSON line {"size", "max_pages", "max_chars",
"max_links"} followed by SIZE bytes of PDF.  Answers: a "document" message (page count, Info dictionary),
then a "page" message per page read (text; per line its first character's index, box and font
size; per URI link its address, rectangles and the characters under them), then "end" with the
cut that stopped the reading, if any; or a single "error" when the file cannot be opened.
"""

from __future__ import annotations

import ctypes
import json
import resource
import sys
from typing import Any, BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted: a password is needed to open it",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted with an unsupported security handler",
    pdfium_c.FPDF_ERR_FORMAT: "not a PDF, or damaged beyond repair",
    pdfium_c.FPDF_ERR_FILE: "not a PDF, or cut short",
}
_TOLERANCE = 1.0  # points a character's centre may lie outside a link's rectangle


def main(memory: int, requests: BinaryIO, answers: BinaryIO) -> None:
    """Serve requests until stdin closes."""
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    while header := requests.readline():
        job = json.loads(header)
        data = requests.read(job["size"])
        for message in read(data, job["max_pages"], job["max_chars"], job["max_links"]):
            answers.write(json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n")
            answers.flush()


def read(data: bytes, max_pages: int, max_chars: int, max_links: int) -> Any:
    """The messages for one PDF (a generator, so each page leaves as soon as it is read)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        yield {"kind": "error", "reason": _OPEN_ERRORS.get(code, f"PDFium cannot open it ({exc})")}
        return
    try:
        pages = len(pdf)
        yield {"kind": "document", "pages": pages, "info": _info(pdf)}
        chars, links, cut = 0, 0, None
        for index in range(pages):
            if index >= max_pages:
                cut = "pages"
                break
            page = _page(pdf, index, max_chars - chars, max_links - links)
            chars += len(page["text"])
            links += len(page["links"])
            yield page
            if chars >= max_chars:
                cut = "chars"
                break
        yield {"kind": "end", "cut": cut}
    finally:
        pdf.close()


def _info(pdf: pdfium.PdfDocument) -> dict[str, str]:
    try:
        return {key: value for key, value in pdf.get_metadata_dict(skip_empty=True).items() if isinstance(value, str)}
    except pdfium.PdfiumError:
        return {}


def _page(pdf: pdfium.PdfDocument, index: int, room: int, link_room: int) -> dict[str, Any]:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:  # a character outside the BMP: index by character, one at a time
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
        text = text[: max(room, 0)]
        lines = _lines(textpage, text)
        links = _links(pdf, page, textpage, text, lines, max(link_room, 0))
        return {"kind": "page", "index": index, "text": text, "lines": lines, "links": links}
    finally:
        textpage.close()
        page.close()


_EDGES = tuple(ctypes.c_double() for _ in range(4))  # left, right, bottom, top: one set, reused by every call
_EDGE_REFS = tuple(ctypes.byref(edge) for edge in _EDGES)


def _box(textpage: Any, index: int) -> tuple[float, float, float, float] | None:
    """(left, bottom, right, top) of a character, or None when it has no box."""
    if not pdfium_c.FPDFText_GetCharBox(textpage, index, *_EDGE_REFS):
        return None
    left, right, bottom, top = (edge.value for edge in _EDGES)
    return left, bottom, right, top


def _lines(textpage: Any, text: str) -> list[list[float]]:
    """[index of the line's start, then left, bottom, right, top of its first character's box, and its
    type size] for each line of TEXT.  PDFium ends a line with CR LF, or joins it to the next with
    U+FFFE where it ended in a hyphen: both start a line here."""
    lines = []
    start = 0
    while start < len(text):
        ends = [i for i in (text.find("\n", start), text.find("\ufffe", start)) if i >= 0]
        end = min(ends) + 1 if ends else len(text)
        for i in range(start, min(end, start + 8)):
            box = _box(textpage, i) if not text[i].isspace() else None
            if box is not None and box[3] > box[1]:
                lines.append([start, *box, _size(textpage, i)])
                break
        start = end
    return lines


def _size(textpage: Any, index: int) -> float:
    """The type size at a character: the height of its loose box (the font's ascent to descent)."""
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, ctypes.byref(rect)):
        return 0.0
    return float(abs(rect.top - rect.bottom))


def _links(
    pdf: pdfium.PdfDocument, page: Any, textpage: Any, text: str, lines: list[list[float]], room: int
) -> list[dict[str, Any]]:
    """The page's URI links in the page's order (at most ROOM): address, rectangles, the characters under them."""
    links: list[dict[str, Any]] = []
    pos, link = ctypes.c_int(0), pdfium_c.FPDF_LINK()
    while len(links) < room and pdfium_c.FPDFLink_Enumerate(page, ctypes.byref(pos), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        size = pdfium_c.FPDFAction_GetURIPath(pdf, action, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAction_GetURIPath(pdf, action, buffer, size)
        links.append({"uri": _decode(buffer.raw[: max(size - 1, 0)]), "rects": _rects(link), "chars": []})
    if links and text:
        boxes: dict[int, tuple[float, float, float, float] | None] = {}
        for found in links:
            found["chars"] = _under(textpage, text, lines, list(found["rects"]), boxes)
    return links


def _rects(link: Any) -> list[list[float]]:
    """The link's quadrilaterals as rectangles (a link over two lines has one per line), else its rectangle."""
    rects: list[list[float]] = []
    for i in range(pdfium_c.FPDFLink_CountQuadPoints(link)):
        quad = pdfium_c.FS_QUADPOINTSF()
        if pdfium_c.FPDFLink_GetQuadPoints(link, i, ctypes.byref(quad)):
            xs = (quad.x1, quad.x2, quad.x3, quad.x4)
            ys = (quad.y1, quad.y2, quad.y3, quad.y4)
            rects.append([min(xs), min(ys), max(xs), max(ys)])
    if not rects:
        rect = pdfium_c.FS_RECTF()
        if pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            left, right = sorted((rect.left, rect.right))
            bottom, top = sorted((rect.bottom, rect.top))
            rects.append([left, bottom, right, top])
    return rects


def _under(
    textpage: Any,
    text: str,
    lines: list[list[float]],
    rects: list[list[float]],
    boxes: dict[int, tuple[float, float, float, float] | None],
) -> list[list[int]]:
    """Runs [start, end) of the characters whose centre lies in one of RECTS.

    Only the lines whose height meets a rectangle are measured character by character (BOXES keeps
    what was measured), so a page of text with one link costs a few lines, not every character.
    """
    starts = [int(line[0]) for line in lines] + [len(text)]
    wanted: list[int] = []
    for line, end in zip(lines, starts[1:], strict=True):
        bottom, top = line[2], line[4]
        if any(r[1] - _TOLERANCE <= top and bottom <= r[3] + _TOLERANCE for r in rects):
            wanted.extend(range(int(line[0]), end))
    runs: list[list[int]] = []
    for i in wanted:
        if text[i].isspace():  # line ends and spaces have boxes too; a run starts and ends on a character
            continue
        if i not in boxes:
            boxes[i] = _box(textpage, i)
        box = boxes[i]
        if box is None:
            continue
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if any(
            r[0] - _TOLERANCE <= x <= r[2] + _TOLERANCE and r[1] - _TOLERANCE <= y <= r[3] + _TOLERANCE for r in rects
        ):
            if runs and runs[-1][1] >= i - 3:  # a space or a line break between two pieces joins them
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
    return runs


def _decode(raw: bytes) -> str:
    """A URI as the PDF stores it: 7-bit ASCII by the standard, UTF-8 or UTF-16 in practice."""
    if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        return raw.decode("utf-16", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
