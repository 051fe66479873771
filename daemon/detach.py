"""`--detach`: run the daemon in the background, the classic way (fork, setsid, fork),
while the command the user typed waits until the daemon is really up (lock taken, first
generation done) or has failed, and reports which, so `rust2go watch --detach && …` can be
trusted in scripts.

Must be called before any thread is started: fork() copies only the calling thread.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class Detached:
    """In the daemon: `ready()` / `failed(msg)` tell the waiting command how start-up went."""

    def __init__(self, fd: int):
        self._fd: int | None = fd

    def ready(self) -> None:
        self._send(f"ready {os.getpid()}")

    def failed(self, message: str) -> None:
        self._send("failed " + message)

    def _send(self, message: str) -> None:
        if self._fd is None:
            return
        try:
            os.write(self._fd, message.encode())
        except OSError:
            pass  # the waiting command was killed; nothing to tell
        os.close(self._fd)
        self._fd = None


def detach(log_path: Path) -> Detached | int:
    """Fork. In the original process, wait and return the exit status for the command;
    in the background daemon, return a Detached handle."""
    r, w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(w)
        return wait_for_daemon(r, pid, log_path)
    os.close(r)
    os.setsid()  # no controlling terminal: a closed terminal or Ctrl-C no longer reach us
    if os.fork():
        os._exit(0)
    redirect_stdio(log_path)
    return Detached(w)


def wait_for_daemon(r: int, pid: int, log_path: Path) -> int:
    chunks = []
    while chunk := os.read(r, 4096):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)  # the intermediate process, which exits at once
    message = b"".join(chunks).decode(errors="replace")
    if message.startswith("ready "):
        daemon_pid = message.split()[1]
        print(f"rust2go watch: running in the background (pid {daemon_pid}); "
              f"log: {log_path}; stop it with `rust2go stop`")  # fmt: skip
        return 0
    if message.startswith("failed "):
        sys.stderr.write(message[len("failed ") :].rstrip("\n") + "\n")
    else:
        sys.stderr.write(f"error: the daemon exited during start-up; see {log_path}\n")
    return 1


def redirect_stdio(log_path: Path) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(devnull)
    os.close(log)
