"""Every read and write of the store, as a named function taking a Session and speaking records.

Callers own the transaction (`db.session_scope`); nothing here commits.  Rows never leave the
store: each function takes or returns the frozen records of `provenance.records`, so stages
stay testable without a database and the schema can change behind them.  The functions live in
one module per part of the schema (documents, checks, archived, findings, views); this module
is the one name the rest of the product calls them by.

History (checks, snapshot look-ups) is only ever appended; "current state" is a query that picks
the latest row per key with a window function (portable to PostgreSQL, SQLite >= 3.25).
"""

from .archived import (
    latest_drift,
    latest_save_requests,
    latest_snapshot_lookups,
    record_drift,
    record_save_request,
    record_snapshot_lookup,
)
from .checks import (
    HEALTHY,
    check_histories,
    check_history,
    check_statuses,
    count_due_snapshot,
    drop_due_snapshot,
    due_counts,
    due_snapshot_page,
    latest_checks,
    record_check,
    record_checks,
    snapshot_due_urls,
)
from .documents import (
    choose_documents,
    copy_candidates,
    copy_of_by_document,
    count_documents,
    count_link_urls,
    count_links,
    document_text,
    earliest_citing_dates,
    first_link_urls,
    link_pieces,
    load_documents,
    save_harvest,
    save_sketch,
    set_copy_of,
    unsketched_documents,
)
from .findings import (
    SEVERITY_RANK,
    count_findings,
    load_findings,
    replace_findings_with_staged,
    report_findings,
    stage_findings,
    start_staged_findings,
)
from .views import ViewCondition, read_view

__all__ = [
    "HEALTHY",
    "SEVERITY_RANK",
    "ViewCondition",
    "check_histories",
    "check_history",
    "check_statuses",
    "choose_documents",
    "copy_candidates",
    "copy_of_by_document",
    "count_documents",
    "count_due_snapshot",
    "count_findings",
    "count_link_urls",
    "count_links",
    "document_text",
    "drop_due_snapshot",
    "due_counts",
    "due_snapshot_page",
    "earliest_citing_dates",
    "first_link_urls",
    "latest_checks",
    "latest_drift",
    "latest_save_requests",
    "latest_snapshot_lookups",
    "link_pieces",
    "load_documents",
    "load_findings",
    "read_view",
    "record_check",
    "record_checks",
    "record_drift",
    "record_save_request",
    "record_snapshot_lookup",
    "replace_findings_with_staged",
    "report_findings",
    "save_harvest",
    "save_sketch",
    "set_copy_of",
    "snapshot_due_urls",
    "stage_findings",
    "start_staged_findings",
    "unsketched_documents",
]
