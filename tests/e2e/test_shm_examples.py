"""examples/shm (in-process) and examples/sidecar (a Go server process that is killed and
restarted) run through `python -m rust2go.demo_shm`, which also checks /dev/shm."""

from __future__ import annotations

import os
import re
import sys

import pytest

from tests.e2e.crates import ROOT, run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shm_demo() -> str:
    before = set(os.listdir("/dev/shm"))
    out = run([sys.executable, "-m", "rust2go.demo_shm"], ROOT).stdout
    assert set(os.listdir("/dev/shm")) - before == set(), "the demo left objects in /dev/shm"
    return out


def test_in_process_example_uses_every_call_kind(shm_demo: str) -> None:
    for line in ('sync   price("tea") = Ok(350)', "HANDLER_ERROR: no such item", "async  checkout #1 -> total 840",
                 "oneway audit(...) reached Go (audited = 1)", "unlinked: true"):  # fmt: skip
        assert line in shm_demo, shm_demo
    assert re.search(r"20000 sync calls over the rings in \d+ ms", shm_demo), shm_demo


def test_sidecar_crash_fails_pending_call_fast_and_restart_is_picked_up(shm_demo: str) -> None:
    m = re.search(r"the pending call failed (\d+) ms after the kill: shm peer gone", shm_demo)
    assert m and int(m[1]) < 100, shm_demo
    pids = re.findall(r"pid\(\) -> (\d+)", shm_demo)
    assert len(pids) == 2 and pids[0] != pids[1], shm_demo
    assert "SIGTERM: sidecar exited (exit status: 0); segment unlinked: true" in shm_demo
