"""The gated front end: lex+parse -> check -> IR. Diagnostics of every phase accumulate in
one sink. The checks also run over what parsed when parsing reported errors (one run shows
both kinds), but the IR exists only when no phase left an error."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rust2go.codegen.check import check
from rust2go.codegen.diagnostics import Diagnostic, Diagnostics
from rust2go.codegen.ir import Program
from rust2go.codegen.parser import parse
from rust2go.codegen.source import SourceFile


def run_front_end(source: SourceFile) -> tuple[Program | None, list[Diagnostic]]:
    with gc_paused():
        return _run(source)


_pause_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """The front end allocates a few objects per token (tokens, spans, AST and IR nodes),
    all alive until it returns and free of cycles; the cyclic collector would scan them
    again and again as they pile up, which took most of the time on a large file. The
    back ends do the same with view models and rendered pieces. It is paused while any
    thread runs either and resumed after the last one."""
    global _pausers, _was_enabled
    with _pause_lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()


def _run(source: SourceFile) -> tuple[Program | None, list[Diagnostic]]:
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
