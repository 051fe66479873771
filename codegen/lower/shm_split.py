"""Which methods travel over shared memory, and the program the cgo back end sees: the
same IDL without them (traits keep their other methods)."""

from __future__ import annotations

import dataclasses

from rust2go.codegen import ir


def shm_methods(program: ir.Program) -> list[tuple[ir.Trait, ir.Method]]:
    return [(t, m) for t in program.r2g_traits() for m in t.methods if m.shm]


def cgo_part(program: ir.Program) -> ir.Program:
    """The program without its shm methods."""
    traits = [
        dataclasses.replace(t, methods=[m for m in t.methods if not m.shm]) for t in program.traits
    ]
    return dataclasses.replace(program, traits=traits)
