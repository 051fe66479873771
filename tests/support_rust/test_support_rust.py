"""The fixed Rust runtime every generated binding carries (codegen/support/rust/), on its
own: its unit tests (src/rt/tests.rs) and clippy, through real cargo."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.crates import cargo

HERE = Path(__file__).parent


def test_runtime_unit_tests_pass() -> None:
    r = cargo(HERE, "test", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "7 passed" in r.stdout, r.stdout


def test_runtime_is_clippy_clean() -> None:
    r = cargo(HERE, "clippy", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr
