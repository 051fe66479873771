"""struct codecs derived from the layout records, so no format string is written by hand."""

from __future__ import annotations

import struct
from functools import cache

from rust2go.shm import layout as L

_CODE = {"u32": "I", "u64": "Q", "name": f"{L.IDL_NAME_SIZE}s", "inline": f"{L.CELL_INLINE_MAX}s"}


@cache
def record_struct(rec: L.Record) -> struct.Struct:
    """Little-endian struct covering the whole record, reserved bytes as pad."""
    fmt, pos = "<", 0
    for f in sorted(rec.fields, key=lambda f: f.offset):
        fmt += "x" * (f.offset - pos) + _CODE[f.kind]
        pos = f.offset + f.size
    return struct.Struct(fmt + "x" * (rec.size - pos))


def _names(rec: L.Record) -> list[str]:
    return [f.name for f in sorted(rec.fields, key=lambda f: f.offset)]


def pack(rec: L.Record, **values: int) -> bytes:
    unknown = set(values) - set(_names(rec))
    if unknown:
        raise KeyError(f"{rec.name} has no field(s) {sorted(unknown)}")
    zero = {f.name: b"" if f.kind in ("name", "inline") else 0 for f in rec.fields}
    return record_struct(rec).pack(*(values.get(n, zero[n]) for n in _names(rec)))


def unpack(rec: L.Record, buf, offset: int = 0) -> dict[str, int]:
    return dict(zip(_names(rec), record_struct(rec).unpack_from(buf, offset), strict=True))
