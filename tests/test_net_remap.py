"""http.remap: first matching rule wins, re.sub semantics."""

from __future__ import annotations

import pytest

from provenance.net.remap import compile_rules, remap, url_problem

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
