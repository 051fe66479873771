"""`python -m rust2go.demo_g2r`: generate, build and run the Go→Rust examples, saying what
happens: examples/bidirectional (a Rust program calling Go, which calls back into Rust)
and examples/go2rust (a Go program linking a Rust staticlib).

Needs go and cargo on PATH. Uses CARGO_TARGET_DIR / GOCACHE from the environment (the
Makefile sets them) or the repository's .cache/."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rust2go import gomod
from rust2go.atomic_write import write_if_changed
from rust2go.codegen.api import GenerateOptions, generate
from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.demo import environment, say

ROOT = Path(__file__).resolve().parent.parent
BIDI = ROOT / "examples" / "bidirectional"
GO2RUST = ROOT / "examples" / "go2rust"


def regenerate() -> None:
    from rust2go.codegen.emit import emit_build_helper

    bidi_go, go2rust_go = BIDI / "go" / "gen.go", GO2RUST / "go" / "gen.go"
    bidi = generate(BIDI / "idl" / "user.rs", gomod.options_for(GenerateOptions(), bidi_go)[0])
    # Go owns main() in go2rust: the generated file must not declare one.
    options = gomod.options_for(GenerateOptions(without_main=True), go2rust_go)[0]
    go2rust = generate(GO2RUST / "rust-lib" / "idl" / "user.rs", options)
    files = [
        *bidi.files(bidi_go, BIDI / "src" / "user.rs"),
        (BIDI / "r2g_build.rs", emit_build_helper()),
        *go2rust.files(go2rust_go, GO2RUST / "rust-lib" / "src" / "user.rs"),
    ]
    for path, text in files:
        wrote = write_if_changed(path, text)
        rel = path.relative_to(ROOT)
        say(f"{'wrote' if wrote else 'unchanged'} {rel} ({len(text.splitlines())} lines)")


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> bool:
    return subprocess.run(cmd, cwd=cwd, env=env).returncode == 0


def main() -> int:
    if not BIDI.is_dir() or not GO2RUST.is_dir():
        sys.stderr.write("error: examples/bidirectional or examples/go2rust not found (run from "
                         "a source checkout)\n")  # fmt: skip
        return 1
    say("rust2go generate examples/bidirectional/idl/user.rs and examples/go2rust/rust-lib/"
        "idl/user.rs (#[rust2go::g2r] traits: Go calls Rust)")  # fmt: skip
    try:
        regenerate()
    except DiagnosticError as err:
        sys.stderr.write(err.render())
        return 1
    env = environment()
    env.setdefault("GOFLAGS", "-mod=mod")

    say("examples/bidirectional: cargo build --release (build.rs links the Go side as a "
        "c-archive)")  # fmt: skip
    start = time.monotonic()
    if not run(["cargo", "build", "--release", "--quiet"], BIDI, env):
        return 1
    say(f"built in {time.monotonic() - start:.1f}s; running it (Rust calls Go, Go calls back "
        "into Rust: [go] lines print in Go, [rust] lines in the Rust callbacks)")  # fmt: skip
    binary = Path(env["CARGO_TARGET_DIR"]) / "release" / "r2g_example_bidirectional"
    if not run([str(binary)], BIDI, env):
        return 1

    say("examples/go2rust: build.sh (cargo builds the Rust staticlib, go build links it)")
    start = time.monotonic()
    if not run(["sh", "build.sh"], GO2RUST, env):
        return 1
    say(f"built in {time.monotonic() - start:.1f}s; running the Go program (one call panics "
        "in Rust on purpose: Rust's hook prints it, Go recovers the Go panic)")  # fmt: skip
    if not run([str(GO2RUST / "go" / "go2rust")], GO2RUST, env):
        return 1
    say("both examples returned what the other language computed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
