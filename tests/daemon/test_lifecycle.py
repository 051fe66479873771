"""The daemon as a process: one per project, status and stop over the socket, signals,
config reloads, --detach with a pid file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from daemon_harness import idl_text, wait_until
from save_patterns import atomic_rename_save, truncate_and_write

from rust2go.daemon.runtime_files import runtime_files


def cli(project, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rust2go", *args], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=30)  # fmt: skip


def test_second_daemon_exits_with_a_clear_message(project, start_daemon):
    first = start_daemon(project)
    second = start_daemon(project, ready=False)
    assert second.proc.wait(30) == 1
    wait_until(lambda: "already running" in "".join(second.stderr), "the refusal message")
    message = "".join(second.stderr)
    assert f"pid {first.proc.pid}" in message and "rust2go stop" in message
    assert first.proc.poll() is None and first.status()["pid"] == first.proc.pid


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_fast_without_leftovers(project, start_daemon, sig):
    d = start_daemon(project)
    files = runtime_files(project.root, create=False)
    stop_saving = threading.Event()

    def keep_saving() -> None:  # stop mid-work, not when idle
        i = 0
        while not stop_saving.wait(0.003):
            (atomic_rename_save if i % 2 else truncate_and_write)(project.idl, idl_text(100 + i))
            i += 1

    saver = threading.Thread(target=keep_saving, daemon=True)
    saver.start()
    wait_until(lambda: d.count("regenerated") >= 2, "regenerations under load")
    elapsed = d.terminate(sig)
    stop_saving.set()
    saver.join()
    assert elapsed < 1.0, f"took {elapsed:.2f} s to exit"
    assert d.proc.returncode == 0
    assert project.temp_files() == []
    assert not files.pid.exists() and not files.socket.exists()


def test_status_and_stop_over_the_socket(project, start_daemon, daemon_env):
    d = start_daemon(project)
    status = cli(project, daemon_env, "status")
    assert status.returncode == 0, status.stderr
    out = status.stdout
    assert f"pid {d.proc.pid}" in out and str(project.idl) in out and ": ok" in out
    assert str(project.idl.parent) in out  # what it watches
    assert "1 regenerations (0 failed)" in out

    stop = cli(project, daemon_env, "stop")
    assert stop.returncode == 0 and f"pid {d.proc.pid}" in stop.stdout
    assert d.proc.wait(5) == 0
    after = cli(project, daemon_env, "status")
    assert after.returncode == 1 and "no rust2go watch daemon is running" in after.stderr
    again = cli(project, daemon_env, "stop")
    assert again.returncode == 1 and "no rust2go watch daemon is running" in again.stderr


def test_config_change_is_picked_up(project, start_daemon):
    d = start_daemon(project)
    other_go = project.root / "go" / "other.go"
    project.config.write_text(project.config.read_text().replace("go/gen.go", "go/other.go"))
    d.wait_event("config-reloaded")
    wait_until(other_go.exists, "the output named by the new config")
    assert other_go.read_text() == project.expected()[0]

    # A broken config is reported with file and key; the daemon keeps the last good one.
    broken = project.config.read_text().replace(
        'rust = "src/gen.rs"', 'rust = "src/gen.rs"\ngo_pakage = "x"'
    )
    project.config.write_text(broken)
    d.wait_event("config-error")
    error = d.of("config-error")[-1]["error"]
    assert str(project.config) in error and "go_pakage" in error and "go_package" in error
    assert d.status()["config_error"] == error
    base = d.regenerations
    atomic_rename_save(project.idl, idl_text(5))
    wait_until(lambda: d.regenerations > base and other_go.read_text() == project.expected()[0],
               "regeneration under the last good config")  # fmt: skip
    assert d.regenerations == base + 1


def test_sighup_reloads_config(project, start_daemon):
    d = start_daemon(project)
    d.proc.send_signal(signal.SIGHUP)
    d.wait_event("config-reloaded")
    assert d.proc.poll() is None and project.outputs_current()


def test_detach_writes_pid_file_and_stops(project, daemon_env):
    started = subprocess.run([sys.executable, "-m", "rust2go", "watch", "--detach"],
                             cwd=project.root, env=daemon_env, capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    files = runtime_files(project.root, create=False)
    pid = files.read_pid()
    try:
        assert started.returncode == 0, started.stderr
        assert pid is not None and f"pid {pid}" in started.stdout
        assert project.outputs_current()
        status = cli(project, daemon_env, "status", "--json")
        assert status.returncode == 0 and f'"pid": {pid}' in status.stdout
        stop = cli(project, daemon_env, "stop")
        assert stop.returncode == 0, stop.stderr
        assert not files.pid.exists()
        with pytest.raises(ProcessLookupError):  # when stop returns, the process is gone
            os.kill(pid, 0)
    finally:
        if pid and files.pid.exists():
            os.kill(pid, signal.SIGKILL)
