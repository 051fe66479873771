"""Baseline for the cgo benchmarks: the ORIGINAL `rust2go` crate (crates.io) on the
shared IDL bench/idl/bench.rs, built and run on this machine.

Run from the repo root: `python -m bench.baseline_crate` (prints one JSON object).
A combined runner imports it: `from bench.baseline_crate import run; figures = run()`.

What it does:
1. Makes sure libclang is installed (the crate's build.rs runs bindgen): if no libclang.so is
   found, `apt-get update` once, then `apt-get install -y libclang-dev clang`, quietly.
2. `cargo build --release` of bench/rust2go_crate with CARGO_TARGET_DIR=.cache/cargo-target and
   GOCACHE=.cache/go-build (shared with the rest of the project). Its build.rs uses the crate's
   Builder: regenerates go/gen.go from the IDL with the crate's own generator, `go build
   -buildmode=c-archive`, bindgen on the cgo header.
3. Runs the binary. First with Go's default GODEBUG; if that run fails, again with
   GODEBUG=invalidptr=0,cgocheck=0 (the setting the crate's README recommends), and the JSON says
   which one was used and why.

Environment knobs passed through: BENCH_SECONDS (sync budget per benchmark, default 2),
BENCH_ASYNC_SECONDS (async phase, default 2).
"""

from __future__ import annotations

import glob
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from bench import debian

REPO = Path(__file__).resolve().parent.parent
CRATE = REPO / "bench" / "rust2go_crate"
TARGET_DIR = REPO / ".cache" / "cargo-target"
GOCACHE = REPO / ".cache" / "go-build"
BINARY = TARGET_DIR / "release" / "rust2go-crate-baseline"
CRATE_GODEBUG = "invalidptr=0,cgocheck=0"

_LIBCLANG_GLOBS = (
    "/usr/lib/llvm-*/lib/libclang.so*",
    "/usr/lib/x86_64-linux-gnu/libclang*.so*",
    "/usr/lib/aarch64-linux-gnu/libclang*.so*",
    "/usr/lib/libclang.so*",
)


def _log(msg: str) -> None:
    print(f"[baseline_crate] {msg}", file=sys.stderr, flush=True)


def have_libclang() -> bool:
    if os.environ.get("LIBCLANG_PATH"):
        return True
    # libclang-cpp (the C++ API, installed with LLVM) is not what bindgen loads.
    return any("libclang-cpp" not in p for g in _LIBCLANG_GLOBS for p in glob.glob(g))


def ensure_libclang() -> None:
    """Idempotent: installs Debian's libclang-dev + clang only when no libclang is present."""
    debian.ensure("libclang", have_libclang, ["libclang-dev", "clang"])


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(TARGET_DIR)
    env["GOCACHE"] = str(GOCACHE)
    env.pop("GODEBUG", None)
    return env


def build() -> None:
    ensure_libclang()
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    GOCACHE.mkdir(parents=True, exist_ok=True)
    # --locked: Cargo.lock pins rust2go 0.4.3 and its exact dependency tree.
    cmd = ["cargo", "build", "--release", "--locked", "--quiet"]
    r = subprocess.run(cmd, cwd=CRATE, env=build_env(), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"cargo build of the rust2go crate baseline failed:\n{r.stderr[-8000:]}")


def _run_binary(godebug: str | None, timeout: float) -> subprocess.CompletedProcess[str]:
    env = build_env()
    if godebug:
        env["GODEBUG"] = godebug
    return subprocess.run(
        [str(BINARY)], cwd=CRATE, env=env, capture_output=True, text=True, timeout=timeout
    )


def _go_module_version() -> str:
    """The github.com/ihciah/rust2go module version (asmcall) pinned in go/go.mod."""
    for line in (CRATE / "go" / "go.mod").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[:2] == ["require", "github.com/ihciah/rust2go"]:
            return parts[2]
    return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(force_godebug: bool = False, timeout: float = 300.0) -> dict:
    """Build and run the baseline; return its figures as a dict."""
    build()
    load_before = os.getloadavg()
    attempts = []
    godebugs = [CRATE_GODEBUG] if force_godebug else [None, CRATE_GODEBUG]
    result = None
    for gd in godebugs:
        try:
            r = _run_binary(gd, timeout)
        except subprocess.TimeoutExpired:
            attempts.append({"godebug": gd or "", "error": f"timed out after {timeout}s"})
            continue
        if r.returncode == 0 and r.stdout.strip():
            result = json.loads(r.stdout.strip().splitlines()[-1])
            break
        attempts.append(
            {"godebug": gd or "", "returncode": r.returncode, "stderr_tail": r.stderr[-2000:]}
        )
        _log(f"run with GODEBUG={gd or '(default)'} failed (rc={r.returncode})")
    if result is None:
        raise RuntimeError(f"rust2go crate baseline failed in every mode: {attempts}")
    result["godebug_needed"] = bool(result.get("godebug"))
    result["idl"] = "bench/idl/bench.rs"
    result["go_module_rust2go"] = _go_module_version()
    if attempts:
        result["failed_attempts"] = attempts
    result["machine"] = {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    return result


def main() -> None:
    print(json.dumps(run(force_godebug="--godebug" in sys.argv[1:]), indent=2))


if __name__ == "__main__":
    main()
