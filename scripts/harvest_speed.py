"""Harvest speed: every file under the given folders through `harvest_bytes`, in this process and
under the per-document budget (a child process, harvest/budget.py), alternately, in one run.

Usage: python scripts/harvest_speed.py ../shared/corpus/dates/html ../shared/corpus/urls-pdf-text/text
Prints per folder and overall, for each way: documents, MB, documents/s, MB/s, links found, errors.
Reading the files is outside the timed part; format detection, decoding and harvesting (and for the
budget, starting the child and sending each document there and back) are inside.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

from provenance.config import HarvestConfig
from provenance.harvest.budget import BudgetedHarvester
from provenance.harvest.inputs import Harvest, harvest_bytes


def measure(folder: Path, harvest: Harvest) -> tuple[int, int, float, int, int]:
    files = [(p, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    links = errors = 0
    started = time.perf_counter()
    for path, data in files:
        doc = harvest(str(path), data)
        links += len(doc.links)
        errors += doc.error is not None
    return len(files), sum(len(d) for _, d in files), time.perf_counter() - started, links, errors


def main(folders: list[str], rounds: int = 2) -> None:
    config = HarvestConfig()
    ways: dict[str, Callable[[], AbstractContextManager[Harvest]]] = {
        "in process": lambda: nullcontext(partial(harvest_bytes, config=config)),
        "budgeted": lambda: BudgetedHarvester(config),
    }
    for round_ in range(1, rounds + 1):
        for way, start in ways.items():
            totals = [0, 0, 0.0, 0, 0]
            with start() as harvest:
                for folder in folders:
                    row = measure(Path(folder), harvest)
                    totals = [a + b for a, b in zip(totals, row, strict=True)]
                    _print(f"round {round_}, {way}, {folder}", *row)
            if len(folders) > 1:
                _print(f"round {round_}, {way}, all", *totals)


def _print(name: str, docs: int, size: int, seconds: float, links: int, errors: int) -> None:
    print(
        f"{name}: {docs} documents, {size / 1e6:.2f} MB in {seconds:.2f} s = "
        f"{docs / seconds:.1f} documents/s, {size / seconds / 1e6:.2f} MB/s; {links} links, {errors} errors"
    )


if __name__ == "__main__":
    main(sys.argv[1:] or ["../shared/corpus/dates/html"])
