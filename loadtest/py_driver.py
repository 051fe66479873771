"""python-shm harness: asyncio caller tasks in this process, the Python callee in a child
process (py_callee), over the issue-5 runtime. Speaks the same stream as the Rust
harnesses (tick lines, then one summary line) so the runner treats it like any other.

Latency here is perf_counter_ns around each `await caller.call(...)` in this driver
(there is no Rust harness on this path), recorded into the same log-bucket histogram.

    python -m rust2go.loadtest.py_driver --concurrency 8 --duration-ms 2000 \
        --payload 64 [--cancel-rate 0.3] [--kill-peer-at 1.0] [--ring-size 4]"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass

from rust2go.loadtest import hygiene
from rust2go.loadtest.histogram import Histogram
from rust2go.loadtest.messages import checksum_of_message, make_payload, parse_reply
from rust2go.loadtest.messages import request_message as message
from rust2go.loadtest.py_peer import Peer, PeerConfig
from rust2go.runtime import PeerGone, RemoteError, ShmCaller
from rust2go.shm import layout as L

RECONNECT_TIMEOUT = 20.0


class CountingCaller(ShmCaller):
    """Counts backpressure waits itself while CallerStats has no counters for them; once
    it has (ring_full_waits, slot_waits), those are read instead (see retire_caller)."""

    ring_full_waits = 0
    slot_waits = 0

    async def _wait_space(self) -> None:
        self.ring_full_waits += 1
        await super()._wait_space()

    async def _wait_slot(self) -> int:
        self.slot_waits += 1
        return await super()._wait_slot()


@dataclass
class Counts:
    issued: int = 0
    completed: int = 0
    failed: int = 0
    duplicated: int = 0
    mismatched: int = 0
    cancelled: int = 0
    cancel_attempts: int = 0
    completed_after_restart: int = 0

    def answered(self) -> int:
        return self.completed + self.failed + self.duplicated + self.mismatched + self.cancelled

    def errors(self) -> int:
        return self.failed + self.duplicated + self.mismatched


class Driver:
    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.c = Counts()
        self.h = Histogram()
        self.interval = Histogram()  # the latencies of the current tick interval
        self.rng = random.Random(a.seed)
        self.stop = asyncio.Event()
        self.connected = asyncio.Event()
        self.caller: CountingCaller | None = None
        self.peer: Peer | None = None
        slots = max(a.concurrency, a.ring_size or 0, 1)
        self.cfg = PeerConfig(slots=slots, request_ring=a.ring_size, payload=a.payload)
        self.pids: set[int] = set()
        self.segments: list[str] = []
        self.kill: dict = {}
        self.ring_full_waits = self.slot_waits = 0
        self.abandoned = 0
        self.slots_not_free: dict[str, int] = {}

    # -- peer ----------------------------------------------------------------------------
    async def connect(self) -> None:
        self.peer = await Peer.start(self.cfg)
        self.pids.add(self.peer.pid)
        self.segments.append(self.peer.segment)
        self.caller = await CountingCaller.connect(self.peer.segment)
        self.connected.set()

    async def retire_caller(self) -> None:
        """Fold the caller's counters in, check its slot table, close it."""
        c = self.caller
        self.ring_full_waits += getattr(c.stats, "ring_full_waits", c.ring_full_waits)
        self.slot_waits += getattr(c.stats, "slot_waits", c.slot_waits)
        self.abandoned += c.stats.abandoned
        if not c.dead:
            await c.settle(10.0)
            states = c.seg.slots.states()
            busy = sum(n for s, n in states.items() if s != L.SlotState.FREE)
            if busy:
                self.slots_not_free[c.seg.name] = busy
        await c.close()

    async def kill_and_restart(self, at: float, start: float) -> None:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - start)))
        if self.stop.is_set():
            return
        old = self.peer
        self.kill = {"at_s": round(time.monotonic() - start, 3), "old_pid": old.pid,
                     "pending_at_kill": self.caller.in_flight, "failed_before": self.c.failed}  # fmt: skip
        self.connected.clear()
        t_kill = time.perf_counter()
        old.kill()
        deadline = time.monotonic() + 5.0
        while not self.caller.dead and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        self.kill["pending_failed_within_ms"] = round((time.perf_counter() - t_kill) * 1e3, 2)
        self.kill["detected"] = self.caller.dead
        for _ in range(self.a.concurrency + 1):  # let the workers see their calls fail
            await asyncio.sleep(0)
        # The calls the death failed, counted where they failed (not the in-flight count
        # before the kill: one of those may have been answered in time).
        self.kill["failed_by_kill"] = self.c.failed - self.kill.pop("failed_before")
        await self.retire_caller()
        await old.reap_and_clean()
        await self.connect()
        self.kill["new_pid"] = self.peer.pid
        self.kill["restart_ms"] = round((time.perf_counter() - t_kill) * 1e3, 1)

    # -- load ----------------------------------------------------------------------------
    async def one_call(self, method: int, msg: bytes) -> bytes:
        call = self.caller.call(method, msg)
        if not (self.a.cancel_rate and self.rng.random() < self.a.cancel_rate):
            return await call
        # Drop the future at a random moment: before it runs, or after 1–3 loop turns.
        self.c.cancel_attempts += 1
        task = asyncio.ensure_future(call)
        for _ in range(self.rng.randrange(4)):
            await asyncio.sleep(0)
        task.cancel()
        return await task

    async def worker(self, w: int) -> None:
        n, a, c = self.a.concurrency, self.a, self.c
        seq = w
        while not self.stop.is_set() and (a.calls is None or seq < a.calls):
            if not self.connected.is_set():
                await asyncio.wait_for(self.connected.wait(), RECONNECT_TIMEOUT)
            msg = message(seq, make_payload(seq, a.payload))
            want = checksum_of_message(msg)
            c.issued += 1
            t0 = time.perf_counter_ns()
            try:
                reply = await self.one_call(a.method_id, msg)
            except asyncio.CancelledError:
                if self.stop.is_set() and asyncio.current_task().cancelling():
                    raise
                c.cancelled += 1
            except (PeerGone, RemoteError):
                c.failed += 1
            else:
                ns = time.perf_counter_ns() - t0
                self.h.record(ns)
                self.interval.record(ns)
                self.verify(w, seq, want, parse_reply(reply))
            seq += n

    def verify(self, w: int, seq: int, want: int, got: tuple[int, int]) -> None:
        rseq, rsum = got
        c = self.c
        if rseq == seq and rsum == want:
            c.completed += 1
            if self.kill.get("new_pid"):
                c.completed_after_restart += 1
        elif rseq != seq and rseq < seq and rseq % self.a.concurrency == w:
            c.duplicated += 1
        else:
            c.mismatched += 1

    async def ticker(self, start: float) -> None:
        last = 0
        while not self.stop.is_set():
            await asyncio.sleep(self.a.interval_ms / 1000)
            done = self.c.answered()
            emit({"type": "tick", "t_ms": int((time.monotonic() - start) * 1000), "done": done,
                  "in_flight": self.c.issued - done, "errors": self.c.errors(),
                  "interval_calls": done - last,
                  "buckets": self.interval.to_summary()["buckets"]})  # fmt: skip
            last, self.interval = done, Histogram()

    async def run(self) -> dict:
        await self.connect()
        before = hygiene.owned_entries(self.pids)
        start = time.monotonic()
        workers = [asyncio.create_task(self.worker(w)) for w in range(self.a.concurrency)]
        tick = asyncio.create_task(self.ticker(start))
        killer = None
        if self.a.kill_peer_at is not None:
            killer = asyncio.create_task(self.kill_and_restart(self.a.kill_peer_at, start))
        if self.a.calls is None:
            await asyncio.sleep(self.a.duration_ms / 1000)
            self.stop.set()
        await asyncio.gather(*workers)
        elapsed = time.monotonic() - start
        self.stop.set()
        if killer is not None:
            await killer
        tick.cancel()
        await self.retire_caller()
        await self.peer.stop()
        return self.summary(elapsed, hygiene.leftovers(before, self.pids))

    def summary(self, elapsed: float, left: list[str]) -> dict:
        c = self.c
        extra = {"cancel_attempts": c.cancel_attempts, "abandoned": self.abandoned,
                 "ring_full_waits": self.ring_full_waits, "slot_waits": self.slot_waits,
                 "peer_pids": sorted(self.pids), "segments": self.segments,
                 "slots_not_free": self.slots_not_free, "shm_leftovers": left,
                 "completed_after_restart": c.completed_after_restart}  # fmt: skip
        if self.kill:
            extra["kill_peer"] = self.kill
        return {"type": "summary", "transport": "python-shm", "elapsed_ns": int(elapsed * 1e9),
                "issued": c.issued, "completed": c.completed, "failed": c.failed,
                "lost": c.issued - c.answered(), "duplicated": c.duplicated,
                "mismatched": c.mismatched, "cancelled": c.cancelled,
                "histogram": self.h.to_summary(), **extra}  # fmt: skip


def emit(event: dict) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="py_driver")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--calls", type=int, default=None)
    p.add_argument("--duration-ms", type=int, default=1000)
    p.add_argument("--payload", type=int, default=64)
    p.add_argument("--interval-ms", type=int, default=250)
    p.add_argument("--method-id", type=int, default=0)
    p.add_argument("--cancel-rate", type=float, default=0.0)
    p.add_argument("--kill-peer-at", type=float, default=None)
    p.add_argument("--ring-size", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    emit(asyncio.run(Driver(parse(argv)).run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
