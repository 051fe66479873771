"""check64 on the generated Rust caller's live path, against a callee the test plays
(the peer binary's `hostile` mode: three `add` calls pending at once). Every request
cell the caller pushed checks out over the bytes in its slot; a valid answer is
decoded; then a completion whose reply byte (or field) was changed in shared memory
after its check was computed fails the other pending calls at once, naming the ring,
the slot and both checks, and the caller detaches without crashing."""

from __future__ import annotations

import time

import pytest

from rust2go.shm import layout as L
from rust2go.shm.check import check64
from rust2go.shm.segment import Segment
from tests.shm_codegen.interop import hostile_session, hostile_verdict


def pop_checked(seg: Segment) -> tuple[int, int, int, int, int]:
    """Pop one request, asserting its check is check64 of its fields and slot bytes."""
    g = seg.geometry
    pos = seg.atom.load_u64(g.request_ring_offset + L.RING.offset("dequeue_pos"))
    at = g.request_ring_offset + L.RING.size + (pos % g.request_ring_capacity) * L.CELL.size
    check = seg.atom.load_u64(at + L.CELL.offset("check"))
    slot, gen, method, length, kind, status = seg.request_ring.try_pop()
    area = g.request_area(slot)
    payload = bytes(seg.mem[area : area + length])
    want = check64(slot, gen, method, length, kind, status, payload)
    assert check == want, (
        f"request slot {slot}: cell.check={check:016x}, bytes check to {want:016x}"
    )
    return slot, gen, method, length, kind


def corrupt_payload(seg: Segment, slot: int, fields: dict) -> None:
    """The reply's first byte changed in shared memory after its check was computed."""
    seg.mem[seg.geometry.response_area(slot)] ^= 0x40


def corrupt_method(seg: Segment, slot: int, fields: dict) -> None:
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
        area = seg.geometry.response_area(slot)
        seg.mem[area : area + len(reply)] = reply
        fields = {"slot": slot, "generation": gen, "method": method, "length": len(reply),
                  "kind": L.CellKind.REPLY, "status": L.CallStatus.OK}  # fmt: skip
        check = check64(**fields, payload=reply)
        corrupt(seg, slot, fields)
        seen = check64(**fields, payload=bytes(seg.mem[area : area + len(reply)]))
        assert seg.slots.transition(slot, gen, L.SlotState.PENDING, L.SlotState.DONE)
        assert seg.completion_ring.try_push(*fields.values(), check=check)
        seg.caller_bell.ring()
        message = (f"protocol violation: callee of {seg.name} wrote completion_ring "
                   f"cell.check={check:016x} for slot {slot} does not match {seen:016x}")  # fmt: skip
        hostile_verdict(seg, rust, "call ok 1000", message)
