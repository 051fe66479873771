"""Live interop of the generated shm peers (real cargo + go, built once per session):
Rust→Go in process, Rust→Go across processes (`--go-server`), Python→Go, Rust→Python,
and the SIGKILL / cancellation checks (slots all FREE, /dev/shm clean)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
import time

import pytest

from rust2go.runtime import ShmCallee, ShmCaller
from tests.e2e.crates import run


def shm_entries() -> set[str]:
    return set(os.listdir("/dev/shm"))


@pytest.fixture
def clean_shm():
    """/dev/shm holds exactly what it held before the test (no segment, semaphore or
    lock file left behind)."""
    before = shm_entries()
    yield
    left = {e for e in shm_entries() - before if "r2g-" in e}
    assert not left, f"left in /dev/shm: {sorted(left)}"


def test_rust_to_go_in_process_100k_exactly_once(peer_crate, clean_shm):
    out = peer_crate.run("inproc", "100000", timeout=120)
    for line in ("ok semantics", "ok cancel in_flight 0", "ok exactly once 100000", "ok unlinked"):
        assert line in out, out


def start_server(go_server, name: str):
    proc = subprocess.Popen([str(go_server / "server"), name], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == f"serving {name}"
    return proc


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)  # quit handshake, then unlink
    assert proc.wait(timeout=10) == 0


def test_rust_to_go_cross_process(peer_crate, go_server, clean_shm):
    name = f"/r2g-test_xproc_{os.getpid()}"
    proc = start_server(go_server, name)
    try:
        out = peer_crate.run("connect", name, "50000", timeout=120)
        assert "ok semantics" in out and "ok cancel in_flight 0" in out and "ok storm 50000" in out
        assert "ok add 5" in peer_crate.run("add", name, "2", "3")  # a second caller attaches
    finally:
        stop(proc)


def test_sigkill_fails_pending_calls_fast_and_a_restarted_server_is_picked_up(
    peer_crate, go_server, clean_shm
):
    name = f"/r2g-test_kill_{os.getpid()}"
    proc = start_server(go_server, name)
    rust = subprocess.Popen([str(peer_crate.binary), "killed", name], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=peer_crate.dir)  # fmt: skip
    try:
        assert rust.stdout.readline().strip() == "pending"
        time.sleep(0.05)  # the 16 calls are in Go's hands
        proc.kill()
        proc.wait()
        rust.stdin.write("killed\n")
        rust.stdin.flush()
        out, _ = rust.communicate(timeout=10)
        assert rust.returncode == 0, out
        ms = int(out.split(" ms after kill")[0].split()[-1])
        assert ms <= 100, out
        assert "is gone" in out, out
    finally:
        rust.kill()
    proc = start_server(go_server, name)  # reuses the name: the dead callee's objects go
    try:
        assert "ok add 5" in peer_crate.run("add", name, "2", "3")
    finally:
        stop(proc)


def test_python_to_go(go_server, clean_shm):
    name = f"/r2g-test_py2go_{os.getpid()}"
    proc = start_server(go_server, name)
    try:
        mod = load_module(go_server / "svc_shm.py")

        async def calls():
            async with await ShmCaller.connect(name) as caller:
                client = mod.SvcClient(caller)
                assert await client.add(40, 2) == 42
                data = [bytes(range(i % 48)) for i in range(3000)]
                replies = await asyncio.gather(
                    *(client.check(i, list(d)) for i, d in enumerate(data))
                )
                assert replies == [checksum(i, d) for i, d in enumerate(data)]
                a = mod.All(b=True, ch="é", f=2.5, s="héllo", v=[1, 2], vs=["a", ""],
                            o=mod.Inner("t", [7]), op=None,
                            m={"k": [mod.Point(1, -2, mod.Color.Blue)]}, e=mod.Color.Red,
                            inner=[])  # fmt: skip
                assert await client.echo_all(a) == a

        asyncio.run(calls())
    finally:
        stop(proc)


def test_rust_to_python(peer_crate, go_server, clean_shm):
    mod = load_module(go_server / "svc_shm.py")

    class Impl:
        def add(self, a, b):
            return a + b

        def echo_all(self, a):
            return a

        def note(self, p, name):
            pass

        def check(self, id, data):
            return checksum(id, bytes(data))

    async def serve():
        callee = ShmCallee.create("py_callee")
        task = asyncio.create_task(callee.serve(mod.Svc_handler(Impl(), 4096), workers=2))
        rust = await asyncio.create_subprocess_exec(
            str(peer_crate.binary), "interop", callee.name, "3000", stdout=subprocess.PIPE
        )
        out, _ = await rust.communicate()
        await callee.close()
        await task
        return rust.returncode, out.decode()

    code, out = asyncio.run(serve())
    assert code == 0 and "ok storm 3000" in out, out


def checksum(id: int, data: bytes) -> int:
    h = (id * 0x9E3779B97F4A7C15 + 1) & MASK
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


MASK = (1 << 64) - 1


def load_module(path):
    spec = importlib.util.spec_from_file_location(f"svc_shm_{path.stat().st_mtime_ns}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve annotations through it
    spec.loader.exec_module(mod)
    return mod


def test_generated_peers_pass_clippy_and_go_vet(peer_crate, go_server):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], peer_crate.dir)
    run(["go", "vet", "."], peer_crate.dir / "go")  # go_server ran vet on the sidecar build
