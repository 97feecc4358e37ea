"""A web page printed to PDF by a real browser (headless Chromium's --print-to-pdf, which prints the
header and footer a user's print has), harvested as a file: its address, print time and links."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loopback import serve

from provenance.config import HarvestConfig
from provenance.harvest.inputs import InputItem, harvest_items
from provenance.records import DocumentFormat, LinkRole

pytestmark = pytest.mark.slow  # a browser
CHROMIUM = Path("/usr/bin/chromium")
FED = "https://www.federalreserve.gov/newsevents/pressreleases/monetary20210317a.htm"
LONG = "https://www.example.org/a/very/long/path/that/goes/on/and/on/until/it/wraps/around/the/line/index.html"
PAGE = f"""<!doctype html><html><head><title>Stocks slump as rates rise - Example News</title></head>
<body><h1>Stocks slump as rates rise</h1><p>March 3, 2021</p>
<p>Markets fell on Tuesday, <a href="{FED}">the Fed said</a> in a statement. The figures are at
{LONG} for anyone to check.</p>
<p>Related article: <a href="https://news.example.com/2021/03/02/bonds-rally">Bonds rally</a></p>
{"<p>Filler text that goes on so that the print runs to more than one page of paper.</p>" * 60}
</body></html>"""


def test_a_chromium_print(tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    printed = tmp_path / "print.pdf"
    with serve({"/story": lambda _req: (200, {"Content-Type": "text/html"}, PAGE.encode())}) as server:
        url = server.url("/story")
        subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
             f"--print-to-pdf={printed}", url],
            check=True, capture_output=True, timeout=60, env={**os.environ, "TMPDIR": str(tmp_path)},
        )  # fmt: skip
    (doc,) = harvest_items([InputItem(source="print.pdf", path=printed)], HarvestConfig(), fetch=None)
    assert doc.format is DocumentFormat.PDF and doc.error is None
    assert doc.original_url == url
    assert doc.captured is not None and doc.captured.source == "print_header"
    assert abs(doc.captured.value - datetime.now(UTC).date()) <= timedelta(days=1)  # printed just now (local time)
    assert doc.published is not None and doc.published.value.isoformat() == "2021-03-03"  # the page's own date
    assert doc.title == "Stocks slump as rates rise - Example News"
    assert [(link.role, link.url, link.anchor_text) for link in doc.links] == [
        (LinkRole.CITED, FED, "the Fed said"),
        (LinkRole.CITED, LONG, None),  # printed, wrapped at the line width, not a link in the page
        (LinkRole.RELATED, "https://news.example.com/2021/03/02/bonds-rally", "Bonds rally"),
        (LinkRole.ORIGINAL, url, None),
    ]
