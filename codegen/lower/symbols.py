"""Names of the exported C symbols that join the two generated sides.

Grammar (version 1), one Go `//export` per Rust→Go method:

    symbol  = "r2g_v" ABI "_" len trait "_" len method "_h" sig
    ABI     = "1"                      bumped whenever the calling convention changes
    len     = decimal length of the following name, so names holding "_" stay unambiguous
    sig     = first 8 hex digits of sha256 over the method's canonical signature, which
              spells every parameter and return type down to the fields of each struct

    e.g.  r2g_v1_8DemoCall_10demo_check_h3f9a0c21

An async method has a second symbol, the Rust callback Go completes the call through
(its address travels with each call; the name makes it traceable and unique):

    callback = symbol "_cb"            e.g. r2g_v1_8DemoCall_10demo_sleep_h0badf00d_cb

A Go file and a Rust file generated from IDLs that disagree on a method's types therefore
fail to link instead of misreading memory, and two traits with the same method name never
collide. Internal identifiers in both languages use the reserved prefix `r2g_`, which the
checker forbids in IDL names."""

from __future__ import annotations

import hashlib

from rust2go.codegen import ir

ABI_VERSION = 1


def export_symbol(program: ir.Program, trait: ir.Trait, method: ir.Method) -> str:
    sig = hashlib.sha256(signature_text(program, method).encode()).hexdigest()[:8]
    t, m = trait.name, method.name
    return f"r2g_v{ABI_VERSION}_{len(t)}{t}_{len(m)}{m}_h{sig}"


def callback_symbol(program: ir.Program, trait: ir.Trait, method: ir.Method) -> str:
    return export_symbol(program, trait, method) + "_cb"


def signature_text(program: ir.Program, method: ir.Method) -> str:
    params = ", ".join(_deep_type(program, p.ty, set()) for p in method.params)
    ret = ""
    if method.ret is not None:
        inner = _deep_type(program, method.ret.ty, set())
        ret = f" -> Result<{inner}>" if method.ret.is_result else f" -> {inner}"
    return f"{method.kind.value} fn({params}){ret}"


def _deep_type(program: ir.Program, ty: ir.Type, seen: set[str]) -> str:
    match ty:
        case ir.Vec(elem):
            return f"Vec<{_deep_type(program, elem, seen)}>"
        case ir.Opt(inner):
            return f"Option<{_deep_type(program, inner, seen)}>"
        case ir.Map(kind, key, value):
            return f"{kind}<{_deep_type(program, key, seen)}, {_deep_type(program, value, seen)}>"
        case ir.EnumT(name):
            e = program.enum(name)
            return f"{name}:{e.repr}"
        case ir.StructT(name) if name not in seen:
            inner = seen | {name}
            fields = ",".join(f"{f.name}:{_deep_type(program, f.ty, inner)}"
                              for f in program.struct(name).fields)  # fmt: skip
            return f"{name}{{{fields}}}"
    return ir.type_text(ty)
