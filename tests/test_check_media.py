"""Media hosts: recognising video URLs and reading their oEmbed answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from provenance.check.media import check_media, interpret, media_item


@pytest.mark.parametrize(
    "url, host, canonical",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=abc_DEF-123", "youtube", "https://www.youtube.com/watch?v=abc_DEF-123"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "vimeo", "https://vimeo.com/76979871"),
        ("https://player.vimeo.com/video/76979871", "vimeo", "https://vimeo.com/76979871"),
        ("https://vimeo.com/76979871/abcdef1234", "vimeo", "https://vimeo.com/76979871/abcdef1234"),
    ],
)
def test_video_urls_are_recognised(url: str, host: str, canonical: str) -> None:
    item = media_item(url)
    assert item is not None and (item.host, item.canonical_url) == (host, canonical)
    query = parse_qs(urlsplit(item.oembed_url).query)
    assert query["url"] == [canonical]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/",
        "https://www.youtube.com/channel/UCx",
        "https://vimeo.com/about",
        "https://example.org/watch?v=abc",
        "https://youtu.be/",
    ],
)
def test_other_urls_are_not_videos(url: str) -> None:
    assert media_item(url) is None


@pytest.mark.parametrize(
    "url, status, state",
    [
        ("https://youtu.be/dQw4w9WgXcQ", 200, "available"),
        ("https://youtu.be/dQw4w9WgXcQ", 404, "removed"),
        ("https://youtu.be/dQw4w9WgXcQ", 403, "private"),
        ("https://youtu.be/dQw4w9WgXcQ", 401, "embedding_disabled"),
        ("https://youtu.be/dQw4w9WgXcQ", 500, "unknown"),
        ("https://youtu.be/dQw4w9WgXcQ", None, "unknown"),
        ("https://vimeo.com/76979871", 200, "available"),
        ("https://vimeo.com/76979871", 403, "private"),
        ("https://vimeo.com/76979871", 404, "unknown"),
    ],
)
def test_oembed_answers(url: str, status: int | None, state: str) -> None:
    item = media_item(url)
    assert item is not None
    assert interpret(item, status, b'{"title": "A video"}').state == state


def test_vimeo_404_is_noted_as_ambiguous() -> None:
    item = media_item("https://vimeo.com/76979871")
    assert item is not None and "ambiguous" in (interpret(item, 404, b"").note or "")


@dataclass
class _Answer:
    status: int | None
    body: bytes = b""


@dataclass
class _Client:
    answer: _Answer
    asked: list[str] = field(default_factory=list)

    def request(self, method: str, url: str, **_: object) -> _Answer:
        self.asked.append(url)
        return self.answer


def test_check_media_asks_the_oembed_endpoint_and_reads_the_title() -> None:
    client = _Client(_Answer(200, b'{"title": "Never Gonna Give You Up", "type": "video"}'))
    answer = check_media(client, "https://youtu.be/dQw4w9WgXcQ")
    assert answer is not None and answer.state == "available" and answer.title == "Never Gonna Give You Up"
    assert client.asked[0].startswith("https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com")
    assert check_media(client, "https://example.org/") is None and len(client.asked) == 1
