"""Real pywb for tests: write a WARC with warcio, index it with `wb-manager`, serve it with `wayback`.

Shared by the archive tests (our classes against pywb) and the audit tests (the whole pipeline
against pywb).  Readiness is polled, never slept for; the server is terminated (then killed) on
exit from the context manager.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from loopback import stop_process
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BIN = Path(sys.executable).parent
COLLECTION = "coll"


def write_warc(
    path: Path, captures: Sequence[tuple[str, str, bytes]], revisits: Sequence[tuple[str, str, str]] = ()
) -> None:
    """A gzipped WARC with one 200 text/html response per (url, WARC-Date, payload), then revisit
    records (url, WARC-Date, date of the earlier capture of url whose payload they repeat)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        digests: dict[tuple[str, str], str] = {}
        for url, when, payload in captures:
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": when},
            )
            writer.write_record(record)
            digests[(url, when)] = record.rec_headers.get_header("WARC-Payload-Digest")
        for url, when, refers_to in revisits:
            writer.write_record(
                writer.create_revisit_record(
                    url,
                    digest=digests[(url, refers_to)],
                    refers_to_uri=url,
                    refers_to_date=refers_to,
                    warc_headers_dict={"WARC-Date": when},
                )
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(proc: subprocess.Popen, url: str, deadline: float, log: Path) -> None:
    """Poll URL until it answers 200; fail early if the server process exits."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"wayback exited with {proc.returncode}: {output}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)  # paces the loop and notices an early exit, instead of a blind sleep
    raise RuntimeError("wayback did not become ready in time")


@contextmanager
def running_pywb(root: Path, warcs: Sequence[Path], probe_url: str) -> Iterator[str]:
    """pywb serving WARCS as collection `coll` from ROOT; yields its base URL (http://127.0.0.1:PORT).

    PROBE_URL is an archived URL: the server counts as ready once its CDX answers for it.
    """
    if not (BIN / "wayback").exists() or not (BIN / "wb-manager").exists():
        pytest.fail("pywb is not installed in this environment (pip install pywb)")
    for args in (["init", COLLECTION], ["add", COLLECTION, *map(str, warcs)]):
        subprocess.run([str(BIN / "wb-manager"), *args], cwd=root, check=True, capture_output=True, timeout=120)
    port = free_port()
    started = time.monotonic()
    # Its access log goes to a file: a pipe nobody reads fills after ~150 requests and hangs pywb.
    log = root / "wayback.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, f"{base}/{COLLECTION}/cdx?url={probe_url}&output=json", started + 60, log)
        print(f"\npywb ready in {time.monotonic() - started:.2f}s on {base}")
        yield base
    finally:
        stop_process(proc)
        shutil.rmtree(root, ignore_errors=True)


def remap_ia_to(pywb: str) -> list[list[str]]:
    """http.remap entries that route the Internet Archive's CDX and replay endpoints to pywb's `coll`."""
    return [
        [r"^https://web\.archive\.org/cdx/search/cdx", f"{pywb}/{COLLECTION}/cdx"],
        [r"^https://web\.archive\.org/web/", f"{pywb}/{COLLECTION}/"],
    ]
