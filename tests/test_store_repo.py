"""Every repo read and write against a real SQLite file: idempotence, replacement, round-trips."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from provenance.errors import StorageError
from provenance.records import (
    CheckResult,
    DateEvidence,
    DocumentFormat,
    ErrorClass,
    Finding,
    FindingKind,
    HarvestedDocument,
    Hop,
    LinkRef,
    LinkRole,
    LinkStatus,
    PageInfo,
    Severity,
    Snapshot,
    SnapshotLookup,
)
from provenance.store import daemon_repo, repo
from provenance.store.db import kept_connection, make_engine, session_scope
from provenance.store.schema import documents, links, runs

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))


# Not test_store_concurrency._doc: every field filled, an invalid link among three, as the tests assert.
def _doc(source: str = "seeds/a.txt", links_: tuple[LinkRef, ...] | None = None, **over) -> HarvestedDocument:
    if links_ is None:
        links_ = (
            LinkRef("https://example.org/a", "example.org/a", LinkRole.CITED, "An article", "see An article.", 0),
            LinkRef(None, "http://[bad", LinkRole.CITED, None, None, 1),
            LinkRef("https://example.org/v", "https://example.org/v", LinkRole.EMBEDDED, "video", "ctx", 2),
        )
    values = dict(
        source=source,
        format=DocumentFormat.HTML,
        title="Title",
        published=DateEvidence(date(2022, 1, 21), "meta:article:published_time", "2022-01-21T08:00"),
        original_url="https://news.example/2022/01/21/x",
        text="Main text.",
        fingerprint="f" * 64,
        links=links_,
        error="one image unreadable",
    )
    values.update(over)
    return HarvestedDocument(**values)


def _count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


# --- documents --------------------------------------------------------------------------------


def test_document_round_trip_keeps_every_field(engine) -> None:
    doc = _doc()
    with session_scope(engine) as s:
        doc_id = repo.save_harvest(s, doc, T0)
    with session_scope(engine) as s:
        (stored,) = repo.load_documents(s)
    assert stored.id == doc_id
    assert (
        stored.source,
        stored.format,
        stored.title,
        stored.published,
        stored.original_url,
        stored.text,
        stored.fingerprint,
        stored.error,
        stored.copy_of,
    ) == (
        doc.source,
        doc.format,
        doc.title,
        doc.published,
        doc.original_url,
        doc.text,
        doc.fingerprint,
        doc.error,
        None,
    )
    assert [(lk.url, lk.written, lk.role, lk.anchor_text, lk.context, lk.position) for lk in stored.links] == [
        (lk.url, lk.written, lk.role, lk.anchor_text, lk.context, lk.position) for lk in doc.links
    ]
    with session_scope(engine) as s:
        (described,) = repo.load_documents(s, with_links=False, with_text=False)
    assert described == dataclasses.replace(stored, text="", links=())  # all but the text and links


def test_document_without_date_or_links(engine) -> None:
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(published=None, links_=(), original_url=None, title=None, error=None), T0)
    with session_scope(engine) as s:
        (stored,) = repo.load_documents(s)
    assert (stored.published, stored.links, stored.title, stored.error) == (None, (), None, None)


def test_save_harvest_twice_keeps_one_row_and_one_set_of_links(engine) -> None:
    with session_scope(engine) as s:
        first = repo.save_harvest(s, _doc(), T0)
    with session_scope(engine) as s:
        link_ids = [lk.id for lk in repo.load_documents(s)[0].links]
    with session_scope(engine) as s:
        second = repo.save_harvest(s, _doc(), T0 + timedelta(hours=1))
    with session_scope(engine) as s:
        assert first == second
        assert _count(s, documents) == 1
        assert _count(s, links) == 3
        assert [lk.id for lk in repo.load_documents(s)[0].links] == link_ids  # unchanged: rows kept
        row = s.execute(select(documents.c.harvested_at, documents.c.updated_at)).one()
    assert row.harvested_at == T0 + timedelta(hours=1)
    assert row.updated_at == T0  # nothing it says changed


def test_reharvest_replaces_links_and_stamps_update(engine) -> None:
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(), T0)
    new_links = (LinkRef("https://example.org/b", "example.org/b", LinkRole.RELATED, "Read more", None, 0),)
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(links_=new_links, title="New title"), T0 + timedelta(days=1))
    with session_scope(engine) as s:
        (stored,) = repo.load_documents(s)
        updated = s.execute(select(documents.c.updated_at)).scalar_one()
        assert _count(s, links) == 1
    assert [lk.url for lk in stored.links] == ["https://example.org/b"]
    assert stored.title == "New title"
    assert updated == T0 + timedelta(days=1)


def test_reharvest_keeps_check_history_of_urls(engine) -> None:
    """Checks are keyed on URL, so replacing links does not lose what was learned."""
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(), T0)
        repo.record_check(s, CheckResult("https://example.org/a", LinkStatus.DEAD, T0, 404))
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(links_=(LinkRef("https://example.org/a", "a", LinkRole.CITED),)), T0)
    with session_scope(engine) as s:
        assert repo.latest_checks(s)["https://example.org/a"].http_status == 404


def test_load_documents_by_id_and_link_order(engine) -> None:
    shuffled = (
        LinkRef("https://e.org/2", "2", LinkRole.CITED, position=2),
        LinkRef("https://e.org/0", "0", LinkRole.CITED, position=0),
        LinkRef("https://e.org/1", "1", LinkRole.CITED, position=1),
    )
    with session_scope(engine) as s:
        a = repo.save_harvest(s, _doc("a", shuffled), T0)
        b = repo.save_harvest(s, _doc("b"), T0)
        c = repo.save_harvest(s, _doc("c"), T0)
    with session_scope(engine) as s:
        assert [d.id for d in repo.load_documents(s, [c, a])] == [a, c]
        assert repo.load_documents(s, []) == []
        (doc_a,) = repo.load_documents(s, [a])
        assert [d.source for d in repo.load_documents(s)] == ["a", "b", "c"]
        assert b in [d.id for d in repo.load_documents(s)]
    assert [lk.position for lk in doc_a.links] == [0, 1, 2]
    assert [lk.url for lk in doc_a.links] == ["https://e.org/0", "https://e.org/1", "https://e.org/2"]


def test_copy_of_is_stored_and_cleared_when_the_original_goes(engine) -> None:
    with session_scope(engine) as s:
        original = repo.save_harvest(s, _doc("orig"), T0)
        copy = repo.save_harvest(s, _doc("copy"), T0)
        repo.set_copy_of(s, copy, original)
    with session_scope(engine) as s:
        assert {d.source: d.copy_of for d in repo.load_documents(s)} == {"orig": None, "copy": original}
        s.execute(documents.delete().where(documents.c.id == original))  # ON DELETE SET NULL
    with session_scope(engine) as s:
        assert [(d.source, d.copy_of) for d in repo.load_documents(s)] == [("copy", None)]
        repo.set_copy_of(s, copy, None)


@pytest.mark.parametrize(
    ("doc_id", "original", "error"),
    [
        (999, None, StorageError),
        (1, 1, ValueError),
    ],
)
def test_set_copy_of_refuses_nonsense(engine, doc_id: int, original: int | None, error: type) -> None:
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(), T0)
    with pytest.raises(error), session_scope(engine) as s:
        repo.set_copy_of(s, doc_id, original)


def test_deleting_a_document_deletes_its_links_and_findings(engine) -> None:
    with session_scope(engine) as s:
        doc_id = repo.save_harvest(s, _doc(), T0)
        _replace_findings(s, [Finding(FindingKind.DEAD_LINK, Severity.ERROR, doc_id, "u", "m")], T0)
        s.execute(documents.delete())
    with session_scope(engine) as s:
        assert _count(s, links) == 0
        assert repo.load_findings(s) == []


def _paged_urls(session, document_ids=None, limit: int = 1000) -> list[str]:
    """Every URL first_link_urls gives, paged LIMIT at a time as LinkedUrls pages them."""
    if document_ids is not None:
        repo.choose_documents(session, document_ids)
    urls, after = [], 0
    while page := repo.first_link_urls(session, after, limit, document_ids is not None):
        urls += [url for _, url in page]
        after = page[-1][0]
    return urls


@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_first_link_urls_pages_distinct_non_null_urls_in_order_of_appearance(engine, limit: int) -> None:
    with session_scope(engine) as s:
        a = repo.save_harvest(s, _doc("a"), T0)
        b = repo.save_harvest(
            s,
            _doc(
                "b",
                (
                    LinkRef("https://z.org/", "z", LinkRole.CITED),
                    LinkRef("https://example.org/a", "a", LinkRole.CITED, position=1),
                ),
            ),
            T0,
        )
    with session_scope(engine) as s:
        assert _paged_urls(s, limit=limit) == ["https://example.org/a", "https://example.org/v", "https://z.org/"]
        assert _paged_urls(s, [b], limit) == ["https://z.org/", "https://example.org/a"]
        assert _paged_urls(s, [a], limit) == ["https://example.org/a", "https://example.org/v"]
        assert _paged_urls(s, [], limit) == []
        assert repo.count_link_urls(s) == 3
        for chosen, count in (([b], 2), ([], 0)):
            repo.choose_documents(s, chosen)
            assert repo.count_link_urls(s, chosen=True) == count


def test_first_link_urls_of_more_documents_than_one_in_list_binds(engine) -> None:
    """A folder audit's thousands of documents: first appearance across every chunk of ids, one count."""
    with session_scope(engine) as s:
        ids = [
            repo.save_harvest(s, _doc(f"d{i}", (LinkRef(f"https://s{i % 700}.example/", "x", LinkRole.CITED),)), T0)
            for i in range(1400)
        ]
    chosen = ids[1::2]  # 700 documents, linking the odd sites twice each
    with session_scope(engine) as s:
        assert _paged_urls(s, chosen, 97) == [f"https://s{i}.example/" for i in range(1, 700, 2)]
        assert repo.count_link_urls(s, chosen=True) == 350


def test_earliest_citing_dates(engine) -> None:
    cite = (LinkRef("https://t.org/x", "x", LinkRole.CITED),)
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc("late", cite, published=DateEvidence(date(2023, 5, 1), "url_path", "/2023/05/")), T0)
        repo.save_harvest(s, _doc("early", cite, published=DateEvidence(date(2021, 2, 3), "json_ld", "2021-02-03")), T0)
        repo.save_harvest(s, _doc("undated", cite, published=None), T0)
        repo.save_harvest(s, _doc("other", published=None), T0)
    with session_scope(engine) as s:
        dates = repo.earliest_citing_dates(s, ["https://t.org/x", "https://example.org/a", "https://nowhere/"])
    assert dates == {"https://t.org/x": date(2021, 2, 3)}


# --- checks -----------------------------------------------------------------------------------

FULL_CHECK = CheckResult(
    url="https://example.org/a",
    status=LinkStatus.SOFT_404,
    checked_at=datetime(2026, 3, 1, 14, 0, tzinfo=CEST),
    http_status=200,
    final_url="https://example.org/",
    error="looks like an error page",
    error_class=ErrorClass.BOT_WALL,
    elapsed_ms=123.5,
    method="GET",
    content_type="text/html; charset=utf-8",
    content_length=5_000_000_000,
    hops=(
        Hop("https://example.org/a", 301, requested_url="http://127.0.0.1:8000/a", location="/"),
        Hop("https://example.org/", 200),
    ),
    page=PageInfo(
        title="Not found",
        text_fingerprint="a" * 64,
        published=DateEvidence(date(2020, 2, 2), "htmldate", "2 Feb 2020"),
        soft_404_reason="redirected to home page",
        media_state="removed",
    ),
)


@pytest.mark.parametrize(
    "result",
    [
        FULL_CHECK,
        CheckResult(
            "https://example.org/b", LinkStatus.UNREACHABLE, T0, error="timed out", error_class=ErrorClass.TIMEOUT
        ),
    ],
    ids=["full", "minimal"],
)
def test_check_round_trip_keeps_every_field(engine, result: CheckResult) -> None:
    with session_scope(engine) as s:
        repo.record_check(s, result)
    with session_scope(engine) as s:
        back = repo.latest_checks(s)[result.url]
    assert back == result
    assert back.checked_at.tzinfo is not None and back.checked_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_scope(engine) as s:
        repo.record_check(s, CheckResult("https://e.org/", LinkStatus.ALIVE, datetime(2026, 1, 1)))


def test_latest_checks_and_history_are_append_only(engine) -> None:
    url = "https://example.org/a"
    statuses = [
        (T0 + timedelta(days=2), LinkStatus.DEAD),
        (T0, LinkStatus.ALIVE),
        (T0 + timedelta(days=1), LinkStatus.UNREACHABLE),
    ]
    with session_scope(engine) as s:
        for when, status in statuses:
            repo.record_check(s, CheckResult(url, status, when))
        repo.record_check(s, CheckResult("https://other.org/", LinkStatus.ALIVE, T0))
    with session_scope(engine) as s:
        history = repo.check_history(s, url)
        latest = repo.latest_checks(s, [url, "https://never.org/"])
        everything = repo.latest_checks(s)
    assert [c.status for c in history] == [LinkStatus.ALIVE, LinkStatus.UNREACHABLE, LinkStatus.DEAD]
    assert set(latest) == {url}
    assert latest[url].status == LinkStatus.DEAD
    assert set(everything) == {url, "https://other.org/"}


def test_latest_check_tie_goes_to_the_later_row(engine) -> None:
    with session_scope(engine) as s:
        repo.record_check(s, CheckResult("https://e.org/", LinkStatus.ALIVE, T0))
        repo.record_check(s, CheckResult("https://e.org/", LinkStatus.DEAD, T0))
    with session_scope(engine) as s:
        assert repo.latest_checks(s)["https://e.org/"].status == LinkStatus.DEAD


def test_latest_checks_for_many_urls_crosses_parameter_chunks(engine) -> None:
    urls = [f"https://e.org/{i}" for i in range(1200)]
    with session_scope(engine) as s:
        for url in urls:
            repo.record_check(s, CheckResult(url, LinkStatus.ALIVE, T0))
    with session_scope(engine) as s:
        assert set(repo.latest_checks(s, urls)) == set(urls)


# --- snapshot look-ups ------------------------------------------------------------------------


def _snap(day: int, status: int | None = 200) -> Snapshot:
    when = datetime(2022, 1, day, 10, 0, tzinfo=UTC)
    return Snapshot(
        "wayback",
        f"https://web.archive.org/web/202201{day:02d}100000/https://example.org/a",
        when,
        original="https://example.org/a",
        status=status,
    )


FULL_LOOKUP = SnapshotLookup(
    "https://example.org/a",
    "wayback",
    T0,
    "2022-01-21",
    nearest=_snap(20),
    first=_snap(1, 301),
    last=_snap(30, None),
    count=42,
)


@pytest.mark.parametrize(
    "lookup",
    [
        FULL_LOOKUP,
        SnapshotLookup("https://example.org/a", "wayback", T0, "2022-01-21"),  # asked: holds nothing
        SnapshotLookup("https://example.org/a", "wayback", T0, "2022-01-21", error="HTTP 503"),  # could not ask
    ],
    ids=["found", "absent", "error"],
)
def test_snapshot_lookup_round_trip(engine, lookup: SnapshotLookup) -> None:
    with session_scope(engine) as s:
        repo.record_snapshot_lookup(s, lookup)
    with session_scope(engine) as s:
        assert repo.latest_snapshot_lookups(s) == {lookup.url: [lookup]}


def test_latest_snapshot_lookup_per_url_and_archive(engine) -> None:
    url = "https://example.org/a"
    older = SnapshotLookup(url, "wayback", T0 - timedelta(days=40), "q", error="timeout")
    newer = FULL_LOOKUP
    memento = SnapshotLookup(url, "archive.today", T0, "q")
    other = SnapshotLookup("https://b.org/", "wayback", T0, "q")
    with session_scope(engine) as s:
        for item in (newer, older, memento, other):
            repo.record_snapshot_lookup(s, item)
    with session_scope(engine) as s:
        assert repo.latest_snapshot_lookups(s, [url]) == {url: [memento, newer]}
        assert set(repo.latest_snapshot_lookups(s)) == {url, "https://b.org/"}
        assert repo.latest_snapshot_lookups(s, []) == {}


# --- findings and runs ------------------------------------------------------------------------


def _replace_findings(session, items, now) -> None:
    repo.start_staged_findings(session)
    repo.stage_findings(session, items, now)
    repo.replace_findings_with_staged(session)


def test_replace_findings_replaces_and_serialises_evidence(engine) -> None:
    with session_scope(engine) as s:
        doc_id = repo.save_harvest(s, _doc(), T0)
        _replace_findings(s, [Finding(FindingKind.UNARCHIVED, Severity.INFO, None, None, "old")], T0)
    evidence = {
        "document_date": DateEvidence(date(2022, 1, 21), "url_path", "/2022/01/21/"),
        "hops": (Hop("https://a/", 301, location="https://b/"),),
        "status": LinkStatus.DEAD,
        "when": T0,
        "similarity": 0.31,
        "nested": {"list": [1, None, "x"]},
    }
    new = [
        Finding(
            FindingKind.TEMPORAL_MISMATCH, Severity.ERROR, doc_id, "https://example.org/a", "dated later", evidence
        ),
        Finding(FindingKind.COPY_DIVERGENCE, Severity.WARNING, None, None, "document-level"),
    ]
    with session_scope(engine) as s:
        _replace_findings(s, new, T0)
    with session_scope(engine) as s:
        loaded = repo.load_findings(s)
    assert [(f.kind, f.severity, f.document_id, f.url, f.message) for f in loaded] == [
        (f.kind, f.severity, f.document_id, f.url, f.message) for f in new
    ]
    assert loaded[0].evidence == {
        "document_date": {"value": "2022-01-21", "source": "url_path", "raw": "/2022/01/21/"},
        "hops": [{"url": "https://a/", "status": 301, "location": "https://b/"}],
        "status": "dead",
        "when": "2026-03-01T12:00:00Z",  # one JSON policy: UTC with a Z (jsonvalues.py)
        "similarity": 0.31,
        "nested": {"list": [1, None, "x"]},
    }
    assert loaded[1].evidence == {}


def test_staged_findings_take_no_lock_and_replace_the_stored_ones_at_once(engine, db_url) -> None:
    """Findings staged in a read-only unit of work (a TEMP table of its connection) leave the stored
    ones and the write lock alone until they replace them; another writer is never kept waiting."""
    with session_scope(engine) as s:
        doc_id = repo.save_harvest(s, _doc(), T0)
        _replace_findings(s, [Finding(FindingKind.UNARCHIVED, Severity.INFO, doc_id, "u0", "old")], T0)
    other = make_engine(db_url, busy_timeout=0.2)
    new = [Finding(FindingKind.DEAD_LINK, Severity.ERROR, doc_id, f"u{i}", f"new {i}") for i in range(5)]
    with kept_connection(engine) as connection:
        with session_scope(connection, readonly=True) as s:
            repo.start_staged_findings(s)
            repo.stage_findings(s, new[:3], T0)
            with session_scope(other) as writer:  # would wait out its 0.2 s and fail if a lock were held
                writer.execute(runs.insert().values(kind="check", started_at=T0, status="ok", detail={}))
            repo.stage_findings(s, new[3:], T0)
            with session_scope(other, readonly=True) as reader:
                assert [f.message for f in repo.load_findings(reader)] == ["old"]
        with session_scope(connection) as s:
            repo.replace_findings_with_staged(s)
    other.dispose()
    with session_scope(engine, readonly=True) as s:
        assert [f.message for f in repo.load_findings(s)] == [f"new {i}" for i in range(5)]


def test_reconcile_that_fails_half_way_keeps_the_stored_findings(engine, monkeypatch) -> None:
    from provenance import pipeline
    from provenance.config import Config

    with session_scope(engine) as s:
        for source in ("a.txt", "b.txt"):
            repo.save_harvest(s, _doc(source), T0)
    pipeline.reconcile(engine, Config(), now=lambda: T0)
    with session_scope(engine, readonly=True) as s:
        before = repo.load_findings(s)
    assert before
    real, calls = pipeline.contexts, []

    def second_document_fails(*args):
        for context in real(*args):
            calls.append(context)
            if len(calls) == 2:
                raise RuntimeError("rules exploded")
            yield context

    monkeypatch.setattr(pipeline, "contexts", second_document_fails)
    with pytest.raises(RuntimeError):
        pipeline.reconcile(engine, Config(), now=lambda: T0)
    monkeypatch.undo()
    with session_scope(engine, readonly=True) as s:
        assert repo.load_findings(s) == before
    assert pipeline.reconcile(engine, Config(), now=lambda: T0).total == len(before)  # a new connection starts afresh


def test_runs_start_and_finish(engine) -> None:
    with session_scope(engine) as s:
        run_id = daemon_repo.start_run(s, "audit", T0)
        started = s.execute(select(runs.c.status, runs.c.finished_at)).one()
    with session_scope(engine) as s:
        daemon_repo.finish_run(s, run_id, T0 + timedelta(minutes=5), "ok", {"checked": 3, "at": date(2026, 3, 1)})
    with session_scope(engine) as s:
        row = s.execute(select(runs)).mappings().one()
    assert tuple(started) == ("running", None)
    assert (row["kind"], row["status"], row["started_at"], row["finished_at"], row["detail"]) == (
        "audit",
        "ok",
        T0,
        T0 + timedelta(minutes=5),
        {"checked": 3, "at": "2026-03-01"},
    )
    with pytest.raises(StorageError), session_scope(engine) as s:
        daemon_repo.finish_run(s, run_id + 1, T0, "ok", {})


# --- drift ------------------------------------------------------------------------------------


def test_drift_round_trip_and_latest_per_url(engine) -> None:
    from provenance.records import DriftEvidence

    old = DriftEvidence("https://example.org/a", 0.9, 0.5, _snap(20), "l" * 64, "s" * 64)
    new = DriftEvidence("https://example.org/a", 0.31, 0.5, _snap(21, None))
    other = DriftEvidence("https://b.org/", 1.0, 0.5, _snap(3))
    with session_scope(engine) as s:
        repo.record_drift(s, new, T0)
        repo.record_drift(s, old, T0 - timedelta(days=1))
        repo.record_drift(s, other, T0)
    with session_scope(engine) as s:
        assert repo.latest_drift(s) == {"https://example.org/a": new, "https://b.org/": other}
        assert repo.latest_drift(s, ["https://b.org/", "https://c.org/"]) == {"https://b.org/": other}
        repo.record_drift(s, old, T0 + timedelta(days=1))
    with session_scope(engine) as s:
        assert repo.latest_drift(s, ["https://example.org/a"]) == {"https://example.org/a": old}


def test_reharvest_with_new_text_keeps_link_rows_but_stamps_update(engine) -> None:
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(), T0)
        link_ids = [lk.id for lk in repo.load_documents(s)[0].links]
    with session_scope(engine) as s:
        repo.save_harvest(s, _doc(text="Edited text.", fingerprint="e" * 64, published=None), T0 + timedelta(days=2))
    with session_scope(engine) as s:
        (stored,) = repo.load_documents(s)
        updated = s.execute(select(documents.c.updated_at)).scalar_one()
    assert (stored.text, stored.fingerprint, stored.published) == ("Edited text.", "e" * 64, None)
    assert [lk.id for lk in stored.links] == link_ids
    assert updated == T0 + timedelta(days=2)
