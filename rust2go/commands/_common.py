"""Helpers shared by subcommands: reading an IDL and printing diagnostics."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rust2go.codegen.api import check_source
from rust2go.codegen.diagnostics import Diagnostic
from rust2go.codegen.ir import Program
from rust2go.codegen.source import SourceFile

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


def use_color(stream=sys.stderr) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def print_diagnostics(diags: list[Diagnostic]) -> None:
    color = use_color()
    for d in diags:
        sys.stderr.write(d.render(color))


def read_source(path: str) -> SourceFile | None:
    """Read an IDL file, or print why not (no traceback) and return None."""
    p = Path(path)
    try:
        return SourceFile.read(p)
    except IsADirectoryError:
        sys.stderr.write(f"error: {path}: is a directory, expected a .rs IDL file\n")
    except FileNotFoundError:
        sys.stderr.write(f"error: {path}: no such file\n")
    except OSError as e:
        sys.stderr.write(f"error: {path}: {e.strerror}\n")
    return None


def front_end(path: str) -> tuple[Program | None, int]:
    """Parse and check; print diagnostics. Returns (program, exit status)."""
    source = read_source(path)
    if source is None:
        return None, EXIT_USER
    program, diags = check_source(source)
    print_diagnostics(diags)
    return program, EXIT_OK if program is not None else EXIT_USER
