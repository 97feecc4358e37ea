"""The HTML report of a real audit, rendered by headless Chromium (Debian's `chromium`, which
.ci/run installs), driven over the DevTools protocol: screenshot taken, no console errors, no
request leaves the file, the expected counts shown, every chart drawn with a non-zero size.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket
from audited import AuditedDb
from helpers import run_cli
from loopback import stop_process

pytestmark = pytest.mark.slow  # headless Chromium

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1200,900",
    "--remote-debugging-port=0",
]
DEADLINE_S = 60.0


class DevTools:
    """A minimal DevTools-protocol session on one page: send commands, collect events."""

    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=DEADLINE_S, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(json.loads(self.ws.recv()))
        raise AssertionError(f"no {method} within {DEADLINE_S}s")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A headless Chromium; yields the browser's DevTools HTTP base URL."""
    if not CHROMIUM.is_file():
        pytest.fail("headless Chromium is required: apt-get install chromium (.ci/run does it)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    scratch = tmp_path_factory.mktemp("chromium-tmp")  # its singleton socket folder, else left in /tmp each run
    proc = subprocess.Popen(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + DEADLINE_S
        while not (port_file.is_file() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Chromium did not start (exit code {proc.poll()})")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text().split()[0]}"
    finally:
        stop_process(proc)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return result


@pytest.fixture(scope="module")
def rendered(audited_db: AuditedDb, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`provenance report --format html -o report.html`, opened in Chromium: what the page shows."""
    out = tmp_path_factory.mktemp("rendered")
    cli("report", "--db", audited_db.url, "--format", "html", "-o", str(out / "report.html"), cwd=out)
    report = json.loads(cli("report", "--db", audited_db.url, "--format", "json", cwd=out).stdout)
    with urllib.request.urlopen(f"{chromium}/json/list", timeout=DEADLINE_S) as answer:  # local DevTools only
        page = next(t for t in json.load(answer) if t["type"] == "page")
    tools = DevTools(page["webSocketDebuggerUrl"])
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable")
        tools.send("Page.navigate", url=(out / "report.html").as_uri())
        tools.wait_for("Page.loadEventFired")
        facts = tools.evaluate("""JSON.stringify({
            counts: Object.fromEntries([...document.querySelectorAll('.cards [data-count]')]
                .map(e => [e.dataset.count, Number(e.textContent)])),
            charts: [...document.querySelectorAll('figure[data-chart]')].map(f => {
                const svg = f.querySelector('svg'), box = svg ? svg.getBoundingClientRect() : null;
                return {name: f.dataset.chart, width: box ? box.width : 0, height: box ? box.height : 0,
                        rects: svg ? [...svg.querySelectorAll('rect')].filter(r => {
                            const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length : 0,
                        titles: svg ? [...svg.querySelectorAll('title')].map(t => t.textContent) : []};
            }),
            documents: [...document.querySelectorAll('section[data-document]')].map(s => ({
                id: s.dataset.document,
                findings: Number(s.querySelector('[data-count=findings]').textContent),
                links: Number(s.querySelector('[data-count=links]').textContent),
                rows: s.querySelectorAll('tbody tr').length})),
            scripts: document.scripts.length,
            height: document.documentElement.scrollHeight})""")
        shot = tools.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        events = list(tools.events)
    finally:
        tools.close()
    png = base64.b64decode(shot["data"])
    (out / "report.png").write_bytes(png)
    if os.environ.get("PROVENANCE_KEEP_SCREENSHOT"):
        Path(os.environ["PROVENANCE_KEEP_SCREENSHOT"]).write_bytes(png)
    return {"facts": json.loads(facts), "events": events, "png": png, "report": report, "dir": out}


def test_screenshot_is_a_real_image_of_the_page(rendered: dict[str, Any]) -> None:
    png = rendered["png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 800 and height >= 900
    assert len(png) > 20_000  # charts, tables and text, not a blank page
    assert (rendered["dir"] / "report.png").stat().st_size == len(png)


def test_no_console_errors_and_no_exceptions(rendered: dict[str, Any]) -> None:
    problems = [
        e
        for e in rendered["events"]
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert problems == []
    assert rendered["facts"]["scripts"] == 0  # the page needs no JavaScript


def test_nothing_is_fetched_beyond_the_file_itself(rendered: dict[str, Any]) -> None:
    requested = [
        e["params"]["request"]["url"] for e in rendered["events"] if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested and all(url.startswith(("file:", "data:")) for url in requested), requested
    assert [u for u in requested if u.startswith("file:")] == [(rendered["dir"] / "report.html").as_uri()]


def test_summary_shows_the_reports_counts(rendered: dict[str, Any]) -> None:
    counts, report = rendered["facts"]["counts"], rendered["report"]
    severities = [f["severity"] for f in report["findings"]]
    assert counts["documents"] == len(report["documents"]) == 3
    assert counts["links"] == len(report["links"]) == 13
    assert counts["findings"] == len(report["findings"]) > 0
    assert (counts["error"], counts["warning"], counts["info"]) == (
        severities.count("error"),
        severities.count("warning"),
        severities.count("info"),
    )
    statuses = [link["status"] for link in report["links"]]
    assert counts["dead"] == statuses.count("dead") == 5  # GONE x3 citing documents, FLAKY x2
    assert counts["soft_404"] == statuses.count("soft_404") == 2


def test_each_document_shows_its_citations_and_findings(rendered: dict[str, Any]) -> None:
    report = rendered["report"]
    shown = {d["id"]: d for d in rendered["facts"]["documents"]}
    assert set(shown) == {d["id"] for d in report["documents"]}
    for doc_id, doc in shown.items():
        assert doc["links"] == sum(1 for link in report["links"] if link["document"] == doc_id)
        assert doc["findings"] == sum(1 for f in report["findings"] if f["document"] == doc_id)
        assert doc["rows"] == doc["links"] + doc["findings"]


def test_charts_are_drawn_with_non_zero_size(rendered: dict[str, Any]) -> None:
    charts = {c["name"]: c for c in rendered["facts"]["charts"]}
    assert set(charts) == {"health", "domains", "kinds"}
    for chart in charts.values():
        assert chart["width"] > 100 and chart["height"] > 30, chart
        assert chart["rects"] > 0, chart
    health = charts["health"]["titles"]
    # Two check days: on day 1 FLAKY was alive, on day 3 it is dead.
    assert "2026-03-01: 3 alive" in health and "2026-03-03: 2 alive" in health
    assert "2026-03-01: 1 dead" in health and "2026-03-03: 2 dead" in health
    assert any(t.startswith("example.co.uk: 2 rotten") for t in charts["domains"]["titles"])
    kinds = {t.split(":")[0] for t in charts["kinds"]["titles"]}
    assert kinds == {f["kind"] for f in rendered["report"]["findings"]}
