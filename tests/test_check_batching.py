"""Check results are committed in small batches: by count, by age, and whatever is left at the end."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from provenance.check.batching import in_batches
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
    assert list(in_batches(range(7), size=3, seconds=60)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_nothing_in_nothing_out() -> None:
    assert list(in_batches([], size=3, seconds=60)) == []


def test_a_batch_closes_once_its_first_item_is_old_enough() -> None:
    clock = Clock()

    def items():
        for i in range(5):
            yield i
            clock.t += 0.2 if i == 1 else 0.01  # item 2 arrives 0.21 s after item 0

    assert list(in_batches(items(), size=50, seconds=0.2, clock=clock)) == [[0, 1, 2], [3, 4]]


def test_batches_are_yielded_as_soon_as_they_close() -> None:
    seen: list[int] = []

    def items():
        for i in range(4):
            seen.append(i)
            yield i

    batches = in_batches(items(), size=2, seconds=60)
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
    for batch in in_batches(results, size=50):
        with session_scope(engine) as session:
            repo.record_checks(session, batch)
    with session_scope(engine, readonly=True) as session:
        assert session.execute(select(func.count()).select_from(checks)).scalar_one() == 120
        latest = repo.latest_checks(session)
    assert latest["https://a.example/7"].status is LinkStatus.DEAD
    assert latest["https://a.example/8"].http_status == 200
