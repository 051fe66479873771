"""Exactly-once across two processes: every request carries its sequence number and
the reply carries a crc32 of the request, so lost, duplicated and mismatched replies
are all counted. The issue asks for 1,000,000 calls; R2G_EXACTLY_ONCE_CALLS overrides."""

from __future__ import annotations

import asyncio
import json
import os
import random
import zlib

from rust2go.runtime import ShmCaller
from rust2go.shm import layout as L

CALLS = int(os.environ.get("R2G_EXACTLY_ONCE_CALLS", "1000000"))
TASKS = 8
BATCH = 32


def request(seq: int, rng: random.Random) -> bytes:
    return seq.to_bytes(8, "little") + rng.randbytes(rng.choice((8, 24, 56)))


async def test_million_calls_exactly_once(peers):
    callee = peers("callee", "pt_once", "checksum", "2", "256")
    name = callee.readline()
    seen = bytearray(CALLS)
    mismatched = 0

    async with await ShmCaller.connect(name) as c:

        async def task(t: int) -> None:
            nonlocal mismatched
            rng = random.Random(t)
            for start in range(t * BATCH, CALLS, TASKS * BATCH):
                reqs = [request(s, rng) for s in range(start, min(start + BATCH, CALLS))]
                for req, rep in zip(reqs, await c.call_many(0, reqs), strict=True):
                    seq = int.from_bytes(req[:8], "little")
                    if rep != req[:8] + zlib.crc32(req).to_bytes(4, "little"):
                        mismatched += 1
                    seen[seq] += 1

        await asyncio.gather(*(task(t) for t in range(TASKS)))
        await c.settle()
        assert c.seg.slots.states() == {L.SlotState.FREE: 256}
        assert c.stats.stale_completions == 0 and c.stats.protocol_errors == 0

    callee.send("stats")
    stats = json.loads(callee.readline())
    callee.send("quit")
    assert callee.finish() == 0
    lost = seen.count(0)
    duplicated = sum(1 for n in seen if n > 1)
    assert (lost, duplicated, mismatched) == (0, 0, 0)
    assert stats["handled"] == CALLS  # the callee ran each request once
    assert stats["slot_states"] == {"FREE": 256}
