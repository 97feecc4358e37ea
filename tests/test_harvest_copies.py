"""Copy detection: near-identical texts despite wraps, quotes and markup; which one is the original; scale."""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date

import pytest
from helpers import find_copies, store_documents

from provenance.harvest.copies import CopyRelation, sketch
from provenance.harvest.stored_copies import mark_copies, stored_copies
from provenance.records import DateEvidence, DocumentFormat, StoredDocument
from provenance.store.db import session_scope
from provenance.textnorm import fingerprint

ARTICLE = (
    "Moscow has secured a deal that the United States will provide a written response to its European security "
    "demands next week, Russia's top diplomat said following high-stakes talks with his U.S. counterpart Friday. "
    'Washington previously dismissed Moscow\'s "binding" demands - including barring Ukraine from joining NATO and '
    'withdrawing the alliance\'s forces and weapons from Eastern Europe - as "non-starters." Lavrov deferred to his '
    "U.S. counterpart when asked if Moscow planned to publish Washington's response. He didn't say whether "
    "Washington's responses would be made public. The Russian diplomat vowed to hold further negotiations."
)
OTHER = (
    "The city council approved a new budget on Tuesday that raises spending on public transport and road repairs, "
    "while cutting the funds for two libraries that had been slated for renovation. Residents who spoke at the "
    "meeting said the cuts would hurt families in the northern districts, where the libraries are the only quiet "
    "place for children to study after school. The mayor promised to revisit the question next spring."
)


# Not the reconcile tests' document builders: copy detection needs each text's real fingerprint.
def _doc(
    doc_id: int, text: str, *, published: date | None = None, original_url: str | None = None, title: str | None = None
) -> StoredDocument:
    when = DateEvidence(published, "date_line", published.isoformat()) if published else None
    return StoredDocument(
        id=doc_id,
        source=f"d{doc_id}",
        format=DocumentFormat.TEXT,
        title=title,
        published=when,
        original_url=original_url,
        text=text,
        fingerprint=fingerprint(text),
    )


def _wrapped(text: str, width: int = 60) -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line += word + " "
    return "\n".join([*lines, line])


def _curly(text: str) -> str:
    return text.replace("'", "\u2019").replace(' "', " \u201c").replace('"', "\u201d").replace(" - ", " \u2014 ")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(_wrapped(ARTICLE), id="line-wraps"),
        pytest.param(_curly(ARTICLE), id="quote-styles"),
        pytest.param(
            "<p>" + ARTICLE.replace("said", "<u>said</u>").replace("NATO", "<a href='x'>NATO</a>") + "</p>", id="markup"
        ),
        pytest.param(
            "Russia, U.S. Agree to Talk Security Demands Next Week\n\nJanuary 21, 2022\n\nPhoto: TASS\n\n"
            + ARTICLE
            + "\n\nOriginal url: https://example.com/a",
            id="extra-headline-and-footer",
        ),
        pytest.param(ARTICLE.rsplit(".", 3)[0] + ".", id="lost-last-paragraphs"),
    ],
)
def test_variants_of_one_text_are_copies(variant):
    relations = find_copies([_doc(1, ARTICLE, original_url="https://example.com/a"), _doc(2, variant)])
    assert [(r.copy_id, r.original_id) for r in relations] == [(2, 1)]
    assert relations[0].similarity >= 0.8


def test_identical_text_is_found_by_fingerprint():
    [relation] = find_copies([_doc(1, ARTICLE, original_url="https://example.com/a"), _doc(2, _wrapped(ARTICLE))])
    assert relation == CopyRelation(copy_id=2, original_id=1, similarity=1.0, method="fingerprint")


@pytest.mark.parametrize(
    "documents",
    [
        pytest.param([_doc(1, ARTICLE), _doc(2, OTHER)], id="different-texts"),
        pytest.param([_doc(1, "Breaking news today"), _doc(2, "Breaking news today")], id="too-short"),
        pytest.param(
            [_doc(1, ARTICLE[:400] + " " + OTHER), _doc(2, OTHER[:150] + " " + ARTICLE[400:])],
            id="halves-shared-differently",
        ),
    ],
)
def test_not_copies(documents):
    assert find_copies(documents) == []


@pytest.mark.parametrize(
    "first, second, original",
    [
        pytest.param({"original_url": "https://x.org/a"}, {"published": date(2020, 1, 1)}, 1, id="original-url-wins"),
        pytest.param({"published": date(2020, 1, 1)}, {"original_url": "https://x.org/a"}, 2, id="original-url-wins-2"),
        pytest.param(
            {"published": date(2021, 1, 1), "original_url": "https://x.org/a"},
            {"published": date(2020, 1, 1), "original_url": "https://y.org/a"},
            2,
            id="both-urls-earlier-wins",
        ),
        pytest.param({"published": date(2020, 1, 1)}, {}, 1, id="neither-url-dated-wins"),
        pytest.param({}, {"title": "A Title"}, 2, id="more-metadata-wins"),
        pytest.param({}, {}, 1, id="tie-lower-id"),
    ],
)
def test_which_copy_is_the_original(first, second, original):
    relations = find_copies([_doc(1, ARTICLE, **first), _doc(2, _wrapped(ARTICLE), **second)])
    assert [(r.copy_id, r.original_id) for r in relations] == [(3 - original, original)]


def test_a_group_of_copies_points_at_one_original_never_a_chain():
    docs = [
        _doc(1, _curly(ARTICLE)),
        _doc(2, ARTICLE, original_url="https://x.org/a"),
        _doc(3, _wrapped(ARTICLE)),
        _doc(4, OTHER),
    ]
    relations = find_copies(docs)
    assert sorted((r.copy_id, r.original_id) for r in relations) == [(1, 2), (3, 2)]


def _random_text(rng: random.Random, vocabulary: list[str], words: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(words))


@pytest.mark.slow  # scale
def test_scales_to_thousands_of_documents():
    """3,000 documents of 300 words with 100 planted copies: all found, no false pair, well under a few seconds."""
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(5000)] + ["the", "of", "and", "a", "to"] * 200
    docs = [_doc(i, _random_text(rng, vocabulary, 300)) for i in range(1, 3001)]
    planted = {}
    for n in range(100):
        source = docs[n * 29]
        text = source.text.split()
        planted[3001 + n] = source.id
        docs.append(_doc(3001 + n, _wrapped(" ".join(text[10:]))))  # lost its first sentence
    docs = [
        d if d.id not in planted.values() else dataclasses.replace(d, original_url=f"https://x.org/{d.id}")
        for d in docs
    ]
    started = time.perf_counter()
    relations = find_copies(docs)
    elapsed = time.perf_counter() - started
    assert {r.copy_id: r.original_id for r in relations} == planted
    assert elapsed < 20, f"find_copies took {elapsed:.1f}s for {len(docs)} documents"


def _corpus_pages(corpus_dir) -> list[StoredDocument]:
    import json

    import lxml.html

    expected = json.loads((corpus_dir / "dates" / "expected.json").read_text(encoding="utf-8"))
    parser = lxml.html.HTMLParser(encoding="utf-8")
    docs = []
    for doc_id, (name, meta) in enumerate(sorted(expected.items()), start=1):
        raw = (corpus_dir / "dates" / name).read_bytes().decode("utf-8", errors="replace").encode("utf-8")
        tree = lxml.html.document_fromstring(raw, parser=parser)
        for node in tree.xpath("//script|//style"):
            node.drop_tree()
        docs.append(_doc(doc_id, tree.text_content(), original_url=meta["url"]))
    return docs


@pytest.mark.slow  # the whole corpus
@pytest.mark.corpus
def test_real_pages_are_not_copies_of_each_other_but_their_prints_are(corpus_dir):
    """185 real pages (same sites, shared chrome): no false pair; a rewrapped print missing its head is found."""
    pages = _corpus_pages(corpus_dir)
    assert find_copies(pages) == []
    prints = []
    for n, page in enumerate(pages[::5]):
        kept = page.text.split()
        if len(kept) < 200:
            continue
        prints.append(_doc(1000 + n, _curly(_wrapped(" ".join(kept[len(kept) // 10 :])))))
    relations = {r.copy_id: r.original_id for r in find_copies(pages + prints)}
    assert len(prints) > 20
    assert relations == {p.id: pages[(p.id - 1000) * 5].id for p in prints}


def test_sketches_are_the_same_in_every_process():
    """They are stored and compared across runs, so no per-process hash (PYTHONHASHSEED) may enter them."""
    import subprocess
    import sys

    script = (
        "from provenance.harvest.copies import sketch\nimport sys\n"
        "made = sketch(sys.stdin.read())\nprint(made.shingles, hash(made.sampled))\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=ARTICLE,
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        ).stdout.split()[0]
        for seed in ("1", "2")
    }
    made = sketch(ARTICLE)
    assert runs == {str(made.shingles)}
    assert made.sampled and all(gram % 4 == 0 for gram in made.sampled) and list(made.sampled) == sorted(made.sampled)
    assert len(made.sampled) < made.shingles


def _harvested_pair(tmp_path, second_text: str):
    from provenance.config import Config
    from provenance.pipeline import harvest

    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text("Original url: https://example.com/a\n\n" + ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text(second_text, encoding="utf-8")
    return folder, harvest, Config()


def test_a_document_is_sketched_once_and_again_when_its_text_changes(tmp_path, engine):
    from sqlalchemy import func, select

    from provenance.store.repo import copy_of_by_document
    from provenance.store.schema import document_sketches, sketch_shingles

    folder, harvest, config = _harvested_pair(tmp_path, _wrapped(_curly(ARTICLE)))
    harvest(engine, config, [str(folder)])
    with session_scope(engine) as session:
        assert copy_of_by_document(session) == {1: None, 2: 1}
        rows = session.execute(select(func.count()).select_from(sketch_shingles)).scalar_one()
        stamps = {
            doc_id: made
            for doc_id, made in session.execute(
                select(document_sketches.c.document_id, document_sketches.c.fingerprint)
            )
        }
    harvest(engine, config, [str(folder)])  # nothing changed: the same sketches, not made again
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(sketch_shingles)).scalar_one() == rows
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    harvest(engine, config, [str(folder)])
    with session_scope(engine) as session:
        assert copy_of_by_document(session) == {1: None, 2: None}
        now = {
            doc_id: made
            for doc_id, made in session.execute(
                select(document_sketches.c.document_id, document_sketches.c.fingerprint)
            )
        }
    assert now[1] == stamps[1] and now[2] != stamps[2]


def test_documents_stored_before_sketches_existed_are_sketched_on_the_next_harvest(tmp_path):
    """A database from before migration 0005: its documents have no sketch until copy detection runs."""
    from provenance.store.db import make_engine
    from provenance.store.migrate import upgrade
    from provenance.store.repo import copy_of_by_document

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(make_engine(url), "0004")
    engine = store_documents(
        [_doc(1, ARTICLE, original_url="https://x.org/a"), _doc(2, _wrapped(ARTICLE)), _doc(3, OTHER)], url
    )
    with session_scope(engine) as session:
        mark_copies(session)
    with session_scope(engine) as session:
        assert copy_of_by_document(session) == {1: None, 2: 1, 3: None}


@pytest.mark.slow  # scale, traced memory
def test_copy_detection_holds_one_document_at_a_time_not_the_corpus():
    """Twelve long distinct texts (~1.2 MB in all): the traced peak stays near one text's shingles,
    where holding every text and shingle set at once (as before sketches) was over 12 MB."""
    import tracemalloc

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(20000)]
    engine = store_documents([_doc(i, _random_text(rng, vocabulary, 16000)) for i in range(1, 13)])
    tracemalloc.start()
    try:
        with session_scope(engine) as session:
            assert stored_copies(session) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"copy detection peaked at {peak / 1e6:.1f} MB"


def test_a_lone_document_is_sketched_only_when_a_second_one_comes(tmp_path, engine):
    from sqlalchemy import func, select

    from provenance.store.repo import copy_of_by_document
    from provenance.store.schema import document_sketches

    folder, harvest, config = _harvested_pair(tmp_path, _wrapped(ARTICLE))
    harvest(engine, config, [str(folder / "a.txt")])
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(document_sketches)).scalar_one() == 0
    harvest(engine, config, [str(folder / "b.txt")])
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(document_sketches)).scalar_one() == 2
        assert copy_of_by_document(session) == {1: None, 2: 1}


def test_long_texts_sharing_a_few_phrases_are_not_even_candidates():
    """Chance overlap (the same forty quotes in two long, different texts) passes MIN_SHARED_SAMPLES
    but not MIN_SHARE, so neither text is loaded and measured."""
    from provenance.harvest.copies import MAX_POSTING, MIN_SHARE, MIN_SHARED_SAMPLES, MIN_SHINGLES
    from provenance.store.repo import copy_candidates

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(20000)]
    quotes = " . ".join(f"q{i} said the mayor on tuesday" for i in range(40))
    engine = store_documents([_doc(i, _random_text(rng, vocabulary, 4000) + " . " + quotes) for i in (1, 2)])
    with session_scope(engine) as session:
        assert stored_copies(session) == []
        assert copy_candidates(session, MAX_POSTING, MIN_SHARED_SAMPLES, 0.0, MIN_SHINGLES) == [(1, 2)]
        assert copy_candidates(session, MAX_POSTING, MIN_SHARED_SAMPLES, MIN_SHARE, MIN_SHINGLES) == []
