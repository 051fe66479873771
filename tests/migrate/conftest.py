"""Crates written for the original rust2go crate (fixtures/), copied to a work dir and
migrated with the real CLI; builds share the project's cargo target dir and Go cache."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.crates import ROOT, need, run, tool_env

FIXTURES = Path(__file__).parent / "fixtures"
WORK = ROOT / ".cache" / "migrate"
RUST2GO = Path(sys.executable).with_name("rust2go")


def fresh(name: str, as_name: str | None = None) -> Path:
    """A pristine copy of fixture `name` (a crate, or for go2rust the Go program's dir)."""
    dst = WORK / (as_name or name)
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(FIXTURES / name, dst)
    return dst


def migrate(crate: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "rust2go", "migrate", str(crate), *args],
                          cwd=crate, env=tool_env(), capture_output=True, text=True)  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(f"migrate failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def cargo(
    crate: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    e = {**tool_env(), **(env or {})}
    return subprocess.run(["cargo", *args], cwd=crate, env=e, capture_output=True, text=True,
                          timeout=900)  # fmt: skip


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def toolchains() -> None:
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)


__all__ = ["RUST2GO", "cargo", "fresh", "migrate", "run", "snapshot"]
