"""The per-site soft-404 probe runs as a job of its own, queued before the site's pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import article_page as page
from loopback import Request, serve

from provenance.check.checker import check_urls, needs_probe
from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.records import LinkStatus

HTML = {"Content-Type": "text/html; charset=utf-8"}


SHOP = page("Shop", "Welcome to the shop. " + " ".join(f"item{i} costs {i} euros" for i in range(60)))


@pytest.mark.parametrize(
    "url, wanted",
    [
        ("https://a.example/news/story", True),
        ("https://a.example/", False),  # a home page is not compared with the probe
        ("https://a.example/files/report.pdf", False),  # binary: HEAD only, no page to compare
        ("https://www.youtube.com/watch?v=abcdefghijk", False),  # media: its oEmbed answer decides
        ("ftp://a.example/x", False),
        ("not a url", False),
    ],
)
def test_which_links_need_their_sites_probe(url: str, wanted: bool) -> None:
    assert needs_probe(url) is wanted


def run(routes, urls: list[str], concurrency: int = 4) -> tuple[list, list[Request]]:
    with serve(routes) as server:
        config = HttpConfig(
            timeout=5,
            retries=0,
            concurrency=concurrency,
            per_host=2,
            remap=((r"^https?://([^/]+)/", rf"http://{server.netloc}/\1/"),),
            allow_private=(server.netloc,),
        )
        with HttpClient(config) as client:
            results = list(check_urls(client, urls, config, lambda: datetime.now(UTC)))
        return results, list(server.requests)


def test_the_probe_is_sent_once_and_catches_a_site_answering_200_for_everything() -> None:
    urls = [f"https://shop.example/products/item-{i}" for i in range(5)]
    results, requests = run(lambda req: (200, HTML, SHOP), urls)
    assert sorted(r.url for r in results) == sorted(urls)  # the probe's own outcome is not a result
    assert {r.status for r in results} == {LinkStatus.SOFT_404}
    probes = [r for r in requests if "provenance-probe" in r.path]
    assert len(probes) == 1 and probes[0].path.startswith("/shop.example/products/provenance-probe-")
    # Not asserted: that the server sees the probe among the first requests.  It is dispatched first,
    # but a page answered while it is in flight steps aside and frees its slot, so on a loaded
    # machine the next page can reach the server before the probe's thread does (it flaked in CI).


def test_a_site_with_only_files_is_not_probed() -> None:
    urls = ["https://files.example/a.pdf", "https://files.example/b.zip"]
    results, requests = run(lambda req: (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"), urls)
    assert {r.status for r in results} == {LinkStatus.ALIVE}
    assert not [r for r in requests if "provenance-probe" in r.path]
    assert {r.method for r in requests} == {"HEAD"}


def test_an_honest_site_keeps_its_pages_alive() -> None:
    def honest(req: Request):
        if "provenance-probe" in req.path:
            return 404, HTML, page("Not Found", "no such page")
        return 200, HTML, page(f"Story {req.path}", f"the story at {req.path} " * 30)

    urls = [f"https://news.example/2020/story-{i}" for i in range(4)]
    results, requests = run(honest, urls)
    assert {r.status for r in results} == {LinkStatus.ALIVE}
    assert len([r for r in requests if "provenance-probe" in r.path]) == 1


@pytest.mark.parametrize("status, kept", [(404, False), (410, False), (200, True)])
def test_only_a_2xx_probe_answer_is_kept_as_words(status: int, kept: bool) -> None:
    """A probe answer is only ever compared with when it is 2xx; an honest site's error page is
    kept as its status alone (one per site for the whole run: a real page's words are ~15 KB)."""
    from provenance.check.checker import UrlCheck
    from provenance.check.soft404 import ProbeCache
    from provenance.net.client import Response

    answer = Response(
        "https://news.example/x/provenance-probe-1",
        "https://news.example/x/provenance-probe-1",
        status,
        HTML,
        page("Not Found", "we looked everywhere " * 200),
        False,
        (),
        5.0,
    )
    check = UrlCheck(None, "https://news.example/x/story", HttpConfig(), lambda: datetime.now(UTC), ProbeCache())
    made = check.probe_signature(answer)
    assert made is not None and made.status == status
    assert bool(made.words) is kept and (made.title == "Not Found") is kept


@pytest.mark.slow  # a probe answering after a second
def test_a_page_steps_aside_while_its_sites_probe_is_slow() -> None:
    """Two workers; one is busy with a slow probe.  The slow site's page must not sit in the other."""
    import threading
    import time

    answered: dict[str, float] = {}
    lock = threading.Lock()

    def routes(req: Request):
        if "provenance-probe" in req.path:
            if req.path.startswith("/slowprobe.example/"):
                time.sleep(1.0)
            reply = (404, HTML, page("Not Found", "no such page"))
        else:
            reply = (200, HTML, page(f"Story {req.path}", f"the story at {req.path} " * 30))
        with lock:
            answered[req.path] = time.monotonic()
        return reply

    slow = [f"https://slowprobe.example/news/story-{i}" for i in range(2)]
    other = [f"https://other{i}.example/story" for i in range(6)]
    begun = time.monotonic()
    results, _ = run(routes, slow + other, concurrency=2)
    probe_done = next(
        t for path, t in answered.items() if path.startswith("/slowprobe.example/") and "provenance-probe" in path
    )
    assert {r.status for r in results} == {LinkStatus.ALIVE} and len(results) == 8
    # The pages of the other sites were answered long before the 1 s probe was.
    assert max(answered[f"/other{i}.example/story"] for i in range(6)) - begun < 0.6
    assert probe_done - begun >= 1.0
