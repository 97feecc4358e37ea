"""The one clock: what "now" is for every timestamp the product stores.

Stages take a `Clock` argument instead of asking the system, so the daemon, tests and a
re-run over recorded evidence all stamp checks, look-ups and findings with the time they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware: the default Clock."""
    return datetime.now(UTC)
