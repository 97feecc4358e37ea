"""The one chunking helper: lists by count, by age, and whatever is left at the end, read as asked for."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from provenance.chunks import batched, batched_live, marking_last
from provenance.records import CheckResult, LinkStatus
from provenance.store import repo
from provenance.store.db import make_engine, session_scope
from provenance.store.migrate import upgrade
from provenance.store.schema import checks


def test_batches_close_at_size_and_keep_the_remainder() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]] == list(batched_live(range(7), 3, 60))


def test_nothing_in_nothing_out() -> None:
    assert list(batched_live([], 3, 60)) == [] == list(batched([], 3))


def test_without_an_age_lists_close_by_count_only_and_are_read_lazily() -> None:
    seen: list[int] = []

    def items():
        for i in range(5):
            seen.append(i)
            yield i

    lists = batched(items(), 2)
    assert next(lists) == [0, 1] and seen == [0, 1]
    assert list(lists) == [[2, 3], [4]]


def test_marking_last_flags_the_last_piece_and_gives_one_empty_piece_for_none() -> None:
    assert list(marking_last([[1, 2], [3]])) == [(False, [1, 2]), (True, [3])]
    assert list(marking_last([])) == [(True, ())]


def test_a_live_batch_closes_on_time_while_the_next_item_is_still_awaited() -> None:
    release = threading.Event()
    closed: list[bool] = []

    def items():
        try:
            yield 0
            assert release.wait(10)  # the next check is still waiting out its timeout
            yield 1
            yield 2
        finally:
            closed.append(True)

    batches = batched_live(items(), 50, seconds=0.05)
    assert next(batches) == [0]  # handed over without item 1, which has not come
    release.set()
    assert list(batches) == [[1, 2]] and closed == [True]


def test_a_live_batch_hands_over_what_the_items_raised() -> None:
    def items():
        yield 0
        raise RuntimeError("the checker failed")

    with pytest.raises(RuntimeError, match="the checker failed"):
        list(batched_live(items(), 50, seconds=60))


def test_leaving_live_batches_early_closes_the_items() -> None:
    closed: list[bool] = []

    def items():
        try:
            yield from range(1000)
        finally:
            closed.append(True)

    batches = batched_live(items(), 2, seconds=60)
    assert next(batches) == [0, 1]
    batches.close()
    assert closed == [True]


def test_record_checks_appends_every_result_of_a_batch(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    upgrade(engine)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    results = [
        CheckResult(
            f"https://a.example/{i}",
            LinkStatus.DEAD if i % 2 else LinkStatus.ALIVE,
            when,
            http_status=404 if i % 2 else 200,
        )
        for i in range(120)
    ]
    for batch in batched(results, 50):
        with session_scope(engine) as session:
            repo.record_checks(session, batch)
    with session_scope(engine, readonly=True) as session:
        assert session.execute(select(func.count()).select_from(checks)).scalar_one() == 120
        latest = repo.latest_checks(session)
    assert latest["https://a.example/7"].status is LinkStatus.DEAD
    assert latest["https://a.example/8"].http_status == 200
