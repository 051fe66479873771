"""The fixed Rust shm caller (codegen/support/rust/shm/) on its own: its unit tests
(src/r2g_shm/tests.rs) and clippy, through real cargo, against the layout constants the
generator emits today."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rust2go.codegen.emit.shm_files import rust_layout
from tests.e2e.crates import tool_env

HERE = Path(__file__).parent


@pytest.fixture(scope="module", autouse=True)
def layout() -> None:
    path = HERE / "src" / "layout.rs"
    text = rust_layout()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def cargo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["cargo", *args], cwd=HERE, capture_output=True, text=True,
                          env=tool_env(), timeout=900)  # fmt: skip


def test_caller_unit_tests_pass() -> None:
    r = cargo("test", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "10 passed" in r.stdout, r.stdout


def test_caller_is_clippy_clean() -> None:
    r = cargo("clippy", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr
