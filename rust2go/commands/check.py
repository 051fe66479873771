"""`rust2go check FILE...`: parse and check IDL files, print diagnostics."""

from __future__ import annotations

import sys

from rust2go.commands._common import EXIT_OK, front_end


def register(sub) -> None:
    p = sub.add_parser("check", help="check IDL files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE", help="IDL .rs files")
    p.set_defaults(func=run)


def run(args) -> int:
    status = EXIT_OK
    for path in args.files:
        program, code = front_end(path)
        if program is not None:
            methods = sum(len(t.methods) for t in program.traits)
            print(f"{path}: ok ({len(program.structs)} structs, {len(program.enums)} enums, "
                  f"{len(program.traits)} traits, {methods} methods)")  # fmt: skip
        status = max(status, code)
    sys.stdout.flush()
    return status
