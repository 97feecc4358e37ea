"""`provenance audit` of a folder whose links are served by a real loopback server.

The documents cite original addresses (https://news.example/..., https://www.youtube.com/...);
`http.remap` sends each request, redirect hops and oEmbed look-ups included, to one threaded
server on 127.0.0.1 that routes on `/<site>/<path>`.  Every network finding kind must come out
of the CLI's JSON report with its evidence, and no request may reach a private address that is
not in `http.allow_private` (a second server, never allowed, counts what reaches it).
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from loopback import LoopbackServer, Request, serve

from provenance.cli import main

HTML = {"Content-Type": "text/html; charset=utf-8"}
FILLER = " ".join(f"Sentence {i} of an ordinary news story about the economy and its people." for i in range(40))


def page(title: str, head: str = "", body: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
        f"{body}<p>{FILLER}</p></article></body></html>"
    ).encode()


DOC_PUBLISHED = "2022-01-21"
# (url, anchor): what the citing documents link to, and what each link must come to.
LINKS = {
    "alive": (
        "https://news.example/world/parliament-approves-new-budget-plan",
        "Parliament Approves the New Budget Plan",
    ),
    "dead": ("https://news.example/world/minister-resigns-over-scandal", "Minister Resigns Over Housing Scandal"),
    "soft_404": ("https://news.example/world/old-story-removed", "an old story"),
    "moved": ("https://old-paper.example/story/harbour-reopens", "the harbour story"),
    "unreachable": ("https://flaky.example/report", "a flaky report"),
    "refused": ("https://closed.example/report", "a closed site"),
    "later": ("https://news.example/analysis/sanctions-explained", "an analysis"),
    "retitled": ("https://news.example/a/48213", "Central Bank Raises Interest Rates Again"),
    "video": ("https://www.youtube.com/watch?v=abcdefghijk", "the interview video"),
    "leak": ("https://news.example/go/intranet", "an internal memo"),
}


def routes(forbidden: LoopbackServer):
    """The simulated web: `/<site>/<path>` -> answer; anything else is an honest 404."""
    later_meta = '<meta property="article:published_time" content="2024-05-06T09:00:00Z">'
    table = {
        ("news.example", "/world/parliament-approves-new-budget-plan"): (
            200,
            HTML,
            page("Parliament Approves the New Budget Plan"),
        ),
        ("news.example", "/world/minister-resigns-over-scandal"): (404, HTML, page("Not Found")),
        ("news.example", "/world/old-story-removed"): (
            200,
            HTML,
            page("Page not found", body="<p>Sorry, the page you requested could not be found.</p>"),
        ),
        ("old-paper.example", "/story/harbour-reopens"): (
            301,
            {"Location": "https://new-paper.example/harbour-reopens"},
            b"",
        ),
        ("new-paper.example", "/harbour-reopens"): (200, HTML, page("Harbour Reopens After Two Years")),
        ("flaky.example", "/report"): (503, HTML, b"<html><body>Service unavailable</body></html>"),
        ("news.example", "/analysis/sanctions-explained"): (200, HTML, page("Sanctions Explained", head=later_meta)),
        ("news.example", "/a/48213"): (200, HTML, page("Football Club Wins the National Cup Final")),
        ("www.youtube.com", "/watch"): (200, HTML, page("YouTube")),
        ("www.youtube.com", "/oembed"): (404, {"Content-Type": "text/plain"}, b"Not Found"),
        ("news.example", "/go/intranet"): (302, {"Location": forbidden.url("/secret")}, b""),
    }

    def answer(req: Request):
        _, site, rest = req.path.split("/", 2) if req.path.count("/") >= 2 else ("", "", "")
        return table.get((site, "/" + rest), (404, HTML, page("Not Found")))

    return answer


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_documents(folder: Path, forbidden: LoopbackServer) -> None:
    """Two citing documents: an HTML article with every link, and a Markdown note repeating two."""
    anchors = "\n".join(f'<p>See <a href="{url}">{anchor}</a>.</p>' for url, anchor in LINKS.values())
    private = (
        f'<p>Also <a href="{forbidden.url("/direct")}">the staging server</a> and '
        '<a href="http://10.20.30.40/admin">the office router</a>.</p>'
    )
    folder.mkdir()
    (folder / "article.html").write_text(
        "<!doctype html><html><head><title>Talks Continue | Daily</title>"
        f'<meta property="article:published_time" content="{DOC_PUBLISHED}T08:00:00Z"></head>'
        f"<body><article><h1>Talks Continue Next Week</h1><p>{FILLER}</p>{anchors}{private}</article></body></html>",
        encoding="utf-8",
    )
    (folder / "note.md").write_text(
        f"# A note\n\nSee [the minister]({LINKS['dead'][0]}) and [the budget]({LINKS['alive'][0]}).\n", encoding="utf-8"
    )


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    """Run the CLI audit once over the folder; (exit code, JSON report, per-site hits, forbidden hits)."""
    work = tmp_path_factory.mktemp("audit-network")
    with serve(lambda req: (404, {}, b"private: must never be reached")) as forbidden, contextlib.ExitStack() as stack:
        web = stack.enter_context(serve(routes(forbidden)))
        closed = f"127.0.0.1:{closed_port()}"
        config = {
            "http": {
                "timeout": 3,
                "retries": 1,
                "concurrency": 8,
                "per_host": 2,
                "remap": [
                    ["^https://closed\\.example/", f"http://{closed}/"],
                    ["^https?://([a-z0-9.-]+\\.example|www\\.youtube\\.com)/", f"{web.base}/\\1/"],
                ],
                "allow_private": [web.netloc, closed],
            },
        }
        (work / "config.yaml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
        write_documents(work / "docs", forbidden)
        with contextlib.chdir(work):
            result = CliRunner().invoke(
                main,
                [
                    "audit",
                    "docs",
                    "--config",
                    "config.yaml",
                    "--db",
                    "sqlite:///audit.sqlite",
                    "--format",
                    "json",
                    "--no-archive",
                ],
            )
        hits = Counter(r.path for r in web.requests)
        forbidden_hits = forbidden.count()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout), hits, forbidden_hits


def findings(report: dict, kind: str) -> dict[str, dict]:
    return {f["url"]: f for f in report["findings"] if f["kind"] == kind}


def statuses(report: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for link in report["links"]:
        out.setdefault(link["url"], set()).add(link["status"])
    return out


def test_audit_exits_1_because_of_error_findings(audit) -> None:
    code, report, _, _ = audit
    assert code == 1
    assert len(report["documents"]) == 2


def test_dead_link_is_reported_once_checked_once(audit) -> None:
    _, report, hits, _ = audit
    url = LINKS["dead"][0]
    dead = findings(report, "dead_link")
    assert set(dead) == {url}
    assert dead[url]["severity"] == "error" and dead[url]["evidence"]["http_status"] == 404
    assert statuses(report)[url] == {"dead"}
    assert len([f for f in report["findings"] if f["kind"] == "dead_link"]) == 2  # cited by both documents
    assert hits["/news.example/world/minister-resigns-over-scandal"] == 1  # but fetched once


def test_error_page_answering_200_is_soft_404(audit) -> None:
    _, report, _, _ = audit
    url = LINKS["soft_404"][0]
    assert set(findings(report, "soft_404")) == {url}
    assert statuses(report)[url] == {"soft_404"}
    assert findings(report, "soft_404")[url]["evidence"]["reason"]


def test_permanent_redirect_to_another_site_is_redirect_changed(audit) -> None:
    _, report, hits, _ = audit
    url = LINKS["moved"][0]
    moved = findings(report, "redirect_changed")
    assert set(moved) == {url}
    evidence = moved[url]["evidence"]
    assert evidence["from_domain"] != evidence["to_domain"]
    assert evidence["final_url"] == "https://new-paper.example/harbour-reopens"  # original form, not loopback
    assert [h["status"] for h in evidence["hops"]] == [301, 200]
    assert hits["/new-paper.example/harbour-reopens"] >= 1  # the Location was remapped too


def test_transient_failures_are_unreachable_not_dead(audit) -> None:
    _, report, hits, _ = audit
    flaky, refused = LINKS["unreachable"][0], LINKS["refused"][0]
    unreachable = findings(report, "unreachable")
    assert set(unreachable) == {flaky, refused}
    assert unreachable[flaky]["evidence"]["http_status"] == 503 and unreachable[flaky]["severity"] == "warning"
    assert unreachable[refused]["evidence"]["error_class"] == "connection"
    assert hits["/flaky.example/report"] == 2  # retried once (http.retries: 1), then given up
    assert {flaky, refused}.isdisjoint(findings(report, "dead_link"))


def test_private_destinations_are_blocked_and_never_reached(audit) -> None:
    _, report, hits, forbidden_hits = audit
    blocked = findings(report, "blocked_url")
    direct = next(u for u in blocked if u.endswith("/direct"))
    assert set(blocked) == {direct, "http://10.20.30.40/admin", LINKS["leak"][0]}
    assert all(statuses(report)[u] == {"blocked"} for u in blocked)
    assert hits["/news.example/go/intranet"] == 1  # the allowed hop was asked; its private Location was not
    assert forbidden_hits == 0


def test_removed_video_is_media_unavailable_though_its_page_answers(audit) -> None:
    _, report, hits, _ = audit
    url = LINKS["video"][0]
    media = findings(report, "media_unavailable")
    assert set(media) == {url}
    assert media[url]["evidence"]["media_state"] == "removed" and media[url]["evidence"]["http_status"] == 200
    assert hits["/www.youtube.com/oembed"] == 1


def test_target_dated_by_its_own_metadata_after_the_document_is_temporal_mismatch(audit) -> None:
    _, report, _, _ = audit
    url = LINKS["later"][0]
    temporal = findings(report, "temporal_mismatch")
    assert set(temporal) == {url}
    evidence = temporal[url]["evidence"]
    assert evidence["document_date"]["value"] == DOC_PUBLISHED
    assert evidence["target_date"]["value"] == "2024-05-06"
    assert evidence["target_date"]["source"] == "meta:article:published_time"


def test_title_like_anchor_not_matching_the_page_title_is_title_mismatch(audit) -> None:
    _, report, _, _ = audit
    url = LINKS["retitled"][0]
    titles = findings(report, "title_mismatch")
    assert set(titles) == {url}
    [comparison] = titles[url]["evidence"]["comparisons"]
    assert comparison["compared_with"] == "page_title" and comparison["similarity"] < comparison["threshold"]
    assert comparison["target"] == "Football Club Wins the National Cup Final"


def test_healthy_link_gets_no_finding(audit) -> None:
    _, report, _, _ = audit
    url = LINKS["alive"][0]
    assert statuses(report)[url] == {"alive"}
    assert not [f for f in report["findings"] if f["url"] == url]


def test_every_request_went_to_a_remapped_site_path(audit) -> None:
    _, _, hits, _ = audit
    sites = {path.split("/")[1] for path in hits}
    assert sites <= {"news.example", "old-paper.example", "new-paper.example", "flaky.example", "www.youtube.com"}
