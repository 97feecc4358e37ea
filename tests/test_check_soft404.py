"""Soft-404 signals: error pages in many languages, parked domains, generic redirects, the probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.check.soft404 import (
    ProbeCache,
    error_page_reason,
    generic_redirect_reason,
    parked_reason,
    probe_url,
    signature,
    similar_pages,
)
from provenance.page.extract import parse_page

DATA = Path(__file__).parent / "data" / "soft404"


def _page(name: str) -> tuple[str | None, str]:
    extract = parse_page((DATA / name).read_bytes(), "https://example.org/x")
    return extract.title, extract.main_text


@pytest.mark.parametrize(
    "name",
    [
        "error_en.html",
        "error_de.html",
        "error_fr.html",
        "error_es.html",
        "error_it.html",
        "error_pt.html",
        "error_ru.html",
        "error_ja.html",
        "error_body_only.html",
    ],
)
def test_error_pages_in_many_languages_are_recognised(name: str) -> None:
    title, text = _page(name)
    assert error_page_reason(title, text) is not None


@pytest.mark.parametrize(
    "title, text",
    [
        ("How link checkers find soft 404 pages", None),
        ("Route 66: not found on modern maps, historians say", "x " * 2000),
        ("Dios no existe, dice el filósofo", "y " * 2000),
        ("Error correction in quantum computing", "z " * 2000),
    ],
)
def test_real_pages_that_mention_errors_are_not_error_pages(title: str, text: str | None) -> None:
    if text is None:
        title, text = _page("article_about_404.html")
    assert error_page_reason(title, text) is None


@pytest.mark.parametrize("name", ["parked_forsale.html", "parked_de.html"])
def test_for_sale_pages_are_parked(name: str) -> None:
    title, text = _page(name)
    assert "parked" in (parked_reason("https://example-old.com/a", (), title, text) or "")


def test_redirect_to_a_parking_service_is_parked() -> None:
    reason = parked_reason(
        "https://www.sedoparking.com/lander",
        ("https://oldsite.org/a/b", "https://www.sedoparking.com/lander"),
        "Welcome",
        "",
    )
    assert reason is not None and "sedoparking.com" in reason


def test_ordinary_page_is_not_parked() -> None:
    title, text = _page("article_about_404.html")
    assert parked_reason("https://example.org/x", (), title, text) is None


@pytest.mark.parametrize(
    "url, final, expected",
    [
        ("https://ex.org/news/2019/story-a", "https://ex.org/", "home page"),
        ("https://ex.org/news/2019/story-a", "https://www.ex.org/en/", "home page"),
        ("https://ex.org/news/2019/story-a", "https://ex.org/index.html", "home page"),
        ("https://ex.org/news/2019/story-a", "https://ex.org/login?next=/news", "generic page"),
        ("https://ex.org/news/2019/story-a", "https://ex.org/search", "generic page"),
        ("https://ex.org/news/2019/story-a", "https://ex.org/news/2019/story-a/", None),
        ("https://ex.org/news/2019/story-a", "https://ex.org/news/2019/story-a-updated", None),
        ("https://ex.org/", "https://ex.org/en/", None),
        ("https://ex.org/news/2019/story-a", "https://other.org/", None),
        ("https://ex.org/news/2019/story-a", "https://ex.org/news/2019/story-a", None),
    ],
)
def test_generic_redirects(url: str, final: str, expected: str | None) -> None:
    reason = generic_redirect_reason(url, final)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def test_probe_url_is_a_random_sibling() -> None:
    first, second = probe_url("https://ex.org/a/b/page.html?q=1"), probe_url("https://ex.org/a/b/page.html?q=1")
    assert first.startswith("https://ex.org/a/b/provenance-probe-") and "?" not in first
    assert first != second


def _sig(status: int, final: str, title: str, text: str, redirected: bool = False):
    from provenance.textnorm import fingerprint

    return signature(status, final, title, fingerprint(text), text, redirected)


SHELL = "Welcome to our shop. " + " ".join(f"item{i} costs {i} euros" for i in range(60))


@pytest.mark.parametrize(
    "checked, probe, soft",
    [
        (
            _sig(200, "https://ex.org/a/real", "Real article", "A long real article text " * 40),
            _sig(404, "https://ex.org/a/zzz", "Not here", "missing"),
            False,
        ),
        (_sig(200, "https://ex.org/", "Home", SHELL, True), _sig(200, "https://ex.org/", "Home", SHELL, True), True),
        (
            _sig(200, "https://ex.org/a/", "Index", "A " * 9),
            _sig(200, "https://ex.org/a/", "Index", "B " * 9, True),
            False,
        ),
        (_sig(200, "https://ex.org/a/old", "Shop", SHELL), _sig(200, "https://ex.org/a/zzz", "Shop", SHELL), True),
        (
            _sig(200, "https://ex.org/a/old", "Shop - old", SHELL + " old"),
            _sig(200, "https://ex.org/a/zzz", "Shop - zzz", SHELL + " zzz"),
            True,
        ),
        (
            _sig(200, "https://ex.org/a/real", "Shop", "A long real article text about tea " * 40),
            _sig(200, "https://ex.org/a/zzz", "Shop", SHELL),
            False,
        ),
    ],
)
def test_probe_comparison(checked, probe, soft: bool) -> None:
    assert (similar_pages(checked, probe) is not None) is soft


@pytest.mark.parametrize("changed", [0, 1, 2, 4])  # words of 60 replaced: similarity about the 0.9 threshold
def test_probe_similarity_is_the_jaccard_of_word_shingles(changed: int) -> None:
    from provenance.check.soft404 import PROBE_SIMILARITY
    from provenance.textnorm import shingles

    words = [f"w{i}" for i in range(60)]
    other = [f"x{i}" if i % 11 == 5 and i // 11 < changed else word for i, word in enumerate(words)]
    checked = _sig(200, "https://ex.org/a/old", "Shop", " ".join(words))
    probe = _sig(200, "https://ex.org/a/zzz", "Shop", " ".join(other))
    a, b = shingles(" ".join(words), 3), shingles(" ".join(other), 3)
    jaccard = len(a & b) / len(a | b)
    assert len(probe.words) == 8 * len(b)  # packed: 8 bytes a shingle, no int objects
    reason = similar_pages(checked, probe)
    assert (reason is not None) is (jaccard >= PROBE_SIMILARITY)
    if reason is not None and jaccard < 1:
        assert f"similarity {jaccard:.2f}" in reason


def test_probe_cache_fetches_once_per_site() -> None:
    cache, calls = ProbeCache(), []
    answer = _sig(404, "https://ex.org/x", "x", "x")
    for _ in range(3):
        assert cache.get("ex.org", lambda: calls.append(1) or answer) is answer
    cache.get("other.org", lambda: calls.append(1) or None)
    assert cache.get("other.org", lambda: calls.append(1) or answer) is None
    assert len(calls) == 2
    assert not cache.in_flight("ex.org") and not cache._locks  # an answered site keeps no lock for the run


@pytest.mark.slow  # the whole corpus
@pytest.mark.corpus
def test_no_real_article_is_taken_for_an_error_or_parked_page(corpus_dir: Path) -> None:
    """185 real pages (htmldate/trafilatura evaluation sets, many languages): none is a soft 404."""
    import json

    expected = json.loads((corpus_dir / "dates" / "expected.json").read_text(encoding="utf-8"))
    flagged = []
    for rel, meta in expected.items():
        extract = parse_page((corpus_dir / "dates" / rel).read_bytes(), meta.get("url"))
        reason = error_page_reason(extract.title, extract.main_text) or parked_reason(
            meta.get("url") or "https://x.org/", (), extract.title, extract.main_text
        )
        if reason:
            flagged.append((rel, reason))
    assert len(expected) >= 180 and flagged == []


FILLER = (
    "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
    "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, "
    "quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo.</p>\n"
)


def _templated(url: str, title: str, size: int = 2048):
    """A page as linkbench's miniweb writes it: the title (named after the address) over filler, SIZE bytes."""
    from provenance.textnorm import fingerprint

    head = f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n<body><h1>{title}</h1>\n'
    need = size - len(head) - len("</body></html>\n")
    html = head + (FILLER * (need // len(FILLER) + 1))[:need] + "</body></html>\n"
    extract = parse_page(html.encode(), url, dates="none")
    return signature(200, url, extract.title, fingerprint(extract.main_text), extract.main_text, True)


def test_titles_that_only_name_their_own_address_do_not_make_pages_alike() -> None:
    """'Article | x-new.example' vs 'Provenance Probe … | x-new.example': equal title keys, yet two pages.

    Seen on linkbench at 10,000 links: a site whose probe was redirected like the link had the link
    called a soft 404 (similarity 0.90), though only the titles tell miniweb's pages apart.
    """
    probe = _templated(
        "https://site203-new.example/_/hop/redirect_302_cross/0/provenance-probe-ba3227a13e0c00bbd68e",
        "Provenance Probe Ba3227a13e0c00bbd68e | site203-new.example",
    )
    page = _templated(
        "https://site203-new.example/_/hop/redirect_302_cross/0/article.php?id=624070", "Article | site203-new.example"
    )
    assert similar_pages(page, probe) is None


def test_a_site_answering_every_path_with_one_page_is_still_caught() -> None:
    shell = f"Shop | shop.example\n{FILLER}"
    probe = _sig(200, "https://shop.example/a/provenance-probe-1", "Shop | shop.example", shell)
    assert similar_pages(_sig(200, "https://shop.example/a/old", "Shop | shop.example", shell + " old"), probe)
    same_text = _sig(200, "https://shop.example/a/old-item", "Old Item | shop.example", shell)
    assert similar_pages(same_text, _sig(200, "https://shop.example/a/zz", "Zz | shop.example", shell))
