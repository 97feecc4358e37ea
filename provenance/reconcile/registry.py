"""Rules are registered, not branched: one pure function per FindingKind.

    @rule(FindingKind.DEAD_LINK, severity=Severity.ERROR)              # scope="link" (default)
    def dead_link(ctx, link: LinkView) -> Finding | list[Finding] | None: ...

    @rule(FindingKind.COPY_DIVERGENCE, severity=Severity.WARNING, scope="document")
    def copy_divergence(ctx, doc: StoredDocument) -> ...: ...

Scopes: "link" rules see every LinkView, "document" rules every StoredDocument, "context" rules
are called once with the context alone.  The registry holds each kind's default severity; a rule
builds its Finding with `link_finding`/`document_finding`, which fill that default in unless the
rule passes another (e.g. a `related` link's temporal mismatch is only a warning).

A rule that raises on one item is logged with its traceback and skipped for that item; the other
items and rules still run, so one bad record never hides every other finding.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..jsonvalues import to_json
from ..records import Finding, FindingKind, Severity, StoredDocument
from .context import LinkView, ReconcileContext

log = logging.getLogger(__name__)

Scope = Literal["link", "document", "context"]
RuleFunc = Callable[..., Any]  # (ctx) or (ctx, item) -> Finding | list[Finding] | None, by scope
SortKey = tuple[int, ...]  # document id, scope, link position, link id, kind
_KIND_ORDER = {kind: i for i, kind in enumerate(FindingKind)}


@dataclass(frozen=True)
class Rule:
    kind: FindingKind
    severity: Severity
    scope: Scope
    func: RuleFunc


class Registry:
    """Kind -> rule; registering a kind twice is a programming error and raises."""

    def __init__(self) -> None:
        self._rules: dict[FindingKind, Rule] = {}

    def rule(self, kind: FindingKind, *, severity: Severity, scope: Scope = "link") -> Callable[[RuleFunc], RuleFunc]:
        """Decorator registering a pure rule function for `kind`."""
        if scope not in ("link", "document", "context"):
            raise ValueError(f"unknown rule scope {scope!r}")

        def register(func: RuleFunc) -> RuleFunc:
            if kind in self._rules:
                raise ValueError(
                    f"a rule for {kind.value!r} is already registered ({self._rules[kind].func.__qualname__})"
                )
            self._rules[kind] = Rule(kind, severity, scope, func)
            return func

        return register

    def rules(self) -> list[Rule]:
        """Registered rules in FindingKind order (the order of findings for one item)."""
        return sorted(self._rules.values(), key=lambda r: _KIND_ORDER[r.kind])

    def severity(self, kind: FindingKind) -> Severity:
        return self._rules[kind].severity

    def __contains__(self, kind: object) -> bool:
        return kind in self._rules


RULES = Registry()
rule = RULES.rule


def link_finding(
    kind: FindingKind,
    link: LinkView,
    message: str,
    evidence: dict[str, Any] | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding about one link: its document, its URL as written, JSON-ready evidence."""
    return _finding(kind, link.document.id, link.link.written or link.link.url, message, evidence, severity)


def document_finding(
    kind: FindingKind,
    doc: StoredDocument,
    message: str,
    evidence: dict[str, Any] | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A document-level finding (url None)."""
    return _finding(kind, doc.id, None, message, evidence, severity)


def _finding(
    kind: FindingKind,
    document_id: int,
    url: str | None,
    message: str,
    evidence: dict[str, Any] | None,
    severity: Severity | None,
) -> Finding:
    """The finding, with the kind's registered severity unless SEVERITY says otherwise."""
    return Finding(
        kind=kind,
        severity=severity or RULES.severity(kind),
        document_id=document_id,
        url=url,
        message=message,
        evidence=to_json(evidence or {}),
    )


def run_rules(ctx: ReconcileContext, registry: Registry | None = None) -> list[Finding]:
    """Every registered rule over the context; deterministic order: document, link position, kind."""
    registry = registry or RULES
    keyed: list[tuple[SortKey, Finding]] = []
    for entry in registry.rules():
        for sort_key, item, label in _items(ctx, entry.scope):
            args = (ctx,) if entry.scope == "context" else (ctx, item)
            try:
                result = entry.func(*args)
            except Exception:  # one bad record must not hide every other finding
                log.exception("rule %s failed on %s; skipped for that item", entry.kind.value, label)
                continue
            for finding in _as_list(result):
                keyed.append(((*sort_key, _KIND_ORDER[finding.kind]), finding))
    keyed.sort(key=lambda pair: pair[0])
    return [finding for _, finding in keyed]


def _items(ctx: ReconcileContext, scope: Scope) -> Iterable[tuple[SortKey, Any, str]]:
    if scope == "link":
        for view in ctx.links:
            yield (
                (view.document.id, 0, view.link.position, view.link.id),
                view,
                f"d{view.document.id} link {view.link.id}",
            )
    elif scope == "document":
        for doc in ctx.documents if ctx.subjects is None else ctx.subjects:
            yield (doc.id, 1, 0, 0), doc, f"d{doc.id}"
    elif ctx.subjects is None or ctx.subjects:  # judged piece by piece: once, where documents are judged
        yield (10**18, 2, 0, 0), None, "the context"


def _as_list(result: Any) -> list[Finding]:
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return [f for f in result if f is not None]
    return [result]
