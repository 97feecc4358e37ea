"""`provenance report`: the list, every named report in every format, the filters, the whole report,
robust-links, and `audit --format html`; all on a database built by a real loopback audit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from audited import (
    DEEP,
    FLAKY,
    FUTURE,
    GONE,
    MOVED,
    OK_STORY,
    AuditedDb,
    FixtureSite,
    fixture_config,
    write_fixture_folder,
)
from audited import rows as query_rows
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import run_cli
from loopback import serve

from provenance.cli import main
from provenance.report.named import NAMED_REPORTS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def run(db: AuditedDb, *args: str) -> tuple[int, str, str]:
    """The click command in-process (real database, real formatters): exit code, stdout, stderr."""
    result = CliRunner().invoke(main, ["report", "--db", db.url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def view_rows(db: AuditedDb, view: str) -> list[dict]:
    return query_rows(db, f"SELECT * FROM {view}")


def test_report_without_a_name_lists_every_report_with_a_description(audited_db: AuditedDb) -> None:
    code, out, _ = run(audited_db)
    assert code == 0
    listed = {line.split()[0]: line for line in out.splitlines()}
    assert set(listed) == set(NAMED_REPORTS) | {"audit", "robust-links"}
    assert {
        "dead_links",
        "findings",
        "domain_health",
        "link_history",
        "unarchived",
        "anachronisms",
        "documents_by_rot",
        "copies",
        "current_status",
    } <= set(listed)
    assert all(len(line.split()) > 3 for line in listed.values())  # a description, not just a name


@pytest.mark.parametrize("name", sorted(NAMED_REPORTS))
def test_named_report_json_is_exactly_the_view(audited_db: AuditedDb, name: str) -> None:
    code, out, err = run(audited_db, name, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    expected = view_rows(audited_db, NAMED_REPORTS[name].view)
    for row in expected:  # JSON held as text in the database comes out nested
        if "evidence" in row:
            row["evidence"] = json.loads(row["evidence"])
    assert data["report"] == name and len(data["rows"]) == len(expected) > 0
    key = lambda row: json.dumps(row, sort_keys=True, default=str)  # noqa: E731
    assert sorted(map(key, data["rows"])) == sorted(map(key, expected))


@pytest.mark.parametrize("name", sorted(NAMED_REPORTS))
def test_named_report_in_table_csv_and_html(audited_db: AuditedDb, name: str) -> None:
    expected = view_rows(audited_db, NAMED_REPORTS[name].view)
    code, table, _ = run(audited_db, name)
    readable = [
        c
        for c in expected[0]
        if not (c.endswith("_id") and c[:-3] in expected[0]) and c not in ("severity_rank", "evidence")
    ]
    assert code == 0 and table.splitlines()[0].split() == readable
    assert ".000000" not in table  # times to the second
    assert table.rstrip().endswith(f"({len(expected)} row{'s' if len(expected) != 1 else ''})")
    code, text, _ = run(audited_db, name, "--format", "csv")
    parsed = list(csv.reader(io.StringIO(text)))
    assert code == 0 and parsed[0] == list(expected[0]) and len(parsed) == len(expected) + 1
    code, page, _ = run(audited_db, name, "--format", "html")
    soup = BeautifulSoup(page, "html.parser")
    assert code == 0 and [th.get_text() for th in soup.find_all("th")] == list(expected[0])
    assert len(soup.find("tbody").find_all("tr")) == len(expected)
    assert soup.find(attrs={"data-count": "rows"}).get_text() == str(len(expected))


def _json_rows(db: AuditedDb, *args: str) -> list[dict]:
    code, out, err = run(db, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)["rows"]


def test_document_filter(audited_db: AuditedDb) -> None:
    assert [(r["document"], r["url"]) for r in _json_rows(audited_db, "dead_links", "--document", "d3")] == [
        ("d3", GONE)
    ]
    assert len(_json_rows(audited_db, "dead_links", "--document", "3")) == 1
    assert [r["copy"] for r in _json_rows(audited_db, "copies", "--document", "d1")] == ["d2"]  # as original
    assert _json_rows(audited_db, "copies", "--document", "d3") == []


def test_domain_filter_takes_any_host_of_the_domain(audited_db: AuditedDb) -> None:
    rows = _json_rows(audited_db, "domain_health", "--domain", "www.example.org")
    assert [(r["domain"], r["soft_404"]) for r in rows] == [("example.org", 1)]
    urls = {r["url"] for r in _json_rows(audited_db, "dead_links", "--domain", "example.org")}
    assert urls == {DEEP}


def test_kind_filter(audited_db: AuditedDb) -> None:
    rows = _json_rows(audited_db, "findings", "--kind", "temporal_mismatch")
    assert {(r["document"], r["url"]) for r in rows} == {("d1", FUTURE), ("d2", FUTURE)}
    assert {r["url"] for r in _json_rows(audited_db, "current_status", "--kind", "redirected")} == {MOVED}
    assert _json_rows(audited_db, "findings", "--kind", "blocked_url") == []  # a kind with no findings here


def test_since_filter(audited_db: AuditedDb) -> None:
    rows = _json_rows(audited_db, "link_history", "--since", "2026-03-02")
    assert len(rows) == 6 and {r["checked_at"][:10] for r in rows} == {"2026-03-03"}
    assert len(_json_rows(audited_db, "link_history", "--since", "2026-03-01T00:00:00Z")) == 12
    dead_now = {r["url"] for r in _json_rows(audited_db, "link_history", "--since", "2026-03-02", "--kind", "dead")}
    assert dead_now == {GONE, FLAKY}
    assert _json_rows(audited_db, "anachronisms", "--since", "2023-01-01") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["domain_health", "--kind", "dead"], "--kind does not apply to report domain_health"),
        (["findings", "--kind", "dead_links"], "--kind 'dead_links' is not a finding kind (known: dead_link,"),
        (["dead_links", "--kind", "404"], "--kind '404' is not a link status (known: alive, dead,"),
        (["dead_links", "--since", "last tuesday"], "--since wants an ISO date"),
        (["dead_links", "--document", "article.html"], "--document wants a document id"),
        (["no_such_report"], "no report named 'no_such_report'"),
        (["--domain", "example.org"], "filters need a report NAME"),
        (["dead_links", "--sql", "SELECT 1"], "not both"),
        (["robust-links"], "--document ID"),
        (["robust-links", "--document", "d99"], "no document d99"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(audited_db: AuditedDb, args: list[str], message: str) -> None:
    code, out, err = run(audited_db, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_report_format_json_without_a_name_is_the_contract_report(audited_db: AuditedDb) -> None:
    code, out, _ = run(audited_db, "--format", "json")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert code == 0 and len(data["documents"]) == 3 and len(data["links"]) == 13
    code, out, _ = run(audited_db, "audit", "--format", "json", "--document", "d3")
    assert [d["id"] for d in json.loads(out)["documents"]] == ["d3"]
    code, out, _ = run(audited_db, "audit")
    assert code == 0 and out.rstrip().splitlines()[-1].startswith("3 documents, 13 links")


def test_report_html_to_a_file(audited_db: AuditedDb, tmp_path: Path) -> None:
    code, _, err = run(audited_db, "--format", "html", "-o", str(tmp_path / "report.html"))
    assert code == 0, err
    soup = BeautifulSoup((tmp_path / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find(attrs={"data-count": "documents"}).get_text() == "3"
    assert {f["data-chart"] for f in soup.find_all("figure")} == {"health", "domains", "kinds"}
    assert soup.find_all("script") == [] and not soup.find_all(src=True)


def test_robust_links_decorates_an_html_document(audited_db: AuditedDb) -> None:
    code, out, _ = run(audited_db, "robust-links", "--document", "d1")
    soup = BeautifulSoup(out, "html.parser")
    decorated = {a["href"]: a for a in soup.find_all("a", attrs={"data-versionurl": True})}
    assert code == 0 and list(decorated) == [OK_STORY]  # the only archived citation
    assert decorated[OK_STORY]["data-versionurl"].endswith(f"/web/20220110120000/{OK_STORY}")
    assert decorated[OK_STORY]["data-versiondate"] == "2022-01-10"
    assert soup.find("a", href=GONE) is not None and soup.title.get_text() == "Bridge reopens after repairs"


def test_robust_links_of_a_markdown_document_is_the_replacement_list(audited_db: AuditedDb) -> None:
    code, out, _ = run(audited_db, "robust-links", "--document", "d3")
    assert code == 0 and out == f"{GONE} (dead): no archived copy found\n"


def test_sql_reads_rows_and_refuses_a_write(audited_db: AuditedDb) -> None:
    """`report --sql` in-process; test_report_sql.py runs every kind of write in a real process."""
    assert _json_rows(audited_db, "--sql", "SELECT count(*) AS n FROM dead_links WHERE document = 'd3'") == [{"n": 1}]
    findings = query_rows(audited_db, "SELECT count(*) AS n FROM findings")
    code, out, err = run(audited_db, "--sql", "DELETE FROM findings")
    assert code == 2 and out == ""
    assert "DELETE findings" in err and "nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert query_rows(audited_db, "SELECT count(*) AS n FROM findings") == findings and findings[0]["n"] > 0


@pytest.mark.slow  # CLI subprocess
def test_audit_format_html_over_the_network(tmp_path: Path) -> None:
    """The one-off `audit --format html` in a subprocess, against the loopback sites."""
    folder = write_fixture_folder(tmp_path / "docs")
    with serve(FixtureSite()) as server:
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(fixture_config(server.base, server.netloc)))
        result = run_cli(
            "audit",
            str(folder),
            "--format",
            "html",
            "--quiet",
            "--config",
            str(tmp_path / "config.yaml"),
            "--db",
            f"sqlite:///{tmp_path / 'p.sqlite'}",
            cwd=tmp_path,
        )
    assert result.returncode == 1, result.stderr  # dead links are findings of severity error
    assert result.stderr == ""
    soup = BeautifulSoup(result.stdout, "html.parser")
    assert soup.find(attrs={"data-count": "links"}).get_text() == "13"
    assert int(soup.find(attrs={"data-count": "dead"}).get_text()) == 3  # GONE in three documents
    assert len(soup.find_all("svg")) == 3


@pytest.mark.slow  # CLI subprocesses
def test_readme_report_examples_are_real_output(seeds_dir: Path, tmp_path: Path) -> None:
    """Each `$ provenance report ...` in the README's Reports section, run on the seeds, prints what it shows."""
    import re
    import shlex
    import shutil

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reports", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    audit = run_cli("audit", "seeds/", "--offline", cwd=tmp_path)
    assert audit.returncode == 0, audit.stderr
    examples = [part for block in blocks for part in block.split("$ ")[1:]]
    assert len(examples) >= 3
    for example in examples:
        command, _, shown = example.partition("\n")
        args = shlex.split(command)
        assert args[:2] == ["provenance", "report"]
        result = run_cli(*args[1:], cwd=tmp_path)
        assert result.stdout + result.stderr == shown, command
