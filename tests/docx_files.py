"""Word files for the tests, built the way Word, LibreOffice and Google Docs write them.

python-docx writes the package (Word's default template: styles, settings, core properties) and
relationship hyperlinks through its part API; what it cannot write (field codes, footnotes and
endnotes) goes in as raw WordprocessingML, so the tests read the XML real files hold.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from datetime import datetime
from html import escape

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NOTE_TYPES = {
    "footnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "endnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
}


def new_document(title: str | None = None, created: datetime | None = None) -> Document:
    """A python-docx document with its template's core properties replaced, so none leak into a test."""
    document = docx.Document()
    core = document.core_properties
    core.author = "Ada Writer"
    core.last_modified_by = "Ben Editor"
    core.title = title or ""
    core.created = created or datetime(2021, 3, 4, 9, 30)
    core.modified = datetime(2021, 3, 5, 10, 0)
    return document


def run(text: str) -> str:
    """One run of visible text (spaces kept, as Word writes them)."""
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def append(paragraph: Paragraph, xml: str) -> None:
    """Append raw runs, hyperlinks or fields (w:, r: prefixes) to PARAGRAPH."""
    for element in parse_xml(f"<w:p {nsdecls('w', 'r')}>{xml}</w:p>"):
        paragraph._p.append(element)


def hyperlink(paragraph: Paragraph, url: str, text: str, anchor: str | None = None) -> None:
    """A relationship hyperlink, as Word and Google Docs write it: w:hyperlink r:id -> an external target."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    fragment = f' w:anchor="{anchor}"' if anchor else ""
    styled = f'<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    append(paragraph, f'<w:hyperlink r:id="{rid}"{fragment} w:history="1">{styled}</w:hyperlink>')


def linked_picture(paragraph: Paragraph, url: str, alt: str) -> None:
    """A picture that is a link, as Word writes it: a:hlinkClick on the drawing's wp:docPr, with alt text."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    shape = paragraph.add_run().add_picture(io.BytesIO(_one_pixel_png()))
    properties = shape._inline.docPr
    properties.set("descr", alt)
    properties.append(parse_xml(f'<a:hlinkClick {nsdecls("a", "r")} r:id="{rid}"/>'))


def _one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


def internal_link(paragraph: Paragraph, bookmark: str, text: str) -> None:
    """A jump to a bookmark in this document: w:hyperlink w:anchor with no relationship."""
    append(paragraph, f'<w:hyperlink w:anchor="{bookmark}">{run(text)}</w:hyperlink>')


def simple_field(paragraph: Paragraph, instruction: str, text: str) -> None:
    """A field in one element (LibreOffice writes these): w:fldSimple w:instr holding runs of its result."""
    append(paragraph, f'<w:fldSimple w:instr="{escape(instruction)}">{run(text)}</w:fldSimple>')


def complex_field(paragraph: Paragraph, instruction: str, text: str) -> None:
    """A field as Word writes it: begin, the instruction split over runs, separate, result runs, end."""
    append(paragraph, complex_field_xml(instruction, text))


def complex_field_xml(instruction: str, text: str) -> str:
    half = len(instruction) // 2
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escape(instruction[:half])}</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escape(instruction[half:])}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(text)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def note_reference(paragraph: Paragraph, kind: str, note_id: int) -> None:
    """The superscript mark in the body that points at footnote (or endnote) NOTE_ID."""
    tag = "footnoteReference" if kind == "footnotes" else "endnoteReference"
    append(paragraph, f'<w:r><w:{tag} w:id="{note_id}"/></w:r>')


def to_bytes(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_notes(data: bytes, kind: str, notes: Iterable[tuple[str, dict[str, str]]]) -> bytes:
    """DATA with a footnotes or endnotes part added: NOTES are (paragraph XML, {rId: url}) from id 1 on,
    after the separator notes Word always writes; `{rId}` in the XML names that note's link."""
    element = kind[:-1]  # footnote, endnote
    body, rels = [], {}
    for number, (xml, links) in enumerate(notes, start=1):
        body.append(f'<w:{element} w:id="{number}"><w:p>{xml}</w:p></w:{element}>')
        rels.update(links)
    part = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {nsdecls("w", "r")}>'
        f'<w:{element} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{element}>'
        f'<w:{element} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:{element}>{''.join(body)}</w:{kind}>"
    )
    part_rels = "".join(
        f'<Relationship Id="{rid}" Type="{RT.HYPERLINK}" Target="{escape(url)}" TargetMode="External"/>'
        for rid, url in rels.items()
    )
    return rewrite(
        data,
        add={
            f"word/{kind}.xml": part.encode(),
            f"word/_rels/{kind}.xml.rels": f'<Relationships xmlns="{_RELS}">{part_rels}</Relationships>'.encode(),
        },
        content_types={f"/word/{kind}.xml": _NOTE_TYPES[kind]},
        document_rels={"rIdNotes" + kind: (f"{R}/{kind}", f"{kind}.xml")},
    )


def declared_as(data: bytes, content_type: str) -> bytes:
    """The package DATA with its main document declared as CONTENT_TYPE (a .docm's, a template's)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml").decode()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return rewrite(data, replace={"[Content_Types].xml": types.replace(main, content_type).encode()})


def rewrite(
    data: bytes,
    add: dict[str, bytes] | None = None,
    content_types: dict[str, str] | None = None,
    document_rels: dict[str, tuple[str, str]] | None = None,
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """A copy of the package DATA with parts added or replaced, content-type overrides and
    relationships of word/document.xml added (rId -> (type, target))."""
    replace = dict(replace or {})
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        if content_types:
            types = source.read("[Content_Types].xml").decode()
            overrides = "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in content_types.items())
            replace.setdefault("[Content_Types].xml", types.replace("</Types>", overrides + "</Types>").encode())
        if document_rels:
            rels = source.read("word/_rels/document.xml.rels").decode()
            added = "".join(
                f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                for rid, (kind, target) in document_rels.items()
            )
            replace.setdefault(
                "word/_rels/document.xml.rels", rels.replace("</Relationships>", added + "</Relationships>").encode()
            )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, replace.pop(info.filename, None) or source.read(info))
            for name, part in {**replace, **(add or {})}.items():
                target.writestr(name, part)
    return out.getvalue()
