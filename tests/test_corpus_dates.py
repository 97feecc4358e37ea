"""Publication dates of 185 real pages against htmldate's and trafilatura's annotations (corpus dates/).

Each page is harvested as the HTML harvester sees it, with its original address as base_url.
The score is exact-day agreement (any date in `accept` when the sources disagree); pages whose
annotation is null must get no date.  Nulls and wrong dates are counted apart and printed.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from provenance.harvest.html import harvest_html

pytestmark = pytest.mark.corpus

REQUIRED_SHARE = 0.92


def _day(text: str) -> str:
    """An annotation as an ISO day; one annotation is written YYYY-DD-MM ("2022-29-11"), read it as meant."""
    year, first, second = (int(part) for part in text.split("-"))
    if first > 12 >= second:
        first, second = second, first
    return date(year, first, second).isoformat()


@pytest.mark.parametrize(("raw", "expected"), [("2022-11-29", "2022-11-29"), ("2022-29-11", "2022-11-29")])
def test_annotation_reading(raw: str, expected: str) -> None:
    assert _day(raw) == expected


@pytest.mark.slow  # the whole corpus
def test_publication_dates_match_annotations(corpus_dir: Path) -> None:
    folder = corpus_dir / "dates"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    right, nulls, wrong, size = 0, [], [], 0
    started = time.perf_counter()
    for name, case in expected.items():
        data = (folder / name).read_bytes()
        size += len(data)
        doc = harvest_html(name, data, base_url=case["url"])
        got = doc.published.value.isoformat() if doc.published else None
        accept = {_day(day) for day in (case["accept"] or ([case["published"]] if case["published"] else []))}
        if got in accept or (not accept and got is None):
            right += 1
        elif got is None:
            nulls.append(name)
        else:
            wrong.append(f"{name}: {got} ({doc.published.source}) not in {sorted(accept) or 'null'}")
    elapsed = time.perf_counter() - started
    total = len(expected)
    print(
        f"\ndates: {right}/{total} exact-day right ({right / total:.1%}), {len(nulls)} null, {len(wrong)} wrong; "
        f"{total / elapsed:.1f} documents/s, {size / elapsed / 1e6:.2f} MB/s"
    )
    print("null: " + ", ".join(nulls))
    print("wrong:\n  " + "\n  ".join(wrong))
    assert total == 185
    assert right >= REQUIRED_SHARE * total, f"{right}/{total} right; null {nulls}; wrong {wrong}"


def test_wayback_replay_page_is_not_dated_by_its_capture(corpus_dir: Path) -> None:
    """htmldate's real-world test: a replay captured 2021-09-16 of a page published 2021-07-13."""
    folder = corpus_dir / "dates"
    case = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["html/archive.org.kath.ch.html"]
    doc = harvest_html("kath", (folder / "html/archive.org.kath.ch.html").read_bytes(), base_url=case["url"])
    assert doc.published is not None
    assert doc.published.value == date(2021, 7, 13)


def test_page_asserted_undated_gets_no_date(corpus_dir: Path) -> None:
    folder = corpus_dir / "dates"
    doc = harvest_html("tos", (folder / "html/intel.com.tos.html").read_bytes(), base_url="https://www.intel.com/")
    assert doc.published is None
