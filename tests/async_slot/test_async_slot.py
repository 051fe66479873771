"""Runs the Rust hammer tests of the async slot state machine (src/lib.rs) and clippy on
the support module the generated code embeds. Real cargo; a failure fails the suite."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.crates import cargo

HERE = Path(__file__).parent


def test_slot_state_machine_survives_a_million_racing_calls() -> None:
    r = cargo(HERE, "test", "--release", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout


def test_slot_module_is_clippy_clean() -> None:
    r = cargo(HERE, "clippy", "--release", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr
