"""docs/shm.md, followed literally: its shell commands generate and build a Go server and
the Python peer, its Python client calls the server; then its Python server serves the
same client. Segment names are made unique per run; nothing is left in /dev/shm."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.crates import need, tool_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
SIDECAR = ROOT / "examples" / "sidecar"


def blocks(section: str, lang: str) -> list[str]:
    text = (ROOT / "docs" / "shm.md").read_text()
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{lang}\n(.*?)```", part, re.S)


def wait_for(path: Path, text: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while text not in (path.read_text() if path.exists() else ""):
        assert proc.poll() is None, f"{what} exited: {path.read_text()}"
        assert time.monotonic() < deadline, f"{what} did not start: {path.read_text()}"
        time.sleep(0.05)


def stop(proc: subprocess.Popen, sig: int) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_the_python_guide_works_as_written(tmp_path):
    need("go")
    name = f"/r2g-kv-guide-{os.getpid()}"
    env = dict(tool_env(), PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
               PYTHONPATH=str(tmp_path))  # fmt: skip
    (tmp_path / "idl").mkdir()
    (tmp_path / "server").mkdir()
    shutil.copy(SIDECAR / "idl" / "kv.rs", tmp_path / "idl" / "kv.rs")
    shutil.copy(SIDECAR / "server" / "impl.go", tmp_path / "server" / "impl.go")
    (script,) = blocks("Python calls a Go server", "sh")
    lines = script.replace("/r2g-kv", name).strip().splitlines()
    assert lines[-1].endswith("&"), "the last command starts the server"
    build, start = "\n".join(lines[:-1]), lines[-1].rstrip("&").split()
    r = subprocess.run(["bash", "-euc", build], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "server" / "go.mod").is_file()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(start, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(log, f"serving {name}", server, "the Go server")
        (client,) = blocks("Python calls a Go server", "python")
        (tmp_path / "client.py").write_text(client.replace("/r2g-kv", name))
        r = subprocess.run([sys.executable, "client.py"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.splitlines() == ["keys: 1", "value: hello", "slow: gave up after 0.5 s"]
        assert "log: hello from Python" in log.read_text()
    finally:
        stop(server, signal.SIGTERM)
    # The Python server of the guide, called by the same client.
    (serve,) = blocks("Python serves, Go or Rust calls", "python")
    (tmp_path / "serve.py").write_text(
        serve.replace("/r2g-kv", name).replace(
            "asyncio.run(serve())", "print('serving', flush=True)\nasyncio.run(serve())"
        )
    )
    log = tmp_path / "py_server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "serve.py"], cwd=tmp_path, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for(log, "serving", server, "the Python server")
        deadline = time.monotonic() + 30
        while not Path("/dev/shm" + name).exists():
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()
            time.sleep(0.05)
        r = subprocess.run([sys.executable, "client.py"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.splitlines()[:2] == ["keys: 1", "value: hello"]
    finally:
        stop(server, signal.SIGINT)
    assert "log: hello from Python" in log.read_text()
    assert not [p for p in Path("/dev/shm").iterdir() if name[1:] in p.name]
