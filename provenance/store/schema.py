"""The tables, as SQLAlchemy Core metadata; Alembic revisions must reproduce exactly this.

Design decisions:
- Portable types only (String, Text, Integer, JSON, ...), so the same schema runs on PostgreSQL.
  Enum-valued columns are plain strings holding the records' StrEnum values (the contract's words),
  so adding a value never needs a migration and `sqlite3`/Datasette users read the same words.
- `checks` and `snapshot_lookups` are append-only history keyed on the URL, not on a link row:
  re-harvesting a document replaces its links without losing what was learned about their targets.
- `drift_measurements` is append-only too: the archive stage's live-vs-snapshot comparisons.
- `findings` is a derived table, replaced wholesale by each reconcile.
- Every timestamp goes through `UTCDateTime`, which stores UTC and always hands back aware values.
- A naming convention names every constraint, so later batch migrations on SQLite can drop them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as UTC and read back timezone-aware.

    SQLite has no timezone type and SQLAlchemy's SQLite DateTime drops tzinfo, so we store naive
    UTC text there (which still sorts correctly) and reattach UTC on the way out.  Naive values are
    refused on the way in: their zone is unknown, and guessing would shift history silently.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store needs timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False, index=True),  # the name given: shown, not unique
    Column("location", Text, unique=True),  # the resolved real path or URL: what identifies it
    Column("format", String(16), nullable=False),
    Column("title", Text),
    Column("published", Date),
    Column("published_source", String(64)),
    Column("published_raw", Text),
    Column("original_url", Text),
    Column("text", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("copy_of_id", Integer, ForeignKey("documents.id", ondelete="SET NULL")),
    Column("error", Text),
    Column("captured", Date),  # when this copy was made, where it says so (a print header)
    Column("captured_source", String(64)),
    Column("captured_raw", Text),
    Column("evidence", JSON),  # what the file says of itself: PDF/Word metadata dates, a print header
    Column("harvested_at", UTCDateTime, nullable=False),  # last time the source was read
    Column("updated_at", UTCDateTime, nullable=False),  # last time what it says changed
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("url", Text, index=True),
    Column("written", Text),
    Column("role", String(16), nullable=False),
    Column("anchor_text", Text),
    Column("context", Text),
    Column("domain", Text, index=True),  # registrable domain of url, filled at save time (reports group by it)
)

# Copy detection's index (harvest/copies.py): per document, the fingerprint its sketch was made
# from and its shingle count, and the sampled shingles themselves, so candidate pairs come from one
# query over the store instead of every document's shingle set held at once (memory grew with the
# whole corpus's text), and a document is sketched once, not on every harvest.
document_sketches = Table(
    "document_sketches",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("sampled", Integer, nullable=False),
)

sketch_shingles = Table(
    "sketch_shingles",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("shingle", BigInteger, nullable=False),
    Index(None, "shingle", "document_id"),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("http_status", Integer),
    Column("final_url", Text),
    Column("hops", JSON, nullable=False),
    Column("error", Text),
    Column("error_class", String(128)),
    Column("elapsed_ms", Float),
    Column("method", String(16)),
    Column("content_type", Text),
    Column("content_length", BigInteger),
    Column("title", Text),
    Column("text_fingerprint", String(64)),
    Column("target_published", Date),
    Column("target_published_source", String(64)),
    Column("target_published_raw", Text),
    Column("soft_404_reason", Text),
    Column("media_state", String(32)),
    Index(None, "url", "checked_at"),
)

snapshot_lookups = Table(
    "snapshot_lookups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("archive", String(64), nullable=False),
    Column("looked_up_at", UTCDateTime, nullable=False),
    Column("query", Text, nullable=False),
    Column("found", Boolean, nullable=False),
    Column("memento_url", Text),
    Column("memento_datetime", UTCDateTime),
    Column("memento_status", Integer),
    Column("memento_original", Text),
    Column("first_url", Text),
    Column("first_datetime", UTCDateTime),
    Column("first_status", Integer),
    Column("first_original", Text),
    Column("last_url", Text),
    Column("last_datetime", UTCDateTime),
    Column("last_status", Integer),
    Column("last_original", Text),
    Column("count", Integer),
    Column("error", Text),
    Index(None, "url", "archive", "looked_up_at"),
)

drift_measurements = Table(  # append-only: the archive stage's live-vs-snapshot comparisons
    "drift_measurements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("measured_at", UTCDateTime, nullable=False),
    Column("similarity", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("snapshot_archive", String(64), nullable=False),
    Column("snapshot_url", Text, nullable=False),
    Column("snapshot_datetime", UTCDateTime, nullable=False),
    Column("snapshot_original", Text),
    Column("snapshot_status", Integer),
    Column("live_fingerprint", String(64)),
    Column("snapshot_fingerprint", String(64)),
    Index(None, "url", "measured_at"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), index=True),
    Column("url", Text),
    Column("message", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A reconcile's new findings, written as the rules give them and moved into `findings` in one
# short transaction at the end: TEMPORARY, so it belongs to one connection, takes no lock on the
# database and is never migrated (its own MetaData, outside `metadata`).
staged_findings = Table(
    "staged_findings",
    MetaData(),
    Column("id", Integer, primary_key=True),  # the order the rules gave them in
    Column("kind", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("document_id", Integer),  # no foreign key: a TEMP table cannot reference the main database
    Column("url", Text),
    Column("message", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    prefixes=["TEMPORARY"],
)

# The documents a run is about (an audit's harvest, however many), for queries over their links
# paged in order: an IN (...) binds a few hundred ids, and a distinct count or a first appearance
# cannot be put together from chunks.  TEMPORARY and outside `metadata`, like staged_findings.
chosen_documents = Table(
    "chosen_documents",
    MetaData(),
    Column("id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)

# The URLs due a check when a check run began, in the order it takes them: fixed for the run (the
# run's own checks make them not due any more), read a page at a time.  TEMPORARY, as above.
due_snapshot = Table(
    "due_snapshot",
    MetaData(),
    Column("seq", Integer, primary_key=True),  # the check order
    Column("url", Text, nullable=False),
    prefixes=["TEMPORARY"],
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("detail", JSON, nullable=False),
)

daemon_jobs = Table(  # current state of each configured daemon job; the history is in `runs`
    "daemon_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),  # "check", "reconcile", "harvest <source>"
    Column("kind", String(16), nullable=False),
    Column("every_s", Float, nullable=False),
    Column("next_run_at", UTCDateTime),
    Column("last_started_at", UTCDateTime),
    Column("last_finished_at", UTCDateTime),
    Column("last_status", String(16)),
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
    Column("last_detail", JSON),
    Column("last_run_id", Integer),
)

leases = Table(  # a lock with expiry: one daemon per database; renewed by a heartbeat
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", Text, nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("renewed_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

save_requests = Table(  # append-only: every Save Page Now request actually sent (opt-in)
    "save_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # saved | submitted | rate_limited | refused | failed
    Column("snapshot_url", Text),
    Column("snapshot_datetime", UTCDateTime),
    Column("http_status", Integer),
    Column("error", Text),
    Index(None, "url", "requested_at"),
)
