"""Liveness through OS-released locks: each side holds LOCK_EX on its own lock file for
life, so the kernel drops the lock the instant the process dies (even by SIGKILL).
A probe takes LOCK_SH non-blocking: it fails exactly while the owner lives."""

from __future__ import annotations

import enum
import fcntl
import os

from rust2go.shm import layout as L


class Liveness(enum.Enum):
    ALIVE = "alive"
    DEAD = "dead"
    MISSING = "missing"  # no lock file: never started, or cleaned up


class OwnerLock:
    """The lock file a side holds while it lives."""

    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, L.NAMING.MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise
        self._fd: int | None = fd

    def release(self, unlink: bool = True) -> None:
        if self._fd is None:
            return
        if unlink:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        os.close(self._fd)  # closing drops the flock
        self._fd = None


def probe(path: str) -> Liveness:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return Liveness.MISSING
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return Liveness.ALIVE
    finally:
        os.close(fd)  # also drops our shared lock if we got it
    return Liveness.DEAD


def pid_exists(pid: int) -> bool:
    """Secondary check (pids are reused; the lock file is authoritative)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
