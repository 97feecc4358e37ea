"""harvest_text on the founding seeds and on realistic plain/PDF text snippets."""

from datetime import date
from pathlib import Path

import pytest

from provenance.harvest.text import harvest_text, is_video_url
from provenance.page.urldates import url_path_date
from provenance.records import DocumentFormat, LinkRole
from provenance.textnorm import fingerprint

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ORIGINAL = "https://www.themoscowtimes.com/2022/01/21/russia-us-agree-to-talk-security-demands-next-week-a76117"
RELATED = (
    "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks"
)
LABEL = "Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks"
VIDEO = "https://www.youtube.com/watch?v=tQ2PG1myG5c"


def _seed(prefix):
    path = next(SEEDS.glob(prefix + "_*.txt"))
    return harvest_text(path.name, path.read_text(encoding="utf-8"))


def test_web_page_print_seed():
    doc = _seed("000")
    assert doc.format is DocumentFormat.TEXT
    assert doc.title == "Russia, U.S. Agree to Talk Security Demands Next Week"
    assert doc.published is not None
    assert (doc.published.value, doc.published.source, doc.published.raw) == (
        date(2022, 1, 21),
        "date_line",
        "January 21, 2022",
    )
    assert doc.original_url == ORIGINAL
    roles = [(link.role, link.url, link.anchor_text) for link in doc.links]
    assert roles == [
        (LinkRole.LOST, None, "said"),
        (LinkRole.LOST, None, LABEL),
        (LinkRole.LOST, None, "warned"),
        (LinkRole.ORIGINAL, ORIGINAL, None),
    ]
    assert [link.position for link in doc.links] == [0, 1, 2, 3]
    assert "Original url" not in doc.text and "<u>" not in doc.text and "top diplomat said following" in doc.text
    assert doc.fingerprint == fingerprint(doc.text)
    said = doc.links[0]
    assert said.written is None and said.context.startswith("Moscow has secured a deal") and "<u>" not in said.context


def test_pdf_copy_seed():
    doc = _seed("001")
    assert doc.title is None and doc.published is None and doc.original_url is None
    assert [(link.role, link.url, link.anchor_text) for link in doc.links] == [
        (LinkRole.EMBEDDED, VIDEO, None),
        (LinkRole.RELATED, RELATED, LABEL),
    ]
    assert url_path_date(RELATED).value == date(2024, 5, 6)
    assert url_path_date(ORIGINAL).value == date(2022, 1, 21)


def test_seed_copies_share_most_words():
    web, pdf = _seed("000"), _seed("001")
    assert (
        "Lavrov deferred to his U.S. counterpart" in web.text and "Lavrov deferred to his U.S. counterpart" in pdf.text
    )


def test_original_url_on_the_same_line_and_wrapped():
    doc = harvest_text(
        "x", "Title Of Story\n\nBody text here.\n\nOriginal URL: https://example.org/news/\nstory-one.html\n"
    )
    assert doc.original_url == "https://example.org/news/story-one.html"
    assert (
        doc.links[-1].role is LinkRole.ORIGINAL and doc.links[-1].written == "https://example.org/news/story-one.html"
    )
    assert "Original URL" not in doc.text


def test_read_more_label_with_its_url_on_the_same_line():
    doc = harvest_text("x", "Some text.\n\nRead more: Storm hits coast https://news.example.com/storm-hits-coast\n")
    assert [(link.role, link.url, link.anchor_text) for link in doc.links] == [
        (LinkRole.RELATED, "https://news.example.com/storm-hits-coast", "Storm hits coast")
    ]


def test_related_label_prefers_the_url_whose_slug_matches():
    text = (
        "Related article: Storm Hits Coast Again\n\nMore words here.\n\n"
        "https://news.example.com/weather/other-thing\nhttps://news.example.com/storm-hits-coast-again\n"
    )
    links = harvest_text("x", text).links
    assert [(link.role, link.url) for link in links] == [
        (LinkRole.CITED, "https://news.example.com/weather/other-thing"),
        (LinkRole.RELATED, "https://news.example.com/storm-hits-coast-again"),
    ]


def test_related_label_out_of_reach_is_lost():
    far = "\n\n".join(f"Paragraph {i} of filler." for i in range(8))
    text = f"Related article: Storm Hits Coast Again\n\n{far}\n\nhttps://news.example.com/storm-hits-coast-again\n"
    links = harvest_text("x", text).links
    assert (links[0].role, links[0].url, links[0].anchor_text) == (LinkRole.LOST, None, "Storm Hits Coast Again")
    assert links[1].role is LinkRole.CITED


def test_video_inside_a_sentence_is_cited_not_embedded():
    links = harvest_text("x", "Watch https://youtu.be/abcdefghijk for the talk.\n\nhttps://vimeo.com/123456\n").links
    assert [link.role for link in links] == [LinkRole.CITED, LinkRole.EMBEDDED]
    assert links[0].context == "Watch https://youtu.be/abcdefghijk for the talk."


@pytest.mark.parametrize(
    "url, video",
    [
        ("https://www.youtube.com/watch?v=tQ2PG1myG5c", True),
        ("https://youtu.be/tQ2PG1myG5c", True),
        ("https://www.youtube.com/shorts/abc", True),
        ("https://vimeo.com/76979871", True),
        ("https://www.youtube.com/channel/UC123", False),
        ("https://example.org/watch?v=1", False),
    ],
)
def test_video_hosts(url, video):
    assert is_video_url(url) is video


@pytest.mark.parametrize(
    "line, value",
    [
        ("January 21, 2022", date(2022, 1, 21)),
        ("21 January 2022", date(2022, 1, 21)),
        ("Jan. 5, 2021", date(2021, 1, 5)),
        ("Friday, March 3, 2023", date(2023, 3, 3)),
        ("2020-02-29", date(2020, 2, 29)),
        ("May 6, 2024, 10:30 am", date(2024, 5, 6)),
    ],
)
def test_date_lines(line, value):
    doc = harvest_text("x", f"A Headline Here\n\n{line}\n\nBody.\n")
    assert doc.published is not None and doc.published.value == value and doc.published.source == "date_line"


@pytest.mark.parametrize(
    "text",
    [
        "A Headline Here\n\nIt rained on January 21, 2022 in Geneva.\n",  # a date inside a sentence
        "A Headline Here\n\nFebruary 30, 2022\n",  # no such day
    ],
)
def test_no_date_line(text):
    assert harvest_text("x", text).published is None


@pytest.mark.parametrize(
    "text",
    [
        " Moscow has secured a deal that the\nUnited States will provide\n\nmore",  # a wrapped sentence
        "This is a sentence ending with a stop.\n\nmore",
        "https://example.org/page\n\nmore",
    ],
)
def test_no_title_from_body_text(text):
    assert harvest_text("x", text).title is None


def test_truncated_fragments_are_not_links():
    """PDF columns cut URLs to "https://www." or a bare resolver; those are not addresses (a choice)."""
    doc = harvest_text("x", "Available at https://www.\n\nand https://doi.org/\nPublisher's Note: none.\n")
    assert doc.links == ()


def test_unparseable_original_url_keeps_its_written_form():
    doc = harvest_text("x", "Body text.\n\nOriginal url:\n\nhtp:/www.example.org/story\n")
    assert doc.original_url is None
    assert [(link.role, link.url, link.written) for link in doc.links] == [
        (LinkRole.ORIGINAL, None, "htp:/www.example.org/story")
    ]
    assert doc.text == "Body text."


def test_windows_line_ends():
    doc = harvest_text(
        "x",
        "A Headline Here\r\n\r\nJanuary 21, 2022\r\n\r\nBody <u>said</u>.\r\n\r\nOriginal url:\r\nhttps://a.org/x\r\n",
    )
    assert doc.title == "A Headline Here" and doc.published.value == date(2022, 1, 21)
    assert [(link.role, link.url) for link in doc.links] == [
        (LinkRole.LOST, None),
        (LinkRole.ORIGINAL, "https://a.org/x"),
    ]


NEWSROOM = """Storm Hits Coast Again as Towns Brace for More Rain
By Jane Doe and John Smith, Reuters
{dateline}

GENEVA -- Heavy rain fell on Tuesday, officials said, and more is expected.
"""


@pytest.mark.parametrize(
    ("dateline", "value"),
    [
        ("March 3, 2023", date(2023, 3, 3)),
        ("Published March 3, 2023 10:00 AM EST", date(2023, 3, 3)),
        ("Updated March 5, 2023 | Published March 3, 2023", date(2023, 3, 3)),
        ("3 March 2023 · 4 min read", date(2023, 3, 3)),
    ],
)
def test_dateline_in_a_byline_block(dateline, value):
    doc = harvest_text("story.txt", NEWSROOM.format(dateline=dateline))
    assert doc.published is not None and (doc.published.value, doc.published.source) == (value, "date_line")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "# Four years of Go\n10 Nov 2013\nTags: community, birthday\nSummary: Happy birthday!\n\nAndrew Gerrand\n",
            date(2013, 11, 10),
        ),
        ("Ein Titel\n\nVeröffentlicht am 5. März 2024 von Hans Müller\n\nText.\n", date(2024, 3, 5)),
        ("Un titre\n\nLe 3 mai 2023 par Marie Dupont\n\nTexte.\n", date(2023, 5, 3)),
        ("Заголовок статьи\n\n15 февраля 2024 г. · Иван Петров\n\nТекст.\n", date(2024, 2, 15)),
        ("タイトル\n\n2022 年 3 月 29 日\n\n本文。\n", date(2022, 3, 29)),
        ("제목\n\n2021년 6월 8일\n\n본문.\n", date(2021, 6, 8)),
    ],
)
def test_datelines_in_several_languages(text, value):
    doc = harvest_text("post.txt", text)
    assert doc.published is not None and doc.published.value == value
    assert doc.published.source == "date_line"


@pytest.mark.parametrize(
    "text",
    [
        NEWSROOM.format(dateline="Updated: March 5, 2023"),  # an update date is not the publication date
        # a browser's print stamp is when the copy was made, not when the story was
        "5/14/24, 9:41 AM Storm Hits Coast - News Site\n\nStorm Hits Coast\n\nBody text.\n",
        "14/05/2024, 09:41 Storm Hits Coast - News Site\n\nStorm Hits Coast\n\nBody text.\n",
        # a dated address among the first lines, and a date in passing
        "Storm Hits Coast\n\nhttps://news.example.com/2024/05/06/storm-hits-coast\n\nBody text.\n",
        "Storm Hits Coast\n\nThe storm of March 3, 2023 was the worst in years.\n",
        "Storm Hits Coast\n\n05/06/2024\n\nBody text.\n",  # day and month could be either
    ],
)
def test_no_publication_date(text):
    assert harvest_text("story.txt", text).published is None


def test_file_name_date_only_when_the_text_says_nothing():
    plain = harvest_text("notes/2024-04-25-storm-notes.txt", "Notes\n\nThe storm came.\n")
    assert plain.published is not None and (plain.published.value, plain.published.source) == (
        date(2024, 4, 25),
        "file_name",
    )
    dated = harvest_text("notes/2024-04-25-storm-notes.txt", "Notes\n\nMarch 3, 2023\n\nThe storm came.\n")
    assert dated.published.source == "date_line" and dated.published.value == date(2023, 3, 3)
    assert harvest_text("https://example.org/2024-04-25-notes.txt", "Notes\n").published is None
