"""Copy detection's index: each document's sketch (sampled shingles) kept in the store.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Copy detection sketches each document text once, into these tables, and finds candidate pairs
with one query over them, so its memory does not grow with the store.  Documents stored before
this revision have no sketch yet: the next harvest makes them, one document at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_sketches",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.Column("sampled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            ondelete="CASCADE",
            name=op.f("fk_document_sketches_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_sketches")),
    )
    op.create_table(
        "sketch_shingles",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("shingle", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], ondelete="CASCADE", name=op.f("fk_sketch_shingles_document_id_documents")
        ),
    )
    op.create_index(op.f("ix_sketch_shingles_document_id"), "sketch_shingles", ["document_id"])
    op.create_index(op.f("ix_sketch_shingles_shingle_document_id"), "sketch_shingles", ["shingle", "document_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sketch_shingles_shingle_document_id"), table_name="sketch_shingles")
    op.drop_index(op.f("ix_sketch_shingles_document_id"), table_name="sketch_shingles")
    op.drop_table("sketch_shingles")
    op.drop_table("document_sketches")
