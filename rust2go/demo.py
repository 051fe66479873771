"""`python -m rust2go.demo`: generate, build and run examples/basic, saying what happens.

Needs go and cargo on PATH. Uses CARGO_TARGET_DIR / GOCACHE from the environment (the
Makefile sets them) or the repository's .cache/."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from rust2go.atomic_write import write_if_changed
from rust2go.codegen.api import GenerateOptions, generate
from rust2go.codegen.diagnostics import DiagnosticError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "basic"
OUTPUTS = {"go": "go/gen.go", "rust": "src/user.rs"}


def say(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def regenerate() -> None:
    from rust2go.codegen.emit import emit_build_helper

    out = generate(EXAMPLE / "idl" / "user.rs", GenerateOptions())
    files = {OUTPUTS["go"]: out.go, OUTPUTS["rust"]: out.rust, "r2g_build.rs": emit_build_helper()}
    for rel, text in files.items():
        wrote = write_if_changed(EXAMPLE / rel, text)
        say(
            f"{'wrote' if wrote else 'unchanged'} examples/basic/{rel} ({len(text.splitlines())} lines)"
        )


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / ".cache" / "cargo-target"))
    env.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))
    return env


def main() -> int:
    if not EXAMPLE.is_dir():
        sys.stderr.write(f"error: {EXAMPLE} not found (run from a source checkout)\n")
        return 1
    say("rust2go generate examples/basic/idl/user.rs (a rust2go-style IDL, unchanged)")
    try:
        regenerate()
    except DiagnosticError as err:
        sys.stderr.write(err.render())
        return 1
    env = environment()
    say("cargo build --release (build.rs runs `go build -buildmode=c-archive`)")
    start = time.monotonic()
    build = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=EXAMPLE, env=env)
    if build.returncode != 0:
        return 1
    say(
        f"built in {time.monotonic() - start:.1f}s; running it (lines marked [go] print in Go;"
        " the async naps print their total elapsed time)"
    )
    binary = Path(env["CARGO_TARGET_DIR"]) / "release" / "r2g_example_basic"
    return subprocess.run([str(binary)], cwd=EXAMPLE, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
