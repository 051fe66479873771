"""Spin-then-park for an asyncio side of a segment.

While work is expected the loop polls the ring itself (call_soon, so other tasks run
between polls); after `spin_ns` without progress it hands parking to one helper thread,
which sleeps on the side's doorbell (GIL released) and calls back into the loop when
woken or timed out. That thread is the side's only parker (see shm/doorbell.py).

A park that timed out (`on_timeout` runs on the loop: the side probes its peer) is
followed by one look at the ring and, if nothing came, by the next park at once: no spin.
Each park lasts `park_timeout`, or what `park_timeout_of` says at the time.

While no work is expected the loop does not poll at all; the helper thread then runs
`idle_check` every `idle_period` (default `park_timeout`; a liveness probe of the peer)
and calls `on_timeout` on the loop when it reports a problem, so a dead peer is noticed
even by an idle side."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from rust2go.shm.doorbell import Doorbell


class LoopPoller:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        bell: Doorbell,
        *,
        drain: Callable[[], int],
        ready: Callable[[], bool],
        wanted: Callable[[], bool],
        on_timeout: Callable[[], None],
        idle_check: Callable[[], bool] | None = None,
        spin_ns: int = 50_000,
        park_timeout: float = 0.01,
        name: str = "r2g-parker",
        park_timeout_of: Callable[[], float] | None = None,
        idle_period: float | None = None,
    ) -> None:
        self._loop = loop
        self._bell = bell
        self._drain = drain
        self._ready = ready
        self._wanted = wanted
        self._on_timeout = on_timeout
        self._idle_check = idle_check
        self._spin_ns = spin_ns
        self._park_timeout_of = park_timeout_of or (lambda: park_timeout)
        self._idle_period = park_timeout if idle_period is None else idle_period
        self._armed = False
        self._spin_until = 0
        self._stop = False
        self._request = threading.Event()
        self._thread = threading.Thread(target=self._parker, name=name, daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Work may be coming: start polling unless already polling or parked."""
        if not self._armed and not self._stop:
            self._armed = True
            self._spin_until = 0
            self._loop.call_soon(self._poll)

    def _poll(self) -> None:
        if self._stop:
            self._armed = False
            return
        if self._drain():
            self._spin_until = 0
            self._loop.call_soon(self._poll)
            return
        if not self._wanted():
            self._armed = False
            return
        now = time.perf_counter_ns()
        if not self._spin_until:
            self._spin_until = now + self._spin_ns
        if now < self._spin_until:
            self._loop.call_soon(self._poll)
        else:
            self._request.set()  # park in the helper thread; stays armed

    def _parker(self) -> None:
        idle_wait = self._idle_period if self._idle_check is not None else None
        while True:
            if not self._request.wait(idle_wait):
                if not self._stop and self._idle_check():
                    try:
                        self._loop.call_soon_threadsafe(self._on_timeout)
                    except RuntimeError:  # loop closed under us
                        return
                continue
            self._request.clear()
            if self._stop:
                return
            woke = self._bell.park(lambda: self._stop or self._ready(), self._park_timeout_of())
            if self._stop:
                return
            try:
                self._loop.call_soon_threadsafe(self._unparked, woke)
            except RuntimeError:  # loop closed under us
                return

    def _unparked(self, woke: bool) -> None:
        if not woke:
            self._on_timeout()
        self._spin_until = 0 if woke else 1  # after a timeout: one look, then park (no spin)
        self._poll()

    def close(self) -> None:
        """Stop polling and join the helper thread (wakes it if parked)."""
        self._stop = True
        self._request.set()
        if self._bell.is_parked():
            self._bell.sem.release()  # our own doorbell: unblock the helper now
        self._thread.join(timeout=2)
