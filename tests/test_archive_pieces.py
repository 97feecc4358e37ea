"""The archive stage decides what to ask archives a piece of URLs at a time: the same look-ups, save
requests and drift measurements as deciding over every URL at once, without reading every URL's
evidence at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.config import config_from_mapping
from provenance.records import (
    CheckResult,
    DateEvidence,
    DocumentFormat,
    HarvestedDocument,
    LinkRef,
    LinkRole,
    LinkStatus,
    PageInfo,
    Snapshot,
    SnapshotLookup,
)
from provenance.store import repo
from provenance.store.db import session_scope
from provenance.store.migrate import open_store

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STATUSES = [LinkStatus.ALIVE, LinkStatus.DEAD, LinkStatus.ALIVE, LinkStatus.REDIRECTED]


def _url(i: int) -> str:
    return f"https://s{i % 5}.example/a/{i}"


@pytest.fixture
def stored(tmp_path: Path):
    """23 cited URLs: alive or not, archived or not (or the archive failed), asked long ago or lately."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with session_scope(engine) as session:
        repo.save_harvest(
            session,
            HarvestedDocument(
                source="a.txt",
                format=DocumentFormat.TEXT,
                title=None,
                original_url=None,
                text="t",
                fingerprint="f" * 64,
                published=DateEvidence(date(2021, 5, 1), "date_line", "May 1, 2021"),
                links=tuple(LinkRef(_url(i), _url(i), LinkRole.CITED, None, None, i) for i in range(23)),
            ),
            NOW,
        )
        repo.record_checks(
            session,
            [
                CheckResult(_url(i), STATUSES[i % 4], NOW, http_status=200, page=PageInfo(text_fingerprint=f"{i:064x}"))
                for i in range(23)
            ],
        )
        for i in range(23):
            if i % 3 == 2:
                continue  # never asked
            when = NOW - timedelta(days=400 if i % 7 == 0 else 1)
            nearest = (
                None
                if i % 5 == 3
                else Snapshot(
                    "wayback", f"https://web.archive.org/web/2020/{_url(i)}", datetime(2020, 1, 1, tzinfo=UTC)
                )
            )
            repo.record_snapshot_lookup(
                session,
                SnapshotLookup(_url(i), "wayback", when, "q", nearest=nearest, error="timeout" if i == 4 else None),
            )
    yield engine
    engine.dispose()


def test_archive_decisions_a_piece_at_a_time_match_all_at_once(stored, monkeypatch) -> None:
    config = config_from_mapping({"archive": {"save_missing": True}})
    urls = pipeline.checkable_urls(stored)

    def decisions() -> tuple[list, list, list]:
        return (
            list(pipeline._stale_lookups(stored, config, urls, NOW)),
            pipeline._save_wanted(stored, config, urls, NOW),
            list(pipeline._drift_wanted(stored, config, urls)),
        )

    whole = decisions()
    assert all(whole)  # every decision has cases

    asked: list[int] = []
    real = repo.latest_checks
    monkeypatch.setattr(
        repo, "latest_checks", lambda session, urls=None: asked.append(len(urls)) or real(session, urls)
    )
    monkeypatch.setattr(pipeline, "ARCHIVE_PIECE", 4)
    assert decisions() == whole
    assert asked and max(asked) <= 4


def test_linked_urls_are_read_a_page_at_a_time_the_same_on_every_pass(stored, monkeypatch) -> None:
    pages: list[int] = []
    real = repo.first_link_urls
    monkeypatch.setattr(repo, "first_link_urls", lambda *a, **k: pages.append(1) or real(*a, **k))
    monkeypatch.setattr(pipeline, "URL_PAGE", 5)
    every = pipeline.checkable_urls(stored)
    assert list(every) == [_url(i) for i in range(23)] == list(every)
    assert len(pages) == 2 * 6  # 5 pages of at most 5 URLs, and the empty one that ends each pass
    assert len(every) == 23
    with session_scope(stored) as session:
        other = repo.save_harvest(
            session,
            HarvestedDocument(
                source="b.txt",
                format=DocumentFormat.TEXT,
                title=None,
                original_url=None,
                text="u",
                fingerprint="e" * 64,
                published=None,
                links=(LinkRef("https://new.example/", "n", LinkRole.CITED), LinkRef(_url(3), "3", LinkRole.CITED)),
            ),
            NOW,
        )
    mine = pipeline.checkable_urls(stored, [other])
    assert list(mine) == ["https://new.example/", _url(3)] and len(mine) == 2
