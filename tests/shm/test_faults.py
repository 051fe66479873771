"""Faults with real processes and real SIGKILL: dead callee, dead caller, full ring."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
import waiting

from rust2go.cli import main as cli
from rust2go.runtime import PeerGone, ShmCallee, ShmCaller
from rust2go.shm import layout as L


async def test_callee_sigkill_fails_pending_calls_fast_then_reconnect(peers):
    first = peers("callee", "pt_kill", "async_block", "16", "32")
    c = await ShmCaller.connect(first.readline())
    calls = [asyncio.create_task(c.call(0, bytes([i]))) for i in range(20)]
    await waiting.until(
        lambda: c.seg.request_ring.is_empty() and c.in_flight == 20, what="calls in flight"
    )
    first.proc.kill()
    first.proc.wait()
    t0 = time.monotonic()
    results = await asyncio.gather(*calls, return_exceptions=True)
    elapsed = time.monotonic() - t0
    assert all(isinstance(r, PeerGone) for r in results), results
    assert "is gone" in str(results[0])
    assert elapsed < 0.1, f"PeerGone took {elapsed * 1000:.1f} ms"
    with pytest.raises(PeerGone):
        await c.call(0, b"later")
    await c.close()

    second = peers("callee", "pt_kill2", "echo")
    async with await ShmCaller.connect(second.readline()) as c2:
        assert await c2.call(0, b"again") == b"again"
    second.send("quit")
    assert second.finish() == 0
    assert cli(["shm", "clean"]) == 0  # removes the SIGKILLed callee's leftovers


async def test_caller_sigkill_is_noticed_and_slots_recycled(peers):
    started = 0
    cancelled = 0

    async def handler(method: int, payload: bytes) -> bytes:
        nonlocal started, cancelled
        started += 1
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled += 1
            raise
        return payload

    async with ShmCallee.create("pt_callerdies", slots=16) as callee:
        serving = asyncio.create_task(callee.serve(handler, workers=16))
        caller = peers("caller", callee.name, "10", "64")
        pid = int(caller.readline())
        await waiting.until(lambda: started == 10, what="10 handlers running")
        assert callee.seg.load("caller_pid") == pid
        caller.proc.kill()
        caller.proc.wait()
        await waiting.until(lambda: callee.stats.recycles == 1, timeout=2, what="recycle")
        assert cancelled == 10
        assert callee.seg.slots.states() == {L.SlotState.FREE: 16}
        assert callee.seg.load("caller_state") == L.CallerState.VACANT
        assert not os.path.exists(callee.seg.names.caller_lock(pid))
        async with await ShmCaller.connect(callee.name) as c:
            t = asyncio.create_task(c.call(0, b"x"))
            await waiting.until(lambda: started == 11, what="new caller served")
            t.cancel()
    await serving


async def test_full_ring_applies_backpressure_without_loss(peers):
    callee = peers("callee", "pt_full", "sleep1ms", "1", "64", "2")
    async with await ShmCaller.connect(callee.readline()) as c:
        out = await asyncio.gather(*(c.call(0, i.to_bytes(4, "little")) for i in range(300)))
        assert out == [i.to_bytes(4, "little") for i in range(300)]
        assert c.stats.ring_full_waits > 0 and c.stats.slot_waits > 0
        assert c.seg.request_ring.capacity == 2
    callee.send("quit")
    assert callee.finish() == 0


async def test_idle_caller_notices_dead_callee_and_fails_new_calls_fast(peers):
    callee = peers("callee", "pt_idle", "echo")
    c = await ShmCaller.connect(callee.readline())
    assert await c.call(0, b"x") == b"x"  # then idle: nothing in flight, nothing parked
    callee.proc.kill()
    callee.proc.wait()
    t0 = time.monotonic()
    await waiting.until(lambda: c.dead, timeout=5, what="idle caller marks the callee dead")
    noticed = time.monotonic() - t0
    assert noticed < 0.1, f"idle caller noticed the dead callee after {noticed * 1000:.1f} ms"
    t0 = time.monotonic()
    with pytest.raises(PeerGone, match="is gone"):
        await c.call(0, b"late")
    assert time.monotonic() - t0 < 0.01
    await c.close()
    assert cli(["shm", "clean"]) == 0
