"""Cancellation storm: a third of the calls cancelled at random moments (before, during
and after the callee runs them). No slot leaks; no reply reaches the wrong call."""

from __future__ import annotations

import asyncio
import json
import random
import zlib

import pytest

from rust2go.runtime import ShmCaller
from rust2go.shm import layout as L

CALLS = 3000


async def test_cancellation_storm(peers):
    callee = peers("callee", "pt_cancel", "async_jitter", "8", "64")
    rng = random.Random(5)
    async with await ShmCaller.connect(callee.readline()) as c:
        loop = asyncio.get_running_loop()

        async def one(seq: int) -> tuple[bytes, bytes]:
            req = seq.to_bytes(8, "little") + rng.randbytes(16)
            delay_us = rng.choice((0, 0, 100, 500, 2000))  # handler sleeps this long
            return req, await c.call(delay_us, req)

        # One call surely given up in flight (its handler sleeps 200 ms), so the accounting
        # below never holds for want of abandoned calls; the storm's own timing decides
        # how many more there are.
        slow = loop.create_task(c.call(200_000, b"slow"))
        for _ in range(1000):
            if c.in_flight:
                break
            await asyncio.sleep(0.001)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow

        tasks = [loop.create_task(one(i)) for i in range(CALLS)]
        doomed = rng.sample(range(CALLS), CALLS // 3)
        for i in doomed:
            loop.call_later(rng.uniform(0, 0.05), tasks[i].cancel)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await c.settle()

        cancelled = sum(isinstance(r, asyncio.CancelledError) for r in results)
        answered = [r for r in results if isinstance(r, tuple)]
        assert cancelled > CALLS // 10, "the storm must actually cancel calls in flight"
        assert cancelled + len(answered) == CALLS, [r for r in results if isinstance(r, Exception)][
            :3
        ]
        for req, rep in answered:  # each reply belongs to its own request
            assert rep == req[:8] + zlib.crc32(req).to_bytes(4, "little")
        assert c.in_flight == 0
        assert c.seg.slots.states() == {L.SlotState.FREE: 64}
        assert c.stats.stale_completions == 0 and c.stats.protocol_errors == 0
        abandoned, anyway = c.stats.abandoned, c.stats.answered_anyway
    callee.send("stats")
    stats = json.loads(callee.readline())
    callee.send("quit")
    assert callee.finish() == 0
    # every abandoned call was skipped by the callee, or its reply dropped, or answered
    # before the callee saw the mark (and dropped by the caller)
    assert abandoned > 0
    assert stats["skipped_abandoned"] + stats["replies_dropped"] + anyway == abandoned
    assert stats["handled"] + stats["skipped_abandoned"] == c.stats.calls
