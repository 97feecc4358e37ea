"""PDF harvest speed beside pdftotext, on the same files, in one run.

Usage: python scripts/pdf_speed.py [--rounds 5] [FOLDER ...]   (default ../shared/corpus/real-dev/A/pdf)

For each round, in turn on every file: `pdftotext FILE -` (poppler, one process a file, as a user
would run it), the PDF reader alone (pages, text and links out of PDFium's child process), and the
whole harvest (`harvest_bytes`: reading, text assembly, print marks, harvest_text, link merging).
One PdfReader serves every file, as `harvest_items` does; its child's start-up is in the first
file's time.  Reading the files from disk is outside the timed part.  Prints the median round of
each: pages/s and MB/s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from provenance.config import HarvestConfig
from provenance.harvest.inputs import harvest_bytes
from provenance.harvest.pdfread import PdfReader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=["../shared/corpus/real-dev/A/pdf"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = [(p, p.read_bytes()) for folder in args.folders for p in sorted(Path(folder).rglob("*.pdf"))]
    size = sum(len(data) for _, data in files)
    pages = 0
    times: dict[str, list[float]] = {"pdftotext": [], "reader": [], "harvest": []}
    config = HarvestConfig()
    for _ in range(args.rounds):
        started = time.perf_counter()
        for path, _data in files:
            subprocess.run(["pdftotext", str(path), "-"], check=True, stdout=subprocess.DEVNULL)
        times["pdftotext"].append(time.perf_counter() - started)
        with PdfReader() as reader:
            started = time.perf_counter()
            for _path, data in files:
                reader.read(data)
            times["reader"].append(time.perf_counter() - started)
        with PdfReader() as reader:
            started = time.perf_counter()
            pages = 0
            for path, data in files:
                doc = harvest_bytes(str(path), data, config, pdf_reader=reader)
                pages += int(doc.evidence.get("pdf", {}).get("pages_read", 0))
            times["harvest"].append(time.perf_counter() - started)
    print(f"{len(files)} PDFs, {pages} pages, {size / 1e6:.2f} MB; median of {args.rounds} rounds (range)")
    for name, spent in times.items():
        mid = statistics.median(spent)
        print(
            f"  {name:9} {mid:6.3f} s ({min(spent):.3f}-{max(spent):.3f})  "
            f"{pages / mid:7.0f} pages/s  {size / mid / 1e6:6.2f} MB/s"
        )


if __name__ == "__main__":
    main()
