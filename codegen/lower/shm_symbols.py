"""Names shared by the generated shm peers: the Go start/stop exports of a trait's
segment (one cgo call each, at start-up and shutdown) and the user-facing type names."""

from __future__ import annotations

import hashlib

from rust2go.codegen import ir
from rust2go.codegen.lower.symbols import ABI_VERSION, export_symbol


def _trait_hash(program: ir.Program, t: ir.Trait) -> str:
    # Over every shm method's symbol (which hashes its signature), so Go and Rust
    # generated from IDLs that disagree on any shm method fail to link.
    text = ";".join(export_symbol(program, t, m) for m in t.methods if m.shm)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def serve_symbol(program: ir.Program, t: ir.Trait) -> str:
    return f"r2g_shm_serve_v{ABI_VERSION}_{len(t.name)}{t.name}_h{_trait_hash(program, t)}"


def stop_symbol(program: ir.Program, t: ir.Trait) -> str:
    return f"r2g_shm_stop_v{ABI_VERSION}_{len(t.name)}{t.name}_h{_trait_hash(program, t)}"


def client_name(t: ir.Trait) -> str:
    """Rust: the shm caller struct. Go: the interface of the shm methods."""
    return f"{t.name}Shm"


def purpose(t: ir.Trait) -> str:
    """The purpose part of an in-process segment name (layout.NAMING.PURPOSE_PATTERN)."""
    return "".join(c for c in t.name.lower() if c.isalnum() or c == "_")[:24] or "calls"
