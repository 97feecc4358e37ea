"""http.remap: first matching rule wins, re.sub semantics."""

from __future__ import annotations

import pytest

from provenance.net.remap import compile_rules, remap

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
