"""gofmt / rustfmt over generated text (stdin to stdout; nothing touches the disk)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rust2go.codegen.emit.chunks import MAX_BATCHES, ChunkCache, start_format


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


class Formatting:
    """Formatter runs over the files of one binding: each file's runs start as soon as it
    is rendered (while Python renders the next one) and are waited for together. The
    pieces of a file in `cache` are not formatted again (emit/chunks.py)."""

    def __init__(self, cache: ChunkCache | None) -> None:
        self._cache = cache
        self._pool = ThreadPoolExecutor(max_workers=2 * MAX_BATCHES, thread_name_prefix="r2g-fmt")

    def start(self, tool: str, text: str) -> Callable[[], str]:
        formatter = {"gofmt": gofmt, "rustfmt": rustfmt}[tool]
        return start_format(tool, text, formatter, self._cache, self._pool.submit)

    def __enter__(self) -> Formatting:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)
