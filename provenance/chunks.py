"""Cutting a stream of items into lists, as they are asked for: the one chunking helper.

The store binds at most a few hundred values per `IN (...)`, the stages judge links a piece at a
time so memory stays flat as links grow, and check results are committed in batches that also
close after a short wait (a crash loses at most one batch; a slow run still commits as it goes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(
    items: Iterable[T], size: int, *, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
) -> Iterator[list[T]]:
    """ITEMS as lists of at most SIZE, read only as each list is asked for; never an empty list.

    With SECONDS, a list also closes once its first item has waited that long (the age is looked
    at when an item arrives, so a list may also wait for the next item or the end of ITEMS).
    """
    size = max(1, size)
    source = iter(items)
    if seconds is None:
        yield from iter(lambda: list(islice(source, size)), [])
        return
    batch: list[T] = []
    opened = 0.0
    for item in source:
        if not batch:
            opened = clock()
        batch.append(item)
        if len(batch) >= size or clock() - opened >= seconds:
            yield batch
            batch = []
    if batch:
        yield batch


def marking_last(pieces: Iterable[Sequence[T]]) -> Iterator[tuple[bool, Sequence[T]]]:
    """(is_last, piece) for each of PIECES; no pieces at all still give one empty last piece."""
    previous: Sequence[T] | None = None
    for piece in pieces:
        if previous is not None:
            yield False, previous
        previous = piece
    yield True, previous if previous is not None else ()
