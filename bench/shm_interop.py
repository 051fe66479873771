"""`python -m bench.shm_interop`: the four live interop pairs of the generated shm peers,
each driven through BENCH_INTEROP_CALLS (default 1,000,000) checksummed `check` calls,
with the binaries the tests build (tests/shm_codegen/interop.py, crate
tests/shm_codegen/peer):

  Rust→Go in-process     `r2g_shm_peer inproc N`: SvcShm::in_process()
  Rust→Go cross-process  `r2g_shm_peer connect NAME N` against the `--go-server` binary
  Python→Go              the generated Python client against the `--go-server` binary,
                         256 calls in flight (a task per call, asyncio.gather)
  Python→Go pipelined batches  the same client's `check_many`, batches of 256 calls
  Python→Go one at a time  the same, each call awaited before the next is made
  Rust→Python            `r2g_shm_peer interop NAME N` against the generated Python handler

Exactly once: every reply is compared with the checksum of its own call's arguments, and
the callee's count of `check` calls it ran must equal N; any miss ends the run with an
error. Wall time covers the N calls only: not start-up, and for the Python rows not
computing the expected checksums either (in Python one costs about as much as a call), done
before the clock starts. Prints a markdown section."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time

from bench.machine import markdown as machine_line
from tests.shm_codegen.interop import (
    CHECK_DATA,
    GoServer,
    PythonSvc,
    build_go_server,
    build_peer,
    expected_checks,
    load_module,
    python_to_go,
    python_to_go_batches,
    serve_python,
)

CALLS = int(os.environ.get("BENCH_INTEROP_CALLS", "1000000"))
STORM = re.compile(r"ok storm (\d+) calls in ([\d.]+) s \(\d+/s\), exactly once")


def storm(out: str) -> dict:
    """The Rust storm's line: it only prints it once every reply and the callee's count
    were right."""
    m = STORM.search(out)
    if not m:
        raise SystemExit(f"no exactly-once storm line in:\n{out[-3000:]}")
    return {"calls": int(m[1]), "seconds": float(m[2])}


async def one_at_a_time(mod, name: str, calls: int) -> dict:
    """`calls` checksummed `check` calls from the generated Python client, each awaited
    before the next is made (no pipelining); exactly once as in python_to_go."""
    from rust2go.runtime import ShmCaller

    want = expected_checks(calls)
    async with await ShmCaller.connect(name) as caller:
        client = mod.SvcClient(caller)
        before = await client.checks()
        t0 = time.perf_counter()
        for i in range(calls):
            if await client.check(i, CHECK_DATA[i % 48]) != want[i]:
                raise SystemExit(f"one at a time: wrong reply to call {i}")
        seconds = time.perf_counter() - t0
        ran = await client.checks() - before
    if ran != calls:
        raise SystemExit(f"one at a time: Go ran check {ran} times for {calls} calls")
    return {"calls": calls, "seconds": seconds}


def measure(calls: int) -> list[dict]:
    peer = build_peer()
    server = build_go_server()
    mod = load_module(server / "svc_shm.py")
    name = f"/r2g-bench_interop_{os.getpid()}"
    rows = [{"pair": "Rust→Go in-process", "how": "2 threads × 64 in flight",
             **storm(peer.run("inproc", str(calls), timeout=1800))}]  # fmt: skip
    with GoServer(server, name):
        out = peer.run("connect", name, str(calls), timeout=1800)
        rows.append({"pair": "Rust→Go cross-process", "how": "2 threads × 64 in flight",
                     **storm(out)})  # fmt: skip
    with GoServer(server, name):
        r = asyncio.run(python_to_go(mod, name, calls))
        rows.append({"pair": "Python→Go", "how": "asyncio, 256 in flight", **r})
    with GoServer(server, name):
        r = asyncio.run(python_to_go_batches(mod, name, calls, batch=256))
        rows.append({"pair": "Python→Go pipelined batches", "how": "check_many, 256 a batch",
                     **r})  # fmt: skip
    with GoServer(server, name):
        r = asyncio.run(one_at_a_time(mod, name, calls))
        rows.append({"pair": "Python→Go one at a time", "how": "asyncio, 1 in flight", **r})
    impl = PythonSvc()
    argv = [str(peer.binary), "interop", "{name}", str(calls)]
    code, out = asyncio.run(serve_python(mod.Svc_handler(impl, 4096), argv))
    if code != 0 or impl.ran != calls:
        raise SystemExit(f"Rust→Python: exit {code}, Python ran check {impl.ran} times:\n{out}")
    rows.append({"pair": "Rust→Python", "how": "1 thread × 64 in flight; 2 handler threads",
                 **storm(out)})  # fmt: skip
    return rows


def markdown(rows: list[dict]) -> str:
    out = [machine_line(), "",
           "| pair | calls | wall s | calls/s | concurrency | exactly once |",
           "|---|---:|---:|---:|---|---|"]  # fmt: skip
    for r in rows:
        out.append(f"| {r['pair']} | {r['calls']:,} | {r['seconds']:.2f} | "
                   f"{r['calls'] / r['seconds']:,.0f} | {r['how']} | yes: {r['calls']:,} replies "
                   f"checked, callee ran {r['calls']:,} |")  # fmt: skip
    out += ["", "Each call is `check(id, data)` with 0–47 bytes of data; the reply is a "
            "64-bit checksum of both, compared per call. Wall time covers the calls only (for "
            "the Python rows, not computing the expected checksums either: done before the "
            "clock starts)."]  # fmt: skip
    return "\n".join(out)


def main() -> int:
    print(markdown(measure(CALLS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
