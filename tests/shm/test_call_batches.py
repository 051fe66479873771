"""ShmCaller.call_many: one waiter per batch, runs of free slots submitted in one C call
(Wire.submit_many). Replies in order and each its own; failures in place; backpressure
on slots and on a full request ring; cancellation and timeouts abandon what is pending
and every slot comes back; the session ending mid-batch fails every unfinished call."""

from __future__ import annotations

import asyncio
import time

import pytest
import waiting

from rust2go.cli import main as cli
from rust2go.runtime import PayloadTooLarge, PeerGone, RemoteError, ShmCallee, ShmCaller
from rust2go.shm import layout as L

ECHO, FAIL_ODD, NAP = 1, 2, 3


async def handler(method: int, payload: bytes) -> bytes:
    n = int.from_bytes(payload[:4], "little")
    if method == ECHO:
        return payload[::-1]
    if method == FAIL_ODD:
        if n % 2:
            raise ValueError(f"odd {n}")
        return payload
    if method == NAP:
        await asyncio.sleep(n / 1000)
        return payload
    raise ValueError(f"no method {method}")


def req(i: int) -> bytes:
    return i.to_bytes(4, "little") + bytes([i % 251]) * (i % 40)


@pytest.fixture
async def serve():
    """serve(slots=, request_ring=) -> (callee, caller); both closed after the test."""
    opened = []

    async def start(slots: int = 16, request_ring: int | None = None):
        callee = ShmCallee.create("pt_batches", slots=slots, request_ring=request_ring,
                                  request_capacity=128, response_capacity=128)  # fmt: skip
        serving = asyncio.create_task(callee.serve(handler, workers=4))
        caller = await ShmCaller.connect(callee.name)
        opened.append((callee, serving, caller))
        return callee, caller

    yield start
    for callee, serving, caller in opened:
        await caller.close()
        await callee.close()
        await serving


def all_free(caller: ShmCaller) -> bool:
    g = caller.seg.geometry
    return caller.in_flight == 0 and caller.seg.slots.states() == {L.SlotState.FREE: g.slot_count}


async def test_replies_in_order_each_its_own_beyond_the_slot_count(serve):
    callee, c = await serve(slots=8)
    reqs = [req(i) for i in range(1000)]
    out = await c.call_many(ECHO, reqs)
    assert out == [r[::-1] for r in reqs]
    assert c.stats.calls == 1000 and c.stats.slot_waits > 0  # 1000 calls through 8 slots
    assert callee.stats.handled == 1000
    await c.settle()
    assert all_free(c)


async def test_a_full_request_ring_makes_the_batch_wait(serve):
    _, c = await serve(slots=16, request_ring=2)
    reqs = [req(i) for i in range(300)]
    assert await c.call_many(ECHO, reqs) == [r[::-1] for r in reqs]
    assert c.stats.ring_full_waits > 0 and c.stats.calls == 300
    await c.settle()
    assert all_free(c)


async def test_failed_calls_are_in_place_and_the_others_stand(serve):
    _, c = await serve()
    out = await c.call_many(FAIL_ODD, [req(i) for i in range(50)])
    for i, r in enumerate(out):
        if i % 2:
            assert isinstance(r, RemoteError) and f"odd {i}" in str(r)
            assert r.status == L.CallStatus.HANDLER_ERROR
        else:
            assert r == req(i)


async def test_an_empty_batch_returns_at_once(serve):
    _, c = await serve()
    assert await c.call_many(ECHO, []) == []


async def test_a_payload_too_large_refuses_the_whole_batch_before_sending(serve):
    _, c = await serve()
    with pytest.raises(PayloadTooLarge, match=r"payloads\[2\] of 129 bytes"):
        await c.call_many(ECHO, [b"a", b"b", b"x" * 129])
    assert c.stats.calls == 0 and all_free(c)


async def test_cancelling_a_batch_abandons_it_and_every_slot_comes_back(serve):
    callee, c = await serve(slots=8)
    nap = (300).to_bytes(4, "little")
    task = asyncio.create_task(c.call_many(NAP, [nap] * 20))  # 8 in flight, 12 waiting
    await asyncio.sleep(0.05)
    assert c.in_flight == 8
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert c.stats.abandoned == 8 and c.stats.calls == 8  # the other 12 never went out
    await c.settle()
    assert all_free(c)
    assert await c.call(ECHO, b"ab") == b"ba"  # the caller is still good


async def test_a_timed_out_batch_raises_and_every_slot_comes_back(serve):
    _, c = await serve(slots=8)
    naps = [(0).to_bytes(4, "little")] * 4 + [(1500).to_bytes(4, "little")] * 4
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        await c.call_many(NAP, naps, timeout=0.1)
    assert time.monotonic() - t0 < 1.0  # not the sleeping ones' 1.5 s
    assert 4 <= c.stats.abandoned <= 8  # the sleeping ones, and quick ones not yet answered
    await c.settle()
    assert all_free(c)


async def test_batches_and_single_calls_share_the_slots(serve):
    _, c = await serve(slots=4)
    batches = [[req(j * 100 + i) for i in range(30)] for j in range(3)]
    singles = [req(1000 + i) for i in range(20)]
    got = await asyncio.gather(*(c.call_many(ECHO, b) for b in batches),
                               *(c.call(ECHO, s) for s in singles))  # fmt: skip
    assert got[:3] == [[r[::-1] for r in b] for b in batches]
    assert got[3:] == [s[::-1] for s in singles]
    await c.settle()
    assert all_free(c)


async def test_a_closing_callee_answers_refuses_or_fails_each_call_in_order(serve):
    callee, c = await serve(slots=4)
    quick, slow = (0).to_bytes(4, "little"), (200).to_bytes(4, "little")
    task = asyncio.create_task(c.call_many(NAP, [quick] * 2 + [slow] * 10))
    await asyncio.sleep(0.05)  # the two quick ones answered, four slow ones in flight
    await callee.close()  # those finish, queued ones are refused, then the session ends
    out = await asyncio.wait_for(task, 5)
    assert out[:6] == [quick] * 2 + [slow] * 4
    rank = [0 if isinstance(r, bytes) else 1 if isinstance(r, RemoteError) else 2 for r in out]
    assert rank == sorted(rank) and rank[-1] == 2, out
    assert all(isinstance(r, PeerGone) for r in out if not isinstance(r, bytes | RemoteError))
    with pytest.raises(PeerGone):  # a dead caller refuses a batch outright
        await c.call_many(NAP, [quick])


async def test_a_killed_callee_fails_every_unfinished_call_sent_or_not(peers):
    callee = peers("callee", "pt_batch_kill", "async_block", "16", "4")
    c = await ShmCaller.connect(callee.readline())
    task = asyncio.create_task(c.call_many(0, [bytes([i]) for i in range(20)]))
    await waiting.until(lambda: c.seg.request_ring.is_empty() and c.in_flight == 4,
                        what="4 calls in flight, 16 waiting for a slot")  # fmt: skip
    callee.proc.kill()
    callee.proc.wait()
    out = await asyncio.wait_for(task, 5)
    assert c.stats.calls == 4
    assert len(out) == 20 and all(isinstance(r, PeerGone) for r in out), out
    await c.close()
    assert cli(["shm", "clean"]) == 0  # the killed callee's leftovers


async def test_closing_the_caller_cancels_a_batch(serve):
    _, c = await serve(slots=4)
    task = asyncio.create_task(c.call_many(NAP, [(300).to_bytes(4, "little")] * 4))
    await asyncio.sleep(0.05)
    await c.close()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_submit_many_refuses_bad_arguments_before_publishing(serve):
    _, c = await serve(slots=4)
    w = c.seg.wire
    before = [c.seg.slots.load(i) for i in range(4)]
    with pytest.raises(ValueError, match=r"payloads\[1\] of 200 bytes exceeds request_capacity"):
        w.submit_many(ECHO, L.CellKind.CALL, [0, 1], [7, 7], [b"a", b"x" * 200], 0)
    with pytest.raises(ValueError, match=r"slots\[1\]=9 >= slot_count 4"):
        w.submit_many(ECHO, L.CellKind.CALL, [0, 9], [7, 7], [b"a", b"b"], 0)
    with pytest.raises(ValueError, match="2 slots, 1 gens"):
        w.submit_many(ECHO, L.CellKind.CALL, [0, 1], [7], [b"a", b"b"], 0)
    with pytest.raises(ValueError, match="from offset 1"):
        w.submit_many(ECHO, L.CellKind.CALL, [0, 1], [7, 7], [b"a", b"b"], 1)
    with pytest.raises(TypeError):
        w.submit_many(ECHO, L.CellKind.CALL, [0, 1], [7, 7], [b"a", 5], 0)
    assert [c.seg.slots.load(i) for i in range(4)] == before
    assert c.seg.request_ring.depth() == 0
