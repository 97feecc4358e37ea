"""Initial schema: documents, links, checks, snapshot_lookups, drift_measurements, findings, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written against plain SQLAlchemy types, never the application's schema module, so this revision
keeps meaning the same thing when schema.py moves on.  Timestamps are DateTime(timezone=True);
the application's UTCDateTime decorates exactly that type.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("published_source", sa.String(length=64), nullable=True),
        sa.Column("published_raw", sa.Text(), nullable=True),
        sa.Column("original_url", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("copy_of_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("harvested_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["copy_of_id"], ["documents.id"], name=op.f("fk_documents_copy_of_id_documents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("source", name=op.f("uq_documents_source")),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("written", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("anchor_text", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_links_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    op.create_index(op.f("ix_links_document_id"), "links", ["document_id"])
    op.create_index(op.f("ix_links_url"), "links", ["url"])

    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("checked_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("hops", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_class", sa.String(length=128), nullable=True),
        sa.Column("elapsed_ms", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("content_length", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("target_published", sa.Date(), nullable=True),
        sa.Column("target_published_source", sa.String(length=64), nullable=True),
        sa.Column("target_published_raw", sa.Text(), nullable=True),
        sa.Column("soft_404_reason", sa.Text(), nullable=True),
        sa.Column("media_state", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index(op.f("ix_checks_url_checked_at"), "checks", ["url", "checked_at"])

    op.create_table(
        "snapshot_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("archive", sa.String(length=64), nullable=False),
        sa.Column("looked_up_at", UTC, nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("memento_url", sa.Text(), nullable=True),
        sa.Column("memento_datetime", UTC, nullable=True),
        sa.Column("memento_status", sa.Integer(), nullable=True),
        sa.Column("memento_original", sa.Text(), nullable=True),
        sa.Column("first_url", sa.Text(), nullable=True),
        sa.Column("first_datetime", UTC, nullable=True),
        sa.Column("first_status", sa.Integer(), nullable=True),
        sa.Column("first_original", sa.Text(), nullable=True),
        sa.Column("last_url", sa.Text(), nullable=True),
        sa.Column("last_datetime", UTC, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_original", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_lookups")),
    )
    op.create_index(
        op.f("ix_snapshot_lookups_url_archive_looked_up_at"), "snapshot_lookups", ["url", "archive", "looked_up_at"]
    )

    op.create_table(
        "drift_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("measured_at", UTC, nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("snapshot_archive", sa.String(length=64), nullable=False),
        sa.Column("snapshot_url", sa.Text(), nullable=False),
        sa.Column("snapshot_datetime", UTC, nullable=False),
        sa.Column("snapshot_original", sa.Text(), nullable=True),
        sa.Column("snapshot_status", sa.Integer(), nullable=True),
        sa.Column("live_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("snapshot_fingerprint", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drift_measurements")),
    )
    op.create_index(op.f("ix_drift_measurements_url_measured_at"), "drift_measurements", ["url", "measured_at"])

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_findings_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index(op.f("ix_findings_document_id"), "findings", ["document_id"])

    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )


def downgrade() -> None:
    for table in ("runs", "findings", "drift_measurements", "snapshot_lookups", "checks", "links", "documents"):
        op.drop_table(table)
