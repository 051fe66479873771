"""Fault injection over a live segment, Python caller <-> Python callee: while they
exchange checksummed calls, a third process (tests/shm/flipper.py) XORs random bytes
(seeded) of the segment's live header lines, both rings (the short payloads in their
cells among them), the slot table and the payload areas through its own mapping. Every call must end in its own correct reply or a clear
error, within its bound; no process may die; after the storm a fresh session is served
correctly. The other pairs (Rust and Go peers) are in
tests/shm_codegen/test_corruption_storm.py.

`make test` runs TRIALS trials; R2G_FAULT_TRIALS=<n> runs more (R2G_FAULT_SEED moves the
base seed). A seed that found a defect stays in REGRESSION_SEEDS."""

from __future__ import annotations

import asyncio
import os
import zlib

import pytest

from rust2go.runtime import ShmCaller
from tests.shm.storm import EXCLUDED, HANG, Flipper, Tally, payload_size, reconnect, trial

TRIALS = int(os.environ.get("R2G_FAULT_TRIALS", "40"))
BASE_SEED = int(os.environ.get("R2G_FAULT_SEED", "20261206"))
REGRESSION_SEEDS = [
    20261225,  # caller_state ATTACHED flipped to 12845057: no peer ever recycled it
    20261260,  # segment_state SERVING flipped: every later attach refused, forever
]
CAPACITY = 4096  # the callee's default request capacity


def request(i: int) -> bytes:
    n = max(payload_size(i, CAPACITY), 8)
    return i.to_bytes(8, "little") + bytes((i * 7 + k) & 0xFF for k in range(n - 8))


def expected(payload: bytes) -> bytes:  # tests/shm/peers.py checksum_reply
    return payload[:8] + zlib.crc32(payload).to_bytes(4, "little")


async def check(c: ShmCaller, i: int) -> tuple[bool, str]:
    payload = request(i)
    reply = await c.call(0, payload, timeout=0.5)
    return reply == expected(payload), f"{len(payload)}-byte request answered {reply[:16]!r}"


def run_storm(peers, seeds: list[int]) -> Tally:
    callee = peers("callee", "pt_fault", "checksum", "2", "16")
    name = callee.readline()
    flipper = Flipper(name, EXCLUDED)
    tally = Tally()

    async def storm() -> None:
        for seed in seeds:
            await trial(name, check, flipper, seed, tally)
            assert callee.proc.poll() is None, f"seed {seed}: the callee died"
        flipper.stop()
        async with await reconnect(name) as c:
            for i in range(200):
                assert await c.call(0, request(i), timeout=HANG) == expected(request(i))

    try:
        asyncio.run(storm())
    finally:
        flipper.kill()
    callee.send("quit")
    assert callee.finish(timeout=20) == 0
    return tally


@pytest.mark.parametrize("seeds", [
    pytest.param(REGRESSION_SEEDS, id="regressions"),
    pytest.param([BASE_SEED + i for i in range(TRIALS)], id=f"random-{TRIALS}"),
])  # fmt: skip
def test_flipped_bytes_in_a_live_segment_end_in_a_reply_or_a_clear_error(peers, seeds):
    tally = run_storm(peers, seeds)
    print(tally.summary("python -> python"))
    tally.check("python -> python")


def test_the_flipper_flips_exactly_what_it_reports_and_nothing_excluded():
    from rust2go.shm.segment import Segment

    seg = Segment.create("pt_flipper")
    try:
        before = bytes(seg.mem)
        excluded = ("request_payload", "response_payload", "request_length", "request_method")
        flipper = Flipper(seg.name, excluded)
        try:
            flipper.burst(7, 400, 0)
            flips = flipper.collect()
            flipper.stop()
        finally:
            flipper.kill()
        after = bytes(seg.mem)
    finally:
        seg.unlink()
        seg.close()
    assert len(flips) == 400
    changed = {i for i in range(len(before)) if before[i] != after[i]}
    xors: dict[int, int] = {}
    for f in flips:
        assert f["old"] != f["new"] and f["region"] not in excluded, f
        assert f["offset"] >= 128, f  # the write-once header lines are never flipped
        field = f["field"].split(".")[-1].split("+")[0]
        if f["region"] == "request_ring":
            assert field not in ("length", "method", "inline"), f
        if f["region"] == "completion_ring":
            assert field != "inline", f  # a short reply
        xors[f["offset"]] = xors.get(f["offset"], 0) ^ f["old"] ^ f["new"]
    assert changed == {o for o, x in xors.items() if x}
    assert all(before[o] ^ after[o] == x for o, x in xors.items())
    assert {f["region"] for f in flips} == {"header", "request_ring", "completion_ring",
                                            "slot_table"}  # fmt: skip
