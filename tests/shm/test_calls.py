"""Call semantics between a caller and a callee (in one process: the logic, not speed)."""

from __future__ import annotations

import asyncio

import pytest

from rust2go.runtime import (
    PayloadTooLarge,
    PeerGone,
    RemoteError,
    SegmentBusy,
    ShmCallee,
    ShmCaller,
    UnknownMethod,
)
from rust2go.shm import layout as L
from tests.shm.served import served


def handler(method: int, payload: bytes) -> bytes:
    if method == 1:
        return payload[::-1]
    if method == 2:
        raise ValueError("boom")
    if method == 3:
        return b"x" * 10_000
    if method == 4:
        seen.append(payload)
        return b"ignored"
    raise UnknownMethod(f"no method {method}")


seen: list[bytes] = []


@pytest.fixture
async def pair():
    async with served(
        handler, "pt_calls", slots=8, request_capacity=128, response_capacity=256
    ) as p:
        yield p


async def test_reply_round_trip(pair):
    _, c = pair
    assert await c.call(1, b"hello") == b"olleh"
    assert await c.call(1, b"") == b""


async def test_handler_errors_become_remote_errors(pair):
    _, c = pair
    with pytest.raises(RemoteError, match="HANDLER_ERROR: ValueError: boom") as e:
        await c.call(2, b"")
    assert e.value.status == L.CallStatus.HANDLER_ERROR
    with pytest.raises(RemoteError, match="UNKNOWN_METHOD") as e:
        await c.call(99, b"")
    with pytest.raises(
        RemoteError, match="RESPONSE_TOO_LARGE.*10000 bytes exceeds the response capacity of 256"
    ):
        await c.call(3, b"")


async def test_request_too_large_is_refused_before_sending(pair):
    callee, c = pair
    with pytest.raises(PayloadTooLarge, match="129 bytes exceeds the slot request capacity of 128"):
        await c.call(1, b"y" * 129)
    assert c.in_flight == 0 and callee.stats.handled == 0


async def test_oneway_runs_the_handler(pair):
    _, c = pair
    seen.clear()
    assert await c.oneway(4, b"note") is None
    assert seen == [b"note"]


async def test_more_calls_than_slots_wait_for_slots(pair):
    callee, c = pair
    replies = await asyncio.gather(*(c.call(1, bytes([i])) for i in range(100)))
    assert replies == [bytes([i]) for i in range(100)]
    await c.settle()
    assert callee.seg.slots.states() == {L.SlotState.FREE: 8}


async def test_call_many_pipelines_in_order(pair):
    _, c = pair
    out = await c.call_many(1, [b"ab", b"cd", b"ef"] * 10)
    assert out == [b"ba", b"dc", b"fe"] * 10


async def test_second_caller_is_refused_while_first_lives(pair):
    callee, _ = pair
    with pytest.raises(SegmentBusy):
        await ShmCaller.connect(callee.name)


async def test_callee_close_fails_later_calls_with_peer_gone():
    callee = ShmCallee.create("pt_close", slots=4)
    serving = asyncio.create_task(callee.serve(handler))
    c = await ShmCaller.connect(callee.name)
    assert await c.call(1, b"ab") == b"ba"
    await callee.close()
    await serving
    with pytest.raises(PeerGone):
        await c.call(1, b"ab", timeout=1)
    await c.close()


async def test_async_handler_with_workers():
    running = 0
    peak = 0

    async def ahandler(method: int, payload: bytes) -> bytes:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001)
        running -= 1
        return payload * 2

    async with ShmCallee.create("pt_async", slots=32) as callee:
        serving = asyncio.create_task(callee.serve(ahandler, workers=4))
        async with await ShmCaller.connect(callee.name) as c:
            out = await asyncio.gather(*(c.call(0, bytes([i])) for i in range(64)))
        assert out == [bytes([i]) * 2 for i in range(64)]
        assert peak == 4
    await serving


async def test_caller_reconnects_after_clean_detach(pair):
    callee, c = pair
    await c.close()
    async with await ShmCaller.connect(callee.name) as c2:
        assert await c2.call(1, b"xy") == b"yx"
    assert callee.stats.recycles >= 1


async def test_only_abandoning_a_call_writes_its_slot_word():
    async with ShmCallee.create("pt_marks", slots=4) as callee:
        async with await ShmCaller.connect(callee.name) as c:
            words = [callee.seg.slots.load(i) for i in range(4)]
            task = asyncio.create_task(c.call(1, b"late"))
            await asyncio.sleep(0.01)  # pushed; nobody serves yet
            assert c.in_flight == 1 and callee.seg.request_ring.depth() == 1
            assert [callee.seg.slots.load(i) for i in range(4)] == words, "a call writes no slot"
            ((slot, (gen, _, _)),) = c._pending.items()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert callee.seg.slots.load(slot) == (L.SlotState.ABANDONED, gen)
            serving = asyncio.create_task(callee.serve(handler))
            await c.settle()
            assert callee.stats.skipped_abandoned == 1 and callee.stats.handled == 0
            assert callee.seg.slots.load(slot) == (L.SlotState.FREE, gen), "mark cleared"
            assert (c.stats.abandoned, c.stats.answered_anyway) == (1, 0)
            words = [callee.seg.slots.load(i) for i in range(4)]
            assert await c.call_many(1, [b"ab"] * 10) == [b"ba"] * 10
            assert [callee.seg.slots.load(i) for i in range(4)] == words
        await callee.close()
    await serving
