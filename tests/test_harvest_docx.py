"""Word documents: hyperlinks in each shape Word files write them, where citations live, core properties.

Every document is built here (docx_files.py): python-docx writes the package, raw WordprocessingML
the field codes and notes it cannot write.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx_files import (
    append,
    complex_field,
    complex_field_xml,
    declared_as,
    hyperlink,
    internal_link,
    linked_picture,
    new_document,
    note_reference,
    rewrite,
    run,
    simple_field,
    to_bytes,
    with_notes,
)
from sqlalchemy.engine import Engine

from provenance import pipeline
from provenance.config import HarvestConfig, config_from_mapping
from provenance.harvest.inputs import harvest_bytes
from provenance.harvest.wordml import hyperlink_target
from provenance.records import DocumentFormat, FindingKind, HarvestedDocument, LinkRole
from provenance.report.build import build_report
from provenance.store.db import session_scope


def harvest(data: bytes, name: str = "report.docx", **config: int) -> HarvestedDocument:
    return harvest_bytes(name, data, HarvestConfig(**config))


def links_of(doc: HarvestedDocument) -> list[tuple[str | None, str | None]]:
    return [(link.url, link.anchor_text) for link in doc.links]


def test_relationship_hyperlinks_keep_their_text_and_sentence() -> None:
    document = new_document()
    paragraph = document.add_paragraph("The ministry ")
    hyperlink(paragraph, "https://example.org/report-2021", "published its report")
    paragraph.add_run(" in March. Critics disagreed.")
    hyperlink(document.add_paragraph("See "), "https://example.org/page", "the page", anchor="section-2")
    doc = harvest(to_bytes(document))
    assert doc.format is DocumentFormat.DOCX and doc.error is None
    assert links_of(doc) == [
        ("https://example.org/report-2021", "published its report"),
        ("https://example.org/page#section-2", "the page"),  # w:anchor on an external link is its fragment
    ]
    assert doc.links[0].context == "The ministry published its report in March."
    assert doc.links[0].role is LinkRole.CITED and [link.position for link in doc.links] == [0, 1]


@pytest.mark.parametrize(
    "instruction, target",
    [
        (' HYPERLINK "https://e.org/a" ', "https://e.org/a"),
        ('HYPERLINK https://e.org/b \\o "a tip"', "https://e.org/b"),
        (' hyperlink "https://e.org/c" \\l "part" \\t "_blank" ', "https://e.org/c#part"),
        (' HYPERLINK \\l "_Toc1" ', None),  # a jump within the document
        (' HYPERLINK "C:\\\\docs\\\\a.docx" ', "C:\\docs\\a.docx"),  # doubled backslashes in a quoted path
        (' HYPERLINK "https://e.org/d', "https://e.org/d"),  # no closing quote
        (" PAGEREF _Toc1 \\h ", None),
        ("", None),
    ],
)
def test_hyperlink_field_instructions(instruction: str, target: str | None) -> None:
    assert hyperlink_target(instruction) == target


@pytest.mark.parametrize("write", [simple_field, complex_field], ids=["fldSimple", "complex"])
def test_field_code_hyperlinks(write) -> None:
    document = new_document()
    paragraph = document.add_paragraph("Figures from ")
    write(paragraph, ' HYPERLINK "https://stats.example.org/t?id=1&y=2" \\o "Open the table" ', "the statistics office")
    paragraph.add_run(" were revised.")
    write(document.add_paragraph(), ' HYPERLINK "https://stats.example.org/a" \\l "part-2" ', "second")
    write(document.add_paragraph("Page "), " PAGE ", "3")  # another field: its result is text, not a link
    doc = harvest(to_bytes(document))
    assert links_of(doc) == [
        ("https://stats.example.org/t?id=1&y=2", "the statistics office"),
        ("https://stats.example.org/a#part-2", "second"),
    ]
    assert doc.links[0].context == "Figures from the statistics office were revised."
    assert "Page 3" in doc.text and "HYPERLINK" not in doc.text


def test_a_field_nested_in_a_field_and_one_spanning_paragraphs() -> None:
    document = new_document()
    outer = document.add_paragraph()
    append(
        outer,
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> HYPERLINK "https://outer.example.org/" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("Outer ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("1 May")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + run(" text"),
    )
    append(document.add_paragraph(), run(" continued") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    doc = harvest(to_bytes(document))
    assert links_of(doc) == [("https://outer.example.org/", "Outer 1 May text continued")]
    assert doc.text.split() == ["Outer", "1", "May", "text", "continued"] and "DATE" not in doc.text


def test_footnote_endnote_comment_and_header_links_are_citations_too() -> None:
    document = new_document()
    body = document.add_paragraph("Turnout fell sharply.")
    note_reference(body, "footnotes", 1)
    hyperlink(document.sections[0].header.paragraphs[0], "https://newsroom.example.org/", "Newsroom")
    comment = document.add_comment(body.runs, text="", author="Reviewer")
    hyperlink(comment.paragraphs[0], "https://check.example.org/turnout", "source for this?")
    data = with_notes(
        to_bytes(document),
        "footnotes",
        [
            (
                run("Electoral board, ") + '<w:hyperlink r:id="rIdN1">' + run("final results") + "</w:hyperlink>",
                {"rIdN1": "https://elections.example.org/results"},
            )
        ],
    )
    # LibreOffice writes a link in a note as a complex field, its fragment as \\l
    endnote = run("Also ") + complex_field_xml(' HYPERLINK "https://agency.example.org/report" \\l "p2"', "the agency")
    data = with_notes(data, "endnotes", [(endnote + run(", https://typed.example.net/endnote."), {})])
    doc = harvest(data)
    assert links_of(doc) == [
        ("https://elections.example.org/results", "final results"),
        ("https://agency.example.org/report#p2", "the agency"),
        ("https://typed.example.net/endnote", None),
        ("https://check.example.org/turnout", "source for this?"),
        ("https://newsroom.example.org/", "Newsroom"),
    ]
    assert doc.links[0].context == "Electoral board, final results"


def test_the_same_header_in_every_section_is_read_once() -> None:
    document = new_document()
    document.add_paragraph("One.")
    hyperlink(document.sections[0].header.paragraphs[0], "https://newsroom.example.org/", "Newsroom")
    section = document.add_section()
    section.header.is_linked_to_previous = False
    hyperlink(section.header.paragraphs[0], "https://newsroom.example.org/", "Newsroom")
    assert links_of(harvest(to_bytes(document))) == [("https://newsroom.example.org/", "Newsroom")]


def test_internal_anchors_mail_and_local_files_are_not_citations() -> None:
    document = new_document()
    paragraph = document.add_paragraph("Jump to ")
    internal_link(paragraph, "_Toc123", "the method")
    hyperlink(paragraph, "mailto:press@example.org", "press office")
    hyperlink(paragraph, "../annex/table.xlsx", "the annex")
    complex_field(paragraph, ' HYPERLINK \\l "_Ref1" ', "section 2")
    hyperlink(paragraph, "https://example.org/kept", "kept")
    assert links_of(harvest(to_bytes(document))) == [("https://example.org/kept", "kept")]


def test_a_typed_url_is_found_once_even_when_also_a_hyperlink() -> None:
    document = new_document()
    document.add_paragraph("Typed only: https://typed.example.org/a today.")
    linked = document.add_paragraph("Auto-linked: ")
    hyperlink(linked, "https://example.org/b", "https://example.org/b")
    document.add_paragraph("Typed again: https://example.org/b, the same address.")
    doc = harvest(to_bytes(document))
    assert links_of(doc) == [
        ("https://typed.example.org/a", None),
        ("https://example.org/b", "https://example.org/b"),
    ]
    assert [link.position for link in doc.links] == [0, 1]


def test_core_properties_are_evidence_and_the_title_comes_from_them_or_a_heading() -> None:
    document = new_document(title="Annual Review", created=datetime(2020, 6, 1, 8, 0))
    document.core_properties.last_printed = datetime(2020, 7, 1, 12, 0)
    document.add_heading("A Heading", level=1)
    document.add_paragraph("Text.")
    doc = harvest(to_bytes(document))
    assert doc.evidence == {
        "core_properties": {
            "title": "Annual Review",
            "creator": "Ada Writer",
            "last_modified_by": "Ben Editor",
            "last_printed": "2020-07-01T12:00:00Z",
            "created": "2020-06-01T08:00:00Z",
            "modified": "2021-03-05T10:00:00Z",
        }
    }
    assert doc.title == "Annual Review"
    # no date line in the text: the creation date stands in, and says where it came from
    assert (doc.published.value, doc.published.source) == (date(2020, 6, 1), "core_properties:created")
    untitled = new_document()
    untitled.add_paragraph("Body text comes first.")
    untitled.add_heading("The Real Title", level=0)
    assert harvest(to_bytes(untitled)).title == "The Real Title"


def test_a_date_line_in_the_text_is_the_publication_date_not_the_file_date() -> None:
    document = new_document(created=datetime(2023, 1, 9))
    document.add_paragraph("Talks Resume in Geneva")
    document.add_paragraph("January 21, 2022")
    document.add_paragraph("Diplomats met again. Original url: https://news.example.org/2022/01/21/talks")
    doc = harvest(to_bytes(document))
    assert (doc.published.value, doc.published.source) == (date(2022, 1, 21), "date_line")
    assert doc.title == "Talks Resume in Geneva"
    assert doc.evidence["core_properties"]["created"] == "2023-01-09T00:00:00Z"


def test_a_related_label_before_a_hyperlink_makes_it_related_not_lost() -> None:
    document = new_document()
    document.add_paragraph("Moscow has secured a deal.")
    related = document.add_paragraph("Related article: ")
    hyperlink(related, "https://news.example.org/2021/talks", "Little Hope of Breakthrough in Talks")
    doc = harvest(to_bytes(document))
    assert [(link.url, link.role) for link in doc.links] == [("https://news.example.org/2021/talks", LinkRole.RELATED)]


def test_text_in_tables_and_text_boxes_is_read_but_deleted_text_is_not() -> None:
    document = new_document()
    cell = document.add_table(rows=1, cols=2).cell(0, 1).paragraphs[0]
    hyperlink(cell, "https://example.org/in-a-table", "in a table")
    paragraph = document.add_paragraph("Kept ")
    append(
        paragraph,
        '<w:del w:id="1" w:author="A"><w:r><w:delText>gone https://deleted.example.org/</w:delText></w:r></w:del>'
        "<w:r><w:tab/></w:r>" + run("after a tab, www.example.org/no") + "<w:r><w:noBreakHyphen/></w:r>" + run("break"),
    )
    box = document.add_paragraph("Beside a box.")
    rid = box.part.relate_to("https://example.org/in-a-box", RT.HYPERLINK, is_external=True)
    inside = f'<w:txbxContent><w:p><w:hyperlink r:id="{rid}">{run("in a box")}</w:hyperlink></w:p></w:txbxContent>'
    append(  # Word writes a text box twice: as DrawingML and, for older readers, as VML
        box,
        '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/'
        '2006/wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData><wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:txbx>{inside}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f'<mc:Fallback><w:pict><v:textbox xmlns:v="urn:schemas-microsoft-com:vml">{inside}</v:textbox></w:pict>'
        "</mc:Fallback></mc:AlternateContent></w:r>",
    )
    doc = harvest(to_bytes(document))
    assert links_of(doc) == [
        ("https://example.org/in-a-table", "in a table"),
        ("http://www.example.org/no-break", None),
        ("https://example.org/in-a-box", "in a box"),
    ]
    assert "Kept \tafter a tab" in doc.text and "deleted" not in doc.text
    assert doc.text.count("in a box") == 1


def test_a_linked_picture_is_a_link_named_by_its_alt_text() -> None:
    document = new_document()
    paragraph = document.add_paragraph("Data: ")
    linked_picture(paragraph, "https://data.example.org/chart", "Chart of turnout by region")
    doc = harvest(to_bytes(document))
    assert links_of(doc) == [("https://data.example.org/chart", "Chart of turnout by region")]


def test_a_docm_and_a_docx_without_its_extension_are_read_by_content() -> None:
    document = new_document()
    hyperlink(document.add_paragraph(), "https://example.org/m", "macro file")
    data = to_bytes(document)
    macro = declared_as(data, "application/vnd.ms-word.document.macroEnabled.main+xml")
    for name, payload in [("macros.docm", macro), ("download", data), ("saved.bin", data)]:
        doc = harvest(payload, name)
        assert doc.format is DocumentFormat.DOCX and links_of(doc) == [("https://example.org/m", "macro file")], name


def test_an_iso_strict_document_reads_alike() -> None:
    """Word's "Strict Open XML" save: other namespaces and relationship types, the same structure."""
    document = new_document()
    hyperlink(document.add_paragraph("See "), "https://example.org/strict", "the strict source")
    data = to_bytes(document)
    strict = {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "http://purl.oclc.org/ooxml/wordprocessingml/main",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
            "http://purl.oclc.org/ooxml/officeDocument/relationships"
        ),
    }
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name).decode() for name in ("word/document.xml", "word/_rels/document.xml.rels")}
    for name, xml in parts.items():
        for transitional, iso in strict.items():
            xml = xml.replace(transitional, iso)
        parts[name] = xml
    doc = harvest(rewrite(data, replace={name: xml.encode() for name, xml in parts.items()}))
    assert links_of(doc) == [("https://example.org/strict", "the strict source")]


def test_harvest_reads_a_docx_from_a_folder(tmp_path: Path, engine: Engine) -> None:
    document = new_document()
    hyperlink(document.add_paragraph("See "), "https://example.org/x", "x")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.docx").write_bytes(to_bytes(document))
    outcome = pipeline.harvest(engine, config_from_mapping({}), [str(tmp_path / "docs")])
    assert outcome.errors == () and outcome.unreadable == ()


def test_link_text_showing_another_address_is_a_finding_end_to_end(tmp_path: Path, engine: Engine) -> None:
    document = new_document()
    paragraph = document.add_paragraph("Official guidance is at ")
    hyperlink(paragraph, "https://flu-cures.example.net/buy", "www.cdc.gov/flu")
    paragraph.add_run(" and at ")
    hyperlink(paragraph, "https://www.who.int/health-topics/influenza", "who.int")
    path = tmp_path / "guidance.docx"
    path.write_bytes(to_bytes(document))
    outcome = pipeline.audit(engine, config_from_mapping({}), [str(path)], None)  # offline
    with session_scope(engine) as session:
        report = build_report(session, outcome.document_ids)
        findings = [(f.kind, f.url) for f in report.findings if f.kind is FindingKind.LINK_TEXT_MISMATCH]
        links = [(link.url, link.anchor_text) for link in report.links]
    assert findings == [(FindingKind.LINK_TEXT_MISMATCH, "https://flu-cures.example.net/buy")]
    # the address shown as the link's text is not a second, typed link
    assert links == [
        ("https://flu-cures.example.net/buy", "www.cdc.gov/flu"),
        ("https://www.who.int/health-topics/influenza", "who.int"),
    ]
