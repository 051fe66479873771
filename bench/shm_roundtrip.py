"""Python caller <-> Python callee over shm in two processes, beside a Unix-domain-socket
ping-pong and a multiprocessing.Queue ping-pong measured in the same run, plus the cost
of one atomic op. Prints a markdown table.

    .venv/bin/python bench/shm_roundtrip.py [--calls N] [--hammer ROUNDS]"""

from __future__ import annotations

import argparse
import asyncio
import mmap
import multiprocessing as mp
import os
import platform
import socket
import subprocess
import sys
import time
import timeit

from rust2go.runtime import ShmCallee, ShmCaller
from rust2go.shm._atomics import AtomicView


def _echo(method: int, payload: bytes) -> bytes:
    return payload


def _serve(q) -> None:
    async def main() -> None:
        async with ShmCallee.create(
            "bench", slots=256, request_capacity=4096, response_capacity=4096
        ) as c:
            q.put(c.name)
            await c.serve(_echo)

    asyncio.run(main())


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


async def _shm(name: str, size: int, calls: int) -> dict[str, float]:
    payload = os.urandom(size)
    async with await ShmCaller.connect(name) as c:
        for _ in range(2000):  # warm-up
            await c.call(0, payload)
        lat = []
        for _ in range(calls // 4):
            t = time.perf_counter()
            await c.call(0, payload)
            lat.append(time.perf_counter() - t)
        batch = [payload] * 64
        t = time.perf_counter()
        done = 0
        while done < calls:
            await asyncio.gather(*(c.call_many(0, batch) for _ in range(4)))
            done += 256
        rate = done / (time.perf_counter() - t)
    return {
        "serial": len(lat) / sum(lat),
        "p50": _pct(lat, 0.5),
        "p99": _pct(lat, 0.99),
        "pipelined": rate,
    }


def _uds(size: int, calls: int) -> dict[str, float]:
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        a.close()
        while d := b.recv(65536):
            while len(d) < size:
                d += b.recv(65536)
            b.sendall(d)
        os._exit(0)
    b.close()
    payload = os.urandom(size)
    lat = []
    for _ in range(calls):
        t = time.perf_counter()
        a.sendall(payload)
        got = 0
        while got < size:
            got += len(a.recv(65536))
        lat.append(time.perf_counter() - t)
    a.close()
    os.waitpid(pid, 0)
    return {"serial": len(lat) / sum(lat), "p50": _pct(lat, 0.5), "p99": _pct(lat, 0.99)}


def _queue_echo(qin, qout) -> None:
    while (m := qin.get()) is not None:
        qout.put(m)


def _mpq(size: int, calls: int) -> dict[str, float]:
    ctx = mp.get_context("fork")
    qin, qout = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_queue_echo, args=(qin, qout))
    p.start()
    payload = os.urandom(size)
    lat = []
    for _ in range(calls):
        t = time.perf_counter()
        qin.put(payload)
        qout.get()
        lat.append(time.perf_counter() - t)
    qin.put(None)
    p.join()
    return {"serial": len(lat) / sum(lat), "p50": _pct(lat, 0.5), "p99": _pct(lat, 0.99)}


def _atomic_ns() -> dict[str, float]:
    m = mmap.mmap(-1, 64)
    a = AtomicView(m)
    n = 1_000_000
    out = {op: timeit.timeit(stmt, globals={"a": a}, number=n) / n * 1e9 for op, stmt in {
        "load_u64": "a.load_u64(8)", "store_u64": "a.store_u64(8, 1)",
        "cas_u64": "a.cas_u64(8, 1, 1)", "fetch_add_u64": "a.fetch_add_u64(8, 1)",
    }.items()}  # fmt: skip
    a.release()
    m.close()
    return out


def _machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in open("/proc/cpuinfo")
            if ln.startswith("model name")
        ),
        "?",
    )
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--hammer", type=int, default=0, help="also run N lost-wake-up round trips")
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    server = ctx.Process(target=_serve, args=(q,))
    server.start()
    name = q.get()
    rows = []
    try:
        for size in (64, 4096):
            shm = asyncio.run(_shm(name, size, args.calls))
            uds = _uds(size, args.calls // 4)
            mpq = _mpq(size, args.calls // 4)
            rows.append((size, shm, uds, mpq))
    finally:
        server.terminate()
        server.join()
        subprocess.run([sys.executable, "-m", "rust2go", "shm", "clean"], capture_output=True)
    print(f"Machine: {_machine()}\n")
    print("| payload | transport | calls/s serial | calls/s pipelined | p50 µs | p99 µs |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, shm, uds, mpq in rows:
        for label, r in (("shm (this)", shm), ("UDS ping-pong", uds), ("mp.Queue ping-pong", mpq)):
            pipe = f"{r['pipelined']:,.0f}" if "pipelined" in r else "—"
            print(
                f"| {size} B | {label} | {r['serial']:,.0f} | {pipe} | {r['p50'] * 1e6:.1f} | {r['p99'] * 1e6:.1f} |"
            )
        print(
            f"| {size} B | **shm pipelined / UDS** | | **{shm['pipelined'] / uds['serial']:.1f}×** | | |"
        )
    print("\n| atomic op | ns/op |\n|---|---:|")
    for op, ns in _atomic_ns().items():
        print(f"| {op} | {ns:.0f} |")
    if args.hammer:
        env = {**os.environ, "R2G_HAMMER_ROUNDS": str(args.hammer)}
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/shm/test_wakeup_hammer.py"], env=env,
                           capture_output=True, text=True)  # fmt: skip
        print(f"\nlost-wake-up hammer, {args.hammer} round trips ({2 * args.hammer} park/wake cycles): "
              + r.stdout.strip().splitlines()[-1])  # fmt: skip


if __name__ == "__main__":
    main()
