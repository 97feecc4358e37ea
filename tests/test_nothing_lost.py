"""Nothing lost: an interrupted run leaves a consistent store; the next one finishes.

Real interruptions of a real `python -m provenance audit` subprocess: SIGINT (Ctrl-C) and SIGKILL
(no chance to clean up), sent once the run has stored some checks and is still working; and a
disk that fills up under a run (SQLite's own "database or disk is full", made real by capping the
file with `PRAGMA max_page_count`).  Afterwards the database passes SQLite's integrity and
foreign-key checks, every stored document has all of its links (a document is stored with its
links in one transaction or not at all), and running the audit again completes the work: every
link checked, every expected finding present.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from loopback import LoopbackServer, Request, serve, wait_until
from sqlalchemy import event

from provenance import pipeline
from provenance.config import ArchiveConfig, Config, HttpConfig
from provenance.errors import StorageError
from provenance.net.client import HttpClient
from provenance.store import repo
from provenance.store.db import session_scope
from provenance.store.migrate import open_store

pytestmark = pytest.mark.slow  # audit subprocesses interrupted by signals and a full disk

LINKS_PER_DOC = 12
DOCS = 6
SLOW = 0.15  # seconds the server takes per answer: long enough to interrupt a run mid-check


def _answer(req: Request):
    time.sleep(SLOW)  # server-side work, not a race: the test waits on the database, never on time
    if not req.path.startswith("/page/"):  # /gone/N, and the checker's soft-404 probes
        return 404, {"Content-Type": "text/html"}, b"<title>Not found</title>"
    return 200, {"Content-Type": "text/html"}, f"<title>Page {req.path}</title><p>words</p>".encode()


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with serve(_answer) as server:
        yield server


def write_documents(folder: Path) -> None:
    """DOCS Markdown documents, each citing LINKS_PER_DOC pages of its own site, one of them gone."""
    folder.mkdir()
    for d in range(DOCS):
        links = "".join(
            f"* [page {i}](https://s{d}.example.org/{'gone' if i == 0 else 'page'}/{i})\n" for i in range(LINKS_PER_DOC)
        )
        (folder / f"doc{d}.md").write_text(f"# Document {d}\n\n{'Some words. ' * 400}\n\n{links}", encoding="utf-8")


def write_config(path: Path, server: LoopbackServer) -> None:
    config = {
        "http": {
            "timeout": 5,
            "retries": 0,
            "per_host": 1,
            "remap": [[r"^https://s\d+\.example\.org/", server.url("/")]],
            "allow_private": [server.netloc],
        },
        "archive": {"enabled": False},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def audit_args(tmp_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "provenance",
        "audit",
        "docs",
        "--config",
        "config.yaml",
        "--db",
        f"sqlite:///{tmp_path / 'store.sqlite'}",
        "--format",
        "json",
        "--quiet",
    ]


def count(db: Path, table: str) -> int:
    """Rows in TABLE, read through a read-only connection (the run may be writing)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def assert_consistent(db: Path) -> None:
    """SQLite's own checks, and no document stored without all of its links."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        per_doc = conn.execute(
            "SELECT d.source, count(l.id) FROM documents d LEFT JOIN links l ON l.document_id = d.id GROUP BY d.id"
        ).fetchall()
    assert all(n == LINKS_PER_DOC for _source, n in per_doc), per_doc


def assert_complete(report: dict) -> None:
    """Every document, every link checked, and each document's dead link found."""
    assert len(report["documents"]) == DOCS
    assert len(report["links"]) == DOCS * LINKS_PER_DOC
    odd = [(link["url"], link["status"]) for link in report["links"] if link["status"] not in ("alive", "dead")]
    assert not odd, odd
    dead = {(f["document"], f["url"]) for f in report["findings"] if f["kind"] == "dead_link"}
    ids = {d["id"]: d["source"] for d in report["documents"]}
    assert {ids[doc] for doc, _url in dead} == {f"docs/doc{d}.md" for d in range(DOCS)}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_audit_leaves_a_consistent_store_and_the_next_run_finishes(
    tmp_path: Path, site: LoopbackServer, sig: signal.Signals
) -> None:
    write_documents(tmp_path / "docs")
    write_config(tmp_path / "config.yaml", site)
    db = tmp_path / "store.sqlite"
    # SIGINT back to its default in the child: a shell running the tests in the background hands
    # them SIGINT ignored, and Python keeps an inherited "ignore" (Ctrl-C could not reach the run).
    child = subprocess.Popen(
        audit_args(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert wait_until(lambda: count(db, "checks") >= 5 or child.poll() is not None, timeout=60)
        assert child.poll() is None, "the audit finished before it could be interrupted"
        child.send_signal(sig)
        sent = time.monotonic()
        _stdout, stderr = child.communicate(timeout=30)
        assert time.monotonic() - sent < 10  # stops promptly: at most the requests in flight finish
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    checked = count(db, "checks")
    assert 5 <= checked < DOCS * LINKS_PER_DOC  # interrupted mid-check, with work already stored
    if sig == signal.SIGINT:
        assert child.returncode == 130
        assert b"Traceback" not in stderr and stderr.decode().strip().splitlines()[-1].startswith("provenance: ")
    else:
        assert child.returncode == -signal.SIGKILL
    assert_consistent(db)

    again = subprocess.run(audit_args(tmp_path), cwd=tmp_path, capture_output=True, timeout=120)
    assert again.returncode == 1, again.stderr  # dead links are errors
    assert b"Traceback" not in again.stderr
    assert_complete(json.loads(again.stdout))
    assert_consistent(db)


def _cap_file(engine, pages: int) -> None:
    """Every new connection of ENGINE may grow the file to PAGES pages: a disk that is about to fill."""

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()  # pooled connections were opened without the cap


def _pages(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA page_count").fetchone()[0]


@pytest.mark.parametrize("stage", ["harvest", "check", "reconcile"])
def test_disk_full_mid_run_loses_nothing_stored_and_the_next_run_finishes(
    tmp_path: Path, site: LoopbackServer, stage: str
) -> None:
    docs, db = tmp_path / "docs", tmp_path / "store.sqlite"
    write_documents(docs)
    config = Config(
        http=HttpConfig(
            timeout=5,
            retries=0,
            remap=((r"^https://s\d+\.example\.org/", site.url("/")),),
            allow_private=(site.netloc,),
        ),
        archive=ArchiveConfig(enabled=False),
    )
    engine = open_store(f"sqlite:///{db}")
    with HttpClient(config.http) as client, pytest.raises(StorageError, match="database or disk is full"):
        # the disk fills up a few pages into STAGE (the stages before it run with room to spare)
        if stage == "harvest":
            _cap_file(engine, _pages(db) + 4)
        outcome = pipeline.harvest(engine, config, [str(docs)])
        if stage == "check":
            _cap_file(engine, _pages(db) + 3)
        pipeline.check(engine, config, client, pipeline.checkable_urls(engine, outcome.document_ids))
        if stage == "reconcile":
            _cap_file(engine, _pages(db))
        pipeline.reconcile(engine, config)
    engine.dispose()
    assert_consistent(db)
    stored = count(db, "checks")
    assert (
        (stored == 0)
        if stage == "harvest"
        else (0 < stored < DOCS * LINKS_PER_DOC if stage == "check" else stored == DOCS * LINKS_PER_DOC)
    )

    engine = open_store(f"sqlite:///{db}")  # space freed: no cap
    with HttpClient(config.http) as client:
        outcome = pipeline.audit(engine, config, [str(docs)], client, archives=False)
    with session_scope(engine, readonly=True) as session:
        assert sum(f.kind == "dead_link" for f in repo.load_findings(session)) == DOCS
    engine.dispose()
    assert len(outcome.document_ids) == DOCS
    assert outcome.findings.errors >= DOCS
    assert count(db, "checks") >= DOCS * LINKS_PER_DOC
    assert_consistent(db)
