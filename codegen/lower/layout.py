"""The C layout of every Ref type, computed once here; both generated sides assert it.

Refs (the values that cross the boundary, 64-bit targets only):

    primitive / enum   the value itself (char as uint32_t, enum as its repr integer)
    String             r2g_StringRef { const void *ptr; uintptr_t len; }        16 bytes
    Vec<T>, Option<T>  r2g_ListRef   { const void *ptr; uintptr_t len; }        16 bytes
                       (an Option is a list of 0 or 1 element)
    HashMap/BTreeMap   r2g_MapRef    { r2g_ListRef keys; r2g_ListRef values; } 32 bytes
    struct S           r2g_SRef      { one Ref per field, declaration order, C padding }
                       (a struct without fields gets one `uint8_t r2g_empty` byte: C has
                       no empty structs)

Intermediate buffers hold arrays of Refs; every array (and, on the Go side, every copied
byte run) starts on an 8-byte boundary, so `round8` is the only alignment rule."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from rust2go.codegen import ir

WORD = 8
EMPTY_FIELD = "r2g_empty"


def round8(n: int) -> int:
    return (n + WORD - 1) // WORD * WORD


@dataclass(frozen=True)
class Layout:
    size: int
    align: int


@dataclass(frozen=True)
class FieldLayout:
    name: str  # IDL field name (or EMPTY_FIELD)
    offset: int
    layout: Layout


@dataclass(frozen=True)
class StructLayout:
    name: str
    fields: tuple[FieldLayout, ...]
    layout: Layout


class Layouts:
    """Ref layouts of one program, memoised per struct."""

    def __init__(self, program: ir.Program):
        self._program = program
        self._structs: dict[str, StructLayout] = {}

    @staticmethod
    def of_program(program: ir.Program) -> Layouts:
        """The layouts of `program`, shared by the back ends that lower it."""
        found = program.__dict__.get("_r2g_layouts")
        if found is None:
            # Through a weak reference: a cycle would leave the program and its layouts
            # to the cyclic collector, which then scans everything alive beside them.
            found = program.__dict__["_r2g_layouts"] = Layouts(weakref.proxy(program))
        return found

    def of(self, ty: ir.Type) -> Layout:
        match ty:
            case ir.Prim(name):
                size = ir.PRIMITIVE_SIZE[name]
                return Layout(size, size)
            case ir.EnumT(name):
                size = ir.PRIMITIVE_SIZE[self._program.enum(name).repr]
                return Layout(size, size)
            case ir.Str() | ir.Vec() | ir.Opt():
                return Layout(16, 8)
            case ir.Map():
                return Layout(32, 8)
            case ir.StructT(name):
                return self.struct(name).layout
        raise TypeError(ty)

    def struct(self, name: str) -> StructLayout:
        if name not in self._structs:
            self._structs[name] = self._compute(self._program.struct(name))
        return self._structs[name]

    def _compute(self, s: ir.Struct) -> StructLayout:
        members = [(f.name, self.of(f.ty)) for f in s.fields] or [(EMPTY_FIELD, Layout(1, 1))]
        return pack(s.name, members)


def pack(name: str, members: list[tuple[str, Layout]]) -> StructLayout:
    """C struct rules: each member at the next multiple of its alignment, the size rounded
    up to the largest alignment."""
    offset, align, fields = 0, 1, []
    for member, lay in members:
        offset = (offset + lay.align - 1) // lay.align * lay.align
        fields.append(FieldLayout(member, offset, lay))
        offset += lay.size
        align = max(align, lay.align)
    size = (offset + align - 1) // align * align
    return StructLayout(name, tuple(fields), Layout(size, align))
