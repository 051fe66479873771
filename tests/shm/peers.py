"""Peer processes for the cross-process shm tests (run as a script by conftest.Peer).

callee <purpose> <handler> [workers] [slots] [request_ring]
    prints the segment name, serves until stdin closes or says "quit", prints its stats.
caller <segment> <calls> <payload>
    attaches, keeps calls in flight until killed (used to die mid-flight)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import zlib

from rust2go.runtime import ShmCallee, ShmCaller


def checksum_reply(method: int, payload: bytes) -> bytes:
    """Reply = request's first 8 bytes (its sequence number) + crc32 of the whole request."""
    return payload[:8] + zlib.crc32(payload).to_bytes(4, "little")


def echo(method: int, payload: bytes) -> bytes:
    return payload


def slow(method: int, payload: bytes) -> bytes:
    time.sleep(0.05)
    return payload


def slow300(method: int, payload: bytes) -> bytes:
    time.sleep(0.3)
    return payload


def sleep1ms(method: int, payload: bytes) -> bytes:
    time.sleep(0.001)
    return payload


async def async_jitter(method: int, payload: bytes) -> bytes:
    # method carries a delay in microseconds so cancellations hit running handlers
    if method:
        await asyncio.sleep(method / 1e6)
    return checksum_reply(method, payload)


async def async_block(method: int, payload: bytes) -> bytes:
    await asyncio.sleep(3600)
    return payload


HANDLERS = {"checksum": checksum_reply, "echo": echo, "slow": slow, "slow300": slow300,
            "sleep1ms": sleep1ms,
            "async_jitter": async_jitter, "async_block": async_block}  # fmt: skip


async def run_callee(purpose: str, handler: str, workers: int, slots: int, ring: int) -> None:
    callee = ShmCallee.create(purpose, slots=slots, request_ring=ring or None)
    print(callee.name, flush=True)
    serving = asyncio.create_task(callee.serve(HANDLERS[handler], workers=workers))
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.strip() == "quit":
            break
        if line.strip() == "stats":
            s = callee.stats
            print(json.dumps({**s.__dict__, "slot_states": _states(callee)}), flush=True)
    await callee.close()
    await serving


def _states(callee: ShmCallee) -> dict[str, int]:
    return {
        k.name if hasattr(k, "name") else str(k): v for k, v in callee.seg.slots.states().items()
    }


async def run_caller(name: str, calls: int, size: int) -> None:
    async with await ShmCaller.connect(name) as c:
        print(os.getpid(), flush=True)

        async def one(i: int) -> None:
            await c.call(0, i.to_bytes(8, "little") * (size // 8))

        await asyncio.gather(*(one(i) for i in range(calls)))
        print("done", flush=True)
        await asyncio.sleep(3600)


def bounce(name: str) -> None:
    """Lost-wake-up hammer peer: the callee half of the hammer (echo request cells into
    the completion ring, parking on every empty ring) until a kind-0 cell."""
    import hammer_ext

    from rust2go.shm.segment import Segment

    module = hammer_ext.load()
    seg = Segment.open(name)
    wire = hammer_ext.wire_of(module, seg)
    print("ready", flush=True)
    n = seg.names
    stats = module.hammer(wire, "bounce", n.callee_doorbell, n.caller_doorbell, park_timeout=1.0)
    print(json.dumps(stats), flush=True)
    wire.release()
    seg.close()


def main(argv: list[str]) -> None:
    if argv[0] == "callee":
        purpose, handler, *rest = argv[1:]
        workers, slots, ring = (int(x) for x in (rest + ["1", "256", "0"][len(rest) :]))
        asyncio.run(run_callee(purpose, handler, workers, slots, ring))
    elif argv[0] == "caller":
        asyncio.run(run_caller(argv[1], int(argv[2]), int(argv[3])))
    elif argv[0] == "bounce":
        bounce(argv[1])
    else:
        raise SystemExit(f"unknown role {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
