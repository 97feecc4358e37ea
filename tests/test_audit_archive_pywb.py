"""`provenance audit` end to end against real archive software.

The documents' links name a site (`news.example`) that `http.remap` routes to a loopback server;
the Internet Archive's CDX and replay endpoints are remapped to a real pywb serving a WARC
written here, and pywb is also configured as a Memento TimeGate, so both dialects are asked.
The CLI runs as a subprocess on a real SQLite file.

The site holds three cited pages:
- /same: archived in 2019, live with small edits (a correction, new navigation, new dates);
- /replaced: archived in 2019 as the cited article, archived again in 2023 after it was replaced
  by another text, which is what it serves now.  The document was published in 2020, so the
  2019 capture is the one cited: only choosing it finds the drift;
- /new: never archived.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import run_cli
from loopback import serve, text
from lxml import etree
from lxml import html as lxml_html
from pywb_helpers import COLLECTION, remap_ia_to, running_pywb, write_warc

from provenance.records import Snapshot
from provenance.report.build import build_report
from provenance.report.robust_links import robust_links_html
from provenance.store.db import make_engine, session_scope

pytestmark = [pytest.mark.pywb, pytest.mark.slow]  # a real pywb server

SITE = "http://news.example"
SAME, REPLACED, NEW = f"{SITE}/2019/06/library-budget", f"{SITE}/2019/06/tram-line", f"{SITE}/2020/02/new-park"
LIBRARY = (
    "The city council voted on Tuesday to approve a new budget for public libraries, ending a dispute that "
    "had lasted nearly two years. Supporters said the money would restore weekend opening hours at branches "
    "across the northern districts. Critics argued that the plan relied on optimistic revenue forecasts and "
    "would force cuts elsewhere. The mayor is expected to sign the measure next week, officials said."
)
TRAM = (
    "Engineers presented the final route of the new tram line to residents at a crowded public meeting. The "
    "line will connect the railway station with the university campus and the hospital, with twelve stops "
    "along the river. Construction is planned to start after the summer and to take three years, and the "
    "transport authority promised to keep traffic disruption in the old town as short as possible."
)
CASINO = (
    "Play the best online casino games and claim your welcome bonus today. Our slots, poker tables and "
    "roulette wheels are open around the clock, with instant withdrawals and friendly support. Sign up in "
    "one minute, verify your account and start winning with free spins on every deposit you make."
)
PARK = (
    "A new park with a playground, a pond and community gardens opened on the site of the former gasworks. "
    "Volunteers planted more than two hundred trees over the winter, and the neighbourhood association will "
    "run a cafe in the old pump house on weekends through the warmer months of the year."
)
PUBLISHED = "2020-03-01"
DOCUMENT = f"""<!DOCTYPE html>
<html><head><title>What the council decided this winter</title>
<meta property="article:published_time" content="{PUBLISHED}T09:00:00Z"></head>
<body><article><h1>What the council decided this winter</h1>
<p>The libraries will open on weekends again, as <a href="{SAME}">the budget story</a> reported.</p>
<p>Residents still argue about <a href="{REPLACED}">the planned tram line</a> and its stops.</p>
<p>Families welcomed <a href="{NEW}">the new park</a> on the old gasworks site.</p>
</article></body></html>
"""


def _page(title: str, body: str, nav: str = "Home | News | Sport") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><nav>{nav}</nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>(c) News Example</footer></body></html>"
    ).encode()


ARCHIVED = [  # (url, WARC-Date, payload)
    (SAME, "2019-06-03T10:00:00Z", _page("Library budget approved", f"<p>Published 3 June 2019</p><p>{LIBRARY}</p>")),
    (REPLACED, "2019-06-04T10:00:00Z", _page("Tram line route", f"<p>Published 4 June 2019</p><p>{TRAM}</p>")),
    (REPLACED, "2023-01-10T10:00:00Z", _page("Casino", f"<p>{CASINO}</p>")),
]
LIVE = {
    "/2019/06/library-budget": text(
        _page(
            "Library budget approved",
            f"<p>Updated 14 May 2024, 10:14</p><p>{LIBRARY.replace('Tuesday', 'Tuesday evening')}</p>"
            "<p>Correction: an earlier version misstated the number of branches.</p>",
            nav="Home | News | Sport | Culture | Weather | Newsletters",
        )
    ),
    "/2019/06/tram-line": text(_page("Casino", f"<p>{CASINO}</p>")),
    "/2020/02/new-park": text(_page("New park opens", f"<p>{PARK}</p>")),
}


# Not test_archive_pywb.py's archive: these captures are of the links the audited document cites.
@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    root = tmp_path_factory.mktemp("pywb-audit")
    warc = root / "news.warc.gz"
    write_warc(warc, ARCHIVED)
    with running_pywb(root, [warc], SAME) as base:
        yield base


@pytest.fixture
def site():
    with serve(LIVE) as server:
        yield server


def _config(tmp_path: Path, pywb: str, site, **archive) -> Path:
    config = {
        "http": {
            "timeout": 10,
            "remap": [[r"^http://news\.example/", f"{site.base}/"], *remap_ia_to(pywb)],
            "allow_private": [site.netloc, pywb.split("//", 1)[1]],
        },
        "archive": {"timegates": [f"{pywb}/{COLLECTION}/"], **archive},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _audit(tmp_path: Path, config: Path) -> dict:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "council.html").write_text(DOCUMENT, encoding="utf-8")
    proc = run_cli(
        "audit",
        str(docs),
        "--config",
        str(config),
        "--db",
        f"sqlite:///{tmp_path / 'audit.sqlite'}",
        "--format",
        "json",
        "--quiet",
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def _rows(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "audit.sqlite") as conn:
        return conn.execute(sql).fetchall()


def _by_url(report: dict, key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in report[key]:
        out.setdefault(item["url"], []).append(item)
    return out


def test_audit_finds_drift_and_unarchived_and_fills_snapshots(tmp_path, pywb, site):
    report = _audit(tmp_path, _config(tmp_path, pywb, site))
    kinds = {url: {f["kind"] for f in found} for url, found in _by_url(report, "findings").items()}
    assert "content_drift" in kinds.get(REPLACED, set())
    assert "content_drift" not in kinds.get(SAME, set())
    assert "unarchived" in kinds.get(NEW, set())
    assert not {"unarchived", "content_drift"} & (
        kinds.get(SAME, set()) | {k for k in kinds.get(REPLACED, ()) if k == "unarchived"}
    )
    assert "content_drift" not in kinds.get(NEW, set())  # nothing archived: nothing to drift from

    drifted = next(f for f in report["findings"] if f["kind"] == "content_drift")
    evidence = drifted["evidence"]
    assert evidence["similarity"] < evidence["threshold"] == 0.5
    assert evidence["snapshot"]["datetime"].startswith("2019-06-04")  # the capture before 2020, not the 2023 one
    assert "2019-06-04" in drifted["message"]

    links = {link["url"]: link for link in report["links"]}
    assert links[SAME]["status"] == "alive"
    # Either archive's memento: the CDX one in IA's form, or the one pywb's TimeGate names (its mp_ replay).
    assert links[SAME]["snapshot"]["url"] in {
        f"https://web.archive.org/web/20190603100000/{SAME}",
        f"{pywb}/{COLLECTION}/20190603100000mp_/{SAME}",
    }
    assert links[SAME]["snapshot"]["datetime"] == "2019-06-03T10:00:00Z"
    assert links[REPLACED]["snapshot"]["datetime"] == "2019-06-04T10:00:00Z"  # nearest before the citing date
    assert links[REPLACED]["snapshot"]["url"].endswith(
        (f"/20190604100000/{REPLACED}", f"/20190604100000mp_/{REPLACED}")
    )
    assert links[NEW]["snapshot"] is None
    assert set(links[SAME]["snapshot"]) == {"url", "datetime"}

    measured = dict(_rows(tmp_path, "SELECT url, similarity FROM drift_measurements"))
    assert set(measured) == {SAME, REPLACED}  # alive and archived; /new has no snapshot to compare
    assert measured[SAME] >= 0.5 > measured[REPLACED]
    archives = {a for (a,) in _rows(tmp_path, "SELECT DISTINCT archive FROM snapshot_lookups")}
    assert archives == {"wayback", "127.0.0.1"}  # the IA dialect (remapped) and pywb's own TimeGate
    assert not _rows(tmp_path, "SELECT url, archive, error FROM snapshot_lookups WHERE error IS NOT NULL")

    # The finding comes from stored drift: an offline `reconcile` recomputes it without asking the site.
    site.requests.clear()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "provenance",
            "reconcile",
            "--offline",
            "--quiet",
            "--db",
            f"sqlite:///{tmp_path / 'audit.sqlite'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert _rows(tmp_path, "SELECT url FROM findings WHERE kind = 'content_drift'") == [(REPLACED,)]
    assert site.requests == []


def test_second_audit_reuses_lookups_and_drift(tmp_path, pywb, site):
    config = _config(tmp_path, pywb, site)
    _audit(tmp_path, config)
    lookups = _rows(tmp_path, "SELECT count(*) FROM snapshot_lookups")[0][0]
    drifts = _rows(tmp_path, "SELECT count(*) FROM drift_measurements")[0][0]
    live_gets = site.count("/2019/06/library-budget")
    report = _audit(tmp_path, config)
    assert _rows(tmp_path, "SELECT count(*) FROM snapshot_lookups")[0][0] == lookups == 6  # 3 links x 2 archives
    assert _rows(tmp_path, "SELECT count(*) FROM drift_measurements")[0][0] == drifts == 2
    # The re-audit checked the page again (its text is unchanged), but did not fetch it again for drift.
    assert site.count("/2019/06/library-budget") - live_gets == live_gets - 1
    assert {f["kind"] for f in report["findings"] if f["url"] == REPLACED} >= {"content_drift"}


def test_robust_links_of_the_audited_document(tmp_path, pywb, site):
    _audit(tmp_path, _config(tmp_path, pywb, site))
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    with session_scope(engine, readonly=True) as session:
        report = build_report(session)
    snapshots = [(link.url, link.snapshot) for link in report.links if link.url]
    assert {url for url, snap in snapshots if snap is not None} == {SAME, REPLACED}
    out = robust_links_html(DOCUMENT, snapshots)

    # Valid HTML: libxml2's parser without recovery raises on anything malformed.
    root = etree.fromstring(out.encode(), etree.HTMLParser(recover=False))
    anchors = {a.get("href"): a for a in root.iter("a")}
    assert set(anchors) == {SAME, REPLACED, NEW}
    for url, snap in snapshots:
        anchor = anchors[url]
        if snap is None:
            assert not any(k.startswith("data-") for k in anchor.attrib)
            continue
        assert isinstance(snap, Snapshot)
        assert anchor.get("data-originalurl") == url
        assert anchor.get("data-versionurl") == snap.url and snap.url.endswith(url)
        assert anchor.get("data-versiondate") == snap.datetime.date().isoformat()
        assert anchor.get("data-versiondate").startswith("2019-06-0")
    assert lxml_html.fromstring(out).findtext(".//h1") == "What the council decided this winter"


SAVED_AT = "20261203081500"


def _config_saving_to(tmp_path, pywb, site, spn):
    """The audit's config with archive.save_missing on and Save Page Now routed to the SPN server."""
    config = _config(tmp_path, pywb, site, save_missing=True)
    data = yaml.safe_load(config.read_text())
    data["http"]["remap"].insert(0, [r"^https://web\.archive\.org/save/", f"{spn.base}/save/"])
    data["http"]["allow_private"].append(spn.netloc)
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config


def test_save_page_now_for_the_unarchived_alive_link(tmp_path, pywb, site):
    """archive.save_missing: the one alive link no archive holds is sent to a (loopback) Save Page Now."""

    def save(req):
        original = req.target.split("/save/", 1)[1]
        return 302, {"Location": f"https://web.archive.org/web/{SAVED_AT}/{original}"}, b""

    with serve({"*": save}) as spn:
        config = _config_saving_to(tmp_path, pywb, site, spn)

        report = _audit(tmp_path, config)
        assert [r.path for r in spn.requests] == [f"/save/{NEW}"]  # not the archived ones
        rows = _rows(tmp_path, "SELECT url, status, snapshot_url, http_status FROM save_requests")
        assert rows == [(NEW, "saved", f"https://web.archive.org/web/{SAVED_AT}/{NEW}", 302)]
        links = {link["url"]: link for link in report["links"]}
        assert links[NEW]["snapshot"] == {
            "url": f"https://web.archive.org/web/{SAVED_AT}/{NEW}",
            "datetime": "2026-12-03T08:15:00Z",
        }
        assert not [f for f in report["findings"] if f["url"] == NEW and f["kind"] == "unarchived"]

        _audit(tmp_path, config)  # saved a moment ago: not asked again
        assert spn.count() == 1 and len(_rows(tmp_path, "SELECT id FROM save_requests")) == 1


def test_save_page_now_down_never_fails_the_audit(tmp_path, pywb, site):
    with serve({"*": lambda req: (503, {}, b"busy")}) as spn:
        config = _config_saving_to(tmp_path, pywb, site, spn)
        report = _audit(tmp_path, config)
    assert _rows(tmp_path, "SELECT url, status, http_status FROM save_requests") == [(NEW, "failed", 503)]
    assert "unarchived" in {f["kind"] for f in report["findings"] if f["url"] == NEW}
