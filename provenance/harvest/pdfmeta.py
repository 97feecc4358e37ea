"""What a PDF says of itself: its Info dictionary and XMP metadata, as evidence of when it was made.

The dates a PDF carries are when the file was written (CreationDate, xmp:CreateDate), changed
(ModDate) or published (prism:publicationDate, a publisher's Crossmark version date).  They go
into the document's evidence as written; one becomes the publication date only when the text
names none, marked `pdf_metadata:<which>` so a finding says where it came from.  A browser's
print of a page is made when it is printed: its dates are the copy's, never the page's.

PDFium gives the Info dictionary but not the XMP stream, so the stream is found in the file's
bytes: the catalog's /Metadata object (the last definition, as incremental updates append), its
stream inflated with a cap when compressed.  Figures and pages placed from other PDFs carry XMP
packets of their own, so a packet is taken only when the catalog names it or its creation time
is the Info dictionary's.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from ..records import DateEvidence

__all__ = ["PdfMetadata", "read_metadata"]

_EARLIEST = date(1993, 6, 15)  # PDF 1.0: no PDF was made before
_MAX_XMP = 1 << 20  # bytes of an XMP packet read, inflated or not
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{2}'?)?")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_XMP_PACKET = re.compile(rb"<x:xmpmeta\b.{0,%d}?</x:xmpmeta>" % _MAX_XMP, re.S)
_TYPE_BEFORE = re.compile(rb"/Type\s*$")
_METADATA_REF = re.compile(rb"/Metadata\s+(\d+)\s+(\d+)\s+R")
# XMP properties, as elements or attributes, whatever the prefix's case ("xap" is XMP's old name)
_XMP_FIELDS = {
    "prism:publicationDate": r"prism:publicationDate",
    "prism:coverDate": r"prism:coverDate",
    "dc:date": r"dc:date",
    "crossmark:MajorVersionDate": r"(?:crossmark|pdfx):(?:Crossmark)?MajorVersionDate",
    "xmp:CreateDate": r"(?:xmp|xap):CreateDate",
    "xmp:ModifyDate": r"(?:xmp|xap):ModifyDate",
    "xmp:MetadataDate": r"(?:xmp|xap):MetadataDate",
}
# which date stands for the publication when the text names none, best first
_PUBLISHED = (
    ("prism:publicationDate", "publication_date"),
    ("prism:coverDate", "cover_date"),
    ("crossmark:MajorVersionDate", "version_date"),
    ("dc:date", "date"),
    ("xmp:CreateDate", "creation_date"),
    ("info:CreationDate", "creation_date"),
)
_BROWSER = re.compile(
    r"\b(?:HeadlessChrome|Chrome|Chromium|Firefox|Safari|Edg|Edge|OPR|Opera|Vivaldi)/?\b|Mozilla/5\.0"
)
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft (?:word|powerpoint|excel) - .*|powerpoint presentation|slide \d+|document\d*|title)$"
    r"|\.(?:docx?|pdf|pptx?|xlsx?|indd|tex|dvi|qxd|rtf|odt)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PdfMetadata:
    """The dates, producer and title a PDF states about itself."""

    dates: dict[str, str]  # "info:CreationDate", "xmp:CreateDate", ... -> the value as written
    creator: str | None
    producer: str | None
    title: str | None

    @property
    def by_browser(self) -> bool:
        """Whether a web browser wrote the file: a print of a page, made when it was printed."""
        return any(_BROWSER.search(value) for value in (self.creator, self.producer) if value)

    def made(self) -> DateEvidence | None:
        """When the file was made (its creation date), for a print's captured date."""
        for key in ("xmp:CreateDate", "info:CreationDate"):
            if key in self.dates and (value := _read_date(self.dates[key])) is not None:
                return DateEvidence(value=value, source="pdf_metadata:creation_date", raw=f"{key} {self.dates[key]}")
        return None

    def published(self) -> DateEvidence | None:
        """The date that best stands for the publication, for a document whose text names none."""
        for key, name in _PUBLISHED:
            if key in self.dates and (value := _read_date(self.dates[key])) is not None:
                return DateEvidence(value=value, source=f"pdf_metadata:{name}", raw=f"{key} {self.dates[key]}")
        return None

    def evidence(self) -> dict[str, Any]:
        stated = {"creator": self.creator, "producer": self.producer, "title": self.title}
        return {"dates": dict(self.dates), **{k: v for k, v in stated.items() if v}}


def read_metadata(info: dict[str, str], data: bytes) -> PdfMetadata:
    """The metadata of the PDF in DATA, whose Info dictionary PDFium read as INFO."""
    dates = {f"info:{key}": info[key].strip() for key in ("CreationDate", "ModDate") if info.get(key, "").strip()}
    xmp = _document_xmp(data, dates.get("info:CreationDate"))
    title = info.get("Title", "").strip() or None
    if xmp is not None:
        for key, name in _XMP_FIELDS.items():
            if (value := _xmp_value(xmp, name)) is not None:
                dates[key] = value
        title = title or _xmp_title(xmp)
    if title is not None and (_JUNK_TITLE.search(title) or len(title) < 3 or len(title) > 300):
        title = None
    return PdfMetadata(dates, info.get("Creator") or None, info.get("Producer") or None, title)


def _document_xmp(data: bytes, created: str | None) -> str | None:
    """The catalog's XMP packet, else the one packet whose creation time is the Info dictionary's."""
    referenced = _catalog_xmp(data)
    if referenced is not None:
        return referenced
    when = _instant(created) if created else None
    if when is None:
        return None
    for match in _XMP_PACKET.finditer(data):
        packet = match.group(0).decode("utf-8", "replace")
        stated = _instant(_xmp_value(packet, _XMP_FIELDS["xmp:CreateDate"]) or "")
        if stated is not None and abs(stated - when) <= timedelta(minutes=1):
            return packet
    return None


def _catalog_xmp(data: bytes) -> str | None:
    at = len(data)
    while (at := data.rfind(b"/Catalog", 0, at)) >= 0:  # the last catalog is the file's latest revision
        if not _TYPE_BEFORE.search(data[max(0, at - 32) : at]):
            continue  # "/Catalog" as some other key's value
        start = data.rfind(b"obj", max(0, at - 4096), at)
        end = data.find(b"endobj", at, at + 65536)
        ref = _METADATA_REF.search(data, max(start, 0), end if end >= 0 else at + 4096)
        if ref is None:
            continue
        plain = data.rfind(b"\n%s %s obj" % (ref.group(1), ref.group(2)))
        if plain >= 0:
            return _stream_text(data, plain + len(ref.group(1)) + len(ref.group(2)) + 6)
        objects = list(re.finditer(rb"(?<![0-9])%s\s+%s\s+obj\b" % (ref.group(1), ref.group(2)), data))
        return _stream_text(data, objects[-1].end()) if objects else None
    return None


def _stream_text(data: bytes, at: int) -> str | None:
    """The XMP in the stream of the object starting at AT, inflated (at most _MAX_XMP bytes) when compressed."""
    stream = data.find(b"stream", at, at + 4096)
    if stream < 0:
        return None
    dictionary = data[at:stream]
    body_start = stream + len(b"stream") + (2 if data[stream + 6 : stream + 8] == b"\r\n" else 1)
    body_end = data.find(b"endstream", body_start, body_start + 16 * _MAX_XMP)
    body = data[body_start : body_end if body_end >= 0 else body_start + _MAX_XMP]
    if b"/FlateDecode" in dictionary:
        try:
            body = zlib.decompressobj().decompress(body, _MAX_XMP)
        except zlib.error:
            return None
    elif b"/Filter" in dictionary:
        return None  # another filter: not read
    match = _XMP_PACKET.search(body)
    return match.group(0).decode("utf-8", "replace") if match else None


def _xmp_value(packet: str, name: str) -> str | None:
    """A simple property's value, written as an element, an attribute, or the first item of a list."""
    match = re.search(
        rf"<{name}>\s*(?:<rdf:(?:Seq|Bag|Alt)>\s*<rdf:li[^>]*>)?([^<]+)<|\b{name}\s*=\s*[\"']([^\"']+)[\"']",
        packet,
    )
    if match is None:
        return None
    value = (match.group(1) or match.group(2) or "").strip()
    return value or None


def _xmp_title(packet: str) -> str | None:
    match = re.search(r"<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>([^<]+)</rdf:li>", packet)
    return " ".join(match.group(1).split()) if match else None


def _instant(value: str) -> datetime | None:
    """A PDF date (D:YYYYMMDDHHmmSSOHH'mm') or an ISO 8601 date-time as an aware datetime."""
    text = value.strip()
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?", text)
    try:
        if iso:
            parsed = datetime.fromisoformat(iso.group(1) + "T" + (iso.group(2) or "00:00") + (iso.group(3) or "Z"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        match = _PDF_DATE.match(text)
        if match is None:
            return None
        year, month, day, hour, minute, second = (
            int(g) if g else d for g, d in zip(match.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)
        )
        zone = match.group(7)
        offset = timedelta(0)
        if zone and zone != "Z":
            digits = zone.replace("'", "")
            offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5] or 0)) * (-1 if digits[0] == "-" else 1)
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return None


def _read_date(value: str) -> date | None:
    """The calendar day a metadata value names (as written, in its own time zone), when it is plausible."""
    iso = _ISO_DATE.match(value.strip())
    try:
        if iso:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            match = _PDF_DATE.match(value.strip())
            if match is None or not match.group(3):
                return None  # a year or a month alone names no day
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if _EARLIEST <= day <= date.today() + timedelta(days=1) else None
