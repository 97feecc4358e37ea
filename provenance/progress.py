"""Progress on stderr (done/total, rate, ETA), only on a terminal and never with --quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a `(done, total)` callback, or None when stderr is not a TTY or progress is off."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    bar = tqdm(desc=label, unit="link", file=sys.stderr, leave=False, dynamic_ncols=True)
    try:

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        yield update
    finally:
        bar.close()
