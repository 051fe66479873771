"""`rust2go dump-ir FILE`: print the resolved IR in its stable text form."""

from __future__ import annotations

import sys

from rust2go.codegen.dump import dump
from rust2go.commands._common import EXIT_OK, front_end


def register(sub) -> None:
    p = sub.add_parser("dump-ir", help="print the checked IR of an IDL file")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=run)


def run(args) -> int:
    program, code = front_end(args.file)
    if program is None:
        return code
    sys.stdout.write(dump(program))
    return EXIT_OK
