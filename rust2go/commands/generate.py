"""`rust2go generate IDL --go-out FILE --rust-out FILE`: write the Go (cgo) file and the
std-only Rust file for an IDL; `--build-helper FILE` also writes the build.rs helper.
Outputs whose content is unchanged are not touched (their mtime stays)."""

from __future__ import annotations

import sys
from pathlib import Path

from rust2go import gomod
from rust2go.codegen.api import GenerateOptions
from rust2go.commands._common import EXIT_OK, EXIT_USAGE, EXIT_USER, front_end
from rust2go.daemon.atomic_write import write_if_changed


def register(sub) -> None:
    p = sub.add_parser("generate", help="emit the Go and Rust binding of an IDL file")
    p.add_argument("idl", metavar="IDL", help="the IDL .rs file")
    p.add_argument("--go-out", metavar="FILE", help="Go file to write (e.g. go/gen.go)")
    p.add_argument("--rust-out", metavar="FILE", help="Rust file to write (e.g. src/gen.rs)")
    p.add_argument("--build-helper", metavar="FILE",
                   help="also write the std-only build.rs helper (e.g. r2g_build.rs)")  # fmt: skip
    p.add_argument("--python-out", metavar="FILE",
                   help="also write the typed Python peer of the shm methods")  # fmt: skip
    p.add_argument("--go-server", metavar="FILE",
                   help="also write a standalone Go main serving the shm methods")  # fmt: skip
    add_go_options(p)
    p.set_defaults(func=run)


def add_go_options(p) -> None:
    p.add_argument("--go-package", default="main", metavar="NAME",
                   help="Go package name (default: main)")  # fmt: skip
    p.add_argument("--go118", action="store_true", help="Go 1.18/1.19 compatible helpers")
    p.add_argument("--without-main", action="store_true", help="omit `func main() {}`")
    p.add_argument("--no-fmt", action="store_true", help="skip gofmt/rustfmt")


def options_from(args) -> GenerateOptions:
    return GenerateOptions(go_package=args.go_package, go118=args.go118,
                           without_main=args.without_main, fmt=not args.no_fmt)  # fmt: skip


def run(args) -> int:
    if args.python_out or args.go_server:
        from rust2go.commands._shm_outputs import write_shm_outputs

        status = write_shm_outputs(args.idl, args.python_out, args.go_server, args.go_package)
        if status != EXIT_OK or not (args.go_out or args.rust_out or args.build_helper):
            return status
    if not (args.go_out or args.rust_out or args.build_helper):
        sys.stderr.write("error: nothing to write: give --go-out, --rust-out or --build-helper\n")
        return EXIT_USAGE
    status = EXIT_OK
    if args.go_out or args.rust_out:
        status = emit_files(args.idl, options_from(args), go_out=args.go_out, rust_out=args.rust_out)
    if status == EXIT_OK and args.build_helper:
        from rust2go.codegen.emit import emit_build_helper

        report(Path(args.build_helper), emit_build_helper())
    return status


def emit_files(idl: str, options: GenerateOptions, *, go_out: str | None,
               rust_out: str | None) -> int:  # fmt: skip
    """Front end + emission + content-gated writes; diagnostics on stderr, no traceback.
    `options` are completed from the go.mod nearest `go_out` (gomod.options_for)."""
    from rust2go.codegen.diagnostics import DiagnosticError
    from rust2go.codegen.emit import emit_all
    from rust2go.codegen.emit.fmt import FormatError

    program, code = front_end(idl)
    if program is None:
        return code
    options, notes = gomod.options_for(options, go_out)
    for note in notes:
        print(f"note: {note}")
    try:
        outputs = emit_all(program, options)
    except DiagnosticError as err:
        sys.stderr.write(err.render())
        return EXIT_USER
    except FormatError as err:
        sys.stderr.write(f"error: {err}\n")
        return EXIT_USER
    for path, text in outputs.files(go_out, rust_out):
        report(path, text)
    return EXIT_OK


def report(path: Path, text: str) -> None:
    try:
        wrote = write_if_changed(path, text)
    except OSError as e:
        raise SystemExit(f"error: {path}: {e.strerror}") from None
    print(f"{'wrote' if wrote else 'unchanged'} {path}")
