"""`python -m rust2go.demo_shm`: generate, build and run examples/shm (Rust and Go in one
process, calls over shared-memory rings) and examples/sidecar (a generated Go server
process, a Rust client connecting by name, SIGKILL and restart), saying what happens.

Needs go and cargo on PATH. Uses CARGO_TARGET_DIR / GOCACHE from the environment (the
Makefile sets them) or the repository's .cache/. Checks /dev/shm is left as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from rust2go.demo import environment, say

ROOT = Path(__file__).resolve().parent.parent
SHM = ROOT / "examples" / "shm"
SIDECAR = ROOT / "examples" / "sidecar"


def regenerate(env: dict[str, str]) -> bool:
    """The CLI, as a user would run it (it rewrites only files whose bytes change)."""
    r2g = [sys.executable, "-m", "rust2go", "generate"]
    say("rust2go generate examples/shm/idl/shop.rs (#[r2g(shm)]: every method on the rings)")
    if not run([*r2g, "idl/shop.rs", "--go-out", "go/gen.go", "--rust-out", "src/shop.rs",
                "--build-helper", "r2g_build.rs"], SHM, env):  # fmt: skip
        return False
    say("rust2go generate examples/sidecar/idl/kv.rs --without-main --go-server "
        "server/server.go (#[mem] methods; a standalone Go main)")  # fmt: skip
    return run([*r2g, "idl/kv.rs", "--go-out", "server/gen.go", "--without-main",
                "--go-server", "server/server.go", "--rust-out", "src/kv.rs"], SIDECAR, env)  # fmt: skip


def run(cmd: list[str], cwd: Path, env: dict[str, str], pids: list[int] | None = None) -> bool:
    proc = subprocess.Popen(cmd, cwd=cwd, env=env)
    if pids is not None:
        pids.append(proc.pid)
    return proc.wait() == 0


def shm_entries(pids: list[int]) -> set[str]:
    """What the examples' processes made in /dev/shm (segments, semaphores, lock files are
    named r2g-<creator pid>-...): other programs may use /dev/shm meanwhile."""
    marks = tuple(f"r2g-{pid}-" for pid in pids)
    return {n for n in os.listdir("/dev/shm") if any(m in n for m in marks)}


def main() -> int:
    if not SHM.is_dir() or not SIDECAR.is_dir():
        sys.stderr.write("error: examples/shm or examples/sidecar not found (run from a source "
                         "checkout)\n")  # fmt: skip
        return 1
    env = environment()
    env.setdefault("GOFLAGS", "-mod=mod")
    if not regenerate(env):
        return 1
    target = Path(env["CARGO_TARGET_DIR"]) / "release"
    before = set(os.listdir("/dev/shm"))
    pids: list[int] = []  # the example processes: the names of what they create carry these

    say("examples/shm: cargo build --release (build.rs links the Go callee as a c-archive)")
    start = time.monotonic()
    if not run(["cargo", "build", "--release", "--quiet"], SHM, env):
        return 1
    say(f"built in {time.monotonic() - start:.1f}s; running it (lines marked [go] print in Go)")
    if not run([str(target / "r2g_example_shm")], SHM, env, pids):
        return 1

    say("examples/sidecar: go build the generated server; cargo build the Rust client "
        "(no Go linked into it)")  # fmt: skip
    start = time.monotonic()
    if not run(["go", "build", "-o", "server", "."], SIDECAR / "server", env):
        return 1
    if not run(["cargo", "build", "--release", "--quiet"], SIDECAR, env):
        return 1
    say(f"built in {time.monotonic() - start:.1f}s; running the client (it starts, kills and "
        "restarts the sidecar; [go <pid>] lines come from the server process)")  # fmt: skip
    if not run([str(target / "r2g_example_sidecar"), "server/server"], SIDECAR, env, pids):
        return 1

    left = sorted(shm_entries(pids) - before)
    if left:
        sys.stderr.write(f"error: left in /dev/shm: {left}\n")
        return 1
    say("/dev/shm is as it was before the demo (segments, semaphores and lock files unlinked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
