"""Save Page Now requests: what was asked of the Internet Archive, when, and what it answered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Append-only like every other history table: capture requests are rate-limited and each one is
recorded.  Only requests actually sent are rows; a link the run had no time for is asked on a
later run and leaves no row.  The latest row per URL is what keeps a link from being asked again
before `archive.max_age`, since the archive's index takes hours to show a new capture.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "save_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("requested_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("snapshot_url", sa.Text(), nullable=True),
        sa.Column("snapshot_datetime", UTC, nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_save_requests")),
    )
    op.create_index(op.f("ix_save_requests_url_requested_at"), "save_requests", ["url", "requested_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_save_requests_url_requested_at"), table_name="save_requests")
    op.drop_table("save_requests")
