"""Sync handlers on N threads, leader/follower over a shared queue: the leader alone pops
and parks (so each side has one parker); it pops a batch, queues all but its first job,
hands leadership on and runs that job; every worker runs queued jobs before it leads.
So a burst costs one ring visit and one wake-up, not a hand-off per request, and a
handler that blocks holds up only its own job. Recycling a departed caller happens in
the leader after the queue is empty and in-flight work has ended.

Worker states (all fields under `_cond`):
    idle    -queue non-empty-> serving (pop one job, busy += 1)
    idle    -no leader-> leading (leader = True)
    idle    -stop and queue empty-> exit
    leading -batch-> serving its first job (queue += the rest, leader = False, notify)
    leading -stopped-> idle (leader = False, notify)
    serving -answered-> idle (busy -= 1; notify when busy reaches 0)
A job is answered by the worker that took it, exactly once; once `_stop` is set queued
jobs are answered CALLEE_CLOSING without running."""

from __future__ import annotations

import threading
import time
from collections import deque

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
        self._queue: deque = deque()  # popped by a leader, not yet taken by a worker
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
        cond, queue = self._cond, self._queue
        core, handler = self.core, self.handler
        stopping = lambda: self._stop  # noqa: E731
        while True:
            with cond:
                while not queue and self._leader and not self._stop:
                    cond.wait()
                if queue:
                    job = queue.popleft()
                    self._busy += 1
                elif self._stop:
                    return
                else:
                    self._leader = True
                    job = None
            if job is None:
                jobs = self._lead(BATCH)
                with cond:
                    self._leader = False
                    if jobs is not None:
                        job = jobs[0]
                        queue.extend(jobs[1:])
                        self._busy += 1
                    cond.notify_all()
                if job is None:
                    continue
            core.serve(handler, [job], stopping)
            with cond:
                self._busy -= 1
                if not self._busy:
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
        rested = False  # the last park timed out and nothing came since: no spin, park again
        while not self._stop:
            jobs = core.take(max_jobs)
            if jobs is not None:
                rested = False
                if jobs:
                    return jobs
                spin_until = 0  # only abandoned or malformed cells: answered already
                continue
            if not rested:
                now = time.perf_counter_ns()
                if not spin_until:
                    spin_until = now + self.spin_ns
                    self._control(probe=False)
                if now < spin_until:
                    continue
            woke = core.seg.callee_bell.park(lambda: self._stop or core.ready(),
                                             core.park_timeout(self.park_timeout))  # fmt: skip
            spin_until, rested = 0, not woke
            self._control(probe=not woke)
        return None

    def _control(self, probe: bool) -> None:
        pid = self.core.caller_departed(probe)
        if pid is None:
            return
        with self._cond:  # we hold leadership: nothing new is popped
            jobs = list(self._queue)
            self._queue.clear()
        if jobs:  # popped before the caller left: answer them before the rings reset
            self.core.serve(self.handler, jobs, lambda: self._stop)
        with self._cond:  # and wait for what runs
            while self._busy:
                self._cond.wait()
        self.core.recycle(pid)
