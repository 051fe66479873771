"""Emission: lowered view models -> Go and Rust text through the jinja2 templates."""

from __future__ import annotations

from rust2go.codegen.emit.files import emit_all, emit_build_helper

__all__ = ["emit_all", "emit_build_helper"]
