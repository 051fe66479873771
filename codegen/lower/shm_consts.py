"""The shm layout constants for the Rust and Go peers, walked from shm/layout.py (the
single source of truth): record sizes, field offsets, enum values, limits and the OS
object naming pieces. Nothing here is typed by hand, so the peers cannot drift."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rust2go.shm import layout as L


@dataclass(frozen=True)
class Const:
    name: str  # SCREAMING_SNAKE, the same in both languages
    kind: str  # "usize" | "u32" | "u64" | "str"
    value: int | str
    doc: str


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def _records() -> list[Const]:
    out = []
    for rec in L.RECORDS:
        r = rec.name.upper()
        out.append(Const(f"{r}_SIZE", "usize", rec.size, rec.doc))
        for f in rec.fields:
            out.append(Const(f"{r}_{f.name.upper()}", "usize", f.offset, f"{f.kind}: {f.doc}"))
    return out


def _enums() -> list[Const]:
    return [
        Const(f"{_snake(e.__name__)}_{m.name}", "u32", int(m), f"{e.__name__}::{m.name}")
        for e in L.ENUMS
        for m in e
    ]


def _scalars() -> list[Const]:
    out = []
    for name, value in L.CONSTANTS.items():
        kind = (
            "u64" if name in L.U64_CONSTANTS else ("u32" if name == "LAYOUT_VERSION" else "usize")
        )
        out.append(Const(name, kind, value, f"shm.layout.{name}"))
    return out


def _naming() -> list[Const]:
    """Each name template split around its placeholder: prefix + stem + suffix."""
    n = L.NAMING
    stem = "\0"

    def suffix(template: str) -> str:
        return template.format(stem=stem, lock_dir="", pid="").split(stem, 1)[1]

    return [
        Const("NAME_PREFIX", "str", n.PREFIX, "every segment stem starts with this"),
        Const("SEGMENT_PREFIX", "str", n.SEGMENT.split("{stem}")[0], "segment = this + stem"),
        Const("CALLEE_DOORBELL_SUFFIX", "str", suffix(n.CALLEE_DOORBELL), "'/' + stem + this"),
        Const("CALLER_DOORBELL_SUFFIX", "str", suffix(n.CALLER_DOORBELL), "'/' + stem + this"),
        Const("CALLEE_LOCK_SUFFIX", "str", suffix(n.CALLEE_LOCK), "LOCK_DIR/stem + this"),
        Const("CALLER_LOCK_SUFFIX", "str", suffix(n.CALLER_LOCK), "LOCK_DIR/stem + this + pid"),
        Const("LOCK_DIR", "str", n.LOCK_DIR, "directory of the liveness lock files"),
        Const("MODE", "u32", n.MODE, "permission bits of every OS object"),
    ]


def layout_constants() -> list[Const]:
    return _records() + _enums() + _scalars() + _naming()


# ------------------------------------------------------------------ spellings


def rust_literal(c: Const) -> str:
    if c.kind == "str":
        return f'"{c.value}"'
    return f"{c.value:#x}" if c.name == "MAGIC" else str(c.value)


def rust_type(c: Const) -> str:
    return "&str" if c.kind == "str" else c.kind


GO_KIND = {"usize": "uintptr", "u32": "uint32", "u64": "uint64", "str": "string"}


def go_type(c: Const) -> str:
    return GO_KIND[c.kind]


def go_name(c: Const) -> str:
    return f"r2g_shm_{c.name}"


@dataclass(frozen=True)
class FieldRow:
    record: str
    field: str
    offset: int
    size: int


def field_rows() -> list[FieldRow]:
    """(record, field, offset, size) for every word: lets peers' tests address the golden
    images by field name."""
    return [FieldRow(r.name, f.name, f.offset, f.size) for r in L.RECORDS for f in r.fields]
