"""gofmt / rustfmt over generated text (stdin to stdout; nothing touches the disk)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rust2go.codegen.emit.chunks import ChunkCache, format_pieces


class FormatError(RuntimeError):
    """The formatter rejected generated code: a generator bug, reported with its output."""


def _run(cmd: list[str], text: str) -> str:
    if shutil.which(cmd[0]) is None:
        raise FormatError(
            f"{Path(cmd[0]).name} not found on PATH (use --no-fmt to skip formatting)"
        )
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise FormatError(f"{Path(cmd[0]).name} rejected the generated code:\n{proc.stderr}")
    return proc.stdout


@functools.cache
def _rustfmt(cwd: str) -> str:
    """The toolchain's own rustfmt: through rustup's proxy every call pays ~10 ms to pick
    the toolchain, so ask the proxy once (per directory: a rust-toolchain file may pick
    another) and call the binary it names."""
    if shutil.which("rustup"):
        r = subprocess.run(["rustup", "which", "rustfmt"], capture_output=True, text=True,
                           check=False)  # fmt: skip
        found = r.stdout.strip()
        if r.returncode == 0 and found and os.access(found, os.X_OK):
            return found
    return "rustfmt"


def gofmt(text: str) -> str:
    return _run(["gofmt"], text)


def rustfmt(text: str) -> str:
    return _run([_rustfmt(os.getcwd()), "--edition", "2021", "--emit", "stdout", "--quiet"], text)


def gofmt_and_rustfmt(go: str, rust: str, cache: ChunkCache | None = None) -> tuple[str, str]:
    """Both files of a binding, marked in pieces by their templates (emit/chunks.py):
    pieces in `cache` are not formatted again. The two formatters run at once, so on a
    large binding the slower one sets the time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        go_done = pool.submit(format_pieces, "gofmt", go, gofmt, cache)
        rust_done = pool.submit(format_pieces, "rustfmt", rust, rustfmt, cache)
        return go_done.result(), rust_done.result()
