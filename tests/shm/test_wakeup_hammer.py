"""Lost-wake-up hammer: two processes ping-pong one cell at a time and both park on every
empty ring (no spinning), so each round trip is two full park/wake cycles. A lost wake-up
would show as a park that only ends by its 1 s timeout. CI runs R2G_HAMMER_ROUNDS
(default 20,000 round trips = 40,000 park/wake cycles); bench/shm_roundtrip.py --hammer
runs millions."""

from __future__ import annotations

import json
import os
import time

from rust2go.shm.geometry import plan
from rust2go.shm.segment import Segment

ROUNDS = int(os.environ.get("R2G_HAMMER_ROUNDS", "20000"))
# A lost wake-up stalls a round trip until the 1 s park timeout. The 10 ms goal is asserted
# on the 99.9th percentile; the maximum only below 250 ms, because on a shared 2-core CI
# machine the scheduler alone can deschedule a process for >10 ms (see the bench for max).
STALL_P999 = 0.010
STALL_MAX = 0.250


def test_park_wake_never_loses_a_wakeup(peers):
    seg = Segment.create("pt_hammer", geometry=plan(4, request_capacity=0, response_capacity=0))
    try:
        peer = peers("bounce", seg.name)
        assert peer.readline() == "ready"
        req, comp, bell = seg.request_ring, seg.completion_ring, seg.caller_bell
        timeouts = 0
        trips = []
        for i in range(ROUNDS):
            t0 = time.perf_counter()
            assert req.try_push(i & 3, i, 0, 0, 1)
            seg.callee_bell.ring()
            while (cell := comp.try_pop()) is None:
                if not bell.park(lambda: not comp.is_empty(), 1.0):
                    timeouts += 1
            assert cell[1] == i & 0xFFFF_FFFF
            trips.append(time.perf_counter() - t0)
        req.try_push(0, 0, 0, 0, 0)  # kind 0: stop
        seg.callee_bell.ring()
        peer_stats = json.loads(peer.readline())
        assert peer.finish() == 0
    finally:
        seg.unlink()
        seg.close()
    assert timeouts == 0 and peer_stats["timeouts"] == 0, "a park ended by timeout: lost wake-up"
    assert bell.sleeps + peer_stats["sleeps"] >= ROUNDS, "the test must really park"
    trips.sort()
    p999, worst = trips[int(len(trips) * 0.999)], trips[-1]
    assert p999 < STALL_P999, f"99.9th percentile round trip {p999 * 1000:.1f} ms"
    assert worst < STALL_MAX, f"worst round trip {worst * 1000:.1f} ms"
