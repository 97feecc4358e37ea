"""Text chosen by others (page titles, anchors, URLs, file names, --sql rows), made inert for where
it is shown.

A title can carry terminal escapes that set the window title, clear the screen, hide an OSC 8
hyperlink or print a fake "0 errors" in colour; bidirectional overrides can reorder what a line
seems to say.  On a terminal they are shown as escapes (`\\x1b`), never acted on.  JSON already
escapes C0 controls; C1 controls and bidi overrides are escaped there too, since a JSON report is
often read on a terminal.  A CSV cell that a spreadsheet would run as a formula is quoted.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["JsonEscaping", "csv_cell", "for_terminal"]

_C0 = [*range(0x20), 0x7F]
_C1 = list(range(0x80, 0xA0))
_REORDERING = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]  # bidi, line separators
_TERMINAL = str.maketrans(
    {**{c: f"\\x{c:02x}" for c in (*_C0, *_C1)}, **{c: f"\\u{c:04x}" for c in _REORDERING}, 9: " ", 10: " ", 13: " "}
)
_JSON = str.maketrans({c: f"\\u{c:04x}" for c in (*_C1, *_REORDERING)})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def for_terminal(text: str) -> str:
    """TEXT as one inert line: tabs and line breaks are spaces, other controls visible escapes."""
    return text.translate(_TERMINAL)


def csv_cell(value: object) -> object:
    """VALUE as a CSV cell a spreadsheet shows and does not run: text that would start a formula
    gets a leading apostrophe (OWASP's advice); a number, even written as text ('-5'), is left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Writes(Protocol):
    def write(self, text: str, /) -> int: ...


class JsonEscaping:
    """A writer for json.dump that escapes C1 controls and bidi overrides as \\uXXXX: JSON's structure
    is ASCII, so any such character is inside a string, where the escape means the same.  json.dump
    writes a token at a time, so pieces are gathered and translated together; `flush` when done."""

    _GATHER = 1 << 16  # characters translated at a time

    def __init__(self, out: _Writes) -> None:
        self._out = out
        self._pieces: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._pieces.append(text)
        self._size += len(text)
        if self._size >= self._GATHER:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._pieces:
            self._out.write("".join(self._pieces).translate(_JSON))
            self._pieces.clear()
            self._size = 0
