"""The public entry points of the code generator. Everything outside codegen/ (CLI,
daemon, load tester, tests) goes through these, never through parser or check modules.

    program = load_program("src/user.rs")              # parse + check, or DiagnosticError
    outputs = generate("src/user.rs", GenerateOptions())  # .go / .rs text, nothing written
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from rust2go.codegen.diagnostics import Diagnostic, DiagnosticError
from rust2go.codegen.ir import Program
from rust2go.codegen.source import SourceFile


@dataclass(frozen=True)
class GenerateOptions:
    go_package: str = "main"  # --go-package
    go118: bool = False  # Go 1.18/1.19 string helpers
    without_main: bool = False  # omit `func main() {}`
    fmt: bool = True  # gofmt/rustfmt the output (needs the tools on PATH)
    # Import path of the Go output's package (from its go.mod): Go→Rust fast calls then go
    # through a small assembly package written beside it; without it, runtime.asmcgocall.
    go_import_path: str | None = None
    # Which outputs to make, all from one pass of the front end.
    binding: bool = True  # the Go (cgo) file, its fast-call package and the Rust file
    python_peer: bool = False  # the typed Python peer of the shm methods
    go_server: bool = False  # a standalone Go main serving the shm methods
    build_helper: bool = False  # the std-only build.rs helper (the same for every IDL)


@dataclass(frozen=True)
class Outputs:
    """The text of each output GenerateOptions asked for ("" / None for the others)."""

    go: str = ""  # the Go (cgo) file
    rust: str = ""  # the std-only Rust binding
    warnings: tuple[Diagnostic, ...] = ()
    # Further Go files, by path relative to the Go output's directory (the fast-call package).
    go_files: tuple[tuple[str, str], ...] = ()
    python: str | None = None  # the Python peer
    go_server: str | None = None  # the standalone Go server
    build_helper: str | None = None

    def files(
        self, go_out: str | Path | None, rust_out: str | Path | None
    ) -> list[tuple[Path, str]]:
        """(path, text) of every file to write for these output paths (None: not wanted)."""
        out = []
        if go_out is not None:
            out = [(Path(go_out), self.go), *self.package_files(go_out)]
        return out + ([(Path(rust_out), self.rust)] if rust_out is not None else [])

    def package_files(self, go_out: str | Path) -> list[tuple[Path, str]]:
        """(path, text) of the further Go files beside the Go output `go_out`."""
        return [(Path(go_out).parent / rel, text) for rel, text in self.go_files]


def check_source(source: SourceFile) -> tuple[Program | None, list[Diagnostic]]:
    """Parse and check one IDL. Returns the program (None if there were errors) and every
    diagnostic, errors and warnings, sorted by position. Never raises for bad input."""
    from rust2go.codegen.pipeline import run_front_end

    return run_front_end(source)


def load_program(path: str | Path) -> Program:
    """Parse and check the IDL at `path`; raise DiagnosticError listing every error."""
    program, diags = check_source(SourceFile.read(path))
    if program is None:
        raise DiagnosticError(diags)
    return program


def generate(path: str | Path, options: GenerateOptions = GenerateOptions(),
             name: str | None = None) -> Outputs:  # fmt: skip
    """Front end + every back end, in memory. Raises DiagnosticError on IDL errors.
    `name`: how diagnostics name the file (default: `path` as given)."""
    source = SourceFile.read(path)
    if name is not None:
        source = dataclasses.replace(source, name=name)
    return generate_source(source, options)


def generate_source(source: SourceFile, options: GenerateOptions = GenerateOptions()) -> Outputs:
    """As `generate`, from text already read (the watcher hashes exactly what it
    generates from, so a save racing the read cannot slip between the two)."""
    from rust2go.codegen.emit import emit_all
    from rust2go.codegen.pipeline import gc_paused

    def both_halves() -> Outputs:
        program, diags = check_source(source)
        if program is None:
            raise DiagnosticError(diags)
        return dataclasses.replace(emit_all(program, options), warnings=tuple(diags))

    # One pause over both halves, ended once their objects are gone: resumed between
    # them, or while the program is alive, the collector would scan all of it.
    with gc_paused():
        return both_halves()
