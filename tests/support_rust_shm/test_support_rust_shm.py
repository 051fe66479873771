"""The fixed Rust shm caller (codegen/support/rust/shm/) on its own: its unit tests
(src/r2g_shm/tests.rs) and clippy, through real cargo, against the layout constants the
generator emits today."""

from __future__ import annotations

from pathlib import Path

import pytest

from rust2go.codegen.emit.shm_files import rust_layout
from tests.e2e.crates import cargo

HERE = Path(__file__).parent


@pytest.fixture(scope="module", autouse=True)
def layout() -> None:
    path = HERE / "src" / "layout.rs"
    text = rust_layout()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def test_caller_unit_tests_pass() -> None:
    r = cargo(HERE, "test", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "25 passed" in r.stdout, r.stdout


def test_caller_is_clippy_clean() -> None:
    r = cargo(HERE, "clippy", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr
