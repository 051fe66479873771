"""Where each region of a segment goes, computed from five sizes.

The creator plans a Geometry and writes it into the header; attachers read it back
(validate.py) and use the offsets from the header, never recomputed ones."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm.errors import ShmLayoutError


def align(n: int, to: int = L.CACHE_LINE) -> int:
    return (n + to - 1) // to * to


def ring_bytes(capacity: int) -> int:
    return L.RING.size + capacity * L.CELL.size


@dataclass(frozen=True)
class Geometry:
    slot_count: int
    request_ring_capacity: int
    completion_ring_capacity: int
    request_capacity: int
    response_capacity: int
    request_ring_offset: int
    completion_ring_offset: int
    slot_table_offset: int
    payload_offset: int
    payload_stride: int
    segment_size: int

    def slot_offset(self, slot: int) -> int:
        return self.slot_table_offset + slot * L.SLOT.size

    def request_area(self, slot: int) -> int:
        return self.payload_offset + slot * self.payload_stride

    def response_area(self, slot: int) -> int:
        return self.request_area(slot) + align(self.request_capacity)

    def header_fields(self) -> dict[str, int]:
        """The header words written once by the creator: identity and this geometry.
        The live words (states, pids, parked flags, session) are the caller's to add."""
        return dict(
            magic=L.MAGIC, layout_version=L.LAYOUT_VERSION, header_size=L.HEADER.size,
            segment_size=self.segment_size, slot_count=self.slot_count,
            slot_record_size=L.SLOT.size, slot_table_offset=self.slot_table_offset,
            payload_offset=self.payload_offset, request_capacity=self.request_capacity,
            response_capacity=self.response_capacity, payload_stride=self.payload_stride,
            cell_size=L.CELL.size, request_ring_offset=self.request_ring_offset,
            request_ring_capacity=self.request_ring_capacity,
            completion_ring_capacity=self.completion_ring_capacity,
            completion_ring_offset=self.completion_ring_offset, ring_header_size=L.RING.size,
        )  # fmt: skip


def _check_sizes(slots: int, req_ring: int, comp_ring: int, req_cap: int, resp_cap: int) -> None:
    if not 1 <= slots <= L.MAX_SLOTS:
        raise ShmLayoutError(f"slot_count={slots} must be in 1..{L.MAX_SLOTS}")
    for name, cap in (("request_ring_capacity", req_ring), ("completion_ring_capacity", comp_ring)):
        if not L.MIN_RING_CAPACITY <= cap <= L.MAX_RING_CAPACITY or cap & (cap - 1):
            raise ShmLayoutError(
                f"{name}={cap} must be a power of two in {L.MIN_RING_CAPACITY}..{L.MAX_RING_CAPACITY}"
            )
    if comp_ring < slots:
        # Each slot has at most one completion outstanding, so this bound means the
        # callee never waits for completion-ring space.
        raise ShmLayoutError(f"completion_ring_capacity={comp_ring} must be >= slot_count={slots}")
    for name, cap in (("request_capacity", req_cap), ("response_capacity", resp_cap)):
        if not 0 <= cap <= L.MAX_PAYLOAD:
            raise ShmLayoutError(f"{name}={cap} must be in 0..{L.MAX_PAYLOAD}")


def plan(
    slot_count: int = L.DEFAULT_SLOTS,
    request_ring_capacity: int | None = None,
    completion_ring_capacity: int | None = None,
    request_capacity: int = L.DEFAULT_REQUEST_CAPACITY,
    response_capacity: int = L.DEFAULT_RESPONSE_CAPACITY,
) -> Geometry:
    """Lay out header, request ring, completion ring, slot table, payload areas, in order.
    Ring capacities default to the next power of two >= slot_count."""
    default_ring = max(L.MIN_RING_CAPACITY, 1 << max(0, slot_count - 1).bit_length())
    req_ring = request_ring_capacity or default_ring
    comp_ring = completion_ring_capacity or default_ring
    _check_sizes(slot_count, req_ring, comp_ring, request_capacity, response_capacity)
    req_off = align(L.HEADER.size)
    comp_off = align(req_off + ring_bytes(req_ring))
    slots_off = align(comp_off + ring_bytes(comp_ring))
    payload_off = align(slots_off + slot_count * L.SLOT.size)
    stride = align(request_capacity) + align(response_capacity)
    return Geometry(
        slot_count, req_ring, comp_ring, request_capacity, response_capacity,
        req_off, comp_off, slots_off, payload_off, stride,
        payload_off + slot_count * stride,
    )  # fmt: skip
