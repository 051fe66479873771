"""Liveness through OS-released locks: each side holds LOCK_EX on its own lock file for
life, so the kernel drops the lock the instant the process dies (even by SIGKILL).
A probe takes LOCK_SH non-blocking: it fails exactly while the owner lives.

A dead owner's file is removed only by whoever holds its lock (`remove_if_dead`), and a
new owner checks, once it holds the lock, that its file is still the one at the path
(`OwnerLock`): so a file is never removed under a live owner, even one that has just
created it, as a plain "probe, then unlink" would when a new owner (a caller reattaching
from the same process: the same file name) comes between the two."""

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
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, L.NAMING.MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise
            if _is_at(fd, path):
                break
            os.close(fd)  # removed as a dead owner's between our open and our lock: again
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


def _is_at(fd: int, path: str) -> bool:
    """Whether the file open at fd is the one at path."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    f = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (f.st_dev, f.st_ino)


def remove_if_dead(path: str) -> bool:
    """Unlink the lock file at path unless its owner lives; whether it was removed. The
    unlink happens while this process holds the file's lock, so an owner that locked it
    first keeps it, and one that opened it but locks it only afterwards sees it gone
    (`OwnerLock`) and takes a new one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # alive
        if not _is_at(fd, path):
            return False  # someone else removed it already
        os.unlink(path)
        return True
    finally:
        os.close(fd)


def probe(path: str) -> Liveness:
    """The liveness of whoever owns the file at `path` now."""
    held = LockProbe.open(path)
    if held is None:
        return Liveness.MISSING
    try:
        return held.liveness()
    finally:
        held.close()


class LockProbe:
    """A descriptor of a peer's lock file, held while the peer is watched: each probe is
    one flock (no path lookup), and it keeps naming the file that peer locked even once a
    successor's file takes the path (a callee restarted under the same name is not the
    callee of the segment a caller mapped)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def open(cls, path: str) -> LockProbe | None:
        """The file at `path`, or None when there is none."""
        try:
            return cls(os.open(path, os.O_RDONLY | os.O_CLOEXEC))
        except FileNotFoundError:
            return None

    def liveness(self) -> Liveness:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return Liveness.ALIVE
        # The owner is gone: drop the shared lock at once, so a remover's LOCK_EX on
        # the file is never refused because of this probe.
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        return Liveness.DEAD

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


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
