"""The shm pieces of the generated files: which methods go over shared memory, and the
Go/Rust text appended for them (layout constants first; callers and callees build on
them). The cgo back end only ever sees the other methods (`cgo_part`)."""

from __future__ import annotations

import dataclasses

from rust2go.codegen import ir
from rust2go.codegen.emit.render import render
from rust2go.codegen.lower.shm_consts import (
    field_rows,
    go_name,
    go_type,
    layout_constants,
    rust_literal,
    rust_type,
)
from rust2go.shm import layout as L

CGO_IMPORT = 'import "C"\n'  # every cgo file has it; Go imports must precede declarations


def shm_methods(program: ir.Program) -> list[tuple[ir.Trait, ir.Method]]:
    return [(t, m) for t in program.r2g_traits() for m in t.methods if m.shm]


def cgo_part(program: ir.Program) -> ir.Program:
    """The program without its shm methods (traits keep their other methods)."""
    traits = [
        dataclasses.replace(t, methods=[m for m in t.methods if not m.shm]) for t in program.traits
    ]
    return dataclasses.replace(program, traits=traits)


def _const_views() -> list[dict[str, object]]:
    return [
        {"name": c.name, "doc": c.doc, "rust_type": rust_type(c), "go_type": go_type(c),
         "go_name": go_name(c), "literal": rust_literal(c)}
        for c in layout_constants()
    ]  # fmt: skip


def rust_layout() -> str:
    return render("rust/shm/layout.rs.j2", consts=_const_views(), rows=field_rows(),
                  version=L.LAYOUT_VERSION)  # fmt: skip


def go_layout() -> str:
    return render("go/shm/layout.go.j2", consts=_const_views(), rows=field_rows(),
                  version=L.LAYOUT_VERSION)  # fmt: skip


def add_go_imports(go: str, imports: list[str]) -> str:
    """A second import block for the shm callee: only what the cgo part did not import
    already (Go rejects a package imported twice in one file)."""
    imports = [i for i in imports if f'\t"{i}"\n' not in go]
    if not imports:
        return go
    block = "\nimport (\n" + "".join(f'\t"{i}"\n' for i in imports) + ")\n"
    head, sep, tail = go.partition(CGO_IMPORT)
    assert sep, "the Go file template lost its cgo import"
    return head + sep + block + tail


def add_go_preamble(go: str, text: str) -> str:
    """C declarations for the shm callee (semaphores), at the end of the cgo preamble."""
    head, sep, tail = go.partition("*/\n" + CGO_IMPORT)
    assert sep, "the Go file template lost its cgo preamble"
    return head + text + sep + tail


def go_callee(program: ir.Program) -> str:
    from rust2go.codegen.lower.shm_go import lower_go_shm

    return render("go/shm/callee.go.j2", **vars(lower_go_shm(program)))


def rust_caller(program: ir.Program) -> str:
    from rust2go.codegen.lower.shm_rust import lower_rust_shm

    return render("rust/shm/caller.rs.j2", **vars(lower_rust_shm(program)))


def add_shm(program: ir.Program, go: str, rust: str) -> tuple[str, str]:
    """Append the shm sections (layout constants, Go callee, Rust caller) when the IDL
    has shm methods; unchanged otherwise."""
    if not shm_methods(program):
        return go, rust
    from rust2go.codegen.lower.shm_go import IMPORTS, PREAMBLE

    go = add_go_imports(add_go_preamble(go, PREAMBLE), IMPORTS)
    return go + go_layout() + go_callee(program), rust + rust_layout() + rust_caller(program)


def python_module(program: ir.Program, banner: str) -> str:
    """The typed Python peer (`--python-out`), exactly as the template writes it: no
    formatter is run, so the bytes never depend on what is on PATH."""
    from rust2go.codegen.lower.shm_python import lower_python

    return render("python/shm/module.py.j2", **vars(lower_python(program, banner=banner)))


def go_server(program: ir.Program, banner: str, package: str = "main") -> str:
    """`--go-server`: a standalone Go main serving each shm trait on a named segment."""
    traits = [t.name for t in program.r2g_traits() if any(m.shm for m in t.methods)]
    usage = "server [-slots N -request-capacity B -response-capacity B] " + " ".join(f"/r2g-<{t.lower()} segment>" for t in traits)
    return render("go/shm/server.go.j2", banner=banner, package=package, traits=traits,
                  usage=usage)  # fmt: skip
