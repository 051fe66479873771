"""`python -m bench.ring_protocols`: the ring protocol alone, in one process, against the
spinning floor (bench/ring_protocols: std-only Rust, two threads, no layout, codec or Go):

  floor      one cache line each way
  writeback  the shared-memory layout's cell protocol (the consumer writes each cell's seq
             back to free it)
  producer   an alternative: cells written by their producer only, the consumer's
             position published on a line of its own every 16 cells

Each cell is two cache lines with 64 payload bytes, as the layout's. Latency: one call at a
time, round trips timed in blocks of 1000 (no clock read per call); throughput: 64 calls in
flight. BENCH_RING_ROUNDS rounds (default 5), the three taking turns, each phase
BENCH_RING_SECONDS (default 0.3) s; each ratio is against the floor of the same round, and
the table holds medians. It tells how much of the shm rows' round trip the protocol itself
costs on this machine, and what a layout without the write-back would change. Prints a
markdown section."""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from bench.crate_run import ROOT, check, env
from bench.machine import markdown as machine_line

CRATE = ROOT / "bench" / "ring_protocols"
ROUNDS = int(os.environ.get("BENCH_RING_ROUNDS", "5"))
SECS = os.environ.get("BENCH_RING_SECONDS", "0.3")
PROTOCOLS = ("writeback", "producer")


def run(binary: str, protocol: str, mode: str) -> dict:
    return json.loads(check([binary, protocol, mode, SECS], CRATE).strip().splitlines()[-1])


def main() -> int:
    check(["cargo", "build", "--release", "--quiet"], CRATE)
    binary = str(Path(env()["CARGO_TARGET_DIR"]) / "release" / "r2g_bench_ring_protocols")
    floors, lat, tput = [], {p: [] for p in PROTOCOLS}, {p: [] for p in PROTOCOLS}
    for r in range(ROUNDS):
        order = PROTOCOLS if r % 2 == 0 else PROTOCOLS[::-1]
        floor = run(binary, "floor", "latency")["round_trip_ns_p50"]
        floors.append(floor)
        for p in order:
            lat[p].append((run(binary, p, "latency")["round_trip_ns_p50"], floor))
            tput[p].append(run(binary, p, "throughput")["calls_per_s"])
    med = statistics.median
    base = med(tput["writeback"])
    out = [machine_line(), "",
           "| protocol | round trip, median of block means | / floor, paired | calls/s, 64 in flight | / writeback |",
           "|---|---:|---:|---:|---:|",
           f"| floor (one line each way) | {med(floors):.0f} ns | 1 | — | — |"]  # fmt: skip
    for p in PROTOCOLS:
        out.append(f"| {p} | {med(n for n, _ in lat[p]):.0f} ns | "
                   f"{med(n / f for n, f in lat[p]):.2f}× | {med(tput[p]):,.0f} | "
                   f"{med(tput[p]) / base:.2f}× |")  # fmt: skip
    out += ["", f"{ROUNDS} rounds, the protocols taking turns, {SECS} s each phase; the floor "
            f"moved between {min(floors):.0f} and {max(floors):.0f} ns over them (this VM's vCPUs "
            "move between host cores). The shm rows of the paths "
            "table add to this each side's per-call work: slot, codec, check64, wake-ups and, "
            "on the Go side, the handler call."]  # fmt: skip
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
