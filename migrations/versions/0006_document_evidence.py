"""What a document says of its own copy: when it was captured, and its file metadata.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

`captured` (with its source and raw text, as `published` has) is when this copy was made, where
the document says so: the print time in a browser's print header.  `evidence` holds what a file
says of itself that is not content (a PDF's creation and modification dates, a Word file's core
properties), as JSON: evidence of when the file was made, not its publication date.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from provenance.store.migrate import views_set_aside

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("captured", sa.Date()),
    ("captured_source", sa.String(64)),
    ("captured_raw", sa.Text()),
    ("evidence", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with views_set_aside(op), op.batch_alter_table("documents") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
