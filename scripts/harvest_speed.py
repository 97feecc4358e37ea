"""Harvest speed, one process: every file under the given folders through `harvest_bytes`.

Usage: python scripts/harvest_speed.py ../shared/corpus/dates/html ../shared/corpus/urls-pdf-text/text
Prints per folder and overall: documents, MB, documents/s, MB/s, links found, errors.
Reading the files is outside the timed part; format detection, decoding and harvesting are inside.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from provenance.config import HarvestConfig
from provenance.harvest.inputs import harvest_bytes


def measure(folder: Path, config: HarvestConfig) -> tuple[int, int, float, int, int]:
    files = [(p, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    links = errors = 0
    started = time.perf_counter()
    for path, data in files:
        doc = harvest_bytes(str(path), data, config)
        links += len(doc.links)
        errors += doc.error is not None
    return len(files), sum(len(d) for _, d in files), time.perf_counter() - started, links, errors


def main(folders: list[str]) -> None:
    config = HarvestConfig()
    totals = [0, 0, 0.0, 0, 0]
    for folder in folders:
        row = measure(Path(folder), config)
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        _print(folder, *row)
    if len(folders) > 1:
        _print("all", *totals)


def _print(name: str, docs: int, size: int, seconds: float, links: int, errors: int) -> None:
    print(
        f"{name}: {docs} documents, {size / 1e6:.2f} MB in {seconds:.2f} s = "
        f"{docs / seconds:.1f} documents/s, {size / seconds / 1e6:.2f} MB/s; {links} links, {errors} errors"
    )


if __name__ == "__main__":
    main(sys.argv[1:] or ["../shared/corpus/dates/html"])
