"""`http.remap`: rewrite a URL just before it is requested.

Used for mirrors, staging copies and tests (send `https://docs.example.com/` to a local server).
Only the outgoing request changes; every stored URL and every Location resolution stays in the
original form, so findings are about what the document cites, not where we happened to fetch it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Rule = tuple[re.Pattern[str], str]


def compile_rules(pairs: Iterable[tuple[str, str]]) -> tuple[Rule, ...]:
    """[(regex, replacement), ...] -> compiled rules, order kept."""
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


def remap(url: str, rules: Iterable[Rule]) -> str:
    """The URL to request for URL: the first rule whose regex matches applies (re.sub), else URL."""
    for pattern, replacement in rules:
        if pattern.search(url):
            return pattern.sub(replacement, url)
    return url
