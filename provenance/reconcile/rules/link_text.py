"""A link whose visible text is an address it does not go to."""

from __future__ import annotations

from ...records import Finding, FindingKind, LinkRole, Severity
from ..addresses import goes_where_shown, shown_address
from ..context import LinkView, ReconcileContext
from ..registry import link_finding, rule

_JUDGED_ROLES = frozenset({LinkRole.CITED, LinkRole.RELATED, LinkRole.EMBEDDED})


@rule(FindingKind.LINK_TEXT_MISMATCH, severity=Severity.WARNING)
def link_text_mismatch(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """The text shows a URL or domain, and neither the link nor where it redirects is that address."""
    url = link.link.url
    shown = shown_address(link.link.anchor_text)
    if url is None or shown is None or link.link.role not in _JUDGED_ROLES:
        return None
    final = link.check.final_url if link.check is not None else None
    if goes_where_shown(shown, url) or (final is not None and goes_where_shown(shown, final)):
        return None
    return link_finding(
        FindingKind.LINK_TEXT_MISMATCH,
        link,
        f"the link's text shows '{shown.text}' but it goes to {url}: check which address was meant",
        evidence={"shown": shown.text, "shown_host": shown.host, "url": url, "final_url": final},
    )
