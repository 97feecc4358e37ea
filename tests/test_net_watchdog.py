"""The client's one watchdog thread cuts each hop off at its own deadline, and only unfinished hops."""

from __future__ import annotations

import socket
import threading
import time

from loopback import wait_until

from provenance.net.guard import Watch, Watchdog


def socket_pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair()


def test_watches_fire_in_deadline_order_whatever_order_they_were_added() -> None:
    dog = Watchdog()
    fired: list[str] = []
    lock = threading.Lock()

    class Named(Watch):
        def __init__(self, name: str, delay: float) -> None:
            super().__init__(time.monotonic() + delay, dog)
            self.name = name

        def fire(self) -> None:
            super().fire()
            with lock:
                fired.append(self.name)

    try:
        late, early, middle = Named("late", 0.3), Named("early", 0.05), Named("middle", 0.15)
        for watch in (late, early, middle):
            watch.__enter__()
        assert wait_until(lambda: len(fired) == 3, timeout=5)
        assert fired == ["early", "middle", "late"]
        assert all(w.fired for w in (late, early, middle))
    finally:
        dog.close()


def test_a_hop_finished_in_time_is_never_cut_off() -> None:
    dog = Watchdog()
    mine, theirs = socket_pair()
    try:
        with Watch(time.monotonic() + 0.1, dog) as watch:
            watch.attach(mine)
        stopwatch = Watch(time.monotonic() + 0.2, dog)  # a later watch shows the first deadline has passed
        with stopwatch:
            assert wait_until(lambda: stopwatch.fired, timeout=5)
        assert not watch.fired
        theirs.sendall(b"still open")
        assert mine.recv(16) == b"still open"
    finally:
        dog.close()
        mine.close()
        theirs.close()


def test_the_deadline_shuts_the_socket_so_a_blocked_read_ends() -> None:
    dog = Watchdog()
    mine, theirs = socket_pair()
    try:
        started = time.monotonic()
        with Watch(started + 0.2, dog) as watch:
            watch.attach(mine)
            data = mine.recv(16)  # the peer never writes: only the watchdog can end this read
        assert data == b"" and watch.fired
        assert 0.15 <= time.monotonic() - started < 3
    finally:
        dog.close()
        mine.close()
        theirs.close()


def test_many_finished_watches_do_not_pile_up() -> None:
    dog = Watchdog()
    try:
        for _ in range(5000):
            with Watch(time.monotonic() + 60, dog):
                pass
        assert len(dog._heap) <= 1100  # finished entries are swept once they are most of the heap
    finally:
        dog.close()


def test_close_stops_the_thread() -> None:
    dog = Watchdog()
    with Watch(time.monotonic() + 60, dog):
        pass
    thread = dog._thread
    dog.close()
    assert thread is not None and not thread.is_alive()
