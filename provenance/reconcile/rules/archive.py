"""Rules over archive answers and the archive stage's drift comparison.

"Holds nothing" is only believed when every archive asked answered cleanly: a look-up that
errored (ArchiveUnavailable) says nothing about the archive's holdings, so one such answer
keeps a link from being called unarchived.
"""

from __future__ import annotations

from ...records import Finding, FindingKind, LinkStatus, Severity
from ..context import LinkView, ReconcileContext
from ..registry import link_finding, rule


@rule(FindingKind.UNARCHIVED, severity=Severity.WARNING)
def unarchived(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """Every archive asked answered, and none holds a snapshot."""
    lookups = link.snapshots
    if not link.link.url or not lookups:
        return None
    if any(a.error is not None or a.nearest or a.first or a.last or a.count for a in lookups):
        return None
    return link_finding(
        FindingKind.UNARCHIVED,
        link,
        f"no archive holds a snapshot ({', '.join(a.archive for a in lookups)} asked): "
        "save it to an archive while it is still online",
        evidence={
            "archives": [
                {"archive": a.archive, "looked_up_at": a.looked_up_at, "query": a.query, "count": a.count}
                for a in lookups
            ]
        },
    )


@rule(FindingKind.CONTENT_DRIFT, severity=Severity.WARNING)
def content_drift(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """The live page no longer resembles the snapshot nearest the citing document's date."""
    drift = link.drift
    if drift is None or drift.similarity >= drift.threshold:
        return None
    if link.check is not None and link.check.status is not LinkStatus.ALIVE:
        return None  # dead or moved targets have their own findings
    return link_finding(
        FindingKind.CONTENT_DRIFT,
        link,
        f"the live page differs from the {drift.snapshot.datetime.date()} snapshot "
        f"(similarity {drift.similarity:.2f} < {drift.threshold}): cite the snapshot {drift.snapshot.url}",
        evidence=drift.as_json(),
    )
