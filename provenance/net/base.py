"""What every stage sees of the HTTP door: the `Client` protocol and the `Response` it returns.

Stages type their client against this protocol, not against `HttpClient`, so they can be given a
recorded or scripted client in tests, and importing a stage does not import `requests`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..records import ErrorClass, Hop


@dataclass(frozen=True)
class Response:
    """What one request (with its redirects) came to.

    Network trouble is a value here, never an exception: `error` says what happened in one line
    and `error_class` which kind of trouble it was; `status` is None when no answer came.
    """

    url: str
    final_url: str
    status: int | None
    headers: Mapping[str, str]
    body: bytes
    truncated: bool
    hops: tuple[Hop, ...]
    elapsed_ms: float
    error: str | None = None
    error_class: ErrorClass | None = None


class Client(Protocol):
    """The one HTTP door (net/client.py's `HttpClient`): remap, guard, redirects, deadline, body cap."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        follow_redirects: bool = True,
        timeout: float | None = None,
    ) -> Response:
        """METHOD URL; never raises for network trouble (see Response)."""
        ...
