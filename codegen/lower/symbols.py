"""Names of the exported C symbols that join the two generated sides.

Grammar (ABI version 4), one Go `//export` per sync or oneway Rust→Go method:

    symbol  = "r2g_v" ABI "_" len trait "_" len method "_h" sig
    ABI     = "4"                      bumped whenever the calling convention changes
                                       (v2: sync parameters Go views in place by pointer;
                                       v3: async calls are queued jobs, not exports)
    len     = decimal length of the following name, so names holding "_" stay unambiguous
    sig     = first 8 hex digits of sha256 over the method's canonical signature, which
              spells every parameter and return type down to the fields of each struct

    e.g.  r2g_v4_8DemoCall_10demo_check_h3f9a0c21

An async method has no export: Rust queues a job that names it by index (async_abi.py).
Its symbol still names the glue, and the Rust callback Go completes the call through
(its address travels with each job; the name makes it traceable and unique):

    callback = symbol "_cb"            e.g. r2g_v4_8DemoCall_10demo_sleep_h0badf00d_cb

The async runtime's two entry points hash every async symbol in index order:

    entry   = "r2g_v" ABI "_async_h" hash, then "_init" or "_kick"

A Go→Rust (`#[g2r]`) method is the same grammar, the symbol of a Rust entry point
(`#[no_mangle] extern "C"`) that Go calls through cgo. A reply too large for the buffer Go
lent is written by one more entry point per file, whose hash covers every g2r symbol:

    finish  = "r2g_v" ABI "_g2r_h" hash "_finish"

A Go file and a Rust file generated from IDLs that disagree on a method's types therefore
fail to link instead of misreading memory, and two traits with the same method name never
collide. Internal identifiers in both languages use the reserved prefix `r2g_`, which the
checker forbids in IDL names."""

from __future__ import annotations

import hashlib

from rust2go.codegen import ir

ABI_VERSION = 4


def export_symbol(program: ir.Program, trait: ir.Trait, method: ir.Method) -> str:
    sig = hashlib.sha256(signature_text(program, method).encode()).hexdigest()[:8]
    t, m = trait.name, method.name
    return f"r2g_v{ABI_VERSION}_{len(t)}{t}_{len(m)}{m}_h{sig}"


def callback_symbol(program: ir.Program, trait: ir.Trait, method: ir.Method) -> str:
    return export_symbol(program, trait, method) + "_cb"


def g2r_finish_symbol(program: ir.Program) -> str:
    names = ",".join(export_symbol(program, t, m) for t in program.g2r_traits() for m in t.methods)
    return f"r2g_v{ABI_VERSION}_g2r_h{hashlib.sha256(names.encode()).hexdigest()[:8]}_finish"


def signature_text(program: ir.Program, method: ir.Method) -> str:
    memo = _shape_memo(program)
    params = ", ".join(_deep_type(program, p.ty, memo, set()) for p in method.params)
    ret = ""
    if method.ret is not None:
        inner = _deep_type(program, method.ret.ty, memo, set())
        ret = f" -> Result<{inner}>" if method.ret.is_result else f" -> {inner}"
    return f"{method.kind.value} fn({params}){ret}"


def _shape_memo(program: ir.Program) -> dict[str, str]:
    # One memo per program: a struct's shape is computed once however many signatures
    # mention it (expanding it at every use is exponential on a shared type graph).
    return program.__dict__.setdefault("_r2g_struct_shapes", {})


def _deep_type(program: ir.Program, ty: ir.Type, memo: dict[str, str], active: set[str]) -> str:
    match ty:
        case ir.Vec(elem):
            return f"Vec<{_deep_type(program, elem, memo, active)}>"
        case ir.Opt(inner):
            return f"Option<{_deep_type(program, inner, memo, active)}>"
        case ir.Map(kind, key, value):
            k, v = _deep_type(program, key, memo, active), _deep_type(program, value, memo, active)
            return f"{kind}<{k}, {v}>"
        case ir.EnumT(name):
            return f"{name}:{program.enum(name).repr}"
        case ir.StructT(name):
            return _struct_shape(program, name, memo, active)
    return ir.type_text(ty)


def _struct_shape(program: ir.Program, name: str, memo: dict[str, str], active: set[str]) -> str:
    """The struct's name and a digest of its fields, all the way down; a struct met again
    inside itself (recursion through Vec or a map) is named, not expanded."""
    if name in memo:
        return memo[name]
    if name in active:
        return name
    active.add(name)
    fields = ",".join(f"{f.name}:{_deep_type(program, f.ty, memo, active)}"
                      for f in program.struct(name).fields)  # fmt: skip
    active.discard(name)
    memo[name] = f"{name}#{hashlib.sha256(fields.encode()).hexdigest()[:12]}"
    return memo[name]
