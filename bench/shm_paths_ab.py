"""`python -m bench.shm_paths_ab [REV]`: an A/B of the shared-memory transport on the
throughput rows of bench.shm_paths (shm in and across processes, 1000 tokio tasks, 64 B
and 4 KiB) against the Rust thread hand-off, for two builds of bench/shm_paths:

  before  the code generator and runtime as at REV (default HEAD): the whole tree at REV,
          so a change of the shared-memory layout compares too
  after   the working tree

Both build this tree's bench crate (bench/shm_paths), so the difference is the change of
the generated binding alone. The three take turns every round (BENCH_SHM_ROUNDS, default
8; BENCH_SHM_SECONDS per run, default 1), each run in the throughput-only mode
(BENCH_SHM_TASKS_ONLY). Each round gives calls/s, and calls per CPU-second of every process
taking part (the bench and, across processes, the server), which other load on a shared
machine moves less; both are divided by the hand-off's of the same round, and the table
holds the medians of those per-round ratios (and of the calls/s). BENCH_SHM_AB_PAIRS=N
(default 0) adds N alternations of the paired p50 run (`shm-pairs`, 15 pairs of 0.1 s
each) of the two builds. Not a `make bench` section: a tool for deciding what to keep."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench.shm_paths import CRATE, GEOMETRY, ROOT, SECS, SIZES, Serving, check, env
from bench.shm_paths import build as build_variant

WORK = ROOT / ".cache" / "bench_shm_paths_ab"
ROUNDS = int(os.environ.get("BENCH_SHM_ROUNDS", "8"))
PAIRS = int(os.environ.get("BENCH_SHM_AB_PAIRS", "0"))
# setup.py's package-dir: the import name each top-level folder is installed under.
PACKAGES = ("codegen", "daemon", "loadtest", "migrate", "runtime", "shm")


def tree_at(name: str, rev: str) -> tuple[Path, Path]:
    """The tree at `rev` (a git archive) and a folder that makes it importable as
    `rust2go` (put first on PYTHONPATH): rust2go/ with its sibling folders linked in."""
    tree, pkg = WORK / name / "tree", WORK / name / "pkg"
    shutil.rmtree(WORK / name, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for folder in PACKAGES:
        (tree / "rust2go" / folder).symlink_to(tree / folder)
    pkg.mkdir()
    (pkg / "rust2go").symlink_to(tree / "rust2go")
    return tree, pkg


def build(name: str, rev: str | None) -> tuple[Path, Path]:
    """The bench binary and the Go server of one variant (rev None: the working tree)."""
    generate = [sys.executable, "-m", "rust2go", "generate"]
    crate = WORK / name / "crate"
    if rev is None:
        shutil.rmtree(WORK / name, ignore_errors=True)
    else:
        _, pkg = tree_at(name, rev)
        generate = ["env", f"PYTHONPATH={pkg}", *generate]
    shutil.copytree(CRATE, crate, ignore=shutil.ignore_patterns("target"))
    binary, server, _ = build_variant(
        crate, WORK / name, generate, WORK / name / "target", uds=False
    )
    return binary, server


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(binary: Path, path: str, size: int, segment: str | None, server_pid: int | None
        ) -> tuple[float, float]:  # fmt: skip
    """(calls/s, calls per CPU-second) of one throughput run."""
    before = cpu_seconds(server_pid) if server_pid else 0.0
    extra = [segment] if segment else []
    e = {**env(), "BENCH_SHM_TASKS_ONLY": "1"}
    proc = subprocess.Popen([str(binary), path, str(size), SECS, *extra], cwd=binary.parent,
                            env=e, stdout=subprocess.PIPE, text=True)  # fmt: skip
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{binary} {path} {size} failed ({status}):\n{out[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime + (cpu_seconds(server_pid) - before if server_pid else 0)
    rate = json.loads(out.strip().splitlines()[-1])["calls_per_s"]
    return rate, rate * float(SECS) / cpu


def measure(rev: str) -> tuple[dict[tuple[int, str], list[tuple[float, float]]], dict[str, Path]]:
    variants = {"before": build("before", rev), "after": build("after", None)}
    runs: dict[tuple[int, str], list[tuple[float, float]]] = {}
    servers = {name: Serving([str(server), *GEOMETRY, f"/r2g-{os.getpid()}-ab{name}"])
               for name, (_, server) in variants.items()}  # fmt: skip
    try:
        for r in range(ROUNDS):
            for _, size in SIZES:
                order = list(variants) if r % 2 == 0 else list(variants)[::-1]
                first = variants[order[0]][0]
                runs.setdefault((size, "handoff"), []).append(
                    run(first, "handoff", size, None, None)
                )
                for name in order:
                    binary, pid = variants[name][0], servers[name].proc.pid
                    for path, seg in (
                        ("shm-inproc", None),
                        ("shm-xproc", f"/r2g-{os.getpid()}-ab{name}"),
                    ):
                        got = run(binary, path, size, seg, pid if seg else None)
                        runs.setdefault((size, f"{path} {name}"), []).append(got)
            print(f"round {r + 1}/{ROUNDS} done", file=sys.stderr, flush=True)
    finally:
        for s in servers.values():
            s.__exit__()
    return runs, {name: binary for name, (binary, _) in variants.items()}


def markdown(runs: dict[tuple[int, str], list[tuple[float, float]]], rev: str) -> str:
    out = [f"shm A/B: before = the tree at {rev}, after = the working tree; {ROUNDS} rounds "
           f"of {SECS} s runs, 1000 tokio tasks", "",
           "| payload | path | calls/s | / hand-off | calls per CPU-s | / hand-off |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for label, size in SIZES:
        base = runs[(size, "handoff")]
        for (s, key), got in runs.items():
            if s != size:
                continue
            ratio = [
                statistics.median(g[i] / b[i] for g, b in zip(got, base, strict=True))
                for i in (0, 1)
            ]
            med = [statistics.median(g[i] for g in got) for i in (0, 1)]
            out.append(f"| {label} | {key} | {med[0]:,.0f} | {ratio[0]:.2f}× | {med[1]:,.0f} | "
                       f"{ratio[1]:.2f}× |")  # fmt: skip
    return "\n".join(out)


def pairs(binaries: dict[str, Path]) -> str:
    """PAIRS alternations of each build's paired p50 run: shm p50 / floor p50, per run."""
    got: dict[str, list[dict]] = {name: [] for name in binaries}
    for _ in range(PAIRS):
        for name, binary in binaries.items():
            out = check([str(binary), "shm-pairs", "64", "0.1", "15"], CRATE)
            got[name].append(json.loads(out.strip().splitlines()[-1]))
    rows = ["", f"p50, 64 B, {PAIRS} alternations of 15 pairs each (median over the runs)", "",
            "| build | shm p50 | floor p50 | shm / floor (median of the runs' ratios) |",
            "|---|---:|---:|---:|"]  # fmt: skip
    for name, runs in got.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("shm_p50_ns", "floor_p50_ns",
                                                                   "median_of_ratios")}  # fmt: skip
        rows.append(f"| {name} | {med['shm_p50_ns']:.0f} ns | {med['floor_p50_ns']:.0f} ns | "
                    f"{med['median_of_ratios']:.2f}× |")  # fmt: skip
    return "\n".join(rows)


def main() -> int:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    runs, binaries = measure(rev)
    print(markdown(runs, rev) + (pairs(binaries) if PAIRS else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
