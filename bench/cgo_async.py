"""`python -m bench.cgo_async`: async Rust→Go call throughput, side by side in one run:

  (a) our generated binding (bench/cgo_async, IDL = the async part of bench/idl/bench.rs:
      `#[drop_safe] #[send] async fn small_async(req: Small) -> SmallOut`)
  (b) the original rust2go crate on bench/idl/bench.rs (bench/baseline_crate.py)

Both: 1000 tokio tasks on a multi-thread runtime with 2 workers, each awaiting the call in
a loop for BENCH_ASYNC_SECONDS (default 2) after a 300 ms warm-up; latency per call as
seen by the awaiting task. (a) and (b) take turns for BENCH_ASYNC_ROUNDS rounds (default 3)
and each figure is the median of its rounds, so one slow spell of this shared machine does
not decide the ratio. Prints a markdown section (machine facts, table, ratio)."""

from __future__ import annotations

import os
import sys

from bench.crate_run import ROOT, generated_crate_figures, rust2go_crate_figures
from bench.machine import markdown as machine_line
from bench.rounds import medians

CRATE = ROOT / "bench" / "cgo_async"
ROUNDS = int(os.environ.get("BENCH_ASYNC_ROUNDS", "3"))
FIGURES = ("async_calls_per_sec", "async_p50_ns", "async_p99_ns")
GOAL = 2.5  # (a)/(b) throughput in the same run


def ours() -> dict:
    return generated_crate_figures(CRATE, "idl/bench_async.rs", "r2g_bench_cgo_async")


def crate() -> dict | None:
    return rust2go_crate_figures("cgo_async")


def us(ns: float | None) -> str:
    return "—" if ns is None else f"{ns / 1000:.0f}"


def rate(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def table(o: dict, c: dict | None) -> str:
    c = c or {}
    lines = [
        f"| 1000 tokio tasks, 2 workers, small struct in/out (median of {ROUNDS} rounds) "
        "| calls/s | p50 µs | p99 µs |",
        "|---|---:|---:|---:|",
        f"| (a) generated binding | {rate(o['async_calls_per_sec'])} | {us(o['async_p50_ns'])} "
        f"| {us(o['async_p99_ns'])} |",
        f"| (b) rust2go crate | {rate(c.get('async_calls_per_sec'))} | {us(c.get('async_p50_ns'))} "
        f"| {us(c.get('async_p99_ns'))} |",
        "",
    ]
    if c.get("async_calls_per_sec"):
        r = o["async_calls_per_sec"] / c["async_calls_per_sec"]
        goal = "met" if r >= GOAL else "not met"
        godebug = c.get("godebug") or "default"
        lines.append(f"Throughput (a)/(b): {r:.2f}× (goal ≥ {GOAL}×: {goal}). (a) runs with Go's "
                     f"default GODEBUG; (b) ran with GODEBUG={godebug}.")  # fmt: skip
    else:
        lines.append("Throughput (a)/(b): — (the rust2go crate baseline did not run).")
    return "\n".join(lines)


def main() -> int:
    with_crate = "--no-crate" not in sys.argv[1:]
    mine: list[dict] = []
    theirs: list[dict] = []
    for _ in range(ROUNDS):
        mine.append(ours())
        c = crate() if with_crate else None
        if c is None:
            with_crate = False  # the reason is on stderr; no point retrying every round
        else:
            theirs.append(c)
    o = medians(mine, FIGURES)
    c = medians(theirs, FIGURES) if theirs else None
    print(machine_line())
    print()
    print(table(o, c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
