"""Each document is harvested under a budget of time and memory, in a child process.

A document is chosen by whoever wrote it.  Parsers have inputs on which they are slow or greedy
beyond any cap on the input's size (libxml2 compares every attribute of a tag with every other;
a regex's backtracking stack grows with what it repeats), and C code cannot be interrupted from
Python.  So a child process does the parsing, watched from here: each document gets
`harvest.max_seconds`, and the child's resident memory may grow `harvest.max_memory_bytes` beyond
what it had when it started (read from /proc while it works, and its high-water mark after);
over either, the child is killed and replaced.  An address-space limit of four times that stops
a spike faster than the watch; it may surface as a library's own error or a MemoryError, and the
high-water mark still names the document as over its memory.  Either way the document is
stored with a one-line error, and the run goes on.

The child is forked when this process runs a single thread (the CLI: a fork costs milliseconds
and shares the modules already imported); beside other threads (the daemon) a fork could inherit
a lock held elsewhere, so the child comes from multiprocessing's fork server instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from types import TracebackType

from ..config import HarvestConfig
from ..records import HarvestedDocument
from .inputs import failed_document, harvest_bytes
from .pdfread import PdfReader

__all__ = ["BudgetedHarvester"]


class BudgetedHarvester:
    """`harvest_bytes` run in a child process, one document at a time, within the budget; use as a
    context manager (the child is stopped on leaving)."""

    _WATCH_EVERY = 0.1  # seconds between two looks at the child's memory while it works

    def __init__(self, config: HarvestConfig) -> None:
        self._config = config
        self._child: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._started_with = 0  # the child's resident bytes when it was ready

    def __enter__(self) -> BudgetedHarvester:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __call__(
        self, source: str, data: bytes, base_url: str | None = None, truncated: bool = False
    ) -> HarvestedDocument:
        try:
            conn = self._connection()
            conn.send((source, base_url, truncated))
            conn.send_bytes(data)
            over = self._watch(conn)
            doc, spent = (None, False) if over else conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            return failed_document(source, f"the harvesting process ended without an answer ({_ended(code)})")
        if over is None and (spent or self._grew(_PEAK) > self._config.max_memory_bytes):
            over = "memory"  # a MemoryError, or a peak past the budget between two looks
        if over is not None:  # what the child holds now is not to be trusted with the next document
            self._stop()
            return failed_document(source, self._over(over))
        assert isinstance(doc, HarvestedDocument)
        return doc

    def _watch(self, conn: Connection) -> str | None:
        """Wait for the answer; 'time' or 'memory' when the child went over its budget first."""
        deadline = time.monotonic() + self._config.max_seconds
        while not conn.poll(min(self._WATCH_EVERY, max(0.0, deadline - time.monotonic()))):
            if self._grew(_RESIDENT) > self._config.max_memory_bytes:
                return "memory"
            if time.monotonic() >= deadline:
                return "time"
        return None

    def _grew(self, field: str) -> int:
        """How far the child's memory FIELD (now, or its high-water mark) is above where it started."""
        pid = self._child.pid if self._child is not None else None
        size = _memory(pid, field) if pid is not None else None
        return 0 if size is None else size - self._started_with

    def _over(self, what: str) -> str:
        if what == "time":
            return f"harvesting took longer than {self._config.max_seconds:g} s (harvest.max_seconds)"
        return f"harvesting needed more than {self._config.max_memory_bytes:,} bytes (harvest.max_memory_bytes)"

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)  # asks the child to leave
        self._stop(wait=2.0)

    def _connection(self) -> Connection:
        if self._conn is None:
            alone = threading.active_count() == 1 and hasattr(os, "fork")
            context = multiprocessing.get_context("fork") if alone else multiprocessing.get_context("forkserver")
            ours, theirs = context.Pipe()
            child: multiprocessing.process.BaseProcess = context.Process(
                target=_serve, args=(theirs, self._config), name="provenance-harvest", daemon=True
            )
            child.start()
            theirs.close()
            self._child, self._conn = child, ours
            self._started_with = int(ours.recv())  # the child's "ready", with its resident size
        return self._conn

    def _stop(self, wait: float = 0.0) -> int | None:
        """End the child (at once unless WAIT seconds are given for it to leave); its exit code."""
        child, conn = self._child, self._conn
        self._child = self._conn = None
        if conn is not None:
            conn.close()
        if child is None:
            return None
        child.join(wait)
        if child.is_alive():
            child.kill()
            child.join()
        return child.exitcode


_RESIDENT, _PEAK = "VmRSS", "VmHWM"


def _memory(pid: int | str, field: str) -> int | None:
    """A memory figure of process PID from /proc (bytes), or None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":"))
    except (OSError, StopIteration, ValueError):
        return None


def _ended(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _serve(conn: Connection, config: HarvestConfig) -> None:
    """The child: say it is ready (with its resident size), then harvest each document sent until
    told to stop, answering (document, ran out of memory)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _limit_address_space(4 * config.max_memory_bytes)
    conn.send(_memory("self", _RESIDENT) or 0)
    with PdfReader() as pdf_reader:  # one PDFium process for every PDF this child reads (pdfread.py)
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            source, base_url, truncated = job
            data = conn.recv_bytes()
            answer: tuple[HarvestedDocument | None, bool]
            try:
                doc = harvest_bytes(source, data, config, base_url=base_url, truncated=truncated, pdf_reader=pdf_reader)
                answer = (doc, False)
            except MemoryError:
                answer = (None, True)
            del data
            conn.send(answer)
            if answer[1]:
                return


def _limit_address_space(extra: int) -> None:
    """Allow this process EXTRA bytes of address space beyond what it has now (Linux; elsewhere none)."""
    size = _memory("self", "VmSize")
    if size is None:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))
    except (ImportError, OSError, ValueError):
        return
