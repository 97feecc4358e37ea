"""Cutting a stream of items into lists, as they are asked for: the one chunking helper.

The store binds at most a few hundred values per `IN (...)`, the stages judge links a piece at a
time so memory stays flat as links grow, and check results are committed in batches that also
close after a short wait (a crash loses at most one batch; a slow run still commits as it goes).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar, cast

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """ITEMS as lists of at most SIZE, read only as each list is asked for; never an empty list."""
    source = iter(items)
    yield from iter(lambda: list(islice(source, max(1, size))), [])


class _Failed:
    """What the reader of `batched_live` met instead of an item."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()  # the reader of `batched_live` has read every item


def batched_live(items: Iterable[T], size: int, seconds: float) -> Iterator[list[T]]:
    """ITEMS as lists of at most SIZE, a list closing SECONDS after its first item even when no
    further item comes: ITEMS are read in a thread of their own, so a list of finished checks is
    not held while the next check waits out its timeout.  A crash then loses at most SIZE items
    or SECONDS of them.  Leaving early stops reading ITEMS after the item at hand (a generator is
    closed in the thread that read it)."""
    size = max(1, size)
    handed: queue.SimpleQueue[T | _Failed | object] = queue.SimpleQueue()
    leaving = threading.Event()

    def read() -> None:
        source = iter(items)
        try:
            for item in source:
                handed.put(item)
                if leaving.is_set():
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, who re-raises it
            handed.put(_Failed(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            handed.put(_END)

    reader = threading.Thread(target=read, name="batched-reader", daemon=True)
    reader.start()
    batch: list[T] = []
    closes_at = 0.0
    try:
        while True:
            try:
                value = handed.get(timeout=max(0.0, closes_at - time.monotonic()) if batch else None)
            except queue.Empty:
                yield batch
                batch = []
                continue
            if value is _END:
                break
            if isinstance(value, _Failed):
                raise value.exc
            if not batch:
                closes_at = time.monotonic() + seconds
            batch.append(cast(T, value))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        leaving.set()
        reader.join()


def marking_last(pieces: Iterable[Sequence[T]]) -> Iterator[tuple[bool, Sequence[T]]]:
    """(is_last, piece) for each of PIECES; no pieces at all still give one empty last piece."""
    previous: Sequence[T] | None = None
    for piece in pieces:
        if previous is not None:
            yield False, previous
        previous = piece
    yield True, previous if previous is not None else ()
