"""`python -m bench.shm_paths_ab [REV]`: an A/B of the shared-memory transport on the
throughput rows of bench.shm_paths (shm in and across processes, 1000 tokio tasks, 64 B
and 4 KiB) against the Rust thread hand-off, for two builds of bench/shm_paths:

  before  the shm support files (codegen/support/rust/shm/, codegen/support/go/shm/) as
          at REV (default HEAD)
  after   the working tree

Everything else (templates, the rest of the runtime, the bench itself) is the working
tree's in both, so the difference is the transport change alone. The three take turns
every round (BENCH_SHM_ROUNDS, default 8; BENCH_SHM_SECONDS per run, default 1), each run
in the throughput-only mode (BENCH_SHM_TASKS_ONLY). Each round gives calls/s, and calls
per CPU-second of every process taking part (the bench and, across processes, the
server), which other load on a shared machine moves less; both are divided by the
hand-off's of the same round, and the table holds the medians of those per-round ratios
(and of the calls/s). Not a `make bench` section: a tool for deciding what to keep."""

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
SHM_SUPPORT = ("codegen/support/rust/shm", "codegen/support/go/shm")
# rust2go generate with render.SUPPORT pointed at the variant's support tree.
GENERATE = ("import runpy, sys, pathlib; import rust2go.codegen.emit.render as r; "
            "r.SUPPORT = pathlib.Path(sys.argv.pop(1)); sys.argv[0] = 'rust2go'; "
            "runpy.run_module('rust2go', run_name='__main__')")  # fmt: skip


def support_tree(name: str, rev: str | None) -> Path:
    """codegen/support as in the working tree; with `rev`, its shm files as at rev."""
    tree = WORK / name / "support"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(ROOT / "codegen" / "support", tree)
    if rev is not None:
        files = check(["git", "ls-tree", "-r", "--name-only", rev, *SHM_SUPPORT], ROOT).split()
        for f in files:
            text = subprocess.run(["git", "show", f"{rev}:{f}"], cwd=ROOT, capture_output=True,
                                  check=True).stdout  # fmt: skip
            (tree / f.removeprefix("codegen/support/")).write_bytes(text)
    return tree


def build(name: str, rev: str | None) -> tuple[Path, Path]:
    """The bench binary and the Go server of one variant."""
    tree = support_tree(name, rev)
    crate = WORK / name / "crate"
    shutil.rmtree(crate, ignore_errors=True)
    shutil.copytree(CRATE, crate, ignore=shutil.ignore_patterns("target"))
    binary, server, _ = build_variant(crate, WORK / name, [sys.executable, "-c", GENERATE, str(tree),
                                      "generate"], WORK / name / "target", uds=False)  # fmt: skip
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


def measure(rev: str) -> dict[tuple[int, str], list[tuple[float, float]]]:
    variants = {"before": build("before", rev), "after": build("after", None)}
    runs: dict[tuple[int, str], list[tuple[float, float]]] = {}
    servers = {name: Serving([str(server), *GEOMETRY, f"/r2g-{os.getpid()}-ab{name}"])
               for name, (_, server) in variants.items()}  # fmt: skip
    try:
        for r in range(ROUNDS):
            for _, size in SIZES:
                order = list(variants) if r % 2 == 0 else list(variants)[::-1]
                first = variants[order[0]][0]
                runs.setdefault((size, "handoff"), []).append(run(first, "handoff", size, None, None))
                for name in order:
                    binary, pid = variants[name][0], servers[name].proc.pid
                    for path, seg in (("shm-inproc", None), ("shm-xproc", f"/r2g-{os.getpid()}-ab{name}")):
                        got = run(binary, path, size, seg, pid if seg else None)
                        runs.setdefault((size, f"{path} {name}"), []).append(got)
            print(f"round {r + 1}/{ROUNDS} done", file=sys.stderr, flush=True)
    finally:
        for s in servers.values():
            s.__exit__()
    return runs


def markdown(runs: dict[tuple[int, str], list[tuple[float, float]]], rev: str) -> str:
    out = [f"shm A/B: before = shm support files at {rev}, after = working tree; {ROUNDS} rounds "
           f"of {SECS} s runs, 1000 tokio tasks", "",
           "| payload | path | calls/s | / hand-off | calls per CPU-s | / hand-off |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for label, size in SIZES:
        base = runs[(size, "handoff")]
        for (s, key), got in runs.items():
            if s != size:
                continue
            ratio = [statistics.median(g[i] / b[i] for g, b in zip(got, base, strict=True)) for i in (0, 1)]
            med = [statistics.median(g[i] for g in got) for i in (0, 1)]
            out.append(f"| {label} | {key} | {med[0]:,.0f} | {ratio[0]:.2f}× | {med[1]:,.0f} | "
                       f"{ratio[1]:.2f}× |")  # fmt: skip
    return "\n".join(out)


def main() -> int:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    print(markdown(measure(rev), rev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
