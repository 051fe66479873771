"""Python caller <-> Python callee over shm in two processes, beside a Unix-domain-socket
ping-pong and a multiprocessing.Queue ping-pong measured in the same run, plus the cost
of one atomic op. Prints a markdown table.

The UDS baseline uses the same framing as a ring cell (method, length) and copies each
payload out as bytes like the callee does; it is measured ping-pong and pipelined at the
same depth as shm. "shm pipelined / UDS ping-pong" is the issue's goal ratio.

    .venv/bin/python bench/shm_roundtrip.py [--calls N] [--hammer SECONDS]"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import mmap
import multiprocessing as mp
import os
import platform
import socket
import struct
import subprocess
import sys
import threading
import time
import timeit

from rust2go.runtime import ShmCallee, ShmCaller
from rust2go.shm._atomics import AtomicView
from rust2go.shm.names import parse_name
from rust2go.shm.segment import unlink_names


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


DEPTH = 256  # calls in flight when pipelining (shm: slots; UDS: frames in the socket)


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
        batch = [payload] * (DEPTH // 4)
        t = time.perf_counter()
        done = 0
        while done < calls:
            await asyncio.gather(*(c.call_many(0, batch) for _ in range(4)))
            done += DEPTH
        rate = done / (time.perf_counter() - t)
        t = time.perf_counter()
        done = 0
        while done < calls:  # the same depth as one task per call
            await asyncio.gather(*(c.call(0, payload) for _ in range(DEPTH)))
            done += DEPTH
        tasks = done / (time.perf_counter() - t)
    return {
        "serial": len(lat) / sum(lat),
        "p50": _pct(lat, 0.5),
        "p99": _pct(lat, 0.99),
        "pipelined": rate,
        "tasks": tasks,
    }


_FRAME = struct.Struct("<II")  # method, length: the same fields a ring cell carries


def _uds_echo(sock: socket.socket) -> None:
    """Framed echo server: read header + exactly `length` bytes, answer header + payload."""
    buf = bytearray()
    while True:
        while len(buf) >= _FRAME.size:
            method, n = _FRAME.unpack_from(buf)
            if len(buf) < _FRAME.size + n:
                break
            payload = bytes(buf[_FRAME.size : _FRAME.size + n])  # copied out, as the callee does
            del buf[: _FRAME.size + n]
            sock.sendall(_FRAME.pack(method, len(payload)) + payload)
        d = sock.recv(1 << 20)
        if not d:
            return
        buf += d


def _uds_reply(sock: socket.socket, buf: bytearray) -> bytes:
    while True:
        if len(buf) >= _FRAME.size:
            _, n = _FRAME.unpack_from(buf)
            if len(buf) >= _FRAME.size + n:
                out = bytes(buf[_FRAME.size : _FRAME.size + n])
                del buf[: _FRAME.size + n]
                return out
        buf += sock.recv(1 << 20)


def _uds(size: int, calls: int, depth: int) -> dict[str, float]:
    """Framed UDS echo in a forked process: ping-pong latency, then `depth` frames in
    flight (the shm bench's pipelining depth), each reply copied out as bytes."""
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        a.close()
        _uds_echo(b)
        os._exit(0)
    b.close()
    payload = os.urandom(size)
    frame = _FRAME.pack(0, size) + payload
    buf = bytearray()
    lat = []
    for _ in range(calls):
        t = time.perf_counter()
        a.sendall(frame)
        _uds_reply(a, buf)
        lat.append(time.perf_counter() - t)
    total = calls * 4
    window = threading.Semaphore(depth)  # at most `depth` frames in flight

    def send() -> None:
        for _ in range(total):
            window.acquire()
            a.sendall(frame)

    sender = threading.Thread(target=send)
    t = time.perf_counter()
    sender.start()
    for _ in range(total):
        _uds_reply(a, buf)
        window.release()
    sender.join()
    rate = total / (time.perf_counter() - t)
    a.close()
    os.waitpid(pid, 0)
    return {"serial": len(lat) / sum(lat), "p50": _pct(lat, 0.5), "p99": _pct(lat, 0.99),
            "pipelined": rate}  # fmt: skip


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
    ap.add_argument("--hammer", type=float, default=0, help="also run the lost-wake-up hammer N s")
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
            uds = _uds(size, args.calls // 4, DEPTH)
            mpq = _mpq(size, args.calls // 4)
            rows.append((size, shm, uds, mpq))
    finally:
        server.terminate()
        server.join()
        unlink_names(parse_name(name))  # the SIGTERMed callee's objects, and only those
        with contextlib.suppress(FileNotFoundError):
            os.remove(parse_name(name).callee_lock)
    print(f"Machine: {_machine()}\n")
    print(f"Pipelining depth {DEPTH}. Compare only within one run (2 shared cores, noisy).\n")
    print("| payload | transport | calls/s ping-pong | calls/s pipelined | p50 µs | p99 µs |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, shm, uds, mpq in rows:
        shm_tasks = {**shm, "pipelined": shm["tasks"]}
        for label, r in (("shm, call_many", shm), ("shm, one task per call", shm_tasks),
                         ("UDS framed echo", uds), ("mp.Queue", mpq)):  # fmt: skip
            pipe = f"{r['pipelined']:,.0f}" if "pipelined" in r else "—"
            print(f"| {size} B | {label} | {r['serial']:,.0f} | {pipe} | "
                  f"{r['p50'] * 1e6:.1f} | {r['p99'] * 1e6:.1f} |")  # fmt: skip
        for what, v in (("call_many", shm["pipelined"]), ("tasks", shm["tasks"])):
            print(f"| {size} B | **shm {what} pipelined / UDS ping-pong** | | "
                  f"**{v / uds['serial']:.1f}×** | | |")  # fmt: skip
            print(f"| {size} B | shm {what} pipelined / UDS pipelined | | "
                  f"{v / uds['pipelined']:.1f}× | | |")  # fmt: skip
    print("\n| atomic op | ns/op |\n|---|---:|")
    for op, ns in _atomic_ns().items():
        print(f"| {op} | {ns:.0f} |")
    if args.hammer:
        env = {**os.environ, "R2G_HAMMER_SECONDS": str(args.hammer)}
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "tests/shm/test_wakeup_hammer.py"],
                           env=env, capture_output=True, text=True)  # fmt: skip
        lines = r.stdout.strip().splitlines()
        print(f"\nlost-wake-up hammer, {args.hammer:g} s: " + " / ".join(lines[:1] + lines[-1:]))


if __name__ == "__main__":
    main()
