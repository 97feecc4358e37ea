"""Reading a PDF's pages, links and Info dictionary through PDFium, in a child process with bounds.

PDFium (pypdfium2) was chosen over pypdf and pdfminer.six by measurement on real PDFs
(docs/performance.md has the figures and the command): it is many times faster than either, finds
the same link annotations, gives the text under a link's rectangle for nearly every link (pypdf
gives positions per text run, not per character), expands ligatures, marks a hyphen at a line
end (U+FFFE) so a URL cut there keeps it, and is permissively licensed (BSD-3-Clause/Apache-2.0,
PDFium BSD-3-Clause).  Its cost is that it is native code with no limit on what a hostile PDF
makes it decompress or lay out, so it runs in a child process (pdfium_child.py) whose memory is
capped and which is killed at a deadline; the pages read by then are kept, and the cut is said.

One PdfReader serves many documents with one child (started on the first PDF, started again
after a kill), so a folder of PDFs does not pay an interpreter's start-up for each.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = ["PdfContent", "PdfLink", "PdfLine", "PdfPage", "PdfReader", "PdfUnreadable"]

MEMORY = 768 << 20  # bytes of data the child may hold: far above a real PDF's need, far below the machine's
SECONDS = 30.0  # a document's reading time, whatever its pages
MAX_PAGES = 3_000
MAX_CHARS = 5_000_000
MAX_LINKS = 100_000  # link annotations read a document, whatever harvest.max_links keeps
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class PdfUnreadable(Exception):
    """Nothing could be read from the PDF; the message says why in one line."""


@dataclass(frozen=True)
class PdfLine:
    """Where a line of a page's text starts, and its first character's box and font size."""

    start: int
    left: float
    bottom: float
    right: float
    top: float
    size: float


@dataclass(frozen=True)
class PdfLink:
    """A URI link annotation: its address as stored and the runs [start, end) of page text under it."""

    uri: str
    runs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PdfPage:
    """One page as PDFium reads it: text (CR LF line ends, U+FFFE for a hyphen at a line end), lines, links."""

    index: int
    text: str
    lines: tuple[PdfLine, ...]
    links: tuple[PdfLink, ...]


@dataclass(frozen=True)
class PdfContent:
    """What was read of a PDF; `cut` says what stopped the reading before its last page."""

    page_count: int
    info: dict[str, str]
    pages: tuple[PdfPage, ...]
    cut: str | None = None  # "pages", "chars", "time" or "memory"


class PdfReader:
    """Reads PDFs one at a time in a bounded child process; a context manager that ends the child."""

    def __init__(self, memory: int = MEMORY, seconds: float = SECONDS) -> None:
        self.memory = memory
        self.seconds = seconds
        self._child: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None

    def __enter__(self) -> PdfReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """End the child: its stdin closes and it leaves; one that does not is killed."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def read(
        self, data: bytes, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS, max_links: int = MAX_LINKS
    ) -> PdfContent:
        """The pages of the PDF in DATA: up to MAX_PAGES pages, MAX_CHARS characters of text, MAX_LINKS links."""
        deadline = time.monotonic() + self.seconds
        child = self._send(data, {"max_pages": max_pages, "max_chars": max_chars, "max_links": max_links})
        document: dict[str, Any] | None = None
        pages: list[PdfPage] = []
        for message in self._answers(child, deadline):
            kind = message.get("kind")
            if kind == "error":
                raise PdfUnreadable(str(message.get("reason")))
            if kind == "document":
                document = message
            elif kind == "page":
                pages.append(_page(message))
            elif kind == "end":
                assert document is not None
                return _content(document, pages, message.get("cut"))
        # the child was killed at the deadline, or died: its memory cap, a crash in PDFium, or a failure of its own
        why = "time" if time.monotonic() >= deadline else "memory"
        failure = self._failure()
        self.close()
        if failure is not None:
            raise PdfUnreadable(f"the PDF reader failed: {failure}")
        if document is None or not pages:
            raise PdfUnreadable(
                f"reading it took longer than {self.seconds:g} s"
                if why == "time"
                else f"reading it needed more than {self.memory >> 20} MB, or crashed the PDF reader"
            )
        return _content(document, pages, why)

    def _failure(self) -> str | None:
        """The last line the child wrote to stderr when it ended with a Python error other than running
        out of memory (a broken installation, not a hostile file), else None."""
        child, errors = self._child, self._errors
        try:
            if child is None or errors is None or child.wait(timeout=2) != 1:
                return None
        except subprocess.TimeoutExpired:
            return None
        errors.seek(0)
        lines = errors.read()[-4096:].decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else "no message"
        return None if "MemoryError" in last else last[:200]

    def _send(self, data: bytes, limits: dict[str, int]) -> subprocess.Popen[bytes]:
        header = json.dumps({"size": len(data), **limits}).encode() + b"\n"
        for attempt in (1, 2):  # a child that died since its last document is started again once
            child = self._started()
            assert child.stdin is not None
            try:
                child.stdin.write(header)
                child.stdin.write(data)
                child.stdin.flush()
                return child
            except BrokenPipeError:
                failure = self._failure()
                self.close()
                if attempt == 2:
                    raise PdfUnreadable(
                        f"the PDF reader could not be started: {failure or 'it ended at once'}"
                    ) from None
        raise AssertionError("unreachable")

    def _started(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self.close()
        # what the child says when it fails, read only then; closed with the child in close()
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "provenance.harvest.pdfium_child", str(self.memory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=env,
        )
        return self._child

    def _answers(self, child: subprocess.Popen[bytes], deadline: float) -> Any:
        """The child's messages for the current document, until "end" or "error", its death or DEADLINE."""
        assert child.stdout is not None
        fd = child.stdout.fileno()
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                start = 0
                while (newline := buffer.find(b"\n", start)) >= 0:
                    try:
                        message = json.loads(buffer[start:newline])
                    except ValueError:  # not the child's JSON: it is not to be trusted further
                        child.kill()
                        return
                    start = newline + 1
                    yield message
                    if message.get("kind") in ("end", "error"):
                        return
                buffer = buffer[start:]
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    child.kill()
                    return
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return
                buffer += chunk


def _page(message: dict[str, Any]) -> PdfPage:
    return PdfPage(
        index=int(message["index"]),
        text=str(message["text"]),
        lines=tuple(PdfLine(int(line[0]), *map(float, line[1:6])) for line in message["lines"]),
        links=tuple(
            PdfLink(str(link["uri"]), tuple((int(a), int(b)) for a, b in link["chars"])) for link in message["links"]
        ),
    )


def _content(document: dict[str, Any], pages: list[PdfPage], cut: str | None) -> PdfContent:
    info = {str(k): str(v) for k, v in dict(document.get("info") or {}).items()}
    return PdfContent(page_count=int(document["pages"]), info=info, pages=tuple(pages), cut=cut)
