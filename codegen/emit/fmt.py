"""gofmt / rustfmt over generated text (stdin to stdout; nothing touches the disk)."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor


class FormatError(RuntimeError):
    """The formatter rejected generated code: a generator bug, reported with its output."""


def _run(cmd: list[str], text: str) -> str:
    if shutil.which(cmd[0]) is None:
        raise FormatError(f"{cmd[0]} not found on PATH (use --no-fmt to skip formatting)")
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise FormatError(f"{cmd[0]} rejected the generated code:\n{proc.stderr}")
    return proc.stdout


def gofmt(text: str) -> str:
    return _run(["gofmt"], text)


def rustfmt(text: str) -> str:
    return _run(["rustfmt", "--edition", "2021", "--emit", "stdout", "--quiet"], text)


def gofmt_and_rustfmt(go: str, rust: str) -> tuple[str, str]:
    """Both at once: two processes, so on a large binding the slower one sets the time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        go_done = pool.submit(gofmt, go)
        rust_done = pool.submit(rustfmt, rust)
        return go_done.result(), rust_done.result()
