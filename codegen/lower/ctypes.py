"""C spellings of the Refs (the cgo preamble) and C-safe field names."""

from __future__ import annotations

from rust2go.codegen import ir

C_PRIMITIVE: dict[str, str] = {
    "u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t",
    "usize": "uintptr_t", "i8": "int8_t", "i16": "int16_t", "i32": "int32_t",
    "i64": "int64_t", "isize": "intptr_t", "f32": "float", "f64": "double",
    "bool": "bool", "char": "uint32_t",
}  # fmt: skip

# Words a C compiler (or the headers the preamble includes) would not accept as a field
# name. Go and Rust keywords never reach us: the checker rejects them.
C_RESERVED = frozenset(
    "auto break case char const continue default do double else enum extern float for goto "
    "if inline int long register restrict return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while bool true false _Bool _Complex _Imaginary "
    "NULL errno".split()
)  # fmt: skip


def c_field(name: str) -> str:
    """The C (and so cgo) name of a Ref field: the IDL name unless C reserves it."""
    return f"r2g_{name}" if name in C_RESERVED else name


def c_ref_name(struct_name: str) -> str:
    return f"r2g_{struct_name}Ref"


def c_type(program: ir.Program, ty: ir.Type) -> str:
    match ty:
        case ir.Prim(name):
            return C_PRIMITIVE[name]
        case ir.EnumT(name):
            return C_PRIMITIVE[program.enum(name).repr]
        case ir.Str():
            return "r2g_StringRef"
        case ir.Vec() | ir.Opt():
            return "r2g_ListRef"
        case ir.Map():
            return "r2g_MapRef"
        case ir.StructT(name):
            return c_ref_name(name)
    raise TypeError(ty)
