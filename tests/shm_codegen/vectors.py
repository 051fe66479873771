"""Golden byte images of the shm layout, made by the Python oracle (shm.records/geometry):
`<name>.bin` holds the bytes, `<name>.txt` the `record field value` lines they encode (a
word in decimal, a name field's bytes in hex), so
the Rust and Go tests rebuild each image from the generated offsets and compare bytes.
`payload_*.bin` are call payloads of every IDL type kind, encoded by the generated
Python codec (see `payloads`), which the generated Rust and Go peers must write and read.

    python -m tests.shm_codegen.vectors   # rewrite the files (review the diff)"""

from __future__ import annotations

from pathlib import Path

from rust2go.shm import layout as L
from rust2go.shm.contract import Contract
from rust2go.shm.geometry import plan
from rust2go.shm.records import pack
from rust2go.shm.slots import slot_word

DIR = Path(__file__).parent / "vectors"


def _header() -> tuple[str, dict[str, int]]:
    g = plan(slot_count=8, request_capacity=512, response_capacity=1024)
    return "header", dict(
        **g.header_fields(), **Contract(0xFEDC_BA98_7654_3210, "svc_api.rs").header_fields(),
        segment_state=L.SegmentState.SERVING, callee_pid=4242, callee_parked=1,
        caller_state=L.CallerState.ATTACHED, caller_pid=4343, session=7,
    )  # fmt: skip


def images() -> dict[str, tuple[L.Record, dict[str, int]]]:
    name, header = _header()
    word = slot_word(0xDEAD, L.SlotState.ABANDONED)
    return {
        name: (L.HEADER, header),
        "ring": (L.RING, {"enqueue_pos": 0x1_0000_0005, "dequeue_pos": 3}),
        "cell_request": (
            L.CELL,
            dict(
                seq=6,
                slot=5,
                generation=0xDEAD,
                method=2,
                length=48,
                kind=L.CellKind.CALL,
                status=0,
                check=0x1122_3344_5566_7788,
            ),
        ),  # fmt: skip
        "cell_reply": (
            L.CELL,
            dict(
                seq=9,
                slot=1,
                generation=3,
                method=0,
                length=17,
                kind=L.CellKind.REPLY,
                status=L.CallStatus.HANDLER_ERROR,
                check=0xF0E1_D2C3_B4A5_9687,
            ),
        ),  # fmt: skip
        "slot": (L.SLOT, {"state": word & 0xFFFF_FFFF, "generation": word >> 32}),
    }


def _text(value: int | bytes) -> str:
    """A word in decimal; a name field (bytes) in hex, NUL padding left out."""
    return value.rstrip(b"\0").hex() if isinstance(value, bytes) else str(int(value))


def files() -> dict[str, bytes]:
    out = {}
    for name, (rec, values) in images().items():
        out[f"{name}.bin"] = pack(rec, **values)
        lines = "".join(f"{rec.name} {k} {_text(v)}\n" for k, v in values.items())
        out[f"{name}.txt"] = lines.encode()
    return out


def payloads() -> dict[str, tuple[object, dict]]:
    """Encoded payloads of the live peer's IDL: `payload_<method>` is the request (the Rust
    caller writes it, the Go callee reads it), `payload_<method>_reply` the reply (Go
    writes, Rust reads). Go writes map entries in its random iteration order, so a reply
    image holds maps of at most one entry; the echo_all request keeps two (Rust writes a
    BTreeMap in key order)."""
    from tests.shm_codegen.py_peer import peer, sample_all, sample_kinds

    m = peer()
    reply_all = sample_all(m)
    reply_all.m = {"k": reply_all.m["k"]}
    return {
        "payload_echo_all": (m.Svc_echo_all_PARAMS, {"a": sample_all(m)}),
        "payload_echo_all_reply": (m.Svc_echo_all_REPLY, {"r2g_ret": reply_all}),
        "payload_kinds": (m.Svc_kinds_PARAMS, {"k": sample_kinds(m), "tag": 9}),
        "payload_kinds_reply": (m.Svc_kinds_REPLY, {"r2g_ret": sample_kinds(m)}),
    }


def payload_files() -> dict[str, bytes]:
    from rust2go.runtime.payload import encode
    from tests.shm_codegen.py_peer import peer

    codec = peer().CODEC
    return {f"{n}.bin": encode(codec, b, v, 4096) for n, (b, v) in payloads().items()}


MARKERS = (b"hello", b"leaf")  # string content every sample payload holds


def corrupt(data: bytes) -> bytes:
    """The image with one byte of string content changed, which every reader must notice
    (a changed padding byte would rightly go unnoticed)."""
    at = min(i for i in (data.find(m) for m in MARKERS) if i >= 0)
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


if __name__ == "__main__":
    DIR.mkdir(exist_ok=True)
    for fname, data in {**files(), **payload_files()}.items():
        (DIR / fname).write_bytes(data)
