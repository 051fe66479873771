"""Protocol violations in a live session: a corrupt request cell ends the caller's session
and not the callee (pending calls fail fast, a new caller is served); a completion the
caller cannot trust fails every pending call at once, naming the field; an attach
abandoned half-way never blocks the next one."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time

import pytest
import waiting

from rust2go.runtime import PeerGone, ProtocolError, ShmCallee, ShmCaller
from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.geometry import plan
from rust2go.shm.liveness import OwnerLock
from rust2go.shm.segment import Segment

CS = L.CallerState
GARBAGE_SEQ = 10**9


def corrupt_next_request(seg: Segment) -> None:
    """Garbage in the seq of the cell the callee pops next (far ahead of any position)."""
    seg.atom.store_u64(next_request_cell(seg) + L.CELL.offset("seq"), GARBAGE_SEQ)


def next_request_cell(seg: Segment) -> int:
    """Offset of the request cell the callee pops next."""
    g = seg.geometry
    pos = seg.atom.load_u64(g.request_ring_offset + L.RING.offset("dequeue_pos"))
    return g.request_ring_offset + L.RING.size + (pos % g.request_ring_capacity) * L.CELL.size


def payload_at(seg: Segment, cell: int) -> int:
    """Offset of the first payload byte a published cell announces: in the cell itself
    for a short one, else in its slot's request (or, for a REPLY, response) area."""
    if seg.atom.load_u32(cell + L.CELL.offset("length")) <= L.CELL_INLINE_MAX:
        return cell + L.CELL.offset("inline")
    slot = seg.atom.load_u32(cell + L.CELL.offset("slot"))
    if seg.atom.load_u32(cell + L.CELL.offset("kind")) == L.CellKind.REPLY:
        return seg.geometry.response_area(slot)
    return seg.geometry.request_area(slot)


def corrupt_next_request_payload(seg: Segment) -> None:
    """Change one byte of the request the callee pops next, after its check was computed."""
    seg.mem[payload_at(seg, next_request_cell(seg))] ^= 0x20


def callee_stats(peer) -> dict:
    peer.send("stats")
    return json.loads(peer.readline())


SHORT, LONG = b"second", b"second" * 50  # in the cell; in the slot's request area


@pytest.mark.parametrize(
    ("corrupt", "second_request", "logged"),
    [
        (corrupt_next_request, SHORT, f"request_ring.cell[1].seq={GARBAGE_SEQ} is ahead"),
        (corrupt_next_request_payload, SHORT, "request_ring cell.check=0x"),
        (corrupt_next_request_payload, LONG, "request_ring cell.check=0x"),
    ],
    ids=["seq", "inline-payload", "area-payload"],
)
async def test_corrupt_request_cell_fails_the_session_fast_and_the_callee_serves_on(
    peers, corrupt, second_request, logged
):
    callee = peers("callee", "pt_badreq", "slow300")  # one worker thread
    name = callee.readline()
    c = await ShmCaller.connect(name)
    ended: dict[str, float] = {}

    def call(label: str, payload: bytes) -> asyncio.Task:
        t = asyncio.create_task(c.call(0, payload, timeout=10))
        t.add_done_callback(lambda _: ended.setdefault(label, time.monotonic()))
        return t

    first = call("first", b"first")
    await waiting.until(
        lambda: c.in_flight == 1 and c.seg.request_ring.is_empty(), what="first call popped"
    )
    second = call("second", second_request)
    await waiting.until(
        lambda: c.in_flight == 2 and not c.seg.request_ring.is_empty(), what="second call queued"
    )
    corrupt(c.seg)  # while the callee runs the first call's handler

    assert await first == b"first"  # answered before the callee looked at the ring again
    with pytest.raises(ProtocolError, match=f"callee of {name} ended this session"):
        await second
    noticed = ended["second"] - ended["first"]
    assert noticed < 0.1, f"the pending call failed {noticed * 1000:.0f} ms after the violation"
    with pytest.raises(ProtocolError):
        await c.call(0, b"late")
    await c.close()

    async with await ShmCaller.connect(name, timeout=2) as c2:
        assert await c2.call(0, b"again") == b"again"
    stats = callee_stats(callee)
    assert stats["protocol_errors"] == 1 and stats["recycles"] >= 1, stats
    assert logged in stats["last_violation"], stats
    callee.send("quit")
    assert callee.finish() == 0


async def test_a_caller_that_ignores_broken_is_recycled_after_the_grace(peers):
    callee = peers("callee", "pt_deafcaller", "echo")
    name = callee.readline()
    seg = Segment.open(name)
    lock = session.take_caller_lock(seg)
    try:
        assert session.try_attach(seg)  # a raw caller: it never looks at caller_state
        corrupt_next_request(seg)
        seg.atom.store_u64(  # make the garbage cell look published
            seg.geometry.request_ring_offset + L.RING.offset("enqueue_pos"), 1
        )
        seg.callee_bell.ring()
        await waiting.until(lambda: seg.load("caller_state") == CS.BROKEN, timeout=2,
                            what="the callee marks the session BROKEN")  # fmt: skip
        t0 = time.monotonic()
        await waiting.until(lambda: seg.load("caller_state") == CS.VACANT, timeout=5,
                            what="the callee recycles the deaf caller's session")  # fmt: skip
        waited = time.monotonic() - t0
        assert session.BROKEN_GRACE * 0.9 < waited < session.BROKEN_GRACE + 1, waited
    finally:
        lock.release()
        seg.close()
    async with await ShmCaller.connect(name, timeout=2) as c:
        assert await c.call(0, b"served") == b"served"
    callee.send("quit")
    assert callee.finish() == 0


def answer(seg: Segment, cell, reply: bytes) -> None:
    slot, gen, method = cell[0], cell[1], cell[2]
    seg.wire.answer(slot, gen, method, L.CallStatus.OK, reply)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": 99}, "completion_ring cell.kind=99 is not REPLY (3)"),
        ({"slot": 1000}, "completion_ring cell.slot=1000 is not below header.slot_count=4"),
        ({"length": 1 << 20}, "cell.length=1048576 exceeds header.response_capacity=64"),
    ],
)
async def test_bad_completion_fails_every_pending_call_at_once(change, message):
    seg = Segment.create("pt_badcomp", geometry=plan(4, 4, 4, 64, 64))  # a hostile callee
    try:
        c = await ShmCaller.connect(seg.name)
        calls = [asyncio.create_task(c.call(7, bytes([i]), timeout=5)) for i in range(3)]
        await waiting.until(lambda: seg.request_ring.depth() == 3, what="three requests")
        cells = [seg.request_ring.try_pop() for _ in range(3)]
        answer(seg, cells[0], b"fine")
        assert await calls[0] == b"fine"

        slot, gen, method = cells[1][:3]
        reply = b"garbage"  # short: it travels in the cell
        fields = {"slot": slot, "generation": gen, "method": method, "length": len(reply),
                  "kind": L.CellKind.REPLY, "status": L.CallStatus.OK, **change}  # fmt: skip
        inline = reply if fields["length"] == len(reply) else None
        t0 = time.monotonic()
        assert seg.completion_ring.try_push(*fields.values(), payload=inline)
        seg.caller_bell.ring()
        results = await asyncio.gather(*calls[1:], return_exceptions=True)
        elapsed = time.monotonic() - t0
        assert all(isinstance(r, ProtocolError) for r in results), results
        assert all(message in str(r) for r in results), results
        assert elapsed < 0.1, f"pending calls failed after {elapsed * 1000:.0f} ms"
        assert c.stats.protocol_errors == 1
        assert seg.load("caller_state") == CS.DETACHED  # the callee may recycle at once
        with pytest.raises(ProtocolError, match=re.escape(message)):
            await c.call(7, b"later")
        await c.close()
    finally:
        seg.unlink()
        seg.close()


@pytest.mark.parametrize("reply", [b"the reply", b"the reply" * 20], ids=["inline", "area"])
async def test_a_reply_changed_after_its_check_fails_every_pending_call(reply):
    seg = Segment.create("pt_badcheck", geometry=plan(4, 4, 4, 64, 256))  # a hostile callee
    try:
        c = await ShmCaller.connect(seg.name)
        calls = [asyncio.create_task(c.call(7, bytes([i]), timeout=5)) for i in range(2)]
        await waiting.until(lambda: seg.request_ring.depth() == 2, what="two requests")
        slot, gen, method = seg.request_ring.try_pop()[:3]
        check = seg.wire.check(slot, gen, method, L.CellKind.REPLY, L.CallStatus.OK, reply)
        changed = reply.replace(b"r", b"R", 1)
        t0 = time.monotonic()
        if len(reply) <= L.CELL_INLINE_MAX:  # the cell carries the changed reply itself
            pushed = seg.completion_ring.try_push(slot, gen, method, len(reply),
                                                  L.CellKind.REPLY, L.CallStatus.OK, check, changed)  # fmt: skip
        else:
            area = seg.geometry.response_area(slot)
            seg.mem[area : area + len(reply)] = changed
            pushed = seg.completion_ring.try_push(
                slot, gen, method, len(reply), L.CellKind.REPLY, L.CallStatus.OK, check
            )
        assert pushed
        seg.caller_bell.ring()
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert time.monotonic() - t0 < 0.1
        want = (
            f"completion_ring cell.check=0x{check:016x} does not match slot {slot}'s cell and reply"
        )
        assert all(isinstance(r, ProtocolError) and want in str(r) for r in results), results
        await c.close()
    finally:
        seg.unlink()
        seg.close()


def echo(method: int, payload: bytes) -> bytes:
    return payload


async def test_attached_with_pid_0_is_recycled_and_a_later_attach_succeeds():
    async with ShmCallee.create("pt_pid0") as callee:
        serving = asyncio.create_task(callee.serve(echo))
        # an attacher that died between its state CAS and its pid store
        assert callee.seg.cas("caller_state", CS.VACANT, CS.ATTACHED)
        t0 = time.monotonic()
        async with await ShmCaller.connect(callee.name, timeout=5) as c:
            waited = time.monotonic() - t0
            assert await c.call(0, b"x") == b"x"
        assert waited < session.ATTACH_GRACE + 1, waited
        assert callee.stats.recycles >= 1
    await serving


async def test_a_claim_left_by_a_dead_attacher_is_taken_over():
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    async with ShmCallee.create("pt_deadclaim") as callee:
        serving = asyncio.create_task(callee.serve(echo))
        # the dead attacher held its lock file and had claimed caller_pid, state VACANT
        OwnerLock(callee.seg.names.caller_lock(pid)).release(unlink=False)
        assert callee.seg.cas("caller_pid", 0, pid)
        async with await ShmCaller.connect(callee.name, timeout=2) as c:
            assert callee.seg.load("caller_pid") == os.getpid()
            assert await c.call(0, b"y") == b"y"
        assert not os.path.exists(callee.seg.names.caller_lock(pid))
    await serving


@pytest.mark.parametrize("field", ["caller_pid", "caller_state"])
async def test_a_session_no_longer_the_callers_fails_its_pending_calls_fast(peers, field):
    """A stray write to caller_pid or caller_state (the callee may take the caller for
    gone and recycle): the pending calls end in PeerGone naming the field, no timeout."""
    callee = peers("callee", "pt_notmine", "slow300")
    name = callee.readline()
    c = await ShmCaller.connect(name)
    calls = [asyncio.create_task(c.call(0, b"x", timeout=5)) for _ in range(3)]
    await waiting.until(lambda: c.in_flight == 3, what="three calls in flight")
    at = L.HEADER.offset(field) + (3 if field == "caller_pid" else 0)
    t0 = time.monotonic()
    c.seg.mem[at] ^= 0x40 if field == "caller_pid" else 0x07
    results = await asyncio.gather(*calls, return_exceptions=True)
    took = time.monotonic() - t0
    failed = [r for r in results if isinstance(r, PeerGone)]
    assert failed and all(f"header.{field}=" in str(r) for r in failed), results
    assert took < 0.2, f"the pending calls failed {took * 1000:.0f} ms after the write"
    await c.close()
    callee.send("quit")
    assert callee.finish() == 0
