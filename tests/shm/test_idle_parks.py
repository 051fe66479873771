"""An idle side sleeps: the callee's doorbell wait is long unless a grace period runs, and
a park that timed out is followed by one look at the ring, not by a spin."""

from __future__ import annotations

import asyncio
import threading
import time

from rust2go.runtime import ShmCallee
from rust2go.runtime.callee_core import IDLE_PARK
from rust2go.runtime.poller import LoopPoller


async def test_an_idle_callee_parks_long_unless_a_grace_period_runs():
    async with ShmCallee.create("idlepark") as callee:
        core = callee.core
        assert core.park_timeout(0.02) == IDLE_PARK > 0.02
        assert core.park_timeout(5.0) == 5.0  # a longer configured timeout stands
        core._broken = True  # the broken grace must end on time
        assert core.park_timeout(0.02) == 0.02
        core._broken = False
        core._unclaimed = (1, time.monotonic())  # ATTACHED with caller_pid 0 being timed
        assert core.park_timeout(0.02) == 0.02


class _Bell:
    """Every park times out at once; records the timeout asked for and how many looks at
    the ring came before it."""

    def __init__(self, looks: list) -> None:
        self.looks = looks
        self.parks: list[tuple[float, int]] = []
        self.enough = threading.Event()

    def park(self, ready, timeout: float) -> bool:
        self.parks.append((timeout, len(self.looks)))
        if len(self.parks) >= 6:
            self.enough.set()
            time.sleep(0.01)
        return False

    def is_parked(self) -> bool:
        return False


async def test_a_timed_out_park_is_followed_by_one_look_then_the_next_park():
    looks, timeouts = [], []
    bell = _Bell(looks)
    poller = LoopPoller(
        asyncio.get_running_loop(), bell,
        drain=lambda: looks.append(1) and 0, ready=lambda: False, wanted=lambda: True,
        on_timeout=lambda: timeouts.append(1),
        spin_ns=20_000_000,  # a spin after a timeout would look at the ring many times
        park_timeout_of=lambda: 0.5,
    )  # fmt: skip
    poller.kick()
    while not bell.enough.is_set():
        await asyncio.sleep(0.001)
    poller.close()
    parks = bell.parks[:6]
    assert {t for t, _ in parks} == {0.5}
    assert parks[0][1] > 1  # the kick's spin: many looks before the first park
    assert [b - a for (_, a), (_, b) in zip(parks, parks[1:], strict=False)] == [1] * 5
    assert len(timeouts) >= 5
