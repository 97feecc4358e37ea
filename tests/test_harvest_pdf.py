"""PDF files read directly: links from annotations and text, metadata dates, prints, bad files.

Every PDF here is built by the test (tests/pdfs.py): reportlab for pages of text with URI link
annotations over it, hand-written objects for an XMP stream and hostile structures.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdfs import build_pdf, raw_pdf, stream, text_page_objects

from provenance.cli import main
from provenance.config import HarvestConfig
from provenance.harvest.inputs import InputItem, harvest_bytes, harvest_items
from provenance.harvest.pdf import harvest_pdf
from provenance.harvest.pdfread import PdfReader
from provenance.records import DocumentFormat, LinkRole

ARTICLE = [
    "Storm Hits Coast",
    "",
    "March 3, 2021",
    "",
    "The council said in [its report](https://council.example.gov/reports/2021/storm) that repairs",
    "would take months. The full text is at [https://www.example.org/archive/2021/storm-",
    "damage-assessment.html](https://www.example.org/archive/2021/storm-damage-assessment.html) for now.",
    "See also https://www.weather.example.com/2021/03/02/forecast for the forecast.",
    "Related article: [Bonds rally](https://news.example.com/2021/03/02/bonds-rally)",
    "Write to [the editor](mailto:editor@example.com) or read [our policy](#policy).",
]
WRAPPED = "https://www.example.org/archive/2021/storm-damage-assessment.html"


@pytest.fixture(scope="module")
def reader():
    with PdfReader() as shared:
        yield shared


def _links(doc):
    return [(link.role, link.url, link.anchor_text) for link in doc.links]


def test_links_come_from_the_annotations_with_their_text_and_from_the_text(reader):
    data = build_pdf([ARTICLE], title="Storm Hits Coast", created="D:20210303101500Z")
    doc = harvest_pdf("storm.pdf", data, reader)
    assert doc.format is DocumentFormat.PDF and doc.title == "Storm Hits Coast"
    assert _links(doc) == [
        (LinkRole.CITED, "https://council.example.gov/reports/2021/storm", "its report"),
        (LinkRole.CITED, WRAPPED, WRAPPED),  # two annotations over a wrapped URL: one link, the URL re-joined
        (LinkRole.CITED, "https://www.weather.example.com/2021/03/02/forecast", None),  # printed, not annotated
        (LinkRole.RELATED, "https://news.example.com/2021/03/02/bonds-rally", "Bonds rally"),  # behind its label
    ]  # mailto: and the jump within the document are not harvested
    assert [link.position for link in doc.links] == [0, 1, 2, 3]
    assert doc.links[0].context == "The council said in its report that repairs would take months."
    assert "would take months" in doc.text and doc.text.startswith("Storm Hits Coast")


def test_the_text_date_line_is_the_publication_date_and_the_metadata_is_evidence(reader):
    doc = harvest_pdf("storm.pdf", build_pdf([ARTICLE], created="D:20210305090000+01'00'"), reader)
    assert doc.published.value == date(2021, 3, 3) and doc.published.source == "date_line"
    assert doc.evidence["pdf"]["dates"]["info:CreationDate"] == "D:20210305090000+01'00'"
    assert doc.evidence["pdf"]["pages"] == 1 and doc.captured is None


def test_the_creation_date_is_the_publication_date_only_when_the_text_names_none(reader):
    body = ["Quarterly Notes", "", "The committee met and agreed on the [budget](https://example.org/budget)."]
    doc = harvest_pdf("notes.pdf", build_pdf([body], created="D:20190102030405Z"), reader)
    assert doc.published.value == date(2019, 1, 2)
    assert doc.published.source == "pdf_metadata:creation_date"  # a finding can say where the date came from
    assert doc.published.raw == "info:CreationDate D:20190102030405Z"


XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:CreateDate="2018-04-20T11:58:16+02:00">
<prism:publicationDate>2018-03-29</prism:publicationDate>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Coupled growth and curvature</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
FIGURE_XMP = XMP.replace(b"2018-03-29", b"2010-01-18").replace(b"Coupled growth", b"Figure 2")


@pytest.mark.parametrize("compress", [False, True])
def test_xmp_metadata_of_the_document_not_of_a_figure(reader, compress):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        *text_page_objects(["Body text of the paper, with no date line in it."], first=3),
        stream(XMP, b" /Type /Metadata /Subtype /XML", compress=compress),
        stream(FIGURE_XMP, b" /Type /Metadata /Subtype /XML"),  # a placed figure's own packet
        b"<< /CreationDate (D:20180420095816Z) /Producer (PDFlib) >>",
    ]
    doc = harvest_pdf("paper.pdf", raw_pdf(objects, info=8), reader)
    assert doc.published.value == date(2018, 3, 29) and doc.published.source == "pdf_metadata:publication_date"
    assert doc.title == "Coupled growth and curvature"
    assert doc.evidence["pdf"]["dates"] == {
        "info:CreationDate": "D:20180420095816Z",
        "prism:publicationDate": "2018-03-29",
        "xmp:CreateDate": "2018-04-20T11:58:16+02:00",
    }


CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
PAGE_URL = "https://news.example.com/2024/05/13/stocks-slump"


def _print(header: bool = True) -> bytes:
    page1 = [
        "Stocks slump as rates rise",
        "",
        "Markets fell on Tuesday, [the Fed said](https://www.federalreserve.gov/newsevents/pressreleases/x.htm).",
        f"Our earlier story is at {PAGE_URL}?ref=1 and elsewhere.",
    ]
    page2 = ["Bond yields climbed to their highest level in a year, traders said."]
    return build_pdf(
        [page1, page2],
        title="Stocks slump as rates rise - Example News",
        creator=CHROME,
        created="D:20240514094100Z",
        header="5/14/24, 9:41 AM\tStocks slump as rates rise - Example News" if header else None,
        footer=f"{PAGE_URL}\t{{page}}/{{pages}}" if header else None,
    )


def test_a_browser_print_has_its_address_and_print_time_and_no_publication_date(reader):
    doc = harvest_pdf("print.pdf", _print(), reader)
    assert doc.original_url == PAGE_URL
    assert doc.captured.value == date(2024, 5, 14) and doc.captured.source == "print_header"
    assert doc.published is None  # neither the print time nor the file's creation date
    assert _links(doc) == [
        (LinkRole.CITED, "https://www.federalreserve.gov/newsevents/pressreleases/x.htm", "the Fed said"),
        (LinkRole.CITED, PAGE_URL + "?ref=1", None),
        (LinkRole.ORIGINAL, PAGE_URL, None),  # the footer's address, once, not a citation
    ]
    assert "9:41" not in doc.text and "1/2" not in doc.text and "Example News" not in doc.text
    assert doc.evidence["print"]["time"] == "5/14/24, 9:41 AM"


def test_a_browser_print_without_header_was_captured_when_the_file_was_made(reader):
    doc = harvest_pdf("print.pdf", _print(header=False), reader)
    assert doc.captured.value == date(2024, 5, 14) and doc.captured.source == "pdf_metadata:creation_date"
    assert doc.published is None


def test_a_text_url_under_its_annotation_or_cut_from_it_is_not_a_second_link(reader):
    target = "https://data.example.org/catalogue/2020/series/annual-summary-tables.csv"
    page = [
        "The tables are published by the statistics office under an open licence, and the",
        f"summary is at [{target[:48]}",
        f"{target[48:]}]({target}), updated yearly.",
        f"Footnote 3: the same file, {target[:40]}",  # a piece cut at the line end, not annotated
        f"{target[40:]}, is mirrored.",
    ]
    doc = harvest_pdf("tables.pdf", build_pdf([page]), reader)
    assert [link.url for link in doc.links] == [target]


def test_an_annotation_shows_the_address_its_text_shows(reader):
    page = ["Download it from [https://www.example.org/download](https://malware.example.net/x) today."]
    (link,) = harvest_pdf("x.pdf", build_pdf([page]), reader).links
    assert link.anchor_text == "https://www.example.org/download" and link.url == "https://malware.example.net/x"


def test_max_links_is_respected():
    page = [f"Item {i} is at [the page](https://example.org/item/{i}) here." for i in range(30)]
    doc = harvest_bytes("many.pdf", build_pdf([page]), HarvestConfig(max_links=10))
    assert len(doc.links) == 10 and "harvest.max_links" in doc.error


# ---- files that cannot be read, and hostile ones -------------------------------------------------


def test_an_encrypted_pdf_is_a_one_line_document_error(reader):
    data = build_pdf([ARTICLE], user_password="secret")
    doc = harvest_bytes("locked.pdf", data, HarvestConfig(), pdf_reader=reader)
    assert doc.unreadable and doc.format is DocumentFormat.PDF
    assert doc.error == "cannot read the PDF: encrypted: a password is needed to open it"


def test_a_pdf_with_only_an_owner_password_opens_as_any_reader_opens_it(reader):
    doc = harvest_bytes("owned.pdf", build_pdf([ARTICLE], owner_password="owner"), HarvestConfig(), pdf_reader=reader)
    assert not doc.unreadable and len(doc.links) == 4


@pytest.mark.parametrize(
    "data",
    [
        build_pdf([ARTICLE])[:400],  # cut short: no cross-reference table, no page
        b"%PDF-1.7\n" + b"\x8f\x00garbage" * 200,
    ],
    ids=["truncated", "corrupt"],
)
def test_a_truncated_or_corrupt_pdf_is_a_one_line_document_error(reader, data):
    doc = harvest_bytes("bad.pdf", data, HarvestConfig(), pdf_reader=reader)
    assert doc.unreadable and doc.error.startswith("cannot read the PDF: ") and "\n" not in doc.error


def test_an_unreadable_pdf_alone_is_exit_2_with_one_line(tmp_path):
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(build_pdf([ARTICLE], user_password="secret"))
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, ["audit", str(locked), "--offline", "--db", "sqlite:///a.sqlite"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"provenance: cannot read {locked}: cannot read the PDF: encrypted: a password is needed to open it"
    ]
    assert "Traceback" not in result.output


def _many_pages(count: int) -> bytes:
    """COUNT pages sharing one content stream: a small file with a huge page count."""
    kids = b" ".join(b"%d 0 R" % (6 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        stream(b"BT /F1 10 Tf 72 720 Td (A page of a very long file, see https://example.org/p) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Font << /F1 4 0 R >> >>",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources 5 0 R >>"
    return raw_pdf(objects + [page] * count)


def test_pages_and_characters_read_are_bounded_and_the_cut_is_said(reader):
    doc = harvest_pdf("long.pdf", _many_pages(50), reader, max_pages=5)
    assert doc.evidence["pdf"]["pages_read"] == 5 and doc.evidence["pdf"]["pages"] == 50
    assert doc.error == "only the first 5 of 50 pages were read (a page limit for hostile files)"
    doc = harvest_pdf("long.pdf", _many_pages(50), reader, max_chars=300)
    assert len(doc.text) < 500 and doc.error.startswith("only the text of the first ")


@pytest.mark.slow
def test_a_pdf_that_takes_too_long_is_cut_at_the_deadline():
    with PdfReader(seconds=0.3) as slow:
        doc = harvest_pdf("long.pdf", _many_pages(40_000), slow, max_pages=40_000)
    read = doc.evidence["pdf"]["pages_read"]
    assert 0 < read < 40_000 and doc.error == f"only {read:,} of 40,000 pages were read before the time limit"


@pytest.mark.slow
def test_a_decompression_bomb_ends_the_reader_not_the_harvest(tmp_path):
    import zlib

    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(b" " * (1 << 20)) for _ in range(400)) + packer.flush()  # 400 MB of spaces
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(raw_pdf(objects))
    (tmp_path / "fine.pdf").write_bytes(build_pdf([ARTICLE]))
    items = [InputItem(source=p.name, path=p) for p in sorted(tmp_path.iterdir())]
    docs = {doc.source: doc for doc in harvest_items(items, HarvestConfig(), fetch=None)}
    assert docs["bomb.pdf"].unreadable and "needed more than" in docs["bomb.pdf"].error
    assert len(docs["fine.pdf"].links) == 4  # the reader started again for the next file


@pytest.mark.slow
def test_deep_nesting_does_not_take_the_reader_down(reader):
    nested = b"[" * 100_000 + b"]" * 100_000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep " + nested + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        *text_page_objects(["Text after a deep structure, see https://example.org/deep"], first=3),
    ]
    doc = harvest_bytes("deep.pdf", raw_pdf(objects), HarvestConfig(), pdf_reader=reader)
    assert doc.unreadable or [link.url for link in doc.links] == ["https://example.org/deep"]


def test_a_pdf_given_as_a_file_is_read_through_the_inputs(tmp_path: Path):
    path = tmp_path / "storm.pdf"
    path.write_bytes(build_pdf([ARTICLE]))
    (doc,) = harvest_items([InputItem(source="storm.pdf", path=path)], HarvestConfig(), fetch=None)
    assert doc.format is DocumentFormat.PDF and len(doc.links) == 4 and doc.error is None


def test_a_broken_reader_installation_is_said_as_such(tmp_path, monkeypatch):
    fake = tmp_path / "pypdfium2"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('libpdfium.so: cannot open shared object file')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the child finds this package before the real one
    with PdfReader() as broken:
        doc = harvest_bytes("storm.pdf", build_pdf([ARTICLE]), HarvestConfig(), pdf_reader=broken)
    assert doc.unreadable
    assert doc.error == (
        "cannot read the PDF: the PDF reader failed: ImportError: libpdfium.so: cannot open shared object file"
    )
