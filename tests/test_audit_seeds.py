"""The founding case, end to end: `provenance audit seeds/` on the two Moscow Times documents."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from provenance.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
GOLDEN = ROOT / "tests" / "data" / "golden" / "seeds.json"
ORIGINAL = "https://www.themoscowtimes.com/2022/01/21/russia-us-agree-to-talk-security-demands-next-week-a76117"
RELATED = (
    "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks"
)
VIDEO = "https://www.youtube.com/watch?v=tQ2PG1myG5c"
LABEL = "Little Hope of Breakthrough as U.S., Russia Hold High-Stakes Ukraine Talks"


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> tuple[int, dict]:
    work = tmp_path_factory.mktemp("audit")
    with contextlib.chdir(work):
        shutil.copytree(ROOT / "seeds", "seeds")
        result = CliRunner().invoke(
            main, ["audit", "seeds/", "--offline", "--format", "json", "--db", "sqlite:///audit.sqlite"]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def _doc(report, name):
    return next(d for d in report["documents"] if name in d["source"])


def test_report_is_valid_against_the_contract_schema(seeds_report):
    _, report = seeds_report
    jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_both_documents_published_on_the_articles_date_and_sources_as_given(seeds_report):
    _, report = seeds_report
    assert sorted(d["source"] for d in report["documents"]) == [
        "seeds/000_7490f935fa1dc7f3.txt",
        "seeds/001_c4e3b7df91f0d802.txt",
    ]
    assert {d["published"] for d in report["documents"]} == {"2022-01-21"}


def test_pdf_print_is_a_copy_of_the_web_page_and_inherits_its_original_url(seeds_report):
    _, report = seeds_report
    web, pdf = _doc(report, "000_"), _doc(report, "001_")
    assert web["copy_of"] is None and web["original_url"] == ORIGINAL
    assert pdf["copy_of"] == web["id"] and pdf["original_url"] == ORIGINAL
    assert web["title"] == "Russia, U.S. Agree to Talk Security Demands Next Week"


def test_related_article_dated_2024_is_an_anachronism_with_its_working(seeds_report):
    _, report = seeds_report
    pdf = _doc(report, "001_")
    [finding] = [f for f in report["findings"] if f["kind"] == "temporal_mismatch"]
    assert finding["document"] == pdf["id"] and finding["url"] == RELATED
    evidence = json.dumps(finding["evidence"])
    assert "2022-01-21" in evidence and "2024-05-06" in evidence and "836" in evidence
    assert "url_path" in evidence and "date_line" in evidence  # where each date came from
    assert "836 days" in finding["message"]
    assert "URL path" in finding["message"] and "inherited from d1" in finding["message"]


def test_related_label_matches_its_slug_so_no_title_mismatch(seeds_report):
    _, report = seeds_report
    assert [f for f in report["findings"] if f["kind"] == "title_mismatch"] == []
    related = [lk for lk in report["links"] if lk["url"] == RELATED]
    assert related and related[0]["role"] == "related" and related[0]["anchor_text"] == LABEL


def test_underlined_words_are_lost_links(seeds_report):
    _, report = seeds_report
    web = _doc(report, "000_")
    lost = {
        f["evidence"].get("anchor_text") or f["message"]
        for f in report["findings"]
        if f["kind"] == "lost_link" and f["document"] == web["id"]
    }
    assert any("said" in x for x in lost) and any("warned" in x for x in lost)
    lost_links = {lk["anchor_text"] for lk in report["links"] if lk["role"] == "lost" and lk["document"] == web["id"]}
    assert {"said", "warned"} <= lost_links


def test_copy_divergence_names_links_present_in_one_copy_only(seeds_report):
    _, report = seeds_report
    [finding] = [f for f in report["findings"] if f["kind"] == "copy_divergence"]
    evidence = json.dumps(finding["evidence"])
    assert VIDEO in evidence and RELATED in evidence


def test_video_print_is_an_embedded_link(seeds_report):
    _, report = seeds_report
    assert [lk["role"] for lk in report["links"] if lk["url"] == VIDEO] == ["embedded"]


def test_exit_code_follows_error_findings(seeds_report):
    code, report = seeds_report
    assert code == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)


def _stable(report: dict) -> dict:
    return {**report, "generated_at": "<generated_at>"}


def test_golden_report(seeds_report, regen_golden):
    """The whole report, frozen; rewrite only with `pytest --regen-golden` after reviewing the diff."""
    _, report = seeds_report
    if regen_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(_stable(report), indent=2, ensure_ascii=False) + "\n")
    assert _stable(report) == json.loads(GOLDEN.read_text())


@pytest.mark.slow  # two console-script subprocesses
def test_console_script_runs_offline_and_is_idempotent(tmp_path):
    """The installed `provenance` command, twice on one database: same documents, no duplicates."""
    exe = Path(sys.executable).with_name("provenance")
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    runs = [
        subprocess.run(
            [str(exe), "audit", str(ROOT / "seeds"), "--offline", "--format", "json", "--db", db],
            capture_output=True,
            text=True,
            timeout=120,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr
    first, second = (json.loads(r.stdout) for r in runs)
    assert [d["id"] for d in first["documents"]] == [d["id"] for d in second["documents"]]
    assert len(first["links"]) == len(second["links"])


def test_unreadable_input_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "missing"), "--offline", "--db", f"sqlite:///{tmp_path / 'p.sqlite'}"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr


def test_readme_shows_the_real_seeds_output(tmp_path):
    """The README's seeds example is this command's output, not a hand-edited copy."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- seeds-output:start -->\n", 1)[1].split("<!-- seeds-output:end -->", 1)[0]
    shown = block.split("$ provenance audit seeds/ --offline\n", 1)[1].rsplit("```", 1)[0]
    with contextlib.chdir(tmp_path):
        shutil.copytree(ROOT / "seeds", "seeds")
        result = CliRunner().invoke(main, ["audit", "seeds/", "--offline", "--db", "sqlite:///a.sqlite"])
    assert result.stdout == shown
