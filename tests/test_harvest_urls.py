"""find_urls / clean_url / is_valid_url on realistic plain and PDF text."""

import pytest

from provenance.harvest.urls import clean_url, find_urls, is_valid_url


@pytest.mark.parametrize(
    "text, urls",
    [
        ("See https://example.org/a/b.", ["https://example.org/a/b"]),
        ("(see https://example.org/wiki/Foo_(bar)) and more", ["https://example.org/wiki/Foo_(bar)"]),
        ("\u201chttps://example.org/q\u201d, she wrote", ["https://example.org/q"]),
        ("Two: https://a.org/x; https://b.org/y!", ["https://a.org/x", "https://b.org/y"]),
        ("Visit www.Example.com/Path?x=1#frag.", ["http://www.example.com/Path?x=1#frag"]),
        ("footnote\n2https://github.com/a/b\n", ["https://github.com/a/b"]),
        ("8github.com/DocNow/hydrator\n", ["http://github.com/DocNow/hydrator"]),
        (
            "URL https://www.cdc.gov/\ncoronavirus/2019-ncov/hcp/telehealth.html.\nCenter for",
            ["https://www.cdc.gov/coronavirus/2019-ncov/hcp/telehealth.html"],
        ),
        (
            "available at https:\n//www.fda.gov/vaccines/\nvaers-overview.\nJoseph Bae",
            ["https://www.fda.gov/vaccines/vaers-overview"],
        ),
        (
            "_eprint: https://onlinelibrary.wiley.com/doi/pdf/10.1111/j.0006-\n341X.2005.030815.x.\n29\n",
            ["https://onlinelibrary.wiley.com/doi/pdf/10.1111/j.0006-341X.2005.030815.x"],
        ),
        (
            "URL https://www.ncbi.nlm.\nnih.gov/pmc/articles/PMC7598529/#b0160.\nManuel",
            ["https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7598529/#b0160"],
        ),
        (
            "2020c. https://www.cdc.gov/vaccines/vams/index.\nhtml.\nCenter",
            ["https://www.cdc.gov/vaccines/vams/index.html"],
        ),
        ("publications/x-distribut\\\nion-in-the-us.\n8", []),  # no scheme: the start of the run is lost
        (
            "https://example.org/publications/x-distribut\\\nion-in-the-us.\n8",
            ["https://example.org/publications/x-distribution-in-the-us"],
        ),
        ("5http://wiki.ros.org/move base\n", ["http://wiki.ros.org/move_base"]),
        ("Host https://ﬁgshare.com/x", ["https://figshare.com/x"]),
        ("as in Fig. 2.https://x.org/a and e.g.http://y.org", ["https://x.org/a", "http://y.org"]),
    ],
)
def test_found(text, urls):
    assert [found.url for found in find_urls(text)] == urls


@pytest.mark.parametrize(
    "text, urls",
    [
        # a complete URL ending a line is not glued to the next line's words
        ("https://github.com/foo/\nThe next sentence starts here.", ["https://github.com/foo/"]),
        (
            "licence http://creativecommons.org/licenses/by/4.0/.\narXiv:2011.03287v1 [cs.CL]",
            ["http://creativecommons.org/licenses/by/4.0/"],
        ),
        ("https://doi.org/10.3390/a15110429.\n2.\nFisher, D.N.", ["https://doi.org/10.3390/a15110429"]),
        ("https://x.org/a/\n3\nhttps://y.org/b", ["https://x.org/a/", "https://y.org/b"]),
        (
            "1www.statista.com/stats/\n2datareportal.com/reports/x\n",
            ["http://www.statista.com/stats/", "http://datareportal.com/reports/x"],
        ),
        ("CrowdTangle. https://crowdtangle.com/\n[9] Giuseppe", ["https://crowdtangle.com/"]),
        ("3https://x.org/a see text\n", ["https://x.org/a"]),  # words after a footnote URL stay words
        ("[text](https://a.org/x) after", ["https://a.org/x"]),
    ],
)
def test_not_over_joined(text, urls):
    assert [found.url for found in find_urls(text)] == urls


@pytest.mark.parametrize(
    "text",
    [
        "Cut in the PDF: https://www.\nnothing",
        "a scheme alone https:// here",
        "http://localhost:99999/x",
        "e-mail bob@example.com/x",
        "version 1.2/3.4 and file.txt",
        "ftp://example.org/file",
        "https://doi.org/\nPublisher",
        "http://user@evil.example/",
        "no links at all.",
    ],
)
def test_nothing_found(text):
    assert find_urls(text) == []


def test_offsets_and_broken_flag():
    text = "Intro https://www.cdc.gov/\ncoronavirus/index.html. Next."
    (found,) = find_urls(text)
    assert found.broken and text[found.start : found.end] == "https://www.cdc.gov/\ncoronavirus/index.html"
    assert found.written == "https://www.cdc.gov/coronavirus/index.html"
    (plain,) = find_urls("x https://a.org/b, y")
    assert not plain.broken and (plain.start, plain.end) == (2, 17)


@pytest.mark.parametrize(
    "written, url",
    [
        ("<https://Example.ORG:443/a>", "https://example.org/a"),
        ("(https://example.org/a).", "https://example.org/a"),
        ('"https://example.org/a_\nb"', "https://example.org/a_b"),
        ("www.example.org", "http://www.example.org"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        ("not a url", None),
        ("https://", None),
        ("https://www.", None),
        ("mailto:a@b.org", None),
        ("http://exa mple.com", None),
        ("https://-bad-.com/", None),
    ],
)
def test_clean_url(written, url):
    assert clean_url(written) == url


@pytest.mark.parametrize(
    "url, valid",
    [
        ("https://example.org/x", True),
        ("http://127.0.0.1:8000/", True),
        ("http://localhost/", True),
        ("https://xn--bcher-kva.example/", True),
        ("ftp://example.org/", False),
        ("https://nodot/", False),
        ("https://example.org:bad/", False),
        ("//example.org/x", False),
        ("example.org/x", False),
        ("www.example.org", False),
    ],
)
def test_is_valid_url(url, valid):
    assert is_valid_url(url) is valid
