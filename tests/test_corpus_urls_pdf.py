"""Recall of harvest_text on arXiv papers converted from PDF (corpus urls-pdf-text, read in place).

Equivalence with the ground truth (documented choice): both sides go through clean_url (host
lower-cased, NFKC so the PDF ligature "ﬁ" is "fi"), then the scheme and one trailing "/" are
ignored, because the annotators wrote many URLs without a scheme ("github.com/DocNow/twarc").
"""

import json

import pytest

from provenance.harvest.text import harvest_text
from provenance.harvest.urls import clean_url

pytestmark = pytest.mark.corpus
COUNTED = {"verbatim", "line_broken", "line_broken_backslash"}


def _key(url):
    return url.split("://", 1)[-1].rstrip("/") if url else url


@pytest.fixture(scope="module")
def harvested(corpus_dir):
    root = corpus_dir / "urls-pdf-text"
    truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    return {
        pid: (paper, harvest_text(paper["text"], (root / paper["text"]).read_text(encoding="utf-8")))
        for pid, paper in truth["papers"].items()
    }


def test_recall_of_visible_urls(harvested):
    found = total = 0
    missed = []
    for pid, (paper, doc) in harvested.items():
        keys = {_key(link.url) for link in doc.links if link.url}
        for item in paper["urls_in_pdf"]:
            if item["form_in_text"] not in COUNTED:
                continue
            total += 1
            truth = item.get("url_clean") or item["url"]
            if _key(clean_url(truth)) in keys:
                found += 1
            else:
                missed.append(f"{pid} {truth}")
    print(f"\nurls-pdf-text recall: {found}/{total} (baseline 5/76); missed: {missed}")
    assert total == 76
    assert found >= 72


def test_no_output_is_a_known_non_url(harvested):
    for pid, (paper, doc) in harvested.items():
        negatives = {item["url"] for item in paper["not_in_pdf"]}
        outputs = {link.url for link in doc.links} | {link.written for link in doc.links}
        assert not outputs & negatives, pid


def test_hard_cases_come_out_whole(harvested):
    urls = {link.url for _, doc in harvested.values() for link in doc.links}
    assert "https://onlinelibrary.wiley.com/doi/pdf/10.1111/j.0006-341X.2005.030815.x" in urls  # hyphen at break
    assert "https://www.fda.gov/vaccines-blood-biologics/vaccine-adverse-events/vaers-overview" in urls  # https: / //
    assert "https://www.reuters.com/world/europe/italys-meloni-sworn-head-right-wing-government-2022-10-22/" in urls
    assert not any(u.endswith((".", ",", ")")) for u in urls)
