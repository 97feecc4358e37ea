"""Publication dates of 28 real blog posts (corpus real-dev/B) against their sources' own dates.

Go blog posts (a title, a date line, tags, authors) and react.dev posts in eight languages (a
localised "DATE by AUTHORS" line under where the front matter was), harvested as files the way
`provenance harvest` reads them.  The score is exact-day agreement with any date in
`truth.accept`; a wrong date fails the test whatever the score, since a missing date costs less.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.config import HarvestConfig
from provenance.harvest.files import expand_targets
from provenance.harvest.inputs import harvest_items

pytestmark = pytest.mark.corpus

REQUIRED_SHARE = 0.95


def test_blog_post_dates_match_their_sources(corpus_dir: Path) -> None:
    folder = corpus_dir / "real-dev"
    truth = {
        entry["path"]: entry["truth"]
        for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
        if entry["path"].startswith("B/")
    }
    docs = list(harvest_items(expand_targets([str(folder / "B")]).items, HarvestConfig(), fetch=None))
    outcomes: dict[str, list[str]] = {"right": [], "null": [], "wrong": []}
    for doc in docs:
        name = Path(doc.source).relative_to(folder).as_posix()
        got = doc.published.value.isoformat() if doc.published else None
        outcome = "right" if got in truth[name]["accept"] else "null" if got is None else "wrong"
        where = f" ({doc.published.source}: {doc.published.raw!r})" if doc.published else ""
        outcomes[outcome].append(f"{name}: {got}{where}, source says {truth[name]['accept']}")
    print(
        f"\nreal-dev/B: {len(outcomes['right'])}/{len(docs)} right, {len(outcomes['null'])} null, "
        f"{len(outcomes['wrong'])} wrong"
    )
    for outcome, lines in outcomes.items():
        print("\n".join(f"  {outcome:5} {line}" for line in lines))
    assert sorted(Path(doc.source).relative_to(folder).as_posix() for doc in docs) == sorted(truth)
    assert outcomes["wrong"] == []
    assert len(outcomes["right"]) >= REQUIRED_SHARE * len(truth), outcomes["null"]
