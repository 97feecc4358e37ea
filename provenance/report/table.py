"""Rows of a named report or a --sql query, and their output as table, json, csv or html."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

TABLE_CELL_MAX = 60  # characters per cell in table output; json/csv/html keep whole values


@dataclass(frozen=True)
class Table:
    """Rows of a named report or a --sql query, ready for a formatter."""

    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


def write_table(data: Table, fmt: str, out: TextIO) -> None:
    """Rows in table, json, csv or html (a page with one table)."""
    if fmt == "json":
        json.dump(
            {
                "report": data.title,
                "columns": data.columns,
                "rows": [{c: _json_value(c, v) for c, v in zip(data.columns, row, strict=True)} for row in data.rows],
            },
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(data.columns)
        writer.writerows([_text(v) for v in row] for row in data.rows)
    elif fmt == "html":
        from .html import write_table_page

        write_table_page(data.title, data.columns, [[_text(v) for v in row] for row in data.rows], out)
    else:
        _write_text_table(data, out)


JSON_COLUMNS = {"evidence", "hops", "detail", "last_detail"}  # JSON stored as text: nested in --format json


def _json_value(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)\.\d+$")


TABLE_HIDDEN = {"severity_rank", "evidence"}  # for sorting, or too long for a terminal: json/csv/html have them


def table_columns(columns: Sequence[str]) -> list[int]:
    """Indexes of the columns a person reads: `x_id` is hidden when `x` says the same ('d3' vs 3)."""
    names = set(columns)
    return [i for i, c in enumerate(columns) if not (c.endswith("_id") and c[:-3] in names) and c not in TABLE_HIDDEN]


def _write_text_table(data: Table, out: TextIO) -> None:
    """Aligned columns for a terminal: long cells clipped, seconds without fractions, twin ids hidden."""
    keep = table_columns(data.columns)
    columns = [data.columns[i] for i in keep]
    cells = [[_clip(_FRACTION.sub(r"\1", _text(row[i]))) for i in keep] for row in data.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()  # noqa: E731
    out.write(line(columns) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    out.write(f"({len(cells)} row{'s' if len(cells) != 1 else ''})\n")
