"""One daemon per project: an flock() on the project's lock file, held for the daemon's
lifetime. The kernel drops it when the process dies, however it dies, so a crashed
daemon never blocks the next one (a pid file alone could not promise that)."""

from __future__ import annotations

import fcntl
import os

from rust2go.daemon.runtime_files import RuntimeFiles


class AlreadyRunning(Exception):
    def __init__(self, pid: int | None):
        self.pid = pid
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"a rust2go watch daemon is already running for this project ({who})")


class InstanceLock:
    def __init__(self, files: RuntimeFiles):
        self.files = files
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock and publish our pid, or raise AlreadyRunning."""
        fd = os.open(self.files.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(self.files.read_pid()) from None
        self._fd = fd
        tmp = self.files.pid.with_name("pid.tmp")
        tmp.write_text(f"{os.getpid()}\n")
        os.replace(tmp, self.files.pid)

    def release(self) -> None:
        if self._fd is None:
            return
        # Remove what we published while still holding the lock, so a successor that
        # acquires it next never sees our pid or socket as its own.
        for path in (self.files.pid, self.files.socket):
            path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def is_running(files: RuntimeFiles) -> bool:
    """Whether some process holds the project's lock (probing takes it only for an instant)."""
    try:
        fd = os.open(files.lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we may have taken
    return False
