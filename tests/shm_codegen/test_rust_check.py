"""check64 on the generated Rust caller's live path, against a callee the test plays
(the peer binary's `hostile` mode: three `add` calls pending at once). Every request
cell the caller pushed checks out over the payload it carries (short ones in the cell
itself); a valid answer is decoded; then a completion whose inline reply byte (or a
field) was changed in shared memory after its check was computed fails the other
pending calls at once, naming the ring, the slot and both checks, and the caller
detaches without crashing."""

from __future__ import annotations

import time

import pytest

from rust2go.shm import layout as L
from rust2go.shm.check import check64
from rust2go.shm.segment import Segment
from tests.shm_codegen.interop import hostile_session, hostile_verdict

_INLINE = L.CELL.offset("inline")


def cell_at(seg: Segment, ring: str, counter: str) -> int:
    """The address of the cell at `ring`'s `counter` position (enqueue_pos: the next
    push fills it; dequeue_pos: the next pop takes it)."""
    g = seg.geometry
    offset = getattr(g, f"{ring}_ring_offset")
    capacity = getattr(g, f"{ring}_ring_capacity")
    pos = seg.atom.load_u64(offset + L.RING.offset(counter))
    return offset + L.RING.size + (pos % capacity) * L.CELL.size


def pop_checked(seg: Segment) -> tuple[int, int, int, int, int]:
    """Pop one request, asserting its check is check64 of its fields and payload."""
    at = cell_at(seg, "request", "dequeue_pos")
    slot, gen, method, length, kind, status = seg.request_ring.try_pop()
    # Read after the pop, which saw the cell published: the caller pushes nothing more
    # until it is told to, so the released cell keeps its bytes.
    check = seg.atom.load_u64(at + L.CELL.offset("check"))
    assert length <= L.CELL_INLINE_MAX, f"an `add` request of {length} bytes travels in its cell"
    payload = bytes(seg.mem[at + _INLINE : at + _INLINE + length])
    want = check64(slot, gen, method, length, kind, status, payload)
    assert check == want, (
        f"request slot {slot}: cell.check={check:016x}, its inline bytes check to {want:016x}"
    )
    return slot, gen, method, length, kind


def corrupt_payload(seg: Segment, inline: int, fields: dict) -> None:
    """The reply's first byte changed in the cell after its check was computed."""
    seg.mem[inline] ^= 0x40


def corrupt_method(seg: Segment, inline: int, fields: dict) -> None:
    fields["method"] ^= 1  # after the check: the cell says another method than it checks


@pytest.mark.parametrize("corrupt", [corrupt_payload, corrupt_method])
def test_rust_caller_refuses_a_completion_changed_after_its_check(peer_crate, clean_shm, corrupt):
    with hostile_session(peer_crate) as (seg, rust):  # the test is the callee
        cells = [pop_checked(seg) for _ in range(3)]
        slot, gen, method = cells[0][:3]
        seg.wire.answer(slot, gen, method, L.CallStatus.OK, (1000).to_bytes(8, "little"))
        seg.caller_bell.ring()
        time.sleep(0.05)  # the Rust caller takes that answer before anything goes wrong
        slot, gen, method = cells[1][:3]
        reply = (2).to_bytes(8, "little")
        # A short reply travels in its cell. The response area holds it too, unchanged,
        # as a decoy: a caller that read it there would accept the corrupted cell.
        area = seg.geometry.response_area(slot)
        seg.mem[area : area + len(reply)] = reply
        inline = cell_at(seg, "completion", "enqueue_pos") + _INLINE
        seg.mem[inline : inline + len(reply)] = reply
        fields = {"slot": slot, "generation": gen, "method": method, "length": len(reply),
                  "kind": L.CellKind.REPLY, "status": L.CallStatus.OK}  # fmt: skip
        check = check64(**fields, payload=reply)
        corrupt(seg, inline, fields)
        seen = check64(**fields, payload=bytes(seg.mem[inline : inline + len(reply)]))
        # A raw push writes the fields and the given check, not the inline bytes.
        assert seg.completion_ring.try_push(*fields.values(), check=check)
        seg.caller_bell.ring()
        message = (f"protocol violation: callee of {seg.name} wrote completion_ring "
                   f"cell.check={check:016x} for slot {slot} does not match {seen:016x}")  # fmt: skip
        hostile_verdict(seg, rust, "call ok 1000", message)
