"""The registry: one rule per kind, isolation of failing rules, deterministic order."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from provenance.config import ReconcileConfig
from provenance.reconcile import RULES, build_context, run_rules
from provenance.reconcile.registry import Registry, document_finding, link_finding
from provenance.records import DateEvidence, DocumentFormat, FindingKind, LinkRole, Severity, StoredDocument, StoredLink


# Not test_reconcile_rules.doc: the logged failure names source d<id> and link id <id>*100+<position>.
def _doc(doc_id: int, *urls: str) -> StoredDocument:
    links = tuple(
        StoredLink(
            id=doc_id * 100 + i, url=u, written=u, role=LinkRole.CITED, anchor_text=None, context=None, position=i
        )
        for i, u in enumerate(urls)
    )
    return StoredDocument(
        id=doc_id,
        source=f"d{doc_id}",
        format=DocumentFormat.TEXT,
        title=None,
        published=DateEvidence(date(2020, 1, 1), "date_line", "2020-01-01"),
        original_url=None,
        text="",
        fingerprint="",
        links=links,
    )


def test_every_finding_kind_has_exactly_one_rule():
    kinds = [r.kind for r in RULES.rules()]
    assert sorted(kinds) == sorted(FindingKind) and len(kinds) == len(set(kinds))


def test_rules_are_named_after_their_kind():
    assert all(r.func.__name__ == r.kind.value for r in RULES.rules())


def test_registering_a_kind_twice_raises():
    registry = Registry()
    registry.rule(FindingKind.DEAD_LINK, severity=Severity.ERROR)(lambda ctx, link: None)
    with pytest.raises(ValueError, match="dead_link"):
        registry.rule(FindingKind.DEAD_LINK, severity=Severity.WARNING)(lambda ctx, link: None)


def test_unknown_scope_is_refused():
    with pytest.raises(ValueError):
        Registry().rule(FindingKind.DEAD_LINK, severity=Severity.ERROR, scope="site")


def test_a_rule_failing_on_one_item_is_logged_and_the_rest_still_run(caplog):
    registry = Registry()

    @registry.rule(FindingKind.DEAD_LINK, severity=Severity.ERROR)
    def dead_link(ctx, link):
        if "boom" in link.link.url:
            raise RuntimeError("bad record")
        return link_finding(FindingKind.DEAD_LINK, link, "dead")

    @registry.rule(FindingKind.COPY_DIVERGENCE, severity=Severity.WARNING, scope="document")
    def copy_divergence(ctx, doc):
        return document_finding(FindingKind.COPY_DIVERGENCE, doc, "doc")

    ctx = build_context(
        [_doc(1, "https://a.org/boom", "https://a.org/ok"), _doc(2, "https://b.org/ok")], {}, {}, ReconcileConfig()
    )
    with caplog.at_level(logging.ERROR, logger="provenance.reconcile.registry"):
        out = run_rules(ctx, registry)
    assert [(f.kind, f.document_id, f.url) for f in out] == [
        (FindingKind.DEAD_LINK, 1, "https://a.org/ok"),
        (FindingKind.COPY_DIVERGENCE, 1, None),
        (FindingKind.DEAD_LINK, 2, "https://b.org/ok"),
        (FindingKind.COPY_DIVERGENCE, 2, None),
    ]
    assert "dead_link failed on d1 link 100" in caplog.text and "bad record" in caplog.text


def test_context_rules_run_once_and_lists_are_flattened():
    registry = Registry()
    calls = []

    @registry.rule(FindingKind.UNARCHIVED, severity=Severity.WARNING, scope="context")
    def unarchived(ctx):
        calls.append(ctx)
        return [document_finding(FindingKind.UNARCHIVED, d, "x") for d in ctx.documents]

    ctx = build_context([_doc(2), _doc(1)], {}, {}, ReconcileConfig())
    out = run_rules(ctx, registry)
    assert len(calls) == 1 and [f.document_id for f in out] == [1, 2]


def test_order_does_not_depend_on_input_order():
    docs = [_doc(1, "https://a.org/2030/01/01/later-story-about-it"), _doc(2, "https://b.org/2031/01/01/later-x-y")]
    first = run_rules(build_context(docs, {}, {}, ReconcileConfig()))
    second = run_rules(build_context(list(reversed(docs)), {}, {}, ReconcileConfig()))
    assert first == second and [f.document_id for f in first] == [1, 2]
