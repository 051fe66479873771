"""shm test fixtures: every test must leave /dev/shm as it found it (our objects only:
other suites may use /dev/shm concurrently), and peers run as real processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PEERS = str(Path(__file__).with_name("peers.py"))
# Test segments use purposes starting with "pt" or explicit names "/r2g-pt..."
_OURS = re.compile(r"(sem\.)?r2g-(\d+-)?pt")


def our_shm_entries() -> set[str]:
    return {e for e in os.listdir("/dev/shm") if _OURS.match(e)}


@pytest.fixture(autouse=True)
def dev_shm_unchanged():
    before = our_shm_entries()
    yield
    after = our_shm_entries()
    assert after == before, (
        f"/dev/shm changed: added {sorted(after - before)}, removed {sorted(before - after)}"
    )


class Peer:
    """A peer process from peers.py; its first stdout line is the segment name."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, PEERS, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def readline(self, timeout: float = 20) -> str:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"peer exited early with {self.proc.wait(timeout)}")
        return line.strip()

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)

    def finish(self, timeout: float = 60) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()


@pytest.fixture
def peers():
    started: list[Peer] = []

    def start(*args: str) -> Peer:
        p = Peer(*args)
        started.append(p)
        return p

    yield start
    for p in started:
        p.kill()
