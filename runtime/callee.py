"""asyncio callee: creates a segment and serves it with a handler.

    async with ShmCallee.create("echo") as callee:      # segment /r2g-<pid>-echo-<hex>
        await callee.serve(handler, workers=4)         # until callee.close()

handler(method: int, payload: bytes) -> bytes, sync (run on `workers` threads) or async
(run as tasks, at most `workers` at once). Raise UnknownMethod for unserved ids; any
other exception becomes a HANDLER_ERROR reply. One caller process attaches at a time;
when it leaves or dies its work is dropped and the segment recycled for the next."""

from __future__ import annotations

import asyncio
import inspect

from rust2go.runtime.callee_core import CalleeCore, CalleeStats
from rust2go.runtime.callee_loop import LoopServer
from rust2go.runtime.callee_threads import ThreadServer
from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.contract import Contract
from rust2go.shm.geometry import plan
from rust2go.shm.segment import Segment


class ShmCallee:
    def __init__(self, seg: Segment, *, spin_ns: int, park_timeout: float) -> None:
        self.seg = seg
        self.core = CalleeCore(seg)
        self._spin_ns = spin_ns
        self._park_timeout = park_timeout
        self._server: ThreadServer | LoopServer | None = None
        self._stopped: asyncio.Event | None = None
        self._closed = False

    @classmethod
    def create(
        cls,
        purpose: str = "calls",
        *,
        name: str | None = None,
        slots: int = L.DEFAULT_SLOTS,
        request_ring: int | None = None,
        request_capacity: int = L.DEFAULT_REQUEST_CAPACITY,
        response_capacity: int = L.DEFAULT_RESPONSE_CAPACITY,
        spin_ns: int = 50_000,
        park_timeout: float = 0.02,
        contract: Contract | None = None,
    ) -> ShmCallee:
        """Create the segment (mode 0600, named after this pid and `purpose`). `contract`
        (a generated module's `<Trait>_CONTRACT`) goes into the header: callers generated
        from another IDL are refused on attach; without it, callers with one refuse too."""
        g = plan(slots, request_ring, None, request_capacity, response_capacity)
        seg = Segment.create(purpose, name=name, geometry=g, contract=contract)
        return cls(seg, spin_ns=spin_ns, park_timeout=park_timeout)

    @property
    def name(self) -> str:
        return self.seg.name

    @property
    def stats(self) -> CalleeStats:
        return self.core.stats

    async def __aenter__(self) -> ShmCallee:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def serve(self, handler, *, workers: int = 1) -> None:
        """Serve until close(); returns after in-flight handlers finished."""
        if self._server is not None or self._closed:
            raise RuntimeError("serve() already running or callee closed")
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self._stopped = asyncio.Event()
        opts = {"spin_ns": self._spin_ns, "park_timeout": self._park_timeout}
        if inspect.iscoroutinefunction(handler):
            self._server = LoopServer(self.core, handler, workers, **opts)
        else:
            self._server = ThreadServer(self.core, handler, workers, **opts)
        self._server.start()
        await self._stopped.wait()

    async def close(self) -> None:
        """Quit handshake: DRAINING, finish running handlers, answer the rest with
        CALLEE_CLOSING, CLOSED (the caller's re-check sees it), then unlink everything."""
        if self._closed:
            return
        self._closed = True
        seg = self.seg
        self.core.closing = True
        seg.store("segment_state", L.SegmentState.DRAINING)
        seg.caller_bell.ring()
        server, self._server = self._server, None
        if isinstance(server, ThreadServer):
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
        elif server is not None:
            await server.stop()
        self._refuse_queued()
        seg.store("segment_state", L.SegmentState.CLOSED)
        seg.caller_bell.ring()
        if session.caller_gone(seg):
            pid = seg.load("caller_pid")
            session.finish_recycle(seg, pid)  # removes the dead caller's lock file
        seg.unlink()
        seg.close()
        if self._stopped is not None:
            self._stopped.set()

    def _refuse_queued(self) -> None:
        while (jobs := self.core.take(64)) is not None:
            for job in jobs:
                self.core.finish(job, L.CallStatus.CALLEE_CLOSING, b"callee is shutting down")
