"""Every named report view, on the database a real loopback audit of tests/audited.py's fixture
folder built (conftest.py's `audited_db`): audited on day 1, re-checked on day 3.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from audited import DEEP, FLAKY, FUTURE, GONE, MOVED, OK_STORY, AuditedDb, rows

from provenance import pipeline
from provenance.config import config_from_mapping
from provenance.store.migrate import open_store

# --- one test per view ------------------------------------------------------------------------


def test_current_status_is_each_links_latest_check(audited_db: AuditedDb) -> None:
    got = {
        (r["document"], r["url"]): (r["status"], r["http_status"], r["checked_at"][:10])
        for r in rows(audited_db, "SELECT * FROM current_status")
    }
    assert len(got) == 6 + 5 + 2  # article, its copy without MOVED, the notes
    assert got[("d1", FLAKY)] == ("dead", 410, "2026-03-03")  # alive on day 1; the latest check wins
    assert got[("d1", OK_STORY)] == ("alive", 200, "2026-03-03")
    assert got[("d1", DEEP)][0] == "soft_404"
    assert got[("d1", MOVED)][0] == "redirected"
    assert got[("d3", GONE)] == ("dead", 404, "2026-03-03")
    domains = {r["url"]: r["domain"] for r in rows(audited_db, "SELECT url, domain FROM current_status")}
    assert domains[OK_STORY] == "example.co.uk" and domains[MOVED] == "example.net"


def test_dead_links_lists_dead_and_soft_404_per_citing_document(audited_db: AuditedDb) -> None:
    got = sorted((r["document"], r["url"], r["status"]) for r in rows(audited_db, "SELECT * FROM dead_links"))
    assert got == sorted(
        [
            ("d1", GONE, "dead"),
            ("d1", FLAKY, "dead"),
            ("d1", DEEP, "soft_404"),
            ("d2", GONE, "dead"),
            ("d2", FLAKY, "dead"),
            ("d2", DEEP, "soft_404"),
            ("d3", GONE, "dead"),
        ]
    )


def test_report_findings_view_carries_kind_severity_document_and_url(audited_db: AuditedDb) -> None:
    got = rows(audited_db, "SELECT * FROM report_findings")
    table = rows(audited_db, "SELECT kind, severity, document_id, url FROM findings")
    assert len(got) == len(table) > 0
    kinds = {(r["kind"], r["severity"], r["document"], r["url"]) for r in got}
    assert ("temporal_mismatch", "error", "d1", FUTURE) in kinds
    assert ("dead_link", "error", "d3", GONE) in kinds
    assert ("redirect_changed", "warning", "d1", MOVED) in kinds
    assert ("copy_divergence", "warning", "d2", None) in kinds
    assert all(r["severity_rank"] == {"error": 0, "warning": 1, "info": 2}[r["severity"]] for r in got)
    assert all(r["source"].endswith((".html", ".md")) for r in got)


def test_domain_health_counts_distinct_urls_per_registrable_domain(audited_db: AuditedDb) -> None:
    got = {r["domain"]: r for r in rows(audited_db, "SELECT * FROM domain_health")}
    assert set(got) == {"example.co.uk", "example.org", "example.net"}
    news = got["example.co.uk"]
    assert (news["links"], news["checked"], news["alive"], news["dead"], news["soft_404"]) == (3, 3, 1, 2, 0)
    assert news["share_rotten"] == pytest.approx(0.667)
    blog = got["example.org"]
    assert (blog["links"], blog["alive"], blog["soft_404"], blog["share_rotten"]) == (2, 1, 1, 0.5)
    shop = got["example.net"]
    assert (shop["moved"], shop["share_rotten"]) == (1, 0.0)


def test_link_history_shows_every_check_and_the_change(audited_db: AuditedDb) -> None:
    flaky = rows(audited_db, "SELECT * FROM link_history WHERE url = ? ORDER BY checked_at", FLAKY)
    assert [(r["checked_at"][:10], r["status"], r["previous_status"], r["changed"]) for r in flaky] == [
        ("2026-03-01", "alive", None, 1),
        ("2026-03-03", "dead", "alive", 1),
    ]
    gone = rows(audited_db, "SELECT * FROM link_history WHERE url = ? ORDER BY checked_at", GONE)
    assert [(r["status"], r["changed"]) for r in gone] == [("dead", 1), ("dead", 0)]
    assert len(rows(audited_db, "SELECT * FROM link_history")) == 2 * 6  # six URLs, checked twice


def test_unarchived_lists_alive_links_no_archive_holds(audited_db: AuditedDb) -> None:
    got = rows(audited_db, "SELECT * FROM unarchived")
    # OK_STORY is alive but archived; GONE/FLAKY/DEEP are not alive; MOVED is redirected, not alive.
    assert [(r["url"], r["domain"], r["documents"], r["first_document"]) for r in got] == [
        (FUTURE, "example.org", 2, "d1")
    ]
    assert got[0]["lookups"] >= 1  # it was asked, and the archive said no


def test_anachronisms_come_with_both_dates(audited_db: AuditedDb) -> None:
    got = rows(audited_db, "SELECT * FROM anachronisms")
    assert [
        (r["document"], r["url"], r["document_published"], r["target_date"], r["target_date_source"]) for r in got
    ] == [
        ("d1", FUTURE, "2022-01-21", "2024-03-01", "url_path"),
        ("d2", FUTURE, "2022-01-21", "2024-03-01", "url_path"),
    ]
    assert {r["document_date_source"] for r in got} == {"meta:article:published_time"}


def test_a_copy_shows_its_originals_date_and_title(seeds_dir: Path, tmp_path: Path) -> None:
    """The seeds' PDF text has no title or date of its own: the views inherit them, as the JSON report does."""
    engine = open_store(f"sqlite:///{tmp_path / 'seeds.sqlite'}")
    pipeline.audit(engine, config_from_mapping({}), [str(seeds_dir)], None)  # offline: no client
    engine.dispose()
    db = AuditedDb(tmp_path / "seeds.sqlite", "", seeds_dir, {})
    [anachronism] = rows(db, "SELECT * FROM anachronisms")
    assert (anachronism["document"], anachronism["document_published"]) == ("d2", "2022-01-21")
    assert anachronism["document_date_source"].startswith("copy_of")
    by_rot = {r["document"]: r for r in rows(db, "SELECT * FROM documents_by_rot")}
    assert by_rot["d2"]["title"] == by_rot["d1"]["title"] == "Russia, U.S. Agree to Talk Security Demands Next Week"
    assert by_rot["d2"]["published"] == "2022-01-21"
    [pair] = rows(db, "SELECT * FROM copies")
    assert (pair["copy"], pair["original"], pair["title_differs"]) == ("d2", "d1", 0)
    # The copy's two links (video, related article) are not in the original, whose three are lost.
    assert (pair["copy_links"], pair["original_links"], pair["only_in_copy"], pair["only_in_original"]) == (2, 0, 2, 0)
    assert (pair["lost_in_copy"], pair["lost_in_original"]) == (0, 3)


def test_documents_by_rot_ranks_by_share_of_rotten_citations(audited_db: AuditedDb) -> None:
    got = rows(audited_db, "SELECT * FROM documents_by_rot ORDER BY share_rotten DESC, document_id")
    assert [(r["document"], r["citations"], r["checked"], r["rotten"], r["share_rotten"]) for r in got] == [
        ("d2", 5, 5, 3, 0.6),
        ("d1", 6, 6, 3, 0.5),
        ("d3", 2, 2, 1, 0.5),
    ]


def test_copies_pairs_the_copy_with_its_original_and_what_differs(audited_db: AuditedDb) -> None:
    [pair] = rows(audited_db, "SELECT * FROM copies")
    assert (pair["copy"], pair["original"]) == ("d2", "d1")
    assert (pair["copy_links"], pair["original_links"]) == (5, 6)
    assert (pair["only_in_copy"], pair["only_in_original"]) == (0, 1)
    assert pair["title_differs"] == 0 and pair["published_differs"] == 0
    assert pair["divergence_findings"] == 1


def test_views_work_in_the_plain_sqlite3_shell(audited_db: AuditedDb) -> None:
    """What Datasette or the sqlite3 shell would see: the views need nothing from Python."""
    import shutil
    import subprocess

    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.fail("the sqlite3 shell is needed for this test (apt-get install sqlite3)")
    out = subprocess.run(
        [shell, "-csv", str(audited_db.path), "SELECT domain, dead FROM domain_health ORDER BY domain"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert out.splitlines() == ["example.co.uk,2", "example.net,0", "example.org,0"]
    views = [r["name"] for r in rows(audited_db, "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")]
    counts = " UNION ALL ".join(f"SELECT '{v}', count(*) FROM {v}" for v in views)
    out = subprocess.run(
        [shell, "-csv", str(audited_db.path), counts], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    expected = [f"{v},{rows(audited_db, f'SELECT count(*) AS n FROM {v}')[0]['n']}" for v in views]
    assert len(views) >= 9 and out.splitlines() == expected


def test_links_domain_is_back_filled_by_the_migration(tmp_path: Path) -> None:
    """A database harvested before revision 0002 gets its links' domains when upgraded."""
    from provenance.store.db import make_engine
    from provenance.store.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (id, source, format, text, fingerprint, harvested_at, updated_at) "
            "VALUES (1, 'a.html', 'html', 't', 'f', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO links (document_id, position, url, role) VALUES "
            "(1, 0, 'https://www.bbc.co.uk/news/x', 'cited'), (1, 1, NULL, 'lost')"
        )
    open_store(f"sqlite:///{tmp_path / 'old.sqlite'}").dispose()
    with sqlite3.connect(tmp_path / "old.sqlite") as conn:
        assert conn.execute("SELECT url, domain FROM links ORDER BY position").fetchall() == [
            ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
            (None, None),
        ]


def test_revision_0002_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from provenance.store.migrate import downgrade

    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    engine = open_store(url)
    downgrade(engine, "0001")
    engine.dispose()
    with sqlite3.connect(tmp_path / "p.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'view'").fetchone() == (0,)
        assert "domain" not in [r[1] for r in conn.execute("PRAGMA table_info(links)")]
    open_store(url).dispose()
    with sqlite3.connect(tmp_path / "p.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'view'").fetchone()[0] >= 9


# --- docs/schema.md stays true ------------------------------------------------------------------

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_every_example_query_in_the_schema_doc_runs(audited_db: AuditedDb) -> None:
    blocks = re.findall(r"```sql\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"), re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    assert len(statements) >= 6
    answered = [rows(audited_db, statement) for statement in statements]
    assert answered[0] and all(isinstance(r, list) for r in answered)  # the first (dead links) has rows


def test_schema_doc_names_every_table_column_and_view(audited_db: AuditedDb) -> None:
    from provenance.store.schema import metadata

    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    missing = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if f"`{table.name}`" not in doc or f"`{column.name}`" not in doc
    ]
    assert missing == []
    views = [r["name"] for r in rows(audited_db, "SELECT name FROM sqlite_master WHERE type = 'view'")]
    assert len(views) >= 9 and [v for v in views if f"`{v}`" not in doc] == []
    for view in views:
        columns = [r["name"] for r in rows(audited_db, f"SELECT name FROM pragma_table_info('{view}')")]
        assert [c for c in columns if f"`{c}`" not in doc] == [], view
