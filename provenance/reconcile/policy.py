"""The daemon's dead-link policy: a pure function from a URL's check history to its status.

The one-off `audit` trusts one answer (a 404 or 410 is `dead` at once).  A daemon that re-checks
for months can afford to be sure, so it follows Wikipedia's InternetArchiveBot: a link is dead
only after `failures` failed checks in a row, each at least `spacing` after the one counted
before it, and one success resets the count.

    latest check                                    effective status
    ----------------------------------------------  -------------------------------------------
    success (alive, redirected)                     unchanged
    neutral: HTTP 401/403/429/999, or blocked /     unchanged; neither counts toward death nor
      invalid / unchecked                             resets the count
    failure (dead, soft_404, unreachable)
      with >= `failures` spaced failures since      the observed status if it says "gone"
      the last success                                (dead, soft_404), else dead
      with fewer                                    unreachable ("failing, not yet confirmed")

401/403/429/999 usually mean a robot was refused, not that the page is gone, so they never count
on their own.  Failures closer together than `spacing` are one failure (the first of them is
kept), so a burst of re-checks cannot convict a link during one outage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ..config import ScheduleConfig
from ..records import HEALTHY_STATUSES, CheckResult, LinkStatus

REFUSED_ROBOT = frozenset({401, 403, 429, 999})  # a bot was refused: says nothing about the page
FAILURE = frozenset({LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.UNREACHABLE})
GONE = frozenset({LinkStatus.DEAD, LinkStatus.SOFT_404})


@dataclass(frozen=True)
class DeadLinkPolicy:
    """N failed checks in a row, each at least SPACING after the previous counted one."""

    failures: int = 3
    spacing: timedelta = timedelta(days=3)

    @classmethod
    def from_schedule(cls, schedule: ScheduleConfig) -> DeadLinkPolicy:
        return cls(failures=max(1, schedule.dead_after_failures), spacing=schedule.dead_failure_spacing)


@dataclass(frozen=True)
class PolicyVerdict:
    """What the policy made of one URL's history, with the checks it counted (the evidence)."""

    url: str
    observed: LinkStatus  # the latest check's own status
    status: LinkStatus  # the effective status
    counted: tuple[datetime, ...]  # the spaced failures since the last success
    needed: int
    spacing: timedelta
    last_success: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return len(self.counted) >= self.needed

    def as_json(self) -> dict[str, Any]:
        """The verdict as evidence (its values rendered by jsonvalues.to_json)."""
        return {
            "rule": f"dead after {self.needed} failed checks in a row, each >= {_days(self.spacing)} apart",
            "observed": self.observed,
            "effective": self.status,
            "failures_counted": list(self.counted),
            "failures_needed": self.needed,
            "last_success": self.last_success,
        }


def outcome(check: CheckResult) -> str:
    """'success', 'failure' or 'neutral' for one check, as the policy counts it."""
    if check.http_status in REFUSED_ROBOT:
        return "neutral"
    if check.status in HEALTHY_STATUSES:
        return "success"
    if check.status in FAILURE:
        return "failure"
    return "neutral"


def judge(history: Sequence[CheckResult], policy: DeadLinkPolicy) -> PolicyVerdict | None:
    """The verdict on a URL's history (any order), or None when the latest check is not a failure."""
    if not history:
        return None
    ordered = sorted(history, key=lambda c: c.checked_at)
    latest = ordered[-1]
    if outcome(latest) != "failure":
        return None
    counted: list[datetime] = []
    last_success: datetime | None = None
    for check in ordered:
        kind = outcome(check)
        if kind == "success":
            counted, last_success = [], check.checked_at
        elif kind == "failure" and (not counted or check.checked_at - counted[-1] >= policy.spacing):
            counted.append(check.checked_at)
    if len(counted) >= policy.failures:
        status = latest.status if latest.status in GONE else LinkStatus.DEAD
    else:
        status = LinkStatus.UNREACHABLE
    return PolicyVerdict(
        url=latest.url,
        observed=latest.status,
        status=status,
        counted=tuple(counted),
        needed=policy.failures,
        spacing=policy.spacing,
        last_success=last_success,
    )


def effective_check(history: Sequence[CheckResult], policy: DeadLinkPolicy) -> CheckResult | None:
    """The latest check with the policy's status in place of the observed one (None: no history)."""
    if not history:
        return None
    latest = max(history, key=lambda c: c.checked_at)
    verdict = judge(history, policy)
    return latest if verdict is None or verdict.status is latest.status else replace(latest, status=verdict.status)


def _days(spacing: timedelta) -> str:
    days = spacing.total_seconds() / 86400
    return f"{days:g}d" if days >= 1 else f"{spacing.total_seconds():g}s"


def failing_urls(latest: Mapping[str, CheckResult]) -> list[str]:
    """URLs whose latest check is a failure: the only ones whose history the policy must read."""
    return [url for url, check in latest.items() if outcome(check) == "failure"]


def apply_policy(
    latest: Mapping[str, CheckResult], histories: Mapping[str, Sequence[CheckResult]], policy: DeadLinkPolicy
) -> tuple[dict[str, CheckResult], dict[str, PolicyVerdict]]:
    """The latest checks with the policy's statuses in place, and the verdict on each failing URL."""
    effective = dict(latest)
    verdicts: dict[str, PolicyVerdict] = {}
    for url in failing_urls(latest):
        history = list(histories.get(url) or ()) or [latest[url]]
        verdict = judge(history, policy)
        if verdict is None:
            continue
        verdicts[url] = verdict
        if verdict.status is not latest[url].status:
            effective[url] = replace(latest[url], status=verdict.status)
    return effective, verdicts
