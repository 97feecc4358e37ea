"""The per-site scheduler: caps, interleaving, and retries that hold no worker."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from provenance.check.scheduler import Again, Breaker, HostScheduler, Then


@dataclass
class Gauge:
    lock: threading.Lock = field(default_factory=threading.Lock)
    now: Counter = field(default_factory=Counter)
    peak: Counter = field(default_factory=Counter)
    total: int = 0
    total_peak: int = 0

    def enter(self, host: str) -> None:
        with self.lock:
            self.now[host] += 1
            self.total += 1
            self.peak[host] = max(self.peak[host], self.now[host])
            self.total_peak = max(self.total_peak, self.total)

    def leave(self, host: str) -> None:
        with self.lock:
            self.now[host] -= 1
            self.total -= 1


@dataclass
class Work:
    host: str
    name: str
    gauge: Gauge
    gate: threading.Event | None = None
    pause: float = 0.005

    def step(self) -> str:
        self.gauge.enter(self.host)
        try:
            if self.gate is not None:
                assert self.gate.wait(10)
            time.sleep(self.pause)  # overlap, so a broken cap would show; correctness does not depend on it
            return self.name
        finally:
            self.gauge.leave(self.host)


def test_caps_hold_globally_and_per_site() -> None:
    gauge = Gauge()
    jobs = [(f"h{i % 5}", Work(f"h{i % 5}", str(i), gauge)) for i in range(100)]
    results = list(HostScheduler(concurrency=6, per_host=2).run(jobs))
    assert sorted(results, key=int) == [str(i) for i in range(100)]
    assert max(gauge.peak.values()) <= 2 and gauge.total_peak <= 6
    assert gauge.total_peak >= 2  # it did run things in parallel


def test_a_stalled_site_does_not_stall_the_others() -> None:
    gauge, gate = Gauge(), threading.Event()
    jobs = [("slow", Work("slow", f"slow{i}", gauge, gate)) for i in range(6)]
    jobs += [(f"fast{i % 3}", Work(f"fast{i % 3}", f"fast{i}", gauge)) for i in range(12)]
    run = HostScheduler(concurrency=4, per_host=2).run(jobs)
    first = [next(run) for _ in range(12)]  # would block forever if the slow site held every worker
    assert all(name.startswith("fast") for name in first)
    assert gauge.peak["slow"] == 2
    gate.set()
    assert sorted(run) == sorted(f"slow{i}" for i in range(6))


@dataclass
class Retrying:
    name: str
    log: list[str]
    waits: int = 1

    def step(self) -> str | Again:
        self.log.append(f"{self.name} step")
        if self.waits:
            self.waits -= 1
            return Again(0.2)
        return self.name


def test_a_waiting_retry_holds_no_worker() -> None:
    log: list[str] = []
    jobs = [("a", Retrying("waiter", log)), ("b", Retrying("quick", log, waits=0))]
    results = list(HostScheduler(concurrency=1, per_host=1).run(jobs))
    assert results == ["quick", "waiter"]  # the only worker served "quick" while "waiter" waited
    assert log == ["waiter step", "quick step", "waiter step"]


def test_per_site_interval_spaces_request_starts() -> None:
    starts: dict[str, list[float]] = {"h": []}

    @dataclass
    class Stamp:
        def step(self) -> float:
            now = time.monotonic()
            starts["h"].append(now)
            return now

    begun = time.monotonic()
    results = list(
        HostScheduler(concurrency=4, per_host=4, per_host_interval=0.05).run([("h", Stamp()) for _ in range(4)])
    )
    assert len(results) == 4
    # The k-th start comes at least k intervals after the run began.  (Gaps between two starts are
    # not the invariant: a worker thread that starts late on a loaded machine shortens the next gap.)
    times = sorted(starts["h"])
    assert all(start - begun >= k * 0.05 for k, start in enumerate(times))


def test_stopping_early_cancels_queued_work() -> None:
    gauge = Gauge()
    jobs = [("h", Work("h", str(i), gauge)) for i in range(50)]
    run = HostScheduler(concurrency=2, per_host=2).run(jobs)
    assert next(run) in {str(i) for i in range(50)}
    run.close()
    assert gauge.total == 0


def test_work_continues_while_the_consumer_is_busy() -> None:
    """The caller commits each result; checking must go on meanwhile, not wait for the next pull."""
    started, lock, everyone = [], threading.Lock(), threading.Event()

    @dataclass
    class Mark:
        name: str

        def step(self) -> str:
            with lock:
                started.append(self.name)
                if len(started) == 6:
                    everyone.set()
            return self.name

    run = HostScheduler(concurrency=2, per_host=1).run([(f"h{i}", Mark(str(i))) for i in range(6)])
    first = next(run)  # the consumer now "commits" and pulls nothing more until every job has started
    assert everyone.wait(5)
    assert sorted([first, *run]) == [str(i) for i in range(6)]


def test_a_timed_out_request_keeps_its_site_slot_for_a_while() -> None:
    """The server may still be busy with a request the client abandoned: do not send the next one yet."""
    stamps: dict[str, float] = {}

    @dataclass
    class Timed:
        name: str

        def step(self) -> str:
            stamps[self.name + " start"] = time.monotonic()
            return self.name

    jobs = [("h", Timed("timed-out")), ("h", Timed("next")), ("other", Timed("elsewhere"))]
    sched: HostScheduler[str] = HostScheduler(
        concurrency=4, per_host=1, linger=lambda name: 0.3 if name == "timed-out" else 0.0
    )
    assert sorted(sched.run(jobs)) == ["elsewhere", "next", "timed-out"]
    assert stamps["next start"] - stamps["timed-out start"] >= 0.29
    assert stamps["elsewhere start"] - stamps["timed-out start"] < 0.29  # other sites are not held up


def test_the_site_with_most_work_left_goes_first() -> None:
    """One worker: the busiest site starts first; equal backlogs take turns in arrival order."""
    started: list[str] = []

    @dataclass
    class Named:
        name: str

        def step(self) -> str:
            started.append(self.name)
            return self.name

    jobs = [("a", Named("a1")), ("b", Named("b1")), ("b", Named("b2")), ("b", Named("b3")), ("c", Named("c1"))]
    assert len(list(HostScheduler(concurrency=1, per_host=1).run(jobs))) == 5
    assert started == ["b1", "b2", "a1", "c1", "b3"]


def test_then_work_runs_off_the_request_slots() -> None:
    """A job's `Then` work (parsing) holds no slot: with one slot, the next job's request starts while it runs."""
    started_b = threading.Event()

    class Parses:
        def step(self) -> Then[str]:
            return Then(lambda: "a parsed" if started_b.wait(timeout=10) else "a starved b")

    class Requests:
        def step(self) -> str:
            started_b.set()
            return "b"

    results = list(HostScheduler(concurrency=1, per_host=1).run([("h1", Parses()), ("h2", Requests())]))
    assert sorted(results) == ["a parsed", "b"]


def test_then_work_may_ask_to_run_again() -> None:
    """`Then` work that returns Again goes back to the request pool after the delay, like a step's."""

    class TwoRounds:
        rounds = 0

        def step(self) -> Then[str]:
            self.rounds += 1
            return Then(lambda: Again(0.01) if self.rounds == 1 else f"done after {self.rounds}")

    assert list(HostScheduler(concurrency=2, per_host=1).run([("h", TwoRounds())])) == ["done after 2"]


def test_jobs_are_read_a_window_ahead_not_all_at_once() -> None:
    """A 100,000-link run must not hold a job per URL: the input is read as slots free up."""
    read = started = 0
    most_ahead = 0

    class Counted:
        def step(self) -> str:
            nonlocal started, most_ahead
            started += 1
            most_ahead = max(most_ahead, read - started)
            return "done"

    def jobs():
        nonlocal read
        for i in range(400):
            read += 1
            yield f"h{i % 20}", Counted()

    results = list(HostScheduler(concurrency=4, per_host=2, window=10).run(jobs()))
    assert len(results) == 400 and read == 400
    assert most_ahead <= 10 + 4  # the window, and the jobs in flight


def test_a_run_that_cites_one_site_first_still_interleaves() -> None:
    """When every queued job is one site's (at its cap), the scheduler reads further for others."""
    gauge = Gauge()
    gate = threading.Event()
    first_site = [("a", Work("a", f"a{i}", gauge, gate=gate)) for i in range(30)]
    others = [(f"h{i}", Work(f"h{i}", f"h{i}", gauge)) for i in range(3)]
    finished: list[str] = []
    for name in HostScheduler(concurrency=4, per_host=1, window=5).run(first_site + others):
        finished.append(name)
        if len(finished) == 3:
            gate.set()  # site a is held until the others are done: they cannot have waited behind it
    assert sorted(finished[:3]) == ["h0", "h1", "h2"]
    assert len(finished) == 33


def test_the_backlog_keeps_one_live_entry_per_site() -> None:
    """Every queued job re-enters its site; superseded entries are skipped and do not pile up."""
    import itertools
    from collections import deque

    from provenance.check.scheduler import _Backlog, _Site

    sites = {"a": _Site(deque()), "b": _Site(deque())}
    backlog = _Backlog(sites, itertools.count())
    for i in range(5000):
        host = "a" if i % 3 else "b"  # a: 3,333 jobs, b: 1,667
        sites[host].ready.append(i)
        backlog.push(host)
    assert len(backlog.heap) <= 4 * 2 + 1024
    assert backlog.pop() == "a" and backlog.pop() == "b" and backlog.pop() is None


@pytest.mark.slow  # scale: 20,000 sites under traced memory
def test_a_site_with_nothing_left_is_forgotten() -> None:
    """A run citing 20,000 sites must not keep a queue for each of them to the end (~1 KB each)."""
    import tracemalloc

    class Quick:
        def step(self) -> str:
            return "done"

    tracemalloc.start()
    try:
        results = list(
            HostScheduler(concurrency=4, per_host=2, window=256).run(
                (f"site{i}.example", Quick()) for i in range(20_000)
            )
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(results) == 20_000
    assert peak < 5_000_000  # every site kept: ~20 MB


def test_a_retry_of_a_forgotten_site_still_runs_and_keeps_the_interval() -> None:
    starts: list[float] = []

    class Twice:
        steps = 0

        def step(self) -> str | Again:
            starts.append(time.monotonic())
            self.steps += 1
            return Again(0.0) if self.steps == 1 else "done"

    results = list(HostScheduler(concurrency=2, per_host=1, per_host_interval=0.2).run([("h", Twice())]))
    assert results == ["done"] and len(starts) == 2
    # The interval runs from the first dispatch, a moment before the first step notes its start;
    # forgotten, the retry (Again(0.0)) would start within milliseconds.
    assert starts[1] - starts[0] >= 0.15  # the site's interval was not forgotten with its queue


@dataclass
class Silent:
    """A job whose site never answers (its attempts say so), or answers when SILENT is false."""

    host: str
    name: str
    silent: bool = True
    retries: int = 0
    tried: list[str] = field(default_factory=list)

    def step(self) -> str | Again:
        self.tried.append(self.name)
        if self.silent and self.retries:
            self.retries -= 1
            return Again(0.0, unanswered=True)
        return f"{'silent' if self.silent else 'answered'}:{self.name}"


def _breaker(trip_after: int = 3) -> Breaker[str]:
    return Breaker(
        unanswered=lambda outcome: outcome.startswith("silent"),
        shed=lambda job: f"shed:{job.name}",
        trip_after=trip_after,
    )


def test_a_silent_site_trips_its_breaker_and_the_rest_of_its_links_are_shed() -> None:
    tried: list[str] = []
    jobs = [("dead", Silent("dead", str(i), tried=tried)) for i in range(50)]
    jobs += [("fine", Silent("fine", f"f{i}", silent=False, tried=tried)) for i in range(5)]
    results = list(HostScheduler(concurrency=4, per_host=1, breaker=_breaker()).run(jobs))
    assert len(results) == 55
    assert [r for r in results if r.startswith("silent")] == ["silent:0", "silent:1", "silent:2"]
    assert sum(r.startswith("shed:") for r in results) == 47
    assert sum(r.startswith("answered") for r in results) == 5
    assert len([name for name in tried if not name.startswith("f")]) == 3  # no request after the trip


def test_one_slow_link_retried_does_not_trip_its_site() -> None:
    jobs = [("site", Silent("site", "slow", retries=5))]
    jobs += [("site", Silent("site", str(i), silent=False)) for i in range(5)]
    results = list(HostScheduler(concurrency=2, per_host=1, breaker=_breaker()).run(jobs))
    assert sorted(results) == sorted(["silent:slow"] + [f"answered:{i}" for i in range(5)])


def test_an_answer_between_silences_keeps_the_site_open() -> None:
    pattern = [True, True, False] * 5  # never three silent links in a row
    jobs = [("site", Silent("site", str(i), silent=s)) for i, s in enumerate(pattern)]
    results = list(HostScheduler(concurrency=1, per_host=1, breaker=_breaker()).run(jobs))
    assert not any(r.startswith("shed") for r in results) and len(results) == 15
