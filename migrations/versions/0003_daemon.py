"""The daemon's own state: its jobs (what is due, what each did last) and the lease lock.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

Why tables and not APScheduler's job store: a restart must resume from what the database says,
and pickled jobs would tie the stored state to code that changes.  `daemon_jobs` is
current state (one row per configured job); the history of every run stays in `runs`.
`leases` holds at most one row per lock name; a daemon owns the lock while `expires_at` is ahead
of the clock and renews it from a heartbeat, so a holder killed with SIGKILL is replaced once its
lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "daemon_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("every_s", sa.Float(), nullable=False),
        sa.Column("next_run_at", UTC, nullable=True),
        sa.Column("last_started_at", UTC, nullable=True),
        sa.Column("last_finished_at", UTC, nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UTC, nullable=True),
        sa.Column("last_detail", sa.JSON(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daemon_jobs")),
        sa.UniqueConstraint("name", name=op.f("uq_daemon_jobs_name")),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("acquired_at", UTC, nullable=False),
        sa.Column("renewed_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("daemon_jobs")
