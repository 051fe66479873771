"""The shm outputs of `rust2go generate`: `--python-out` (typed Python peer)."""

from __future__ import annotations

from pathlib import Path

from rust2go.commands._common import EXIT_OK, front_end


def write_python(idl: str, path: Path) -> int:
    from rust2go.codegen.emit.files import banner
    from rust2go.codegen.emit.shm_files import python_module
    from rust2go.commands.generate import report

    program, code = front_end(idl)
    if program is None:
        return code
    report(path, python_module(program, banner(program)))
    return EXIT_OK
