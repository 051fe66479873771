"""`python -m bench.cgo_async`: async Rust→Go call throughput, side by side in one run:

  (a) our generated binding (bench/cgo_async, IDL = the async part of bench/idl/bench.rs:
      `#[drop_safe] #[send] async fn small_async(req: Small) -> SmallOut`)
  (b) the original rust2go crate on bench/idl/bench.rs (bench/baseline_crate.py)

Both: 1000 tokio tasks on a multi-thread runtime with 2 workers, each awaiting the call in
a loop for BENCH_ASYNC_SECONDS (default 2) after a 300 ms warm-up; latency per call as
seen by the awaiting task. Prints a markdown section (machine facts, table, ratio)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.machine import markdown as machine_line

ROOT = Path(__file__).resolve().parent.parent
CRATE = ROOT / "bench" / "cgo_async"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("CARGO_TARGET_DIR", str(ROOT / ".cache" / "cargo-target"))
    e.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))
    return e


def check(cmd: list[str], cwd: Path) -> str:
    r = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return r.stdout


def ours() -> dict:
    check([sys.executable, "-m", "rust2go", "generate", "idl/bench_async.rs", "--go-out",
           "go/gen.go", "--rust-out", "src/api.rs", "--build-helper", "r2g_build.rs"], CRATE)  # fmt: skip
    check(["cargo", "build", "--release", "--quiet"], CRATE)
    binary = Path(env()["CARGO_TARGET_DIR"]) / "release" / "r2g_bench_cgo_async"
    return json.loads(check([str(binary)], CRATE).strip().splitlines()[-1])


def crate() -> dict | None:
    try:
        from bench.baseline_crate import run

        return run()
    except Exception as e:  # the baseline is optional; say why it is missing
        print(f"[cgo_async] rust2go crate baseline failed: {e}", file=sys.stderr)
        return None


def us(ns: float | None) -> str:
    return "—" if ns is None else f"{ns / 1000:.0f}"


def rate(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def table(o: dict, c: dict | None) -> str:
    c = c or {}
    lines = [
        "| 1000 tokio tasks, 2 workers, small struct in/out | calls/s | p50 µs | p99 µs |",
        "|---|---:|---:|---:|",
        f"| (a) generated binding | {rate(o['async_calls_per_sec'])} | {us(o['async_p50_ns'])} "
        f"| {us(o['async_p99_ns'])} |",
        f"| (b) rust2go crate | {rate(c.get('async_calls_per_sec'))} | {us(c.get('async_p50_ns'))} "
        f"| {us(c.get('async_p99_ns'))} |",
        "",
    ]
    if c.get("async_calls_per_sec"):
        r = o["async_calls_per_sec"] / c["async_calls_per_sec"]
        goal = "met" if r >= 1.5 else "not met"
        godebug = c.get("godebug") or "default"
        lines.append(f"Throughput (a)/(b): {r:.2f}× (goal ≥ 1.5×: {goal}). (a) runs with Go's "
                     f"default GODEBUG; (b) ran with GODEBUG={godebug}.")  # fmt: skip
    else:
        lines.append("Throughput (a)/(b): — (the rust2go crate baseline did not run).")
    return "\n".join(lines)


def main() -> int:
    o = ours()
    c = None if "--no-crate" in sys.argv[1:] else crate()
    print(machine_line())
    print()
    print(table(o, c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
