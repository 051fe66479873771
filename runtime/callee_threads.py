"""Sync handlers on N threads, leader/follower: the leader alone pops and parks (so each
side has one parker); once it holds a request it hands leadership to a follower and runs
the handler. Recycling a departed caller happens in the leader after in-flight work ends."""

from __future__ import annotations

import threading
import time

from rust2go.runtime.callee_core import CalleeCore

BATCH = 64  # requests a solo worker pops per ring visit


class ThreadServer:
    def __init__(
        self, core: CalleeCore, handler, workers: int, *, spin_ns: int, park_timeout: float
    ):
        self.core = core
        self.handler = handler
        self.spin_ns = spin_ns
        self.park_timeout = park_timeout
        self._stop = False
        self._cond = threading.Condition()
        self._leader = False
        self._busy = 0
        self._threads = [
            threading.Thread(target=self._worker, name=f"r2g-callee-{i}", daemon=True)
            for i in range(workers)
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop = True
        with self._cond:
            self._cond.notify_all()
        bell = self.core.seg.callee_bell
        if bell.is_parked():
            bell.sem.release()  # our own doorbell: wake the leader
        for t in self._threads:
            t.join(timeout=5)

    def _worker(self) -> None:
        if len(self._threads) == 1:
            return self._solo()
        cond = self._cond
        while not self._stop:
            with cond:
                while self._leader and not self._stop:
                    cond.wait()
                if self._stop:
                    return
                self._leader = True
            jobs = self._lead(1)
            with cond:
                self._leader = False
                if jobs is not None:
                    self._busy += 1
                cond.notify_all()
            if jobs is None:
                continue
            self.core.serve(self.handler, jobs)
            with cond:
                self._busy -= 1
                cond.notify_all()

    def _solo(self) -> None:
        """One worker: it keeps the leadership and runs handlers inline, a batch of
        requests per ring visit (no hand-offs)."""
        core, handler = self.core, self.handler
        stopping = lambda: self._stop  # noqa: E731
        while (jobs := self._lead(BATCH)) is not None:
            core.serve(handler, jobs, stopping)

    def _lead(self, max_jobs: int):
        """Pop up to `max_jobs` requests, spinning then parking while there are none;
        None once stopped."""
        core = self.core
        spin_until = 0
        while not self._stop:
            jobs = core.take(max_jobs)
            if jobs is not None:
                if jobs:
                    return jobs
                spin_until = 0  # only abandoned or malformed cells: answered already
                continue
            now = time.perf_counter_ns()
            if not spin_until:
                spin_until = now + self.spin_ns
                self._control(probe=False)
            if now < spin_until:
                continue
            woke = core.seg.callee_bell.park(lambda: self._stop or core.ready(), self.park_timeout)
            spin_until = 0
            self._control(probe=not woke)
        return None

    def _control(self, probe: bool) -> None:
        pid = self.core.caller_departed(probe)
        if pid is None:
            return
        with self._cond:  # we hold leadership: nothing new starts; wait for what runs
            while self._busy:
                self._cond.wait()
        self.core.recycle(pid)
