"""The corruption storm's shared parts: the flipper process (tests/shm/flipper.py), the
tally of outcomes every pair reports, and the Python caller's trials (for a Python or a
Go callee).

A trial connects, starts CALLS calls, has the flipper flip a few bytes while they run,
and files every call under exactly one outcome: "ok" (the reply verified against the
call's own arguments), "wrong" (a reply that does not verify was accepted: must never
happen), "timeout" (the call's own bound), or the name of the clear error it ended in.
Nothing else may escape a call: an unexpected exception fails the test."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from rust2go.runtime import PeerGone, RemoteError, ShmCaller, ShmError
from rust2go.runtime.payload import PayloadError
from rust2go.shm.errors import ShmLayoutError
from tests.shm.flipper import live_words

ROOT = Path(__file__).resolve().parents[2]
CALLS = 24  # in flight per trial
CALL_TIMEOUT = 0.5  # each call's own bound
HANG = 3.0  # a call (or a close) not over by then hangs: a failure
# A trial (reconnecting, its calls, closing) not over by then hangs: each of its steps
# has its own bound, of a few seconds at most (the Rust caller's attach waits up to 5 s).
TRIAL_BOUND = 15.0
GONE_WITHIN = 0.1  # seconds: a violation fails every pending call at once
# Every region is flipped: the Rust caller, the Go callee and the Python peer (shm/_wire.c)
# write and verify check64 over each cell and its payload, so a flipped argument, length,
# method or reply is refused, not decoded. A pair with a peer that carries no such check
# would name here what it cannot detect, with the reason: "request_payload",
# "response_payload", "request_length", "request_method" (a different call, not a fault).
# R2G_FAULT_EXCLUDE=a,b (names as in tests/shm/flipper.py) looks past a known defect in a
# long run; the tests themselves exclude nothing.
EXCLUDED = tuple(x for x in os.environ.get("R2G_FAULT_EXCLUDE", "").split(",") if x)
# Each names what went wrong. PayloadError: a reply refused by the decoder.
CLEAR = (PeerGone, ShmLayoutError, RemoteError, PayloadError)


@dataclass
class Tally:
    """Every outcome of one pair's storm."""

    calls: collections.Counter = field(default_factory=collections.Counter)
    connects: collections.Counter = field(default_factory=collections.Counter)
    issued: int = 0
    trials: int = 0
    regions: collections.Counter = field(default_factory=collections.Counter)  # flips in each
    slowest: float = 0.0  # seconds, the longest trial
    # Seconds between the first and the last PeerGone of one trial, at most: a violation
    # fails every pending call at once.
    gone_spread: float = 0.0
    wrong: list[str] = field(default_factory=list)

    def merge(self, counts: dict) -> None:
        """Add the JSON line a Rust storm prints."""
        self.calls.update(counts["calls"])
        self.connects.update(counts["connects"])
        self.issued += counts["issued"]
        self.trials += counts["trials"]
        self.wrong += counts["wrong_calls"]
        self.slowest = max(self.slowest, counts["slowest_trial_ms"] / 1000)
        self.gone_spread = max(self.gone_spread, counts["gone_spread_ms"] / 1000)

    def flipped(self, flips: list[dict]) -> None:
        self.regions.update(f["region"] for f in flips)

    def summary(self, pair: str) -> str:
        counts = {what: dict(sorted(c.items())) for what, c in (
            ("calls", self.calls), ("failed connects", self.connects), ("flips", self.regions))}  # fmt: skip
        head = (f"{pair}: {self.trials} trials (slowest {self.slowest:.2f} s), {self.issued} calls "
                f"(PeerGone spread {self.gone_spread * 1000:.0f} ms); ")  # fmt: skip
        return head + "; ".join(
            f"{what} {c}" for what, c in counts.items())  # fmt: skip

    def check(self, pair: str) -> None:
        counted = sum(self.calls.values())
        assert counted == self.issued, f"{pair}: {counted} outcomes for {self.issued} calls"
        assert self.calls["wrong"] == 0, f"{pair}: wrong replies accepted: {self.wrong[-10:]}"
        assert self.calls["ok"] > 0, self.summary(pair)
        assert self.slowest < TRIAL_BOUND, f"{pair}: a trial hung: {self.summary(pair)}"
        assert self.gone_spread <= GONE_WITHIN, (
            f"{pair}: calls failed one by one: {self.summary(pair)}"
        )


class Flipper:
    """tests/shm/flipper.py as a process of its own over the segment `name`: on command
    (`burst`) or on its own schedule (`every` seconds)."""

    def __init__(self, name: str, exclude: tuple[str, ...] = (), *, seed: int = 0,
                 every: float = 0.0) -> None:  # fmt: skip
        argv = [sys.executable, "-m", "tests.shm.flipper", name, "--seed", str(seed)]
        if exclude:
            argv += ["--exclude", ",".join(exclude)]
        if every:
            argv += ["--every", str(every)]
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.scheduled = bool(every)
        self.flips: list[dict] = []
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise AssertionError(f"the flipper did not start: {line!r} ({self.proc.wait()})")
        # Read as it reports: a flipper on a schedule blocked on a full pipe stops flipping.
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put("")  # end of output

    def burst(self, seed: int, n: int, spread_ms: float) -> None:
        """Ask for `n` flips drawn from `seed`, a pause of up to `spread_ms` before each;
        `collect` reads their reports."""
        self.proc.stdin.write(f"flip {seed} {n} {spread_ms}\n")
        self.proc.stdin.flush()

    def collect(self) -> list[dict]:
        """The reports of the last command (or, on a schedule, of all flips once it stopped)."""
        got = []
        while True:
            line = self._lines.get(timeout=TRIAL_BOUND)
            assert line, f"the flipper died ({self.proc.wait()}) after {self.flips[-3:]}"
            if line.startswith("done"):
                self.flips += got
                return got
            got.append(json.loads(line))

    def stop(self) -> list[dict]:
        """Stop flipping; every flip it made, and it must have exited cleanly."""
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        if self.scheduled:
            self.collect()
        self.proc.stdin.close()
        assert self.proc.wait(timeout=10) == 0, "the flipper failed"
        return self.flips

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def outcome(e: BaseException) -> str:
    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, CLEAR):
        assert str(e), f"{type(e).__name__} without a message"
        return type(e).__name__
    raise e


# One call: returns (the reply was right, what it was about) or raises.
Call = Callable[[ShmCaller, int], Awaitable[tuple[bool, str]]]


async def one_call(call: Call, c: ShmCaller, i: int, tally: Tally) -> float | None:
    """Files the call's outcome; when it failed with PeerGone, when that was."""
    try:
        right, what = await asyncio.wait_for(call(c, i), HANG)
    except Exception as e:  # noqa: BLE001 (outcome() re-raises what is not an outcome)
        tally.calls[outcome(e)] += 1
        return time.monotonic() if isinstance(e, PeerGone) else None
    if right:
        tally.calls["ok"] += 1
    else:
        tally.calls["wrong"] += 1
        tally.wrong.append(f"call {i}: {what}")


async def trial(name: str, call: Call, flipper: Flipper, seed: int, tally: Tally,
                flips_per_trial: tuple[int, int] = (1, 3)) -> None:  # fmt: skip
    start = time.monotonic()
    try:
        await _trial(name, call, flipper, seed, tally, flips_per_trial)
    finally:
        tally.slowest = max(tally.slowest, time.monotonic() - start)


async def _trial(name: str, call: Call, flipper: Flipper, seed: int, tally: Tally,
                 flips_per_trial: tuple[int, int]) -> None:  # fmt: skip
    rng = random.Random(seed)
    tally.trials += 1
    try:
        c = await reconnect(name, tally)
    except ShmError as e:  # nothing recycles the segment: no later trial could connect
        raise AssertionError(
            f"seed {seed}: the callee accepts no caller for {HANG} s ({e}) after the flips "
            f"{flipper.flips[-4:]}; header now {live_words(name)}"
        ) from e
    wrong_before = len(tally.wrong)
    try:
        tally.issued += CALLS
        calls = [asyncio.create_task(one_call(call, c, seed * 1000 + i, tally))
                 for i in range(CALLS)]  # fmt: skip
        flipper.burst(seed, rng.randint(*flips_per_trial), 3)
        done, pending = await asyncio.wait(calls, timeout=HANG + 1)
        flips = flipper.collect()
        tally.flipped(flips)
        if len(tally.wrong) > wrong_before:
            tally.wrong.append(f"(seed {seed}, flips {flips})")
        assert not pending, f"seed {seed}: {len(pending)} calls hang; flips {flips}"
        gone = [t.result() for t in done if t.result() is not None]
        if gone:
            tally.gone_spread = max(tally.gone_spread, max(gone) - min(gone))
    finally:
        await asyncio.wait_for(c.close(), HANG)


async def reconnect(name: str, tally: Tally | None = None) -> ShmCaller:
    """Connect once the callee has recycled what the last flips left (a state word it
    repairs within its grace periods is refused until then); the first refusal is
    counted, one lasting HANG raised."""
    deadline = time.monotonic() + HANG
    counted = tally is None
    while True:
        try:
            return await ShmCaller.connect(name, timeout=HANG)
        except ShmError as e:
            if not counted:
                tally.connects[type(e).__name__] += 1
                counted = True
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.01)


def payload_size(i: int, capacity: int) -> int:
    """Small, middling and near-capacity payloads, by call number."""
    kind = i % 8
    if kind < 5:
        return i % 48
    if kind < 7:
        return 500 + i % 1500
    return capacity - (i % 64)
