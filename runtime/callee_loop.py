"""Async handlers on the event loop: LoopPoller pops requests, each runs as a task, at
most `workers` at once. Recycling cancels the departed caller's tasks first."""

from __future__ import annotations

import asyncio

from rust2go.runtime.callee_core import CalleeCore, Job, UnknownMethod
from rust2go.runtime.poller import LoopPoller
from rust2go.shm import layout as L


class LoopServer:
    def __init__(
        self, core: CalleeCore, handler, workers: int, *, spin_ns: int, park_timeout: float
    ):
        self.core = core
        self.handler = handler
        self._loop = asyncio.get_running_loop()
        self._limit = asyncio.Semaphore(workers)
        self._tasks: set[asyncio.Task] = set()
        self._recycling = False
        self._closing = False
        self._poller = LoopPoller(
            self._loop, core.seg.callee_bell,
            drain=self._drain, ready=core.ready, wanted=lambda: True,
            on_timeout=lambda: self._control(probe=True),
            spin_ns=spin_ns, park_timeout=park_timeout, name="r2g-callee-parker",
            park_timeout_of=lambda: core.park_timeout(park_timeout),
        )  # fmt: skip

    def start(self) -> None:
        self._poller.kick()

    async def stop(self, grace: float = 1.0) -> None:
        """Stop popping; give running handlers `grace` seconds, then cancel them (their
        callers get CALLEE_CLOSING)."""
        self._poller.close()
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=grace)
            self._closing = True
            for t in late:
                t.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def _drain(self) -> int:
        if self._recycling:
            return 0
        jobs = self.core.take(64)
        if jobs is None:
            self._control(probe=False)
            return 0
        for job in jobs:
            task = self._loop.create_task(self._run(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs) or 1

    async def _run(self, job: Job) -> None:
        async with self._limit:
            try:
                reply = await self.handler(job[3], job[5])
                status, reply = L.CallStatus.OK, bytes(reply)
            except asyncio.CancelledError:
                if self._closing:  # shutdown: still answer; recycle: the rings are reset
                    self.core.finish(job, L.CallStatus.CALLEE_CLOSING, b"callee is shutting down")
                raise
            except UnknownMethod as e:
                status, reply = L.CallStatus.UNKNOWN_METHOD, str(e).encode()
            except Exception as e:
                status, reply = L.CallStatus.HANDLER_ERROR, f"{type(e).__name__}: {e}".encode()
        self.core.finish(job, status, reply)

    def _control(self, probe: bool) -> None:
        if self._recycling:
            return
        pid = self.core.caller_departed(probe)
        if pid is not None:
            self._recycling = True
            self._loop.create_task(self._recycle(pid))

    async def _recycle(self, pid: int) -> None:
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()  # drop the departed caller's work
        await asyncio.gather(*tasks, return_exceptions=True)
        self.core.recycle(pid)
        self._recycling = False
        self._closing = False
        self._poller.kick()
