"""The checker end to end against a real HTTP server on 127.0.0.1, with many "sites" remapped onto it.

Every `https://<site>/<path>` is remapped to `http://127.0.0.1:PORT/<site>/<path>`, so the
server sees which site each request was for, and politeness can be asserted server-side.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from helpers import article_page as page
from loopback import LoopbackServer, Request, serve
from sqlalchemy import func, select

from provenance import pipeline
from provenance.check.checker import check_url, check_urls
from provenance.config import Config, HttpConfig
from provenance.net.client import HttpClient
from provenance.records import LinkStatus
from provenance.store.db import session_scope
from provenance.store.schema import checks

HTML = {"Content-Type": "text/html; charset=utf-8"}


ARTICLE = page("A real article", " ".join(f"sentence{i} about things" for i in range(80)))
SHOP = page("Shop", "Welcome to the shop. " + " ".join(f"item{i} costs {i} euros" for i in range(60)))


class Site:
    """Routes of the simulated web: {(site, path): handler}; unknown paths answer 404."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[Request], tuple]] = {}
        self.catch_all: dict[str, Callable[[Request], tuple]] = {}
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.total = self.total_peak = 0
        self.hits: Counter[tuple[str, str, str]] = Counter()
        self.delay = 0.0

    def __call__(self, req: Request) -> tuple:
        _, site, rest = req.path.split("/", 2) if req.path.count("/") >= 2 else ("", req.path.strip("/"), "")
        path = "/" + rest
        with self.lock:
            self.hits[(req.method, site, path)] += 1
            self.in_flight[site] += 1
            self.total += 1
            self.peak[site] = max(self.peak[site], self.in_flight[site])
            self.total_peak = max(self.total_peak, self.total)
        try:
            if self.delay:
                time.sleep(self.delay)  # a latency, so concurrency is observable; nothing races on it
            handler = self.routes.get((site, path)) or self.catch_all.get(site)
            if handler is None:
                return 404, HTML, page("Not Found", "nothing here")
            return handler(req)
        finally:
            with self.lock:
                self.in_flight[site] -= 1
                self.total -= 1

    def count(self, site: str, path: str, method: str = "GET") -> int:
        return self.hits[(method, site, path)]


@pytest.fixture
def web(loopback) -> tuple[Site, LoopbackServer, HttpConfig]:
    site = Site()
    server = loopback(site)
    config = HttpConfig(
        timeout=5,
        retries=2,
        retry_after_max=5,
        concurrency=8,
        per_host=2,
        remap=((r"^https?://([^/]+)/", rf"http://{server.netloc}/\1/"),),
        allow_private=(server.netloc,),
    )
    return site, server, config


def now() -> datetime:
    return datetime.now(UTC)


def check(config: HttpConfig, url: str):
    with HttpClient(config) as client:
        return check_url(client, url, config, now)


def sequence(*answers: tuple) -> Callable[[Request], tuple]:
    """Answer each request with the next answer; the last repeats."""
    queue = list(answers)
    lock = threading.Lock()

    def handler(_req: Request) -> tuple:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_alive_page_keeps_its_evidence(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/story")] = lambda r: (200, HTML, ARTICLE)
    result = check(config, "https://a.example/story")
    assert result.status is LinkStatus.ALIVE and result.http_status == 200 and result.method == "GET"
    assert result.final_url == "https://a.example/story" and result.hops[-1].status == 200
    assert result.page.title == "A real article" and result.page.text_fingerprint
    assert result.content_type.startswith("text/html") and result.content_length == len(ARTICLE)
    assert result.elapsed_ms > 0
    assert site.count("a.example", "/story") == 1


def test_head_refused_then_get(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/r.pdf")] = lambda r: (
        (405, {}, b"") if r.method == "HEAD" else (200, {"Content-Type": "application/pdf"}, b"%PDF")
    )
    result = check(config, "https://a.example/r.pdf")
    assert result.status is LinkStatus.ALIVE and result.method == "HEAD+GET"
    assert site.count("a.example", "/r.pdf", "HEAD") == 1 and site.count("a.example", "/r.pdf") == 1


@pytest.mark.slow  # waits out Retry-After
def test_429_with_retry_after_then_200_is_alive(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/busy")] = sequence((429, {"Retry-After": "1"}, b""), (200, HTML, ARTICLE))
    started = time.monotonic()
    result = check(config, "https://a.example/busy")
    assert result.status is LinkStatus.ALIVE
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert site.count("a.example", "/busy") == 2


@pytest.mark.slow  # waits out retry back-off
def test_503_then_200_is_alive(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/flaky")] = sequence((503, HTML, b"down"), (200, HTML, ARTICLE))
    assert check(config, "https://a.example/flaky").status is LinkStatus.ALIVE
    assert site.count("a.example", "/flaky") == 2


@pytest.mark.slow  # waits out retry back-off
def test_persistent_500_is_unreachable_after_one_retry(web) -> None:
    site, _, config = web
    assert config.retries > 1  # so the single retry is the 500 rule, not the setting
    site.routes[("a.example", "/broken")] = lambda r: (500, HTML, b"error")
    result = check(config, "https://a.example/broken")
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "server_error"
    assert site.count("a.example", "/broken") == 2


@pytest.mark.slow  # waits out retry back-off
def test_persistent_504_is_unreachable_after_all_retries(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/gateway")] = lambda r: (504, HTML, b"gateway timeout")
    result = check(config, "https://a.example/gateway")
    assert result.status is LinkStatus.UNREACHABLE and result.error_class == "server_error"
    assert site.count("a.example", "/gateway") == config.retries + 1


@pytest.mark.parametrize("code", [404, 410])
def test_gone_is_dead(web, code: int) -> None:
    site, _, config = web
    site.routes[("a.example", "/gone")] = lambda r: (code, HTML, page("Gone", "gone"))
    result = check(config, "https://a.example/gone")
    assert result.status is LinkStatus.DEAD and result.http_status == code


def test_error_page_with_200_is_soft_404(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/old")] = lambda r: (200, HTML, page("Seite nicht gefunden", "Fehler 404"))
    result = check(config, "https://a.example/old")
    assert result.status is LinkStatus.SOFT_404 and "error page" in result.page.soft_404_reason


def test_site_answering_200_for_everything_is_caught_by_the_probe(web) -> None:
    site, _, config = web
    site.catch_all["shop.example"] = lambda r: (200, HTML, SHOP)
    result = check(config, "https://shop.example/products/discontinued-item")
    assert result.status is LinkStatus.SOFT_404 and "random missing path" in result.page.soft_404_reason
    probes = [k for k in site.hits if k[1] == "shop.example" and "provenance-probe" in k[2]]
    assert len(probes) == 1 and probes[0][2].startswith("/products/provenance-probe-")


def test_honest_site_is_probed_once_per_run(web) -> None:
    site, _, config = web
    for i in range(5):
        site.routes[("honest.example", f"/a/{i}")] = lambda r, i=i: (200, HTML, page(f"Article {i}", f"text {i} " * 50))
    with HttpClient(config) as client:
        results = list(check_urls(client, [f"https://honest.example/a/{i}" for i in range(5)], config, now=now))
    assert {r.status for r in results} == {LinkStatus.ALIVE}
    probes = [k for k in site.hits if "provenance-probe" in k[2]]
    assert len(probes) == 1


@pytest.mark.slow  # a server with latency
def test_distinct_urls_are_read_as_the_scheduler_asks_not_gathered_first(web) -> None:
    """The store's distinct URLs come a page at a time: check_urls must not collect them into a set."""
    site, _, config = web
    for host in range(100):
        site.catch_all[f"s{host}.example"] = lambda r: (404, HTML, page("Not found", "gone"))
    taken: list[str] = []

    def urls():
        for i in range(10_000):
            taken.append(url := f"https://s{i % 100}.example/a/{i}")
            yield url

    with HttpClient(config) as client:
        results = check_urls(client, urls(), config, now=now, distinct=True)
        first = next(results)
        results.close()
    assert first.status is LinkStatus.DEAD
    assert len(taken) < 10_000  # read a window ahead of the requests, not the whole input


def test_deep_link_redirected_to_home_is_soft_404(web) -> None:
    site, _, config = web
    site.routes[("a.example", "/news/2019/story")] = lambda r: (301, {"Location": "https://a.example/"}, b"")
    site.routes[("a.example", "/")] = lambda r: (200, HTML, page("Home", "welcome " * 30))
    result = check(config, "https://a.example/news/2019/story")
    assert result.status is LinkStatus.SOFT_404 and "home page" in result.page.soft_404_reason
    assert [h.status for h in result.hops] == [301, 200]


def test_cross_domain_permanent_redirect_is_redirected(web) -> None:
    site, _, config = web
    site.routes[("old.example", "/paper")] = lambda r: (301, {"Location": "https://new-home.org/paper"}, b"")
    site.routes[("new-home.org", "/paper")] = lambda r: (200, HTML, ARTICLE)
    result = check(config, "https://old.example/paper")
    assert result.status is LinkStatus.REDIRECTED and result.final_url == "https://new-home.org/paper"
    assert result.hops[0].status == 301 and result.hops[0].requested_url.startswith("http://127.0.0.1")


def test_same_site_redirect_to_the_real_page_is_alive(web) -> None:
    site, _, config = web
    site.routes[("a-site.org", "/p/1")] = lambda r: (301, {"Location": "https://www.a-site.org/posts/1-title"}, b"")
    site.routes[("www.a-site.org", "/posts/1-title")] = lambda r: (200, HTML, ARTICLE)
    result = check(config, "https://a-site.org/p/1")
    assert result.status is LinkStatus.ALIVE and result.final_url == "https://www.a-site.org/posts/1-title"


def test_removed_youtube_video_is_media_removed_though_page_answers(web) -> None:
    site, _, config = web
    site.routes[("www.youtube.com", "/watch")] = lambda r: (200, HTML, page("YouTube", "video page " * 40))
    site.routes[("www.youtube.com", "/oembed")] = lambda r: (404, {}, b"Not Found")
    result = check(config, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert result.status is LinkStatus.ALIVE and result.page.media_state == "removed"


def test_restricted_video_page_still_asks_oembed(web) -> None:
    """A 403 from the video page proves it exists (restricted); oEmbed still says whether it plays."""
    site, _, config = web
    site.routes[("www.youtube.com", "/watch")] = lambda r: (403, HTML, page("Sign in", "confirm you are not a bot"))
    site.routes[("www.youtube.com", "/oembed")] = lambda r: (404, {}, b"Not Found")
    result = check(config, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert result.status is LinkStatus.ALIVE and result.error_class == "restricted"
    assert result.page is not None and result.page.media_state == "removed"


def test_per_site_concurrency_never_exceeds_the_cap(web) -> None:
    site, _, config = web
    site.delay = 0.02
    hosts = [f"s{i}.example" for i in range(10)]
    for host in hosts:
        site.catch_all[host] = lambda r: (200, {"Content-Type": "text/plain"}, b"ok")
    urls = [f"https://{h}/doc{j}.pdf" for h in hosts for j in range(8)]
    with HttpClient(config) as client:
        results = list(check_urls(client, urls, config, now=now))
    assert len(results) == 80 and {r.status for r in results} == {LinkStatus.ALIVE}
    assert max(site.peak.values()) <= config.per_host
    assert site.total_peak <= config.concurrency
    assert site.total_peak > config.per_host  # sites really were served side by side


def test_a_run_deadline_leaves_the_links_not_reached_unchecked(engine) -> None:
    def slow(_req: Request):
        time.sleep(0.05)
        return 200, {"Content-Type": "text/plain"}, b"fine"

    with serve(slow) as server:
        http = HttpConfig(allow_private=(server.netloc,), per_host=1, run_deadline=0.3)
        urls = [server.url(f"/p{i}.txt") for i in range(200)]  # 10 s of work, one at a time
        done = pipeline.check(engine, Config(http=http), HttpClient(http), urls)
    with session_scope(engine, readonly=True) as session:
        stored = session.execute(select(func.count()).select_from(checks)).scalar_one()
    assert 0 < done < 200 and stored == done  # what was checked is stored, the rest stay due
