"""The founding case: the Moscow Times web page (d1) and its undated PDF print (d2), as the pipeline feeds them."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from helpers import find_copies

from provenance.config import ReconcileConfig
from provenance.reconcile import build_context, run_rules
from provenance.records import DateEvidence, DocumentFormat, FindingKind, LinkRole, Severity, StoredDocument, StoredLink
from provenance.textnorm import fingerprint

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ORIGINAL = "https://www.themoscowtimes.com/2022/01/21/russia-us-agree-to-talk-security-demands-next-week-a76117"
RELATED = (
    "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks"
)
VIDEO = "https://www.youtube.com/watch?v=tQ2PG1myG5c"
LABEL = "Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks"


def _link(link_id, url, role, anchor, position):
    return StoredLink(id=link_id, url=url, written=url, role=role, anchor_text=anchor, context=None, position=position)


@pytest.fixture(scope="module")
def seed_docs() -> list[StoredDocument]:
    web = (SEEDS / "000_7490f935fa1dc7f3.txt").read_text(encoding="utf-8")
    pdf = (SEEDS / "001_c4e3b7df91f0d802.txt").read_text(encoding="utf-8")
    d1 = StoredDocument(
        id=1,
        source="seeds/000_7490f935fa1dc7f3.txt",
        format=DocumentFormat.TEXT,
        title="Russia, U.S. Agree to Talk Security Demands Next Week",
        published=DateEvidence(date(2022, 1, 21), "date_line", "January 21, 2022"),
        original_url=ORIGINAL,
        text=web,
        fingerprint=fingerprint(web),
        links=(
            _link(1, None, LinkRole.LOST, "said", 1),
            _link(2, None, LinkRole.LOST, LABEL, 2),
            _link(3, None, LinkRole.LOST, "warned", 3),
            _link(4, ORIGINAL, LinkRole.ORIGINAL, None, 4),
        ),
    )
    d2 = StoredDocument(
        id=2,
        source="seeds/001_c4e3b7df91f0d802.txt",
        format=DocumentFormat.TEXT,
        title=None,
        published=None,
        original_url=None,
        text=pdf,
        fingerprint=fingerprint(pdf),
        links=(_link(5, RELATED, LinkRole.RELATED, LABEL, 1), _link(6, VIDEO, LinkRole.EMBEDDED, None, 2)),
    )
    return [d1, d2]


@pytest.fixture(scope="module")
def findings(seed_docs):
    relations = {r.copy_id: r.original_id for r in find_copies(seed_docs)}
    docs = [dataclasses.replace(d, copy_of=relations.get(d.id)) for d in seed_docs]
    out = run_rules(build_context(docs, {}, {}, ReconcileConfig()))
    json.dumps([f.evidence for f in out])
    return out


def test_the_pdf_print_is_a_copy_of_the_web_page(seed_docs):
    [relation] = find_copies(seed_docs)
    assert (relation.copy_id, relation.original_id) == (2, 1)
    assert relation.similarity >= 0.8 and relation.method == "shingle_containment"


def test_related_article_dated_2024_is_a_temporal_mismatch_with_its_working(findings):
    [finding] = [f for f in findings if f.kind is FindingKind.TEMPORAL_MISMATCH]
    assert (finding.document_id, finding.url) == (2, RELATED)
    assert finding.severity is Severity.WARNING  # a related link, not a citation
    assert finding.evidence["document_date"] == {
        "value": "2022-01-21",
        "source": "copy_of:d1/date_line",
        "raw": "January 21, 2022",
    }
    assert finding.evidence["target_date"]["value"] == "2024-05-06"
    assert finding.evidence["target_date"]["source"] == "url_path"
    assert finding.evidence["days_apart"] == 836 and "836 days" in finding.message


def test_no_title_mismatch_for_the_related_label(findings):
    assert [f for f in findings if f.kind is FindingKind.TITLE_MISMATCH] == []


def test_said_and_warned_are_lost_links_of_the_web_page(findings):
    lost = {f.evidence["anchor_text"]: f for f in findings if f.kind is FindingKind.LOST_LINK}
    assert {"said", "warned"} <= set(lost)
    assert all(f.document_id == 1 for f in lost.values())
    assert (
        lost["said"].message == "'said' was a link on the original page; this text kept the words but not the address"
    )
    assert lost[LABEL].evidence["recovered_from_copies"] == [{"document": "d2", "url": RELATED, "role": "related"}]


def test_copy_divergence_on_the_print_names_links_in_one_copy_only(findings):
    [finding] = [f for f in findings if f.kind is FindingKind.COPY_DIVERGENCE]
    assert finding.document_id == 2 and finding.url is None
    evidence = finding.evidence
    assert evidence["by_url"] == {"only_in_copy": [RELATED, VIDEO], "only_in_original": []}
    assert evidence["by_label"] == {"only_in_copy": [], "only_in_original": ["said", "warned"]}
    assert evidence["address_lost"] == [{"label": LABEL, "url": RELATED, "address_in": "d2", "lost_in": "d1"}]
    assert evidence["similarity"] >= 0.8


def test_nothing_else_is_reported_offline(findings):
    assert {f.kind for f in findings} == {
        FindingKind.TEMPORAL_MISMATCH,
        FindingKind.LOST_LINK,
        FindingKind.COPY_DIVERGENCE,
    }
