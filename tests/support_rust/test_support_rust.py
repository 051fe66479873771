"""The fixed Rust runtime every generated binding carries (codegen/support/rust/), on its
own: its unit tests (src/rt/tests.rs) and clippy, through real cargo."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.crates import tool_env

HERE = Path(__file__).parent


def cargo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["cargo", *args], cwd=HERE, capture_output=True, text=True,
                          env=tool_env(), timeout=900)  # fmt: skip


def test_runtime_unit_tests_pass() -> None:
    r = cargo("test", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "7 passed" in r.stdout, r.stdout


def test_runtime_is_clippy_clean() -> None:
    r = cargo("clippy", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr
