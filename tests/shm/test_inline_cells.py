"""Short payloads travel in the ring cell (docs/shm-layout.md, "Short payloads travel in
the cell"): round trips at the lengths around CELL_INLINE_MAX, every byte checked; a short
call leaves the slot's areas alone; the raw push of a hand-built short cell and the
callee's own push after a full completion ring; the Wire spec fields that place the inline
bytes. Changed inline bytes are refused like changed area bytes:
tests/shm/test_protocol_violations.py (requests and replies)."""

from __future__ import annotations

import itertools
import mmap
import threading
import zlib

import pytest

from rust2go.runtime import RemoteError, ShmCallee, ShmCaller, callee_core
from rust2go.shm import layout as L
from rust2go.shm.check import check64
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.geometry import plan
from rust2go.shm.hotpath import TAKE_ABANDONED, TAKE_OK, Wire, wire_spec
from rust2go.shm.segment import Segment
from tests.shm.served import served

MAX = L.CELL_INLINE_MAX
LENGTHS = (0, MAX - 1, MAX, MAX + 1, 4000)  # empty, short, the longest short, long
SENTINEL = 0xA5


def pattern(n: int, salt: int) -> bytes:
    """n bytes in which every position and every salt gives a different sequence."""
    return bytes((k * 131 + (k >> 8) * 7 + salt * 29 + 1) & 0xFF for k in range(n))


def reply_to(method: int, request: bytes) -> bytes:
    """`method` bytes that depend on every byte of the request."""
    return pattern(method, zlib.crc32(request) + len(request))


def handler(method: int, payload: bytes) -> bytes:
    if payload != pattern(len(payload), len(payload)):
        raise ValueError(f"request of {len(payload)} bytes arrived changed")
    return reply_to(method, payload)


@pytest.fixture
async def pair():
    async with served(
        handler, "pt_inline", slots=4, request_capacity=4096, response_capacity=4096
    ) as p:
        yield p


async def test_round_trips_at_every_length_around_the_inline_limit(pair):
    _, c = pair
    for req_len, rep_len in itertools.product(LENGTHS, LENGTHS):
        request = pattern(req_len, req_len)
        try:
            got = await c.call(rep_len, request, timeout=5)
        except RemoteError as e:  # the handler saw a changed request
            raise AssertionError(f"request {req_len} / reply {rep_len}: {e}") from None
        assert got == reply_to(rep_len, request), (req_len, rep_len)


async def test_batched_round_trips_at_every_length(pair):
    """call_many submits through submit_many, the batch path of the writer."""
    _, c = pair
    requests = [pattern(n, n) for n in LENGTHS] * 3
    for rep_len in LENGTHS:
        assert await c.call_many(rep_len, requests) == [reply_to(rep_len, r) for r in requests]


async def test_round_trips_between_processes(peers):
    callee = peers("callee", "pt_inline_x", "echo")
    name = callee.readline()
    async with await ShmCaller.connect(name) as c:
        for n in LENGTHS:
            request = pattern(n, n)
            assert await c.call(0, request, timeout=5) == request, n
    callee.send("quit")
    assert callee.finish() == 0


def payload_areas(seg: Segment) -> slice:
    g = seg.geometry
    return slice(g.payload_offset, g.payload_offset + g.slot_count * g.payload_stride)


async def test_a_short_call_leaves_the_slot_areas_untouched(pair):
    callee, c = pair
    areas = payload_areas(callee.seg)
    size = areas.stop - areas.start
    callee.seg.mem[areas] = bytes([SENTINEL]) * size
    short = [n for n in LENGTHS if n <= MAX]
    for req_len, rep_len in itertools.product(short, short):
        request = pattern(req_len, req_len)
        assert await c.call(rep_len, request) == reply_to(rep_len, request)
    await c.call_many(MAX, [pattern(n, n) for n in short] * 4)
    await c.oneway(0, pattern(MAX, MAX))
    await c.settle()
    assert bytes(callee.seg.mem[areas]) == bytes([SENTINEL]) * size

    # The control: one byte more and the request and the reply go through the areas.
    long = pattern(MAX + 1, MAX + 1)
    assert await c.call(MAX + 1, long) == reply_to(MAX + 1, long)
    after = bytes(callee.seg.mem[areas])
    assert long in after and reply_to(MAX + 1, long) in after


def _wire_segment() -> Segment:
    return Segment.create("pt_inline_raw", geometry=plan(4, 4, 4, 256, 256))


def test_a_hand_built_short_cell_carries_its_payload_and_check():
    seg = _wire_segment()
    try:
        r = seg.request_ring
        payload = pattern(MAX, 3)
        cell = seg.geometry.request_ring_offset + L.RING.size  # position 0
        inline = cell + L.CELL.offset("inline")
        assert r.try_push(2, 5, 7, MAX, L.CellKind.CALL, payload=payload)
        assert seg.mem[inline : inline + MAX] == payload
        want = check64(2, 5, 7, MAX, L.CellKind.CALL, 0, payload)
        assert seg.atom.load_u64(cell + L.CELL.offset("check")) == want
        # Verified (else TAKE_CORRUPT), and copied out of the cell.
        assert seg.wire.take_requests(1) == [(TAKE_OK, 2, 5, 7, L.CellKind.CALL, payload)]
        # Marked ABANDONED for its generation: verified, then skipped.
        assert r.try_push(2, 6, 7, MAX, L.CellKind.CALL, payload=payload)
        seg.slots.mark(2, 6, L.SlotState.ABANDONED)
        assert seg.wire.take_requests(1) == [(TAKE_ABANDONED, 2, 6, 7, L.CellKind.CALL, None)]

        # A given check is stored as given; without a payload the cell keeps its bytes.
        assert r.try_push(1, 0, 0, 4, L.CellKind.CALL, 0, 12345)
        assert seg.atom.load_u64(cell + 2 * L.CELL.size + L.CELL.offset("check")) == 12345
        with pytest.raises(ValueError, match="a payload of 3 bytes for a cell of length 4"):
            r.try_push(1, 0, 0, 4, L.CellKind.CALL, payload=b"abc")
        with pytest.raises(ValueError, match=f"length {MAX + 1}; only a cell of length <= {MAX}"):
            r.try_push(1, 0, 0, MAX + 1, L.CellKind.CALL, payload=bytes(MAX + 1))
    finally:
        seg.unlink()
        seg.close()


def test_take_requests_copies_a_short_request_out_of_the_cell():
    seg = _wire_segment()
    try:
        g = seg.geometry
        seg.mem[g.request_area(1) : g.request_area(1) + 256] = bytes([SENTINEL]) * 256
        for n in (0, 1, MAX):
            gen = n + 1
            assert seg.wire.submit(1, gen, 9, L.CellKind.CALL, pattern(n, 5)) == 1
            assert seg.wire.take_requests(4) == [
                (TAKE_OK, 1, gen, 9, L.CellKind.CALL, pattern(n, 5))
            ]
            seg.wire.free(1, gen)
        assert seg.mem[g.request_area(1) : g.request_area(1) + 256] == bytes([SENTINEL]) * 256
    finally:
        seg.unlink()
        seg.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cell_inline_max": L.CELL.size}, "cell_inline_max=128 bytes at cell.inline=40"),
        ({"cell_inline": L.CELL.size}, "cell.inline at 128 does not fit"),
        ({"cell_inline": 41}, "cell.inline at 41 does not fit"),
        ({"cell_inline_max": -1}, "cell_inline_max=-1 is negative"),
    ],
)
def test_a_spec_whose_inline_bytes_do_not_fit_the_cell_is_refused(change, message):
    g = plan(2, 2, 2, 64, 64)
    buf = mmap.mmap(-1, g.segment_size)
    try:
        with pytest.raises(ValueError, match=message):
            Wire(buf, {**wire_spec(g), **change}, ShmLayoutError)
        spec = wire_spec(g)
        del spec["cell_inline_max"]
        with pytest.raises(KeyError, match="cell_inline_max"):
            Wire(buf, spec, ShmLayoutError)
    finally:
        buf.close()


@pytest.mark.parametrize("n", [5, MAX + 100], ids=["inline", "area"])
async def test_a_reply_pushed_after_a_full_completion_ring_arrives_whole(monkeypatch, n):
    """answer() finds the completion ring full (only a broken caller fills it) and the
    callee pushes the cell itself once there is room: a short reply goes into that cell."""
    monkeypatch.setattr(callee_core, "FULL_PATIENCE", 10.0)
    geometry = {"slots": 2, "request_capacity": 256, "response_capacity": 256}
    async with ShmCallee.create("pt_inline_full", **geometry) as callee:
        seg, reply = callee.seg, pattern(n, 9)
        assert seg.wire.submit(0, 1, 4, L.CellKind.CALL, b"q")  # slot 0, generation 1, in flight
        for _ in range(seg.geometry.completion_ring_capacity):  # a broken caller's cells
            assert seg.completion_ring.try_push(1, 0, 0, 0, L.CellKind.REPLY)
        room = threading.Timer(0.05, lambda: [seg.completion_ring.try_pop() for _ in range(2)])
        room.start()
        callee.core.finish((TAKE_OK, 0, 1, 4, L.CellKind.CALL, b"q"), L.CallStatus.OK, reply)
        room.join()
        assert seg.wire.take_completions(4) == [(0, 1, L.CallStatus.OK, reply)]
        assert callee.stats.protocol_errors == 0
