"""Rust expressions for the default value of an IDL type: extra fields of the request
struct (beyond seq and payload) are filled with these, whatever derives the user wrote."""

from __future__ import annotations

from rust2go.codegen import ir
from rust2go.loadtest.harness_idl import rust_ident

_PRIM_ZERO = {"bool": "false", "char": "'\\0'", "f32": "0.0", "f64": "0.0"}


def default_expr(program: ir.Program, ty: ir.Type) -> str:
    match ty:
        case ir.Prim(name):
            return _PRIM_ZERO.get(name, "0")
        case ir.Str():
            return "String::new()"
        case ir.Vec():
            return "Vec::new()"
        case ir.Opt():
            return "None"
        case ir.Map(kind):
            return f"std::collections::{kind}::new()"
        case ir.EnumT(name):
            return f"{name}::{program.enum(name).variants[0].name}"
        case ir.StructT(name):
            s = program.struct(name)
            return f"{name} {{ {field_inits(program, s.fields)} }}"
    raise TypeError(f"no default for {ty!r}")


def field_inits(program: ir.Program, fields: list[ir.Field]) -> str:
    return ", ".join(f"{rust_ident(f.name)}: {default_expr(program, f.ty)}" for f in fields)
