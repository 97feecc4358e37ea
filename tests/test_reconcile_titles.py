"""The label-vs-title matcher: normalisation, opaque slugs, title-like labels."""

from __future__ import annotations

import pytest

from provenance.reconcile.titles import THRESHOLD, looks_like_title, similarity, title_tokens, url_slug

LABEL = "Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks"


@pytest.mark.parametrize(
    "url, slug",
    [
        (
            "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks",
            "little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks",
        ),
        (
            "https://www.themoscowtimes.com/2022/01/21/russia-us-agree-to-talk-security-demands-next-week-a76117",
            "russia-us-agree-to-talk-security-demands-next-week",
        ),
        ("https://blog.example.com/2019/08/02/parsing-json-really-quickly/", "parsing-json-really-quickly"),
        ("https://example.com/posts/how_to_read_a_paper.html", "how_to_read_a_paper"),
        ("https://example.com/stories/coastal-erosion-report-2020/index.html", "coastal-erosion-report-2020"),
        ("https://www.youtube.com/watch?v=tQ2PG1myG5c", None),
        ("https://example.com/index.html", None),
        ("https://example.com/a/3f2a9b8c7d6e5f4012", None),
        ("https://www.bbc.co.uk/news/world-europe-60123456", None),
        ("https://example.com/p/12345", None),
        ("https://example.com/", None),
    ],
)
def test_url_slug_keeps_readable_slugs_and_refuses_opaque_ones(url, slug):
    assert url_slug(url) == slug


@pytest.mark.parametrize(
    "label, target, matches",
    [
        (LABEL, "little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks", True),
        (LABEL, "Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks - The Moscow Times", True),
        (LABEL, "little-hope-breakthrough-us-russia", True),  # a truncated slug
        ("Russia's Demands Are Non-Starters", "russias-demands-are-non-starters", True),
        ("Parsing JSON Really Quickly: Lessons Learned", "parsing-json-really-quickly", True),
        (LABEL, "putin-signs-law-on-foreign-agents", False),
        (LABEL, "Buy this domain today", False),
        ("Annual Report on Coastal Erosion", "stock-market-closes-higher-on-friday", False),
    ],
)
def test_similarity_against_threshold(label, target, matches):
    score = similarity(label, target)
    assert score is not None and (score >= THRESHOLD) is matches


def test_too_short_to_judge_is_none():
    assert similarity("Home", "welcome-home-page") is None


def test_tokens_fold_abbreviations_apostrophes_and_stopwords():
    assert title_tokens("U.S. and Russia’s Talks of the Week") == {"us", "russias", "talks", "week"}


@pytest.mark.parametrize(
    "text, expected",
    [
        (LABEL, True),
        ("Annual Report on Coastal Erosion", True),
        ("said", False),
        ("the report said that prices rose sharply", False),
        ("https://example.com/Some/Path", False),
        ("Click Here", False),
        (None, False),
    ],
)
def test_looks_like_title(text, expected):
    assert looks_like_title(text) is expected


def _title_links(corpus_dir):
    """(anchor, slug) for every title-like anchor with a readable slug in the dates/ pages."""
    import json
    from urllib.parse import urljoin

    import lxml.html

    expected = json.loads((corpus_dir / "dates" / "expected.json").read_text(encoding="utf-8"))
    parser = lxml.html.HTMLParser(encoding="utf-8")
    pairs = []
    for name, meta in sorted(expected.items()):
        raw = (corpus_dir / "dates" / name).read_bytes().decode("utf-8", errors="replace").encode("utf-8")
        for anchor in lxml.html.document_fromstring(raw, parser=parser).iter("a"):
            text, href = " ".join(anchor.text_content().split()), anchor.get("href")
            if href and looks_like_title(text):
                slug = url_slug(urljoin(meta["url"], href))
                if slug:
                    pairs.append((text, slug))
    return pairs


@pytest.mark.corpus
def test_real_anchors_rarely_mismatch_their_own_slug_and_almost_always_mismatch_another(corpus_dir):
    """On 185 real pages (chrome included): own slug flagged < 10%; a swapped-in slug caught > 95%."""
    pairs = _title_links(corpus_dir)
    own = [similarity(text, slug) for text, slug in pairs]
    own = [s for s in own if s is not None]
    swapped = [
        similarity(text, pairs[(i * 7919 + 13) % len(pairs)][1])
        for i, (text, slug) in enumerate(pairs)
        if pairs[(i * 7919 + 13) % len(pairs)][1] != slug
    ]
    swapped = [s for s in swapped if s is not None]
    assert len(own) > 300 and len(swapped) > 300
    assert sum(s < THRESHOLD for s in own) / len(own) < 0.10
    assert sum(s < THRESHOLD for s in swapped) / len(swapped) > 0.95
