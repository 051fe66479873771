"""asyncio caller: many calls in flight from one event loop over one segment.

    async with await ShmCaller.connect(name) as c:
        reply = await c.call(method_id, payload, timeout=1.0)

Everything that touches the caller's side of the segment runs on the loop thread (the
helper thread of LoopPoller only parks), so the free list and the pending table need no
lock. A call owns its slot from allocation until its completion is popped; cancelling
or timing out only marks the slot ABANDONED (see shm/slots.py)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from rust2go.runtime.poller import LoopPoller
from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.contract import Contract
from rust2go.shm.errors import (
    PayloadTooLarge,
    PeerGone,
    ProtocolError,
    RemoteError,
    ShmError,
    ShmLayoutError,
)
from rust2go.shm.segment import Segment

_PENDING, _CALL, _OK = L.SlotState.PENDING, L.CellKind.CALL, L.CallStatus.OK


@dataclass
class CallerStats:
    calls: int = 0
    abandoned: int = 0
    stale_completions: int = 0  # completions whose (slot, generation) matched no call
    protocol_errors: int = 0  # protocol violations seen (each one ends the session)
    slot_waits: int = 0  # backpressure: every slot was in flight
    ring_full_waits: int = 0  # backpressure: the request ring was full


class ShmCaller:
    def __init__(self, seg: Segment, lock, loop: asyncio.AbstractEventLoop, park_timeout: float):
        self.seg = seg
        self._lock = lock
        self._loop = loop
        g = seg.geometry
        self._wire = seg.wire
        self._callee_bell = seg.callee_bell
        self._req_cap = g.request_capacity
        self._free: deque[int] = deque(range(g.slot_count))
        self._gens = [seg.slots.load(i)[1] for i in range(g.slot_count)]
        self._pending: dict[int, tuple[int, asyncio.Future]] = {}
        self._slot_waiters: deque[asyncio.Future] = deque()
        self._space_waiters: deque[asyncio.Future] = deque()
        self._dead: PeerGone | None = None
        self._closed = False
        self._settled = asyncio.Event()
        self._settled.set()
        self.stats = CallerStats()
        self._poller = LoopPoller(
            loop,
            seg.caller_bell,
            drain=self._drain,
            ready=self._ready,
            wanted=lambda: bool(self._pending or self._space_waiters),
            on_timeout=self._check_peer,
            idle_check=lambda: not self._dead and session.session_problem(seg) is not None,
            park_timeout=park_timeout,
            name=f"r2g-caller-parker-{seg.names.stem}",
        )

    # -- connect / close ---------------------------------------------------------------
    @classmethod
    async def connect(
        cls, name: str, *, timeout: float = 5.0, park_timeout: float = 0.01,
        contract: Contract | None = None,
    ) -> ShmCaller:  # fmt: skip
        """Open and validate the segment, then attach as its (only) caller process.
        `contract` (a generated module's `<Trait>_CONTRACT`): refuse, before attaching, a
        callee that serves another IDL (ContractMismatch); None checks nothing."""
        seg = Segment.open(name)
        lock = None
        try:
            seg.check_contract(contract)
            lock = session.take_caller_lock(seg)
            deadline = time.monotonic() + timeout
            while not session.try_attach(seg):
                if time.monotonic() > deadline:
                    raise ShmError(f"timed out waiting for {seg.name} to recycle its last caller")
                await asyncio.sleep(0.002)  # the callee recycles within its park timeout
        except BaseException:
            if lock is not None:
                session.release_claim(seg)
                lock.release()
            seg.close()
            raise
        return cls(seg, lock, asyncio.get_running_loop(), park_timeout)

    async def __aenter__(self) -> ShmCaller:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self, settle_timeout: float = 1.0) -> None:
        """Abandon what is still pending, wait (bounded) for those slots to come back,
        then detach so the callee recycles the segment."""
        if self._closed:
            return
        self._closed = True
        for _, fut in list(self._pending.values()):
            fut.cancel()
        for slot, (gen, _) in list(self._pending.items()):
            self.seg.slots.transition(slot, gen, _PENDING, L.SlotState.ABANDONED)
        try:
            await self.settle(settle_timeout)
        except TimeoutError:
            pass  # the callee recycles the slots when we detach
        self._poller.close()
        if not self._dead:
            session.detach(self.seg)
        self._fail_waiters(PeerGone("caller closed"))
        self._lock.release()
        self.seg.close()

    # -- calls -------------------------------------------------------------------------
    async def call(self, method: int, payload: bytes, *, timeout: float | None = None) -> bytes:
        """Send `payload` to `method` and return the reply bytes."""
        if timeout is not None:
            async with asyncio.timeout(timeout):
                return await self._call(method, payload, _CALL)
        slot, gen, fut = self._submit_now(method, payload, _CALL) or await self._submit(
            method, payload, _CALL
        )
        try:
            return await fut
        except asyncio.CancelledError:
            self._abandon(slot, gen)
            raise

    async def oneway(self, method: int, payload: bytes, *, timeout: float | None = None) -> None:
        """Send and wait until the callee has run the handler (its reply is discarded)."""
        async with asyncio.timeout(timeout):
            await self._call(method, payload, L.CellKind.ONEWAY)

    async def call_many(self, method: int, payloads: list[bytes]) -> list[bytes | BaseException]:
        """Pipeline a batch without a task per call: replies (or the exception of each
        failed call) in order. Waits for slots and ring space like call()."""
        futs = []
        submit_now = self._submit_now
        try:
            for p in payloads:
                futs.append(submit_now(method, p, _CALL) or await self._submit(method, p, _CALL))
        except BaseException:
            for slot_gen_fut in futs:
                self._abandon(*slot_gen_fut[:2])
            raise
        out: list[bytes | BaseException] = []
        for i, (_, _, fut) in enumerate(futs):
            try:
                out.append(await fut)
            except asyncio.CancelledError:
                for s, g, _ in futs[i:]:
                    self._abandon(s, g)
                raise
            except Exception as e:
                out.append(e)
        return out

    async def _call(self, method: int, payload, kind: int):
        slot, gen, fut = self._submit_now(method, payload, kind) or await self._submit(
            method, payload, kind
        )
        try:
            return await fut
        except asyncio.CancelledError:
            self._abandon(slot, gen)
            raise

    def _submit_now(
        self, method: int, payload, kind: int
    ) -> tuple[int, int, asyncio.Future] | None:
        """Fast path: a free slot and ring space right now. None: take _submit (it waits,
        or raises for a dead or closed caller)."""
        if self._dead or self._closed or not self._free or self._space_waiters:
            return None
        if len(payload) > self._req_cap:
            return None  # _submit raises PayloadTooLarge
        slot = self._free.popleft()
        gen = (self._gens[slot] + 1) & 0xFFFF_FFFF
        self._gens[slot] = gen
        pushed = self._wire.submit(slot, gen, method, kind, payload)
        if not pushed:  # ring full: unpublish, hand the slot back, wait in _submit
            self._wire.free(slot, gen)
            self._free.appendleft(slot)
            return None
        return self._pushed(slot, gen, pushed)

    async def _submit(self, method: int, payload, kind: int) -> tuple[int, int, asyncio.Future]:
        """Publish one request, waiting for a slot and ring space (backpressure)."""
        n = len(payload)
        if n > self._req_cap:
            raise PayloadTooLarge(
                f"request of {n} bytes exceeds the slot request capacity of {self._req_cap}"
            )
        if self._dead or self._closed:
            self._raise_if_unusable()
        slot = self._free.popleft() if self._free else await self._wait_slot()
        gen = (self._gens[slot] + 1) & 0xFFFF_FFFF
        self._gens[slot] = gen
        try:
            while not (pushed := self._wire.submit(slot, gen, method, kind, payload)):
                await self._wait_space()
        except BaseException:
            # Never pushed: nobody else knows about this generation; give the slot back.
            self._wire.free(slot, gen)
            self._release_slot(slot)
            raise
        return self._pushed(slot, gen, pushed)

    def _pushed(self, slot: int, gen: int, pushed: int) -> tuple[int, int, asyncio.Future]:
        fut = self._loop.create_future()
        self._pending[slot] = (gen, fut)
        self._settled.clear()
        self.stats.calls += 1
        if pushed == 2:  # Wire.submit cleared the callee's parked flag: post it
            self._callee_bell.post()
        self._poller.kick()
        return slot, gen, fut

    def _abandon(self, slot: int, gen: int) -> None:
        if self.seg.slots.transition(slot, gen, _PENDING, L.SlotState.ABANDONED):
            self.stats.abandoned += 1

    def _raise_if_unusable(self) -> None:
        if self._dead:
            raise type(self._dead)(str(self._dead))
        if self._closed:
            raise PeerGone("caller is closed")

    async def _wait_slot(self) -> int:
        """Backpressure: every slot is in flight; wait for one to come back."""
        self.stats.slot_waits += 1
        fut = self._loop.create_future()
        self._slot_waiters.append(fut)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release_slot(fut.result())  # handed a slot just as we were cancelled
            raise

    async def _wait_space(self) -> None:
        """Backpressure: the request ring is full; retry after the poller drains."""
        self._raise_if_unusable()
        self.stats.ring_full_waits += 1
        fut = self._loop.create_future()
        self._space_waiters.append(fut)
        self._poller.kick()
        await fut

    def _release_slot(self, slot: int) -> None:
        while self._slot_waiters:
            w = self._slot_waiters.popleft()
            if not w.done():
                w.set_result(slot)
                return
        self._free.append(slot)

    # -- completions (loop thread, via LoopPoller) --------------------------------------
    def _ready(self) -> bool:
        return not self.seg.completion_ring.is_empty() or self._peer_state_changed()

    def _peer_state_changed(self) -> bool:
        return (
            self.seg.load("segment_state") != L.SegmentState.SERVING
            or self.seg.load("caller_state") != L.CallerState.ATTACHED
        )

    def _drain(self) -> int:
        try:
            done = self._wire.take_completions(256)
        except ShmLayoutError as e:
            self._violation(str(e))
            return 0
        if not done:
            if self._pending and self._peer_state_changed():
                self._check_peer()
            return 0
        pending, free, stats = self._pending, self._wire.free, self.stats
        for slot, gen, status, data in done:
            if status < 0:  # the cell breaks the protocol; data names the field
                self._violation(data)
                return len(done)
            entry = pending.get(slot)
            if entry is None or entry[0] != gen:
                stats.stale_completions += 1
                continue
            fut = entry[1]
            if not fut.done():
                if data is None:  # callee skipped it although we did not abandon: report it
                    fut.set_exception(RemoteError(status, _status_message(status, b"")))
                elif status == _OK:
                    fut.set_result(data)
                else:
                    fut.set_exception(RemoteError(status, _status_message(status, data)))
            del pending[slot]
            free(slot, gen)
            if self._slot_waiters:
                self._release_slot(slot)
            else:
                self._free.append(slot)
        if not pending:
            self._settled.set()
        if self._space_waiters:
            self._wake_space_waiters()
        return len(done)

    def _violation(self, why: str) -> None:
        """The callee broke the protocol: nothing it wrote can be trusted any more, so the
        session ends here. Every pending call fails now with the field and its value
        (replies already delivered stand), and we detach so the callee can recycle."""
        self.stats.protocol_errors += 1
        session.detach(self.seg)
        self._declare_dead(ProtocolError(f"protocol violation by the callee of {self.seg.name}: {why}"))

    def _wake_space_waiters(self) -> None:
        while self._space_waiters:
            w = self._space_waiters.popleft()
            if not w.done():
                w.set_result(None)

    # -- liveness ----------------------------------------------------------------------
    def _check_peer(self) -> None:
        problem = session.session_problem(self.seg)
        if not problem:
            return
        if self.seg.load("caller_state") == L.CallerState.BROKEN:
            self.stats.protocol_errors += 1
            session.detach(self.seg)  # BROKEN -> DETACHED: the callee recycles now
            self._declare_dead(ProtocolError(problem))
        else:
            self._declare_dead(PeerGone(problem))

    def _declare_dead(self, err: PeerGone) -> None:
        if self._dead:
            return
        self._dead = err
        for _, fut in self._pending.values():
            if not fut.done():
                fut.set_exception(type(err)(str(err)))
        self._pending.clear()  # the segment is finished; slots are never reused
        self._settled.set()
        self._fail_waiters(err)

    def _fail_waiters(self, err: Exception) -> None:
        kind = type(err) if isinstance(err, PeerGone) else PeerGone
        for w in (*self._slot_waiters, *self._space_waiters):
            if not w.done():
                w.set_exception(kind(str(err)))
        self._slot_waiters.clear()
        self._space_waiters.clear()

    # -- introspection -----------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return len(self._pending)

    @property
    def dead(self) -> bool:
        return self._dead is not None

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every call (including abandoned ones) has its slot back."""
        if self._pending:
            self._poller.kick()
        try:
            async with asyncio.timeout(timeout):
                await self._settled.wait()
        except TimeoutError:
            raise TimeoutError(f"{len(self._pending)} calls still in flight") from None


def _status_message(status: int, data: bytes) -> str:
    name = L.CallStatus(status).name if status in L.CallStatus._value2member_map_ else str(status)
    text = data.decode("utf-8", "replace")
    return f"callee answered {name}" + (f": {text}" if text else "")
