"""A side that loses cells it took off a ring to a local error (out of memory while
copying them out) ends the session instead of leaving those calls waiting for good: the
caller fails every pending call at once, and the callee is free for the next caller."""

from __future__ import annotations

import asyncio
import logging

import pytest
import waiting

from rust2go.runtime import PeerGone, ProtocolError, ShmCaller
from rust2go.shm import layout as L
from tests.shm.served import served


class LosesOnce:
    """Wraps a Wire: the first call of `method` that takes cells takes them, then raises
    MemoryError, as the C drain does when the copy of a taken cell cannot be allocated."""

    def __init__(self, wire, method: str) -> None:
        self._wire, self._method, self.lost = wire, method, None

    def __getattr__(self, name: str):
        real = getattr(self._wire, name)
        if name != self._method or self.lost is not None:
            return real

        def take(*args):
            taken = real(*args)
            if not taken:
                return taken
            self.lost = taken
            raise MemoryError("cannot allocate a payload copy")

        return take


async def hold(method: int, payload: bytes) -> bytes:
    await asyncio.sleep(0.05)
    return payload


async def test_a_caller_that_loses_completions_fails_every_pending_call_and_detaches():
    async with served(hold, "lf_caller", slots=8) as (callee, caller):
        wire = caller._wire = LosesOnce(caller._wire, "take_completions")
        calls = [asyncio.create_task(caller.call(0, bytes([i]))) for i in range(6)]
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)
        assert wire.lost, "no completion was taken"
        assert all(isinstance(r, PeerGone) for r in results), results
        assert "taking completions failed (MemoryError: cannot allocate" in str(results[0])
        assert caller.dead and caller.in_flight == 0
        with pytest.raises(PeerGone, match="taking completions failed"):
            await caller.call(0, b"later")
        # The session was given back: the callee recycles and serves the next caller.
        await waiting.until(lambda: callee.stats.recycles >= 1, timeout=5, what="recycle")
        await caller.close()  # its caller lock is this process's
        async with await ShmCaller.connect(callee.name) as again:
            assert await again.call(0, b"again") == b"again"
        assert callee.seg.slots.states() == {L.SlotState.FREE: 8}


async def test_a_callee_that_loses_requests_ends_the_session_and_serves_the_next_caller(caplog):
    caplog.set_level(logging.ERROR)
    async with served(hold, "lf_callee", slots=8) as (callee, caller):
        wire = callee.core._wire = LosesOnce(callee.core._wire, "take_requests")
        calls = [asyncio.create_task(caller.call(0, bytes([i]))) for i in range(6)]
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)
        assert wire.lost, "no request was taken"
        lost = {bytes(job[5]) for job in wire.lost}
        for i, r in enumerate(results):  # answered before the loss, or failed: none waits
            if bytes([i]) in lost:
                assert isinstance(r, ProtocolError), (i, r)
            else:
                assert r == bytes([i]) or isinstance(r, ProtocolError), (i, r)
        failed = [r for r in results if isinstance(r, ProtocolError)]
        assert f"the callee of {callee.name} ended this session" in str(failed[0])
        assert "taking requests failed (MemoryError: cannot allocate" in caplog.text
        assert callee.stats.protocol_errors == 0  # the callee's own failure, not the caller's
        await waiting.until(lambda: callee.stats.recycles >= 1, timeout=5, what="recycle")
        await caller.close()  # its caller lock is this process's
        async with await ShmCaller.connect(callee.name) as again:
            assert await again.call(0, b"again") == b"again"
