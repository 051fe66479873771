"""What the two sides of an async call agree on, computed once for both back ends.

An async call never crosses with a cgo call of its own. Rust pushes a job on a queue
that lives in Rust memory and Go's dispatcher swaps it out (templates/go/async_runtime,
support/async_slot.rs). The job names its method by index and points at the method's
args struct, which holds the parameters' Refs inside the call slot:

    r2g_job    { next, epoch, method, args, out, slot, cb }       7 words, both sides
    r2g_queue  { epoch, head, sleep }                              Rust static, Go reads
    r2g_args_<method> { one Ref per parameter (Pass.VALUE/POINTER), or an
                        r2g_SliceRef (Pass.SLICE), in parameter order, C padding }

The method index is the position among the program's async methods (traits in order,
methods in order). Go and Rust files generated from different IDLs would read each
other's indices wrongly, so the two entry points Rust calls (start the runtime, wake a
parked dispatcher) carry a hash over every async export symbol, in index order: such a
pair fails to link, just as a per-method symbol does for sync calls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rust2go.codegen import ir
from rust2go.codegen.lower.ctypes import c_field, c_type
from rust2go.codegen.lower.layout import Layout, Layouts, pack
from rust2go.codegen.lower.symbols import ABI_VERSION, export_symbol
from rust2go.codegen.lower.types import Pass, param_pass

SLICE_REF = Layout(24, 8)  # r2g_SliceRef { ptr, len, cap }


@dataclass(frozen=True)
class ArgsField:
    name: str  # the IDL parameter
    cname: str  # its C field (and cgo) name
    ctype: str  # C type of the field: the Ref, or r2g_SliceRef
    passing: str  # types.Pass
    offset: int


@dataclass(frozen=True)
class AsyncArgs:
    """The args struct of one async method (no struct when it has no parameters)."""

    index: int  # the method's number in the job
    ctype: str  # C typedef, "" without parameters
    fields: tuple[ArgsField, ...]
    size: int


def async_methods(program: ir.Program) -> list[tuple[ir.Trait, ir.Method]]:
    return [(t, m) for t in program.r2g_traits() for m in t.methods
            if m.kind is ir.CallKind.ASYNC]  # fmt: skip


def async_args_by_method(program: ir.Program, layouts: Layouts) -> dict[tuple[str, str], AsyncArgs]:
    """The args struct of every async method, keyed by (trait, method) name; both back
    ends look their methods up here, so the index is assigned in this one place."""
    return {(t.name, m.name): _args(program, layouts, i, t, m)
            for i, (t, m) in enumerate(async_methods(program))}  # fmt: skip


def _args(program: ir.Program, layouts: Layouts, index: int, trait: ir.Trait,
          method: ir.Method) -> AsyncArgs:  # fmt: skip
    passes = [param_pass(program, method, p) for p in method.params]
    members = [(p.name, SLICE_REF if how == Pass.SLICE else layouts.of(p.ty))
               for p, how in zip(method.params, passes, strict=True)]  # fmt: skip
    lay = pack("args", members)
    fields = tuple(
        ArgsField(p.name, c_field(p.name),
                  "r2g_SliceRef" if how == Pass.SLICE else c_type(program, p.ty), how, fl.offset)
        for p, how, fl in zip(method.params, passes, lay.fields, strict=True)
    )  # fmt: skip
    tail = export_symbol(program, trait, method).removeprefix("r2g_")
    return AsyncArgs(index, f"r2g_args_{tail}" if fields else "", fields,
                     lay.layout.size if fields else 0)  # fmt: skip


def async_entry(program: ir.Program) -> str:
    """Prefix of the runtime's two entry points, `<entry>_init` and `<entry>_kick`."""
    symbols = "\n".join(export_symbol(program, t, m) for t, m in async_methods(program))
    return f"r2g_v{ABI_VERSION}_async_h{hashlib.sha256(symbols.encode()).hexdigest()[:8]}"
