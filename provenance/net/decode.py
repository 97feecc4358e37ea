"""Capped, incremental Content-Encoding decoding.

We decode ourselves (reading the raw stream) so the cap applies to DECOMPRESSED bytes: a 10 KB
gzip bomb that inflates to 10 GB costs at most `limit` bytes of memory and the time to inflate
them.  Only the encodings we ask for (gzip, deflate) are decoded; anything else is passed through
as received, which is what a checker that only sniffs titles can live with.
"""

from __future__ import annotations

import socket
import time
import zlib
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from urllib3.exceptions import ProtocolError, ReadTimeoutError

from ..records import ErrorClass


class DecodeError(ValueError):
    """The body does not decode as its Content-Encoding says."""


class CappedDecoder:
    """Feed raw chunks, get decoded bytes, never more than `limit` in total."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        # Several codings (rare) or unknown ones (br, zstd we never asked for): pass through.
        self._coding = codings[0] if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate") else None
        self._limit = limit
        self._produced = 0
        self._obj: zlib._Decompress | None = None
        self._deflate_pending = b""  # first bytes of a deflate body, until we know its flavour

    @property
    def produced(self) -> int:
        return self._produced

    @property
    def full(self) -> bool:
        return self._produced >= self._limit

    def feed(self, data: bytes) -> bytes:
        """Decode DATA; output stops at the cap (the rest is dropped)."""
        room = self._limit - self._produced
        if room <= 0 or not data:
            return b""
        out = data[:room] if self._coding is None else self._inflate(data, room)
        self._produced += len(out)
        return out

    def _inflate(self, data: bytes, room: int) -> bytes:
        if self._obj is None:
            if self._coding in ("gzip", "x-gzip"):
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            else:
                # "deflate" is zlib-wrapped per RFC 9110, but some servers send raw deflate.
                self._deflate_pending += data
                if len(self._deflate_pending) < 2:
                    return b""
                data, self._deflate_pending = self._deflate_pending, b""
                wrapped = (data[0] & 0x0F) == 8 and int.from_bytes(data[:2], "big") % 31 == 0
                self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = bytearray()
        try:
            while data and len(out) < room:
                chunk = self._obj.decompress(data, room - len(out))
                out += chunk
                if self._obj.unconsumed_tail:
                    data = self._obj.unconsumed_tail
                    if not chunk:
                        break
                elif self._obj.eof and self._obj.unused_data and self._coding != "deflate":
                    # a further gzip member (concatenated gzip is valid)
                    data = self._obj.unused_data
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    break
        except zlib.error as exc:
            raise DecodeError(f"body is not valid {self._coding}: {exc}") from None
        return bytes(out)


@dataclass(frozen=True)
class Body:
    """A body read under a byte cap and a deadline."""

    body: bytes
    truncated: bool
    error: str | None = None
    error_class: ErrorClass | None = None  # TIMEOUT or PROTOCOL


def read_body(raw: Any, limit: int, deadline: float, content_encoding: str | None, chunk: int = 16_384) -> Body:
    """Read up to LIMIT decoded bytes from a urllib3 response before DEADLINE (time.monotonic()).

    Reads with read1 (whatever has arrived, at most CHUNK) and re-arms the socket timeout to the
    time left before each read, so a server dripping a byte a second cannot outlast the deadline.
    One byte beyond LIMIT is decoded to tell "exactly LIMIT" from "truncated".
    """
    if limit <= 0:
        return Body(b"", False)
    decoder = CappedDecoder(content_encoding, limit + 1)
    raw_cap = 4 * limit + 65_536  # compressed noise that never inflates must end too
    out = bytearray()
    taken = 0
    try:
        while not decoder.full and taken < raw_cap:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _cut(out, limit, "deadline passed", ErrorClass.TIMEOUT)
            _arm(raw, remaining)
            data = raw.read1(chunk, decode_content=False)
            if not data:
                break
            taken += len(data)
            out += decoder.feed(data)
    except DecodeError as exc:
        return _cut(out, limit, str(exc), ErrorClass.PROTOCOL, truncated=False)
    except (TimeoutError, ReadTimeoutError):
        return _cut(out, limit, "deadline passed", ErrorClass.TIMEOUT)
    except (ProtocolError, HTTPException, OSError) as exc:
        if isinstance(exc, ProtocolError) and _is_timeout(exc):
            return _cut(out, limit, "deadline passed", ErrorClass.TIMEOUT)
        text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return _cut(out, limit, f"body broken off: {text}", ErrorClass.PROTOCOL, truncated=False)
    truncated = len(out) > limit or taken >= raw_cap
    return _cut(out, limit, truncated=truncated)


def _cut(
    out: bytearray,
    limit: int,
    error: str | None = None,
    error_class: ErrorClass | None = None,
    truncated: bool | None = None,
) -> Body:
    """OUT cut to LIMIT in place, then copied once (a 50 MB body is not copied twice)."""
    over = len(out) > limit if truncated is None else truncated
    del out[limit:]
    return Body(bytes(out), over, error, error_class)


def _arm(raw: Any, remaining: float) -> None:
    conn = getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        sock.settimeout(max(remaining, 0.001))


def _is_timeout(exc: BaseException) -> bool:
    return any(isinstance(a, (TimeoutError, socket.timeout)) for a in getattr(exc, "args", ()))
