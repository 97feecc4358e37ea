"""A batch of archive jobs keeps a window of Futures, not one per item: items are read as room frees."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from provenance.archive.lookup import lookup_snapshots
from provenance.archive.window import completed
from provenance.records import SnapshotLookup


def _counted(n: int, taken: list[int]):
    for i in range(n):
        taken.append(i)
        yield i


def test_completed_reads_items_only_as_the_window_frees_and_gives_every_result() -> None:
    taken: list[int] = []
    seen: list[tuple[int, int]] = []
    with ThreadPoolExecutor(max_workers=3) as pool:
        for received, (item, future) in enumerate(completed(pool, lambda i: i * i, _counted(200, taken), 8), 1):
            assert len(taken) - received < 8  # never more than the window read ahead of what was handed out
            seen.append((item, future.result()))
    assert sorted(seen) == [(i, i * i) for i in range(200)]


def test_completed_stopped_early_cancels_what_has_not_started_and_reads_no_further() -> None:
    taken: list[int] = []
    release = threading.Event()
    started: list[int] = []

    def work(i: int) -> int:
        started.append(i)
        if i:
            release.wait(5)  # every job but the first is still running or queued when the consumer stops
        return i

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = completed(pool, work, _counted(100, taken), 4)
        item, _ = next(results)
        results.close()
        release.set()
    assert item == 0
    assert taken == [0, 1, 2, 3]  # one window read, none after the consumer stopped
    assert started in ([0], [0, 1])  # the queued jobs were cancelled, not run


class _Archive:
    name = "fake"

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        return SnapshotLookup(url=url, archive=self.name, looked_up_at=datetime.now(UTC), query=url)


def test_lookups_take_their_items_as_they_go() -> None:
    """The archive stage's items come from the store a piece at a time: they must be read lazily."""
    taken: list[int] = []
    items = ((f"https://e.org/{i}", None) for i in _counted(500, taken))
    answers = lookup_snapshots([_Archive()], items, max_workers=2, per_archive=2)
    first = next(answers)
    assert first.error is None
    assert len(taken) <= 16  # a window of 4 per worker, not all 500 submitted at once
    assert len(list(answers)) == 499
