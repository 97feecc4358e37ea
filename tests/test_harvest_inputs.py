"""Reading inputs: target expansion, format sniffing, binary refusal (decoding: test_page_decoding.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import HarvestConfig
from provenance.errors import InputError
from provenance.harvest.files import expand_targets
from provenance.harvest.inputs import binary_kind, detect_format, harvest_bytes
from provenance.reading import read_capped
from provenance.records import DocumentFormat


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("page.txt", b"<!DOCTYPE html><html><body>x</body></html>", DocumentFormat.HTML),
        ("page", b"  <!-- saved --> <html lang=en>", DocumentFormat.HTML),
        ("page.html", b"<p>fragment</p>", DocumentFormat.HTML),
        ("notes.md", b"plain words", DocumentFormat.MARKDOWN),
        ("notes.rst", b"# Title\n\nSee [x](https://e.org)", DocumentFormat.MARKDOWN),
        ("print.txt", b"# not a heading in a PDF print\n[1] https://e.org", DocumentFormat.TEXT),
        ("print.txt", b"Moscow has secured a deal", DocumentFormat.TEXT),
        ("https://e.org/a.html", b"<html>", DocumentFormat.HTML),
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", DocumentFormat.PDF),  # by content, whatever the name
        ("mail.eml", b"X-Mailer: old\r\n\r\n%PDF-1.4\n1 0 obj\n%%EOF\n", DocumentFormat.PDF),  # junk before it
        ("notes.txt", b"A PDF file starts with %PDF-1.7 and ends with a trailer.\n", DocumentFormat.TEXT),
    ],
)
def test_detect_format_by_content_then_extension(name, data, expected):
    assert detect_format(name, data) is expected


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"PK\x03\x04rest", "a zip archive"),
        (b"%PDF-1.7", None),  # read by the PDF harvester
        (b"\x00\x01\x02" * 100, "binary (NUL bytes)"),
        ("caf\u00e9".encode("utf-16"), None),
        (b"plain text", None),
    ],
)
def test_binary_kind(data, kind):
    assert binary_kind(data) == kind


def test_expand_targets_recurses_skips_hidden_and_names_sources(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "two.md").write_text("x")
    items = expand_targets([str(tmp_path), "https://example.org/p"]).items
    assert [i.source for i in items] == [
        str(tmp_path / "a" / "one.txt"),
        str(tmp_path / "two.md"),
        "https://example.org/p",
    ]
    assert items[-1].url == "https://example.org/p"


def test_missing_target_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        expand_targets([str(tmp_path / "nope")])


def test_read_capped_reports_truncation(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 100)
    assert read_capped(path, 10) == (b"x" * 10, True)
    assert read_capped(path, 100) == (b"x" * 100, False)


def test_binary_file_becomes_a_document_error_not_a_crash():
    doc = harvest_bytes("archive.html", b"PK\x03\x04" + b"\x00" * 50, HarvestConfig())
    assert doc.error == "not a text document: a zip archive"
    assert doc.links == ()
