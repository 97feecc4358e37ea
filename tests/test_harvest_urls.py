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


# ---- repairs for text as PDF extraction leaves it -------------------------------------------------

# A reference list as pdftotext gives it: lines wrapped at one width, URLs cut wherever they had to be.
REFERENCES = """\
[62] VMware (2023) Virtualizing High Performance Computing (HPC) Environments: Dell EMC
Reference Architecture. Available at
https://www.vmware.com/content/dam/digitalmarketing/vmware/en/pdf/solutions/VM
ware-HPC-Virtualized-DTC.pdf.
[63] Wright G (2024) PXE. Available at the TechTarget site, where the definition is kept
https://www.techtarget.com/searchnetworking/definition/Preboot-Execution-
Environment.
[64] Tarui Y, Iino M. Gravitropism of oat and wheat coleoptiles. Plant Cell Environ. 1996;
19(10):1160-1168, see the publisher's page at https://doi.org/10.1111/j.1365-3040.1996.
tb00431.x
[65] Bastien R et al. Coupled ultradian growth. PLoS ONE 13(3): e0194893, cited as the
paper https://doi.org/10.1371/journal.pone.0194893 March 29, 2018 and kept for the
record.
"""


@pytest.mark.parametrize(
    "url",
    [
        "https://www.vmware.com/content/dam/digitalmarketing/vmware/en/pdf/solutions/VMware-HPC-Virtualized-DTC.pdf",
        "https://www.techtarget.com/searchnetworking/definition/Preboot-Execution-Environment",
        "https://doi.org/10.1111/j.1365-3040.1996.tb00431.x",
        "https://doi.org/10.1371/journal.pone.0194893",
    ],
)
def test_a_url_cut_at_the_wrap_width_takes_its_remainder_of_any_length(url):
    assert url in [found.url for found in find_urls(REFERENCES)]


@pytest.mark.parametrize(
    "text, urls",
    [
        # the URL's line stops well short of the width: it ended there, the next line is a new item
        (
            "people who inject drugs: practical guidance for collaborative interventions. Vienna, Austria:\n"
            "United Nations Office on Drugs and Crime; 2017. Available from: https://www.unaids.org/en/\n"
            "resources/documents/2017/2017_HIV-HCV-programmes-people-who-inject-drugs.\n"
            "146.Consolidated guidelines on HIV prevention, diagnosis, treatment and care for key\n",
            ["https://www.unaids.org/en/resources/documents/2017/2017_HIV-HCV-programmes-people-who-inject-drugs"],
        ),
        # a full line ending in a URL, then a year or a section number: not the URL's rest
        (
            "The code and the trained models are publicly available on GitHub at https://github.com/a/erfe.\n"
            "4.2 Results of the comparison with the baselines are reported in the table below here.\n",
            ["https://github.com/a/erfe"],
        ),
        (
            "The dataset is described on the project's own page at the address https://example.org/data\n"
            "2020 was the year in which the collection of the material for the dataset was finished.\n",
            ["https://example.org/data"],
        ),
        (
            "The collection is described on the project's own page, at the address https://example.org/data\n"
            "e.g. for the years in which the collection of the material for the dataset was finished.\n",
            ["https://example.org/data"],
        ),
        ("Code: https://github.com/\ni.e. the public mirror of it.", ["https://github.com/"]),
    ],
)
def test_a_url_that_ended_at_its_line_end_is_not_joined(text, urls):
    assert [found.url for found in find_urls(text)] == urls


@pytest.mark.parametrize(
    "text, url",
    [
        (
            "API at https://api.semanticscholar.\norg/graph/v1/paper/abc for the data.",
            "https://api.semanticscholar.org/graph/v1/paper/abc",
        ),
        (
            "API at https://api.semantic\nscholar.org/graph/v1/paper/abc for the data.",
            "https://api.semanticscholar.org/graph/v1/paper/abc",
        ),
        (
            "HCV: https://extranet.who.\nint/pqweb/vitro-diagnostics/prequalification-reports.",
            "https://extranet.who.int/pqweb/vitro-diagnostics/prequalification-reports",
        ),
    ],
)
def test_a_break_inside_the_host_name_is_joined(text, url):
    assert [found.url for found in find_urls(text)] == [url]


def test_a_host_cut_before_its_suffix_is_not_a_link():
    assert find_urls("The API (https://api.semantic\nand others) is used.") == []
    assert find_urls("see http://proceedings.mlr.\n\nPress, 2019") == []


def test_a_text_fragment_directive_after_a_break_is_part_of_the_url():
    text = (
        "[22] RED HAT (2024) What is a CI/CD pipeline? Available at the Red Hat site, in the topics\n"
        "https://www.redhat.com/en/topics/devops/what-cicd-\n"
        "pipeline#:~:text=A%20continuous%20integration and so on.\n"
    )
    assert [found.url for found in find_urls(text)] == [
        "https://www.redhat.com/en/topics/devops/what-cicd-pipeline#:~:text=A%20continuous%20integration"
    ]


@pytest.mark.parametrize(
    "text, url, written",
    [
        (
            "See https://example.org/report.pdf12 for details.",
            "https://example.org/report.pdf",
            "https://example.org/report.pdf",
        ),
        ("as in https://example.org/data.3 The next", "https://example.org/data", "https://example.org/data"),
        ("kept https://docs.python.org/3.11 as is", "https://docs.python.org/3.11", "https://docs.python.org/3.11"),
        (
            "1. Retrieved.\nhttps://doi.org/10.1000/xyz.5\n2. Next",
            "https://doi.org/10.1000/xyz.5",
            "https://doi.org/10.1000/xyz.5",
        ),
    ],
)
def test_a_footnote_number_glued_to_the_end_is_not_part_of_the_url(text, url, written):
    (found,) = find_urls(text)
    assert (found.url, found.written) == (url, written)
    assert text[found.start : found.end] == found.written


FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}  # ASCII -> its fullwidth form


@pytest.mark.parametrize(
    "text, url",
    [
        ("zero-width https://example.org/a\u200bb/c\u200d here", "https://example.org/ab/c"),
        (
            "pdftotext https://www.cs.example.edu/\u02dcsmith/paper.pdf here",
            "https://www.cs.example.edu/~smith/paper.pdf",
        ),
        (
            "with a combining tilde https://www.cs.example.edu/\u02dc\u0303smith/ here",
            "https://www.cs.example.edu/~smith/",
        ),
        ("fullwidth " + "https://example.org/a".translate(FULLWIDTH) + " ok", "https://example.org/a"),
        ("Word's hyphen https://example.org/long\u2011name here", "https://example.org/long-name"),
    ],
)
def test_look_alike_and_invisible_characters_are_read_as_what_they_stand_for(text, url):
    (found,) = find_urls(text)
    assert found.url == url
    assert text[found.start : found.end] == found.written  # the document's own characters


@pytest.mark.parametrize(
    "text, written",
    [
        ("For support, visit actcancer.org or call us.", ["actcancer.org"]),
        ("The registry (actcancer.org) lists them.", ["actcancer.org"]),
        ("Contact us:\nactcancer.org\n", ["actcancer.org"]),
        ("Read the story at nytimes.com today.", ["nytimes.com"]),
        ("See file.txt and e.g. the notes in Node.js docs.", []),
        ("See README.md and main.py for the setup.", []),
        ("Amazon.com reported higher sales on Monday.", []),
        ("I was at home.In the evening we left.", []),
        ("email: 9-FAA-SACO-AD-Inquiry@\nfaa.gov.\n", []),
    ],
)
def test_a_bare_domain_is_an_address_only_where_its_context_says_so(text, written):
    assert [found.written for found in find_urls(text)] == written


@pytest.mark.parametrize(
    "text, written",
    [
        ("the port https://example.org:99999/x is wrong", "https://example.org:99999/x"),
        ("local http://localhost:99999/x too", "http://localhost:99999/x"),
        ("no such address http://300.1.1.1/x either", "http://300.1.1.1/x"),
        ("the host https://-bad-.com/page either", "https://-bad-.com/page"),
    ],
)
def test_a_url_that_cannot_be_valid_is_kept_without_an_address(text, written):
    (found,) = find_urls(text)
    assert found.url is None and found.written == written


def test_an_invalid_url_is_an_invalid_link_in_the_document():
    from provenance.harvest.text import harvest_text
    from provenance.records import LinkRole

    doc = harvest_text("x", "A Headline Here\n\nThe data is at https://example.org:99999/data for all.\n")
    assert [(link.role, link.url, link.written) for link in doc.links] == [
        (LinkRole.CITED, None, "https://example.org:99999/data")
    ]
