"""The one chunking helper: lists by count, by age, and whatever is left at the end, read as asked for."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from provenance.chunks import batched, marking_last
from provenance.records import CheckResult, LinkStatus
from provenance.store import repo
from provenance.store.db import make_engine, session_scope
from provenance.store.migrate import upgrade
from provenance.store.schema import checks


class Clock:
    """A clock the test moves by hand, so the age rule is asserted without sleeping."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_batches_close_at_size_and_keep_the_remainder() -> None:
    assert list(batched(range(7), 3, seconds=60)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_nothing_in_nothing_out() -> None:
    assert list(batched([], 3, seconds=60)) == [] == list(batched([], 3))


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


def test_a_batch_closes_once_its_first_item_is_old_enough() -> None:
    clock = Clock()

    def items():
        for i in range(5):
            yield i
            clock.t += 0.2 if i == 1 else 0.01  # item 2 arrives 0.21 s after item 0

    assert list(batched(items(), 50, seconds=0.2, clock=clock)) == [[0, 1, 2], [3, 4]]


def test_batches_are_yielded_as_soon_as_they_close() -> None:
    seen: list[int] = []

    def items():
        for i in range(4):
            seen.append(i)
            yield i

    batches = batched(items(), 2, seconds=60)
    assert next(batches) == [0, 1] and seen == [0, 1]  # the third item was not waited for


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
