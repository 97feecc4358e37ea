"""Rules read from the latest check of each link's URL; the checker alone decides the status."""

from __future__ import annotations

from ...domains import registrable_domain
from ...records import CheckResult, ErrorClass, Finding, FindingKind, LinkStatus, Severity
from ..context import LinkView, ReconcileContext
from ..registry import link_finding, rule

_UNAVAILABLE_MEDIA = frozenset({"removed", "private"})


def _checked(link: LinkView, status: LinkStatus) -> CheckResult | None:
    check = link.check
    return check if check is not None and check.status is status else None


def _basics(check: CheckResult, ctx: ReconcileContext) -> dict[str, object]:
    """What every network finding shows: the answer, the chain that led to it, and when.

    In the daemon the status may be the dead-link policy's verdict on the URL's history; its
    counted failures are then part of the evidence (`policy`).
    """
    basics: dict[str, object] = {
        "status": check.status,
        "http_status": check.http_status,
        "final_url": check.final_url,
        "hops": check.hops,
        "checked_at": check.checked_at,
    }
    verdict = ctx.policy.get(check.url)
    if verdict is not None:
        basics["policy"] = verdict.as_json()
    return basics


@rule(FindingKind.DEAD_LINK, severity=Severity.ERROR)
def dead_link(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """The final answer says the resource is gone (404, 410, ...)."""
    check = _checked(link, LinkStatus.DEAD)
    if check is None:
        return None
    answer = f"HTTP {check.http_status}" if check.http_status else "gone"
    return link_finding(
        FindingKind.DEAD_LINK,
        link,
        f"the target is gone ({answer} on {check.checked_at.date()}): replace it with an archived copy",
        evidence=_basics(check, ctx),
    )


@rule(FindingKind.SOFT_404, severity=Severity.ERROR)
def soft_404(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """Answers 200 but serves an error, parked or generic page."""
    check = _checked(link, LinkStatus.SOFT_404)
    if check is None:
        return None
    reason = check.page.soft_404_reason if check.page and check.page.soft_404_reason else "error-like page"
    return link_finding(
        FindingKind.SOFT_404,
        link,
        f"the target answers but is not the cited page ({reason}): replace it with an archived copy",
        evidence={**_basics(check, ctx), "reason": reason},
    )


@rule(FindingKind.REDIRECT_CHANGED, severity=Severity.WARNING)
def redirect_changed(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """A permanent redirect to another site that still serves content."""
    check = _checked(link, LinkStatus.REDIRECTED)
    if check is None or not link.link.url:
        return None
    source = registrable_domain(link.link.url)
    target = registrable_domain(check.final_url) if check.final_url else None
    return link_finding(
        FindingKind.REDIRECT_CHANGED,
        link,
        f"now redirects from {source} to {target or 'another site'} ({check.final_url}): "
        "check the new site still holds the cited content",
        evidence={**_basics(check, ctx), "from_domain": source, "to_domain": target},
    )


@rule(FindingKind.UNREACHABLE, severity=Severity.WARNING)
def unreachable(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """Timeouts, refused connections, 5xx, 429: not proven dead, so only a warning."""
    check = _checked(link, LinkStatus.UNREACHABLE)
    if check is None:
        return None
    why = check.error_class or (f"HTTP {check.http_status}" if check.http_status else "no answer")
    if check.error_class is ErrorClass.SITE_SILENT:
        why = "not requested: its site answered none of the requests before it"
    verdict = ctx.policy.get(check.url)
    if verdict is not None and verdict.observed is not LinkStatus.UNREACHABLE:  # e.g. a 404 not yet confirmed
        answer = f"HTTP {check.http_status}" if check.http_status else verdict.observed.value
        why = f"{answer}; failure {len(verdict.counted)} of the {verdict.needed} needed to call it dead"
    return link_finding(
        FindingKind.UNREACHABLE,
        link,
        f"the target could not be reached ({why}): it will be checked again",
        evidence={**_basics(check, ctx), "error_class": check.error_class, "error": check.error},
    )


@rule(FindingKind.BLOCKED_URL, severity=Severity.WARNING)
def blocked_url(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """A private or local destination the guard refused to request."""
    check = _checked(link, LinkStatus.BLOCKED)
    if check is None:
        return None
    return link_finding(
        FindingKind.BLOCKED_URL,
        link,
        "points at a private or local address and was not requested: "
        "list it in http.allow_private if it is meant to be checked",
        evidence={**_basics(check, ctx), "error": check.error},
    )


@rule(FindingKind.MEDIA_UNAVAILABLE, severity=Severity.ERROR)
def media_unavailable(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """A video or media item removed or made private, though its host still answers."""
    check = link.check
    if check is None or check.page is None or check.page.media_state not in _UNAVAILABLE_MEDIA:
        return None
    state = check.page.media_state
    return link_finding(
        FindingKind.MEDIA_UNAVAILABLE,
        link,
        f"the media item is {state} on its host: find another copy or cite the archive",
        evidence={**_basics(check, ctx), "media_state": state},
    )
