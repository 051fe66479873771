"""`rust2go stop`: stop the project's watch daemon and wait until it is gone."""

from __future__ import annotations

import os
import signal
import sys
import time

from rust2go.commands._common import EXIT_OK, EXIT_USER
from rust2go.daemon.config import ConfigError
from rust2go.daemon.control import NotRunning, send_command
from rust2go.daemon.discovery import NoConfigError, config_path_from
from rust2go.daemon.runtime_files import RuntimeDirError, RuntimeFiles, runtime_files
from rust2go.daemon.single_instance import is_running
from rust2go.shm.liveness import pid_exists

DEADLINE = 5.0  # the daemon itself exits in well under a second


def register(sub) -> None:
    p = sub.add_parser("stop", help="stop the watch daemon of this project")
    p.add_argument("--config", metavar="FILE", help="config file (default: search upwards)")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        root = config_path_from(args.config).parent
        files = runtime_files(root, create=False)
    except (NoConfigError, ConfigError, RuntimeDirError) as e:
        sys.stderr.write(f"error: {e}\n")
        return EXIT_USER
    pid = files.read_pid()
    try:
        pid = send_command(files.socket, "stop").get("pid", pid)
    except (NotRunning, OSError):
        # No socket answer. A daemon may still hold the lock (socket deleted by hand, or
        # wedged): fall back to SIGTERM, which it handles the same way.
        if pid is None or not is_running(files):
            sys.stderr.write(f"no rust2go watch daemon is running for {root}\n")
            return EXIT_USER
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if not wait_gone(files, pid):
        sys.stderr.write(f"error: the daemon (pid {pid}) did not stop within {DEADLINE:.0f} s\n")
        return EXIT_USER
    print(f"stopped rust2go watch (pid {pid})")
    return EXIT_OK


def wait_gone(files: RuntimeFiles, pid: int | None) -> bool:
    """The daemon removes its pid file, then drops the lock, as its very last steps; then
    its process exits. A detached daemon's parent is the system's init, which may take a
    while (seconds, in some containers) to reap it: until then `ps` still lists it, so we
    wait for that too, and call an unreaped exit done when the deadline comes."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        released = files.read_pid() != pid and not is_running(files)
        if released and (pid is None or not pid_exists(pid)):
            return True
        time.sleep(0.02)
    return pid is not None and not is_running(files) and exited(pid)


def exited(pid: int) -> bool:
    """The process has exited and waits to be reaped (a zombie), or is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True
