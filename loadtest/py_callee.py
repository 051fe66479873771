"""python-shm callee process: serves one segment with the load contract's handler.

    python -m rust2go.loadtest.py_callee --slots N --request-ring R --payload SIZE

Prints {"segment": NAME, "pid": PID} on its first stdout line once serving; SIGTERM or
SIGINT runs the quit handshake (segment, semaphores and lock files removed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time

from rust2go.loadtest.messages import reply_message
from rust2go.runtime import ShmCallee

REPLY_CAPACITY = 256  # 16-byte reply, room for an error message
# --service-us: simulated handler work, spent spinning (a CPU-bound handler holds its thread)
SERVICE_NS = int(os.environ.get("R2G_LOADTEST_SERVICE_NS") or 0)


def handler(method: int, payload: bytes) -> bytes:
    if SERVICE_NS:
        until = time.perf_counter_ns() + SERVICE_NS
        while time.perf_counter_ns() < until:
            pass
    return reply_message(payload)


async def serve(args: argparse.Namespace) -> None:
    callee = ShmCallee.create("loadtest", slots=args.slots, request_ring=args.request_ring,
                              request_capacity=8 + args.payload,
                              response_capacity=REPLY_CAPACITY)  # fmt: skip
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(callee.close()))
    server = asyncio.ensure_future(callee.serve(handler, workers=args.workers))
    print(json.dumps({"segment": callee.name, "pid": os.getpid()}), flush=True)
    await server


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="py_callee")
    p.add_argument("--slots", type=int, required=True)
    p.add_argument("--request-ring", type=int, default=None)
    p.add_argument("--payload", type=int, required=True)
    p.add_argument("--workers", type=int, default=1)
    asyncio.run(serve(p.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
