"""The gated front end: lex+parse -> check -> IR. A phase runs only when the previous
one left no error; diagnostics of every phase accumulate in one sink."""

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
        # Still check what parsed, so one run reports type errors too; but no IR.
        check(file, source, diags)
        return None, diags.sorted()
    program = check(file, source, diags)
    if diags.has_errors:
        return None, diags.sorted()
    return program, diags.sorted()
