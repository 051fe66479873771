"""Golden byte images of a header, a ring cell and a slot record, shared with the Rust and
Go peers' tests (tests/shm/vectors/*.bin). Regenerate: python -m rust2go.shm.vectors DIR"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rust2go.shm import layout as L
from rust2go.shm.check import check64
from rust2go.shm.contract import Contract
from rust2go.shm.geometry import plan
from rust2go.shm.records import pack

GEOMETRY = plan(4, 4, 4, 64, 64)
CONTRACT = Contract(0x0123_4567_89AB_CDEF, "kv.rs")


def header() -> bytes:
    return pack(
        L.HEADER, **GEOMETRY.header_fields(), **CONTRACT.header_fields(),
        segment_state=L.SegmentState.SERVING, callee_pid=1234, callee_parked=1,
        caller_state=L.CallerState.ATTACHED, caller_pid=5678, caller_parked=0, session=1,
    )  # fmt: skip


def cell() -> bytes:
    fields = dict(
        slot=3, generation=7, method=2, length=64, kind=L.CellKind.CALL, status=L.CallStatus.OK
    )
    return pack(L.CELL, seq=9, **fields, check=check64(**fields, payload=check_payload(64)))


def check_payload(n: int) -> bytes:
    """The payload of the check vectors: n bytes counting up from 3 in steps of 7."""
    return bytes((3 + 7 * i) & 0xFF for i in range(n))


# Lengths around every boundary of the algorithm: empty, partial word, whole word,
# partial and whole 32-byte block, and the default slot capacity.
CHECK_LENGTHS = (0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 100, 4096)


def checks() -> bytes:
    """check64 test vectors: fields, payload length (payload = check_payload(length)) and check."""
    rows = []
    for i, n in enumerate(CHECK_LENGTHS):
        f = dict(slot=i * 37 % 256, generation=0xFFFF_FFF0 + i, method=i, length=n,
                 kind=L.CellKind.REPLY if i % 2 else L.CellKind.CALL, status=i % 6)  # fmt: skip
        rows.append({**f, "check": f"{check64(**f, payload=check_payload(n)):016x}"})
    return (json.dumps(rows, indent=1) + "\n").encode()


def slot() -> bytes:
    return pack(L.SLOT, state=L.SlotState.ABANDONED, generation=7)


VECTORS = {"header.bin": header, "cell.bin": cell, "slot.bin": slot, "check.json": checks}


def write(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, build in VECTORS.items():
        (directory / name).write_bytes(build())


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/shm/vectors"))
