"""The gated front end: lex+parse -> check -> IR. Diagnostics of every phase accumulate in
one sink. The checks also run over what parsed when parsing reported errors (one run shows
both kinds), but the IR exists only when no phase left an error."""

from __future__ import annotations

from rust2go.codegen.check import check
from rust2go.codegen.diagnostics import Diagnostic, Diagnostics
from rust2go.codegen.ir import Program
from rust2go.codegen.parser import parse
from rust2go.codegen.source import SourceFile


def run_front_end(source: SourceFile) -> tuple[Program | None, list[Diagnostic]]:
    diags = Diagnostics()
    if source.invalid_utf8_at is not None:
        at = source.invalid_utf8_at
        diags.error("invalid-utf8", source.span(at, at + 1), hint="save the file as UTF-8")
    file = parse(source, diags)
    if diags.has_errors:
        check(file, source, diags)
        return None, diags.sorted()
    program = check(file, source, diags)
    if diags.has_errors:
        return None, diags.sorted()
    return program, diags.sorted()
