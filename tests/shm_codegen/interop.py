"""The live interop pairs of the generated shm peers, shared by test_peers.py,
test_golden_payloads.py and bench/shm_interop.py: building the peer binaries (crate
`peer/`: Rust caller + in-process Go callee; the `--go-server` build of the same Go impl;
the Python module of the same IDL), running the Go server, and the Python ends of
Python→Go and Rust→Python. Exactly once: every `check` reply is a checksum of that
call's own arguments, and the callee counts the `check` calls it ran."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.e2e.crates import WORK, Crate, need, prepare, run, rust2go, sync_tree

PEER = Path(__file__).parent / "peer"
MASK = (1 << 64) - 1


def build_peer() -> Crate:
    """The generated Rust caller + Go callee of peer/idl/api.rs, linked in one binary."""
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    return prepare(PEER, "r2g_shm_peer", "idl/api.rs", "src/api.rs")


def build_go_server() -> Path:
    """`rust2go generate --go-server`: the peer's Go impl as a standalone server binary
    (`server`), beside the Python module of the same IDL (`svc_shm.py`)."""
    work = WORK / "peer_server"
    sync_tree(PEER / "go", work)
    rust2go("generate", PEER / "idl" / "api.rs", "--go-out", "gen.go", "--without-main",
            "--go-server", "server.go", "--python-out", "svc_shm.py", cwd=work)  # fmt: skip
    run(["go", "build", "-o", "server", "."], work)
    return work


def checksum(id: int, data: bytes) -> int:
    h = (id * 0x9E3779B97F4A7C15 + 1) & MASK
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def check_data(i: int) -> bytes:
    """The `check` argument of call i (as the Rust storm makes it)."""
    return bytes(range(i % 48))


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"svc_shm_{path.stat().st_mtime_ns}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve annotations through it
    spec.loader.exec_module(mod)
    return mod


class GoServer:
    """The `--go-server` binary serving `name`; SIGTERM on exit (quit handshake, unlink).
    `stderr`: where its log goes (a file object; inherited by default); `flags`: the
    server's own (`-slots N` ...)."""

    def __init__(self, server_dir: Path, name: str, stderr=None, flags: tuple[str, ...] = ()):
        self.name = name
        self.proc = subprocess.Popen([str(server_dir / "server"), *flags, name],
                                     stdout=subprocess.PIPE, stderr=stderr, text=True)  # fmt: skip
        line = self.proc.stdout.readline().strip()
        if line != f"serving {name}":
            self.proc.kill()
            raise AssertionError(f"the Go server did not start: {line!r}")

    def __enter__(self) -> GoServer:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # a hung server must not outlive the test
            self.proc.wait()
            raise
        assert code == 0


CHECK_DATA = [check_data(i) for i in range(48)]  # check_data(i) is CHECK_DATA[i % 48]


def expected_checks(calls: int) -> list[int]:
    """The reply each of `calls` check calls must get. Computed before a clock starts:
    in Python one costs about as much as a call."""
    return [checksum(i, CHECK_DATA[i % 48]) for i in range(calls)]


async def _checked_run(mod, name: str, calls: int, step: int, send) -> dict:
    """`calls` checksummed `check` calls from the generated Python client, `step` at a
    time through `send(client, start, end)`; exactly once: every reply right and Go ran
    `check` `calls` times."""
    from rust2go.runtime import ShmCaller

    want = expected_checks(calls)
    async with await ShmCaller.connect(name) as caller:
        client = mod.SvcClient(caller)
        before = await client.checks()
        t0 = time.perf_counter()
        for start in range(0, calls, step):
            end = min(start + step, calls)
            replies = await send(client, start, end)
            if replies != want[start:end]:
                wrong = [start + j for j, r in enumerate(replies) if r != want[start + j]]
                raise AssertionError(f"wrong replies to calls {wrong[:10]}: {replies[:3]}")
        seconds = time.perf_counter() - t0
        ran = await client.checks() - before
    assert ran == calls, f"Go ran check {ran} times for {calls} calls"
    return {"calls": calls, "seconds": seconds, "callee_ran": ran}


async def python_to_go(mod, name: str, calls: int, depth: int = 256) -> dict:
    """`depth` calls in flight at a time, a task each (asyncio.gather)."""
    return await _checked_run(mod, name, calls, depth, lambda client, a, b: asyncio.gather(
        *(client.check(i, CHECK_DATA[i % 48]) for i in range(a, b))))  # fmt: skip


async def python_to_go_batches(mod, name: str, calls: int, batch: int = 256) -> dict:
    """`batch` calls at a time through the client's `check_many`."""
    return await _checked_run(mod, name, calls, batch, lambda client, a, b: client.check_many(
        [(i, CHECK_DATA[i % 48]) for i in range(a, b)]))  # fmt: skip


class PythonSvc:
    """The Python callee of the peer IDL (for Rust→Python); counts the `check` calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the callee runs handlers on worker threads
        self.ran = 0

    def add(self, a, b):
        return a + b

    def echo_all(self, a):
        return a

    def note(self, p, name):
        pass

    def kinds(self, k, tag):
        return k

    def check(self, id, data):
        with self._lock:
            self.ran += 1
        return checksum(id, bytes(data))

    def checks(self):
        with self._lock:
            return self.ran

    def fail(self, msg):
        raise ValueError(f"refused: {msg}")


async def payload_lengths(client) -> None:
    """The Rust peer's `lengths` from Python: requests and replies of every length across
    the largest payload a ring cell carries itself, each byte checked."""
    from rust2go.runtime import RemoteError

    for n in range(105):
        data = bytes((i * 7 + 3) & 0xFF for i in range(n))
        assert await client.check(1000 + n, data) == checksum(1000 + n, data), n
        msg = "".join(chr(ord("a") + i % 26) for i in range(n))
        try:
            await client.fail(msg)
        except RemoteError as e:
            assert f"refused: {msg}" in str(e), (n, str(e))
        else:
            raise AssertionError(f"fail({n}) returned")


def peer_contract(idl: Path = PEER / "idl" / "api.rs"):
    """The shm contract of the peer IDL's trait (or of another IDL's only trait)."""
    from rust2go.codegen.api import load_program
    from rust2go.codegen.lower.shm_contract import contract

    program = load_program(idl)
    (trait,) = program.r2g_traits()
    return contract(program, trait)


async def serve_python(handler, argv: list[str], workers: int = 2,
                       contract=None) -> tuple[int, str]:  # fmt: skip
    """Serve `handler` on a fresh Python callee while the command `argv` runs (`{name}`
    in it stands for the segment name); returns its exit status and stdout + stderr.
    The callee declares `contract`, by default the peer IDL's."""
    from rust2go.runtime import ShmCallee

    callee = ShmCallee.create("py_callee", contract=contract or peer_contract())
    task = asyncio.create_task(callee.serve(handler, workers=workers))
    try:
        args = [callee.name if a == "{name}" else a for a in argv]
        proc = await asyncio.create_subprocess_exec(*args, stdout=subprocess.PIPE,
                                                    stderr=subprocess.STDOUT)  # fmt: skip
        out, _ = await proc.communicate()
    finally:
        await callee.close()
        await task
    return proc.returncode, out.decode()


@contextlib.contextmanager
def hostile_session(peer_crate: Crate):
    """The peer's `hostile` mode (three `add` calls at once) attached to a segment the
    test serves by hand; yields (segment, process) once the three requests are queued.
    The process is killed and the segment removed after."""
    from rust2go.shm.geometry import plan
    from rust2go.shm.segment import Segment

    seg = Segment.create("hostile", geometry=plan(4, 4, 4, 64, 64), contract=peer_contract())
    rust = subprocess.Popen([str(peer_crate.binary), "hostile", seg.name], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=peer_crate.dir)  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while seg.request_ring.depth() < 3:
            assert time.monotonic() < deadline and rust.poll() is None, "three requests"
            time.sleep(0.002)
        yield seg, rust
    finally:
        rust.kill()
        rust.wait()
        seg.unlink()
        seg.close()


def hostile_verdict(seg, rust: subprocess.Popen, answered: str, message: str) -> None:
    """Tell the hostile peer its bad completion is out: the call answered first printed
    `answered`, the two others failed within 100 ms naming `message`, a later call fails
    at once and the caller detached (so the callee may recycle); no crash."""
    from rust2go.shm import layout as L

    rust.stdin.write("sent\n")
    rust.stdin.flush()
    out, _ = rust.communicate(timeout=10)
    assert rust.returncode == 0, out
    assert out.count(answered) == 1, out
    gone = [line for line in out.splitlines() if line.startswith("call gone")]
    assert len(gone) == 2 and all(message in line for line in gone), (message, out)
    assert all(int(line.split()[2]) <= 100 for line in gone), out
    assert "ok later calls fail" in out, out
    assert seg.load("caller_state") == L.CallerState.DETACHED
