"""Payload blocks of shm methods: each method's parameters (and its reply) laid out as one
C struct of Refs, from the same Ref layouts as the cgo path (codegen/lower/layout.py).
Every shm back end (Python, Rust, Go) reads these numbers; none recomputes them."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.codegen import ir
from rust2go.codegen.lower.layout import Layouts

RET = "r2g_ret"  # the member name of a reply block


@dataclass(frozen=True)
class Member:
    name: str
    offset: int
    ty: ir.Type


@dataclass(frozen=True)
class Block:
    size: int
    members: tuple[Member, ...]


def block(layouts: Layouts, members: list[tuple[str, ir.Type]]) -> Block:
    offset, align, out = 0, 1, []
    for name, ty in members:
        lay = layouts.of(ty)
        offset = (offset + lay.align - 1) // lay.align * lay.align
        out.append(Member(name, offset, ty))
        offset += lay.size
        align = max(align, lay.align)
    return Block((offset + align - 1) // align * align, tuple(out))


def params_block(layouts: Layouts, m: ir.Method) -> Block:
    return block(layouts, [(p.name, p.ty) for p in m.params])


def reply_block(layouts: Layouts, m: ir.Method) -> Block:
    return block(layouts, [(RET, m.ret.ty)] if m.ret else [])


def method_id(m: ir.Method) -> int:
    """Cell method id: the method's position in its trait (one segment serves one trait)."""
    return m.index
