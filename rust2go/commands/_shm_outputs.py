"""The shm outputs of `rust2go generate`: `--python-out` (typed Python peer) and
`--go-server` (a standalone Go main serving the shm methods on named segments)."""

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


def write_shm_outputs(idl: str, python_out: str | None, go_server: str | None,
                      go_package: str) -> int:  # fmt: skip
    from rust2go.codegen.emit.files import banner
    from rust2go.codegen.emit.fmt import gofmt
    from rust2go.codegen.emit.shm_files import go_server as server_text
    from rust2go.commands.generate import report

    status = write_python(idl, Path(python_out)) if python_out else EXIT_OK
    if status != EXIT_OK or not go_server:
        return status
    program, code = front_end(idl)
    if program is None:
        return code
    server = Path(go_server)
    report(server, gofmt(server_text(program, banner(program), go_package)))
    write_go_mod(server.parent)
    return EXIT_OK


def write_go_mod(directory: Path) -> None:
    """A standalone server builds with `go build` in its directory: that needs a go.mod.
    Written only when none is at or above the directory (the user's module wins)."""
    import re

    from rust2go import gomod
    from rust2go.commands.generate import report

    if gomod.nearest(directory) is not None:
        return
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", directory.resolve().name).strip("._-") or "server"
    report(directory / "go.mod", f"module {name}\n\ngo 1.21\n")
