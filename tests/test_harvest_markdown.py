"""harvest_markdown: every link form, in order, with anchors, context and roles."""

from datetime import date

import pytest

from provenance.harvest.markdown import harvest_markdown
from provenance.records import DocumentFormat, LinkRole

DOC = """---
title: Notes on the talks
date: 2022-01-23
---

# Russia and the U.S. *talk*

Lavrov [said](https://www.themoscowtimes.com/2022/01/21/a76117 "The Moscow Times") that answers would come.
Background in the [earlier report][talks] and [Reuters].

![Lavrov in Geneva](https://cdn.example.org/img/lavrov.jpg)

See <https://www.state.gov/secretary-blinken/> and also www.nato.int/cps/en/natohq/topics_37750.htm.

https://www.youtube.com/watch?v=tQ2PG1myG5c

```
curl https://in-code.example.org/not-a-citation
```

Use `https://in-span.example.org/x` in code. Local [docs](docs/readme.md), [top](#top), [mail](mailto:a@b.org).
Footnote [1] is not a link.

[talks]: https://www.themoscowtimes.com/2024/05/06/little-hope "Little hope"
[reuters]: <https://www.reuters.com/world/>
"""


@pytest.fixture(scope="module")
def doc():
    return harvest_markdown("notes.md", DOC)


def test_document_fields(doc):
    assert doc.format is DocumentFormat.MARKDOWN
    assert doc.title == "Notes on the talks"
    assert doc.published.value == date(2022, 1, 23) and doc.published.source == "front_matter:date"
    assert "[talks]:" not in doc.text and "Lavrov said that answers" in doc.text


def test_links_in_order_with_roles_and_anchors(doc):
    got = [(link.role, link.url, link.anchor_text) for link in doc.links]
    assert got == [
        (LinkRole.CITED, "https://www.themoscowtimes.com/2022/01/21/a76117", "said"),
        (LinkRole.CITED, "https://www.themoscowtimes.com/2024/05/06/little-hope", "earlier report"),
        (LinkRole.CITED, "https://www.reuters.com/world/", "Reuters"),
        (LinkRole.EMBEDDED, "https://cdn.example.org/img/lavrov.jpg", "Lavrov in Geneva"),
        (LinkRole.CITED, "https://www.state.gov/secretary-blinken/", None),
        (LinkRole.CITED, "http://www.nato.int/cps/en/natohq/topics_37750.htm", None),
        (LinkRole.EMBEDDED, "https://www.youtube.com/watch?v=tQ2PG1myG5c", None),
        (LinkRole.CITED, None, "docs"),
    ]
    assert [link.position for link in doc.links] == list(range(8))


def test_relative_link_keeps_written_form(doc):
    relative = doc.links[-1]
    assert relative.url is None and relative.written == "docs/readme.md"


def test_context_is_the_sentence(doc):
    assert doc.links[0].context.startswith("Lavrov [said]") and "answers would come." in doc.links[0].context
    assert all(len(link.context) <= 300 for link in doc.links)


def test_code_is_not_cited(doc):
    assert not any("in-code" in (link.written or "") or "in-span" in (link.written or "") for link in doc.links)


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("[a](https://x.org/a_(b))", ["https://x.org/a_(b)"]),
        ("[**bold** text](https://x.org/p?q=1&r=2)", ["https://x.org/p?q=1&r=2"]),
        (
            "[![badge](https://img.example/b.svg)](https://ci.example/job)",
            ["https://ci.example/job", "https://img.example/b.svg"],
        ),
        ("Setext Title\n============\n\nplain http://x.org/p.", ["http://x.org/p"]),
        ("[undefined][nope] and [1]", []),
    ],
)
def test_link_forms(markdown, expected):
    assert [link.url for link in harvest_markdown("x.md", markdown).links] == expected


def test_setext_and_atx_titles():
    assert harvest_markdown("x.md", "Setext Title\n============\n\nbody").title == "Setext Title"
    assert harvest_markdown("x.md", "intro\n\n## Sub *heading*\n").title == "Sub heading"
    assert harvest_markdown("x.md", "no heading at all").title is None


def test_windows_line_ends_in_reference_definitions():
    doc = harvest_markdown("x.md", "# T\r\n\r\nSee [the report][r].\r\n\r\n[r]: https://a.org/report\r\n")
    assert [(link.url, link.anchor_text) for link in doc.links] == [("https://a.org/report", "the report")]


@pytest.mark.parametrize(
    ("front", "value", "source"),
    [
        ("---\ntitle: Spring\ndate: 2024/04/25\n---\n", date(2024, 4, 25), "front_matter:date"),
        ("---\ndate: 2024-04-25T23:30:00-05:00\n---\n", date(2024, 4, 25), "front_matter:date"),
        ('---\ndate: "2024-04-25 10:00:00 +0200"\n---\n', date(2024, 4, 25), "front_matter:date"),
        ("---\npubDate: 'Apr 25 2024'\n---\n", date(2024, 4, 25), "front_matter:pubdate"),
        ("---\npublished: 25 April 2024\n---\n", date(2024, 4, 25), "front_matter:published"),
        ("---\npublished: true\ndate: 2024-04-25\n---\n", date(2024, 4, 25), "front_matter:date"),  # a flag
        (
            "---\nlastmod: 2024-06-01\ndate: 2024-04-25\nupdated: 2024-06-02\n---\n",
            date(2024, 4, 25),
            "front_matter:date",
        ),
        ("---\ndate: 2024-04-25 # first draft 2024-04-01\n---\n", date(2024, 4, 25), "front_matter:date"),
        ('+++\ntitle = "Spring"\ndate = 2024-04-25T10:00:00Z\n+++\n', date(2024, 4, 25), "front_matter:date"),
        ('+++\npublishDate = "2024-04-25"\ndate = 2024-04-20\n+++\n', date(2024, 4, 25), "front_matter:publishdate"),
        ("---\nlang: fr\ndate: 05/04/2024\n---\n", date(2024, 4, 5), "front_matter:date"),
    ],
)
def test_front_matter_dates(front, value, source):
    doc = harvest_markdown("post.md", front + "\n# Spring\n\nBody.\n")
    assert doc.published is not None and (doc.published.value, doc.published.source) == (value, source)


def test_toml_front_matter_title():
    assert harvest_markdown("post.md", '+++\ntitle = "Spring notes"\n+++\n\nBody.\n').title == "Spring notes"


@pytest.mark.parametrize(
    "front",
    [
        "---\nlastmod: 2024-06-01\nupdated: 2024-06-02\nmodified: 2024-06-03\n---\n",  # updates only
        "---\ndate: 05/04/2024\n---\n",  # either order, and no language says which
        "---\ndate: soon\n---\n",
    ],
)
def test_front_matter_without_a_publication_date(front):
    assert harvest_markdown("post.md", front + "\n# Spring\n\nBody.\n").published is None


MDX_POST = """---
title: "React 18"
---

{dateline}

---

<Intro>

React 18 is now available on npm! In our last post, we shared
[upgrading your app](/blog/2022/03/08/react-18-upgrade-guide).

</Intro>
"""


@pytest.mark.parametrize(
    ("dateline", "value"),
    [
        ("March 29, 2022 by [The React Team](/community/team)", date(2022, 3, 29)),
        ("29 de marzo de 2022 por [The React Team](/community/team)", date(2022, 3, 29)),
        (
            "Le 16 mars 2023 par [Dan Abramov](https://twitter.com/dan_abramov) et [Rachel Nabors](https://x.com/r)",
            date(2023, 3, 16),
        ),
        (
            "2023 年 3 月 22 日 [Joseph Savona](https://twitter.com/en_JS)、[Josh Story](https://twitter.com/js)",
            date(2023, 3, 22),
        ),
        ("2021년 6월 8일, [Dan Abramov](https://twitter.com/dan_abramov)", date(2021, 6, 8)),
        ("<Intro>March 29, 2022</Intro>", date(2022, 3, 29)),
    ],
)
def test_dateline_under_the_front_matter(dateline, value):
    doc = harvest_markdown("react-v18.md", MDX_POST.format(dateline=dateline))
    assert doc.published is not None and (doc.published.value, doc.published.source) == (value, "date_line")


def test_front_matter_date_before_the_dateline_and_the_file_name():
    text = "---\ndate: 2022-03-08\n---\n\nMarch 29, 2022 by The React Team\n"
    assert harvest_markdown("2022-03-30-react-v18.md", text).published.source == "front_matter:date"
    text = "---\nupdated: 2022-04-01\n---\n\nMarch 29, 2022 by The React Team\n"
    assert harvest_markdown("2022-03-30-react-v18.md", text).published.value == date(2022, 3, 29)


def test_file_name_is_the_last_resort():
    doc = harvest_markdown("_posts/2022-03-30-react-v18.md", "---\ntitle: React 18\n---\n\nReact 18 is out.\n")
    assert doc.published is not None
    assert (doc.published.value, doc.published.source, doc.published.raw) == (
        date(2022, 3, 30),
        "file_name",
        "2022-03-30-react-v18.md",
    )


@pytest.mark.parametrize(
    "body",
    [
        "# Notes\n\nWe met on March 3, 2023 to plan the release.\n",  # in passing
        "# Notes\n\nSee [the guide](https://example.org/2023/03/03/guide).\n",  # in a cited URL
        "# Notes\n\nLast updated: March 5, 2023\n\nBody.\n",
        "# Notes\n\n```\nMarch 3, 2023\n```\n",  # in code
        "# Notes\n\n`2023-03-03`\n\nBody.\n",
    ],
)
def test_no_dateline(body):
    assert harvest_markdown("notes.md", body).published is None
