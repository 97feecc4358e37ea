"""Lost links in every form a copy keeps them: underlined runs and `<a>` without an address, in HTML,
Markdown and text; and a "Related article" label whose printed address names another story."""

from __future__ import annotations

from provenance.config import ReconcileConfig
from provenance.harvest.html import harvest_html
from provenance.harvest.markdown import harvest_markdown
from provenance.harvest.text import harvest_text
from provenance.reconcile import build_context, run_rules
from provenance.records import FindingKind, LinkRole, StoredDocument, StoredLink

PROSE = "Moscow has secured a deal that the United States will provide a written response next week."


def _lost(doc) -> list[str]:
    return [link.anchor_text for link in doc.links if link.role is LinkRole.LOST]


def _page(body: str) -> bytes:
    return f"<html><body><article><h1>Talks</h1>{body}</article></body></html>".encode()


def test_html_underlined_runs_and_anchors_without_href_inside_prose_are_lost_links() -> None:
    page = _page(
        f"<p>{PROSE} Russia's top diplomat <u>said</u> after talks, and his deputy "
        f"<a>warned</a> of a military response.</p>"
    )
    doc = harvest_html("copy.html", page)
    assert _lost(doc) == ["said", "warned"]
    said = next(link for link in doc.links if link.anchor_text == "said")
    assert said.url is None and said.written is None and "top diplomat said after talks" in (said.context or "")


def test_html_marks_that_are_not_lost_links() -> None:
    page = _page(
        f"<p>{PROSE} See <a href='https://example.org/a'><u>the report</u></a> for details.</p>"  # a live link
        f"<p><a name='sources'>Sources</a> and <a id='top'>top</a> are targets of links. {PROSE}</p>"
        "<div class='share'><a>Facebook</a> <a>Twitter</a> <a>Email</a></div>"  # script buttons, no prose
        f"<p><u>Title:</u> The Southern Gothic. {PROSE}</p>"  # an underlined label
        f"<p><a role='button'>Load more</a> {PROSE}</p>"
    )
    doc = harvest_html("live.html", page)
    assert _lost(doc) == []
    assert [link.url for link in doc.links] == ["https://example.org/a"]


def test_markdown_inline_underline_is_a_lost_link_but_not_in_code() -> None:
    doc = harvest_markdown(
        "copy.md", f"# Talks\n\n{PROSE} The minister <u>said</u> so.\n\n`<u>not a link</u>` in code.\n"
    )
    assert _lost(doc) == ["said"]


def test_text_underline_is_a_lost_link() -> None:
    doc = harvest_text("copy.txt", f"Talks\n\n{PROSE} The minister <u>said</u> so.\n")
    assert _lost(doc) == ["said"]
    assert "<u>" not in doc.text


def _stored(doc) -> StoredDocument:
    links = tuple(
        StoredLink(i + 1, ref.url, ref.written, ref.role, ref.anchor_text, ref.context, ref.position)
        for i, ref in enumerate(doc.links)
    )
    return StoredDocument(
        1, doc.source, doc.format, doc.title, doc.published, doc.original_url, doc.text, doc.fingerprint, links=links
    )


def test_a_related_label_whose_printed_address_names_another_story_is_a_title_mismatch() -> None:
    text = (
        "Talks in Geneva\n\n"
        f"{PROSE}\n\n"
        "Related article: Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks\n\n"
        "https://www.example-news.com/2022/01/10/city-council-approves-new-budget-for-libraries\n"
    )
    doc = harvest_text("print.txt", text)
    [related] = [link for link in doc.links if link.role is LinkRole.RELATED]
    assert related.anchor_text.startswith("Little Hope") and "city-council" in (related.url or "")
    assert _lost(doc) == []
    found = run_rules(build_context([_stored(doc)], {}, {}, ReconcileConfig()))
    assert [f.kind for f in found if f.kind in (FindingKind.TITLE_MISMATCH, FindingKind.LOST_LINK)] == [
        FindingKind.TITLE_MISMATCH
    ]


def test_a_related_label_with_no_address_after_it_stays_a_lost_link() -> None:
    text = f"Talks\n\n{PROSE}\n\nRelated article: Little Hope of Breakthrough in Ukraine Talks\n\n{PROSE}\n"
    doc = harvest_text("page.txt", text)
    assert _lost(doc) == ["Little Hope of Breakthrough in Ukraine Talks"]
