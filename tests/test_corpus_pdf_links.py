"""Links of real PDFs, each harvested as a file, against their link annotations (corpus real-dev, read in place).

Truth: `truth.annotation_uris` of every `A/pdf/` file in real-dev/manifest.json, the URI actions of
its link annotations as pypdf and pdfminer.six both read them.  Scored: the http(s) ones, since
`mailto:` and other non-web links are not harvested (as in HTML; a documented choice).  Both
sides are compared as the harvester writes an annotation's address (characters no URL holds
percent-encoded) and then normalised (scheme and host lower-cased, a default port dropped).

A harvested link is false when it is neither an annotation's address nor a URL printed whole in
the text without an annotation: tests/data/real_dev_text_urls.json lists those, each checked by
reading the PDF (the NIST report's references, for one, are printed but not linked).  The
document's own address (role original) is not one of its links.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import HarvestConfig
from provenance.harvest.html import resolve
from provenance.harvest.inputs import InputItem, harvest_items
from provenance.harvest.urls import normalize_url
from provenance.records import LinkRole

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
TEXT_URLS = Path(__file__).parent / "data" / "real_dev_text_urls.json"


def _web(url: str) -> str | None:
    absolute = resolve(url.strip(), None) if url.lower().startswith(("http://", "https://")) else None
    return normalize_url(absolute) if absolute else None


@pytest.fixture(scope="module")
def scored(corpus_dir):
    root = corpus_dir / "real-dev"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    printed = json.loads(TEXT_URLS.read_text(encoding="utf-8"))["text_urls"]
    entries = [entry for entry in manifest["files"] if entry["path"].startswith("A/pdf/")]
    items = [InputItem(source=entry["path"], path=root / entry["path"]) for entry in entries]
    docs = {doc.source: doc for doc in harvest_items(items, HarvestConfig(), fetch=None)}
    rows = []
    for entry in entries:
        doc = docs[entry["path"]]
        truth = {key for item in entry["truth"]["annotation_uris"] if (key := _web(item["uri"]))}
        allowed = truth | {_web(url) for url in printed.get(entry["path"], [])}
        found = {_web(link.url) for link in doc.links if link.url and link.role is not LinkRole.ORIGINAL}
        found.discard(None)
        rows.append((entry["path"], doc, truth, found, found - allowed))
    return rows


def test_link_annotations_are_found_and_nothing_false_is_added(scored):
    truth = sum(len(t) for _, _, t, _, _ in scored)
    hits = sum(len(t & f) for _, _, t, f, _ in scored)
    found = sum(len(f) for _, _, _, f, _ in scored)
    false = sum(len(x) for _, _, _, _, x in scored)
    assert [(path, doc.error) for path, doc, _, _, _ in scored if doc.error] == []
    print(f"\nreal-dev PDFs: recall {hits}/{truth} = {hits / truth:.3f}; false {false}/{found} = {false / found:.3f}")
    for path, _doc, t, f, x in scored:
        print(f"  {Path(path).name}: {len(t & f)}/{len(t)} found, {len(x)} false, {len(f - t)} printed only")
        for url in sorted(t - f):
            print(f"    missed {url}")
        for url in sorted(x):
            print(f"    false  {url}")
    assert hits / truth >= 0.98
    assert false <= 0.02 * found


def test_the_browser_print_is_recognised(scored):
    (doc,) = [doc for path, doc, _, _, _ in scored if path.endswith("bug1868759.pdf")]
    assert doc.captured is not None and doc.captured.source.startswith("print_")
    assert doc.published is None and doc.original_url.startswith("https://support.mozilla.org/fr/kb/")


def test_linkcheckers_pdf_gives_its_links(corpus_dir):
    """LinkChecker's own PDF fixture (links-html/, GPL: read in place): the links its PdfParser finds."""
    case = next(
        c
        for c in json.loads((corpus_dir / "links-html" / "cases.json").read_text())["cases"]
        if c["input"] == "data/file.pdf"
    )
    path = corpus_dir / "links-html" / case["input"]
    (doc,) = harvest_items([InputItem(source="file.pdf", path=path)], HarvestConfig(), fetch=None)
    assert [link.url for link in doc.links] == [link["url"] for link in case["links"]]
    assert [link.anchor_text for link in doc.links] == ["Link1", "Link2"]  # the text under each link
