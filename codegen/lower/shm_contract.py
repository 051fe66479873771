"""The contract of a shm trait: one u64 over what a caller and a callee must agree on to
decode each other's payloads (shm/layout.py says what it covers and why). Computed once
here from the checked IR; the Rust, Go and Python peers embed the resulting constant and
the IDL's file name, and callers compare it with the header on attach."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from rust2go.codegen import ir
from rust2go.codegen.lower.shm_blocks import method_id
from rust2go.codegen.lower.symbols import signature_text
from rust2go.shm import layout as L
from rust2go.shm.contract import Contract, idl_name_bytes


def contract_text(program: ir.Program, trait: ir.Trait) -> str:
    """The canonical text the hash is taken over (one line per item)."""
    lines = [f"layout {L.LAYOUT_VERSION}", f"trait {trait.name}"]
    enums: set[str] = set()
    for m in trait.methods:
        if not m.shm:
            continue
        # signature_text spells each type down to every struct's fields; its leading
        # call kind is replaced by what the wire sees (sync and async calls are alike).
        _, sig = signature_text(program, m).split(" ", 1)
        wire = "oneway" if m.kind is ir.CallKind.ONEWAY else "call"
        lines.append(f"method {method_id(m)} {m.name} {wire} {sig}")
        for ty in [p.ty for p in m.params] + ([m.ret.ty] if m.ret else []):
            _reachable_enums(program, ty, enums, set())
    for name in sorted(enums):
        e = program.enum(name)
        lines.append(f"enum {name}:{e.repr} " + ",".join(f"{v.name}={v.value}" for v in e.variants))
    return "\n".join(lines) + "\n"


def contract(program: ir.Program, trait: ir.Trait) -> Contract:
    digest = hashlib.sha256(contract_text(program, trait).encode()).digest()
    value = int.from_bytes(digest[:8], "little") or 1  # 0 means "no contract"
    # Only for messages: unprintable characters would need a different escape per language.
    name = "".join(c if c.isprintable() else "?" for c in PurePath(program.path).name)
    return Contract(value, idl_name_bytes(name).decode())


def literals(program: ir.Program, trait: ir.Trait) -> tuple[str, str]:
    """The hash and the IDL name as literals that Rust, Go and Python all read alike."""
    c = contract(program, trait)
    quoted = c.idl.replace("\\", "\\\\").replace('"', '\\"')
    return f"{c.hash:#018x}", f'"{quoted}"'


def _reachable_enums(program: ir.Program, ty: ir.Type, out: set[str], seen: set[str]) -> None:
    match ty:
        case ir.Vec(inner) | ir.Opt(inner):
            _reachable_enums(program, inner, out, seen)
        case ir.Map(_, key, value):
            _reachable_enums(program, key, out, seen)
            _reachable_enums(program, value, out, seen)
        case ir.EnumT(name):
            out.add(name)
        case ir.StructT(name) if name not in seen:
            seen.add(name)
            for f in program.struct(name).fields:
                _reachable_enums(program, f.ty, out, seen)
