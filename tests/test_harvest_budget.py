"""The per-document harvest budget: a document over its time or memory is one document error, the
run goes on, and within the budget the child harvests exactly what this process would."""

from __future__ import annotations

import threading
import tracemalloc
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.config import Config, HarvestConfig
from provenance.harvest.budget import BudgetedHarvester
from provenance.harvest.inputs import harvest_bytes
from provenance.harvest.text import harvest_text
from provenance.harvest.urls import find_urls
from provenance.store import repo
from provenance.store.db import session_scope

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NOTE = b"A note citing https://example.org/a today.\n"


def _attribute_bomb(count: int) -> bytes:
    # libxml2 compares each attribute of a tag with every one before it: quadratic in COUNT
    attributes = " ".join(f'a{i}="x"' for i in range(count))
    return f"<!doctype html><html><body><p><a href='https://e.org/' {attributes}>x</a></p></body></html>".encode()


def test_a_document_over_its_time_is_stopped_and_the_next_one_harvested() -> None:
    with BudgetedHarvester(HarvestConfig(max_seconds=1)) as harvest:
        slow = harvest("bomb.html", _attribute_bomb(150_000))
        after = harvest("note.txt", NOTE)
    assert slow.unreadable and slow.error == "harvesting took longer than 1 s (harvest.max_seconds)"
    assert after.error is None and [link.url for link in after.links] == ["https://example.org/a"]


def test_a_document_over_its_memory_is_an_error_and_the_next_one_harvested() -> None:
    big_page = b"<!doctype html><html><body>" + b"<p>word <b>bold</b> https://e.org/x</p>" * 100_000 + b"</body></html>"
    config = HarvestConfig(max_memory_bytes=20_000_000, max_html_bytes=10_000_000)
    with BudgetedHarvester(config) as harvest:
        greedy = harvest("big.html", big_page)
        after = harvest("note.txt", NOTE)
    assert greedy.unreadable
    assert greedy.error == "harvesting needed more than 20,000,000 bytes (harvest.max_memory_bytes)"
    assert after.error is None and len(after.links) == 1


def test_within_the_budget_the_child_harvests_what_this_process_would() -> None:
    config = HarvestConfig()
    files = sorted(SEEDS.iterdir())
    with BudgetedHarvester(config) as harvest:
        budgeted = [harvest(str(path), path.read_bytes()) for path in files]
    assert budgeted == [harvest_bytes(str(path), path.read_bytes(), config) for path in files]


@pytest.mark.slow  # starts multiprocessing's fork server
def test_beside_other_threads_the_child_comes_from_the_fork_server() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as in the daemon: a fork here could copy a held lock
    other.start()
    try:
        with BudgetedHarvester(HarvestConfig()) as harvest:
            doc = harvest("note.txt", NOTE)
    finally:
        stop.set()
        other.join()
    assert doc.error is None and len(doc.links) == 1


def test_an_audit_goes_on_past_an_over_budget_document(tmp_path: Path, engine) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a-bomb.html").write_bytes(_attribute_bomb(150_000))
    (folder / "b-note.txt").write_bytes(NOTE)
    config = Config(harvest=HarvestConfig(max_seconds=1))
    outcome = pipeline.harvest(engine, config, [str(folder)])
    with session_scope(engine) as session:
        docs = repo.load_documents(session, list(outcome.document_ids))
    assert [(d.source.rsplit("/", 1)[-1], d.error, len(d.links)) for d in docs] == [
        ("a-bomb.html", "harvesting took longer than 1 s (harvest.max_seconds)", 0),
        ("b-note.txt", None, 1),
    ]
    assert not outcome.input_failed  # a folder's file over budget is its error, not the command's


def test_a_run_of_dots_is_not_a_host_of_a_million_labels() -> None:
    # "a." x 1e6 once kept every label on the regex engine's backtracking stack (60 bytes each)
    tracemalloc.start()
    assert find_urls("a." * 1_000_000) == []
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("He <u>said</u> so", ["said"]),
        ("<u><u>nested</u></u>", ["nested"]),
        ("<u>a < b</u>", ["a < b"]),
        ("<u>" * 10_000 + "never closed", []),
    ],
)
def test_underlined_runs_stop_at_the_next_underline(text: str, lost: list[str]) -> None:
    assert [link.anchor_text for link in harvest_text("t.txt", text).links] == lost
