"""The C hot path of one segment (`_atomics.Wire`) and the layout numbers it runs on.

Wire never carries a layout number of its own: `wire_spec` hands it every offset, size
and enum value from shm/layout.py and the segment's validated geometry at construction.
Ring and doorbell indices used with its methods are REQUEST/COMPLETION and CALLEE/CALLER."""

from __future__ import annotations

from rust2go.shm import layout as L
from rust2go.shm._atomics import (  # noqa: F401  (re-exported verdicts and flags)
    ANSWER_DROPPED,
    ANSWER_FULL,
    ANSWER_POST,
    TAKE_ABANDONED,
    TAKE_CORRUPT,
    TAKE_MALFORMED,
    TAKE_NO_SLOT,
    TAKE_OK,
    Wire,
)
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.geometry import Geometry, align

REQUEST, COMPLETION = 0, 1  # ring indices
CALLEE, CALLER = 0, 1  # doorbell sides (whose parked flag)


def wire_spec(g: Geometry) -> dict[str, int]:
    """Every number Wire needs, by name (the C side raises KeyError naming a missing one)."""
    h = L.HEADER.offset
    cell = {f"cell_{f.name}": f.offset for f in L.CELL.fields}
    return {
        "ring_enqueue_pos": L.RING.offset("enqueue_pos"),
        "ring_dequeue_pos": L.RING.offset("dequeue_pos"),
        "ring_header_size": L.RING.size,
        "cell_size": L.CELL.size,
        **cell,
        "cell_inline_max": L.CELL_INLINE_MAX,
        "slot_record_size": L.SLOT.size,
        "slot_word": L.SLOT_WORD_OFFSET,
        "request_ring_offset": g.request_ring_offset,
        "request_ring_capacity": g.request_ring_capacity,
        "completion_ring_offset": g.completion_ring_offset,
        "completion_ring_capacity": g.completion_ring_capacity,
        "slot_table_offset": g.slot_table_offset,
        "slot_count": g.slot_count,
        "payload_offset": g.payload_offset,
        "payload_stride": g.payload_stride,
        "response_area": align(g.request_capacity),  # as Geometry.response_area
        "request_capacity": g.request_capacity,
        "response_capacity": g.response_capacity,
        "callee_parked": h("callee_parked"),
        "caller_parked": h("caller_parked"),
        "slot_free": L.SlotState.FREE,
        "slot_abandoned": L.SlotState.ABANDONED,
        "kind_call": L.CellKind.CALL,
        "kind_oneway": L.CellKind.ONEWAY,
        "kind_reply": L.CellKind.REPLY,
        "status_abandoned": L.CallStatus.ABANDONED,
        "check_k1": L.CHECK_K1,
        "check_k2": L.CHECK_K2,
        "check_k3": L.CHECK_K3,
        "check_rot": L.CHECK_ROT,
        "check_lanes": L.CHECK_LANES,
    }


def open_wire(buffer, g: Geometry) -> Wire:
    return Wire(buffer, wire_spec(g), ShmLayoutError)
