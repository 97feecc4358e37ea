"""Orchestration of the stages: harvest -> store -> check -> archive -> reconcile.

Only this module, cli.py and daemon.py compose stages.  No printing and no SQL text here: the
store is reached through `store.repo`, and every unit of work is its own short transaction, so a
crash loses at most the batch in flight and another process could have claimed the next one.

The network stages (check, archive) are imported by the functions that run them: a command
that stays offline never needs them (docs/performance.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy.engine import Engine

from .chunks import batched_live
from .clock import Clock, utcnow
from .config import Config, SourceConfig
from .harvest.budget import BudgetedHarvester
from .harvest.feeds import watched_pages
from .harvest.files import Skipped, expand_targets, source_targets
from .harvest.inputs import Fetch, fetcher, harvest_items
from .harvest.stored_copies import mark_copies
from .memory import release_free_memory
from .net.base import Client
from .reconcile import run_rules
from .reconcile.load import contexts
from .reconcile.policy import DeadLinkPolicy
from .records import HarvestedDocument, Items, SaveResult, Severity
from .store import repo
from .store.db import kept_connection, session_scope
from .store.urls import DueUrls, LinkedUrls
from .store.urls import due_urls as _due_urls

Progress = Callable[[int, int], None]  # (done, total)
log = logging.getLogger(__name__)
T = TypeVar("T")
COMMIT_BATCH = 50  # results committed at a time: a commit per result costs a journal write each
COMMIT_SECONDS = 0.2  # and at least this often, so a slow run still stores as it goes


@dataclass(frozen=True)
class HarvestOutcome:
    document_ids: tuple[int, ...]
    errors: tuple[tuple[str, str], ...] = ()  # (source, reason)
    unreadable: tuple[str, ...] = ()  # sources nothing could be read from at all (their errors say why)
    named_unreadable: tuple[str, ...] = ()  # of those, the ones the user named rather than a folder held
    skipped: tuple[Skipped, ...] = ()  # folder entries not read (links leading elsewhere, special files)

    @property
    def nothing_read(self) -> bool:
        """Every input was unreadable: the command had nothing to work on."""
        return bool(self.document_ids) and len(self.unreadable) == len(self.document_ids)

    @property
    def input_failed(self) -> bool:
        """An input the user named could not be read, or a folder could not be listed: exit 2."""
        return self.nothing_read or bool(self.named_unreadable) or any(s.failed for s in self.skipped)

    @property
    def failure(self) -> str | None:
        """Why the harvest as a whole failed ('where: why'), or None: an input that failed, else
        nothing read at all, else None (a folder's unreadable file is that document's error)."""
        if not self.input_failed and (self.document_ids or not self.errors):
            return None
        failed = set(self.named_unreadable or self.unreadable)
        reasons = [f"{where}: {why}" for where, why in self.errors if where in failed or not self.document_ids]
        reasons += [f"{s.source}: {s.reason}" for s in self.skipped if s.failed]
        return reasons[0] if reasons else "nothing could be read"


@dataclass(frozen=True)
class FindingCounts:
    """How many findings a reconcile stored, per (document id, severity); the findings themselves
    are in the store (`repo.load_findings`, the report)."""

    by_document: Mapping[tuple[int | None, Severity], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_document.values())

    @property
    def errors(self) -> int:
        return sum(n for (_, severity), n in self.by_document.items() if severity is Severity.ERROR)

    def of(self, document_ids: Iterable[int]) -> FindingCounts:
        """The counts of DOCUMENT_IDS' findings only."""
        wanted = set(document_ids)
        return FindingCounts({key: n for key, n in self.by_document.items() if key[0] in wanted})


@dataclass(frozen=True)
class AuditOutcome:
    harvested: HarvestOutcome
    findings: FindingCounts
    checked: int = 0
    looked_up: int = 0

    @property
    def document_ids(self) -> tuple[int, ...]:
        return self.harvested.document_ids


def committed(items: Iterable[T]) -> Iterator[list[T]]:
    """ITEMS in the batches each stage commits: a crash loses at most one batch, which stays due."""
    return batched_live(items, COMMIT_BATCH, COMMIT_SECONDS)


# --- harvest ----------------------------------------------------------------------------------


def harvest(
    engine: Engine,
    config: Config,
    targets: Iterable[str],
    client: Client | None = None,
    now: Clock = utcnow,
    fetch: Fetch | None = None,
) -> HarvestOutcome:
    """Harvest files, folders and URLs into the store, then recognise copies among all documents."""
    if fetch is None and client is not None:
        fetch = fetcher(client, config.harvest.max_file_bytes)
    ids: list[int] = []
    errors: list[tuple[str, str]] = []
    unreadable: list[str] = []
    inputs = expand_targets(targets)
    named = {item.source for item in inputs.items if item.named}
    with BudgetedHarvester(config.harvest) as budgeted:
        for doc in harvest_items(inputs.items, config.harvest, fetch, budgeted):
            ids.append(_save(engine, doc, now))  # stored as it comes: none is held afterwards
            if doc.error:
                errors.append((doc.source, doc.error))
            if doc.unreadable:
                unreadable.append(doc.source)
    with session_scope(engine) as session:
        mark_copies(session)
    named_unreadable = tuple(source for source in unreadable if source in named)
    return HarvestOutcome(tuple(ids), tuple(errors), tuple(unreadable), named_unreadable, inputs.skipped)


def _save(engine: Engine, doc: HarvestedDocument, now: Clock) -> int:
    with session_scope(engine) as session:
        return repo.save_harvest(session, doc, now())


def harvest_source(
    engine: Engine, config: Config, source: SourceConfig, client: Client | None = None, now: Clock = utcnow
) -> HarvestOutcome:
    """Harvest one watched source (config `sources:`): a file, folder or glob relative to the config
    file, or a page, feed or sitemap URL.  A missing file or folder is an InputError."""
    if source.path is not None:
        return harvest(engine, config, source_targets(config.base_dir, source.path), client=client, now=now)
    assert source.url is not None  # config.py: a source has exactly one of path and url
    if client is None:
        return HarvestOutcome((), ((source.url, "URL sources need the network (run without --offline)"),))
    pages, errors, fetch = watched_pages(source.url, fetcher(client, config.harvest.max_file_bytes))
    outcome = harvest(engine, config, pages, client=client, now=now, fetch=fetch) if pages else HarvestOutcome(())
    # The pages a feed or sitemap lists were not named by the user: one that fails is its own error.
    named = tuple(page for page in outcome.named_unreadable if page == source.url)
    return replace(outcome, errors=tuple(errors) + outcome.errors, named_unreadable=named)


# --- check ------------------------------------------------------------------------------------


def checkable_urls(engine: Engine, document_ids: Iterable[int] | None = None) -> LinkedUrls:
    """The distinct URLs linked from DOCUMENT_IDS (all documents when None), read as they are used."""
    return LinkedUrls(engine, document_ids)


@contextmanager
def due_urls(engine: Engine, config: Config, now: Clock = utcnow) -> Iterator[DueUrls]:
    """The URLs due a check now, fixed for the block (store/urls.py)."""
    with _due_urls(engine, config.schedule, now()) as urls:
        yield urls


def check(
    engine: Engine,
    config: Config,
    client: Client,
    urls: Items[str],
    now: Clock = utcnow,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Check each of URLS (distinct: `checkable_urls`, `due_urls`), committing results in batches.

    Setting STOP (the daemon's SIGTERM) ends the run after the batch at hand is committed; checks
    still in flight finish but are not stored, so those links simply stay due.  So does
    `http.run_deadline` when it passes: the links not reached are left unchecked (due next run).
    """
    from .check.checker import check_urls  # lazy: a network stage (module docstring)

    done = 0
    total = len(urls) if progress else 0
    limit = config.http.run_deadline
    ends_at = time.monotonic() + limit if limit else None
    for batch in committed(check_urls(client, urls, config.http, now=now, distinct=True)):
        with session_scope(engine) as session:
            repo.record_checks(session, batch)
        done += len(batch)
        if progress:
            progress(done, total)
        if stop is not None and stop.is_set():
            break
        if ends_at is not None and time.monotonic() >= ends_at:
            log.warning("checks stopped at http.run_deadline (%gs) after %d links; the rest stay due", limit, done)
            break
    return done


# --- archive ----------------------------------------------------------------------------------


def archive(engine: Engine, config: Config, client: Client, urls: Iterable[str], now: Clock = utcnow) -> int:
    """The archive stage: snapshot look-ups, then content drift; returns the number of look-ups.

    What to ask is decided from the stored evidence as URLS are read (archive/plan.py).  With
    archive.save_missing, Save Page Now is asked, in the background while drift is measured, to
    capture alive links no archive holds.
    """
    from .archive.lookup import archive_sources, lookup_snapshots  # lazy: a network stage (module docstring)
    from .archive.plan import save_wanted, stale_lookups
    from .archive.save import CaptureQueue, SaveLimiter

    sources = archive_sources(client, config.archive, clock=now)
    if not sources:
        return 0
    asked = stale_lookups(engine, urls, now(), config.archive.max_age)
    done = 0
    for lookups in committed(
        lookup_snapshots(sources, asked, config.archive.concurrency, per_archive=config.archive.per_archive, clock=now)
    ):
        with session_scope(engine) as session:
            for lookup in lookups:
                repo.record_snapshot_lookup(session, lookup)
        done += len(lookups)
    to_save = save_wanted(engine, urls, now(), config.archive.max_age) if config.archive.save_missing else []
    captures = None
    if to_save:
        limiter = SaveLimiter(config.archive.save_interval.total_seconds())
        captures = CaptureQueue(client, to_save, limiter, clock=now).start()
    try:
        _measure_drift(engine, config, client, urls, now)
    finally:
        if captures is not None:
            _record_captures(engine, captures.finish())
    return done


def _measure_drift(engine: Engine, config: Config, client: Client, urls: Iterable[str], now: Clock) -> None:
    from .archive.drift import measure_drifts  # lazy: a network stage (module docstring)
    from .archive.plan import drift_wanted

    wanted = drift_wanted(engine, urls, config.reconcile.drift_threshold)
    measured = measure_drifts(
        client,
        wanted,
        threshold=config.reconcile.drift_threshold,
        max_workers=config.archive.concurrency,
        per_archive=config.archive.per_archive,
        per_host=config.http.per_host,
        per_host_interval=config.http.per_host_interval,
    )
    for batch in committed(measured):
        with session_scope(engine) as session:
            for evidence in batch:
                repo.record_drift(session, evidence, now())


def _record_captures(engine: Engine, results: Iterable[SaveResult]) -> None:
    """Store each capture request; a capture made at once is also the archive's answer about its URL."""
    from .archive.save import capture_lookup  # lazy: a network stage (module docstring)

    with session_scope(engine) as session:
        for result in results:
            repo.record_save_request(session, result)
            answer = capture_lookup(result)
            if answer is not None:
                repo.record_snapshot_lookup(session, answer)


# --- reconcile --------------------------------------------------------------------------------


def reconcile(
    engine: Engine, config: Config, now: Clock = utcnow, policy: DeadLinkPolicy | None = None
) -> FindingCounts:
    """Recompute every finding from stored evidence (no network: deterministic and cheap).

    The evidence is read a document and a piece of links at a time (reconcile/load.py).  Findings
    are staged in a TEMP table as the rules give them, inside the read-only transaction, and
    replace the stored ones in one short write at the end: the write lock is never held while
    rules run (other processes share the database), and the findings are never all held either.
    POLICY is the daemon's dead-link policy (reconcile/policy.py).
    """
    when = now()
    counts: Counter[tuple[int | None, Severity]] = Counter()
    with kept_connection(engine) as connection:
        with session_scope(connection, readonly=True) as session:
            repo.start_staged_findings(session)
            for context in contexts(session, config.reconcile, policy):
                found = run_rules(context)
                repo.stage_findings(session, found, when)
                counts.update((f.document_id, f.severity) for f in found)
        with session_scope(connection) as session:
            repo.replace_findings_with_staged(session)
    return FindingCounts(counts)


# --- audit ------------------------------------------------------------------------------------


def audit(
    engine: Engine,
    config: Config,
    targets: Iterable[str],
    client: Client | None = None,
    *,
    archives: bool = True,
    now: Clock = utcnow,
    progress: Progress | None = None,
) -> AuditOutcome:
    """One-off audit: harvest TARGETS, check their links, look up snapshots, reconcile.

    `client is None` means offline: harvest and reconcile only.
    """
    harvested = harvest(engine, config, targets, client=client, now=now)
    release_free_memory()  # each stage's peak would otherwise stack on the last one's (memory.py)
    checked = looked_up = 0
    if client is not None:
        urls = checkable_urls(engine, harvested.document_ids)
        checked = check(engine, config, client, urls, now=now, progress=progress)
        release_free_memory()
        if archives and config.archive.enabled:
            looked_up = archive(engine, config, client, urls, now=now)
            release_free_memory()
    findings = reconcile(engine, config, now=now)
    release_free_memory()
    return AuditOutcome(
        harvested=harvested, findings=findings.of(harvested.document_ids), checked=checked, looked_up=looked_up
    )
