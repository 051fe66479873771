"""`--then CMD`: a shell command run after each successful regeneration.

One at a time, in its own process group (so Ctrl-C at the terminal reaches the daemon,
which decides, and so cancelling also stops the command's children, e.g. rustc under
cargo). A newer change cancels a running command: SIGINT to the group, SIGKILL after a
grace period. Requests that arrive while a command runs collapse into one rerun.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import TextIO

from rust2go.daemon.log import EventLog


class ThenRunner:
    def __init__(self, command: str, log: EventLog, cwd: Path, grace: float = 2.0,
                 stdout: TextIO | int | None = None):  # fmt: skip
        self.command, self.log, self.cwd, self.grace, self.stdout = command, log, cwd, grace, stdout
        self._cond = threading.Condition()
        self._wanted = False  # a run has been requested and not started yet
        self._closed = False
        self._proc: subprocess.Popen | None = None
        self._cancel_at: float | None = None  # when SIGINT was sent to the running command
        self.runs = self.cancelled = 0
        self.last_exit: int | None = None
        self._thread = threading.Thread(target=self._loop, name="rust2go-then", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def cancel(self) -> None:
        """Called when a new change arrives: interrupt the running command, if any."""
        with self._cond:
            self._wanted = False
            self._interrupt()

    def close(self, timeout: float) -> None:
        """Stop for good: SIGINT the command, SIGKILL it if it outlives `timeout`."""
        with self._cond:
            self._closed = True
            self._wanted = False
            self._interrupt()
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            proc = self._proc
        if proc is not None:  # still running after SIGINT and `timeout`: no more waiting
            kill_group(proc, signal.SIGKILL)

    @property
    def running(self) -> bool:
        with self._cond:
            return self._proc is not None

    def _interrupt(self) -> None:
        if self._proc is not None and self._cancel_at is None:
            self._cancel_at = time.monotonic()
            kill_group(self._proc, signal.SIGINT)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._wanted and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                self._wanted = False
                self._proc = self._spawn()
                self._cancel_at = None
            if self._proc is not None:
                self._reap(self._proc)

    def _spawn(self) -> subprocess.Popen | None:
        self.runs += 1
        self.log.event("then-started", f"running: {self.command}", command=self.command)
        try:
            return subprocess.Popen(self.command, shell=True, start_new_session=True, cwd=self.cwd,
                                    stdin=subprocess.DEVNULL, stdout=self.stdout)  # fmt: skip
        except OSError as e:
            self.log.event("then-failed", f"cannot run `{self.command}`: {e}", error=str(e))
            return None

    def _reap(self, proc: subprocess.Popen) -> None:
        """Wait for the command; once cancelled, make sure its whole process group goes
        (a shell may exit on SIGINT and leave a child running that ignores it)."""
        while True:
            try:
                code = proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                self._escalate(proc)
        with self._cond:
            cancelled = self._cancel_at is not None
        while cancelled and group_alive(proc.pid) and not self._escalate(proc):
            time.sleep(0.05)
        with self._cond:
            self._proc = None
            self.last_exit = code
        if cancelled:
            self.cancelled += 1
            self.log.event("then-cancelled", f"cancelled `{self.command}` (a newer change)",
                           command=self.command, code=code)  # fmt: skip
        else:
            status = "ok" if code == 0 else f"failed (exit {code})"
            self.log.event("then-exited", f"`{self.command}` {status}",
                           command=self.command, code=code)  # fmt: skip

    def _escalate(self, proc: subprocess.Popen) -> bool:
        """SIGKILL the group once a cancel's grace period is over; True if it did."""
        with self._cond:
            late = self._cancel_at is not None and time.monotonic() - self._cancel_at > self.grace
        if late:
            kill_group(proc, signal.SIGKILL)
        return late


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def kill_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
