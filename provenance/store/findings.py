"""Findings: staged as reconcile gives them and swapped in at once, read back in report order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from ..jsonvalues import to_json
from ..records import (
    Finding,
    FindingKind,
    Severity,
)
from .documents import choose_documents
from .rows import CHUNK, count_rows, fresh_temporary
from .schema import (
    chosen_documents,
    findings,
    staged_findings,
)


def start_staged_findings(session: Session) -> None:
    """Begin a new set of findings on this session's connection (a TEMP table, see schema.py)."""
    fresh_temporary(session, staged_findings)


def stage_findings(session: Session, items: Sequence[Finding], now: datetime) -> None:
    """Add ITEMS to the set begun by `start_staged_findings`; nothing stored changes yet."""
    if items:
        session.execute(
            insert(staged_findings),
            [
                {
                    "kind": str(f.kind),
                    "severity": str(f.severity),
                    "document_id": f.document_id,
                    "url": f.url,
                    "message": f.message,
                    "evidence": to_json(f.evidence or {}),
                    "created_at": now,
                }
                for f in items
            ],
        )


def replace_findings_with_staged(session: Session) -> None:
    """Replace every stored finding with the staged set, in staged order (findings are derived,
    recomputed by each reconcile); SESSION must be on the connection that staged them."""
    moved = ("kind", "severity", "document_id", "url", "message", "evidence", "created_at")
    session.execute(delete(findings))
    session.execute(
        insert(findings).from_select(
            moved, select(*(staged_findings.c[name] for name in moved)).order_by(staged_findings.c.id)
        )
    )
    staged_findings.drop(session.connection())


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def report_findings(session: Session, document_ids: Sequence[int] | None = None) -> Iterator[Finding]:
    """The findings of DOCUMENT_IDS (None: every finding, also those about no document) in report
    order: by document id (none first), severity (errors first), kind, URL, then as stored; read
    as they are used.  DOCUMENT_IDS are named in the session's TEMP table (`choose_documents`),
    however many they are."""
    query = (
        select(findings)
        .order_by(
            func.coalesce(findings.c.document_id, 0),
            case(SEVERITY_RANK, value=findings.c.severity),
            findings.c.kind,
            func.coalesce(findings.c.url, ""),
            findings.c.id,
        )
        .execution_options(yield_per=CHUNK)
    )
    if document_ids is not None:
        choose_documents(session, document_ids)
        query = query.where(findings.c.document_id.in_(select(chosen_documents.c.id)))
    for r in session.execute(query).mappings():
        yield _finding_from_row(r)


def count_findings(session: Session, document_ids: Sequence[int] | None = None) -> int:
    """As many as `report_findings` gives for DOCUMENT_IDS."""
    return count_rows(session, findings, document_ids)


def _finding_from_row(r: Any) -> Finding:
    return Finding(
        kind=FindingKind(r["kind"]),
        severity=Severity(r["severity"]),
        document_id=r["document_id"],
        url=r["url"],
        message=r["message"],
        evidence=r["evidence"] or {},
    )


def load_findings(session: Session) -> list[Finding]:
    """Every stored finding, in the order reconcile produced them; evidence comes back as JSON values."""
    return [_finding_from_row(r) for r in session.execute(select(findings).order_by(findings.c.id)).mappings()]
