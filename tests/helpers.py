"""Small helpers shared by test files: a public resolver, a CLI runner, a page builder, a store of
given documents and copy detection over it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from provenance.harvest.copies import CopyRelation
from provenance.harvest.stored_copies import stored_copies
from provenance.net.guard import fixed_resolver
from provenance.records import StoredDocument
from provenance.store.db import session_scope
from provenance.store.migrate import open_store
from provenance.store.schema import documents

# Every host is this public address, so the private-address guard lets `responses`-mocked requests go.
PUBLIC = fixed_resolver("93.184.216.34")


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m provenance ARGS` in a child process, as a user runs it: its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "provenance", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def article_page(title: str, words: str) -> bytes:
    """A small HTML page with a title, a heading and one paragraph of WORDS."""
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{words}</p></main></body></html>"
    ).encode()


STORED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def store_documents(docs: list[StoredDocument], url: str = "sqlite://"):
    """A real store holding DOCS with their ids (as harvested earlier), not yet compared."""
    engine = open_store(url)
    with session_scope(engine) as session:
        for doc in docs:
            published = doc.published
            session.execute(
                insert(documents).values(
                    id=doc.id,
                    source=doc.source,
                    format=str(doc.format),
                    title=doc.title,
                    original_url=doc.original_url,
                    published=published.value if published else None,
                    published_source=published.source if published else None,
                    published_raw=published.raw if published else None,
                    text=doc.text,
                    fingerprint=doc.fingerprint,
                    harvested_at=STORED_AT,
                    updated_at=STORED_AT,
                )
            )
    return engine


def find_copies(docs: list[StoredDocument]) -> list[CopyRelation]:
    """Copy detection as the pipeline runs it: DOCS in a real store, sketched, compared."""
    with session_scope(store_documents(docs)) as session:
        return stored_copies(session)
