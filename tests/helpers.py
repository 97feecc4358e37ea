"""Small helpers shared by test files: a public resolver, a CLI runner, a page builder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from provenance.net.guard import fixed_resolver

# Every host is this public address, so the private-address guard lets `responses`-mocked requests go.
PUBLIC = fixed_resolver("93.184.216.34")


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m provenance ARGS` in a child process, as a user runs it: its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "provenance", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def article_page(title: str, words: str) -> bytes:
    """A small HTML page with a title, a heading and one paragraph of WORDS."""
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{words}</p></main></body></html>"
    ).encode()
