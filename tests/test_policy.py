"""The daemon's dead-link policy as a pure function of a check history (no database, no clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from provenance.config import ScheduleConfig
from provenance.reconcile.policy import DeadLinkPolicy, apply_policy, effective_check, failing_urls, judge, outcome
from provenance.records import CheckResult, LinkStatus

T0 = datetime(2026, 3, 1, tzinfo=UTC)
URL = "https://news.example/story"
POLICY = DeadLinkPolicy(failures=3, spacing=timedelta(days=3))
A, D, U, S = LinkStatus.ALIVE, LinkStatus.DEAD, LinkStatus.UNREACHABLE, LinkStatus.SOFT_404


def _history(*steps: tuple[float, LinkStatus, int | None]) -> list[CheckResult]:
    """(day, status, http status) steps -> checks of URL."""
    return [CheckResult(URL, status, T0 + timedelta(days=day), http_status=http) for day, status, http in steps]


@pytest.mark.parametrize(
    ("steps", "effective", "counted"),
    [
        # one 404: the audit would say dead; the daemon waits for confirmation
        ([(0, D, 404)], U, 1),
        ([(0, D, 404), (3, D, 404)], U, 2),
        ([(0, D, 404), (3, D, 404), (6, D, 404)], D, 3),
        # failures closer than the spacing count once
        ([(0, D, 404), (1, D, 404), (2, D, 404), (2.9, D, 404)], U, 1),
        ([(0, D, 404), (1, D, 404), (3, D, 404), (5, D, 404), (6, D, 404)], D, 3),
        # one success resets the count
        ([(0, D, 404), (3, D, 404), (4, A, 200), (6, D, 404)], U, 1),
        ([(0, D, 404), (3, D, 404), (4, A, 200), (7, D, 404), (10, D, 410), (13, D, 410)], D, 3),
        # repeated timeouts and 5xx convict too, as dead
        ([(0, U, None), (3, U, 503), (6, U, None)], D, 3),
        # mixed failures in a row count together; a confirmed soft 404 stays a soft 404
        ([(0, U, None), (3, D, 404), (6, S, 200)], S, 3),
        # 401/403/429/999 are neutral: they neither count nor reset
        ([(0, D, 404), (3, A, 403), (6, D, 404)], U, 2),
        ([(0, D, 404), (3, D, 404), (5, U, 429), (6, D, 404)], D, 3),
        ([(0, D, 404), (3, A, 999), (6, A, 401), (9, D, 404)], U, 2),
    ],
)
def test_effective_status(steps, effective, counted):
    verdict = judge(_history(*steps), POLICY)
    assert verdict is not None
    assert verdict.status is effective
    assert len(verdict.counted) == counted
    assert verdict.confirmed is (counted >= 3)


@pytest.mark.parametrize(
    "steps",
    [
        [(0, A, 200)],
        [(0, D, 404), (3, D, 404), (6, D, 404), (7, A, 200)],  # confirmed dead, then back: alive
        [(0, D, 404), (3, A, 403)],  # a robot refused: no verdict, the checker's status stands
        [(0, D, 404), (3, U, 429)],
        [(0, LinkStatus.BLOCKED, None)],
    ],
)
def test_no_verdict_when_the_latest_check_is_not_a_failure(steps):
    history = _history(*steps)
    assert judge(history, POLICY) is None
    assert effective_check(history, POLICY) == history[-1]


def test_order_of_the_history_does_not_matter():
    steps = [(0, D, 404), (3, D, 404), (6, D, 404)]
    assert judge(list(reversed(_history(*steps))), POLICY).status is D


def test_last_success_and_json_evidence():
    verdict = judge(_history((0, A, 200), (1, D, 404), (4, D, 404)), POLICY)
    assert verdict.last_success == T0
    ev = verdict.as_json()
    assert ev["observed"] == "dead" and ev["effective"] == "unreachable"
    assert ev["failures_needed"] == 3 and len(ev["failures_counted"]) == 2
    assert "3d" in ev["rule"]


def test_policy_from_the_schedule_config():
    policy = DeadLinkPolicy.from_schedule(
        ScheduleConfig(dead_after_failures=2, dead_failure_spacing=timedelta(hours=6))
    )
    assert judge(_history((0, D, 404), (0.25, D, 404)), policy).status is D
    assert judge(_history((0, D, 404), (0.2, D, 404)), policy).status is U


@pytest.mark.parametrize(
    ("status", "http", "kind"),
    [
        (A, 200, "success"),
        (LinkStatus.REDIRECTED, 200, "success"),
        (D, 404, "failure"),
        (S, 200, "failure"),
        (U, None, "failure"),
        (U, 429, "neutral"),
        (A, 403, "neutral"),
        (A, 999, "neutral"),
        (A, 401, "neutral"),
        (LinkStatus.INVALID, None, "neutral"),
        (LinkStatus.BLOCKED, None, "neutral"),
    ],
)
def test_outcome_of_one_check(status, http, kind):
    assert outcome(CheckResult(URL, status, T0, http_status=http)) == kind


def test_apply_policy_rewrites_only_failing_urls():
    alive = CheckResult("https://a.example/", A, T0 + timedelta(days=6), http_status=200)
    latest = {URL: _history((6, D, 404))[0], alive.url: alive}
    histories = {URL: _history((0, D, 404), (3, D, 404), (6, D, 404))}
    assert failing_urls(latest) == [URL]
    effective, verdicts = apply_policy(latest, histories, POLICY)
    assert effective[alive.url] is alive and effective[URL].status is D and verdicts[URL].confirmed
    effective, verdicts = apply_policy(latest, {URL: _history((5, D, 404), (6, D, 404))}, POLICY)
    assert effective[URL].status is U and not verdicts[URL].confirmed
