"""A report built from the store reads its links and findings as they are written: same content and
order as sorting them in memory, any number of passes, and never all of them held at once."""

from __future__ import annotations

import gc
import io
import random
import tracemalloc
from datetime import UTC, datetime

import pytest

from provenance.records import (
    CheckResult,
    DocumentFormat,
    Finding,
    FindingKind,
    HarvestedDocument,
    LinkRef,
    LinkRole,
    LinkStatus,
    Severity,
)
from provenance.report.build import SEVERITY_ORDER, build_report
from provenance.report.output import write
from provenance.store import repo, rows
from provenance.store.db import session_scope

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _store(engine, documents: int, links_each: int, first: int = 0) -> list[int]:
    """DOCUMENTS documents (doc<first>.txt, ...) of LINKS_EACH checked links each; their ids."""
    ids = []
    with session_scope(engine) as session:
        for d in range(first, first + documents):
            refs = tuple(
                LinkRef(
                    f"https://s{i % 7}.example/{d}/{i}",
                    f"s{i % 7}.example/{d}/{i}",
                    LinkRole.CITED,
                    f"anchor {i}",
                    None,
                    i,
                )
                for i in range(links_each)
            )
            ids.append(
                repo.save_harvest(
                    session,
                    HarvestedDocument(
                        source=f"doc{d}.txt",
                        format=DocumentFormat.TEXT,
                        title=f"Doc {d}",
                        published=None,
                        original_url=None,
                        text="text " * 50,
                        fingerprint=f"{d:064x}",
                        links=refs,
                    ),
                    T0,
                )
            )
        repo.record_checks(
            session,
            [
                CheckResult(f"https://s{i % 7}.example/{d}/{i}", LinkStatus.ALIVE, T0, http_status=200)
                for d in range(first, first + documents)
                for i in range(links_each)
            ],
        )
    return ids


def _shuffled_findings(ids: list[int]) -> list[Finding]:
    rng = random.Random(7)
    found = [
        Finding(
            rng.choice(list(FindingKind)),
            rng.choice(list(Severity)),
            rng.choice([*ids, None]),
            rng.choice([None, "https://b.example/", "https://a.example/", "https://é.example/"]),
            f"m{i}",
        )
        for i in range(300)
    ]
    return found


def _in_report_order(found: list[Finding], wanted: set[int] | None) -> list[str]:
    kept = [f for f in found if (f.document_id in wanted if wanted is not None else True)]
    kept.sort(key=lambda f: (f.document_id or 0, SEVERITY_ORDER[f.severity], f.kind.value, f.url or ""))
    return [f.message for f in kept]


@pytest.mark.parametrize("chunk", [500, 2])  # 2: more documents than one IN (...) takes (named in chunks)
def test_stored_findings_come_in_report_order(engine, monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(rows, "CHUNK", chunk)
    ids = _store(engine, 4, 3)
    found = _shuffled_findings(ids)
    with session_scope(engine) as session:  # a document with neither links nor findings, between the others
        quiet = repo.save_harvest(
            session,
            HarvestedDocument(
                source="quiet.txt",
                format=DocumentFormat.TEXT,
                title=None,
                published=None,
                original_url=None,
                text="",
                fingerprint="0" * 64,
                links=(),
            ),
            T0,
        )
    more = _store(engine, 1, 2, first=4)  # saved after it: its id is higher
    found += [Finding(FindingKind.DEAD_LINK, Severity.ERROR, more[0], None, "last")]
    with session_scope(engine) as session:
        repo.start_staged_findings(session)
        repo.stage_findings(session, found, T0)
        repo.replace_findings_with_staged(session)
    with session_scope(engine, readonly=True) as session:
        everything = build_report(session)
        assert [f.message for f in everything.findings] == _in_report_order(found, None)
        assert len(everything.findings) == len(found) == 301
        some = build_report(session, ids[1:])
        assert [f.message for f in some.findings] == _in_report_order(found, set(ids[1:]))
        assert len(some.findings) == len(_in_report_order(found, set(ids[1:])))
        for doc, doc_findings, doc_links in some.sections():
            assert [f.message for f in doc_findings] == _in_report_order(found, {int(doc.id[1:])})
            assert [link.url for link in doc_links] == [
                f"https://s{i % 7}.example/{int(doc.id[1:]) - 1}/{i}" for i in range(3)
            ]
        sections = {doc.id: (doc_findings, doc_links) for doc, doc_findings, doc_links in everything.sections()}
        assert sections[f"d{quiet}"] == ([], [])
        assert [f.message for f in sections[f"d{more[0]}"][0]] == ["last"]
        assert len(sections[f"d{more[0]}"][1]) == 2
        assert sum(len(doc_findings) for doc_findings, _ in sections.values()) == sum(
            f.document_id is not None for f in found
        )  # findings about no document belong to no section


def test_stored_links_are_read_again_on_every_pass(engine) -> None:
    _store(engine, 3, 2500)  # three pieces of 1,000 per document
    with session_scope(engine, readonly=True) as session:
        report = build_report(session)
        first, second = list(report.links), list(report.links)
    assert first == second and len(report.links) == len(first) == 7500
    assert first[0] is not second[0]  # read again, not kept
    assert {link.status for link in first} == {LinkStatus.ALIVE}
    assert [link.document for link in first[2499:2501]] == ["d1", "d2"]


@pytest.mark.slow  # scale, traced memory
def test_a_json_report_never_holds_its_links(engine) -> None:
    """Writing the JSON of 12,000 links peaks well below what holding their records takes (the
    report held them all: its peak was the holding one; now it is one piece with its evidence)."""
    _store(engine, 1, 12000)
    with session_scope(engine, readonly=True) as session:
        report = build_report(session)
        write(report, "json", _Sink())  # warm: statement caches, imports
        gc.collect()  # start from no garbage left by earlier tests
        tracemalloc.start()
        try:
            write(report, "json", _Sink())
            streaming_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            held = list(report.links)
            holding_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(held) == 12000
    assert streaming_peak < 0.6 * holding_peak, (streaming_peak, holding_peak)


class _Sink(io.TextIOBase):
    """A text stream that keeps nothing (a StringIO would hold the whole output)."""

    def write(self, text: str) -> int:
        return len(text)
