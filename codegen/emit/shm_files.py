"""The shm pieces of the generated files: the Go/Rust sections that follow the cgo part
(layout constants first; callers and callees build on them), the Python peer and the
standalone Go server. Which methods they cover: lower/shm_split.py."""

from __future__ import annotations

from rust2go.codegen import ir
from rust2go.codegen.emit.chunks import ITEMS
from rust2go.codegen.emit.render import render
from rust2go.codegen.lower.shm_consts import (
    field_rows,
    go_name,
    go_type,
    layout_constants,
    rust_literal,
    rust_type,
)
from rust2go.codegen.lower.shm_split import shm_methods
from rust2go.shm import layout as L


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


def go_callee(program: ir.Program) -> str:
    from rust2go.codegen.lower.shm_go import lower_go_shm

    return render("go/shm/callee.go.j2", **vars(lower_go_shm(program)))


def rust_caller(program: ir.Program) -> str:
    from rust2go.codegen.lower.shm_rust import lower_rust_shm

    return render("rust/shm/caller.rs.j2", **vars(lower_rust_shm(program)))


def go_sections(program: ir.Program) -> str:
    """The Go file's shm sections, after its cgo part; empty when the IDL has no shm
    methods. Their imports and C declarations are in the cgo part's view model
    (lower/go.py: `GoFile.shm`)."""
    return _sections(program, go_layout, go_callee)


def rust_sections(program: ir.Program) -> str:
    """The Rust file's shm sections (layout constants, then the caller), or nothing."""
    return _sections(program, rust_layout, rust_caller)


def _sections(program: ir.Program, layout, peer) -> str:
    """The layout constants and the peer, each a piece of its own (emit/chunks.py), or
    nothing without shm methods."""
    if not shm_methods(program):
        return ""
    return f"\n{ITEMS}\n{layout()}\n{ITEMS}\n{peer(program)}"


def python_module(program: ir.Program, banner: str) -> str:
    """The typed Python peer (`--python-out`), exactly as the template writes it: no
    formatter is run, so the bytes never depend on what is on PATH."""
    from rust2go.codegen.lower.shm_python import lower_python

    return render("python/shm/module.py.j2", **vars(lower_python(program, banner=banner)))


def go_server(program: ir.Program, banner: str, package: str = "main") -> str:
    """`--go-server`: a standalone Go main serving each shm trait on a named segment."""
    from rust2go.codegen.lower.shm_go import lower_go_server

    return render("go/shm/server.go.j2", **vars(lower_go_server(program, banner, package)))
