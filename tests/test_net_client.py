"""HttpClient request logic against `responses` (no sockets): redirects, remap, guard, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses
from helpers import PUBLIC

from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver

_MADE: list[HttpClient] = []  # closed after each test (they hold a watchdog thread and lookup threads)


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _MADE:
        _MADE.pop().close()


def client(**http: object) -> HttpClient:
    made = HttpClient(HttpConfig(**http), resolver=PUBLIC, version="9.9")  # type: ignore[arg-type]
    _MADE.append(made)
    return made


@responses.activate
def test_plain_get() -> None:
    responses.get(
        "https://a.example/page", body=b"<title>x</title>", headers={"X-Thing": "1"}, content_type="text/html"
    )
    r = client().request("GET", "https://a.example/page")
    assert (r.status, r.body, r.truncated, r.error, r.error_class) == (200, b"<title>x</title>", False, None, None)
    assert r.headers["x-thing"] == "1" and r.headers["CONTENT-TYPE"] == "text/html"
    assert r.url == r.final_url == "https://a.example/page"
    assert [(h.url, h.status) for h in r.hops] == [("https://a.example/page", 200)]
    sent = responses.calls[0].request
    assert sent.headers["User-Agent"] == "provenance/9.9 (+https://github.com/provenance-audit/provenance)"
    assert sent.headers["Host"] == "a.example"
    assert "gzip" in sent.headers["Accept-Encoding"]


@responses.activate
def test_caller_headers_override_defaults() -> None:
    responses.get("https://a.example/", body=b"{}")
    client().request("GET", "https://a.example/", headers={"Accept": "application/json", "User-Agent": "x"})
    sent = responses.calls[0].request
    assert sent.headers["Accept"] == "application/json" and sent.headers["User-Agent"] == "x"


@responses.activate
def test_redirect_chain_recorded_in_original_form() -> None:
    responses.get("https://a.example/old", status=301, headers={"Location": "/mid"})
    responses.get("https://a.example/mid", status=302, headers={"Location": "https://b.example/new"})
    responses.get("https://b.example/new", body=b"ok")
    r = client().request("GET", "https://a.example/old")
    assert r.status == 200 and r.body == b"ok"
    assert r.final_url == "https://b.example/new"
    assert [(h.url, h.status, h.location) for h in r.hops] == [
        ("https://a.example/old", 301, "/mid"),
        ("https://a.example/mid", 302, "https://b.example/new"),
        ("https://b.example/new", 200, None),
    ]


@responses.activate
def test_remap_applies_to_every_hop_and_locations_resolve_against_original() -> None:
    # The document cites docs.example.com; the mirror serves it; the mirror's Location is relative.
    responses.get("http://mirror.example/a", status=302, headers={"Location": "/b"})
    responses.get("http://mirror.example/b", body=b"B")
    c = client(remap=((r"^https://docs\.example\.com/", "http://mirror.example/"),))
    r = c.request("GET", "https://docs.example.com/a")
    assert r.body == b"B"
    assert [h.url for h in r.hops] == ["https://docs.example.com/a", "https://docs.example.com/b"]
    assert [h.requested_url for h in r.hops] == ["http://mirror.example/a", "http://mirror.example/b"]
    assert r.final_url == "https://docs.example.com/b"


@responses.activate
def test_follow_redirects_false_returns_the_redirect() -> None:
    responses.get("https://a.example/x", status=308, headers={"Location": "/y"}, body=b"moved")
    r = client().request("GET", "https://a.example/x", follow_redirects=False)
    assert r.status == 308 and r.headers["Location"] == "/y" and len(r.hops) == 1
    assert len(responses.calls) == 1


@responses.activate
def test_303_turns_post_into_get_and_head_stays_head() -> None:
    responses.post("https://a.example/form", status=303, headers={"Location": "/done"})
    responses.get("https://a.example/done", body=b"done")
    assert client().request("POST", "https://a.example/form").body == b"done"
    responses.head("https://a.example/h", status=303, headers={"Location": "/h2"})
    responses.head("https://a.example/h2", headers={"Content-Length": "5"})
    r = client().request("HEAD", "https://a.example/h")
    assert r.status == 200 and r.body == b"" and [c.request.method for c in responses.calls[-2:]] == ["HEAD", "HEAD"]


@responses.activate
def test_twenty_hop_chain_stops_after_max_redirects() -> None:
    for i in range(20):
        responses.get(f"https://a.example/{i}", status=302, headers={"Location": f"/{i + 1}"})
    r = client().request("GET", "https://a.example/0")
    assert r.error_class == "too_many_redirects"
    assert len(r.hops) == 11 and len(responses.calls) == 11  # the first request + 10 redirects
    assert r.status == 302


@responses.activate
def test_redirect_loop_detected() -> None:
    responses.get("https://a.example/a", status=302, headers={"Location": "https://a.example/b"})
    responses.get("https://a.example/b", status=302, headers={"Location": "/a"})
    r = client().request("GET", "https://a.example/a")
    assert r.error_class == "redirect_loop" and len(r.hops) == 2 and len(responses.calls) == 2
    assert "https://a.example/a" in (r.error or "")


@responses.activate
def test_cookie_redirect_to_self_is_not_a_loop() -> None:
    def gate(request: requests.PreparedRequest):
        if "seen=1" in (request.headers.get("Cookie") or ""):
            return 200, {}, "welcome"
        return 302, {"Location": "/gate", "Set-Cookie": "seen=1; Path=/"}, ""

    responses.add_callback(responses.GET, "https://a.example/gate", callback=gate)
    r = client().request("GET", "https://a.example/gate")
    assert r.status == 200 and r.body == b"welcome" and len(r.hops) == 2


@responses.activate
def test_authorization_not_sent_to_another_host() -> None:
    responses.get("https://a.example/", status=302, headers={"Location": "https://b.example/"})
    responses.get("https://b.example/", body=b"b")
    client().request("GET", "https://a.example/", headers={"Authorization": "Bearer s3cret"})
    assert responses.calls[0].request.headers["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in responses.calls[1].request.headers


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "ftp://a.example/file",
        "mailto:someone@example.org",
        "javascript:alert(1)",
        "http://",
        "http:///path-only",
        "https://a.example:99999/",
        "https://a.example:0/",
        "http://999.1.1.1/",
        "http://[::1/",
        "a.example/no-scheme",
        "https://a.example/" + "x" * 100_000,
    ],
)
@responses.activate
def test_invalid_urls_are_values_not_exceptions(url: str) -> None:
    r = client().request("GET", url)
    assert r.error_class == "invalid_url" and r.status is None and r.error
    assert len(responses.calls) == 0


@pytest.mark.parametrize("location", ["http://[broken", "ftp://files.example/x", "javascript:alert(1)"])
@responses.activate
def test_unusable_location_is_invalid_url(location: str) -> None:
    responses.get("https://a.example/", status=302, headers={"Location": location})
    r = client().request("GET", "https://a.example/")
    assert r.error_class == "invalid_url" and r.hops[0].status == 302
    assert len(responses.calls) == 1


@pytest.mark.parametrize("url", ["https://intranet.example/", "http://a.example:8080/x"])
@responses.activate
def test_names_resolving_private_are_blocked(url: str) -> None:
    c = HttpClient(HttpConfig(), resolver=fixed_resolver("10.1.2.3"))
    r = c.request("GET", url)
    assert r.error_class == "blocked" and r.status is None and "10.1.2.3" in (r.error or "")
    assert len(responses.calls) == 0


@responses.activate
def test_redirect_to_private_address_is_blocked_and_recorded() -> None:
    responses.get("https://a.example/", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    r = client().request("GET", "https://a.example/")
    assert r.error_class == "blocked" and r.status is None
    assert [(h.url, h.status) for h in r.hops] == [
        ("https://a.example/", 302),
        ("http://169.254.169.254/latest/meta-data/", None),
    ]
    assert r.final_url == "http://169.254.169.254/latest/meta-data/"
    assert len(responses.calls) == 1


@responses.activate
def test_dns_failure() -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    r = HttpClient(HttpConfig(), resolver=nxdomain).request("GET", "https://gone.example/")
    assert r.error_class == "dns" and "gone.example" in (r.error or "") and r.status is None


@pytest.mark.parametrize(
    "exc, error_class",
    [
        (requests.exceptions.ConnectTimeout("connect timed out"), "timeout"),
        (requests.exceptions.ReadTimeout("read timed out"), "timeout"),
        (requests.exceptions.SSLError("certificate verify failed"), "tls"),
        (requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused")), "connection"),
        (requests.exceptions.ChunkedEncodingError("bad chunk"), "protocol"),
    ],
)
@responses.activate
def test_exceptions_map_to_error_class(exc: Exception, error_class: str) -> None:
    responses.get("https://a.example/", body=exc)
    r = client().request("GET", "https://a.example/")
    assert r.error_class == error_class and r.status is None and r.error and "\n" not in r.error


@responses.activate
def test_max_bytes_and_head_read_only_what_is_needed() -> None:
    responses.get("https://a.example/big", body=b"a" * 5000)
    r = client().request("GET", "https://a.example/big", max_bytes=100)
    assert r.body == b"a" * 100 and r.truncated
    r = client(max_bytes=10_000).request("GET", "https://a.example/big")
    assert len(r.body) == 5000 and not r.truncated


def test_context_manager_closes() -> None:
    with client() as c:
        assert c.remap("https://x.example/") == "https://x.example/"


@responses.activate
def test_idn_host_is_resolved_and_sent_as_punycode() -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34"]

    responses.get("https://xn--bcher-kva.example/", body=b"books")
    r = HttpClient(HttpConfig(), resolver=resolver).request("GET", "https://bücher.example/")
    assert r.body == b"books" and r.url == "https://bücher.example/"
    assert asked == ["xn--bcher-kva.example"]
    assert responses.calls[0].request.headers["Host"] == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    "template, expected",
    [
        ("bot/{version}", "bot/9.9"),
        ("literal {braces} kept", "literal {braces} kept"),
    ],
)
@responses.activate
def test_user_agent_template(template: str, expected: str) -> None:
    responses.get("https://a.example/", body=b"")
    client(user_agent=template).request("GET", "https://a.example/")
    assert responses.calls[0].request.headers["User-Agent"] == expected
