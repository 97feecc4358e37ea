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
