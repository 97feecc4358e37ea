"""The archive stage's batches: which links are measured for drift, and how many requests are in
flight at once (all together, per archive, per site), against real loopback servers."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from itertools import pairwise
from urllib.parse import parse_qs, unquote

import pytest
from loopback import serve

from provenance.archive.drift import drift_candidates, measure_drifts
from provenance.archive.lookup import lookup_snapshots
from provenance.archive.slots import KeyedSlots
from provenance.archive.wayback import WaybackCdx
from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.records import CheckResult, DriftEvidence, LinkStatus, PageInfo, Snapshot, SnapshotLookup

UTC = UTC
NOW = datetime(2024, 1, 1, tzinfo=UTC)
HOLD = 0.15  # seconds each fake server holds a request, so concurrent requests overlap visibly
ARTICLE = (
    "The city council voted on Tuesday to approve a new budget for public libraries, ending a dispute "
    "that had lasted nearly two years. Supporters said the money would restore weekend opening hours."
)


def snap(archive: str, ts: str, url: str = "https://e.org/a") -> Snapshot:
    moment = datetime.strptime(ts, "%Y%m%d").replace(tzinfo=UTC)
    return Snapshot(archive=archive, url=f"https://{archive}/web/{ts}000000/{url}", datetime=moment, original=url)


def lookup(url: str, archive: str, nearest: Snapshot | None, error: str | None = None) -> SnapshotLookup:
    return SnapshotLookup(url=url, archive=archive, looked_up_at=NOW, query=url, nearest=nearest, error=error)


def check(url: str, status: LinkStatus = LinkStatus.ALIVE, fp: str | None = "fp-live") -> CheckResult:
    return CheckResult(
        url=url, status=status, checked_at=NOW, http_status=200, page=PageInfo(text_fingerprint=fp) if fp else None
    )


A = "https://e.org/a"
OLD, NEWER, LATER = snap("ia", "20190101"), snap("other", "20190601"), snap("ia", "20210101")


@pytest.mark.parametrize(
    ("case", "checks", "lookups", "measured", "expected"),
    [
        ("alive and archived", {A: check(A)}, {A: [lookup(A, "ia", OLD)]}, {}, OLD),
        (
            "latest before the citing date across archives",
            {A: check(A)},
            {A: [lookup(A, "ia", OLD), lookup(A, "other", NEWER)]},
            {},
            NEWER,
        ),
        ("first after it when none before", {A: check(A)}, {A: [lookup(A, "ia", LATER)]}, {}, LATER),
        (
            "an erroring archive does not hide another's snapshot",
            {A: check(A)},
            {A: [lookup(A, "ia", None, error="HTTP 503"), lookup(A, "other", NEWER)]},
            {},
            NEWER,
        ),
        ("dead", {A: check(A, LinkStatus.DEAD)}, {A: [lookup(A, "ia", OLD)]}, {}, None),
        ("redirected elsewhere", {A: check(A, LinkStatus.REDIRECTED)}, {A: [lookup(A, "ia", OLD)]}, {}, None),
        ("never checked", {}, {A: [lookup(A, "ia", OLD)]}, {}, None),
        ("not archived", {A: check(A)}, {A: [lookup(A, "ia", None)]}, {}, None),
        (
            "measured against this snapshot, live text unchanged",
            {A: check(A)},
            {A: [lookup(A, "ia", OLD)]},
            {A: DriftEvidence(A, 0.9, 0.5, OLD, live_fingerprint="fp-live")},
            None,
        ),
        (
            "live text changed since",
            {A: check(A, fp="fp-new")},
            {A: [lookup(A, "ia", OLD)]},
            {A: DriftEvidence(A, 0.9, 0.5, OLD, live_fingerprint="fp-live")},
            OLD,
        ),
        (
            "a nearer snapshot turned up",
            {A: check(A)},
            {A: [lookup(A, "ia", OLD), lookup(A, "other", NEWER)]},
            {A: DriftEvidence(A, 0.9, 0.5, OLD, live_fingerprint="fp-live")},
            NEWER,
        ),
        (
            "threshold changed",
            {A: check(A)},
            {A: [lookup(A, "ia", OLD)]},
            {A: DriftEvidence(A, 0.9, 0.4, OLD, live_fingerprint="fp-live")},
            OLD,
        ),
        (
            "no fingerprint to compare (not HTML)",
            {A: check(A, fp=None)},
            {A: [lookup(A, "ia", OLD)]},
            {A: DriftEvidence(A, 0.9, 0.5, OLD, live_fingerprint=None)},
            OLD,
        ),
    ],
)
def test_drift_candidates(case, checks, lookups, measured, expected):
    wanted = drift_candidates([A, A], checks, lookups, {A: date(2020, 3, 1)}, measured, 0.5)
    assert wanted == ([] if expected is None else [(A, expected)]), case


def test_keyed_slots_refuse_a_zero_limit():
    with pytest.raises(ValueError):
        KeyedSlots(0)


def test_keyed_slots_space_starts_per_key():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    slots = KeyedSlots(5, interval=2.0, clock=lambda: now[0], sleep=sleep)
    for key in ("a", "a", "b", "a"):
        with slots.hold(key):
            pass
    assert slept == [2.0, 4.0]  # the second and third start on "a"; "b" has its own schedule
    now[0] += 10
    with slots.hold("a"):
        pass
    assert slept == [2.0, 4.0]  # long after: no wait


@pytest.mark.slow  # waits out real intervals
def test_measure_drifts_spaces_live_requests_to_one_site():
    starts: list[float] = []

    def live(_req):
        starts.append(time.monotonic())
        return 200, {"Content-Type": "text/plain"}, ARTICLE.encode()

    replay = lambda _req: (200, {"Content-Type": "text/plain"}, ARTICLE.encode())  # noqa: E731
    with serve({"*": live}) as server, serve({"*": replay}) as archive:
        config = HttpConfig(
            timeout=10,
            allow_private=(server.netloc, archive.netloc),
            remap=((r"^https://archive\.example/", f"{archive.base}/"), (r"^http://site\.example/", f"{server.base}/")),
        )
        items = [
            (
                f"http://site.example/p{i}",
                Snapshot("ia", f"https://archive.example/web/20190101000000/p{i}", datetime(2019, 1, 1, tzinfo=UTC)),
            )
            for i in range(3)
        ]
        with HttpClient(config) as client:
            results = list(measure_drifts(client, items, per_host=3, per_host_interval=0.2))
    assert len(results) == 3 and len(starts) == 3
    gaps = [b - a for a, b in pairwise(sorted(starts))]
    assert min(gaps) >= 0.18  # 0.2 s apart (less a little for the clock read inside the handler)


def _held(reply):
    def route(req):
        time.sleep(HOLD)  # server side: keeps the request in flight so the peak can be observed
        return reply(req)

    return route


@pytest.mark.slow  # a server with latency
def test_measure_drifts_is_concurrent_but_polite_to_each_archive_and_site():
    archived = {
        f"http://site.example/p{i}": ARTICLE if i % 2 else "Domain for sale. Make an offer today." for i in range(12)
    }

    def replay(req):  # /web/<ts>id_/<original>
        original = unquote(req.target.split("id_/", 1)[1])
        return 200, {"Content-Type": "text/plain"}, ARTICLE.encode() if archived[original] == ARTICLE else b"x"

    def live(_req):
        return 200, {"Content-Type": "text/plain"}, ARTICLE.encode()

    with serve({"*": _held(replay)}) as archive, serve({"*": _held(live)}) as site:
        config = HttpConfig(
            timeout=10,
            allow_private=(archive.netloc, site.netloc),
            remap=((r"^https://archive\.example/", f"{archive.base}/"), (r"^http://site\.example/", f"{site.base}/")),
        )
        items = [
            (
                url,
                Snapshot(
                    "ia",
                    f"https://archive.example/web/20190101000000/{url}",
                    datetime(2019, 1, 1, tzinfo=UTC),
                    original=url,
                ),
            )
            for url in archived
        ]
        with HttpClient(config) as client:
            results = list(measure_drifts(client, items, threshold=0.5, max_workers=8, per_archive=3, per_host=2))
    assert archive.peak() == 3 and site.peak() == 2  # in parallel, never more than allowed
    by_url = {e.url: e for e in results}
    assert set(by_url) == set(archived)
    assert all((by_url[u].similarity == 1.0) == (text == ARTICLE) for u, text in archived.items())
    assert {e.url for e in results if e.similarity < e.threshold} == {u for u, t in archived.items() if t != ARTICLE}


def test_measure_drifts_skips_pages_it_cannot_read():
    routes = {
        "/web/20190101000000id_/http://site.example/ok": lambda r: (
            200,
            {"Content-Type": "text/plain"},
            ARTICLE.encode(),
        ),
        "/ok": lambda r: (404, {}, b"gone"),
    }
    with serve(routes) as server:
        config = HttpConfig(
            timeout=5,
            allow_private=(server.netloc,),
            remap=((r"^https://archive\.example/", f"{server.base}/"), (r"^http://site\.example/", f"{server.base}/")),
        )
        items = [
            (
                "http://site.example/ok",
                Snapshot(
                    "ia",
                    "https://archive.example/web/20190101000000/http://site.example/ok",
                    datetime(2019, 1, 1, tzinfo=UTC),
                ),
            ),
            (
                "http://site.example/unreplayable",
                Snapshot(
                    "ia",
                    "https://archive.example/web/20190101000000/http://site.example/unreplayable",
                    datetime(2019, 1, 1, tzinfo=UTC),
                ),
            ),
        ]
        with HttpClient(config) as client:
            assert list(measure_drifts(client, items)) == []  # a 404 live page, a 404 replay: nothing to say
        assert server.count("/ok") == 1 and server.count("/unreplayable") == 0  # no replay: live page not asked


@pytest.mark.slow  # a server with latency
def test_lookups_are_concurrent_but_polite_to_each_archive():
    def cdx(req):
        url = parse_qs(req.query)["url"][0]
        rows = [["timestamp", "original", "mimetype", "statuscode"], ["20190101000000", url, "text/html", "200"]]
        return 200, {"Content-Type": "application/json"}, json.dumps(rows).encode()

    with serve({"*": _held(cdx)}) as one, serve({"*": _held(cdx)}) as two:
        config = HttpConfig(timeout=10, allow_private=(one.netloc, two.netloc))
        urls = [(f"http://site.example/p{i}", date(2020, 1, 1)) for i in range(10)]
        with HttpClient(config) as client:
            sources = [WaybackCdx(client, one.base, name="one"), WaybackCdx(client, two.base, name="two")]
            started = time.monotonic()
            answers = list(lookup_snapshots(sources, urls, max_workers=8, per_archive=2))
            elapsed = time.monotonic() - started
    assert len(answers) == 20 and all(a.error is None and a.nearest is not None for a in answers)
    assert one.peak() == 2 and two.peak() == 2
    assert one.count() == two.count() == 10
    assert elapsed < 20 * HOLD / 2  # sequential would take 20 holds; four at a time about a quarter of that
