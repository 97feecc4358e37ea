"""Every rule, positive and negative, over small hand-built contexts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from provenance.config import ReconcileConfig
from provenance.jsonvalues import iso_datetime
from provenance.reconcile import build_context, run_rules
from provenance.records import (
    CheckResult,
    DateEvidence,
    DocumentFormat,
    DriftEvidence,
    ErrorClass,
    FindingKind,
    Hop,
    LinkRole,
    LinkStatus,
    PageInfo,
    Severity,
    Snapshot,
    SnapshotLookup,
    StoredDocument,
    StoredLink,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PUBLISHED = DateEvidence(date(2022, 1, 21), "date_line", "January 21, 2022")
DATED_URL = "https://news.example.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-talks"
PLAIN_URL = "https://example.org/report"


def link(
    url: str | None = PLAIN_URL,
    role: LinkRole = LinkRole.CITED,
    anchor: str | None = None,
    position: int = 0,
    written: str | None = None,
    link_id: int | None = None,
) -> StoredLink:
    return StoredLink(
        id=link_id if link_id is not None else position + 1,
        url=url,
        written=written if written is not None else url,
        role=role,
        anchor_text=anchor,
        context=None,
        position=position,
    )


def doc(
    doc_id: int = 1,
    links: tuple[StoredLink, ...] = (),
    published: DateEvidence | None = PUBLISHED,
    copy_of: int | None = None,
    original_url: str | None = None,
    text: str = "text",
) -> StoredDocument:
    return StoredDocument(
        id=doc_id,
        source=f"doc{doc_id}.txt",
        format=DocumentFormat.TEXT,
        title=None,
        published=published,
        original_url=original_url,
        text=text,
        fingerprint=f"fp{doc_id}",
        copy_of=copy_of,
        links=links,
    )


def check(url: str = PLAIN_URL, status: LinkStatus = LinkStatus.ALIVE, **kw) -> CheckResult:
    return CheckResult(url=url, status=status, checked_at=NOW, **kw)


def lookup(
    url: str = PLAIN_URL,
    archive: str = "wayback",
    nearest: Snapshot | None = None,
    error: str | None = None,
    count: int | None = None,
) -> SnapshotLookup:
    return SnapshotLookup(
        url=url, archive=archive, looked_up_at=NOW, query="2022-01-21", nearest=nearest, error=error, count=count
    )


SNAP = Snapshot(
    archive="wayback",
    url=f"https://web.archive.org/web/20220120000000/{PLAIN_URL}",
    datetime=datetime(2022, 1, 20, tzinfo=UTC),
)


def findings(documents, checks=None, snapshots=None, drift=None, config=None, kind=None):
    ctx = build_context(documents, checks or {}, snapshots or {}, config or ReconcileConfig(), drift=drift)
    out = run_rules(ctx)
    json.dumps([f.evidence for f in out])  # every evidence dict must be JSON-serialisable
    return [f for f in out if kind is None or f.kind is kind]


# (case id, documents, checks, snapshots, drift, kind, expected count, expected severity)
CASES = [
    # temporal_mismatch
    ("tm-cited-later", [doc(links=(link(DATED_URL),))], {}, {}, None, FindingKind.TEMPORAL_MISMATCH, 1, Severity.ERROR),
    (
        "tm-dated-by-file-metadata-is-warning",
        [
            doc(
                links=(link(DATED_URL),),
                published=DateEvidence(date(2022, 1, 21), "core_properties:created", "2022-01-21T09:00:00Z"),
            )
        ],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "tm-related-is-warning",
        [doc(links=(link(DATED_URL, LinkRole.RELATED, "Little Hope"),))],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "tm-earlier-target",
        [doc(links=(link("https://x.org/2021/12/01/earlier-story-about-things"),))],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        0,
        None,
    ),
    (
        "tm-within-tolerance",
        [doc(links=(link("https://x.org/2022/01/22/next-day-story-about-things"),))],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        0,
        None,
    ),
    (
        "tm-undated-document",
        [doc(published=None, links=(link(DATED_URL),))],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        0,
        None,
    ),
    (
        "tm-original-role-skipped",
        [doc(links=(link(DATED_URL, LinkRole.ORIGINAL),))],
        {},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        0,
        None,
    ),
    (
        "tm-page-metadata-date",
        [doc(links=(link(),))],
        {PLAIN_URL: check(page=PageInfo(published=DateEvidence(date(2023, 3, 1), "json_ld", "2023-03-01")))},
        {},
        None,
        FindingKind.TEMPORAL_MISMATCH,
        1,
        Severity.ERROR,
    ),
    # lost_link
    (
        "lost",
        [doc(links=(link(None, LinkRole.LOST, "said", written=""),))],
        {},
        {},
        None,
        FindingKind.LOST_LINK,
        1,
        Severity.WARNING,
    ),
    ("lost-not-for-cited", [doc(links=(link(anchor="said"),))], {}, {}, None, FindingKind.LOST_LINK, 0, None),
    # invalid_url
    (
        "invalid-unparsed",
        [doc(links=(link(None, written="http://exa mple.com"),))],
        {},
        {},
        None,
        FindingKind.INVALID_URL,
        1,
        Severity.ERROR,
    ),
    (
        "invalid-by-checker",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.INVALID, error="bad host")},
        {},
        None,
        FindingKind.INVALID_URL,
        1,
        Severity.ERROR,
    ),
    (
        "invalid-not-lost",
        [doc(links=(link(None, LinkRole.LOST, "said", written=""),))],
        {},
        {},
        None,
        FindingKind.INVALID_URL,
        0,
        None,
    ),
    ("invalid-not-valid", [doc(links=(link(),))], {PLAIN_URL: check()}, {}, None, FindingKind.INVALID_URL, 0, None),
    # title_mismatch
    (
        "title-slug-differs",
        [
            doc(
                links=(
                    link(
                        "https://x.org/2020/putin-signs-foreign-agents-law",
                        LinkRole.RELATED,
                        "Little Hope of Breakthrough in Ukraine Talks",
                    ),
                )
            )
        ],
        {},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "title-slug-matches",
        [doc(links=(link(DATED_URL, LinkRole.RELATED, "Little Hope of Breakthrough as U.S., Russia Hold Talks"),))],
        {},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        0,
        None,
    ),
    (
        "title-opaque-slug",
        [
            doc(
                links=(
                    link(
                        "https://x.org/a/3f2a9b8c7d6e5f40",
                        LinkRole.RELATED,
                        "Little Hope of Breakthrough in Ukraine Talks",
                    ),
                )
            )
        ],
        {},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        0,
        None,
    ),
    (
        "title-not-title-like",
        [doc(links=(link("https://x.org/putin-signs-foreign-agents-law", anchor="said here"),))],
        {},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        0,
        None,
    ),
    (
        "title-page-title-differs",
        [doc(links=(link(anchor="Annual Report On Coastal Erosion"),))],
        {PLAIN_URL: check(page=PageInfo(title="Buy Cheap Domains Today"))},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "title-page-title-matches",
        [doc(links=(link(anchor="Annual Report On Coastal Erosion"),))],
        {PLAIN_URL: check(page=PageInfo(title="Annual Report on Coastal Erosion | Example Agency"))},
        {},
        None,
        FindingKind.TITLE_MISMATCH,
        0,
        None,
    ),
    # link_text_mismatch: the text is an address the link does not go to
    (
        "text-other-site",
        [doc(links=(link("https://evil.example.net/login", anchor="www.paypal.com"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "text-other-page",
        [doc(links=(link("https://www.cdc.gov/flu/index.html", anchor="https://www.cdc.gov/measles/"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        1,
        Severity.WARNING,
    ),
    (
        "text-same-page-other-spelling",
        [doc(links=(link("https://www.cdc.gov/flu/", anchor="cdc.gov/flu"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        0,
        None,
    ),
    (
        "text-site-name-subdomain",
        [doc(links=(link("https://blog.example.org/2020/post", anchor="example.org"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        0,
        None,
    ),
    (
        "text-shortened",
        [doc(links=(link("https://example.org/reports/2020/annual-report.pdf", anchor="example.org/reports/20…"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        0,
        None,
    ),
    (
        "text-not-an-address",
        [doc(links=(link("https://nodejs.org/", anchor="Node.js"),))],
        {},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        0,
        None,
    ),
    (
        "text-redirects-where-shown",
        [doc(links=(link("https://t.co/abc123", anchor="nytimes.com/2020/05/story"),))],
        {"https://t.co/abc123": check("https://t.co/abc123", final_url="https://www.nytimes.com/2020/05/story")},
        {},
        None,
        FindingKind.LINK_TEXT_MISMATCH,
        0,
        None,
    ),
    # network
    (
        "dead",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.DEAD, http_status=404, hops=(Hop(PLAIN_URL, 404),))},
        {},
        None,
        FindingKind.DEAD_LINK,
        1,
        Severity.ERROR,
    ),
    ("dead-not-alive", [doc(links=(link(),))], {PLAIN_URL: check()}, {}, None, FindingKind.DEAD_LINK, 0, None),
    (
        "soft404",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.SOFT_404, http_status=200, page=PageInfo(soft_404_reason="parked domain"))},
        {},
        None,
        FindingKind.SOFT_404,
        1,
        Severity.ERROR,
    ),
    ("soft404-not-alive", [doc(links=(link(),))], {PLAIN_URL: check()}, {}, None, FindingKind.SOFT_404, 0, None),
    (
        "redirect",
        [doc(links=(link(),))],
        {
            PLAIN_URL: check(
                status=LinkStatus.REDIRECTED,
                http_status=200,
                final_url="https://other.net/x",
                hops=(Hop(PLAIN_URL, 301, location="https://other.net/x"), Hop("https://other.net/x", 200)),
            )
        },
        {},
        None,
        FindingKind.REDIRECT_CHANGED,
        1,
        Severity.WARNING,
    ),
    (
        "redirect-not-alive",
        [doc(links=(link(),))],
        {PLAIN_URL: check()},
        {},
        None,
        FindingKind.REDIRECT_CHANGED,
        0,
        None,
    ),
    (
        "unreachable",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.UNREACHABLE, error_class=ErrorClass.TIMEOUT, error="read timed out")},
        {},
        None,
        FindingKind.UNREACHABLE,
        1,
        Severity.WARNING,
    ),
    (
        "unreachable-not-dead",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.DEAD, http_status=410)},
        {},
        None,
        FindingKind.UNREACHABLE,
        0,
        None,
    ),
    (
        "blocked",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.BLOCKED, error="127.0.0.1 is loopback")},
        {},
        None,
        FindingKind.BLOCKED_URL,
        1,
        Severity.WARNING,
    ),
    (
        "blocked-not-unchecked",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.UNCHECKED)},
        {},
        None,
        FindingKind.BLOCKED_URL,
        0,
        None,
    ),
    (
        "media-removed",
        [doc(links=(link(role=LinkRole.EMBEDDED),))],
        {PLAIN_URL: check(http_status=200, page=PageInfo(media_state="removed"))},
        {},
        None,
        FindingKind.MEDIA_UNAVAILABLE,
        1,
        Severity.ERROR,
    ),
    (
        "media-private",
        [doc(links=(link(role=LinkRole.EMBEDDED),))],
        {PLAIN_URL: check(http_status=200, page=PageInfo(media_state="private"))},
        {},
        None,
        FindingKind.MEDIA_UNAVAILABLE,
        1,
        Severity.ERROR,
    ),
    (
        "media-available",
        [doc(links=(link(role=LinkRole.EMBEDDED),))],
        {PLAIN_URL: check(page=PageInfo(media_state="available"))},
        {},
        None,
        FindingKind.MEDIA_UNAVAILABLE,
        0,
        None,
    ),
    # archive
    (
        "unarchived",
        [doc(links=(link(),))],
        {},
        {PLAIN_URL: [lookup(), lookup(archive="archive.today")]},
        None,
        FindingKind.UNARCHIVED,
        1,
        Severity.WARNING,
    ),
    (
        "unarchived-one-errored",
        [doc(links=(link(),))],
        {},
        {PLAIN_URL: [lookup(), lookup(archive="archive.today", error="ArchiveUnavailable: 503")]},
        None,
        FindingKind.UNARCHIVED,
        0,
        None,
    ),
    (
        "unarchived-has-snapshot",
        [doc(links=(link(),))],
        {},
        {PLAIN_URL: [lookup(nearest=SNAP, count=3)]},
        None,
        FindingKind.UNARCHIVED,
        0,
        None,
    ),
    ("unarchived-never-asked", [doc(links=(link(),))], {}, {}, None, FindingKind.UNARCHIVED, 0, None),
    (
        "drift",
        [doc(links=(link(),))],
        {PLAIN_URL: check()},
        {},
        {PLAIN_URL: DriftEvidence(PLAIN_URL, 0.2, 0.5, SNAP, "live", "snap")},
        FindingKind.CONTENT_DRIFT,
        1,
        Severity.WARNING,
    ),
    (
        "drift-similar",
        [doc(links=(link(),))],
        {PLAIN_URL: check()},
        {},
        {PLAIN_URL: DriftEvidence(PLAIN_URL, 0.9, 0.5, SNAP)},
        FindingKind.CONTENT_DRIFT,
        0,
        None,
    ),
    (
        "drift-dead-target",
        [doc(links=(link(),))],
        {PLAIN_URL: check(status=LinkStatus.DEAD, http_status=404)},
        {},
        {PLAIN_URL: DriftEvidence(PLAIN_URL, 0.1, 0.5, SNAP)},
        FindingKind.CONTENT_DRIFT,
        0,
        None,
    ),
]


@pytest.mark.parametrize(
    "documents, checks, snapshots, drift, kind, count, severity",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule_fires_exactly_when_its_evidence_says(documents, checks, snapshots, drift, kind, count, severity):
    found = findings(documents, checks, snapshots, drift, kind=kind)
    assert len(found) == count
    for finding in found:
        assert finding.severity is severity
        assert finding.document_id == documents[0].id
        assert finding.message and "\n" not in finding.message


def test_every_kind_has_a_positive_case_in_the_table():
    assert {case[5] for case in CASES if case[6]} | {FindingKind.COPY_DIVERGENCE} == set(FindingKind)


def test_temporal_mismatch_evidence_says_where_each_date_came_from():
    [finding] = findings([doc(links=(link(DATED_URL),))], kind=FindingKind.TEMPORAL_MISMATCH)
    assert finding.evidence["document_date"] == {
        "value": "2022-01-21",
        "source": "date_line",
        "raw": "January 21, 2022",
    }
    assert finding.evidence["target_date"]["source"] == "url_path"
    assert finding.evidence["days_apart"] == 836 and "836 days" in finding.message
    assert finding.url == DATED_URL


def test_tolerance_comes_from_config():
    url = "https://x.org/2022/01/25/four-days-later-story-here"
    assert findings([doc(links=(link(url),))], kind=FindingKind.TEMPORAL_MISMATCH)
    assert not findings(
        [doc(links=(link(url),))], config=ReconcileConfig(date_tolerance_days=5), kind=FindingKind.TEMPORAL_MISMATCH
    )


def test_dead_link_evidence_has_the_chain_and_when():
    result = check(
        status=LinkStatus.DEAD,
        http_status=404,
        final_url="https://example.org/gone",
        hops=(Hop(PLAIN_URL, 301, location="https://example.org/gone"), Hop("https://example.org/gone", 404)),
    )
    [finding] = findings([doc(links=(link(),))], {PLAIN_URL: result}, kind=FindingKind.DEAD_LINK)
    assert finding.evidence["http_status"] == 404
    assert finding.evidence["hops"] == [
        {"url": PLAIN_URL, "status": 301, "location": "https://example.org/gone"},
        {"url": "https://example.org/gone", "status": 404},
    ]
    assert finding.evidence["checked_at"] == iso_datetime(NOW)  # UTC with a Z, as every JSON value


def test_redirect_changed_names_both_registrable_domains():
    result = check(status=LinkStatus.REDIRECTED, final_url="https://www.other.co.uk/x")
    [finding] = findings(
        [doc(links=(link("https://blog.example.org/post"),))],
        {"https://blog.example.org/post": result},
        kind=FindingKind.REDIRECT_CHANGED,
    )
    assert (finding.evidence["from_domain"], finding.evidence["to_domain"]) == ("example.org", "other.co.uk")


def test_title_mismatch_evidence_has_score_threshold_and_what_was_compared():
    label = "Little Hope of Breakthrough in Ukraine Talks"
    [finding] = findings(
        [doc(links=(link("https://x.org/putin-signs-foreign-agents-law", LinkRole.RELATED, label),))],
        kind=FindingKind.TITLE_MISMATCH,
    )
    assert finding.evidence["similarity"] < finding.evidence["threshold"]
    [comparison] = finding.evidence["comparisons"]
    assert comparison["compared_with"] == "url_slug" and comparison["target"] == "putin-signs-foreign-agents-law"


def test_lost_link_names_a_copy_that_still_has_the_address():
    label = "Little Hope of Breakthrough"
    original = doc(1, links=(link(None, LinkRole.LOST, label, written=""),))
    copy = doc(2, copy_of=1, published=None, links=(link(DATED_URL, LinkRole.RELATED, label),))
    [finding] = findings([original, copy], kind=FindingKind.LOST_LINK)
    assert finding.document_id == 1 and finding.url is None
    assert finding.evidence["recovered_from_copies"] == [{"document": "d2", "url": DATED_URL, "role": "related"}]
    assert DATED_URL in finding.message


@pytest.mark.parametrize(
    "copy_links, original_links, diverges",
    [
        ((link("https://a.org/x"),), (link("https://a.org/x/"),), False),  # same URL, trailing slash
        ((link("https://a.org/x"), link("https://b.org/y", position=1)), (link("https://a.org/x"),), True),
        ((), (link(None, LinkRole.LOST, "said", written=""),), True),
        ((link("https://a.org/x", anchor="said"),), (link(None, LinkRole.LOST, "said", written=""),), True),  # by URL
        ((), (link("https://orig.example/self", LinkRole.ORIGINAL),), False),  # own address is not a link
    ],
)
def test_copy_divergence_compares_by_url_and_by_label(copy_links, original_links, diverges):
    docs = [doc(1, links=original_links), doc(2, copy_of=1, links=copy_links)]
    found = findings(docs, kind=FindingKind.COPY_DIVERGENCE)
    assert len(found) == int(diverges)
    assert all(f.document_id == 2 and f.url is None and f.severity is Severity.WARNING for f in found)


def test_copy_divergence_not_on_documents_that_are_not_copies():
    docs = [doc(1, links=(link("https://a.org/x"),)), doc(2, links=(link("https://b.org/y"),))]
    assert findings(docs, kind=FindingKind.COPY_DIVERGENCE) == []


def test_copy_inherits_its_originals_date_with_the_source_marked():
    original = doc(1, links=())
    copy = doc(2, copy_of=1, published=None, links=(link(DATED_URL),))
    [finding] = findings([original, copy], kind=FindingKind.TEMPORAL_MISMATCH)
    assert finding.document_id == 2
    assert finding.evidence["document_date"]["source"] == "copy_of:d1/date_line"


def test_page_metadata_date_ignored_when_the_page_is_dead():
    result = check(status=LinkStatus.DEAD, page=PageInfo(published=DateEvidence(date(2030, 1, 1), "json_ld", "x")))
    assert findings([doc(links=(link(),))], {PLAIN_URL: result}, kind=FindingKind.TEMPORAL_MISMATCH) == []
