"""`python -m bench.idle_cpu`: what each shared-memory peer costs while it waits.

Each peer first makes or answers a burst of calls (BENCH_IDLE_BURST seconds, default 1),
then the peers sit idle, the caller still attached: after SETTLE seconds (far past the
50 µs spin window and every park timeout) the CPU time of each process is read from
/proc (per thread: schedstat's run time in ns, else utime+stime), again after
BENCH_IDLE_SECONDS (default 5), and the difference is shown as a share of one core,
beside the voluntary and forced context switches per second (each is one wake-up of a
thread; they show what still runs).

  Go server      the generated `--go-server` process of bench/shm_paths (bench.shm_paths
                 builds it), serving the Rust caller below; again once that caller left
  Rust caller    bench/shm_paths's binary in its `idle` mode: connected to the Go server,
                 a burst of sync and async calls, then idle holding the connection
  Python callee  rust2go.runtime.ShmCallee serving an echo handler (worker thread)
  Python caller  rust2go.runtime.ShmCaller connected to it, a burst, then idle

The goal is at most 1% of one core per peer. The Go server's threads are listed one by
one: a Go process's threads all carry the binary's name, so they are told apart by
start order (the runtime starts sysmon first, right after the main thread).
Prints a markdown section (BENCH_IDLE_JSON=1: every figure as a JSON line first)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.machine import markdown as machine_line

ROOT = Path(__file__).resolve().parent.parent
BURST = float(os.environ.get("BENCH_IDLE_BURST", "1"))
WINDOW = float(os.environ.get("BENCH_IDLE_SECONDS", "5"))
SETTLE = 1.0  # seconds between the burst's end and the measured window
GOAL = 1.0  # % of one core per idle peer
TICK = os.sysconf("SC_CLK_TCK")


# ---- sampling ----


def _thread(pid: int, tid: int) -> tuple[str, int, int] | None:
    """(name, CPU ns, context switches) of one thread; None once it is gone."""
    base = f"/proc/{pid}/task/{tid}"
    try:
        name = Path(f"{base}/comm").read_text().strip()
        try:
            ns = int(Path(f"{base}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            fields = Path(f"{base}/stat").read_text().rsplit(")", 1)[1].split()
            ns = (int(fields[11]) + int(fields[12])) * 1_000_000_000 // TICK
        switches = 0
        for line in Path(f"{base}/status").read_text().splitlines():
            if "ctxt_switches:" in line:  # voluntary and nonvoluntary
                switches += int(line.split()[1])
    except (OSError, ValueError):
        return None
    return name, ns, switches


def sample(pid: int) -> dict[int, tuple[str, int, int]]:
    out = {}
    for tid in sorted(int(t) for t in os.listdir(f"/proc/{pid}/task")):
        t = _thread(pid, tid)
        if t is not None:
            out[tid] = t
    return out


def usage(pid: int, a: dict, b: dict, secs: float) -> dict:
    """Per thread and in total: % of one core and wake-ups/s between samples a and b."""
    threads = []
    for i, tid in enumerate(sorted(set(a) | set(b))):
        name, ns1, sw1 = b.get(tid) or a[tid]
        _, ns0, sw0 = a.get(tid, (name, 0, 0))
        if tid not in b:
            ns1, sw1 = ns0, sw0  # ended in the window: what it used is lost, count none
        threads.append({"tid": tid, "order": i, "name": name, "main": tid == pid,
                        "pct": 100 * (ns1 - ns0) / (secs * 1e9),
                        "wakes": (sw1 - sw0) / secs})  # fmt: skip
    return {"pct": sum(t["pct"] for t in threads), "wakes": sum(t["wakes"] for t in threads),
            "threads": threads}  # fmt: skip


def measure_idle(pids: dict[str, int]) -> dict[str, dict]:
    """Every process of `pids` over the same idle window."""
    time.sleep(SETTLE)
    t0 = time.monotonic()
    first = {k: sample(p) for k, p in pids.items()}
    time.sleep(WINDOW)
    second = {k: sample(p) for k, p in pids.items()}
    secs = time.monotonic() - t0
    return {k: usage(p, first[k], second[k], secs) for k, p in pids.items()}


# ---- the peers ----


def _line(proc: subprocess.Popen, what: str) -> str:
    line = proc.stdout.readline().strip()
    if not line:
        proc.kill()
        raise SystemExit(f"{what} said nothing (exit {proc.wait()})")
    return line


def idle_pair(server_argv: list[str], caller_argv: list[str], alone: bool = False) -> dict:
    """A server that prints `serving NAME`, then a caller given NAME (a burst of calls, one
    JSON line, then idle until its stdin closes): both measured idle, and with `alone` the
    server once more after the caller left."""
    server = subprocess.Popen(server_argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = _line(server, server_argv[0])
        if not line.startswith("serving"):
            raise SystemExit(f"{server_argv[0]} did not start: {line!r}")
        caller = subprocess.Popen([*caller_argv, line.split()[-1]], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
        try:
            json.loads(_line(caller, caller_argv[0]))
            got = measure_idle({"server": server.pid, "caller": caller.pid})
        finally:
            caller.stdin.close()
            caller.wait(timeout=30)
        if alone:
            got["alone"] = measure_idle({"server": server.pid})["server"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return got


def go_and_rust() -> dict[str, dict]:
    from bench.shm_paths import GEOMETRY, build

    binary, server, _ = build()
    got = idle_pair([str(server), *GEOMETRY, f"/r2g-{os.getpid()}-benchidle"],
                    [str(binary), "idle", "64", f"{BURST / 1.5:.3f}"], alone=True)  # fmt: skip
    return {"go attached": got["server"], "rust": got["caller"], "go alone": got["alone"]}


def python_pair() -> dict[str, dict]:
    me = [sys.executable, "-m", "bench.idle_cpu"]
    got = idle_pair([*me, "--callee"], [*me, "--caller"])
    return {"py callee": got["server"], "py caller": got["caller"]}


def _echo(method: int, payload: bytes) -> bytes:
    return payload


async def _callee() -> None:
    from rust2go.runtime import ShmCallee

    async with ShmCallee.create("benchidle") as c:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("serving", c.name, flush=True)
        serving = asyncio.create_task(c.serve(_echo))
        await stop.wait()
        await c.close()
        await serving


async def _caller(name: str) -> None:
    from rust2go.runtime import ShmCaller

    payload = os.urandom(64)
    async with await ShmCaller.connect(name) as c:
        calls, end = 0, time.monotonic() + BURST
        while time.monotonic() < end:
            assert await c.call(0, payload) == payload
            await asyncio.gather(*(c.call(0, payload) for _ in range(32)))
            calls += 33
        print(json.dumps({"calls": calls}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# ---- report ----

ROWS = (("go attached", "Go server (`--go-server`)", "a caller attached"),
        ("go alone", "Go server (`--go-server`)", "no caller (the Rust caller left)"),
        ("rust", "Rust caller (`<Trait>Shm::connect`)", "attached to the Go server"),
        ("py callee", "Python callee (`ShmCallee`)", "a caller attached"),
        ("py caller", "Python caller (`ShmCaller`)", "attached to the Python callee"))  # fmt: skip


def markdown(got: dict[str, dict]) -> str:
    out = [machine_line(), "",
           f"After a burst of calls (~{BURST:g} s), the peers idle; measured over "
           f"{WINDOW:g} s, {SETTLE:g} s after the burst (past the spin window and the park "
           "timeouts). Goal: at most 1% of one core per idle peer.", "",
           "| peer | while | % of one core when idle | wake-ups/s | goal ≤ 1% |",
           "|---|---|---:|---:|---|"]  # fmt: skip
    for key, peer, state in ROWS:
        u = got[key]
        met = "met" if u["pct"] <= GOAL else "**NOT met**"
        out.append(f"| {peer} | {state} | {u['pct']:.2f} | {u['wakes']:,.0f} | {met} |")
    out.append("")
    for key, peer, state in ROWS[2:]:
        t = max(got[key]["threads"], key=lambda t: t["pct"])
        out.append(f"- {peer}, {state}: its busiest thread is `{t['name']}` "
                   f"({t['pct']:.2f}% at {t['wakes']:,.0f} wake-ups/s)")  # fmt: skip
    for key, state in (("go attached", "a caller attached"), ("go alone", "no caller")):
        out += ["", f"Go server threads ({state}):", "",
                "| thread | % of one core | wake-ups/s |", "|---|---:|---:|"]  # fmt: skip
        for t in got[key]["threads"]:
            role = ("main thread" if t["main"] else "sysmon (the runtime's first thread)"
                    if t["order"] == 1 else f"thread {t['order'] + 1}")  # fmt: skip
            out.append(f"| {role} | {t['pct']:.2f} | {t['wakes']:,.0f} |")
    return "\n".join(out)


def main() -> int:
    if sys.argv[1:2] == ["--callee"]:
        asyncio.run(_callee())
        return 0
    if sys.argv[1:2] == ["--caller"]:
        asyncio.run(_caller(sys.argv[2]))
        return 0
    got = {**go_and_rust(), **python_pair()}
    if os.environ.get("BENCH_IDLE_JSON"):
        print(json.dumps(got))
    print(markdown(got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
