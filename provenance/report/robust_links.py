"""Robust Links: give each citation a second way to its content.

HTML follows the Robust Links convention (https://robustlinks.mementoweb.org/spec/): the `<a>`
keeps its `href` to the original and gains `data-originalurl`, `data-versionurl` (the memento) and
`data-versiondate` (the memento's date, ISO 8601), which the robustlinks.js menu and readers
use when the original fails.  Only links with a snapshot are decorated: a version date without
a version URL would claim a copy that does not exist.

The text form pairs each dead or drifted citation with its archived replacement, the way
InternetArchiveBot annotates citations ("archived from the original on …"), so an editor can
paste the fix.
"""

from __future__ import annotations

from collections.abc import Iterable

from bs4 import BeautifulSoup

from ..domains import is_web_url
from ..records import Snapshot

__all__ = ["robust_links_html", "robust_links_text"]


def robust_links_html(html: str, links: list[tuple[str, Snapshot | None]]) -> str:
    """HTML with each <a href> that has a snapshot carrying the three Robust Links attributes."""
    versions = {url.strip(): snap for url, snap in links if snap is not None and is_web_url(snap.url)}
    if not versions:
        return html
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        snapshot = versions.get(href)
        if snapshot is None:
            continue
        anchor["data-originalurl"] = href
        anchor["data-versionurl"] = snapshot.url
        anchor["data-versiondate"] = snapshot.datetime.date().isoformat()
    return str(soup)


def robust_links_text(items: Iterable[tuple[str, str, Snapshot | None]]) -> str:
    """One line per (url, problem, snapshot): the citation, what is wrong, and its archived copy if any."""
    lines = []
    for url, problem, snapshot in items:
        if snapshot is None:
            lines.append(f"{url} ({problem}): no archived copy found")
        else:
            lines.append(
                f"{url} ({problem}): archived copy {snapshot.url} "
                f"(archived from the original on {snapshot.datetime.date().isoformat()}, {snapshot.archive})"
            )
    return "\n".join(lines) + ("\n" if lines else "")
