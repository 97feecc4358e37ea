"""Is DRIFT_THRESHOLD right?  Precision/recall of 'drifted' on labelled pairs (tests/data/drift/).

Positive class = "replaced" (the live page no longer holds what was cited).  The figures are
printed (pytest -s) and held: a change to the measure that loses them fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from provenance.archive.drift import DRIFT_THRESHOLD, content_similarity
from provenance.config import ReconcileConfig
from provenance.textnorm import words

PAIRS = json.loads((Path(__file__).parent / "data" / "drift" / "pairs.json").read_text(encoding="utf-8"))


def _scores(measure):
    return [(p, measure(p["live"], p["archived"])) for p in PAIRS]


def _precision_recall(scored, threshold):
    flagged = {p["id"] for p, s in scored if s < threshold}
    drifted = {p["id"] for p in PAIRS if p["label"] == "replaced"}
    true_pos = len(flagged & drifted)
    precision = true_pos / len(flagged) if flagged else 1.0
    return precision, true_pos / len(drifted)


def _token_set_containment(live, archived):
    a, b = set(words(archived)), set(words(live))
    return len(a & b) / len(a) if a else 1.0


def test_dataset_is_big_and_balanced_enough():
    labels = [p["label"] for p in PAIRS]
    assert len(PAIRS) >= 20 and labels.count("same") >= 10 and labels.count("replaced") >= 10
    assert len({p["kind"] for p in PAIRS}) >= 10


def test_precision_and_recall_at_the_chosen_threshold():
    scored = _scores(content_similarity)
    precision, recall = _precision_recall(scored, DRIFT_THRESHOLD)
    same = [s for p, s in scored if p["label"] == "same"]
    replaced = [s for p, s in scored if p["label"] == "replaced"]
    baseline = _precision_recall(_scores(_token_set_containment), DRIFT_THRESHOLD)
    print(
        f"\ndrift eval: {len(PAIRS)} pairs, threshold {DRIFT_THRESHOLD}: precision {precision:.2f}, "
        f"recall {recall:.2f}; same-article scores min {min(same):.3f}, replaced max {max(replaced):.3f}; "
        f"token-set baseline precision {baseline[0]:.2f}, recall {baseline[1]:.2f}"
    )
    assert precision == 1.0 and recall == 1.0
    # The threshold sits inside the gap with room on both sides, not on an edge of it.
    assert max(replaced) + 0.15 < DRIFT_THRESHOLD < min(same) - 0.15


def test_token_sets_alone_would_not_separate_same_site_articles():
    """Why shingles: a bag of words scores another article on a related topic far higher."""
    scored = dict((p["id"], s) for p, s in _scores(_token_set_containment))
    shingled = dict((p["id"], s) for p, s in _scores(content_similarity))
    others = [p["id"] for p in PAIRS if p["kind"] == "other_article_same_site"]
    assert min(scored[i] for i in others) > 2 * max(shingled[i] for i in others)


def test_config_default_mirrors_the_threshold():
    assert ReconcileConfig().drift_threshold == DRIFT_THRESHOLD
