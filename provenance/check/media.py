"""Video hosts answer 200 for a removed video's page, so their oEmbed endpoints decide instead.

YouTube (`/oembed?url=...&format=json`): 200 available, 404 removed (also 400: no such id),
403 private, 401 embedding disabled, which is *not* unavailable (the video plays on YouTube).
Vimeo (`/api/oembed.json?url=...`): 200 available, 403 private (or embedding restricted), 404
is ambiguous (removed, or unlisted/private with a hash link): `unknown`, with that noted.
Requests go through the one HTTP client, so remap and the guard apply as to any other request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from ..net.base import Client

AVAILABLE, REMOVED, PRIVATE, EMBEDDING_DISABLED, UNKNOWN = (
    "available",
    "removed",
    "private",
    "embedding_disabled",
    "unknown",
)

YOUTUBE_OEMBED = "https://www.youtube.com/oembed?url={url}&format=json"
VIMEO_OEMBED = "https://vimeo.com/api/oembed.json?url={url}"
_YT_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_YT_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_VIMEO_ID = re.compile(r"^/(?:video/|channels/[^/]+/|groups/[^/]+/videos/)?(\d{4,12})(?:/([0-9a-f]{6,20}))?/?$")


@dataclass(frozen=True)
class MediaItem:
    """A recognised video: its host, its canonical page URL and the oEmbed URL to ask."""

    host: str
    canonical_url: str
    oembed_url: str


@dataclass(frozen=True)
class MediaAnswer:
    """What the oEmbed endpoint said; `note` explains an ambiguous answer."""

    state: str
    title: str | None = None
    http_status: int | None = None
    note: str | None = None


def media_item(url: str) -> MediaItem | None:
    """Recognise a YouTube or Vimeo video URL (watch, short, embed, shorts, player forms)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    video_id: str | None = None
    if host in _YT_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if parts.path == "/watch":
            video_id = next(iter(parse_qs(parts.query).get("v") or []), None)
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "v", "live"):
            video_id = segments[1]
    elif host == "youtu.be":
        video_id = parts.path.strip("/").split("/")[0] or None
    if video_id is not None:
        if not _YT_ID.match(video_id):
            return None
        canonical = f"https://www.youtube.com/watch?v={video_id}"
        return MediaItem("youtube", canonical, YOUTUBE_OEMBED.format(url=quote(canonical, safe="")))
    if host in _VIMEO_HOSTS:
        match = _VIMEO_ID.match(parts.path)
        if match:
            canonical = f"https://vimeo.com/{match.group(1)}" + (f"/{match.group(2)}" if match.group(2) else "")
            return MediaItem("vimeo", canonical, VIMEO_OEMBED.format(url=quote(canonical, safe="")))
    return None


def interpret(item: MediaItem, status: int | None, body: bytes) -> MediaAnswer:
    """Map one oEmbed answer to a media state (see the module docstring)."""
    if status is None:
        return MediaAnswer(UNKNOWN, note="oEmbed endpoint did not answer")
    if 200 <= status < 300:
        return MediaAnswer(AVAILABLE, _title(body), status)
    if item.host == "youtube":
        state = {404: REMOVED, 400: REMOVED, 403: PRIVATE, 401: EMBEDDING_DISABLED}.get(status, UNKNOWN)
        return MediaAnswer(state, http_status=status)
    if status == 403:
        return MediaAnswer(PRIVATE, http_status=status, note="vimeo 403: private or embedding restricted")
    if status == 404:
        return MediaAnswer(
            UNKNOWN, http_status=status, note="vimeo oEmbed 404: removed, or unlisted/private (ambiguous)"
        )
    return MediaAnswer(UNKNOWN, http_status=status)


def check_media(client: Client, url: str) -> MediaAnswer | None:
    """Ask the host's oEmbed endpoint about URL through CLIENT; None when URL is not a known video."""
    item = media_item(url)
    if item is None:
        return None
    response = client.request("GET", item.oembed_url, max_bytes=65_536, headers={"Accept": "application/json"})
    return interpret(item, response.status, response.body or b"")


def _title(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else None
