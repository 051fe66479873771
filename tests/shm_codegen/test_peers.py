"""Live interop of the generated shm peers (real cargo + go, built once per session):
Rust→Go in process, Rust→Go across processes (`--go-server`), Python→Go, Rust→Python,
and the SIGKILL / cancellation checks (slots all FREE, /dev/shm clean). Exactly once:
every reply checked against its own call's checksum, and the callee's count of `check`
calls equal to the calls made."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time

import pytest

from tests.e2e.crates import run
from tests.shm_codegen.interop import (
    GoServer,
    PythonSvc,
    hostile_session,
    hostile_verdict,
    load_module,
    payload_lengths,
    python_to_go,
    serve_python,
)


def test_rust_to_go_in_process_100k_exactly_once(peer_crate, clean_shm):
    out = peer_crate.run("inproc", "100000", timeout=120)
    for line in ("ok semantics", "ok lengths", "ok cancel in_flight 0", "ok mixed", "ok storm 100000 calls",
                 "exactly once", "ok queued", "ok unlinked"):  # fmt: skip
        assert line in out, out


def test_rust_to_go_cross_process_100k_exactly_once(peer_crate, go_server, clean_shm):
    name = f"/r2g-test_xproc_{os.getpid()}"
    with GoServer(go_server, name):
        out = peer_crate.run("connect", name, "100000", timeout=120)
        for line in ("ok semantics", "ok lengths", "ok cancel in_flight 0", "ok storm 100000 calls",
                     "exactly once"):  # fmt: skip
            assert line in out, out
        assert "ok add 5" in peer_crate.run("add", name, "2", "3")  # a second caller attaches


@contextlib.contextmanager
def rust_peer(peer_crate, mode: str, name: str, ready: str):
    """The Rust peer's `mode` on segment `name`, once it printed `ready`; killed on exit."""
    rust = subprocess.Popen([str(peer_crate.binary), mode, name], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=peer_crate.dir)  # fmt: skip
    try:
        assert rust.stdout.readline().strip() == ready
        yield rust
    finally:
        rust.kill()


def tell(rust: subprocess.Popen) -> str:
    """A line on the peer's stdin (its cue); the rest of its output, once it exited 0."""
    rust.stdin.write("go\n")
    rust.stdin.flush()
    out, _ = rust.communicate(timeout=10)
    assert rust.returncode == 0, out
    return out


def test_sigkill_fails_pending_calls_fast_and_a_restarted_server_is_picked_up(
    peer_crate, go_server, clean_shm
):
    name = f"/r2g-test_kill_{os.getpid()}"
    server = GoServer(go_server, name)
    with rust_peer(peer_crate, "killed", name, "pending") as rust:
        time.sleep(0.05)  # the 16 calls are in Go's hands
        server.proc.kill()
        server.proc.wait()
        out = tell(rust)
    ms = int(out.split(" ms after kill")[0].split()[-1])
    assert ms <= 100, out
    assert "is gone" in out, out
    with GoServer(go_server, name):  # reuses the name: the dead callee's objects go
        assert "ok add 5" in peer_crate.run("add", name, "2", "3")


def test_an_idle_caller_is_not_fooled_by_a_server_restarted_under_its_name(
    peer_crate, go_server, clean_shm
):
    """The caller probes the lock file of its own segment's callee (held open since
    connect), not whatever file the name points to later: stopped while its server is
    killed and a new one starts under the same name, it fails its next call with PeerGone
    instead of waiting on a segment nobody serves."""
    name = f"/r2g-test_replaced_{os.getpid()}"
    first = GoServer(go_server, name)
    with rust_peer(peer_crate, "replaced", name, "idle") as rust:
        rust.send_signal(signal.SIGSTOP)  # no probe runs from here until SIGCONT
        first.proc.kill()
        first.proc.wait()
        with GoServer(go_server, name):  # serving: its lock file now holds the path
            rust.send_signal(signal.SIGCONT)
            out = tell(rust)
    assert "ok gone after" in out and "is gone" in out, out


def test_python_to_go(go_server, clean_shm):
    name = f"/r2g-test_py2go_{os.getpid()}"
    with GoServer(go_server, name):
        mod = load_module(go_server / "svc_shm.py")

        async def calls():
            from rust2go.runtime import ShmCaller

            async with await ShmCaller.connect(name) as caller:
                client = mod.SvcClient(caller)
                assert await client.add(40, 2) == 42
                a = mod.All(b=True, ch="é", f=2.5, s="héllo", v=b"\x01\x02", vs=["a", ""],
                            o=mod.Inner("t", [7]), op=None,
                            m={"k": [mod.Point(1, -2, mod.Color.Blue)]}, e=mod.Color.Red,
                            inner=[])  # fmt: skip
                assert await client.echo_all(a) == a
                await payload_lengths(client)
            return await python_to_go(mod, name, 3000)

        assert asyncio.run(calls())["callee_ran"] == 3000


def test_rust_to_python(peer_crate, go_server, clean_shm):
    mod = load_module(go_server / "svc_shm.py")
    impl = PythonSvc()
    argv = [str(peer_crate.binary), "interop", "{name}", "3000"]
    code, out = asyncio.run(serve_python(mod.Svc_handler(impl, 4096), argv))
    assert code == 0 and "ok storm 3000 calls" in out and "exactly once" in out, out
    assert impl.ran == 3000


def test_rust_to_python_payload_lengths(peer_crate, go_server, clean_shm):
    mod = load_module(go_server / "svc_shm.py")
    argv = [str(peer_crate.binary), "lengths", "{name}"]
    code, out = asyncio.run(serve_python(mod.Svc_handler(PythonSvc(), 4096), argv))
    assert code == 0 and "ok lengths" in out, out


def test_generated_peers_pass_clippy_and_go_vet(peer_crate, go_server):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], peer_crate.dir)
    run(["go", "vet", "."], peer_crate.dir / "go")  # go_server ran vet on the sidecar build


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": 99}, "completion_ring cell.kind=99 is not REPLY (3)"),
        ({"slot": 1000}, "completion_ring cell.slot=1000 is not below header.slot_count=4"),
        ({"length": 1 << 20}, "cell.length=1048576 exceeds header.response_capacity=64"),
    ],
)
def test_rust_caller_fails_pending_calls_at_once_on_a_bad_completion(
    peer_crate, clean_shm, change, message
):
    from rust2go.shm import layout as L

    with hostile_session(peer_crate) as (seg, rust):  # the test is the callee
        cells = [seg.request_ring.try_pop() for _ in range(3)]
        slot, gen, method = cells[0][:3]
        seg.wire.answer(slot, gen, method, L.CallStatus.HANDLER_ERROR, b"answered first")
        seg.caller_bell.ring()
        time.sleep(0.05)  # the Rust caller takes that answer before anything goes wrong
        slot, gen, method = cells[1][:3]
        fields = {"slot": slot, "generation": gen, "method": method, "length": 8,
                  "kind": L.CellKind.REPLY, "status": L.CallStatus.OK, **change}  # fmt: skip
        assert seg.completion_ring.try_push(*fields.values())
        seg.caller_bell.ring()
        hostile_verdict(
            seg, rust, "call err: callee answered HANDLER_ERROR: answered first", message
        )
