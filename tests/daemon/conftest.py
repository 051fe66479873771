"""Fixtures for the watch daemon tests (the harness itself is in daemon_harness.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from daemon_harness import Daemon, Project, make_project


@pytest.fixture(scope="session")
def daemon_env() -> Iterator[dict[str, str]]:
    """Each session gets its own runtime dir (locks, sockets): no clash with a developer's
    own daemons or with a parallel test run."""
    runtime = tempfile.mkdtemp(prefix="r2g-", dir="/tmp")
    env = {**os.environ, "XDG_RUNTIME_DIR": runtime, "NO_COLOR": "1"}
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = runtime  # the in-process status client looks here too
    yield env
    if saved is None:
        del os.environ["XDG_RUNTIME_DIR"]
    else:
        os.environ["XDG_RUNTIME_DIR"] = saved
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "proj")


@pytest.fixture
def start_daemon(daemon_env: dict[str, str]) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(project: Project, *args: str, ready: bool = True) -> Daemon:
        d = Daemon(project, *args, env=daemon_env)
        started.append(d)
        return d.wait_ready() if ready else d

    yield start
    for d in started:
        if d.proc.poll() is None:
            d.proc.send_signal(signal.SIGTERM)
            try:
                d.proc.wait(5)
            except subprocess.TimeoutExpired:
                d.proc.kill()
                d.proc.wait()
