"""Hostile-segment validation: every header field is checked before any offset from it
is used, and each error names the field and the bound it broke."""

from __future__ import annotations

from rust2go.shm import layout as L
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.geometry import Geometry, align, ring_bytes
from rust2go.shm.records import unpack


def _fail(field: str, value: int, why: str) -> ShmLayoutError:
    return ShmLayoutError(f"header.{field}={value} {why}")


def _expect(h: dict[str, int], field: str, want: int, what: str) -> None:
    if h[field] != want:
        raise _fail(field, h[field], f"does not match {what} ({want})")


def _check_identity(h: dict[str, int], mapped_size: int) -> None:
    if h["magic"] != L.MAGIC:
        raise _fail("magic", h["magic"], f"is not {L.MAGIC_BYTES!r}: not a rust2go segment")
    _expect(h, "layout_version", L.LAYOUT_VERSION, "this runtime's layout version")
    _expect(h, "header_size", L.HEADER.size, "the header record size")
    _expect(h, "slot_record_size", L.SLOT.size, "the slot record size")
    _expect(h, "cell_size", L.CELL.size, "the ring cell size")
    _expect(h, "ring_header_size", L.RING.size, "the ring header size")
    _expect(h, "flags", 0, f"the feature bits of version {L.LAYOUT_VERSION}")
    _expect(h, "segment_size", mapped_size, "the mapped segment size")


def _check_counts(h: dict[str, int]) -> None:
    if not 1 <= h["slot_count"] <= L.MAX_SLOTS:
        raise _fail("slot_count", h["slot_count"], f"is outside 1..{L.MAX_SLOTS}")
    for f in ("request_ring_capacity", "completion_ring_capacity"):
        cap = h[f]
        if not L.MIN_RING_CAPACITY <= cap <= L.MAX_RING_CAPACITY or cap & (cap - 1):
            raise _fail(
                f, cap, f"is not a power of two in {L.MIN_RING_CAPACITY}..{L.MAX_RING_CAPACITY}"
            )
    if h["completion_ring_capacity"] < h["slot_count"]:
        raise _fail("completion_ring_capacity", h["completion_ring_capacity"],
                    f"is below header.slot_count={h['slot_count']}")  # fmt: skip
    for f in ("request_capacity", "response_capacity"):
        if h[f] > L.MAX_PAYLOAD:
            raise _fail(f, h[f], f"exceeds the limit {L.MAX_PAYLOAD}")
    stride = align(h["request_capacity"]) + align(h["response_capacity"])
    _expect(h, "payload_stride", stride, "the aligned request + response capacity")


def _regions(h: dict[str, int]) -> list[tuple[str, int, int]]:
    return [
        ("request_ring_offset", h["request_ring_offset"], ring_bytes(h["request_ring_capacity"])),
        (
            "completion_ring_offset",
            h["completion_ring_offset"],
            ring_bytes(h["completion_ring_capacity"]),
        ),
        ("slot_table_offset", h["slot_table_offset"], h["slot_count"] * L.SLOT.size),
        ("payload_offset", h["payload_offset"], h["slot_count"] * h["payload_stride"]),
    ]


def _check_regions(h: dict[str, int]) -> None:
    size = h["segment_size"]
    regions = _regions(h)
    for field, off, n in regions:
        if off % L.CACHE_LINE:
            raise _fail(field, off, f"is not aligned to {L.CACHE_LINE}")
        if off < L.HEADER.size:
            raise _fail(field, off, f"overlaps the {L.HEADER.size}-byte header")
        if off + n > size:
            raise _fail(field, off, f"+ region size {n} exceeds header.segment_size={size}")
    ordered = sorted(regions, key=lambda r: r[1])
    for (f1, o1, n1), (f2, o2, _) in zip(ordered, ordered[1:], strict=False):
        if o1 + n1 > o2:
            raise _fail(f2, o2, f"overlaps the region at header.{f1}={o1} (size {n1})")


def _check_states(h: dict[str, int]) -> None:
    for field, enum in (("segment_state", L.SegmentState), ("caller_state", L.CallerState)):
        if h[field] not in enum._value2member_map_:
            raise _fail(field, h[field], f"is not a {enum.__name__}")
    for field in ("callee_parked", "caller_parked"):
        if h[field] > 1:
            raise _fail(field, h[field], "is not 0 or 1")


def read_geometry(buf, mapped_size: int) -> Geometry:
    """Validate the header in `buf` (the whole mapping) and return its geometry."""
    if mapped_size < L.HEADER.size or len(buf) < mapped_size:
        raise ShmLayoutError(
            f"segment of {mapped_size} bytes is smaller than the {L.HEADER.size}-byte header"
        )
    h = unpack(L.HEADER, buf)
    _check_identity(h, mapped_size)
    _check_counts(h)
    _check_regions(h)
    _check_states(h)
    return Geometry(
        h["slot_count"], h["request_ring_capacity"], h["completion_ring_capacity"],
        h["request_capacity"], h["response_capacity"], h["request_ring_offset"],
        h["completion_ring_offset"], h["slot_table_offset"], h["payload_offset"],
        h["payload_stride"], h["segment_size"],
    )  # fmt: skip


def check_ring_positions(buf, name: str, ring_offset: int, capacity: int) -> None:
    """A quiescent ring must have 0 <= enqueue_pos - dequeue_pos <= capacity."""
    pos = unpack(L.RING, buf, ring_offset)
    depth = pos["enqueue_pos"] - pos["dequeue_pos"]
    if depth < 0:
        raise ShmLayoutError(f"{name}.dequeue_pos={pos['dequeue_pos']} is past "
                             f"{name}.enqueue_pos={pos['enqueue_pos']}")  # fmt: skip
    if depth > capacity:
        raise ShmLayoutError(f"{name}.enqueue_pos={pos['enqueue_pos']} is {depth} cells past "
                             f"{name}.dequeue_pos={pos['dequeue_pos']}, beyond capacity {capacity}")  # fmt: skip
