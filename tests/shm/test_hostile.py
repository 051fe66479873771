"""Hostile segments: every bad header field is rejected with an error naming it; random
bytes never crash; corrupt rings raise instead of hanging or reading out of bounds."""

from __future__ import annotations

import mmap

import posix_ipc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rust2go.shm import layout as L
from rust2go.shm import vectors
from rust2go.shm.errors import ShmError, ShmLayoutError
from rust2go.shm.geometry import plan
from rust2go.shm.records import pack, unpack
from rust2go.shm.segment import Segment
from rust2go.shm.validate import check_ring_positions, read_geometry

G = vectors.GEOMETRY


def image(**changes: int) -> bytearray:
    h = unpack(L.HEADER, vectors.header())
    h.update(changes)
    buf = bytearray(G.segment_size)
    buf[: L.HEADER.size] = pack(L.HEADER, **h)
    return buf


def test_golden_image_is_valid():
    assert read_geometry(image(), G.segment_size) == G


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"magic": 1}, "magic", "not a rust2go segment"),
        ({"layout_version": L.LAYOUT_VERSION - 1}, "layout_version", "layout version"),
        ({"header_size": 128}, "header_size", ""),
        ({"segment_size": 1 << 40}, "segment_size", "mapped segment size"),
        ({"slot_count": 0}, "slot_count", "outside"),
        ({"slot_count": 8}, "completion_ring_capacity", "below header.slot_count=8"),
        ({"request_ring_capacity": 3}, "request_ring_capacity", "power of two"),
        ({"completion_ring_capacity": 1 << 30}, "completion_ring_capacity", "power of two"),
        ({"request_capacity": 1 << 27}, "request_capacity", "exceeds the limit"),
        ({"payload_stride": 64}, "payload_stride", ""),
        ({"cell_size": 16}, "cell_size", ""),
        ({"flags": 1}, "flags", ""),
        ({"request_ring_offset": 1 << 20}, "request_ring_offset", "exceeds header.segment_size"),
        ({"completion_ring_offset": 128}, "completion_ring_offset", "overlaps the 256-byte header"),
        ({"slot_table_offset": 100}, "slot_table_offset", "not aligned"),
        ({"payload_offset": G.slot_table_offset}, "payload_offset", "overlaps"),
        ({"segment_state": 9}, "segment_state", "SegmentState"),
        ({"caller_state": 7}, "caller_state", "CallerState"),
        ({"callee_parked": 2}, "callee_parked", "0 or 1"),
    ],
)
def test_bad_header_field_is_named(changes, field, why):
    with pytest.raises(ShmLayoutError, match=f"header.{field}=.*{why}"):
        read_geometry(image(**changes), G.segment_size)


def test_short_segment_is_rejected():
    with pytest.raises(ShmLayoutError, match="smaller than the 256-byte header"):
        read_geometry(bytes(100), 100)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256), st.integers(256, 4096))
def test_random_headers_never_crash(raw, size):
    buf = bytearray(size)
    buf[:256] = raw
    try:
        read_geometry(buf, size)
    except ShmLayoutError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([f.name for f in L.HEADER.fields]), st.integers(0, 2**32 - 1))
def test_any_single_field_change_is_valid_or_named(field, value):
    if L.HEADER.field(field).kind == "name":  # any bytes: the name only serves messages
        value = value.to_bytes(4, "little")
    try:
        read_geometry(image(**{field: value}), G.segment_size)
    except ShmLayoutError as e:
        assert str(e).startswith("header.")


def test_ring_positions_past_capacity_are_rejected():
    buf = image()
    buf[G.request_ring_offset : G.request_ring_offset + L.RING.size] = pack(
        L.RING, enqueue_pos=100, dequeue_pos=10
    )
    with pytest.raises(ShmLayoutError, match="request_ring.enqueue_pos=100 is 90 cells past"):
        check_ring_positions(buf, "request_ring", G.request_ring_offset, G.request_ring_capacity)
    buf[G.request_ring_offset : G.request_ring_offset + L.RING.size] = pack(
        L.RING, enqueue_pos=1, dequeue_pos=5
    )
    with pytest.raises(ShmLayoutError, match="dequeue_pos=5 is past"):
        check_ring_positions(buf, "request_ring", G.request_ring_offset, G.request_ring_capacity)


def test_corrupt_cell_sequence_raises_instead_of_spinning():
    seg = Segment.create("pt_hostile", geometry=plan(4, 4, 4, 0, 0))
    try:
        cell0 = seg.geometry.request_ring_offset + L.RING.size
        seg.atom.store_u64(cell0, 10**6)  # far ahead of any position
        with pytest.raises(ShmLayoutError, match=r"request_ring.cell\[0\].seq=1000000 is ahead"):
            seg.request_ring.try_pop()
        with pytest.raises(ShmLayoutError, match="ahead"):
            seg.request_ring.try_push(0, 0, 0, 0, 1)
    finally:
        seg.unlink()
        seg.close()


def test_open_rejects_a_foreign_segment_by_field():
    name = "/r2g-pt_foreign"
    shm = posix_ipc.SharedMemory(name, posix_ipc.O_CREX, 0o600, 4096)
    try:
        with mmap.mmap(shm.fd, 4096) as m:
            m[:8] = b"NOTOURS!"
        shm.close_fd()
        with pytest.raises(ShmLayoutError, match="header.magic="):
            Segment.open(name)
    finally:
        shm.unlink()


def test_bad_names_are_refused():
    for bad in ("/etc/passwd", "/r2g-../x", "", "/r2g-a.b"):
        with pytest.raises(ShmError):
            Segment.open(bad)
