"""HTTPS through the pinned connection: SNI and certificate checks use the URL's name, not the IP."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import requests.adapters
import trustme
from loopback import LoopbackServer, serve

from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver


# Not test_hostile_audit.py's tls_server: its CA is trusted, and the SNI names sent are recorded.
@pytest.fixture
def tls_server(tmp_path, monkeypatch) -> Iterator[tuple[LoopbackServer, list[str]]]:
    ca = trustme.CA()
    cert = ca.issue_cert("secure.test")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    names: list[str] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc]
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(bundle))
    with serve({"/": lambda req: (200, {}, req.headers["Host"].encode())}, tls=context) as server:
        yield server, names


def _client(server: LoopbackServer, name: str) -> HttpClient:
    return HttpClient(
        HttpConfig(allow_private=(f"{name}:{server.port}",), timeout=5), resolver=fixed_resolver("127.0.0.1")
    )


def test_https_to_pinned_address_verifies_the_name(tls_server) -> None:
    server, names = tls_server
    r = _client(server, "secure.test").request("GET", server.url("/", host="secure.test"))
    assert (r.status, r.error_class) == (200, None)
    assert r.body == f"secure.test:{server.port}".encode()
    assert names == ["secure.test"]  # SNI carried the name although the socket went to 127.0.0.1


def test_certificate_for_another_name_is_a_tls_error(tls_server) -> None:
    server, _names = tls_server
    r = _client(server, "other.test").request("GET", server.url("/", host="other.test"))
    assert r.error_class == "tls" and r.status is None and server.count() == 0
