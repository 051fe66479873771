"""`python -m bench.shm_paths`: every call path on one IDL (bench/shm_paths/idl/paths.rs),
side by side in one run, small (64 B) and 4 KiB payloads:

  cgo sync      generated binding, one cgo call per call
  cgo async     generated async binding; 1000 tokio tasks on 2 workers
  shm in-proc   generated RingShm::in_process_with(256 slots, 8 KiB + 8 KiB)
  shm x-proc    the same, connected by name to the generated `--go-server` process
  shm owned     shm in-proc's async call with an owned argument (`Msg`, not `&Msg`): Go
                gives each call's request copy to the handler to keep (throughput only)
  UDS + JSON    Go client and Go server processes, encoding/json over a Unix socket
  floor         two Rust threads spinning on a cache line each way (the physical floor)
  hand-off      reference: the async client's calls answered by a plain Rust thread
  tokio alone   ceiling: the async client with nothing answering (each call one yield)

Latency p50/p99: one caller, one call at a time (shm: the sync method). calls/s: the
path's concurrent form (sync: 2 threads; async: 1000 tasks; UDS: 16 connections), and for
the async paths a pipelined client too (2 tasks x 128 calls in flight). Every reply is
checked. Every path runs BENCH_SHM_ROUNDS times (default 3), the paths taking turns, and
each figure is the median of its rounds: on these shared machines one run of one path can
land in a slow spell (p50 moves 1.5x between back-to-back runs), and taking turns spreads
such spells over every path. BENCH_SHM_SECONDS (default 1) per phase. The p50 goal
(in-process shm within 2.5x of the floor) is judged on its own paired run first:
BENCH_SHM_PAIR_ROUNDS (default 41) pairs of 0.1 s floor and shm phases back to back, each
shm p50 divided by the floor p50 beside it. The in-process paths' 1000-task phase also
reports the CPU its threads spent per call, by role (tokio workers, the callee's threads,
the shm completion reader; /proc/self/task/*/schedstat). Prints a markdown section.
BENCH_SHM_TASKS_ONLY=1 makes the Rust binary run the 1000-task throughput phase only
(no latency or pipelined figures, so no judgement of the latency goals);
`python -m bench.shm_paths_ab` uses it to compare a transport change with what is
committed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bench.machine import markdown as machine_line
from bench.rounds import medians

ROOT = Path(__file__).resolve().parent.parent
CRATE = ROOT / "bench" / "shm_paths"
WORK = ROOT / ".cache" / "bench_shm_paths"  # the server and UDS builds (not committed)
SIZES = (("64 B", 64), ("4 KiB", 4096))
SECS = os.environ.get("BENCH_SHM_SECONDS", "1")
TASKS_ONLY = os.environ.get("BENCH_SHM_TASKS_ONLY") == "1"  # read by the Rust binary too
ROUNDS = int(os.environ.get("BENCH_SHM_ROUNDS", "3"))
ROLES = ("workers", "callee", "reader")
CPU = tuple(f"{kind}_{role}_ns" for kind in ("cpu", "wait") for role in ROLES)
FIGURES = ("p50_ns", "p99_ns", "calls_per_s", "pipelined_per_s", *CPU)
UDS_CONNECTIONS = 16
# The p50 goal's paired run (main.rs `shm-pairs`): floor and shm phases back to back.
PAIR_ROUNDS = int(os.environ.get("BENCH_SHM_PAIR_ROUNDS", "41"))
PAIR_SECS = "0.1"
GEOMETRY = ["-slots", "256", "-request-capacity", "8192", "-response-capacity", "8192"]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("CARGO_TARGET_DIR", str(ROOT / ".cache" / "cargo-target"))
    e.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))
    e.setdefault("GOFLAGS", "-mod=mod")
    return e


def check(cmd: list[str], cwd: Path, timeout: float = 600) -> str:
    r = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, check=False,
                       timeout=timeout)  # fmt: skip
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return r.stdout


def build(
    crate: Path = CRATE,
    work: Path = WORK,
    r2g: list[str] | None = None,
    target: Path | None = None,
    uds: bool = True,
) -> tuple[Path, Path, Path | None]:
    """The bench binary, the Go server and the UDS baseline (None without `uds`), from
    the bench crate `crate` with `r2g` (default: this tree's `rust2go generate`); the
    server and the baseline under `work`, cargo's output in `target` (default: the shared
    target dir)."""
    r2g = r2g or [sys.executable, "-m", "rust2go", "generate"]
    check([*r2g, "idl/paths.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs",
           "--build-helper", "r2g_build.rs"], crate)  # fmt: skip
    target = target or Path(env()["CARGO_TARGET_DIR"])
    check(["cargo", "build", "--release", "--quiet", "--target-dir", str(target)], crate)
    server = work / "server"
    server.mkdir(parents=True, exist_ok=True)
    for f in ("go.mod", "impl.go"):
        (server / f).write_bytes((crate / "go" / f).read_bytes())
    check([*r2g, str(crate / "idl" / "paths.rs"), "--go-out", "gen.go", "--without-main",
           "--go-server", "main.go"], server)  # fmt: skip
    check(["go", "build", "-o", "server", "."], server)
    baseline = None
    if uds:
        baseline = work / "uds"
        check(["go", "build", "-o", str(baseline), "."], crate / "uds")
    return target / "release" / "r2g_bench_shm_paths", server / "server", baseline


class Serving:
    """A server process that prints `serving NAME` once ready; SIGTERM on exit."""

    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env())
        line = self.proc.stdout.readline().strip()
        if not line.startswith("serving"):
            self.proc.kill()
            raise SystemExit(f"{argv[0]} did not start: {line!r}")

    def __enter__(self) -> Serving:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def measure() -> tuple[list[dict], dict]:
    binary, server, uds = build()
    rows = []
    pairs = {}
    if not TASKS_ONLY:
        out = check([str(binary), "shm-pairs", str(SIZES[0][1]), PAIR_SECS, str(PAIR_ROUNDS)],
                    CRATE)  # fmt: skip
        pairs = json.loads(out.strip().splitlines()[-1])
    name = f"/r2g-{os.getpid()}-benchpaths"
    sock = str(WORK / f"uds-{os.getpid()}.sock")
    for label, size in SIZES:

        def rust(path: str, *extra: str, size: int = size) -> dict:
            out = check([str(binary), path, str(size), SECS, *extra], CRATE)
            return json.loads(out.strip().splitlines()[-1])

        def uds_call(size: int = size) -> dict:
            out = check([str(uds), "call", sock, str(size), SECS, str(UDS_CONNECTIONS)], CRATE)
            return {**json.loads(out.strip().splitlines()[-1]),
                    "concurrency": f"{UDS_CONNECTIONS} connections"}  # fmt: skip

        runs: dict[str, list[dict]] = {}
        with Serving([str(server), *GEOMETRY, name]), Serving([str(uds), "serve", sock]):
            for _ in range(ROUNDS):
                for path, run in (("cgo-sync", lambda: rust("cgo-sync")),
                                  ("cgo-async", lambda: rust("cgo-async")),
                                  ("shm-inproc", lambda: rust("shm-inproc")),
                                  ("shm-xproc", lambda: rust("shm-xproc", name)),
                                  ("shm-owned", lambda: rust("shm-owned")),
                                  ("uds-json", uds_call),
                                  ("handoff", lambda: rust("handoff")),
                                  ("tokio-alone", lambda: rust("tokio-alone")),
                                  ("floor", lambda: rust("floor"))):  # fmt: skip
                    if path == "floor" and size != SIZES[0][1]:
                        continue
                    runs.setdefault(path, []).append(run())
        results = {path: medians(rs, FIGURES) for path, rs in runs.items()}
        if size != SIZES[0][1]:
            results["floor"] = results_floor(rows)
        for path, r in results.items():
            rows.append({"path": path, "payload": label, **r})
    return rows, pairs


def results_floor(rows: list[dict]) -> dict:
    """The floor moves no payload: measured once, shown in both payload groups."""
    r = next(r for r in rows if r["path"] == "floor")
    return {k: r[k] for k in ("p50_ns", "p99_ns", "calls_per_s", "concurrency")}


NAMES = {"cgo-sync": "cgo sync", "cgo-async": "cgo async", "shm-inproc": "shm in-process",
         "shm-xproc": "shm cross-process", "shm-owned": "shm in-process, owned argument",
         "uds-json": "UDS + JSON (Go↔Go)",
         "floor": "spinning ping-pong (floor)", "handoff": "Rust thread hand-off (reference)",
         "tokio-alone": "tokio alone, no callee (ceiling)"}  # fmt: skip


def us(ns: float) -> str:
    if not ns:
        return "—"  # a throughput-only reference path
    return f"{ns / 1000:.2f}" if ns < 10_000 else f"{ns / 1000:.0f}"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


CPU_PATHS = ("handoff", "cgo-async", "shm-inproc", "tokio-alone")


def cpu_table(rows: list[dict]) -> list[str]:
    """Where the two CPUs go during the 1000-task phase, in ns per call by thread role
    (in-process paths: a cross-process callee's threads are not this process's)."""
    label = SIZES[0][0]
    g = {r["path"]: r for r in rows if r["payload"] == label and "cpu_workers_ns" in r}
    if not all(p in g for p in CPU_PATHS):
        return []
    out = [f"CPU per call during the 1000-task phase, {label} (each thread's time on a CPU and "
           "time runnable but waiting for one, from /proc/self/task/*/schedstat over the phase, "
           "divided by the calls it completed; median of the rounds):", "",
           "| path | calls/s | tokio workers ns | callee threads ns | completion reader ns "
           "| total ns | workers waiting for a CPU ns |",
           "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for path in CPU_PATHS:
        r = g[path]
        cpu = [r[f"cpu_{role}_ns"] for role in ROLES]
        out.append(f"| {NAMES[path]} | {r['calls_per_s']:,.0f} | {cpu[0]:.0f} | {cpu[1]:.0f} | "
                   f"{cpu[2]:.0f} | {sum(cpu):.0f} | {r['wait_workers_ns']:.0f} |")  # fmt: skip
    h, s = g["handoff"], g["shm-inproc"]
    out += ["", "The callee threads are Go's (the shm poller, Go's scheduler and collector) or the "
            "hand-off's one thread. Both CPUs are nearly always busy, so calls/s is close to two "
            "CPU-seconds per second over the total per call: the callee's share is "
            "taken from the callers, and what a transport has to cut is that total, callee "
            f"included (here Go's threads spend {s['cpu_callee_ns']:.0f} ns per shm call, the "
            f"hand-off thread {h['cpu_callee_ns']:.0f} ns).", ""]  # fmt: skip
    return out


def markdown(rows: list[dict], pairs: dict) -> str:
    out = [machine_line(), "",
           "| path | payload | p50 µs | p99 µs | calls/s | concurrency (calls/s) | pipelined calls/s |",
           "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        piped = f"{r['pipelined_per_s']:,.0f}" if r.get("pipelined_per_s") else "—"
        out.append(f"| {NAMES[r['path']]} | {r['payload']} | {us(r['p50_ns'])} | "
                   f"{us(r['p99_ns'])} | {r['calls_per_s']:,.0f} | {r['concurrency']} | {piped} |")  # fmt: skip
    out.append("")
    for label, _ in SIZES:
        g = {r["path"]: r for r in rows if r["payload"] == label}
        cps = {path: r["calls_per_s"] for path, r in g.items()}
        a, x = ratio(cps["shm-inproc"], cps["cgo-async"]), ratio(cps["shm-xproc"], cps["uds-json"])
        f = ratio(g["shm-inproc"]["p50_ns"], g["floor"]["p50_ns"])
        pa = ratio(g["shm-inproc"]["pipelined_per_s"], g["cgo-async"]["pipelined_per_s"])
        h_cgo, h_uds = (
            ratio(cps["handoff"], cps["cgo-async"]),
            ratio(cps["handoff"], cps["uds-json"]),
        )
        hi, hx = ratio(cps["shm-inproc"], cps["handoff"]), ratio(cps["shm-xproc"], cps["handoff"])
        f99 = ratio(g["shm-inproc"]["p99_ns"], g["floor"]["p99_ns"])
        out += [
            f"- {label}: shm in-process / Rust thread hand-off throughput = **{hi:.2f}×** "
            f"(goal ≥ 1.0×: {'met' if hi >= 1 else 'not met'})",
            f"- {label}: shm cross-process / Rust thread hand-off throughput = **{hx:.2f}×** "
            f"(goal ≥ 1.0×: {'met' if hx >= 1 else 'not met'})",
            f"- {label}: shm in-process with an owned argument (Go keeps each request copy) / "
            f"Rust thread hand-off throughput = {ratio(cps['shm-owned'], cps['handoff']):.2f}×",
            f"- {label}: shm in-process / cgo async throughput = {a:.2f}×; shm cross-process / "
            f"UDS + JSON = {x:.2f}×",
            *([] if TASKS_ONLY else
              [f"- {label}: shm in-process / cgo async, pipelined client on both = {pa:.2f}×"]),
            f"- {label}: the references: the Rust thread hand-off (no Go, no shared memory, no "
            f"codec) reaches {h_cgo:.2f}× cgo async and {h_uds:.1f}× UDS + JSON; tokio alone "
            f"(each call one yield, nothing answers) {ratio(cps['tokio-alone'], cps['cgo-async']):.2f}× "
            "cgo async",
            *([] if TASKS_ONLY else
              [f"- {label}: shm in-process p50 / spinning floor p50, from the table = {f:.2f}×"
               + ("" if label == SIZES[0][0] else
                  " — the floor moves no payload, so this one only shows what 4 KiB costs")]),
        ]  # fmt: skip
        if label == SIZES[0][0] and not TASKS_ONLY:
            m = pairs["median_of_ratios"]
            out.append(
                f"- {label}: shm in-process p99 / spinning floor p99, from the table = "
                f"**{f99:.2f}×** (goal ≤ 5×: {'met' if f99 <= 5 else 'not met'})"
            )
            out.append(
                f"- {label}: shm in-process p50 / spinning floor p50, paired = **{m:.2f}×** "
                f"(goal ≤ 2.5×: {'met' if m <= 2.5 else 'not met'}): the median over "
                f"{pairs['rounds']} back-to-back pairs of {PAIR_SECS} s phases of each pair's "
                f"ratio (medians {pairs['shm_p50_ns']:.0f} ns / {pairs['floor_p50_ns']:.0f} ns "
                f"= {pairs['ratio_of_medians']:.2f}×)")  # fmt: skip
    paired_why = (
        " The goal's p50 ratio is paired because this VM's vCPUs move between host cores: the "
        f"floor's p50 alone moved between {pairs['floor_min_ns']:.0f} and "
        f"{pairs['floor_max_ns']:.0f} ns over the {pairs['rounds']} paired phases of this run, "
        "and a ratio of figures taken seconds apart measures that move as much as the transport."
        if pairs
        else ""
    )
    out += ["", *cpu_table(rows), f"Each figure is the median of {ROUNDS} rounds, the paths taking turns; each phase {SECS} s; the UDS baseline is Go on both sides (encoding/json, "
            "newline-delimited), the floor is Rust (std atomics). The sync shm caller polls the "
            "completion ring for 50 µs, then parks. Pipelined client: 2 tokio tasks each keeping "
            f"128 calls in flight (FuturesUnordered), the same for cgo async and shm. At 4 KiB "
            "both sides' checksum (the proof each side read every byte: 8-byte words folded with "
            "a multiply each) dominates, and on the shm paths each payload is also copied out "
            "and its cell's check64 computed by writer and reader. The shm trait takes its argument "
            "borrowed (`req: &Msg`): Go's handler reads its checked copy of the request in place and "
            "the next call reuses that copy, as the cgo paths' Go side reads Rust memory in place. "
            "*shm in-process, owned argument* takes `req: Msg`: Go gives each call's copy to the "
            "handler to keep, so every call allocates it and Go's collector frees it later (the "
            "in-process callee runs at Go's default GOGC). Latency times the call only; the caller checks each "
            "reply after its timing." + paired_why,
            "",
            "The two reference rows: *Rust thread hand-off* (the throughput goals' baseline): the same 1000 tasks and checks, each call queued (one locked Vec, "
            "taken whole per look) to a plain Rust thread that answers through a tokio oneshot; "
            "it spins 50 µs when idle, then parks. It is what a call answered on another thread "
            "costs here with a simple queue and no layout, codec or Go runtime to carry: a "
            "reference, not a bound (a transport can beat it, e.g. where the checksum dominates "
            "and its one thread is the bottleneck). *tokio alone*: each call is one `yield_now` "
            "and the reply is computed in the task; no other thread takes part, so no async path "
            "can exceed it. p50/p99 are not measured for either (—)."]  # fmt: skip
    return "\n".join(out)


def main() -> int:
    print(markdown(*measure()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
