"""The generated Go callee (the `--go-server` build, a real process) against callers that
break the protocol: a request cell out of sequence, a request payload changed after its
check was computed (in the cell or in the slot's request area), a completion ring the
caller made look full, ATTACHED left with caller_pid 0. Each ends (or recycles) that
caller's session only: the pending call fails fast with a ProtocolError, the Go log names
the field, and the same Go process then serves a new caller."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from rust2go.runtime import ProtocolError, ShmCaller
from rust2go.shm import layout as L
from rust2go.shm.check import check64
from rust2go.shm.segment import Segment
from tests.shm_codegen.interop import GoServer, load_module

CS = L.CallerState
GARBAGE_SEQ = 10**9
NAP_MS = 300


class LoggedServer(GoServer):
    """A Go server whose stderr (its protocol-violation log) is kept in a file."""

    def __init__(self, server_dir, name, tmp_path):
        self.log_path = tmp_path / "server.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in __exit__)
        super().__init__(server_dir, name, stderr=self._log)

    def log(self) -> str:
        return self.log_path.read_text()

    def __exit__(self, *exc) -> None:
        try:
            super().__exit__(*exc)
        finally:
            self._log.close()


def next_cell(seg: Segment, ring: str, counter: str) -> tuple[int, int]:
    """The position in `ring` ("request"/"completion") its `counter` names, and the
    offset of the cell there."""
    g = seg.geometry
    off, cap = getattr(g, f"{ring}_ring_offset"), getattr(g, f"{ring}_ring_capacity")
    pos = seg.atom.load_u64(off + L.RING.offset(counter))
    return pos, off + L.RING.size + (pos % cap) * L.CELL.size


async def until(cond, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.001)


async def serves_a_new_caller(mod, server: GoServer) -> None:
    async with await ShmCaller.connect(server.name, timeout=3) as c:
        assert await mod.SvcClient(c).add(40, 2) == 42
    assert server.proc.poll() is None, "the Go server exited"


@pytest.fixture
def svc(go_server):
    return load_module(go_server / "svc_shm.py")


@pytest.fixture
def on_go(go_server, svc, clean_shm, tmp_path):
    """Runs `scenario(server, caller, client)` against a fresh logged Go server, then
    checks that the same server serves a new caller."""

    def run(tag: str, scenario) -> None:
        async def session(server: LoggedServer) -> None:
            c = await ShmCaller.connect(server.name)
            await scenario(server, c, svc.SvcClient(c))
            await serves_a_new_caller(svc, server)

        with LoggedServer(go_server, f"/r2g-test_goviol_{tag}_{os.getpid()}", tmp_path) as s:
            asyncio.run(session(s))

    return run


def test_corrupt_request_cell_ends_the_session_not_the_go_callee(on_go):
    async def scenario(server: LoggedServer, c: ShmCaller, client) -> None:
        name, capacity = server.name, c.seg.geometry.request_ring_capacity
        nap = asyncio.create_task(asyncio.wait_for(client.nap(NAP_MS), 10))
        await until(lambda: c.in_flight == 1 and c.seg.request_ring.is_empty(), "nap popped")
        pos, cell = next_cell(c.seg, "request", "dequeue_pos")
        t0 = time.monotonic()
        c.seg.atom.store_u64(cell + L.CELL.offset("seq"), GARBAGE_SEQ)  # the next cell Go pops
        c.seg.callee_bell.ring()
        with pytest.raises(ProtocolError, match=f"callee of {name} ended this session"):
            await nap
        took = time.monotonic() - t0
        assert took < NAP_MS / 2000, f"the pending call failed after {took * 1000:.0f} ms"
        with pytest.raises(ProtocolError):
            await client.add(3, 4)
        await c.close()
        log = server.log()
        assert f"shm segment {name}: protocol violation: " in log, log
        assert (f"request_ring.cell[{pos % capacity}].seq={GARBAGE_SEQ} is ahead of "
                f"request_ring.dequeue_pos={pos}: ring corrupt; ending") in log, log  # fmt: skip

    on_go("req", scenario)


ADD_METHOD = 0  # `add` in peer/idl/api.rs
CHECK_METHOD = 4  # `check`


def add_args(a: int, b: int) -> bytes:
    """The request payload of add(a, b): 16 bytes, short enough to travel in the cell."""
    return a.to_bytes(8, "little") + b.to_bytes(8, "little")


def check_args(id_: int, data: bytes) -> bytes:
    """The request payload of check(id, data): longer than CELL_INLINE_MAX for the data
    used here, so it travels in the slot's request area."""
    padded = data + bytes(-len(data) % 8)
    return (id_.to_bytes(8, "little") + (24).to_bytes(8, "little")
            + len(data).to_bytes(8, "little") + padded)  # fmt: skip


def push_by_hand(seg: Segment, fields: dict, check: int, inline: bytes) -> None:
    """What a caller's push does, the cell's inline bytes given apart (so they can differ
    from what the check covers): claim the next request cell, write its fields, `inline`
    and `check`, then publish its seq."""
    g = seg.geometry
    ring, cap = g.request_ring_offset, g.request_ring_capacity
    enq = ring + L.RING.offset("enqueue_pos")
    pos = seg.atom.load_u64(enq)
    cell = ring + L.RING.size + (pos % cap) * L.CELL.size
    assert seg.atom.load_u64(cell + L.CELL.offset("seq")) == pos, "request ring not quiescent"
    assert seg.atom.cas_u64(enq, pos, pos + 1)
    for name in ("slot", "generation", "method", "length", "kind", "status"):
        seg.atom.store_u32(cell + L.CELL.offset(name), fields[name])
    at = cell + L.CELL.offset("inline")
    seg.mem[at : at + len(inline)] = inline
    seg.atom.store_u64(cell + L.CELL.offset("check"), check)
    seg.atom.store_u64(cell + L.CELL.offset("seq"), pos + 1)


# A payload byte changed after its check was computed, where the payload travels: in the
# cell (add's 16 bytes) or in the slot's request area (check's 128).
@pytest.mark.parametrize(("method", "payload"), [
    (ADD_METHOD, add_args(40, 2)),
    (CHECK_METHOD, check_args(7, bytes(range(100)))),
], ids=["in_cell", "in_area"])  # fmt: skip
def test_a_request_payload_changed_after_its_check_ends_the_session(on_go, method, payload):
    short = len(payload) <= L.CELL_INLINE_MAX
    assert short == (method == ADD_METHOD), len(payload)

    async def scenario(server: LoggedServer, c: ShmCaller, client) -> None:
        name = server.name
        nap = asyncio.create_task(asyncio.wait_for(client.nap(NAP_MS), 10))
        await until(lambda: c.in_flight == 1 and c.seg.request_ring.is_empty(), "nap popped")
        seg = Segment.open(name)  # a second mapping: what another process would change
        try:
            g = seg.geometry
            slot = g.slot_count - 1  # not the nap's
            word = seg.atom.load_u64(g.slot_offset(slot))
            assert word & 0xFFFF_FFFF == L.SlotState.FREE, hex(word)
            gen = (word >> 32) + 1
            fields = dict(slot=slot, generation=gen, method=method, length=len(payload),
                          kind=L.CellKind.CALL, status=0)  # fmt: skip
            check = check64(**fields, payload=payload)
            changed_payload = bytearray(payload)
            changed_payload[3] ^= 0x40  # after the check, before the cell is published
            changed = check64(**fields, payload=bytes(changed_payload))
            inline = b""
            if short:
                inline = bytes(changed_payload)
            else:
                area = g.request_area(slot)
                seg.mem[area : area + len(payload)] = changed_payload
            t0 = time.monotonic()
            push_by_hand(seg, fields, check, inline)
            seg.callee_bell.ring()
        finally:
            seg.close()
        with pytest.raises(ProtocolError, match=f"callee of {name} ended this session"):
            await nap
        took = time.monotonic() - t0
        assert took < NAP_MS / 2000, f"the pending call failed after {took * 1000:.0f} ms"
        await c.close()
        log = server.log()
        assert (f"shm segment {name}: protocol violation: request_ring cell.check=0x{check:016x} "
                f"of slot {slot} does not match 0x{changed:016x}") in log, log  # fmt: skip

    on_go("chkcell" if short else "chkarea", scenario)


def test_a_completion_ring_that_stays_full_ends_the_session(on_go):
    async def scenario(server: LoggedServer, c: ShmCaller, client) -> None:
        name = server.name
        assert await client.add(1, 1) == 2
        enq, cell = next_cell(c.seg, "completion", "enqueue_pos")
        # the seq of a cell a lap ago, filled and never taken: full for Go, empty for this
        # caller's pops (a seq no cell can have would be reported as corrupt at once)
        cap = c.seg.geometry.completion_ring_capacity
        c.seg.atom.store_u64(cell + L.CELL.offset("seq"), (enq + 1 - cap) % (1 << 64))
        t0 = time.monotonic()
        with pytest.raises(ProtocolError, match=f"callee of {name} ended this session"):
            await asyncio.wait_for(client.add(2, 3), 10)
        took = time.monotonic() - t0
        assert took < 1.0, f"the pending call failed after {took * 1000:.0f} ms"
        await c.close()
        log = server.log()
        assert "protocol violation: completion_ring stayed full for 100ms" in log, log
        assert "header.slot_count=" in log, log

    on_go("full", scenario)


def test_attached_with_pid_0_is_recycled_by_the_go_callee(go_server, svc, clean_shm):
    name = f"/r2g-test_goviol_pid0_{os.getpid()}"

    async def scenario(server: GoServer) -> None:
        seg = Segment.open(name)
        try:  # an attacher that died between its state CAS and its pid store
            assert seg.cas("caller_state", CS.VACANT, CS.ATTACHED)
            assert seg.load("caller_pid") == 0
        finally:
            seg.close()
        t0 = time.monotonic()
        async with await ShmCaller.connect(name, timeout=5) as c:
            waited = time.monotonic() - t0
            assert await svc.SvcClient(c).add(2, 2) == 4
        assert 0.9 < waited < 2.5, f"attached after {waited:.2f} s"
        await serves_a_new_caller(svc, server)

    with GoServer(go_server, name) as server:
        asyncio.run(scenario(server))
