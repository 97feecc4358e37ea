"""A fixture folder, the loopback sites it cites, and a database built by a real audit of it.

The folder holds an HTML article (2022-01-21), a copy of it missing one link, and undated Markdown
notes; every site they cite, and the Wayback CDX API, is one loopback server they are remapped to
(allowed by allow_private).  build_audited_db audits on day 1 (pipeline.audit, real HTTP); a second
check on day 3 turns one link dead, so history has a change.  conftest.py's session-scoped
`audited_db` fixture builds it once for every report test, which only ever read it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from loopback import Request, serve

from provenance import pipeline
from provenance.config import config_from_mapping
from provenance.net.client import HttpClient
from provenance.store.migrate import open_store

DAY1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY3 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

NEWS, BLOG, SHOP = "http://news.example.co.uk", "http://blog.example.org", "http://shop.example.net"
OK_STORY = f"{NEWS}/2021/05/ok-story"  # alive, archived
GONE = f"{NEWS}/gone"  # 404
FLAKY = f"{NEWS}/flaky"  # alive on day 1, 410 on day 3
DEEP = f"{BLOG}/deep/post"  # redirected to the blog's home page: soft-404
FUTURE = f"{BLOG}/2024/03/01/future-story"  # dated after the article: anachronism; not archived
MOVED = f"{SHOP}/moved"  # permanent redirect to another site

FILLER = (
    " The bridge carried about twelve thousand vehicles a day before it closed, and the detour "
    "through the old town added twenty minutes to most journeys, according to the council. "
) * 4


def _article(links: list[tuple[str, str]], published: str | None) -> str:
    anchors = " ".join(f'As <a href="{url}">{text}</a> reported, work went on.' for url, text in links)
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f"<!DOCTYPE html><html><head><title>Bridge reopens after repairs</title>{meta}</head><body>"
        f"<article><h1>Bridge reopens after repairs</h1><p>{FILLER}</p><p>{anchors}</p>"
        f"<p>{FILLER}</p></article></body></html>"
    )


ARTICLE_LINKS = [
    (OK_STORY, "Earlier story"),
    (GONE, "Council minutes"),
    (FLAKY, "Traffic update"),
    (DEEP, "Engineer's blog"),
    (FUTURE, "Later analysis"),
    (MOVED, "Supplier page"),
]


def write_fixture_folder(folder: Path) -> Path:
    """An HTML article (2022-01-21), a copy of it missing one link, and undated Markdown notes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.html").write_text(_article(ARTICLE_LINKS, "2022-01-21"), encoding="utf-8")
    (folder / "copy.html").write_text(_article(ARTICLE_LINKS[:-1], "2022-01-21"), encoding="utf-8")
    (folder / "notes.md").write_text(
        "# Reading notes\n\nPublished 2023-06-01.\n\n"
        f"The [minutes]({GONE}) vanished; the [earlier story]({OK_STORY}) is still up.\n",
        encoding="utf-8",
    )
    return folder


def _page(title: str, body: str = "") -> tuple[int, dict[str, str], bytes]:
    html = (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>{body or title} {FILLER}</p></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


class FixtureSite:
    """Every site the fixture links to, plus a Wayback CDX endpoint knowing OK_STORY only."""

    def __init__(self) -> None:
        self.day = 1

    def __call__(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        path = req.path
        if path == "/wa/cdx/search/cdx":
            url = parse_qs(req.query).get("url", [""])[0]
            rows: list[list[str]] = []
            if url == OK_STORY:
                rows = [
                    ["timestamp", "original", "mimetype", "statuscode"],
                    ["20220110120000", OK_STORY, "text/html", "200"],
                ]
            return 200, {"Content-Type": "application/json"}, json.dumps(rows).encode()
        if path.startswith("/wa/web/"):
            return _page("Old story", "The earlier story about the bridge closure.")
        if path == "/news/2021/05/ok-story":
            return _page("Old story", "The earlier story about the bridge closure.")
        if path == "/news/flaky" and self.day == 1:
            return _page("Traffic update", "Traffic is flowing again over the bridge.")
        if path == "/news/flaky":
            return 410, {"Content-Type": "text/html"}, b"<html><body>Gone</body></html>"
        if path == "/blog/deep/post":
            return 301, {"Location": f"{BLOG}/"}, b""
        if path == "/blog/":
            return _page("Engineering blog", "Welcome to the engineering blog home page.")
        if path == "/blog/2024/03/01/future-story":
            return _page("Later analysis", "An analysis of the bridge repairs, two years on.")
        if path == "/shop/moved":
            return 301, {"Location": "http://supplier.example.com/catalogue/bridges"}, b""
        if path == "/other/catalogue/bridges":
            return _page("Bridge catalogue", "Steel bridge parts and services catalogue.")
        return 404, {"Content-Type": "text/html"}, b"<html><head><title>Not found</title></head><body>404</body></html>"


def fixture_config(base: str, netloc: str) -> dict[str, Any]:
    """The config a user would write: remap every fixture site to the loopback server, and allow it."""
    return {
        "http": {
            "timeout": 5,
            "retries": 0,
            "allow_private": [netloc],
            "remap": [
                [r"^http://news\.example\.co\.uk/", f"{base}/news/"],
                [r"^http://blog\.example\.org/", f"{base}/blog/"],
                [r"^http://shop\.example\.net/", f"{base}/shop/"],
                [r"^http://supplier\.example\.com/", f"{base}/other/"],
                [r"^https?://web\.archive\.org/", f"{base}/wa/"],
            ],
        },
        "archive": {"enabled": True, "wayback": True, "timegates": []},
    }


@dataclass(frozen=True)
class AuditedDb:
    path: Path
    url: str
    folder: Path
    config: dict[str, Any]


def build_audited_db(root: Path) -> Iterator[AuditedDb]:
    folder = write_fixture_folder(root / "docs")
    site = FixtureSite()
    with serve(site) as server:
        data = fixture_config(server.base, server.netloc)
        config = config_from_mapping(data)
        db_path = root / "audit.sqlite"
        engine = open_store(f"sqlite:///{db_path}")
        with HttpClient(config.http) as client:
            pipeline.audit(engine, config, [str(folder)], client, now=lambda: DAY1)
            site.day = 3
            pipeline.check(engine, config, client, pipeline.checkable_urls(engine), now=lambda: DAY3)
        pipeline.reconcile(engine, config, now=lambda: DAY3)
        engine.dispose()
        yield AuditedDb(db_path, f"sqlite:///{db_path}", folder, data)


def rows(db: AuditedDb, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Query a view with the plain sqlite3 module, as any SQLite client would."""
    with sqlite3.connect(db.path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]
