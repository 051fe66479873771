"""`--then CMD`: runs after each successful regeneration, one at a time, in the project
directory; a newer change cancels a running command (SIGINT, then SIGKILL after the
grace period), including the command's children."""

from __future__ import annotations

import os
import time

from daemon_harness import BAD_IDL, idl_text, wait_until
from save_patterns import atomic_rename_save


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited for our purposes.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def recorded_pids(path, n: int) -> list[int]:
    """The pids the --then command appended to `path`, once there are `n` of them."""
    wait_until(lambda: path.exists() and path.read_text().count("\n") == n, f"run {n}")
    return [int(x) for x in path.read_text().split()]


def test_then_runs_after_success_only(project, start_daemon):
    d = start_daemon(project, "--then", "echo run >> then.log")
    log = project.root / "then.log"
    wait_until(lambda: d.count("then-exited") == 1, "the first run (after start-up)")
    atomic_rename_save(project.idl, BAD_IDL)
    d.wait_event("error")
    atomic_rename_save(project.idl, idl_text(2))
    wait_until(lambda: d.count("then-exited") == 2, "the run after the fix")
    assert log.read_text() == "run\nrun\n"  # none for the failed regeneration
    assert all(e["code"] == 0 for e in d.of("then-exited"))


def test_newer_change_cancels_running_command(project, start_daemon):
    # The command records the pid of a child that would outlive a plain kill of the shell:
    # `sleep &` in a non-interactive shell ignores SIGINT.
    project.write_config(watch="then_grace_ms = 300\n")
    d = start_daemon(project, "--then", "sleep 60 & echo $! >> children; wait")
    [first_child] = recorded_pids(project.root / "children", 1)
    atomic_rename_save(project.idl, idl_text(2))
    d.wait_event("then-cancelled")
    wait_until(lambda: not alive(first_child), "the cancelled command's child to exit")
    recorded_pids(project.root / "children", 2)  # the run for the newer change
    assert d.status()["then"]["running"]


def test_command_ignoring_sigint_is_killed_after_grace(project, start_daemon):
    project.write_config(watch="then_grace_ms = 300\n")
    d = start_daemon(project, "--then", "trap '' INT; echo $$ >> shells; sleep 60")
    [shell] = recorded_pids(project.root / "shells", 1)
    atomic_rename_save(project.idl, idl_text(2))
    d.wait_event("then-cancelled")
    assert not alive(shell)
    assert d.of("then-cancelled")[0]["code"] == -9  # SIGKILL, after SIGINT was ignored


def test_sigterm_stops_the_command_too(project, start_daemon):
    d = start_daemon(project, "--then", "echo $$ >> shells; sleep 60")
    [shell] = recorded_pids(project.root / "shells", 1)
    assert d.terminate() < 1.0
    wait_until(lambda: not alive(shell), "the command to exit with the daemon")


def then_runs(d) -> int:
    return d.count("then-exited")


def quiet(d, runs: int) -> None:
    """The daemon is idle and the then command ran exactly `runs` times (and stays so)."""
    wait_until(lambda: then_runs(d) >= runs and d.status()["idle"], f"then run {runs}")
    time.sleep(0.4)  # several debounce windows: a stray extra run would have started
    wait_until(lambda: d.status()["idle"] and not d.status()["then"]["running"], "idle")
    assert then_runs(d) == runs, d.log()


def test_a_source_change_reruns_then_without_regenerating(project, start_daemon):
    impl = project.root / "go" / "impl.go"
    impl.parent.mkdir(parents=True, exist_ok=True)
    impl.write_text("package main\n")
    d = start_daemon(project, "--then", "echo run >> then.log")
    quiet(d, 1)
    regenerations = d.regenerations
    atomic_rename_save(impl, "package main\n\n// fixed\n")
    quiet(d, 2)
    assert d.regenerations == regenerations  # the bindings were not regenerated
    assert d.of("sources-changed")[-1]["paths"] == [str(impl)]
    # A burst of saves in several places is one run.
    lib = project.root / "src" / "lib.rs"
    lib.parent.mkdir(parents=True, exist_ok=True)
    for i in range(10):
        (impl if i % 2 else lib).write_text(f"// save {i}\n" + ("package main\n" if i % 2 else ""))
    quiet(d, 3)
    # The daemon's own writes (gen.go beside impl.go, src/gen.rs) rerun it once, not twice.
    atomic_rename_save(project.idl, idl_text(2))
    quiet(d, 4)
    assert d.count("sources-changed") == 2


def test_sources_are_configurable_and_ignored_while_a_binding_is_broken(project, start_daemon):
    project.write_config(watch='sources = ["go/impl.go"]\n')
    impl = project.root / "go" / "impl.go"
    other = project.root / "src" / "main.rs"
    for f in (impl, other):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("// v1\n")
    d = start_daemon(project, "--then", "echo run >> then.log")
    quiet(d, 1)
    other.write_text("// v2\n")  # not a configured source
    quiet(d, 1)
    impl.write_text("// v2\n")
    quiet(d, 2)
    atomic_rename_save(project.idl, BAD_IDL)
    d.wait_event("error")
    impl.write_text("// v3\n")  # cargo check would only repeat the binding's failure
    quiet(d, 2)
