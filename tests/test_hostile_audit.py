"""The whole product against everything hostile at once.

One `python -m provenance audit` subprocess over a folder mixing every hostile document with
ordinary ones, whose links lead to hostile loopback servers (remapped from made-up site names, so
each hostile case is its own site for politeness) and to ordinary ones.  It must finish within a
fixed bound, stay under 500 MB (the audit process's own peak RSS, its VmHWM; the harvest child has
a budget of its own), exit 2 without a traceback (some URL inputs cannot be read, each said in
one line), and report every ordinary document's findings and every hostile link's fate.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
import trustme
import yaml
from hostile import write_hostile_documents
from loopback import LoopbackServer, Request, bad_headers, drip, endless_chunked, garbage, raw, redirect, serve, text

pytestmark = pytest.mark.slow  # one audit subprocess against every hostile server at once

TIME_BOUND = 120.0  # seconds; the run is killed past it, a hang rather than a slow run
MEMORY_BOUND_MB = 500
BOMB = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # ~200 KB on the wire, 200 MB inflated
HUGE_BODY = 1 << 30  # a 1 GB Content-Length, streamed until the client hangs up


def _chain(req: Request):
    """/chain/N redirects to /chain/N+1 up to 20 hops; any other path is 404."""
    if not re.fullmatch(r"/chain/\d+", req.path):  # and the checker's soft-404 probes
        return 404, {"Content-Type": "text/html"}, b"<title>Not found</title>not found"
    n = int(req.path.rsplit("/", 1)[1])
    if n >= 20:
        return 200, {"Content-Type": "text/html"}, b"<title>End of the chain</title>"
    return 302, {"Location": f"/chain/{n + 1}"}, b""


# Not test_hostile_servers.py's _huge: an HTML body that ends, 1 GB long, not an endless one.
def _huge(_req: Request, wfile: BinaryIO, server: LoopbackServer) -> None:
    wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + f"Content-Length: {HUGE_BODY}\r\n\r\n".encode())
    block = b"<p>" + b"x" * 65_000 + b"</p>"
    for _ in range(HUGE_BODY // len(block)):
        if server.stopping.is_set():
            return
        wfile.write(block)


HOSTILE_ROUTES = {
    "/loop-a": redirect("/loop-b"),
    "/loop-b": redirect("/loop-a"),
    "/endless": endless_chunked(b"<p>" + b"y" * 8000 + b"</p>"),
    "/huge": raw(_huge),
    "/bomb": lambda _req: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, BOMB),
    "/drip": drip(byte_every=1.0, total=100_000),
    "/garbage": garbage(b"THIS IS NOT HTTP AT ALL\r\n\r\n"),
    "/bad-headers": bad_headers(b"No colon in this header", b"<title>bad headers</title>"),
    "/binary-as-html": text(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, content_type="text/html"),
    "/deep": text(b"<html><body>" + b"<div>" * 10_000 + b"<title>deep</title>" + b"</div>" * 10_000),
    "/html-as-png": text("<html><head><title>A page</title></head><body>words</body></html>", content_type="image/png"),
    "*": _chain,
}

ARTICLE = """<html><head><title>{title}</title>
<meta property="article:published_time" content="2024-06-01T10:00:00Z"></head>
<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"""

ORDINARY_ROUTES = {
    "/article": text(ARTICLE.format(title="An ordinary article", body="Plain words about ordinary things. " * 20)),
    "/2031/05/01/later": text(ARTICLE.format(title="Written later", body="From the future, apparently. " * 20)),
    "/moved": redirect("/article", 301),
    "*": lambda _req: (404, {"Content-Type": "text/html"}, b"<title>Not found</title><h1>404</h1>"),
}

# (URL in the documents, status the audit must report, finding kind or None)
HOSTILE_LINKS = [
    ("https://loop.hostile.test/loop-a", "unreachable", "unreachable"),
    ("https://chain.hostile.test/chain/0", "unreachable", "unreachable"),
    ("https://endless.hostile.test/endless", "alive", None),
    ("https://huge.hostile.test/huge", "alive", None),
    ("https://bomb.hostile.test/bomb", "alive", None),
    ("https://drip.hostile.test/drip", "unreachable", "unreachable"),
    ("https://garbage.hostile.test/garbage", "unreachable", "unreachable"),
    ("https://headers.hostile.test/bad-headers", "alive", None),  # read leniently, as browsers do
    ("https://binary.hostile.test/binary-as-html", "alive", None),
    ("https://png.hostile.test/html-as-png", "alive", None),
    ("https://deep.hostile.test/deep", "alive", None),
    ("https://tls.hostile.test/", "unreachable", "unreachable"),
]
ORDINARY_LINKS = [
    ("https://www.ordinary.test/article", "alive", None),
    ("https://www.ordinary.test/moved", "alive", None),
    ("https://www.ordinary.test/gone", "dead", "dead_link"),
    ("https://www.ordinary.test/2031/05/01/later", "alive", "temporal_mismatch"),
    ("http://10.1.2.3/admin", "blocked", "blocked_url"),
    ("http://2130706433/secret", "blocked", "blocked_url"),
]


# Pages given on the command line: read up to harvest.max_file_bytes, or a per-document error.
URL_INPUTS = [
    "https://endless.hostile.test/endless",
    "https://drip.hostile.test/drip",
    "https://bomb.hostile.test/bomb",
    "https://garbage.hostile.test/garbage",
]
UNREADABLE_INPUTS = URL_INPUTS[1:]  # the endless page is read up to the cap; the others give nothing


def ordinary_documents(folder: Path) -> dict[str, set[tuple[str | None, str]]]:
    """Write the ordinary documents; return source -> the (url, finding kind) pairs each must get."""
    every = HOSTILE_LINKS + ORDINARY_LINKS
    html_links = "".join(f'<p>As <a href="{url}">this source</a> says, it matters.</p>' for url, _, _ in every)
    (folder / "ordinary.html").write_text(
        "<html><head><title>An ordinary page</title>"
        '<meta property="article:published_time" content="2022-03-01T09:00:00Z"></head>'
        f"<body><article><h1>An ordinary page</h1>{html_links}"
        '<p>And <a href="http://[broken">a broken address</a>.</p></article></body></html>',
        encoding="utf-8",
    )
    (folder / "ordinary.md").write_text(
        "---\ntitle: Ordinary notes\ndate: 2022-03-02\n---\n\n# Ordinary notes\n\n"
        + "".join(f"* [source {i}]({url})\n" for i, (url, _, _) in enumerate(every)),
        encoding="utf-8",
    )
    (folder / "ordinary.txt").write_text(
        "Ordinary plain text\n\nMarch 3, 2022\n\n"
        + "".join(f"See {url} for more.\n\n" for url, _, _ in ORDINARY_LINKS),
        encoding="utf-8",
    )
    expected_html = {(url, kind) for url, _, kind in every if kind} | {("http://[broken", "invalid_url")}
    expected_md = {(url, kind) for url, _, kind in every if kind}
    expected_txt = {(url, kind) for url, _, kind in ORDINARY_LINKS if kind}
    return {"docs/ordinary.html": expected_html, "docs/ordinary.md": expected_md, "docs/ordinary.txt": expected_txt}


# Not test_net_tls.py's tls_server: here no client trusts the CA, so every request fails.
@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[LoopbackServer]:
    """HTTPS with a certificate from a CA nobody trusts: every request is a TLS failure."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1", "tls.hostile.test").configure_cert(context)
    with serve(text("secret"), tls=context) as server:
        yield server


# Runs the CLI and, as it leaves, writes its own peak RSS (VmHWM, per process image).  wait4's
# ru_maxrss would not do: for a child started by vfork and exec, Linux folds the parent's peak
# (this pytest process's, hundreds of MB in a full run) into the child's.
_MEASURED = """
import atexit, sys
peak_file = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(write_peak)
sys.argv[0] = "provenance"
from provenance.cli import run
run()
"""


def _run_measured(args: list[str], cwd: Path, bound: float) -> tuple[int, float, float, str, str]:
    """(exit code, wall seconds, the CLI's peak RSS in MB, stdout, stderr) of `provenance ARGS`;
    killed past BOUND."""
    out, err, peak = cwd / "stdout.txt", cwd / "stderr.txt", cwd / "peak-kb.txt"
    args = [sys.executable, "-c", _MEASURED, str(peak), *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PYTEST_CURRENT_TEST", None)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.monotonic()
        child = subprocess.Popen(args, cwd=cwd, stdout=stdout, stderr=stderr, env=env)
        while True:
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > bound:
                child.kill()
                child.wait()
                pytest.fail(f"audit still running after {bound:.0f} s: {err.read_text()[-2000:]}")
            time.sleep(0.05)  # polling a deadline, not waiting for a race
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    return child.returncode, elapsed, int(peak.read_text()) / 1024, out.read_text(), err.read_text()


def test_audit_over_everything_hostile(tmp_path: Path, tls_server: LoopbackServer) -> None:
    docs = tmp_path / "docs"
    write_hostile_documents(docs, site="https://www.ordinary.test")
    expected = ordinary_documents(docs)
    with serve(HOSTILE_ROUTES) as hostile, serve(ORDINARY_ROUTES) as ordinary:
        config = {
            "http": {
                "timeout": 3,
                "retries": 1,
                "remap": [
                    [r"^https://tls\.hostile\.test/", tls_server.url("/")],
                    [r"^https?://[a-z0-9-]+\.hostile\.test/", hostile.url("/")],
                    [r"^https?://[a-z0-9-]+\.ordinary\.test/", ordinary.url("/")],
                ],
                "allow_private": [hostile.netloc, ordinary.netloc, tls_server.netloc],
            }
        }
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        code, seconds, peak_mb, stdout, stderr = _run_measured(
            [
                "audit",
                "docs",
                *URL_INPUTS,
                "--config",
                "config.yaml",
                "--db",
                f"sqlite:///{tmp_path / 'audit.sqlite'}",
                "--format",
                "json",
                "--no-archive",
                "--quiet",
            ],
            tmp_path,
            TIME_BOUND,
        )
    print(f"hostile audit: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB, exit {code}")  # shown with -s
    assert "Traceback" not in stderr, stderr
    assert code == 2, stderr  # URL inputs that could not be read, each said in one line:
    said = sorted(line.split(": ", 2)[1] for line in stderr.splitlines() if line.startswith("provenance: cannot read"))
    assert said == sorted(f"cannot read {url}" for url in UNREADABLE_INPUTS), stderr
    assert peak_mb < MEMORY_BOUND_MB
    report = json.loads(stdout)
    documents = {d["source"]: d for d in report["documents"]}
    ids = {d["id"]: d["source"] for d in report["documents"]}
    assert set(documents) >= {
        f"docs/{name}"
        for name in (
            "binary.bin",
            "empty.txt",
            "huge.txt",
            "cp1251.txt",
            "latin1.txt",
            "utf16.txt",
            "malformed.html",
            "deep.html",
            "long-url.html",
            "long-url.txt",
            "nul.txt",
            "zip.html",
        )
    }

    # hostile pages as inputs: read up to the cap, or a per-document error naming the failure
    assert "harvest.max_file_bytes" in documents["https://endless.hostile.test/endless"]["error"]
    assert documents["https://bomb.hostile.test/bomb"]["error"] == "not a text document: binary (NUL bytes)"
    assert "timed out" in documents["https://drip.hostile.test/drip"]["error"]
    assert documents["https://garbage.hostile.test/garbage"]["error"].startswith("cannot fetch")

    # hostile documents: a per-document error where nothing could be read, links where they could
    assert documents["docs/binary.bin"]["error"].startswith("not a text document")
    assert documents["docs/zip.html"]["error"] == "not a text document: a zip archive"
    assert "harvest.max_file_bytes" in documents["docs/huge.txt"]["error"]
    assert "nested deeper" in documents["docs/deep.html"]["error"]
    links_of: dict[str, dict[str | None, dict]] = {}
    for link in report["links"]:
        links_of.setdefault(ids[link["document"]], {})[link["url"]] = link
    for name, path in [
        ("cp1251.txt", "ru/статья"),
        ("deep.html", "deep"),
        ("latin1.txt", "fr/café"),
        ("nul.txt", "nul"),
        ("utf16.txt", "utf16"),
        ("huge.txt", "huge-start"),
    ]:
        url = f"https://www.ordinary.test/{path}"
        assert links_of[f"docs/{name}"][url]["status"] == "dead", (name, url)  # the ordinary site: 404
    (long_link,) = links_of["docs/long-url.txt"].values()
    assert long_link["status"] == "invalid"

    # hostile servers: each link ends in the status its case calls for, with the error class
    page_links = links_of["docs/ordinary.html"]
    for url, status, _kind in HOSTILE_LINKS + ORDINARY_LINKS:
        assert page_links[url]["status"] == status, (url, page_links[url])

    # every ordinary document's findings are present
    found: dict[str, set[tuple[str | None, str]]] = {}
    evidence: dict[tuple[str, str | None], dict] = {}
    for finding in report["findings"]:
        source = ids[finding["document"]]
        found.setdefault(source, set()).add((finding["url"], finding["kind"]))
        evidence[(source, finding["url"])] = finding["evidence"]
    for source, wanted in expected.items():
        assert wanted <= found.get(source, set()), (source, wanted - found.get(source, set()))
    tls = json.dumps(evidence[("docs/ordinary.html", "https://tls.hostile.test/")])
    assert "tls" in tls, tls
    drip_evidence = json.dumps(evidence[("docs/ordinary.html", "https://drip.hostile.test/drip")])
    assert "timeout" in drip_evidence, drip_evidence
