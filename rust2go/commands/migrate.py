"""`rust2go migrate [DIR]`: turn a crate built with the original rust2go crate into one
built with this toolchain, in place (docs/migrate.md). `--dry-run` shows the diff and
writes nothing; a second run finds nothing to do."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from rust2go.atomic_write import write_if_changed
from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.commands._common import EXIT_OK, EXIT_USER


def register(sub) -> None:
    p = sub.add_parser("migrate", help="move a crate from the rust2go crate to this toolchain")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR",
                   help="the crate's directory (default: the current one)")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    p.add_argument("--go-out", metavar="FILE",
                   help="where the Go binding goes when no build.rs says (a Go program "
                        "linking a Rust library)")  # fmt: skip
    p.set_defaults(func=run)


def run(args) -> int:
    from rust2go.migrate.items import SplitError
    from rust2go.migrate.plan import MigrateError, plan

    crate = Path(args.dir)
    try:
        p = plan(crate, args.go_out)
    except (MigrateError, SplitError) as e:
        sys.stderr.write(f"error: {e}\n")
        return EXIT_USER
    except DiagnosticError as e:
        sys.stderr.write(e.render())
        sys.stderr.write("error: the IDL has errors; fix them (they are reported against its "
                         "new place under idl/) and run migrate again\n")  # fmt: skip
        return EXIT_USER
    if p.already:
        print(f"{_show(p.crate, Path.cwd())}: already migrated; nothing to do")
        return EXIT_OK
    for c in p.changes:
        rel = _show(c.path, Path.cwd())
        if args.dry_run and not c.generated:
            old = c.path.read_text().splitlines(keepends=True) if c.path.exists() else []
            new = (c.text or "").splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}"))
        verb = "would write" if args.dry_run else "wrote"
        print(f"{verb} {rel}: {c.what}")
        if not args.dry_run and c.text is not None:
            write_if_changed(c.path, c.text)
    for note in p.notes:
        print(f"note: {note}")
    if not args.dry_run:
        print("migrated: build and run as before (cargo build / cargo run); `rust2go watch` "
              "keeps the bindings fresh")  # fmt: skip
    return EXIT_OK


def _show(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
