"""Rows of a named report or a --sql query: the record every format renders (report/output.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

HIDDEN_IN_TEXT = {"severity_rank", "evidence"}  # for sorting, or too long for a terminal: json/csv/html have them


@dataclass(frozen=True)
class Table:
    """Rows of a named report or a --sql query, with their column names.  ROWS may be read once
    only, as they are written (a --sql query's rows come from SQLite as the output takes them)."""

    title: str
    columns: list[str]
    rows: Iterable[tuple[Any, ...]]


def shown_columns(columns: Sequence[str]) -> list[int]:
    """Indexes of the columns a person reads: `x_id` is hidden when `x` says the same ('d3' vs 3)."""
    names = set(columns)
    return [i for i, c in enumerate(columns) if not (c.endswith("_id") and c[:-3] in names) and c not in HIDDEN_IN_TEXT]
