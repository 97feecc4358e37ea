"""Report formats: contract JSON (validated by the repo's JSON Schema), CSV rows, 80-column table."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest

from provenance.records import (
    DateEvidence,
    Finding,
    FindingKind,
    Hop,
    LinkRole,
    LinkStatus,
    Severity,
    Snapshot,
)
from provenance.report.as_json import report_json
from provenance.report.as_text import WIDTH
from provenance.report.build import Report, ReportDocument, ReportLink, nearest_snapshot
from provenance.report.output import write

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "report.schema.json").read_text())
LONG_URL = (
    "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks"
)


def sample_report() -> Report:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    docs = (
        ReportDocument(
            "d1",
            "seeds/a.txt",
            "Russia, U.S. Agree to Talk Security Demands Next Week",
            date(2022, 1, 21),
            "https://www.themoscowtimes.com/x-a76117",
            None,
        ),
        ReportDocument("d2", "seeds/b.txt", None, date(2022, 1, 21), None, "d1", error="only part read"),
    )
    links = (
        ReportLink("d1", None, LinkRole.LOST, "said", LinkStatus.UNCHECKED, None, None, None),
        ReportLink(
            "d2",
            LONG_URL,
            LinkRole.RELATED,
            "Little Hope",
            LinkStatus.DEAD,
            404,
            LONG_URL,
            Snapshot(
                "wayback", "https://web.archive.org/web/20240507000000/" + LONG_URL, datetime(2024, 5, 7, tzinfo=UTC)
            ),
        ),
    )
    findings = (
        Finding(
            FindingKind.TEMPORAL_MISMATCH,
            Severity.WARNING,
            2,
            LONG_URL,
            "links to a resource dated 2024-05-06, 836 days after this document",
            {
                "document_date": DateEvidence(date(2022, 1, 21), "copy_of:d1/date_line", "January 21, 2022"),
                "hops": [Hop(LONG_URL, 404)],
                "days": 836,
            },
        ),
        Finding(FindingKind.LOST_LINK, Severity.WARNING, 1, None, "'said' was a link", {}),
    )
    return Report(when, docs, links, findings)


def test_json_matches_the_contract_schema():
    data = report_json(sample_report())
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["generated_at"] == "2026-01-01T00:00:00Z"
    assert data["links"][1]["snapshot"]["datetime"] == "2024-05-07T00:00:00Z"
    evidence = data["findings"][0]["evidence"]
    assert evidence["document_date"] == {
        "value": "2022-01-21",
        "source": "copy_of:d1/date_line",
        "raw": "January 21, 2022",
    }
    assert evidence["hops"] == [{"url": LONG_URL, "status": 404}]


def test_schema_rejects_what_the_contract_forbids():
    data = report_json(sample_report())
    data["links"][0]["status"] = "gone"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_csv_has_one_row_per_finding_with_json_evidence():
    out = io.StringIO()
    write(sample_report(), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["kind"] for r in rows] == ["temporal_mismatch", "lost_link"]
    assert rows[0]["source"] == "seeds/b.txt"
    assert json.loads(rows[0]["evidence"])["days"] == 836


def test_table_fits_80_columns_groups_by_document_and_ends_with_summary():
    out = io.StringIO()
    write(sample_report(), "table", out)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert lines[0].startswith("d1  seeds/a.txt")
    assert any("(copy of d1)" in line for line in lines)
    d2 = lines.index(next(line for line in lines if line.startswith("d2")))
    assert lines.index("    findings:", d2) < lines.index("    links:", d2)
    assert lines[-1] == "2 documents, 2 links, 2 findings (0 errors, 2 warnings, 0 info)"


@pytest.mark.parametrize(
    "cited_on, expected_year",
    [(date(2023, 1, 1), 2022), (date(2021, 1, 1), 2022), (None, 2024), (date(2024, 6, 1), 2024)],
)
def test_nearest_snapshot_prefers_last_before_else_first_after(cited_on, expected_year):
    from provenance.records import SnapshotLookup

    def snap(year):
        return Snapshot("a", f"https://a/{year}", datetime(year, 3, 1, tzinfo=UTC))

    lookups = [
        SnapshotLookup("u", "a", datetime.now(UTC), "q", nearest=snap(2022)),
        SnapshotLookup("u", "b", datetime.now(UTC), "q", nearest=snap(2024)),
        SnapshotLookup("u", "c", datetime.now(UTC), "q", error="down"),
    ]
    assert nearest_snapshot(lookups, cited_on).datetime.year == expected_year


@pytest.mark.parametrize(
    "report",
    [
        sample_report(),
        Report(datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC), (), (), ()),
        Report(
            datetime(2026, 1, 2, tzinfo=UTC),
            (ReportDocument("d1", 'notes/ü\n"x".md', "Title\nwith a line break", None, None, None),),
            (),
            (),
        ),
    ],
    ids=["sample", "empty", "escapes"],
)
def test_json_written_a_record_at_a_time_is_json_dump_of_the_whole(report: Report) -> None:
    out = io.StringIO()
    write(report, "json", out)
    assert out.getvalue() == json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
