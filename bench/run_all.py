"""`make bench`: run every benchmark in one go and rewrite BENCHMARKS.md.

Each benchmark is a module run as `python -m bench.<name>`; it prints a markdown section
(a heading, a table of ours vs the baseline measured side by side in the same run, and
the ratio). A benchmark that fails is reported as failed in the file, not silently left
out. Figures from different runs are never mixed: the whole file is rewritten."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.machine import markdown as machine_line

ROOT = Path(__file__).resolve().parent.parent

# (module, title). Order: cheap first.
BENCHES = [
    ("parse_check", "Front end: parse + check"),
    ("shm_roundtrip", "Shared memory: Python caller ↔ Python callee"),
    ("watch_latency", "Watch daemon: save → outputs written"),
    ("cgo_sync", "Sync calls: generated binding vs hand-written cgo vs the rust2go crate"),
    ("cgo_async", "Async calls: generated binding vs the rust2go crate (1000 tokio tasks)"),
    ("g2r", "Go→Rust calls: generated binding vs hand-written cgo vs the rust2go crate"),
    ("shm_paths", "Every call path on one IDL: cgo, shm in/cross-process, UDS + JSON, floor"),
    ("ring_protocols", "The ring protocol alone: two threads, no layout, codec or Go"),
    ("shm_interop", "Shared-memory interop pairs, 1,000,000 exactly-once calls each"),
    ("idle_cpu", "Shared-memory peers at rest: CPU when idle"),
    ("loadtest_paths", "Every call path under load (rust2go loadtest)"),
]


def run_one(module: str, timeout: float = 1800) -> tuple[bool, str, float]:
    if not (ROOT / "bench" / f"{module}.py").exists():
        return False, "_not available yet (no bench script)_\n", 0.0
    t0 = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-m", f"bench.{module}"], cwd=ROOT,
                           capture_output=True, text=True, timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        return False, f"_timed out after {timeout:.0f} s_\n", time.monotonic() - t0
    took = time.monotonic() - t0
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-15:])
        return False, f"_failed (exit {r.returncode}):_\n\n```\n{tail}\n```\n", took
    return True, r.stdout.strip() + "\n", took


def main() -> int:
    only = set(sys.argv[1:])
    sections = []
    failed = 0
    for module, title in BENCHES:
        if only and module not in only:
            continue
        print(f"== {module} …", flush=True)
        ok, body, took = run_one(module)
        failed += not ok
        sections.append(f"## {title}\n\n`python -m bench.{module}` ({took:.0f} s)\n\n{body}")
        print(body, flush=True)
    text = (
        "# Benchmarks\n\n"
        "Written by `make bench` (bench/run_all.py); every figure below comes from one run on\n"
        "one machine, and every ratio compares against a baseline measured in that same run.\n"
        "These machines are shared and noisy: read ratios, not absolutes.\n\n"
        f"{machine_line()}\n\n" + "\n".join(sections)
    )
    (ROOT / "BENCHMARKS.md").write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
