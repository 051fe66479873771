"""`rust2go watch` latency: save → outputs written, p50/p95 over 200 saves of a typical
IDL (the daemon's 50 ms quiet window included, as a user experiences it), and regeneration
time for the generated 1000-struct IDL (bench/idl_gen.py): one struct edited per save, and
generate() on it cold (nothing cached) and warm. Goals: p95 ≤ 100 ms on the typical IDL,
≤ 1 s on the 1000-struct one; generate() cold ≤ 0.5 s unformatted, ≤ 1.0 s formatted.
Prints markdown.

    .venv/bin/python -m bench.watch_latency [--saves 200] [--poll]

The daemon runs as a real subprocess; the outputs are observed with an inotify watch of
our own, so the figure is what an editor plugin or `go build` would see.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from bench.idl_gen import big_idl
from bench.machine import facts
from rust2go.codegen.api import GenerateOptions, generate
from rust2go.codegen.emit.files import FORMATTED
from rust2go.daemon.watcher import hold_back_no_moves

TYPICAL = """pub mod binding {{
    rust2go::r2g_include_binding!();
}}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct LoginRequest {{
    pub user: String,
    pub password: String,
    pub attempt{n}: u32,
}}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct LoginResponse {{
    pub succ: bool,
    pub message: String,
    pub token: Vec<u8>,
}}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct User {{
    pub id: u32,
    pub name: String,
    pub friends: Vec<u32>,
}}

#[rust2go::r2g]
pub trait DemoCall {{
    fn login(req: &LoginRequest) -> LoginResponse;
    fn user(id: u32) -> User;
    fn logout(user: String);
}}
"""


class OutputSeen(FileSystemEventHandler):
    """Sets an event when `target` is replaced (the daemon's os.replace is a move)."""

    def __init__(self, target: Path):
        self.target, self.seen = str(target), threading.Event()

    def on_any_event(self, event) -> None:
        if self.target in (event.src_path, event.dest_path) and event.event_type in (
            "moved", "created", "modified", "closed",
        ):  # fmt: skip
            self.seen.set()


def save(path: Path, text: str) -> None:
    tmp = path.with_name(".user.rs.bench.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def start_daemon(root: Path, poll: bool) -> subprocess.Popen:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(root / "run")}
    (root / "run").mkdir()
    args = [sys.executable, "-m", "rust2go", "watch", "--json"] + (["--poll"] if poll else [])
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    for line in proc.stdout:  # wait for the first generation
        if '"event": "ready"' in line:
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    return proc


def measure(root: Path, go: Path, texts: list[str], timeout: float = 30.0) -> list[float]:
    hold_back_no_moves()  # our observer sees the daemon's rename as promptly as the daemon
    handler = OutputSeen(go)
    observer = Observer()
    observer.schedule(handler, str(go.parent))
    observer.start()
    latencies = []
    try:
        for text in texts:
            handler.seen.clear()
            t0 = time.perf_counter()
            save(root / "user.rs", text)
            if not handler.seen.wait(timeout):
                raise SystemExit(f"no output within {timeout} s (is the daemon running?)")
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.02)  # let stray events of this save pass before the next one
    finally:
        observer.stop()
        observer.join()
    return latencies


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def machine_facts() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return ", ".join(f"{k} {v}" for k, v in facts().items()) + f", load average {load}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=200)
    ap.add_argument("--poll", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="r2g-bench-", dir="/tmp") as tmp:
        root = Path(tmp)
        (root / "rust2go.toml").write_text(
            '[[input]]\nidl = "user.rs"\ngo = "gen.go"\nrust = "gen.rs"\n'
        )
        (root / "user.rs").write_text(TYPICAL.format(n=0))
        daemon = start_daemon(root, args.poll)
        try:
            lat = measure(
                root, root / "gen.go", [TYPICAL.format(n=i) for i in range(1, args.saves + 1)]
            )
            rows.append(("save → outputs, typical IDL (3 structs, 3 methods)", len(lat), lat))
            big = big_idl()
            measure(root, root / "gen.go", [big], timeout=120)  # the switch to it: cold
            lat_big = measure(root, root / "gen.go", edits(big, 10), timeout=120)
            rows.append(("save → outputs, 1000 structs / 200 methods, one struct edited",
                         len(lat_big), lat_big))  # fmt: skip
        finally:
            daemon.terminate()
            daemon.wait(10)
        path = root / "big.rs"
        path.write_text(big_idl())
        generate(path, GenerateOptions())  # warm-up (grammar, templates)
        for fmt, cold in ((True, True), (True, False), (False, True)):
            regen = []
            for _ in range(5):
                if cold:
                    FORMATTED.clear()
                t0 = time.perf_counter()
                generate(path, GenerateOptions(fmt=fmt))
                regen.append(time.perf_counter() - t0)
            what = ("with gofmt+rustfmt" if fmt else "fmt = false") + (
                ", cold (nothing cached)" if cold else ", warm (every piece cached)"
            )
            rows.append((f"generate() only, 1000 structs / 200 methods, {what}", 5, regen))

    mode = "poll" if args.poll else "inotify"
    print(f"### rust2go watch latency ({mode}, debounce 50 ms)\n")
    print(f"Machine: {machine_facts()}\n")
    print("| what | n | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    for name, n, xs in rows:
        print(f"| {name} | {n} | {statistics.median(xs) * 1e3:.0f} ms "
              f"| {percentile(xs, 95) * 1e3:.0f} ms | {max(xs) * 1e3:.0f} ms |")  # fmt: skip
    print()
    goals = ((0, "p95, typical IDL", 95, 100), (1, "p95, 1000 structs, one struct edited", 95, 1000),
             (2, "generate() cold, formatted, median", 50, 1000),
             (4, "generate() cold, unformatted, median", 50, 500))  # fmt: skip
    for row, what, pct, goal in goals:
        got = percentile(rows[row][2], pct) * 1e3
        print(f"Goal {what} ≤ {goal} ms: {'met' if got <= goal else 'NOT met'} ({got:.0f} ms)  ")


def edits(text: str, n: int) -> list[str]:
    """`n` saves of `text`, each with a field added to one struct (another one each time,
    so every save changes what the last one wrote)."""
    out = []
    for i in range(n):
        head, sep, rest = text.partition(f"pub struct S{100 + 50 * i} {{\n")
        out.append(f"{head}{sep}    pub added: u{8 << (i % 4)},\n{rest}")
    return out


if __name__ == "__main__":
    main()
