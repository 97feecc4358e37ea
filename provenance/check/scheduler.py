"""Polite, interleaved scheduling of many small jobs over a thread pool.

Each job belongs to a site (the host of the link's ORIGINAL URL, so remapping many sites onto
one mirror does not serialise them, and one site's mirror cannot be hammered either). The
dispatcher keeps one queue per site and feeds the pool only with jobs whose site has a free slot
(`per_host`) and whose last request started at least `per_host_interval` ago; so a slow site
holds at most `per_host` workers and never stalls the rest. Among the sites that may start a
job, the one with the most jobs queued goes first (ties in turn, so equal sites are served
round-robin): a site held back for a while (timeouts keep its slots, see `linger`) catches up as
soon as it is free, instead of being left with a queue that only `per_host` workers can drain
after every other site is done. A job runs in steps: a step returns its result, or
`Again(delay)` to be run again later (a retry after back-off or Retry-After), or `Then(work)`
when its requests are done and only CPU work is left (parsing the page). Jobs are read from the
input a window ahead of the dispatcher (`window`), so the jobs held do not grow with a run's
number of URLs; when every queued site is at its cap it reads further, so one site cited first
does not serialise the run. A waiting job is parked in a timer heap, not in a worker, so waiting
costs no slot; `Then` work runs on `cpu_workers` threads of its own, off the request slots, so a
page waiting for the parser never keeps the next request from starting. A per-site circuit
breaker (`Breaker`) answers a site's remaining jobs without running them once several of them in
a row got no answer, so a black-holed site costs a few timeouts, not one per link. Results are
yielded as they complete.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class Again:
    """Run this job's next step after DELAY seconds, without holding a worker meanwhile;
    UNANSWERED when the site gave no answer to this attempt (the circuit breaker counts it)."""

    delay: float
    unanswered: bool = False


@dataclass(frozen=True)
class Then(Generic[T_co]):
    """The job's requests are done: WORK (CPU only, no network) gives its outcome, off the request slots."""

    work: Callable[[], T_co | Again]


class Job(Protocol[T_co]):
    """A unit of work run in steps; `step` must not raise for expected trouble."""

    def step(self) -> T_co | Again | Then[T_co]: ...


def run_inline(job: Job[T]) -> T:
    """Run JOB to its end in this thread, sleeping through its `Again`s (one URL, no scheduler)."""
    while True:
        outcome = job.step()
        while isinstance(outcome, Then):
            outcome = outcome.work()
        if not isinstance(outcome, Again):
            return outcome
        time.sleep(outcome.delay)


@dataclass
class _Site:
    ready: deque[Job[Any]]  # jobs of any outcome: the table is the scheduler's own
    in_flight: int = 0
    last_start: float = float("-inf")

    def idle(self, now: float, interval: float) -> bool:
        """Nothing queued or in flight, and a new job could start at once: safe to forget."""
        return not self.in_flight and not self.ready and now - self.last_start >= interval


def _site(sites: dict[str, _Site], host: str) -> _Site:
    """HOST's entry, made when it has none (a new site, or one forgotten while idle)."""
    site = sites.get(host)
    if site is None:
        site = sites[host] = _Site(deque())
    return site


class HostScheduler(Generic[T]):
    """Run jobs keyed by site with global and per-site concurrency caps; see module docstring."""

    def __init__(
        self,
        concurrency: int,
        per_host: int,
        per_host_interval: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        linger: Callable[[T], float] | None = None,
        cpu_workers: int = 1,
        window: int | None = None,
        breaker: Breaker[T] | None = None,
    ) -> None:
        self.concurrency = max(1, concurrency)
        # Jobs read ahead of the dispatcher: enough sites to interleave and fill every slot, not a
        # job for every URL of a 100,000-link run.  When every queued site is at its cap, it reads
        # further, up to `reach`, so a run that cites one site first still finds the others.
        self.window = max(1, window or max(4096, 64 * self.concurrency))
        self.reach = 16 * self.window
        # `Then` work is CPU under the GIL: more threads only contend for it.
        self.cpu_workers = max(1, cpu_workers)
        # Jobs parked for `Then` work before no new request starts: bounds the answers held in memory.
        self.cpu_backlog = 2 * self.concurrency
        self.per_host = max(1, per_host)
        self.interval = max(0.0, per_host_interval)
        self.clock = clock
        # Seconds a finished job keeps its site's slot: after a client-side timeout the server
        # may still be working on the abandoned request, so the site is not sent another yet.
        self.linger = linger
        self.breaker = breaker
        self._sweep_at = 1024  # sites kept before idle ones inside their interval are swept (_release)

    def run(self, jobs: Iterable[tuple[str, Job[T]]]) -> Iterator[T]:
        """Yield each job's result as it completes; stopping the iteration cancels queued work.

        The dispatcher runs in its own thread, so a slow consumer (one database commit per
        result) never stops new requests from being started meanwhile.
        """
        results: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        stop = threading.Event()

        def drive() -> None:
            try:
                for outcome in self._drive(jobs):
                    results.put(("result", outcome))
                    if stop.is_set():
                        break
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, who re-raises it
                results.put(("error", exc))
            finally:
                results.put(("end", None))

        dispatcher = threading.Thread(target=drive, name="check-dispatcher", daemon=True)
        dispatcher.start()
        try:
            while True:
                kind, value = results.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise value  # type: ignore[misc]
                yield value  # type: ignore[misc]
        finally:
            stop.set()
            dispatcher.join()

    def _drive(self, jobs: Iterable[tuple[str, Job[T]]]) -> Iterator[T]:
        """The dispatcher loop: feed the pool site by site, park retries on timers, yield results."""
        sites: dict[str, _Site] = {}
        order = itertools.count()
        backlog = _Backlog(sites, order)
        intake = _Intake(jobs, sites, backlog)
        timers: list[tuple[float, int, str, Job[T] | None]] = []  # job None: release a lingering slot
        retries = 0
        running: dict[Future[Any], tuple[str, Job[T]]] = {}  # requests: they hold slots
        working: dict[Future[Any], tuple[str, Job[T]]] = {}  # `Then` work: holds no slot
        finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        waiting = 0  # jobs queued in their sites
        silence = _Silence(self.breaker)
        shed: list[T] = []  # answers of jobs not run, as `_dispatch` meets them
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="check")
        cpu = ThreadPoolExecutor(max_workers=self.cpu_workers, thread_name_prefix="check-cpu")
        try:
            while running or working or retries or waiting or not intake.done:
                waiting += intake.fill(self.window - waiting)
                now = self.clock()
                while timers and timers[0][0] <= now:
                    _, _, host, job = heapq.heappop(timers)
                    if job is None:
                        self._release(sites, host, now)
                        continue
                    # A retry goes before the site's new work (the site may have been forgotten meanwhile).
                    _site(sites, host).ready.appendleft(job)
                    retries -= 1
                    waiting += 1
                    backlog.push(host)
                if len(working) < self.cpu_backlog:
                    waiting -= self._dispatch(pool, sites, backlog, running, finished.put, now, silence, shed)
                    while len(running) < self.concurrency and not intake.done and waiting < self.reach:
                        waiting += intake.fill(self.window)  # every queued site is at its cap: read on
                        waiting -= self._dispatch(pool, sites, backlog, running, finished.put, now, silence, shed)
                yield from shed  # jobs of sites the breaker stopped, answered unrun
                shed.clear()
                pause = self._idle_for(sites, timers, now)
                if not running and not working:
                    if pause:
                        time.sleep(pause)  # nothing in flight: only timers or intervals remain
                    continue
                try:
                    done = [finished.get(timeout=pause)]
                except queue.Empty:
                    continue
                while not finished.empty():  # take every completion at hand in one pass
                    done.append(finished.get_nowait())
                for future in done:
                    requested = future in running
                    host, job = running.pop(future) if requested else working.pop(future)
                    outcome = future.result()
                    if requested:
                        silence.heard(host, job, outcome)
                        hold = self.linger(outcome) if self.linger and not isinstance(outcome, (Again, Then)) else 0.0
                        if hold > 0:
                            heapq.heappush(timers, (self.clock() + hold, next(order), host, None))
                        else:
                            self._release(sites, host, now)
                    if isinstance(outcome, Then):
                        work = cpu.submit(outcome.work)
                        working[work] = (host, job)
                        work.add_done_callback(finished.put)
                    elif isinstance(outcome, Again):
                        heapq.heappush(timers, (self.clock() + max(0.0, outcome.delay), next(order), host, job))
                        retries += 1
                    else:
                        yield outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            cpu.shutdown(wait=True, cancel_futures=True)

    def _release(self, sites: dict[str, _Site], host: str, now: float) -> None:
        """Free one of HOST's slots; forget the site once it has nothing queued or in flight.

        A run citing 100,000 sites would otherwise keep a queue for each of them to the end (a
        deque takes most of a kilobyte even empty).  A site still inside its `per_host_interval` is kept, so a job
        of it read later still waits; such sites are swept when `sites` has doubled since the last
        sweep.
        """
        site = sites[host]
        site.in_flight -= 1
        if site.idle(now, self.interval):
            del sites[host]
        elif len(sites) > self._sweep_at:
            for name in [name for name, other in sites.items() if other.idle(now, self.interval)]:
                del sites[name]
            self._sweep_at = max(1024, 2 * len(sites))

    def _dispatch(
        self,
        pool: ThreadPoolExecutor,
        sites: dict[str, _Site],
        backlog: _Backlog,
        running: dict[Future[Any], tuple[str, Job[T]]],
        on_done: Callable[[Future[Any]], None],
        now: float,
        silence: _Silence[T],
        shed: list[T],
    ) -> int:
        """Start jobs, most-backlogged free site first, while global and per-site slots are free; the
        jobs of a site the breaker stopped are answered into SHED instead.  Returns the jobs taken."""
        taken = 0
        held: list[str] = []  # sites with work but no free slot (or inside their interval) this time
        while len(running) < self.concurrency:
            host = backlog.pop()
            if host is None:
                break
            site = sites[host]
            if silence.breaker is not None and host in silence.tripped:
                shed.extend(silence.breaker.shed(job) for job in site.ready)
                taken += len(site.ready)
                site.ready.clear()
                continue
            if site.in_flight >= self.per_host or now - site.last_start < self.interval:
                held.append(host)
                continue
            job = site.ready.popleft()
            site.in_flight += 1
            site.last_start = now
            future = pool.submit(job.step)
            running[future] = (host, job)
            future.add_done_callback(on_done)
            taken += 1
            backlog.push(host)
        for host in held:
            backlog.push(host)
        return taken

    def _idle_for(
        self, sites: dict[str, _Site], timers: list[tuple[float, int, str, Job[T] | None]], now: float
    ) -> float | None:
        """How long the dispatcher may sleep before a timer or a site interval frees work."""
        moments = [timers[0][0]] if timers else []
        if self.interval:
            moments += [s.last_start + self.interval for s in sites.values() if s.ready and s.in_flight < self.per_host]
        if not moments:
            return None
        return max(0.0, min(moments) - now)


class _Intake(Generic[T]):
    """The jobs not yet queued: read into their sites' queues as the dispatcher asks for them."""

    def __init__(self, jobs: Iterable[tuple[str, Job[T]]], sites: dict[str, _Site], backlog: _Backlog) -> None:
        self.source, self.sites, self.backlog = iter(jobs), sites, backlog
        self.done = False

    def fill(self, count: int) -> int:
        """Queue up to COUNT more jobs; returns how many were queued (fewer once the input ends)."""
        added = 0
        while added < count and not self.done:
            try:
                host, job = next(self.source)
            except StopIteration:
                self.done = True
                break
            _site(self.sites, host).ready.append(job)
            self.backlog.push(host)
            added += 1
        return added


class _Backlog:
    """Sites with queued jobs, most jobs first, ties in the order they were (re)entered.

    A heap with lazy updates: each push supersedes the site's earlier entry (skipped when it
    surfaces), an entry whose count is out of date is re-entered with the right one, and an
    emptied site's entry is dropped, so `push` after every change is enough and each dispatch
    costs O(log sites), not a scan of every site.
    """

    def __init__(self, sites: dict[str, _Site], order: Iterator[int]) -> None:
        self.sites, self.order = sites, order
        self.heap: list[tuple[int, int, str]] = []
        self.entry: dict[str, int] = {}  # site -> the stamp of its one live entry

    def push(self, host: str) -> None:
        """(Re-)enter HOST with its current queue length, if it has work."""
        left = len(self.sites[host].ready)
        if left:
            stamp = self.entry[host] = next(self.order)
            heapq.heappush(self.heap, (-left, stamp, host))
            if len(self.heap) > 4 * len(self.entry) + 1024:  # mostly superseded entries: keep the live ones
                self.heap = [item for item in self.heap if self.entry.get(item[2]) == item[1]]
                heapq.heapify(self.heap)

    def pop(self) -> str | None:
        """The site with the most queued jobs (removed until pushed again), or None."""
        while self.heap:
            negative, stamp, host = heapq.heappop(self.heap)
            if self.entry.get(host) != stamp:
                continue  # superseded by a later push
            del self.entry[host]
            left = len(self.sites[host].ready)
            if left == -negative:
                return host
            if left:
                self.push(host)
        return None


@dataclass(frozen=True)
class Breaker(Generic[T]):
    """A per-site circuit breaker: once TRIP_AFTER different jobs of a site have had an attempt it
    did not answer (`unanswered(outcome)`, or an `Again` marked so) with no answer from the site
    between, its other jobs are not run for the rest of the run; each is answered by `shed(job)`.
    A black-holed site then costs a few timeouts, not one (and a linger) per link; one slow page
    retried does not trip its site, as it is one job."""

    unanswered: Callable[[T], bool]
    shed: Callable[[Job[T]], T]
    trip_after: int = 3


class _Silence(Generic[T]):
    """The breaker's state: per site, the jobs unanswered since its last answer; the sites tripped."""

    def __init__(self, breaker: Breaker[T] | None) -> None:
        self.breaker = breaker
        self.unanswered: dict[str, set[int]] = {}  # site -> ids of its jobs unanswered since its last answer
        self.tripped: set[str] = set()

    def heard(self, host: str, job: Job[T], outcome: T | Again | Then[T]) -> None:
        """Count OUTCOME of one of HOST's requests (a `Then` is an answer; its work is not a request)."""
        if self.breaker is None:
            return
        if isinstance(outcome, Again):
            silent = outcome.unanswered
        elif isinstance(outcome, Then):
            silent = False
        else:
            silent = self.breaker.unanswered(outcome)
        if not silent:
            self.unanswered.pop(host, None)
            return
        jobs = self.unanswered.setdefault(host, set())
        jobs.add(id(job))
        if len(jobs) >= self.breaker.trip_after:
            self.tripped.add(host)
            del self.unanswered[host]
