"""`python -m bench.g2r`: ns per Go→Rust call, side by side in one run:

  (a) our generated binding's default: methods called on Go's system stack
  (a') the same methods marked `#[cgo_call]` (through cgo)
  (b) hand-written cgo calls of hand-written Rust `extern "C"` functions doing the same
      work (the cgo floor), same binary, rounds interleaved with (a) and (a')
  (c) the original rust2go crate's g2r (its asmcall default) on bench/idl/bench.rs
      (bench/baseline_crate.py; needs libclang, which that script installs from Debian);
      skipped with --no-crate

Go makes the calls; each timed round is one Rust→Go call that makes 100 of them (<1%
overhead), so every figure includes the same loop. (a) and (c) cannot share a process
(two Go runtimes): their binaries run in turns, BENCH_CRATE_PAIRS times (default 5), and
a/c is the median of the ratios of each back-to-back pair. Prints a markdown section.
Env: BENCH_SECONDS (budget per measurement, default 2)."""

from __future__ import annotations

import os
import statistics
import sys

from bench.crate_run import ROOT, generated_crate_figures, rust2go_crate_figures
from bench.machine import markdown as machine_line
from bench.rounds import medians

CRATE = ROOT / "bench" / "g2r"
PAIRS = int(os.environ.get("BENCH_CRATE_PAIRS", "5"))
# (row, (a)'s key, (a')'s key, (b)'s key, a/b key, a'/b key, (c)'s key)
ROWS = (
    ("small struct in → small struct out", "ours_small_ns", "cgo_small_ns", "hand_small_ns",
     "small_ratio", "cgo_small_ratio", "g2r_small_ns"),
    ("`Vec<String>` (16 × 32 B) in → u64 out", "ours_strings_16x32_ns", "cgo_strings_16x32_ns",
     "hand_strings_16x32_ns", "strings_ratio", "cgo_strings_ratio", "g2r_strings_16x32_ns"),
    ("the same as `&Vec<String>` (a view, no copy)", "ours_strings_ref_16x32_ns", None,
     "hand_strings_16x32_ns", "strings_ref_ratio", None, None),
    ("no arguments, no result", "ours_noop_ns", "cgo_noop_ns", "hand_noop_ns", "noop_ratio",
     "cgo_noop_ratio", "g2r_noop_ns"),
)  # fmt: skip


def ours() -> dict:
    return generated_crate_figures(CRATE, "idl/bench_g2r.rs", "r2g_bench_g2r")


def paired(crate_too: bool) -> tuple[dict, dict | None]:
    runs: list[tuple[dict, dict | None]] = []
    for _ in range(PAIRS if crate_too else 1):
        o = ours()
        c = rust2go_crate_figures("g2r") if crate_too else None
        if c is None:
            return {**o, "runs": 1}, None
        runs.append((o, c))
    mine = [o for o, _ in runs]
    theirs = [c for _, c in runs if c is not None]
    o = medians(mine, tuple(k for k in mine[-1] if k.endswith(("_ns", "_ratio"))))
    o["runs"] = len(runs)
    o["vs_crate"] = {
        row[1]: statistics.median(a[row[1]] / c[row[6]] for a, c in runs if c is not None)
        for row in ROWS
        if row[6]
    }
    # The same on each binary's fastest round: what the call costs when nothing else on
    # the machine got in the way (both time 101 rounds of the same length).
    o["vs_crate_fastest"] = {
        row[1]: statistics.median(a[fastest(row[1])] / c[fastest(row[6])] for a, c in runs)
        for row in ROWS
        if row[6]
    }
    return o, medians(theirs, tuple(k for k in theirs[-1] if k.startswith("g2r_")))


def fastest(key: str) -> str:
    """The key of the fastest round's figure beside a median's key."""
    return key.removesuffix("_ns") + "_min_ns"


def cell(v: float | None, unit: str = "") -> str:
    return "—" if v is None else f"{v:.2f}{unit}" if unit else f"{v:.0f}"


def table(o: dict, c: dict | None) -> str:
    c = c or {}
    lines = [
        f"| ns per Go→Rust call (median of 101 rounds; median of {o['runs']} runs) "
        "| (a) default | (a') `#[cgo_call]` | (b) hand cgo | (c) rust2go crate "
        "| a/b | a'/b | a/c | a/c fastest rounds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, ka, kcgo, kb, kab, kcb, kc in ROWS:
        ac = o.get("vs_crate", {}).get(ka)
        acf = o.get("vs_crate_fastest", {}).get(ka)
        lines.append(
            f"| {name} | {cell(o[ka])} | {cell(o.get(kcgo) if kcgo else None)} | {cell(o[kb])} "
            f"| {cell(c.get(kc) if kc else None)} | {cell(o[kab], '×')} "
            f"| {cell(o.get(kcb) if kcb else None, '×')} | {cell(ac, '×')} | {cell(acf, '×')} |"
        )
    lines.append("")
    lines.append(
        "a/b and a'/b: medians of the ratios of back-to-back rounds in one process; a/c: "
        "median of the ratios of back-to-back runs of the two binaries, on each run's median "
        "round, and on its fastest round (both binaries time 101 rounds of the same length, "
        "1000 Go→Rust calls per Rust→Go call). (b) takes owned strings like (a) "
        "(`String::from_utf8_lossy` per string)."
    )
    return "\n".join(lines)


def main() -> int:
    o, c = paired("--no-crate" not in sys.argv[1:])
    print(machine_line())
    print()
    print(table(o, c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
