"""The report views (created by the migrations), read with filters and an order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Select,
    column,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

ViewCondition = tuple[tuple[str, ...], str, Any]  # (columns, "=" or ">=", value): true if any column matches


def read_view(
    session: Session, view: str, conditions: Sequence[ViewCondition] = (), order_by: Sequence[tuple[str, bool]] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a report VIEW, filtered by CONDITIONS, ordered by (column, descending)."""
    query: Select[Any] = select(literal_column("*")).select_from(table(view))
    for names, op, value in conditions:
        if op not in ("=", ">="):
            raise ValueError(f"unknown view condition {op!r}")
        query = query.where(or_(*((column(n) == value) if op == "=" else (column(n) >= value) for n in names)))
    query = query.order_by(*(column(n).desc() if desc else column(n).asc() for n, desc in order_by))
    result = session.execute(query)
    return list(result.keys()), [tuple(row) for row in result]
