"""Golden byte images of a header, a ring cell and a slot record, shared with the Rust and
Go peers' tests (tests/shm/vectors/*.bin). Regenerate: python -m rust2go.shm.vectors DIR"""

from __future__ import annotations

import sys
from pathlib import Path

from rust2go.shm import layout as L
from rust2go.shm.codec import pack
from rust2go.shm.contract import Contract
from rust2go.shm.geometry import plan

GEOMETRY = plan(4, 4, 4, 64, 64)
CONTRACT = Contract(0x0123_4567_89AB_CDEF, "kv.rs")


def header() -> bytes:
    return pack(
        L.HEADER, **GEOMETRY.header_fields(), **CONTRACT.header_fields(),
        segment_state=L.SegmentState.SERVING, callee_pid=1234, callee_parked=1,
        caller_state=L.CallerState.ATTACHED, caller_pid=5678, caller_parked=0, session=1,
    )  # fmt: skip


def cell() -> bytes:
    return pack(L.CELL, seq=9, slot=3, generation=7, method=2, length=64,
                kind=L.CellKind.CALL, status=L.CallStatus.OK)  # fmt: skip


def slot() -> bytes:
    return pack(L.SLOT, state=L.SlotState.PENDING, generation=7)


VECTORS = {"header.bin": header, "cell.bin": cell, "slot.bin": slot}


def write(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, build in VECTORS.items():
        (directory / name).write_bytes(build())


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/shm/vectors"))
