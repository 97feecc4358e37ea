"""The one policy for turning records, dates and enums into JSON values.

Used wherever the product writes JSON: evidence and run details in the store, the JSON and CSV
reports, named reports and `status`.  One policy, so a value reads the same everywhere:

- datetimes in ISO 8601, in UTC, with a `Z` (a naive datetime is UTC: the store keeps UTC);
- dates in ISO 8601; enums by value; bytes as hex;
- floats rounded to 4 decimal places (scores and seconds; more digits are noise);
- records by their `as_json()`, other dataclasses field by field;
- sets sorted, so the same evidence always serialises the same way;
- anything else as its text: evidence is for people, an odd value is shown rather than lost.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

FLOAT_DIGITS = 4


def to_json(value: Any) -> Any:
    """VALUE as plain JSON data (dict, list, str, int, float, bool, None), by the policy above."""
    if value is None or isinstance(value, (bool, int, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "as_json"):
        return to_json(value.as_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(to_json(key)): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(item) for item in value), key=str)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)


def iso_datetime(value: datetime) -> str:
    """'2022-01-20T10:00:00Z': UTC, with a Z; a naive VALUE is taken to be UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"
