"""Link extraction against LinkChecker's own expectations (corpus links-html/, GPL: read in place).

LinkChecker checks every URL a page holds, so the harvest runs with include_boilerplate=True.
Each difference from its `.result` files is listed below with the reason; everything else
must match: the link texts as written, the anchor text (`name`), and the resolved address
(`cache_key`) where LinkChecker resolved one.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from provenance.harvest.html import harvest_html
from provenance.records import LinkRole

pytestmark = pytest.mark.corpus

DATADIR = "tests/checker/data"
CURDIR = "/lc"  # stands for LinkChecker's working directory in file:// addresses
PORT = "8080"

NOT_HTML = {
    "data/file.asc": "plain text, not HTML",
    "data/file.css": "a stylesheet (CSS url() is not harvested)",
    "data/file.txt": "plain text, handled by the text harvester",
    "data/file.markdown": "Markdown, handled by the Markdown harvester",
    "data/file.pdf": "a PDF, read by the PDF harvester (tests/test_corpus_pdf_links.py compares it)",
    "data/sitemap.xml": "a sitemap, not a page",
    "data/sitemapindex.xml": "a sitemap index, not a page",
    "data/urllist.txt": "a URL list, handled by the text harvester",
}

# (input, link as written) -> why LinkChecker reports it and provenance deliberately does not.
NOT_HARVESTED = {
    ("data/anchor1.html", "#oneone"): "fragment-only link: a jump within this page, not a citation",
    ("data/anchor1.html", "#twoone"): "fragment-only (and found in anchor2.html by recursion)",
    ("data/anchor1.html", "#threeone"): "fragment-only (and found in anchor3.html by recursion)",
    ("data/anchor1.html", "#threefour"): "fragment-only (and found in anchor3.html by recursion)",
    ("data/anchor1.html", "file://{curdir}/{datadir}/anchor1.html"): "the checked file itself, reached by recursion",
    ("data/anchor1.html", "anchor1.html#onefour"): "found in anchor3.html by recursion level 4",
    ("data/anchor1.html", "anchor1.html#onethree"): "found in anchor3.html by recursion level 4",
    ("data/anchor1.html", "anchor1.html#onetwo"): "found in anchor3.html by recursion level 4",
    ("data/anchor1.html", "anchor3.html#threethree"): "found in anchor2.html by recursion level 4",
    ("data/anchor1.html", "anchor3.html#threetwo"): "found in anchor2.html by recursion level 4",
    ("data/all_parts_linenos.html", "base2.html"): "<meta http-equiv=refresh> is page machinery, not a citation",
    ("data/base1.html", "base2.html"): "<meta http-equiv=refresh> is page machinery, not a citation",
    ("data/base3.html", "test.txt"): "<applet codebase/archive>: obsolete plugin machinery",
    ("data/file.html", "javascript:loadthis()"): "javascript: runs code, names no resource",
    ("data/file_url_quote.html", "mailto:ölvin@users.sourceforge.net"): "mailto: is an address, not a source",
    ("data/file_url_quote.html", "mailto:%E4lvin@users.sourceforge.net"): "mailto: is an address, not a source",
    ("data/http_url_quote.html", "mailto:ölvin@users.sourceforge.net"): "mailto: is an address, not a source",
    ("data/http_url_quote.html", "mailto:%E4lvin@users.sourceforge.net"): "mailto: is an address, not a source",
    ("data/html5.html", "file.css"): "<button formaction>: form machinery",
    ("data/html5.html", "file.php"): "<html manifest>: an offline-cache asset list",
    ("data/http.html", "clsid:12345-67890"): "<object classid>: a plugin id, not an address",
    ("data/http.html", "dns://www.example.org"): "<link rel=dns-prefetch>: a performance hint",
    ("data/http.html", "dns://www.example.com"): "<link rel=dns-prefetch>: a performance hint",
    ("data/http.html", "file.html"): "<applet archive>: obsolete plugin machinery",
    ("data/http.html", "file.css"): "<applet src>: obsolete plugin machinery",
    ("data/http.html", "file.asc"): "CSS url() in a style attribute: decoration, not a citation",
    ("data/http.html", "file.txt"): "CSS url() in a style attribute: decoration, not a citation",
    ("data/http.html", "http://example.org/foo/ #a=1,2,3"): "<object codebase>: plugin machinery",
    ("data/archive.html", "file.html"): "<object archive>: plugin machinery",
    ("data/archive.html", "http://www.example.com"): "<object archive>: plugin machinery",
    ("data/misc.html", "favicon.ico"): "favicon: a page asset",
    ("data/misc.html", "http://www.example.com/"): "<meta http-equiv=refresh> is page machinery, not a citation",
}
# (input, link as written) -> why provenance reports a link LinkChecker's result does not list.
EXTRA = {
    (
        "data/file_url_quote.html",
        "http://localhost:8001/?quoted=%FC",
    ): "kept as written; LinkChecker merged it with the 'ü' link (same cache key)",
    (
        "data/http_url_quote.html",
        "http://localhost:8001/?quoted=%FC",
    ): "kept as written; LinkChecker merged it with the 'ü' link (same cache key)",
}
# (input, link as written) -> why the resolved address differs from LinkChecker's cache key.
OTHER_ADDRESS = {
    (
        "data/file_url_quote.html",
        "http://localhost:8001/?quoted=%FF",
    ): "kept %FF as written; LinkChecker re-encoded it as the UTF-8 of U+00FF",
    (
        "data/http_url_quote.html",
        "http://localhost:8001/?quoted=%FF",
    ): "kept %FF as written; LinkChecker re-encoded it as the UTF-8 of U+00FF",
    ("data/http_quotes.html", "/stalter&sohn"): "'&' is a legal query/path character; LinkChecker quoted it",
    ("data/http_quotes.html", 'http://www.example.com/"'): "a stray quote is legal in a path; LinkChecker quoted it",
}


def _cases(corpus_dir: Path) -> list[dict]:
    return json.loads((corpus_dir / "links-html" / "cases.json").read_text(encoding="utf-8"))["cases"]


def _fill(text: str) -> str:
    return text.replace("{curdir}", CURDIR).replace("{datadir}", DATADIR).replace("{port}", PORT)


def _base_url(case: dict) -> str:
    if case["served_as"].startswith("http"):
        first = _fill(case["document"]["cache_key"] or "")
        if first.startswith("http"):
            return first
        return f"http://localhost:{PORT}/{DATADIR}/{case['input'][len('data/') :]}"
    return f"file://{CURDIR}/{DATADIR}/{case['input'][len('data/') :]}"


def _html_cases(corpus_dir: Path) -> list[dict]:
    return [case for case in _cases(corpus_dir) if case["input"] not in NOT_HTML]


def test_every_input_is_classified(corpus_dir: Path) -> None:
    """Each LinkChecker input is either compared here or skipped with a reason."""
    inputs = {case["input"] for case in _cases(corpus_dir)}
    assert set(NOT_HTML) <= inputs
    assert len(_html_cases(corpus_dir)) >= 30


def test_links_match_linkchecker(corpus_dir: Path) -> None:
    problems: list[str] = []
    compared = 0
    for case in _html_cases(corpus_dir):
        name = case["input"]
        data = (corpus_dir / "links-html" / name).read_bytes()
        doc = harvest_html(name, data, base_url=_base_url(case), include_boilerplate=True)
        found = {link.written: link for link in doc.links if link.role not in (LinkRole.ORIGINAL, LinkRole.LOST)}
        expected = {link["url"]: link for link in case["links"]}
        for written, link in expected.items():
            if (name, written) in NOT_HARVESTED:
                if written in found:
                    problems.append(f"{name}: {written!r} listed as not harvested but was")
                continue
            compared += 1
            ours = found.get(written)
            if ours is None:
                problems.append(f"{name}: missing {written!r}")
                continue
            if ours.anchor_text != link.get("name"):
                problems.append(f"{name}: {written!r} anchor {ours.anchor_text!r} != {link.get('name')!r}")
            problems += _address_problem(name, written, ours.url, link.get("cache_key"))
        reported = {_key(case["document"].get("cache_key"))} | {_key(link.get("cache_key")) for link in case["links"]}
        for written in found.keys() - expected.keys():
            if _key(found[written].url) in reported - {None}:
                continue  # LinkChecker reports each address once, and the page itself as the first entry
            if (name, written) not in EXTRA:
                problems.append(f"{name}: unexpected {written!r}")
    print(
        f"compared {compared} LinkChecker links; deviations: {len(NOT_HARVESTED)} skipped, {len(EXTRA)} extra, "
        f"{len(OTHER_ADDRESS)} other address"
    )
    assert not problems, "\n".join(problems)


def _key(url: str | None) -> str | None:
    """LinkChecker's cache key, compared without percent-encoding or case."""
    return None if url in (None, "None") else unquote(_fill(url)).lower()


def _address_problem(name: str, written: str, ours: str | None, cache_key: str | None) -> list[str]:
    if (name, written) in OTHER_ADDRESS:
        return []
    if cache_key in (None, "None"):
        return [] if ours is None else [f"{name}: {written!r} resolved to {ours!r}, LinkChecker found no URL"]
    if ours is None:
        return [f"{name}: {written!r} not resolved, LinkChecker: {cache_key!r}"]
    if unquote(ours).lower() != unquote(_fill(cache_key)).lower():
        return [f"{name}: {written!r} -> {ours!r}, LinkChecker: {_fill(cache_key)!r}"]
    return []


@pytest.mark.parametrize("name", sorted({name for name, _ in NOT_HARVESTED}))
def test_deviation_table_names_real_inputs(corpus_dir: Path, name: str) -> None:
    assert (corpus_dir / "links-html" / name).is_file()
