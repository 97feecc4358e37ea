"""Word files from anyone: corrupt, truncated, password-protected, zip bombs, XML entity tricks,
zips that are not Word documents.  Each is one line in the document's error, never a traceback,
and costs a bounded amount of memory and time."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx_files import hyperlink, new_document, rewrite, run, to_bytes, with_notes
from msoffcrypto.format.ooxml import OOXMLFile

from provenance.cli import main
from provenance.config import HarvestConfig
from provenance.harvest import ooxml
from provenance.harvest.inputs import harvest_bytes
from provenance.records import DocumentFormat, HarvestedDocument

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)


def harvest(data: bytes, name: str = "upload.docx", **config: int) -> HarvestedDocument:
    return harvest_bytes(name, data, HarvestConfig(**config))


def a_docx() -> bytes:
    document = new_document()
    hyperlink(document.add_paragraph("See "), "https://example.org/a", "the source")
    return to_bytes(document)


def encrypted(data: bytes, password: str = "s3cret") -> bytes:
    """DATA saved with a password, as Word does: an OLE compound file holding the encrypted package."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def with_document_xml(parts: list[bytes], repeat: int = 1) -> bytes:
    """a_docx() with word/document.xml written as PARTS, the middle one REPEATed (a bomb inflates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(a_docx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(parts[0])
            for _ in range(repeat):
                part.write(parts[1])
            part.write(parts[2])
    return out.getvalue()


def one_line(doc: HarvestedDocument) -> str:
    assert doc.unreadable and doc.error is not None and "\n" not in doc.error and "Traceback" not in doc.error
    return doc.error


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: a_docx()[:2000], "could not read the Word document: not a readable zip file (corrupt or truncated)"),
        (lambda: b"PK\x03\x04" + bytes(range(256)) * 20, "could not read the Word document: not a readable zip file"),
        (lambda: encrypted(a_docx()), "not a text document: a password-protected (encrypted) Office document"),
        (
            lambda: rewrite(a_docx(), replace={"word/document.xml": b"<w:document><w:body><w:p>"}),
            "could not read the Word document: word/document.xml is not well-formed XML",
        ),
    ],
    ids=["truncated", "corrupt", "password-protected", "broken-xml"],
)
def test_unreadable_word_files_are_one_line_errors(build: Callable[[], bytes], error: str) -> None:
    assert one_line(harvest(build())).startswith(error)


def test_a_word_97_file_is_named_as_such() -> None:
    compound = ooxml.OLE_MAGIC + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(500)
    assert one_line(harvest(compound, "old.doc")) == (
        "not a text document: a Word 97-2003 document (.doc): save it as .docx to harvest it"
    )


@pytest.mark.parametrize("kind", ["corrupt", "password-protected"])
def test_audit_of_an_unreadable_word_file_alone_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "that.docx"
    path.write_bytes(a_docx()[:3000] if kind == "corrupt" else encrypted(a_docx()))
    result = CliRunner().invoke(main, ["audit", str(path), "--offline", "--db", f"sqlite:///{tmp_path / 'p.sqlite'}"])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"provenance: cannot read {path}: ") and "Traceback" not in result.output


def test_zips_that_are_not_word_documents_stay_refused() -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("index.html", "<a href='https://example.org/'>inside a zip</a>")
    spreadsheet = io.BytesIO()
    with zipfile.ZipFile(spreadsheet, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
    for data in (plain.getvalue(), spreadsheet.getvalue()):
        assert one_line(harvest(data, "bundle.zip")) == "not a text document: a zip archive"
        assert one_line(harvest(data, "report.xlsx")) == "not a text document: a zip archive"
    # named .docx, it is read as one and says why it is not
    assert one_line(harvest(spreadsheet.getvalue(), "report.docx")) == (
        "could not read the Word document: a zip archive, but not a Word document (no WordprocessingML main part)"
    )


def test_a_zip_bomb_is_cut_at_the_part_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ooxml, "MAX_PART_BYTES", 1_000_000)
    monkeypatch.setattr(ooxml, "MAX_TOTAL_BYTES", 1_500_000)
    paragraph = b"<w:p><w:r><w:t>Lorem ipsum https://bomb.example.org/x dolor sit amet.</w:t></w:r></w:p>" + (
        b"<w:p><w:r><w:t>Consectetur adipiscing elit, sed do eiusmod tempor incididunt.</w:t></w:r></w:p>" * 2
    )
    data = with_document_xml([HEAD, paragraph, b"</w:body></w:document>"], repeat=100_000)  # ~25 MB inflated
    assert len(data) < 200_000
    started = time.monotonic()
    doc = harvest(data)
    assert time.monotonic() - started < 5
    assert not doc.unreadable and doc.format is DocumentFormat.DOCX
    assert "decompressing word/document.xml stopped after 1,000,000 bytes" in (doc.error or "")
    assert 3_000 < len(doc.links) < 5_000  # what the first megabyte holds, no more


@pytest.mark.slow  # inflates 128 MB of XML in a child process, to measure its memory
def test_a_zip_bomb_costs_bounded_memory_and_time(tmp_path: Path) -> None:
    """A gigabyte of tiny paragraphs (the most work per byte) with the real caps: read up to them."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(
        with_document_xml([HEAD, b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 1000, b""], repeat=30_000)  # 1 GB
    )
    # The peak is the child's own VmHWM: ru_maxrss of a child started by vfork and exec also counts
    # the parent's peak (Linux folds the shared memory's high-water mark in at exec), which for a
    # full pytest run is hundreds of MB.
    code = (
        "import re, sys, time\n"
        "from provenance.config import HarvestConfig\n"
        "from provenance.harvest.inputs import harvest_bytes\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "started = time.monotonic()\n"
        "doc = harvest_bytes(sys.argv[1], data, HarvestConfig())\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
        "print(time.monotonic() - started, peak)\n"
        "print(doc.error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    timing, error = done.stdout.splitlines()
    seconds, peak_mb = float(timing.split()[0]), int(timing.split()[1])
    assert seconds < 40 and peak_mb < 400, timing
    assert f"stopped after {ooxml.MAX_PART_BYTES:,} bytes" in error


def test_a_zip_of_too_many_entries_is_refused_before_it_is_listed() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(ooxml.MAX_MEMBERS + 1):
            archive.writestr(f"p/{number}", b"")
    assert one_line(harvest(out.getvalue())).endswith("far more than a Word document holds")


def test_xml_entities_are_not_expanded_nor_files_read() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doctype = (
        '<!DOCTYPE w:document [<!ENTITY l0 "lol">' + laughs + '<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    ).encode()
    body = (
        b"<w:p><w:r><w:t>Laughs: &l9; secret: &secret; then https://after.example.org/ok</w:t></w:r></w:p>"
        b"</w:body></w:document>"
    )
    data = with_document_xml([HEAD.replace(b"<w:document", doctype + b"<w:document", 1), body, b""])
    started = time.monotonic()
    doc = harvest(data)
    assert time.monotonic() - started < 2
    assert "lollol" not in doc.text and "root:" not in doc.text


def test_the_caps_of_the_config_are_kept() -> None:
    document = new_document()
    for number in range(30):
        hyperlink(document.add_paragraph(f"Item {number}: "), f"https://example.org/{number}", f"link {number}")
    data = to_bytes(document)
    doc = harvest(data, max_links=10)
    assert len(doc.links) == 10 and doc.error == "only the first 10 links were kept (harvest.max_links)"
    words = new_document()
    for _ in range(400):
        words.add_paragraph("word " * 100)
    small = to_bytes(words)
    doc = harvest(small, max_file_bytes=len(small) + 1_000)  # the file fits, its 200,000 characters do not
    assert len(doc.text) <= len(small) + 1_000 < 200_000
    assert f"only the first {len(small) + 1_000:,} characters of the text were read" in (doc.error or "")
    big = harvest_bytes("big.docx", small[:1000], HarvestConfig(max_file_bytes=1000), truncated=True)
    assert one_line(big) == "a Word document larger than harvest.max_file_bytes (1,000 bytes): not read"


def test_a_broken_footnotes_part_is_named_and_the_rest_read() -> None:
    data = with_notes(a_docx(), "footnotes", [(run("note"), {})])
    data = rewrite(data, replace={"word/footnotes.xml": b"<w:footnotes><w:footnote>"})
    doc = harvest(data)
    assert [link.url for link in doc.links] == ["https://example.org/a"]
    assert "word/footnotes.xml is not well-formed XML" in (doc.error or "")
