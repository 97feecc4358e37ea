"""Content drift: does the live page still say what the archived copy (the one cited) said?

Measure: *containment* of the archived text's word 3-shingles in the live text,
|S(archived) ∩ S(live)| / |S(archived)| (Broder 1997), on main text with numbers and date words
removed.  Why this and not resemblance (Jaccard) or an edit ratio:

- asymmetric on purpose: the question is "is what was cited still there?", so text the live page
  *added* (new ads, a longer navigation, a correction note, a new paragraph) costs nothing;
- shingles instead of a bag of words: another article on the same site shares most vocabulary
  (a token-set measure gives 0.3-0.5 there) but almost no 3-word runs;
- tokens with digits and month/weekday names are dropped first, so "Updated 5 March 2023, 10:14"
  and view counters don't count as edits; a typo fix costs at most 3 shingles;
- texts shorter than 3 words fall back to word containment.

`DRIFT_THRESHOLD` was chosen on tests/data/drift/pairs.json (same article with small edits vs.
replaced content); see tests/test_archive_drift_eval.py for the figures it is held to.

Replay text comes from the archive's raw (`id_`) mode, so no replay banner or rewritten links
leak into the comparison, and through `page.extract.parse_page`, the same main-text extractor the
checker uses for the live page, so both sides lose the same chrome.

In a batch (`drift_candidates` then `measure_drifts`), a link is measured when it is alive and
some archive holds a snapshot; the snapshot is the one nearest the earliest citing date
(`base.choose_nearest` across archives).  A link already measured against that same snapshot
is skipped while its live text is unchanged (the checker's text fingerprint is the same hash of
the same main text), so a re-audit costs no extra requests for pages that did not move.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import urlsplit

from ..net.base import Client, Response
from ..page.extract import parse_page
from ..records import CheckResult, DriftEvidence, LinkStatus, Snapshot, SnapshotLookup
from ..textnorm import fingerprint, words
from .base import WAYBACK_TS, choose_nearest
from .slots import KeyedSlots
from .window import completed, window_for

__all__ = [
    "DRIFT_THRESHOLD",
    "SHINGLE_SIZE",
    "content_similarity",
    "drift_candidates",
    "fetch_replay_text",
    "fetch_live_text",
    "measure_drift",
    "measure_drifts",
    "raw_replay_url",
]

log = logging.getLogger(__name__)

DRIFT_THRESHOLD = 0.5  # below this the live page no longer holds what was cited
SHINGLE_SIZE = 3
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday mon tue tues wed thu thur thurs fri sat sun am pm gmt utc est edt pst pdt cet cest bst".split()
)
_HAS_DIGIT = re.compile(r"\d")
_TEXTUAL = ("text/plain", "text/markdown")


def _tokens(text: str) -> list[str]:
    return [w for w in words(text) if not _HAS_DIGIT.search(w) and w not in _DATE_WORDS]


def _shingles(tokens: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def content_similarity(live_text: str, archived_text: str) -> float:
    """Share of the archived text's word 3-shingles still present in the live text, 0.0-1.0."""
    archived, live = _tokens(archived_text), _tokens(live_text)
    if not archived:
        return 1.0  # nothing was cited that could have drifted
    if not live:
        return 0.0
    if len(archived) < SHINGLE_SIZE:
        return len(set(archived) & set(live)) / len(set(archived))
    cited = _shingles(archived, SHINGLE_SIZE)
    return len(cited & _shingles(live, SHINGLE_SIZE)) / len(cited)


def raw_replay_url(snapshot_url: str) -> str:
    """The replay URL in raw mode: /web/<ts>/<url> or /<ts>mp_/<url> -> /<ts>id_/<url>."""
    match = WAYBACK_TS.search(snapshot_url)
    if not match:
        return snapshot_url
    return f"{snapshot_url[: match.start()]}/{match.group(1)}id_/{snapshot_url[match.end() :]}"


def fetch_replay_text(client: Client, snapshot: Snapshot) -> str | None:
    """Main text of the archived page as captured (raw `id_` replay); None if it cannot be replayed."""
    return _main_text(client.request("GET", raw_replay_url(snapshot.url)), snapshot.original or snapshot.url)


def _main_text(resp: Response, url: str) -> str | None:
    if resp.error is not None or resp.status != 200 or not resp.body:
        return None
    content_type = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in _TEXTUAL:
        return resp.body.decode("utf-8", errors="replace")
    if content_type and "html" not in content_type and "xml" not in content_type:
        return None  # PDFs, images: not comparable as text here
    return parse_page(resp.body, url).main_text


def fetch_live_text(client: Client, url: str) -> str | None:
    """Main text of the live page, read the same way as the replay; None unless it answers 200."""
    return _main_text(client.request("GET", url), url)


def measure_drift(
    client: Client, url: str, snapshot: Snapshot, *, threshold: float = DRIFT_THRESHOLD
) -> DriftEvidence | None:
    """Compare the live page with SNAPSHOT; None when either side cannot be read as text."""
    return _measure(client, url, snapshot, threshold, KeyedSlots(1), KeyedSlots(1))


def _measure(
    client: Client, url: str, snapshot: Snapshot, threshold: float, archives: KeyedSlots, hosts: KeyedSlots
) -> DriftEvidence | None:
    """measure_drift, fetching the replay in an ARCHIVES slot and the live page in a HOSTS slot."""
    with archives.hold(snapshot.archive):
        archived = fetch_replay_text(client, snapshot)
    if not archived or not archived.strip():
        return None  # an empty or unreplayable snapshot proves nothing either way
    with hosts.hold(urlsplit(url).hostname or url):
        live = fetch_live_text(client, url)
    if live is None:
        return None
    return DriftEvidence(
        url=url,
        similarity=content_similarity(live, archived),
        threshold=threshold,
        snapshot=snapshot,
        live_fingerprint=fingerprint(live),
        snapshot_fingerprint=fingerprint(archived),
    )


def drift_candidates(
    urls: Iterable[str],
    checks: Mapping[str, CheckResult],
    lookups: Mapping[str, Sequence[SnapshotLookup]],
    cited_on: Mapping[str, date],
    measured: Mapping[str, DriftEvidence],
    threshold: float,
) -> list[tuple[str, Snapshot]]:
    """(url, snapshot) pairs worth measuring: alive, archived, and not measured already (module docstring)."""
    wanted = []
    for url in dict.fromkeys(urls):
        check = checks.get(url)
        if check is None or check.status is not LinkStatus.ALIVE:
            continue  # dead or moved targets have their own findings; there is no live text to compare
        snapshot = choose_nearest((a.nearest for a in lookups.get(url, ()) if a.nearest is not None), cited_on.get(url))
        if snapshot is None:
            continue
        prior = measured.get(url)
        live_fp = check.page.text_fingerprint if check.page else None
        if (
            prior is not None
            and prior.snapshot.url == snapshot.url
            and prior.threshold == threshold
            and live_fp is not None
            and prior.live_fingerprint == live_fp
        ):
            continue
        wanted.append((url, snapshot))
    return wanted


def measure_drifts(
    client: Client,
    items: Iterable[tuple[str, Snapshot]],
    *,
    threshold: float = DRIFT_THRESHOLD,
    max_workers: int = 8,
    per_archive: int = 4,
    per_host: int = 2,
    per_host_interval: float = 0.0,
) -> Iterator[DriftEvidence]:
    """DriftEvidence for each (url, snapshot) that both sides could be read for, as measurements finish.

    Replays are fetched at most PER_ARCHIVE at a time from one archive, live pages at most PER_HOST
    at a time from one site, started PER_HOST_INTERVAL seconds apart (keyed on the original URL's
    host, like the checker); never raises.  ITEMS are read as measurements finish (window.py).
    """
    archives, hosts = KeyedSlots(per_archive), KeyedSlots(per_host, per_host_interval)

    def measure(item: tuple[str, Snapshot]) -> DriftEvidence | None:
        return _measure(client, item[0], item[1], threshold, archives, hosts)

    workers = max(1, max_workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift") as pool:
        for (url, _snapshot), future in completed(pool, measure, items, window_for(workers)):
            failure = future.exception()
            if failure is not None:  # one odd page must not stop the others; measured again next run
                log.warning("drift of %s not measured: %s: %s", url, type(failure).__name__, failure)
                continue
            evidence = future.result()
            if evidence is not None:
                yield evidence
