"""Bad or missing IDL files: the last good outputs stay untouched (bytes and mtime),
the problem is reported like `rust2go check` reports it and shown by status, and the next
good save recovers."""

from __future__ import annotations

import subprocess
import sys

from daemon_harness import BAD_IDL, idl_text, wait_until
from save_patterns import atomic_rename_save


def snapshot(project):
    return [(p.read_bytes(), p.stat().st_mtime_ns) for p in (project.go, project.rust)]


def test_bad_idl_keeps_last_good_outputs(project, start_daemon, daemon_env):
    d = start_daemon(project)
    before = snapshot(project)
    atomic_rename_save(project.idl, BAD_IDL)
    d.wait_event("error")
    target = wait_until(lambda: d.status()["targets"][0]["state"] == "error" and d.status()["targets"][0],
                        "status to show the error")  # fmt: skip
    assert snapshot(project) == before

    # The same text as `rust2go check` run in the project: the IDL named as the user
    # names it there (relative), in errors as in the success lines.
    check = subprocess.run([sys.executable, "-m", "rust2go", "check", "idl/user.rs"],
                           capture_output=True, text=True, env=daemon_env, cwd=project.root)  # fmt: skip
    assert check.returncode == 1 and "unknown-type" in check.stderr
    assert d.of("error")[-1]["detail"] == check.stderr
    assert str(project.root) not in check.stderr
    assert target["last_error"] == check.stderr

    base = d.regenerations
    atomic_rename_save(project.idl, idl_text(7))
    d.settle_after(base)
    assert d.status()["targets"][0]["state"] == "ok"
    assert d.regenerations == base + 1


def test_deleted_idl_keeps_outputs_and_recreation_resumes(project, start_daemon):
    d = start_daemon(project)
    before = snapshot(project)
    project.idl.unlink()
    d.wait_event("missing")
    status = wait_until(lambda: (s := d.status())["targets"][0]["state"] == "missing" and s,
                        "status to show the missing IDL")  # fmt: skip
    assert "missing" in status["targets"][0]["last_error"]
    assert snapshot(project) == before

    base = d.regenerations
    project.idl.write_text(idl_text(8))
    d.settle_after(base)
    assert d.status()["targets"][0]["state"] == "ok"
    assert d.regenerations == base + 1


def test_unchanged_content_leaves_outputs_alone(project, start_daemon):
    """Saving identical bytes must not rewrite anything: cargo and go would rebuild."""
    d = start_daemon(project)
    before, base = snapshot(project), d.regenerations
    batches = d.status()["counters"]["batches"]
    project.idl.write_text(project.idl.read_text())
    wait_until(lambda: (s := d.status())["counters"]["batches"] > batches and s["idle"],
               "the identical save to be processed")  # fmt: skip
    assert d.regenerations == base
    assert snapshot(project) == before
