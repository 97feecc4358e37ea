"""The archive stage decides what to ask archives a piece of URLs at a time: the same look-ups, save
requests and drift measurements as deciding over every URL at once, without reading every URL's
evidence at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from provenance.archive.plan import drift_wanted, save_wanted, stale_lookups
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
from provenance.store.urls import LinkedUrls

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STATUSES = [LinkStatus.ALIVE, LinkStatus.DEAD, LinkStatus.ALIVE, LinkStatus.REDIRECTED]


def _url(i: int) -> str:
    return f"https://s{i % 5}.example/a/{i}"


@pytest.fixture
def stored(engine):
    """23 cited URLs: alive or not, archived or not (or the archive failed), asked long ago or lately."""
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
    return engine


@pytest.mark.parametrize("piece", [1, 4])
def test_archive_decisions_a_piece_at_a_time_match_all_at_once(stored, piece: int) -> None:
    urls = LinkedUrls(stored)

    def decisions(size: int) -> tuple[list, list, list]:
        return (
            list(stale_lookups(stored, urls, NOW, timedelta(days=30), piece=size)),
            save_wanted(stored, urls, NOW, timedelta(days=30), piece=size),
            list(drift_wanted(stored, urls, 0.5, piece=size)),
        )

    whole = decisions(1000)
    assert all(whole)  # every decision has cases
    assert decisions(piece) == whole


def test_archive_decisions_read_the_urls_only_as_they_are_asked_for(stored) -> None:
    taken: list[str] = []

    def urls():
        for i in range(23):
            taken.append(_url(i))
            yield _url(i)

    asked = stale_lookups(stored, urls(), NOW, timedelta(days=30), piece=4)
    assert next(asked) and len(taken) == 4  # the first piece only


@pytest.mark.parametrize("page", [1, 5, 1000])
def test_linked_urls_are_the_same_in_any_page_size_and_on_every_pass(stored, page: int) -> None:
    every = LinkedUrls(stored, page=page)
    assert list(every) == [_url(i) for i in range(23)] == list(every)
    assert len(every) == 23
    with session_scope(stored, readonly=True) as session:
        first = repo.first_link_urls(session, 0, 5)
        assert [url for _, url in first] == [_url(i) for i in range(5)]
        assert [url for _, url in repo.first_link_urls(session, first[-1][0], 5)] == [_url(i) for i in range(5, 10)]


def test_linked_urls_of_some_documents(stored) -> None:
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
    mine = LinkedUrls(stored, [other])
    assert list(mine) == ["https://new.example/", _url(3)] and len(mine) == 2
