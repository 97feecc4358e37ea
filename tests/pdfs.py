"""PDFs the tests build themselves: pages of text with URI link annotations over it (reportlab), and
hand-written files for what reportlab does not write (an XMP stream, hostile structures).

Text is written as lines with Markdown-like link marks: "See [the report](https://x.org/r)." draws
"See the report." and puts a link annotation over "the report".  A mark may open on one line and
close on a later one, as a wrapped link does: each line gets its own rectangle with the same
address, which is how word processors and LaTeX write a link over a line break.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Sequence

from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

FONT, SIZE, LEADING = "Helvetica", 10, 13
LEFT, TOP = 72, 720
_MARK = re.compile(r"\[|\]\(([^)\s]+)\)")


def build_pdf(
    pages: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    creator: str | None = None,
    created: str | None = None,  # a PDF date string, "D:20210303101500Z"
    user_password: str | None = None,
    owner_password: str | None = None,
    header: str | None = None,  # drawn at the top of every page; "{page}" and "{pages}" filled in
    footer: str | None = None,  # drawn at the bottom of every page
) -> bytes:
    """A PDF of PAGES (each a list of lines with link marks), its Info dictionary set as given."""
    out = io.BytesIO()
    encrypt = (
        StandardEncryption(user_password or "", owner_password or "owner") if user_password or owner_password else None
    )
    pdf = canvas.Canvas(out, encrypt=encrypt, pageCompression=1)
    pdf.setTitle(title or "")
    pdf.setCreator(creator or "")
    if created:
        pdf.setDateFormatter(lambda *_: created)
    for number, lines in enumerate(pages, 1):
        pdf.setFont(FONT, SIZE)
        for text, y in ((header, TOP + 40), (footer, 40)):
            if text:
                for i, part in enumerate(text.format(page=number, pages=len(pages)).split("\t")):
                    pdf.drawString(LEFT + i * 300, y, part)  # header and footer parts left and right
        _write_lines(pdf, lines)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _write_lines(pdf: canvas.Canvas, lines: Sequence[str]) -> None:
    open_at: float | None = None  # x where the link being written opened on this line
    pending: list[tuple[float, float, float]] = []  # pieces (x0, x1, y) of a link waiting for its address
    for row, line in enumerate(lines):
        y = TOP - row * LEADING
        if open_at is not None:  # the link goes on from the line before
            open_at = LEFT
        drawn, pos = "", 0
        for mark in _MARK.finditer(line):
            drawn += line[pos : mark.start()]
            pos = mark.end()
            here = LEFT + stringWidth(drawn, FONT, SIZE)
            if mark.group(0) == "[":
                open_at = here
                continue
            assert open_at is not None, f"']' without '[' in {line!r}"
            for x0, x1, at in [*pending, (open_at, here, y)]:
                pdf.linkURL(mark.group(1), (x0, at - 3, x1, at + SIZE), relative=0, thickness=0)
            pending, open_at = [], None
        drawn += line[pos:]
        pdf.drawString(LEFT, y, drawn)
        if open_at is not None:
            pending.append((open_at, LEFT + stringWidth(drawn, FONT, SIZE), y))


def raw_pdf(objects: Sequence[bytes], root: int = 1, info: int | None = None) -> bytes:
    """A PDF file of OBJECTS (numbered from 1) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root) + (b" /Info %d 0 R" % info if info else b"")
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(body: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    """A stream object's body, deflated when COMPRESS."""
    if compress:
        body = zlib.compress(body)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def text_page_objects(lines: Sequence[str], first: int) -> list[bytes]:
    """A page (object FIRST, its content FIRST+1, its font FIRST+2) showing LINES; its parent is object 2."""
    ops = b"BT /F1 10 Tf 72 720 Td 13 TL " + b" ".join(b"(%s) '" % line.encode("latin-1") for line in lines) + b" ET"
    return [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
        b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (first + 1, first + 2),
        stream(ops),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
