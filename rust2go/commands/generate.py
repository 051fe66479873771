"""`rust2go generate IDL --go-out FILE --rust-out FILE`: write the Go (cgo) file and the
std-only Rust file for an IDL; `--build-helper FILE` also writes the build.rs helper.
Outputs whose content is unchanged are not touched (their mtime stays)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from rust2go import gomod
from rust2go.atomic_write import write_if_changed
from rust2go.codegen.api import GenerateOptions
from rust2go.commands._common import EXIT_OK, EXIT_USAGE, EXIT_USER, front_end


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
    wanted = dict(binding=bool(args.go_out or args.rust_out), python_peer=bool(args.python_out),
                  go_server=bool(args.go_server), build_helper=bool(args.build_helper))  # fmt: skip
    if not any(wanted.values()):
        sys.stderr.write("error: nothing to write: give --go-out, --rust-out, --build-helper, "
                         "--python-out or --go-server\n")  # fmt: skip
        return EXIT_USAGE
    options = dataclasses.replace(options_from(args), **wanted)
    return emit_files(args.idl, options, go_out=args.go_out, rust_out=args.rust_out,
                      python_out=args.python_out, go_server=args.go_server,
                      build_helper=args.build_helper)  # fmt: skip


def emit_files(idl: str, options: GenerateOptions, *, go_out: str | None,
               rust_out: str | None, python_out: str | None = None,
               go_server: str | None = None, build_helper: str | None = None) -> int:  # fmt: skip
    """One front-end pass, every output `options` asks for, content-gated writes;
    diagnostics on stderr (once), no traceback. `options` are completed from the go.mod
    nearest `go_out` (gomod.options_for)."""
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
    files = outputs.files(go_out, rust_out) if options.binding else []
    if python_out and outputs.python is not None:
        files.append((Path(python_out), outputs.python))
    if go_server and outputs.go_server is not None:
        files.append((Path(go_server), outputs.go_server))
        module = gomod.standalone_module(Path(go_server).parent)
        files += [module] if module else []
    if build_helper and outputs.build_helper is not None:
        files.append((Path(build_helper), outputs.build_helper))
    for path, text in files:
        report(path, text)
    return EXIT_OK


def report(path: Path, text: str) -> None:
    try:
        wrote = write_if_changed(path, text)
    except OSError as e:
        raise SystemExit(f"error: {path}: {e.strerror}") from None
    print(f"{'wrote' if wrote else 'unchanged'} {path}")
