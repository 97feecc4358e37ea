"""Server-side request forgery, from documents to findings.

The guard itself is proven where it lives, and not repeated here: every literal notation
(decimal, octal, hex, short forms, `[::1]`, IPv6-mapped IPv4, `0.0.0.0`, `localhost`) blocked
before a byte is sent, names resolving to private addresses, a redirect hop to a private address,
and DNS answers that change between check and connect (the checked address is the one dialled):
test_net_live.py and test_net_guard.py.  What is added: the whole way through an audit.  Documents
in every format cite a private server in every notation, and a public-looking site redirects to it;
the private server must receive nothing, and each link must become `blocked` with a `blocked_url`
finding (or `invalid` where a harvester cannot read the address as a URL at all).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from loopback import LoopbackServer, redirect, serve, text

from provenance import pipeline
from provenance.config import ArchiveConfig, Config, HttpConfig
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver
from provenance.report.build import build_report
from provenance.report.output import write
from provenance.store.db import session_scope
from provenance.store.migrate import open_store


def notations(port: int) -> list[str]:
    """The private server's address written every way a browser would still read as loopback."""
    return [
        f"http://127.0.0.1:{port}/secret",
        f"http://2130706433:{port}/decimal",
        f"http://0177.0.0.1:{port}/octal",
        f"http://0x7f000001:{port}/hex",
        f"http://[::1]:{port}/ipv6",
        f"http://[::ffff:127.0.0.1]:{port}/mapped",
        f"http://0.0.0.0:{port}/unspecified",
        f"http://localhost:{port}/name",
        f"http://intranet.example.com:{port}/resolves-private",
    ]


def _audit(tmp_path: Path, docs: Path, config: Config, resolver=None) -> dict:
    engine = open_store(f"sqlite:///{tmp_path / 'ssrf.sqlite'}")
    with HttpClient(config.http, resolver=resolver) as client:
        pipeline.audit(engine, config, [str(docs)], client, archives=False)
    out = io.StringIO()
    with session_scope(engine) as session:
        write(build_report(session), "json", out)
    return json.loads(out.getvalue())


def _resolver(host: str, port: int) -> list[str]:
    """DNS for the test: `intranet.example.com` and `localhost` are private; nothing leaves the machine."""
    return ["10.0.0.7"] if host == "intranet.example.com" else ["127.0.0.1"]


@pytest.fixture
def secret() -> LoopbackServer:
    with serve(text("internal secret")) as server:
        yield server


def test_every_notation_in_every_format_is_blocked_and_never_sent(tmp_path: Path, secret: LoopbackServer) -> None:
    urls = notations(secret.port)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.html").write_text(
        "<html><body><article>"
        + "".join(f'<p>See <a href="{u}">this</a>.</p>' for u in urls)
        + "</article></body></html>",
        encoding="utf-8",
    )
    (docs / "notes.md").write_text("# Notes\n\n" + "".join(f"* [link]({u})\n" for u in urls), encoding="utf-8")
    (docs / "print.txt").write_text("A print\n\n" + "".join(f"See {u} here.\n\n" for u in urls), encoding="utf-8")
    config = Config(http=HttpConfig(timeout=3), archive=ArchiveConfig(enabled=False))
    report = _audit(tmp_path, docs, config, resolver=_resolver)

    assert secret.count() == 0
    ids = {d["id"]: d["source"] for d in report["documents"]}
    seen: dict[str, dict[str, str]] = {}
    for link in report["links"]:
        seen.setdefault(ids[link["document"]], {})[link["url"]] = link["status"]
    for source in (str(docs / "page.html"), str(docs / "notes.md"), str(docs / "print.txt")):
        assert seen[source] == {u: "blocked" for u in urls}, source
    blocked = {(ids[f["document"]], f["url"]) for f in report["findings"] if f["kind"] == "blocked_url"}
    assert len(blocked) == 3 * len(urls)


def test_public_site_redirecting_to_a_private_address_is_blocked_at_that_hop(
    tmp_path: Path, secret: LoopbackServer
) -> None:
    with serve({"/go": redirect(secret.url("/secret")), "/ok": text("<title>fine</title>")}) as public:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "a.md").write_text(
            "# A\n\n[moved](https://public.example.org/go) and [fine](https://public.example.org/ok)\n",
            encoding="utf-8",
        )
        # the "public" site is a loopback server reached through remap and allowed by name
        config = Config(
            http=HttpConfig(
                timeout=3, remap=((r"^https://public\.example\.org/", public.url("/")),), allow_private=(public.netloc,)
            ),
            archive=ArchiveConfig(enabled=False),
        )
        report = _audit(tmp_path, docs, config, resolver=fixed_resolver("93.184.216.34"))
        assert public.count("/go") == 1
    assert secret.count() == 0
    links = {link["url"]: link for link in report["links"]}
    assert links["https://public.example.org/go"]["status"] == "blocked"
    assert links["https://public.example.org/ok"]["status"] == "alive"
    (finding,) = [f for f in report["findings"] if f["kind"] == "blocked_url"]
    hops = [(h["url"], h["status"]) for h in finding["evidence"]["hops"]]
    assert hops == [("https://public.example.org/go", 302), (secret.url("/secret"), None)]
