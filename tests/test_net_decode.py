"""Capped Content-Encoding decoding and body reading under a byte cap and a deadline."""

from __future__ import annotations

import gzip
import io
import time
import zlib

import pytest
from urllib3.response import HTTPResponse

from provenance.net.decode import CappedDecoder, DecodeError, read_body

TEXT = b"<html><title>Hello</title>" + b"lorem ipsum " * 500


def _deflate_raw(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def _feed_in_pieces(decoder: CappedDecoder, data: bytes, size: int = 7) -> bytes:
    return b"".join(decoder.feed(data[i : i + size]) for i in range(0, len(data), size))


@pytest.mark.parametrize(
    "coding, encode",
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # RFC 9110 deflate: zlib-wrapped
        ("deflate", _deflate_raw),  # what some servers send instead
        (None, lambda d: d),
        ("identity", lambda d: d),
        ("br", lambda d: d),  # never asked for: passed through as received
    ],
)
def test_decodes_in_pieces(coding: str | None, encode) -> None:
    assert _feed_in_pieces(CappedDecoder(coding, 10**9), encode(TEXT)) == TEXT


def test_concatenated_gzip_members() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    assert CappedDecoder("gzip", 1000).feed(data) == b"first second"


def test_bomb_stops_at_cap() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 KB on the wire
    decoder = CappedDecoder("gzip", 5000)
    out = _feed_in_pieces(decoder, bomb, 4096)
    assert len(out) == 5000 and decoder.full


def test_garbage_under_gzip_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        CappedDecoder("gzip", 100).feed(b"this is not gzip at all")


def _raw(body: bytes, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(body=io.BytesIO(body), headers=headers or {}, status=200, preload_content=False)


@pytest.mark.parametrize(
    "size, limit, truncated",
    [
        (100, 1000, False),
        (1000, 1000, False),
        (1001, 1000, True),
        (50_000, 1000, True),
    ],
)
def test_read_body_cap(size: int, limit: int, truncated: bool) -> None:
    got = read_body(_raw(b"a" * size), limit, time.monotonic() + 5, None)
    assert len(got.body) == min(size, limit)
    assert got.truncated is truncated and got.error_class is None


class _CountingRaw:
    def __init__(self) -> None:
        self.reads = 0

    def read1(self, amt: int, decode_content: bool = False) -> bytes:
        self.reads += 1
        return b"x" * amt


def test_read_body_zero_limit_reads_nothing() -> None:
    raw = _CountingRaw()
    got = read_body(raw, 0, time.monotonic() + 5, None)
    assert got.body == b"" and raw.reads == 0 and not got.truncated


def test_read_body_endless_stream_is_capped() -> None:
    raw = _CountingRaw()
    got = read_body(raw, 100_000, time.monotonic() + 5, None, chunk=1000)
    assert len(got.body) == 100_000 and got.truncated and raw.reads == 101


def test_read_body_gzip_bomb_truncated() -> None:
    got = read_body(_raw(gzip.compress(b"\0" * 10_000_000)), 2000, time.monotonic() + 5, "gzip")
    assert got.body == b"\0" * 2000 and got.truncated


def test_read_body_past_deadline_is_timeout() -> None:
    got = read_body(_raw(b"x" * 10), 1000, time.monotonic() - 1, None)
    assert got.error_class == "timeout" and got.body == b""


def test_read_body_bad_gzip_is_protocol() -> None:
    got = read_body(_raw(b"definitely not gzip"), 1000, time.monotonic() + 5, "gzip")
    assert got.error_class == "protocol"
