"""A document is identified by where it was read from, not by how its path was spelled.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

`location` is the resolved real path of a file (or the URL it was fetched from): `a.txt`,
`./a.txt` and `/home/me/a.txt` are one document, and two folders' `seeds/a.txt` are two.  `source`
stays the name the user gave and the report shows, so it is no longer unique.  Rows stored before
keep no location (where they were read from is not known here); the next harvest that reads the
same `source` adopts the row and records its location.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from provenance.store.migrate import views_set_aside

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with views_set_aside(op), op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("location", sa.Text(), nullable=True))
        batch.drop_constraint("uq_documents_source", type_="unique")
        batch.create_index("ix_documents_source", ["source"])
        batch.create_unique_constraint("uq_documents_location", ["location"])
    op.execute("UPDATE documents SET location = source WHERE source LIKE 'http://%' OR source LIKE 'https://%'")


def downgrade() -> None:
    # Two rows may share a source now; the older schema holds one per source.
    op.execute("DELETE FROM documents WHERE id NOT IN (SELECT MAX(id) FROM documents GROUP BY source)")
    with views_set_aside(op), op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_location", type_="unique")
        batch.drop_index("ix_documents_source")
        batch.drop_column("location")
        batch.create_unique_constraint("uq_documents_source", ["source"])
