"""Fault injection over a live segment: while a Python caller and a Python callee (a
separate process) exchange checksummed calls, random bytes (seeded) of the segment's live
header fields, both rings and the slot table are XORed through a second mapping. Every
call must end in its own correct reply or a clear error, within its bound; no process
may die; after the storm a fresh session is served correctly.

Payload areas and the `length` of request cells are not flipped: the protocol carries no
checksum of arguments (a flipped argument is a different argument), so only the routing,
sequencing and state words are under test. Neither is the write-once part of the header (identity, geometry): it is
validated when a segment is opened (tests/shm/test_hostile.py).

`make test` runs TRIALS trials; R2G_FAULT_TRIALS=<n> runs more (R2G_FAULT_SEED moves the
base seed). A seed that found a defect stays in REGRESSION_SEEDS."""

from __future__ import annotations

import asyncio
import collections
import os
import random
import zlib

import pytest

from rust2go.runtime import PeerGone, RemoteError, ShmCaller, ShmError
from rust2go.shm import layout as L
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.segment import Segment

TRIALS = int(os.environ.get("R2G_FAULT_TRIALS", "40"))
BASE_SEED = int(os.environ.get("R2G_FAULT_SEED", "20261206"))
REGRESSION_SEEDS = [
    20261225,  # caller_state ATTACHED flipped to 12845057: no peer ever recycled it
    20261260,  # segment_state SERVING flipped: every later attach refused, forever
]
CALLS = 24  # in flight per trial
CALL_TIMEOUT = 0.5  # each call's own bound
HANG = 3.0  # a call (or a close) not over by then hangs: a failure
LIVE_HEADER = range(128, L.HEADER.size)  # callee and caller lines; lines 0-1 are write-once
CLEAR = (PeerGone, ShmLayoutError, RemoteError)  # each names what went wrong


def request(i: int) -> bytes:
    return i.to_bytes(8, "little") + bytes((i * 7 + k) & 0xFF for k in range(i % 40))


def expected(payload: bytes) -> bytes:  # tests/shm/peers.py checksum_reply
    return payload[:8] + zlib.crc32(payload).to_bytes(4, "little")


def regions(seg: Segment) -> list[range]:
    g = seg.geometry
    ring = L.RING.size
    return [
        LIVE_HEADER,
        range(g.request_ring_offset, g.request_ring_offset + ring + g.request_ring_capacity * L.CELL.size),
        range(g.completion_ring_offset,
              g.completion_ring_offset + ring + g.completion_ring_capacity * L.CELL.size),
        range(g.slot_table_offset, g.slot_table_offset + g.slot_count * L.SLOT.size),
    ]  # fmt: skip


def is_request_length(seg: Segment, off: int) -> bool:
    """A request cell's `length` within the capacity is part of the argument (a shorter
    or longer payload), as unverifiable as a payload byte."""
    g = seg.geometry
    cells = g.request_ring_offset + L.RING.size
    if not cells <= off < cells + g.request_ring_capacity * L.CELL.size:
        return False
    at = L.CELL.offset("length")
    return at <= (off - cells) % L.CELL.size < at + 4


async def one_call(c: ShmCaller, i: int) -> str:
    payload = request(i)
    try:
        reply = await asyncio.wait_for(c.call(0, payload, timeout=CALL_TIMEOUT), HANG)
    except TimeoutError:
        return "timeout"  # (HANG is caught by the outer bound below)
    except CLEAR as e:
        assert str(e), f"{type(e).__name__} without a message"
        return type(e).__name__
    assert reply == expected(payload), f"call {i}: wrong reply {reply!r} accepted"
    return "ok"


async def trial(name: str, flipper: Segment, seed: int, outcomes: collections.Counter) -> None:
    rng = random.Random(seed)
    try:
        c = await ShmCaller.connect(name, timeout=HANG)
    except ShmError as e:  # the previous trial's flips may keep the segment busy a while
        outcomes[f"connect {type(e).__name__}"] += 1
        return
    try:
        calls = [asyncio.create_task(one_call(c, seed * 1000 + i)) for i in range(CALLS)]
        await asyncio.sleep(rng.random() * 0.003)
        areas = regions(flipper)
        for _ in range(rng.randint(1, 3)):
            off = rng.choice(rng.choice(areas))
            while is_request_length(flipper, off):
                off = rng.choice(rng.choice(areas))
            flipper.mem[off] ^= rng.randint(1, 255)
        done, pending = await asyncio.wait(calls, timeout=HANG + 1)
        assert not pending, f"seed {seed}: {len(pending)} calls hang"
        for t in done:
            outcomes[t.result()] += 1
    finally:
        await asyncio.wait_for(c.close(), HANG)


async def fresh_session(name: str) -> ShmCaller:
    """Connect once the callee has recycled what the last flips left (a state word it
    repairs within its grace periods reads as a ShmLayoutError until then)."""
    deadline = asyncio.get_running_loop().time() + HANG
    while True:
        try:
            return await ShmCaller.connect(name, timeout=HANG)
        except ShmLayoutError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.01)


def run_storm(peers, seeds: list[int]) -> collections.Counter:
    callee = peers("callee", "pt_fault", "checksum", "2", "16")
    name = callee.readline()
    flipper = Segment.open(name)
    outcomes: collections.Counter = collections.Counter()

    async def storm() -> None:
        for seed in seeds:
            await trial(name, flipper, seed, outcomes)
            assert callee.proc.poll() is None, f"seed {seed}: the callee died"
        async with await fresh_session(name) as c:
            for i in range(200):
                assert await c.call(0, request(i), timeout=HANG) == expected(request(i))

    try:
        asyncio.run(storm())
    finally:
        flipper.close()
    callee.send("quit")
    assert callee.finish(timeout=20) == 0
    return outcomes


@pytest.mark.parametrize("seeds", [
    pytest.param(REGRESSION_SEEDS, id="regressions"),
    pytest.param([BASE_SEED + i for i in range(TRIALS)], id=f"random-{TRIALS}"),
])  # fmt: skip
def test_flipped_bytes_in_a_live_segment_end_in_a_reply_or_a_clear_error(peers, seeds):
    outcomes = run_storm(peers, seeds)
    print(f"fault injection over {len(seeds)} trials: {dict(sorted(outcomes.items()))}")
    assert outcomes["ok"] > 0, outcomes
