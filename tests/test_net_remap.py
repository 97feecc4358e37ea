"""http.remap: first matching rule wins, re.sub semantics."""

from __future__ import annotations

import pytest

from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.net.remap import RemapError, compile_rules, remap, url_problem
from provenance.records import ErrorClass

RULES = compile_rules(
    [
        (r"^https://docs\.example\.com/", "http://127.0.0.1:8000/"),
        (r"^https?://(www\.)?old\.example/(.*)$", r"https://new.example/\2"),
        (r"^https://docs\.", "https://never.example/"),  # shadowed by the first rule
    ]
)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://docs.example.com/a?b=1", "http://127.0.0.1:8000/a?b=1"),
        ("http://www.old.example/x/y", "https://new.example/x/y"),
        ("https://docs.other.org/", "https://never.example/other.org/"),
        ("https://unrelated.example/", "https://unrelated.example/"),
    ],
)
def test_remap(url: str, expected: str) -> None:
    assert remap(url, RULES) == expected


def test_no_rules_is_identity() -> None:
    assert remap("https://a.example/", ()) == "https://a.example/"


def test_a_rule_that_backtracks_without_end_costs_one_url_a_second() -> None:
    rules = compile_rules(
        [(r"^https://(a|aa)+$", "http://mirror/")]
    )  # exponentially many ways to fail on the URL below
    with pytest.raises(RemapError, match=r"http.remap\[0\] .* took over 1 s on this URL"):
        remap("https://" + "a" * 40 + "!", rules)


def test_the_client_turns_that_into_the_links_result_not_a_hang() -> None:
    config = HttpConfig(remap=((r"^https://(a|aa)+$", "http://mirror/"),), retries=0)
    with HttpClient(config) as client:
        response = client.request("GET", "https://" + "a" * 40 + "!")
    assert response.error_class is ErrorClass.INVALID_URL and "took over 1 s" in (response.error or "")


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://exa mple.org/x", "is not a host name"),
        ("http://-bad-.example/x", "is not a host name"),
        ("http://a..b.example/x", "is not a host name"),
        ("http://300.1.1.1/x", "is not an IPv4 address"),
        ("https://example.org:99999/x", "Port out of range"),
    ],
)
def test_a_host_or_port_no_request_can_reach_is_a_problem(url, problem):
    assert problem in (url_problem(url) or "")


@pytest.mark.parametrize(
    "url",
    [
        "http://b\u00fccher.example/",
        "http://my_host.example/",
        "http://[::1]:8080/",
        "http://example.org./",
        "http://localhost/",
    ],
)
def test_hosts_browsers_reach_are_no_problem(url):
    assert url_problem(url) is None
