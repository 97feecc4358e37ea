"""Registrable domains and public suffixes, from the bundled Public Suffix List."""

from __future__ import annotations

import pytest

from provenance.domains import has_public_suffix, is_web_url, registrable_domain


@pytest.mark.parametrize(
    ("host", "real"),
    [
        ("bbc.co.uk", True),
        ("www.cdc.gov", True),
        ("github.io", True),  # a private suffix that is a site itself
        ("user.github.io", True),
        ("httpbin.org", True),
        ("co.uk", False),  # a suffix, no name under it
        ("file.txt", False),
        ("e.g", False),
    ],
)
def test_has_public_suffix(host: str, real: bool) -> None:
    assert has_public_suffix(host) is real


def test_registrable_domain() -> None:
    assert registrable_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert registrable_domain("https://user.github.io/x") == "user.github.io"


@pytest.mark.parametrize(
    ("url", "web"),
    [
        ("https://a.example/x", True),
        ("HTTP://A.EXAMPLE/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("https:///no-host", False),
        ("http://[::1", False),
        (None, False),
    ],
)
def test_is_web_url(url: str | None, web: bool) -> None:
    assert is_web_url(url) is web
