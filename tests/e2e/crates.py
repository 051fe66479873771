"""Building fixture crates for the end-to-end tests: copy the fixture into a stable work
dir under .cache (so cargo and go stay incremental across sessions), generate the bindings
with the real CLI, build with real cargo + go. Toolchains are required: a missing one
fails the test, it never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".cache" / "e2e"


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / ".cache" / "cargo-target"))
    env.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))
    env.setdefault("GOFLAGS", "-mod=mod")
    env.pop("RUSTFLAGS", None)  # a stray flag would invalidate the shared target dir
    return env


def run(cmd: list[str], cwd: Path, timeout: float = 900,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env={**tool_env(), **(env or {})}, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(
            f"`{' '.join(map(str, cmd))}` failed ({proc.returncode}) in {cwd}:\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
        )
    return proc


def cargo(crate: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """`cargo args` in `crate` with the shared caches; the caller judges the result (unit
    test crates assert on their own output)."""
    return subprocess.run(["cargo", *args], cwd=crate, capture_output=True, text=True,
                          env=tool_env(), timeout=timeout)  # fmt: skip


def sync_tree(src: Path, dst: Path) -> None:
    """Copy `src` over `dst`, rewriting only files whose bytes changed (keeps mtimes)."""
    for path in src.rglob("*"):
        if path.is_dir():
            continue
        target = dst / path.relative_to(src)
        data = path.read_bytes()
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def rust2go(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "rust2go", *map(str, args)], cwd)


@dataclass(frozen=True)
class Crate:
    name: str  # the Cargo package name, also the binary name
    dir: Path

    @property
    def binary(self) -> Path:
        return Path(tool_env()["CARGO_TARGET_DIR"]) / "release" / self.name

    def run(self, *args: str, timeout: float = 300, env: dict[str, str] | None = None) -> str:
        return run([str(self.binary), *args], self.dir, timeout, env).stdout


def prepare(fixture: Path, name: str, idl: str, rust_out: str, go_out: str = "go/gen.go",
            extra: tuple[str, ...] = (),
            files: dict[str, str] | None = None) -> Crate:  # fmt: skip
    """Copy, generate (CLI), build (cargo --release). Returns the built crate. `files`:
    more files of the work dir (relative path: text), written only when they change."""
    work = WORK / fixture.name
    sync_tree(fixture, work)
    for rel, text in (files or {}).items():
        target = work / rel
        if not target.exists() or target.read_text() != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    rust2go("generate", idl, "--go-out", go_out, "--rust-out", rust_out,
            "--build-helper", "r2g_build.rs", *extra, cwd=work)  # fmt: skip
    run(["cargo", "build", "--release", "--quiet"], work)
    return Crate(name, work)


def need(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is required on PATH for the end-to-end tests"
    return path
