"""pipeline.reconcile judges documents one by one and links a piece at a time: the findings must be
exactly those of judging everything in one context, in the same order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.config import Config
from provenance.jsonvalues import to_json
from provenance.reconcile import build_context, run_rules
from provenance.reconcile.load import contexts
from provenance.reconcile.policy import DeadLinkPolicy
from provenance.records import CheckResult, LinkStatus
from provenance.store import repo
from provenance.store.db import session_scope

NOW = datetime(2026, 12, 1, tzinfo=UTC)
STATUSES = [LinkStatus.ALIVE, LinkStatus.DEAD, LinkStatus.UNREACHABLE, LinkStatus.SOFT_404, LinkStatus.REDIRECTED]


def _write_sources(folder: Path) -> None:
    """A dated article with 57 links (some dated after it), a print of it that lost two, and an unrelated
    note with 20 links."""
    lines = ["Storm Hits Coast", "", "March 3, 2021", ""]
    for i in range(57):
        year = 2019 + i % 5
        lines.append(
            f"Sentence {i} says something about the storm, see https://site{i % 9}.example/{year}/01/02/item-{i} "
            f"for more."
        )
    article = "\n".join(lines) + "\n\nOriginal url: https://paper.example/2021/03/03/storm-hits-coast\n"
    (folder / "a.txt").write_text(article, encoding="utf-8")
    printed = article.replace("https://site3.example/2022/01/02/item-3", "<u>here</u>").replace(
        "https://site4.example/2023/01/02/item-49", ""
    )
    (folder / "b.txt").write_text(printed, encoding="utf-8")
    note = "\n".join(f"See https://other.example/2030/01/0{i % 9 + 1}/n{i} too." for i in range(20))
    (folder / "c.txt").write_text(f"A note.\n\n{note}\n", encoding="utf-8")  # alone: read a piece at a time


def _everything_at_once(engine, config: Config, policy: DeadLinkPolicy | None):
    from provenance.reconcile.policy import apply_policy, failing_urls

    with session_scope(engine, readonly=True) as session:
        documents = repo.load_documents(session)
        checks = repo.latest_checks(session)
        verdicts = {}
        if policy is not None:
            checks, verdicts = apply_policy(checks, repo.check_histories(session, failing_urls(checks)), policy)
        return run_rules(
            build_context(
                documents,
                checks,
                repo.latest_snapshot_lookups(session),
                config.reconcile,
                drift=repo.latest_drift(session),
                policy=verdicts,
            )
        )


@pytest.mark.parametrize("daemon_policy", [False, True])
def test_pieces_give_the_findings_of_one_context(tmp_path: Path, engine, daemon_policy: bool) -> None:
    _write_sources(tmp_path)
    config = Config()
    pipeline.harvest(engine, config, [str(tmp_path / name) for name in ("a.txt", "b.txt", "c.txt")])
    urls = pipeline.checkable_urls(engine)
    with session_scope(engine) as session:  # the dead ones failed three times, days apart (the daemon's rule)
        for days in (8, 4, 0):
            repo.record_checks(
                session,
                [
                    CheckResult(url, STATUSES[i % len(STATUSES)], NOW - timedelta(days=days), http_status=200)
                    for i, url in enumerate(urls)
                    if days == 0 or STATUSES[i % len(STATUSES)] is LinkStatus.DEAD
                ],
            )
    policy = DeadLinkPolicy() if daemon_policy else None
    expected = _everything_at_once(engine, config, policy)
    with session_scope(engine, readonly=True) as session:  # 57 and 20 links: full pieces of 7 and a short one
        in_pieces = [f for context in contexts(session, config.reconcile, policy, piece=7) for f in run_rules(context)]
    assert [_as_stored(f) for f in in_pieces] == [_as_stored(f) for f in expected]
    counts = pipeline.reconcile(engine, config, now=lambda: NOW, policy=policy)
    with session_scope(engine, readonly=True) as session:
        found = repo.load_findings(session)
    assert [_as_stored(f) for f in found] == [_as_stored(f) for f in expected]
    kinds = {f.kind.value for f in found}
    assert {"dead_link", "temporal_mismatch", "lost_link", "copy_divergence"} <= kinds  # the cases are all there
    assert counts.total == len(found)
    assert counts.errors == sum(f.severity.value == "error" for f in found)


def _as_stored(finding):
    return (
        finding.kind,
        finding.severity,
        finding.document_id,
        finding.url,
        finding.message,
        to_json(finding.evidence),
    )
