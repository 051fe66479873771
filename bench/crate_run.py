"""Build-and-run helpers shared by the benchmarks that compile a generated crate and
compare it with the rust2go crate: one place for the shared caches and error reporting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def generated_crate_figures(crate: Path, idl: str, binary: str) -> dict:
    """Generate the binding of `idl` into `crate`, build it, run it; its last stdout line
    is the JSON of its figures."""
    check([sys.executable, "-m", "rust2go", "generate", idl, "--go-out", "go/gen.go",
           "--rust-out", "src/api.rs", "--build-helper", "r2g_build.rs"], crate)  # fmt: skip
    check(["cargo", "build", "--release", "--quiet"], crate)
    exe = Path(env()["CARGO_TARGET_DIR"]) / "release" / binary
    return json.loads(check([str(exe)], crate).strip().splitlines()[-1])


def rust2go_crate_figures(tag: str) -> dict | None:
    """The original crate's figures on the same IDL (bench/baseline_crate.py), or None
    with the reason on stderr: the baseline needs libclang and may be unavailable."""
    try:
        from bench.baseline_crate import run

        return run()
    except Exception as e:  # noqa: BLE001 - any failure only removes the baseline column
        print(f"[{tag}] rust2go crate baseline failed: {e}", file=sys.stderr)
        return None
