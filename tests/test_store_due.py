"""due_urls: which links a check cycle takes, in which order, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from provenance.config import ScheduleConfig
from provenance.records import CheckResult, DocumentFormat, HarvestedDocument, LinkRef, LinkRole, LinkStatus
from provenance.store import repo
from provenance.store.db import session_scope
from provenance.store.urls import due_urls

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SCHEDULE = ScheduleConfig(alive_every=timedelta(days=7), failing_every=timedelta(days=3))


def _harvest(engine, *urls: str | None, source: str = "doc") -> None:
    links = tuple(LinkRef(url, url, LinkRole.CITED, position=i) for i, url in enumerate(urls))
    doc = HarvestedDocument(source, DocumentFormat.TEXT, None, None, None, "t", "f", links)
    with session_scope(engine) as s:
        repo.save_harvest(s, doc, NOW)


def _check(engine, url: str, status: LinkStatus, days_ago: float) -> None:
    with session_scope(engine) as s:
        repo.record_check(s, CheckResult(url, status, NOW - timedelta(days=days_ago)))


def _due(engine, limit: int | None = None, now: datetime = NOW) -> list[str]:
    """The due snapshot at NOW: its first page of LIMIT, or all of it read a page of 2 at a time."""
    with session_scope(engine, readonly=True) as s:
        repo.snapshot_due_urls(s, now, SCHEDULE)
        if limit is not None:
            return [url for _, url in repo.due_snapshot_page(s, 0, limit)]
        urls: list[str] = []
        after = 0
        while page := repo.due_snapshot_page(s, after, 2):
            urls += [url for _, url in page]
            after = page[-1][0]
        assert repo.count_due_snapshot(s) == len(urls)
        return urls


@pytest.mark.parametrize(
    ("status", "days_ago", "due"),
    [
        (LinkStatus.ALIVE, 6.9, False),
        (LinkStatus.ALIVE, 7, True),  # exactly the interval: due
        (LinkStatus.ALIVE, 30, True),
        (LinkStatus.REDIRECTED, 5, False),
        (LinkStatus.REDIRECTED, 8, True),
        (LinkStatus.DEAD, 2.9, False),
        (LinkStatus.DEAD, 3, True),
        (LinkStatus.UNREACHABLE, 4, True),
        (LinkStatus.SOFT_404, 4, True),
        (LinkStatus.BLOCKED, 1, False),
        (LinkStatus.BLOCKED, 5, True),
    ],
)
def test_interval_depends_on_last_status(engine, status: LinkStatus, days_ago: float, due: bool) -> None:
    _harvest(engine, "https://e.org/x")
    _check(engine, "https://e.org/x", status, days_ago)
    assert _due(engine) == (["https://e.org/x"] if due else [])


def test_only_the_latest_check_counts(engine) -> None:
    """Dead long ago, alive yesterday: not due (the old failing row must not make it due)."""
    _harvest(engine, "https://e.org/x")
    _check(engine, "https://e.org/x", LinkStatus.DEAD, 20)
    _check(engine, "https://e.org/x", LinkStatus.ALIVE, 1)
    assert _due(engine) == []
    assert _due(engine, now=NOW + timedelta(days=6)) == ["https://e.org/x"]


def test_never_checked_first_then_oldest_check_first(engine) -> None:
    _harvest(
        engine,
        "https://e.org/alive-old",
        "https://e.org/new-1",
        "https://e.org/dead-older",
        "https://e.org/fresh",
        "https://e.org/new-2",
        None,
        "https://e.org/new-1",
    )
    _check(engine, "https://e.org/alive-old", LinkStatus.ALIVE, 10)
    _check(engine, "https://e.org/dead-older", LinkStatus.DEAD, 12)
    _check(engine, "https://e.org/fresh", LinkStatus.ALIVE, 1)
    assert _due(engine) == [
        "https://e.org/new-1",
        "https://e.org/new-2",
        "https://e.org/dead-older",
        "https://e.org/alive-old",
    ]
    assert _due(engine, limit=3) == ["https://e.org/new-1", "https://e.org/new-2", "https://e.org/dead-older"]


def test_checks_of_urls_no_longer_linked_are_ignored(engine) -> None:
    _harvest(engine, "https://e.org/kept")
    _check(engine, "https://e.org/gone", LinkStatus.DEAD, 30)
    assert _due(engine) == ["https://e.org/kept"]


def test_url_shared_by_documents_is_due_once(engine) -> None:
    _harvest(engine, "https://e.org/x", source="a")
    _harvest(engine, "https://e.org/x", source="b")
    assert _due(engine) == ["https://e.org/x"]


def test_empty_store_has_nothing_due(engine) -> None:
    assert _due(engine) == []


@pytest.mark.parametrize("page", [2, 1000])
def test_a_check_runs_due_urls_are_fixed_for_the_run_whatever_the_page_size(engine, page: int) -> None:
    """The run's own checks make its URLs not due; `provenance check` still archives the same URLs."""
    _harvest(engine, *(f"https://e.org/{i}" for i in range(7)))
    _check(engine, "https://e.org/3", LinkStatus.ALIVE, 1)  # checked yesterday: not due
    with due_urls(engine, ScheduleConfig(), NOW, page=page) as urls:
        first = list(urls)
        for url in first:
            _check(engine, url, LinkStatus.ALIVE, 0)
        assert first == [f"https://e.org/{i}" for i in (0, 1, 2, 4, 5, 6)] == list(urls)
        assert len(urls) == 6
        with session_scope(urls.connection, readonly=True) as session:  # a page is at most its size
            assert [url for _, url in repo.due_snapshot_page(session, 0, 2)] == first[:2]
    with due_urls(engine, ScheduleConfig(), NOW, page=page) as urls:
        assert list(urls) == [] and len(urls) == 0
