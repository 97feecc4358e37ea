"""Hostile documents: each harvests what it can or becomes a per-document error, fast.

The documents (hostile.py) are shared with test_hostile_audit.py, which audits the same folder
end to end; here each file goes through the real reader (`harvest_items` over files on disk), so
sniffing, caps, decoding and the harvesters are all exercised.  Big files are generated in tmp_path.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hostile import LINE, write_hostile_documents

from provenance import pipeline
from provenance.config import Config, HarvestConfig, config_from_mapping
from provenance.errors import ConfigError
from provenance.harvest.files import InputItem, expand_targets
from provenance.harvest.html import harvest_html
from provenance.harvest.inputs import harvest_bytes, harvest_items
from provenance.harvest.markdown import harvest_markdown
from provenance.harvest.text import harvest_text
from provenance.records import HarvestedDocument
from provenance.store import repo
from provenance.store.db import session_scope
from provenance.textnorm import MAX_COMPARED_CHARS


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, HarvestedDocument]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = write_hostile_documents(folder, huge_bytes=3_000_000)
    config = HarvestConfig(max_file_bytes=2_000_000)
    items = [InputItem(source=name, path=path) for name, path in paths.items()]
    return {doc.source: doc for doc in harvest_items(items, config, fetch=None)}


def urls(doc: HarvestedDocument) -> list[str | None]:
    return [link.url for link in doc.links]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("binary.bin", "not a text document: binary (control bytes)"),
        ("zip.html", "not a text document: a zip archive"),
    ],
)
def test_binary_files_are_per_document_errors(harvested, name: str, reason: str) -> None:
    doc = harvested[name]
    assert doc.error == reason and doc.links == () and doc.text == ""


def test_empty_file_is_an_empty_document(harvested) -> None:
    doc = harvested["empty.txt"]
    assert (doc.error, doc.links, doc.text, doc.title) == (None, (), "", None)


@pytest.mark.parametrize(
    "name, text, url",
    [
        ("cp1251.txt", "Москва получит", "https://ok.example.org/ru/статья"),
        ("latin1.txt", "négociations à Genève", "https://ok.example.org/fr/café"),
        ("utf16.txt", "UTF-16 text citing", "https://ok.example.org/utf16"),
        ("nul.txt", "Text with a  NUL byte", "https://ok.example.org/nul"),
    ],
)
def test_legacy_encodings_and_nul_bytes_are_read(harvested, name: str, text: str, url: str) -> None:
    doc = harvested[name]
    assert doc.error is None and text in doc.text and "\x00" not in doc.text
    assert urls(doc) == [url]


def test_huge_file_is_read_up_to_the_cap_and_says_so(harvested) -> None:
    doc = harvested["huge.txt"]
    assert doc.error == "only the first 2,000,000 bytes were read (harvest.max_file_bytes)"
    assert urls(doc) == ["https://ok.example.org/huge-start"]  # the end lies past the cap
    assert doc.title == "Huge text"


def test_malformed_html_keeps_its_links_and_the_unparseable_one(harvested) -> None:
    doc = harvested["malformed.html"]
    assert doc.error is None
    assert [(link.url, link.written) for link in doc.links] == [
        ("https://ok.example.org/malformed", "https://ok.example.org/malformed"),
        (None, "http://[broken"),
    ]


def test_ten_thousand_levels_of_nesting_still_yield_the_link(harvested) -> None:
    doc = harvested["deep.html"]
    assert urls(doc) == ["https://ok.example.org/deep"]
    assert doc.error and "nested deeper than the parser goes" in doc.error


@pytest.mark.parametrize("name, char", [("long-url.html", "a"), ("long-url.txt", "b")])
def test_a_100000_character_url_is_kept_as_written(harvested, name: str, char: str) -> None:
    (link,) = harvested[name].links
    assert link.url == f"https://ok.example.org/{char * 100_000}"  # the checker calls it invalid


def test_every_file_was_harvested_once(harvested, tmp_path: Path) -> None:
    assert set(harvested) == set(write_hostile_documents(tmp_path, huge_bytes=10))


# ---- caps on what one document may cost ---------------------------------------------------


def test_link_dump_keeps_max_links_and_says_so() -> None:
    data = b"".join(b"see https://e.org/%d here\n" % i for i in range(50))
    doc = harvest_bytes("dump.txt", data, HarvestConfig(max_links=20))
    assert urls(doc) == [f"https://e.org/{i}" for i in range(20)]
    assert doc.error == "only the first 20 links were kept (harvest.max_links)"


@pytest.mark.parametrize(
    "name, data",
    [
        (
            "dump.html",
            b"<html><body><article>"
            + b"".join(b"<p><a href='https://e.org/%d'>x</a></p>" % i for i in range(50))
            + b"</article></body></html>",
        ),
        ("dump.md", b"# Dump\n\n" + b"".join(b"* [x](https://e.org/%d)\n" % i for i in range(50))),
    ],
)
def test_link_cap_applies_to_every_format(name: str, data: bytes) -> None:
    doc = harvest_bytes(name, data, HarvestConfig(max_links=7))
    assert urls(doc) == [f"https://e.org/{i}" for i in range(7)]
    assert doc.error == "only the first 7 links were kept (harvest.max_links)"


def test_big_html_is_parsed_up_to_max_html_bytes() -> None:
    data = (
        b"<html><body><article><p><a href='https://e.org/first'>first</a></p>"
        + LINE * 2000
        + b"<p><a href='https://e.org/last'>last</a></p></article></body></html>"
    )
    doc = harvest_bytes("big.html", data, HarvestConfig(max_html_bytes=50_000))
    assert urls(doc) == ["https://e.org/first"]
    assert doc.error == "only the first 50,000 bytes of the page were parsed (harvest.max_html_bytes)"


def _timed(func, *args):
    started = time.monotonic()
    result = func(*args)
    return result, time.monotonic() - started


# Each of these took minutes or longer before the fix (quadratic in the text's length).
@pytest.mark.slow  # scale
def test_links_in_text_without_sentence_ends_are_linear() -> None:
    text = "".join(f"word https://e.org/{i} and more words\n" for i in range(8000))  # no ". " anywhere
    doc, seconds = _timed(harvest_text, "t.txt", text)
    assert len(doc.links) == 8000 and seconds < 10


def test_a_url_followed_by_a_million_full_stops() -> None:
    doc, seconds = _timed(harvest_text, "t.txt", "see https://e.org/a" + "." * 1_000_000)
    assert urls(doc) == ["https://e.org/a"] and seconds < 5


@pytest.mark.slow  # scale
def test_unclosed_underlines_and_related_labels() -> None:
    text = "<u>never closed " * 100_000 + "\n" + "Related: a title\n" * 20_000 + "https://e.org/x\n"
    doc, seconds = _timed(harvest_text, "t.txt", text)
    assert urls(doc)[-1] == "https://e.org/x" and seconds < 20


@pytest.mark.slow  # scale
def test_many_reference_links_in_markdown() -> None:
    text = "[x][1] " * 100_000 + "\n\n[1]: https://e.org/ref\n"
    doc, seconds = _timed(harvest_markdown, "t.md", text)
    assert len(doc.links) == 100_000 and seconds < 20


@pytest.mark.slow  # scale
def test_html_link_dump_is_bounded_by_max_links() -> None:
    page = "<html><body><article>" + "<a href='https://e.org/x'>x</a> " * 100_000 + "</article></body></html>"
    doc, seconds = _timed(harvest_html, "p.html", page, None, False, 100)
    assert len(doc.links) == 101 and seconds < 20  # the caller keeps 100 and notes the cut


# ---- hostile folders -------------------------------------------------------------------------


def test_file_names_that_are_not_utf8_are_stored_distinctly(tmp_path: Path, engine) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for raw_name in (b"bad\xffname.txt", b"bad\xfename.txt"):
        with open(os.path.join(os.fsencode(folder), raw_name), "wb") as out:
            out.write(b"see https://e.org/x here")
    outcome = pipeline.harvest(engine, Config(), [str(folder)])
    with session_scope(engine) as session:
        sources = sorted(doc.source for doc in repo.load_documents(session))
    assert len(outcome.document_ids) == 2
    assert sources == [f"{folder}/bad\\xfename.txt", f"{folder}/bad\\xffname.txt"]


def test_a_symlink_loop_in_a_folder_ends(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("text")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    assert [item.source for item in expand_targets([str(folder)]).items] == [str(folder / "a.txt")]


def test_a_url_input_cut_at_the_cap_says_so() -> None:
    config = HarvestConfig(max_file_bytes=1000)
    item = InputItem(source="https://e.org/endless", url="https://e.org/endless")
    (doc,) = harvest_items([item], config, fetch=lambda _url: (b"words " * 166 + b"word", None))
    assert doc.error == "only the first 1,000 bytes were read (harvest.max_file_bytes)"
    (whole,) = harvest_items([item], config, fetch=lambda _url: (b"words", None))
    assert whole.error is None


@pytest.mark.slow  # scale
def test_only_what_copy_detection_reads_is_kept_of_a_huge_text() -> None:
    data = ("Huge text\n\n" + "Это текст в кодировке cp1251, повторённый много раз. " * 60_000).encode("cp1251")
    doc = harvest_bytes("ru.txt", data, HarvestConfig())
    whole = harvest_text("ru.txt", data.decode("cp1251"))
    assert len(whole.text) > MAX_COMPARED_CHARS and len(doc.text) == MAX_COMPARED_CHARS
    assert doc.text == whole.text[:MAX_COMPARED_CHARS] and doc.fingerprint == whole.fingerprint


@pytest.mark.parametrize("label", ["utf-16", "utf-16le", "utf-32", "idna", "punycode", "cp037", "no-such-charset"])
def test_a_page_declaring_an_impossible_charset_is_read_as_usual(label: str) -> None:
    page = (
        f'<html><head><meta charset="{label}"><title>Title</title></head><body><article>'
        '<p><a href="https://e.org/x">x</a></p></article></body></html>'
    ).encode()
    doc = harvest_bytes("p.html", page, HarvestConfig())
    assert (doc.error, doc.title, urls(doc)) == (None, "Title", ["https://e.org/x"])


@pytest.mark.parametrize("key", ["max_file_bytes", "max_html_bytes", "max_links"])
def test_caps_below_one_are_config_errors(key: str) -> None:
    with pytest.raises(ConfigError, match=f"harvest.{key}: expected `int` >= 1"):
        config_from_mapping({"harvest": {key: 0}})
