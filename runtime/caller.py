"""asyncio caller: many calls in flight from one event loop over one segment.

    async with await ShmCaller.connect(name) as c:
        reply = await c.call(method_id, payload, timeout=1.0)

Everything that touches the caller's side of the segment runs on the loop thread (the
helper thread of LoopPoller only parks), so the free list and the pending table need no
lock. A call owns its slot from allocation until its completion is popped; cancelling
or timing out only marks the slot ABANDONED (see shm/slots.py).

A pending call is `_pending[slot] = (gen, target, index)`: index -1, target is the call's
own Future (call, oneway); index >= 0, target is a _Batch (call_many) and index the
call's place in it."""

from __future__ import annotations

import asyncio
import os
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

_ABANDONED, _CALL, _OK = L.SlotState.ABANDONED, L.CellKind.CALL, L.CallStatus.OK
_SKIPPED = L.CallStatus.ABANDONED
_GEN_MASK = 0xFFFF_FFFF
# Seconds between the liveness probes of an idle caller (no call in flight): each wakes a
# Python thread, whose cost at the park timeout's rate would be a steady share of a core.
# A call made before the probe found a dead callee fails at its first park timeout.
IDLE_PROBE = 0.05


class _Batch:
    """One call_many: a result per call and one waiter for all of them, instead of a
    Future per call.

    A call of the batch goes: unsent -> in flight (pushed; in _pending with its index)
    -> done (the drain puts the reply, or the call's exception, at results[index] and
    counts `left` down) or abandoned (the batch was cancelled or timed out: its slot is
    marked ABANDONED; the drain still frees the slot when the completion comes, and
    writes into results nobody reads any more). `left` reaching 0 wakes the waiter, once;
    a batch that never sent all its calls never reaches 0 and leaves by an exception."""

    __slots__ = ("results", "left", "waiter")

    def __init__(self, n: int, waiter: asyncio.Future) -> None:
        self.results: list = [None] * n
        self.left = n
        self.waiter = waiter

    def settle(self, i: int, outcome) -> None:
        self.results[i] = outcome
        self.left -= 1
        if not self.left and not self.waiter.done():
            self.waiter.set_result(None)


@dataclass
class CallerStats:
    calls: int = 0
    abandoned: int = 0  # calls given up on while in flight (their slots marked ABANDONED)
    answered_anyway: int = 0  # of those, answered before the callee saw the mark
    stale_completions: int = 0  # completions whose (slot, generation) matched no call
    protocol_errors: int = 0  # protocol violations seen (each one ends the session)
    slot_waits: int = 0  # backpressure: every slot was in flight
    ring_full_waits: int = 0  # backpressure: the request ring was full


class ShmCaller:
    def __init__(self, seg: Segment, lock, loop: asyncio.AbstractEventLoop, park_timeout: float):
        self.seg = seg
        self._lock = lock
        self._loop = loop
        self._pid = os.getpid()  # the caller_pid of this caller's session
        g = seg.geometry
        self._wire = seg.wire
        self._callee_bell = seg.callee_bell
        self._req_cap = g.request_capacity
        self._drain_max = max(256, g.slot_count)
        self._free: deque[int] = deque(range(g.slot_count))
        self._gens = [seg.slots.load(i)[1] for i in range(g.slot_count)]
        self._pending: dict[int, tuple[int, asyncio.Future | _Batch, int]] = {}
        self._marked: set[int] = set()  # slots whose pending call is marked ABANDONED
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
            idle_period=max(park_timeout, IDLE_PROBE),
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
                await asyncio.sleep(0.002)  # try_attach rang the callee: it recycles soon
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
        for _, target, i in list(self._pending.values()):
            (target if i < 0 else target.waiter).cancel()
        for slot, (gen, _, _) in list(self._pending.items()):
            self._abandon(slot, gen)
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

    async def call_many(
        self, method: int, payloads: list[bytes], *, timeout: float | None = None
    ) -> list[bytes | BaseException]:
        """Pipeline a batch: the replies in order, each failed call's exception in its
        place (RemoteError; PeerGone for every call not answered when the session ended,
        sent or not). Raises, with nothing sent, when a payload is too large or the caller
        is unusable; raises TimeoutError (after `timeout` seconds for the whole batch) or
        CancelledError after abandoning every call of the batch still pending. Waits for
        slots and ring space like call(), so a batch may be larger than the slot count.
        One waiter for the whole batch and one C call per run of free slots."""
        payloads = payloads if type(payloads) is list else list(payloads)
        cap = self._req_cap
        for i, p in enumerate(payloads):
            if len(p) > cap:
                raise PayloadTooLarge(
                    f"payloads[{i}] of {len(p)} bytes exceeds the slot request capacity of {cap}"
                )
        self._raise_if_unusable()
        batch = _Batch(len(payloads), self._loop.create_future())
        if timeout is None:
            await self._run_batch(method, payloads, batch)
        else:
            async with asyncio.timeout(timeout):
                await self._run_batch(method, payloads, batch)
        return batch.results

    async def _run_batch(self, method: int, payloads: list, batch: _Batch) -> None:
        n, sent = len(payloads), 0
        try:
            while sent < n:
                if self._dead or self._closed:
                    self._raise_if_unusable()
                if not self._free:
                    self._free.appendleft(await self._wait_slot())
                sent += self._push_batch(method, payloads, batch, sent)
                if sent < n and self._free:  # slots left over: the ring was full
                    await self._wait_space()
            if batch.left:
                await batch.waiter
        except PeerGone as e:
            if not self._dead:
                self._abandon_batch(batch)  # closed under us
                raise
            for i in range(sent, n):  # _declare_dead placed it for those in flight
                batch.results[i] = type(e)(str(e))
        except BaseException:
            self._abandon_batch(batch)
            raise

    def _push_batch(self, method: int, payloads: list, batch: _Batch, start: int) -> int:
        """Submit payloads[start:] into the free slots, as many as there are, in one C
        call; returns how many went in (fewer than that: the ring is full)."""
        free, gens, pending = self._free, self._gens, self._pending
        slots = [free.popleft() for _ in range(min(len(payloads) - start, len(free)))]
        gl = []
        for i, slot in enumerate(slots, start):
            gen = (gens[slot] + 1) & _GEN_MASK
            gens[slot] = gen
            gl.append(gen)
            pending[slot] = (gen, batch, i)
        try:
            pushed, post = self._wire.submit_many(method, _CALL, slots, gl, payloads, start)
        except ShmLayoutError as e:  # the request ring is corrupt: this session is over
            self._violation(str(e))
            raise type(self._dead)(str(self._dead)) from e
        except BaseException:  # refused before anything was pushed
            for slot in slots:
                del pending[slot]
                self._release_slot(slot)
            raise
        for j in range(len(slots) - 1, pushed - 1, -1):  # never pushed; back to the front
            slot = slots[j]
            del pending[slot]
            free.appendleft(slot)
        if pushed:
            self._settled.clear()
            self.stats.calls += pushed
            if post:
                self._callee_bell.post()
            self._poller.kick()
        return pushed

    def _abandon_batch(self, batch: _Batch) -> None:
        for slot, (gen, target, _) in list(self._pending.items()):
            if target is batch:
                self._abandon(slot, gen)

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
        if not pushed:  # ring full: hand the slot back, wait in _submit
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
            self._release_slot(slot)
            raise
        return self._pushed(slot, gen, pushed)

    def _pushed(self, slot: int, gen: int, pushed: int) -> tuple[int, int, asyncio.Future]:
        fut = self._loop.create_future()
        self._pending[slot] = (gen, fut, -1)
        self._settled.clear()
        self.stats.calls += 1
        if pushed == 2:  # Wire.submit cleared the callee's parked flag: post it
            self._callee_bell.post()
        self._poller.kick()
        return slot, gen, fut

    def _abandon(self, slot: int, gen: int) -> None:
        entry = self._pending.get(slot)
        if entry is None or entry[0] != gen:
            return  # its completion came already (the slot may be another call's now)
        self.seg.slots.mark(slot, gen, _ABANDONED)
        self._marked.add(slot)
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
            or self.seg.load("caller_pid") != self._pid
        )

    def _drain(self) -> int:
        try:
            done = self._wire.take_completions(self._drain_max)
        except ShmLayoutError as e:
            self._violation(str(e))
            return 0
        except Exception as e:  # noqa: BLE001 - any failure here loses the cells taken
            self._lost(f"taking completions failed ({type(e).__name__}: {e})")
            return 0
        if not done:
            if self._pending and self._peer_state_changed():
                self._check_peer()
            return 0
        pending, marked, stats = self._pending, self._marked, self.stats
        for slot, gen, status, data in done:
            if status < 0:  # the cell breaks the protocol; data names the field
                self._violation(data)
                return len(done)
            entry = pending.get(slot)
            if entry is None or entry[0] != gen:
                stats.stale_completions += 1
                continue
            _, target, i = entry
            if i >= 0:  # a call of a batch
                if status != _OK:
                    data = _remote_error(status, data)
                target.results[i] = data
                target.left -= 1
                if not target.left and not target.waiter.done():
                    target.waiter.set_result(None)
            elif not target.done():
                if status == _OK:
                    target.set_result(data)
                else:
                    target.set_exception(_remote_error(status, data))
            del pending[slot]
            if slot in marked:  # abandoned: clear the mark before the slot is reused
                marked.discard(slot)
                self._wire.free(slot, gen)
                if status != _SKIPPED:  # answered before the callee saw the mark
                    stats.answered_anyway += 1
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
        self._declare_dead(
            ProtocolError(f"protocol violation by the callee of {self.seg.name}: {why}")
        )

    def _lost(self, why: str) -> None:
        """Completions were taken off the ring and lost with a local error (out of memory):
        the calls they answered can never complete and which ones is unknown, so the
        session ends as for a violation, but as this side's failure, not the callee's."""
        session.detach(self.seg)
        self._declare_dead(PeerGone(f"connection to {self.seg.name} ended: {why}; reconnect"))

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
        for _, target, i in self._pending.values():
            if i >= 0:
                target.settle(i, type(err)(str(err)))
            elif not target.done():
                target.set_exception(type(err)(str(err)))
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


def _remote_error(status: int, data: bytes) -> RemoteError:
    """The failure of a call answered `status` with `data` (the handler's error text, or
    nothing)."""
    return RemoteError(status, _status_message(status, data))


def _status_message(status: int, data: bytes) -> str:
    name = L.CallStatus(status).name if status in L.CallStatus._value2member_map_ else str(status)
    text = data.decode("utf-8", "replace")
    return f"callee answered {name}" + (f": {text}" if text else "")
