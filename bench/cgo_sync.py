"""`python -m bench.cgo_sync`: ns per sync Rust→Go call, side by side in one run:

  (a) our generated binding (bench/cgo_sync, IDL = the sync part of bench/idl/bench.rs)
  (b) hand-written cgo exports doing the same work (the practical floor), same binary
  (c) the original rust2go crate on bench/idl/bench.rs (bench/baseline_crate.py; needs
      libclang, which that script installs from Debian); skipped with --no-crate

Also the first call on a fresh Rust thread, and (with valgrind) instructions per call of
(a) and (b) counted by callgrind. (a) and (c) cannot share a process (two Go runtimes),
so their binaries run in turns, BENCH_CRATE_PAIRS times (default 5), and a/c is the
median of the ratios of each back-to-back pair: this VM's speed moves 1.5x from one run
to the next. Prints a markdown section (machine facts, table, ratios). Env:
BENCH_SECONDS (budget per measurement, default 2)."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench import debian
from bench.crate_run import ROOT, env, generated_crate_figures, rust2go_crate_figures
from bench.machine import markdown as machine_line
from bench.rounds import medians

CRATE = ROOT / "bench" / "cgo_sync"


def ours() -> dict:
    return generated_crate_figures(CRATE, "idl/bench_sync.rs", "r2g_bench_cgo_sync")


CASES = ("small", "strings", "noop")


TRIES = 20


def collected(case: str, calls: int) -> int | None:
    """Instructions callgrind counts for a whole run of `calls` calls of one case; None
    (and why, on stderr) when valgrind crashed on every one of TRIES runs."""
    exe = Path(env()["CARGO_TARGET_DIR"]) / "release" / "r2g_bench_cgo_sync"
    e = {**env(), "R2G_BENCH_ONLY": case, "R2G_BENCH_CALLS": str(calls)}
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(exe)]
    # Valgrind 3.19 itself crashes now and then on the Go runtime's threads (one run in
    # four to one in two here, more the longer the run): retry. The counts only explain
    # the times, so a case that never gets through loses its count, not the table.
    for _ in range(TRIES):
        r = subprocess.run(cmd, env=e, capture_output=True, text=True, check=False)
        m = re.search(r"Collected : (\d+)", r.stderr)
        if r.returncode == 0 and m:
            return int(m[1])
    print(f"[cgo_sync] callgrind on {case} crashed {TRIES} times; the last:\n{r.stderr[-2000:]}",
          file=sys.stderr)  # fmt: skip
    return None


def instructions() -> dict[str, tuple[float, float] | None] | None:
    """Instructions per call, (a) and (b), for each case: the difference between runs of
    100,000 and 300,000 calls, so start-up cancels. The machine's load cannot move these,
    unlike the times; they say where a time ratio comes from. None without valgrind."""
    try:
        debian.ensure("valgrind", lambda: shutil.which("valgrind") is not None, ["valgrind"])
    except RuntimeError as e:
        print(f"[cgo_sync] no instruction counts: {e}", file=sys.stderr)
        return None
    out: dict[str, tuple[float, float] | None] = {}
    for case in CASES:
        per = []
        for side in ("ours", "hand"):
            name = f"{side}_{case}"
            long, short = collected(name, 300_000), collected(name, 100_000)
            per.append(None if long is None or short is None else (long - short) / 200_000)
        out[case] = None if None in per else (per[0], per[1])
    return out


def crate() -> dict | None:
    return rust2go_crate_figures("cgo_sync")


def fmt(ns: float | None) -> str:
    return "—" if ns is None else f"{ns:.0f}"


def table(o: dict, c: dict | None, ins: dict[str, tuple[float, float] | None] | None) -> str:
    c = c or {}
    # (row, (a)'s key, (b)'s, a/b's, (c)'s, the case of its instruction counts)
    rows = [
        ("small struct in → small struct out", "ours_small_ns", "hand_small_ns",
         "small_ratio", "small_sync_ns", "small"),
        ("`Vec<String>` (16 × 32 B) in → u64 out", "ours_strings_16x32_ns",
         "hand_strings_16x32_ns", "strings_ratio", "strings_16x32_ns", "strings"),
        ("no arguments, no result", "ours_noop_ns", "hand_noop_ns", "noop_ratio", "noop_ns",
         "noop"),
        ("first call on a fresh Rust thread (median of 50)",
         "first_call_fresh_thread_median_ns", None, None, "first_call_fresh_thread_median_ns",
         None),
    ]  # fmt: skip
    lines = [
        f"| ns per call (median of 101 rounds; (a), (b) interleaved; median of {o['runs']} runs) "
        "| (a) generated | (b) hand cgo | (c) rust2go crate | a/b (median of paired rounds) "
        "| a/c (median of paired runs) | instructions per call a / b |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, ka, kb, kab, kc, case in rows:
        a, b, ab, cc = o[ka], o.get(kb), o.get(kab), c.get(kc)
        paired = "—" if ab is None else f"{ab:.2f}×"
        ac = o.get("vs_crate", {}).get(ka)
        a_c = "—" if ac is None else f"{ac:.2f}×"
        count = "—"
        if ins and case:
            if ins[case] is None:
                count = f"— (valgrind crashed {TRIES}×)"
            else:
                ia, ib = ins[case]
                count = f"{ia:.0f} / {ib:.0f} = {ia / ib:.2f}×"
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(cc)} | {paired} | {a_c} "
                     f"| {count} |")  # fmt: skip
    godebug = c.get("godebug") or "default"
    lines.append("")
    lines.append(f"(a) and (b) run with Go's default GODEBUG; (c) ran with GODEBUG={godebug}. "
                 f"First call in a fresh process: {o['first_call_process_ns'] / 1e6:.2f} ms (a). "
                 "(b) is a correct hand-written call: like (a) it sends a null pointer for an "
                 "empty string, because Rust's dangling 0x1 crashes Go if it is on a goroutine "
                 "stack when the stack grows (none of the 16 strings here is empty, so this costs "
                 "a test per string, not a different path)."
                 )  # fmt: skip
    return "\n".join(lines)


PAIRS = int(os.environ.get("BENCH_CRATE_PAIRS", "5"))
AB_RATIOS = ("small_ratio", "strings_ratio", "noop_ratio")  # (a)/(b), paired in (a)'s binary
# (a)'s figure and (c)'s figure of each case, as the two binaries name them.
VS_CRATE = (("ours_small_ns", "small_sync_ns"), ("ours_strings_16x32_ns", "strings_16x32_ns"),
            ("ours_noop_ns", "noop_ns"),
            ("first_call_fresh_thread_median_ns", "first_call_fresh_thread_median_ns"))  # fmt: skip


def paired_with_crate(crate_too: bool) -> tuple[dict, dict | None]:
    """(a)'s figures and (c)'s, from PAIRS turns of the two binaries: each figure the
    median of its runs, and each case's a/c the median of its per-pair ratios (under
    "vs_crate"). (c) is None when its baseline cannot run."""
    runs: list[tuple[dict, dict]] = []
    for _ in range(PAIRS if crate_too else 1):
        o = ours()
        c = crate() if crate_too else None
        if c is None:
            return {**o, "runs": 1}, None
        runs.append((o, c))
    mine, theirs = [o for o, _ in runs], [c for _, c in runs]
    o = medians(mine, (*(k for k in mine[-1] if k.endswith("_ns")), *AB_RATIOS))
    o["runs"] = len(runs)
    o["vs_crate"] = {a: statistics.median(r[0][a] / r[1][b] for r in runs) for a, b in VS_CRATE}
    return o, medians(theirs, tuple(k for k in theirs[-1] if k.endswith("_ns")))


def main() -> int:
    o, c = paired_with_crate("--no-crate" not in sys.argv[1:])
    ins = instructions()
    print(machine_line())
    print()
    print(table(o, c, ins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
