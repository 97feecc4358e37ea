"""Running a batch of small jobs in a thread pool without making a Future for every job up front.

`as_completed({pool.submit(job) for every item})` holds a Future (with its Condition and lock)
and the item's arguments for every job of the batch at once, so memory grows with the batch,
and the list of items with the links.  `completed` keeps at most
WINDOW jobs submitted, takes the next items as room frees, and yields each (item, future) as it
finishes, so the memory is the window's, whatever the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from itertools import islice
from typing import TypeVar

__all__ = ["completed", "window_for"]

Item = TypeVar("Item")
Result = TypeVar("Result")


def window_for(workers: int) -> int:
    """Jobs kept submitted for WORKERS threads: enough that a free worker never waits for the next."""
    return 4 * max(1, workers)


def completed(
    pool: Executor, work: Callable[[Item], Result], items: Iterable[Item], window: int
) -> Iterator[tuple[Item, Future[Result]]]:
    """(item, future) for WORK(item) over ITEMS, as each finishes, with at most WINDOW submitted at once.

    Items are read from ITEMS only as room frees (it may be a generator reading the store).  When
    the consumer stops early, jobs not yet started are cancelled.
    """
    source = iter(items)
    pending: dict[Future[Result], Item] = {}
    try:
        while True:
            for item in islice(source, max(0, window - len(pending))):
                pending[pool.submit(work, item)] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future
    finally:
        for future in pending:
            future.cancel()
