"""One JSON policy for every JSON the product writes: evidence, run details, reports, status."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from provenance.jsonvalues import iso_datetime, to_json
from provenance.records import DateEvidence, LinkRole, Snapshot


@dataclass(frozen=True)
class Plain:
    name: str
    when: datetime


def test_records_dates_and_enums_become_json():
    evidence = to_json(
        {
            "d": DateEvidence(date(2020, 1, 2), "url_path", "/2020/01/02/"),
            "when": date(2020, 1, 3),
            "role": LinkRole.RELATED,
            "hops": (1, 2),
            "score": 0.123456,
        }
    )
    assert evidence == {
        "d": {"value": "2020-01-02", "source": "url_path", "raw": "/2020/01/02/"},
        "when": "2020-01-03",
        "role": "related",
        "hops": [1, 2],
        "score": 0.1235,
    }


def test_datetimes_are_utc_with_a_z_whatever_their_zone():
    summer = timezone(timedelta(hours=2))
    assert to_json(datetime(2022, 1, 20, 10, 0, tzinfo=UTC)) == "2022-01-20T10:00:00Z"
    assert to_json(datetime(2022, 1, 20, 12, 0, tzinfo=summer)) == "2022-01-20T10:00:00Z"
    assert iso_datetime(datetime(2022, 1, 20, 10, 0)) == "2022-01-20T10:00:00Z"  # naive: the store's UTC


def test_dataclasses_sets_bytes_and_odd_values():
    assert to_json(Plain("x", datetime(2022, 1, 1, tzinfo=UTC))) == {"name": "x", "when": "2022-01-01T00:00:00Z"}
    assert to_json({"b", "a", "c"}) == ["a", "b", "c"]
    assert to_json(b"\x00\xff") == "00ff"
    assert to_json({1: object}) == {"1": str(object)}
    snapshot = Snapshot("wayback", "https://web.archive.org/web/2020/x", datetime(2020, 1, 1, tzinfo=UTC))
    assert to_json(snapshot)["datetime"] == "2020-01-01T00:00:00Z"


def test_the_result_is_plain_json():
    value = {"when": datetime(2022, 1, 1, tzinfo=UTC), "tags": frozenset({LinkRole.CITED}), "n": None, "ok": True}
    assert json.loads(json.dumps(to_json(value))) == to_json(value)
