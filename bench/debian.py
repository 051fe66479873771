"""Installs a missing benchmark prerequisite from Debian's packages (the only package
source this machine reaches besides the language registries), once and quietly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable


def ensure(what: str, present: Callable[[], bool], packages: list[str]) -> None:
    """Idempotent: `apt-get install packages` only when `present()` is false; raises
    RuntimeError with the reason when that is impossible or does not help."""
    if present():
        return
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{what} is missing and apt-get is not available; install {what}")
    print(f"[bench] {what} not found: apt-get install {' '.join(packages)} (once)",
          file=sys.stderr, flush=True)  # fmt: skip
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-4000:]}")
    if not present():
        raise RuntimeError(f"apt-get installed {' '.join(packages)} but {what} is still missing")
