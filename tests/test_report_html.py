"""The HTML report's pieces without a browser: history per day, charts that stay in their frame,
text escaped, nothing fetched.  (The rendered page is checked in test_report_html_browser.py.)"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bs4 import BeautifulSoup

from provenance.records import Finding, FindingKind, LinkRole, LinkStatus, Severity, Snapshot
from provenance.report.as_html import health_chart
from provenance.report.build import Report, ReportDocument, ReportLink, health_over_time
from provenance.report.output import write
from provenance.report.table import Table

UTC = UTC


def test_health_over_time_carries_each_urls_latest_status_forward() -> None:
    at = lambda d, h=9: datetime(2026, 3, d, h, tzinfo=UTC)  # noqa: E731
    series = health_over_time(
        [
            ("a", at(1), "alive"),
            ("b", at(1), "alive"),
            ("a", at(3), "dead"),  # b not re-checked on day 3: still counted alive
            ("c", at(3, 8), "soft_404"),
            ("c", at(3, 10), "alive"),  # the later check of the day wins
        ]
    )
    assert series == [(date(2026, 3, 1), Counter(alive=2)), (date(2026, 3, 3), Counter(alive=2, dead=1))]
    assert health_over_time([]) == []


def _rects(svg: str) -> list[dict[str, float]]:
    return [
        {k: float(v) for k, v in re.findall(r'(x|y|width|height)="([\d.]+)"', tag)}
        for tag in re.findall(r"<rect [^>]*>", svg)
    ]


def test_a_year_of_daily_bars_stays_inside_the_chart() -> None:
    start = date(2025, 1, 1)
    series = [(start + timedelta(days=i), Counter(alive=100 - i % 7, dead=i % 7)) for i in range(365)]
    svg = health_chart(series, width=340, height=200)
    bars = [r for r in _rects(svg) if r["width"] != 10]  # legend squares are 10 wide
    assert len(bars) == 365 + sum(1 for _d, c in series if c["dead"])
    assert all(r["width"] > 0 and r["x"] >= 0 and r["x"] + r["width"] <= 340 for r in bars)
    assert all(r["y"] >= 0 and r["y"] + r["height"] <= 200 for r in bars)


def _report(title: str) -> Report:
    docs = (
        ReportDocument(
            id="d1", source="a.html", title=title, published=date(2022, 1, 21), original_url=None, copy_of=None
        ),
    )
    links = (
        ReportLink(
            document="d1",
            url="https://x.example/<b>",
            role=LinkRole.CITED,
            anchor_text="<i>x</i>",
            status=LinkStatus.DEAD,
            http_status=404,
            final_url=None,
            snapshot=None,
        ),
    )
    findings = (
        Finding(
            kind=FindingKind.DEAD_LINK,
            severity=Severity.ERROR,
            document_id=1,
            url="https://x.example/<b>",
            message="gone <script>alert(1)</script>",
        ),
    )
    return Report(generated_at=datetime(2026, 3, 3, tzinfo=UTC), documents=docs, links=links, findings=findings)


def test_text_from_documents_is_escaped_and_the_page_needs_nothing_from_outside() -> None:
    out = io.StringIO()
    write(_report('Title with <script>alert("x")</script>'), "html", out)
    page = out.getvalue()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find_all("script") == []
    assert '<script>alert("x")</script>' in soup.find("h3").get_text()
    assert not soup.find_all(src=True)
    assert [link["href"] for link in soup.find_all("link")] == ["data:,"]  # the favicon, inline
    assert "url(" not in page and "@import" not in page


def test_counts_and_one_bar_without_stored_history() -> None:
    out = io.StringIO()
    write(_report("T"), "html", out)
    soup = BeautifulSoup(out.getvalue(), "html.parser")
    cards = {e["data-count"]: e.get_text() for e in soup.select(".cards [data-count]")}
    assert cards == {
        "documents": "1",
        "links": "1",
        "findings": "1",
        "error": "1",
        "warning": "0",
        "info": "0",
        "dead": "1",
    }
    health = soup.find("figure", attrs={"data-chart": "health"})
    assert [t.get_text() for t in health.find_all("title")] == ["2026-03-03: 1 dead"]


def test_table_page_escapes_cells() -> None:
    out = io.StringIO()
    write(Table("dead_links", ["url", "note"], [("https://a.example/?q=<x>", "a & b")]), "html", out)
    soup = BeautifulSoup(out.getvalue(), "html.parser")
    assert [td.get_text() for td in soup.find_all("td")] == ["https://a.example/?q=<x>", "a & b"]
    assert soup.find(attrs={"data-count": "rows"}).get_text() == "1"


def test_a_snapshot_that_is_not_a_web_address_is_shown_never_linked() -> None:
    report = _report("T")
    hostile = Snapshot(archive="x", url="javascript:alert(1)", datetime=datetime(2020, 1, 1, tzinfo=UTC))
    safe = Snapshot(archive="x", url="https://archive.example/2020/x", datetime=datetime(2020, 1, 1, tzinfo=UTC))
    links = tuple(
        replace(report.links[0], url=f"https://x.example/{n}", snapshot=s) for n, s in enumerate([hostile, safe])
    )
    out = io.StringIO()
    write(replace(report, links=links), "html", out)
    soup = BeautifulSoup(out.getvalue(), "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert hrefs == ["https://archive.example/2020/x"]
    assert "javascript:alert(1)" in soup.get_text()  # still shown, as text
