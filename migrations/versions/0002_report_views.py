"""Named reports as SQL views, and links.domain (the registrable domain) they group by.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Why views: `provenance report NAME` selects from the view of that name, so the `sqlite3` shell,
Datasette or any other SQLite client sees exactly what the command shows.

Why a stored `domain` column: the registrable domain ("eTLD+1") needs the Public Suffix List,
which SQL cannot compute; `repo.save_harvest` fills it from `provenance.domains`, and this
revision back-fills the rows harvested before it existed (not in an offline `--sql` script, which
cannot read rows; links saved afterwards get theirs at save time).

Vocabulary shared by the views:
- a link's *current status* is the status of the latest check of its URL (`unchecked` if none;
  a link without a URL is `invalid`, or `unchecked` when its role is `lost`, as in the JSON report);
- *rotten* means `dead` or `soft_404`; `share_rotten` is rotten / checked, 3 decimals;
- a copy without its own title or date shows its original's, as the JSON report does;
- the `findings` report is the view `report_findings` (the table `findings` has that name).

The SQL sticks to what SQLite (>= 3.25, window functions) and PostgreSQL both accept, except the
JSON look-up in `anachronisms`, which is chosen per dialect.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL_BATCH = 1000

LATEST_CHECKS = """
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.url ORDER BY c.checked_at DESC, c.id DESC) AS rank_
    FROM checks c
"""

CURRENT_STATUS = f"""
CREATE VIEW current_status AS
WITH latest AS ({LATEST_CHECKS})
SELECT l.id AS link_id,
       'd' || d.id AS document,
       d.id AS document_id,
       d.source AS source,
       l.position AS position,
       l.role AS role,
       COALESCE(l.url, l.written) AS url,
       l.domain AS domain,
       l.anchor_text AS anchor_text,
       CASE WHEN l.url IS NULL THEN (CASE WHEN l.role = 'lost' THEN 'unchecked' ELSE 'invalid' END)
            ELSE COALESCE(latest.status, 'unchecked') END AS status,
       latest.http_status AS http_status,
       latest.final_url AS final_url,
       latest.checked_at AS checked_at,
       latest.error AS error,
       latest.soft_404_reason AS soft_404_reason,
       latest.title AS target_title
FROM links l
JOIN documents d ON d.id = l.document_id
LEFT JOIN latest ON latest.url = l.url AND latest.rank_ = 1
"""

LATEST_SNAPSHOT = """(SELECT s.memento_url FROM snapshot_lookups s
     WHERE s.url = cs.url AND s.found AND s.memento_url IS NOT NULL
     ORDER BY s.looked_up_at DESC, s.id DESC LIMIT 1)"""

DEAD_LINKS = f"""
CREATE VIEW dead_links AS
SELECT cs.document, cs.document_id, cs.source, cs.role, cs.url, cs.domain, cs.anchor_text, cs.status,
       cs.http_status, cs.final_url, cs.checked_at,
       {LATEST_SNAPSHOT} AS snapshot_url
FROM current_status cs
WHERE cs.status IN ('dead', 'soft_404')
"""

REPORT_FINDINGS = """
CREATE VIEW report_findings AS
SELECT f.id AS finding_id,
       f.kind AS kind,
       f.severity AS severity,
       CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END AS severity_rank,
       CASE WHEN f.document_id IS NULL THEN NULL ELSE 'd' || f.document_id END AS document,
       f.document_id AS document_id,
       d.source AS source,
       f.url AS url,
       f.message AS message,
       f.evidence AS evidence,
       f.created_at AS created_at
FROM findings f
LEFT JOIN documents d ON d.id = f.document_id
"""

DOMAIN_HEALTH = f"""
CREATE VIEW domain_health AS
WITH latest AS ({LATEST_CHECKS}),
urls AS (SELECT DISTINCT l.url AS url, l.domain AS domain FROM links l WHERE l.url IS NOT NULL),
per_url AS (SELECT u.domain AS domain, u.url AS url, latest.status AS status
            FROM urls u LEFT JOIN latest ON latest.url = u.url AND latest.rank_ = 1),
counted AS (
    SELECT COALESCE(domain, '') AS domain,
           COUNT(*) AS links,
           SUM(CASE WHEN status IS NOT NULL THEN 1 ELSE 0 END) AS checked,
           SUM(CASE WHEN status = 'alive' THEN 1 ELSE 0 END) AS alive,
           SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead,
           SUM(CASE WHEN status = 'soft_404' THEN 1 ELSE 0 END) AS soft_404,
           SUM(CASE WHEN status = 'redirected' THEN 1 ELSE 0 END) AS moved,
           SUM(CASE WHEN status = 'unreachable' THEN 1 ELSE 0 END) AS unreachable
    FROM per_url GROUP BY COALESCE(domain, ''))
SELECT domain, links, checked, alive, dead, soft_404, moved, unreachable,
       CASE WHEN checked = 0 THEN NULL ELSE ROUND(1.0 * (dead + soft_404) / checked, 3) END AS share_rotten
FROM counted
"""

LINK_HISTORY = """
CREATE VIEW link_history AS
SELECT c.id AS check_id,
       c.url AS url,
       (SELECT MIN(l.domain) FROM links l WHERE l.url = c.url) AS domain,
       c.checked_at AS checked_at,
       c.status AS status,
       c.http_status AS http_status,
       c.final_url AS final_url,
       c.error AS error,
       LAG(c.status) OVER (PARTITION BY c.url ORDER BY c.checked_at, c.id) AS previous_status,
       CASE WHEN LAG(c.status) OVER (PARTITION BY c.url ORDER BY c.checked_at, c.id) IS NULL THEN 1
            WHEN LAG(c.status) OVER (PARTITION BY c.url ORDER BY c.checked_at, c.id) <> c.status THEN 1
            ELSE 0 END AS changed
FROM checks c
"""

UNARCHIVED = f"""
CREATE VIEW unarchived AS
WITH latest AS ({LATEST_CHECKS})
SELECT l.url AS url,
       MIN(l.domain) AS domain,
       COUNT(DISTINCT l.document_id) AS documents,
       MIN('d' || l.document_id) AS first_document,
       MIN(latest.checked_at) AS checked_at,
       (SELECT COUNT(*) FROM snapshot_lookups s WHERE s.url = l.url) AS lookups
FROM links l
JOIN latest ON latest.url = l.url AND latest.rank_ = 1
WHERE latest.status = 'alive'
  AND NOT EXISTS (SELECT 1 FROM snapshot_lookups s WHERE s.url = l.url AND s.found)
GROUP BY l.url
"""

ANACHRONISMS = """
CREATE VIEW anachronisms AS
SELECT 'd' || f.document_id AS document,
       f.document_id AS document_id,
       d.source AS source,
       COALESCE({document_date}, d.published) AS document_published,
       {document_source} AS document_date_source,
       f.url AS url,
       {target_date} AS target_date,
       {target_source} AS target_date_source,
       f.severity AS severity,
       f.message AS message
FROM findings f
JOIN documents d ON d.id = f.document_id
WHERE f.kind = 'temporal_mismatch'
"""

DOCUMENTS_BY_ROT = """
CREATE VIEW documents_by_rot AS
WITH counted AS (
    SELECT cs.document_id AS document_id,
           COUNT(*) AS citations,
           SUM(CASE WHEN cs.checked_at IS NOT NULL THEN 1 ELSE 0 END) AS checked,
           SUM(CASE WHEN cs.status = 'dead' THEN 1 ELSE 0 END) AS dead,
           SUM(CASE WHEN cs.status = 'soft_404' THEN 1 ELSE 0 END) AS soft_404
    FROM current_status cs
    WHERE cs.role <> 'original' AND cs.link_id IN (SELECT id FROM links WHERE url IS NOT NULL)
    GROUP BY cs.document_id)
SELECT 'd' || d.id AS document,
       d.id AS document_id,
       d.source AS source,
       COALESCE(d.title, o.title) AS title,
       COALESCE(d.published, o.published) AS published,
       COALESCE(c.citations, 0) AS citations,
       COALESCE(c.checked, 0) AS checked,
       COALESCE(c.dead, 0) + COALESCE(c.soft_404, 0) AS rotten,
       CASE WHEN COALESCE(c.checked, 0) = 0 THEN NULL
            ELSE ROUND(1.0 * (c.dead + c.soft_404) / c.checked, 3) END AS share_rotten
FROM documents d
LEFT JOIN documents o ON o.id = d.copy_of_id
LEFT JOIN counted c ON c.document_id = d.id
"""

COPIES = """
CREATE VIEW copies AS
SELECT 'd' || c.id AS copy,
       c.id AS copy_id,
       c.source AS copy_source,
       'd' || o.id AS original,
       o.id AS original_id,
       o.source AS original_source,
       CASE WHEN c.title IS NULL OR o.title IS NULL THEN 0
            WHEN c.title <> o.title THEN 1 ELSE 0 END AS title_differs,
       CASE WHEN c.published IS NULL OR o.published IS NULL THEN 0
            WHEN c.published <> o.published THEN 1 ELSE 0 END AS published_differs,
       CASE WHEN c.fingerprint <> o.fingerprint THEN 1 ELSE 0 END AS text_differs,
       (SELECT COUNT(*) FROM links cl WHERE cl.document_id = c.id AND cl.url IS NOT NULL
          AND cl.role <> 'original') AS copy_links,
       (SELECT COUNT(*) FROM links ol WHERE ol.document_id = o.id AND ol.url IS NOT NULL
          AND ol.role <> 'original') AS original_links,
       (SELECT COUNT(DISTINCT cl.url) FROM links cl WHERE cl.document_id = c.id AND cl.url IS NOT NULL
          AND cl.role <> 'original'
          AND NOT EXISTS (SELECT 1 FROM links ol WHERE ol.document_id = o.id AND ol.url = cl.url))
         AS only_in_copy,
       (SELECT COUNT(DISTINCT ol.url) FROM links ol WHERE ol.document_id = o.id AND ol.url IS NOT NULL
          AND ol.role <> 'original'
          AND NOT EXISTS (SELECT 1 FROM links cl WHERE cl.document_id = c.id AND cl.url = ol.url))
         AS only_in_original,
       (SELECT COUNT(*) FROM links cl WHERE cl.document_id = c.id AND cl.role = 'lost') AS lost_in_copy,
       (SELECT COUNT(*) FROM links ol WHERE ol.document_id = o.id AND ol.role = 'lost') AS lost_in_original,
       (SELECT COUNT(*) FROM findings f WHERE f.kind = 'copy_divergence'
          AND f.document_id IN (c.id, o.id)) AS divergence_findings
FROM documents c
JOIN documents o ON o.id = c.copy_of_id
"""

# Dependency order: a view is created after, and dropped before, the views it selects from.
VIEWS: tuple[tuple[str, str], ...] = (
    ("current_status", CURRENT_STATUS),
    ("dead_links", DEAD_LINKS),
    ("report_findings", REPORT_FINDINGS),
    ("domain_health", DOMAIN_HEALTH),
    ("link_history", LINK_HISTORY),
    ("unarchived", UNARCHIVED),
    ("anachronisms", ANACHRONISMS),
    ("documents_by_rot", DOCUMENTS_BY_ROT),
    ("copies", COPIES),
)

_JSON_PATH = {  # evidence.<key>.<field> of a finding, per dialect
    "postgresql": "(f.evidence -> '{key}' ->> '{field}')",
    "sqlite": "json_extract(f.evidence, '$.{key}.{field}')",
}


def _view_sql(name: str, sql: str, dialect: str) -> str:
    """The anachronisms view reads both dates from the finding's evidence: a copy's date is inherited."""
    if name != "anachronisms":
        return sql
    path = _JSON_PATH.get(dialect, _JSON_PATH["sqlite"])
    fields = (("date", "value"), ("source", "source"))
    return sql.format(
        **{
            f"{key}_{short}": path.format(key=f"{key}_date", field=field)
            for key in ("document", "target")
            for short, field in fields
        }
    )


def _backfill_domains() -> None:
    from provenance.domains import registrable_domain  # the one definition of "registrable domain"

    if context.is_offline_mode():  # `alembic upgrade --sql` writes a script: no rows to read here
        return
    conn = op.get_bind()
    links = sa.table("links", sa.column("id", sa.Integer), sa.column("url", sa.Text), sa.column("domain", sa.Text))
    fill = sa.update(links).where(links.c.id == sa.bindparam("link_id")).values(domain=sa.bindparam("new_domain"))
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(links.c.id, links.c.url)
            .where(links.c.id > last_id, links.c.url.is_not(None), links.c.domain.is_(None))
            .order_by(links.c.id)
            .limit(_BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            fill, [{"link_id": link_id, "new_domain": registrable_domain(url) or None} for link_id, url in rows]
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("domain", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_links_domain"), ["domain"])
    _backfill_domains()
    dialect = op.get_bind().dialect.name
    for name, sql in VIEWS:
        op.execute(_view_sql(name, sql, dialect))


def downgrade() -> None:
    for name, _sql in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("links") as batch:
        batch.drop_index(batch.f("ix_links_domain"))
        batch.drop_column("domain")
